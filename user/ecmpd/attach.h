/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Our programs on interfaces, over the pinned maps (pin.h). Every function
 * returns 0 or a negative errno and has logged why.
 */
#ifndef ECMP_ATTACH_H
#define ECMP_ATTACH_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib/dp_maps.h"

/* The TC object's file name, beside the XDP object. */
#define ATTACH_TC_OBJECT	"ecmp_tc.bpf.o"

/* Attaches, adopts (ours, tag want_tag) or replaces (ours, another tag). */
int attach_xdp(const char *obj_path, const char *pin_root,
	       const struct ecmp_dp *dp, const char *ifname, int generic,
	       const unsigned char want_tag[BPF_TAG_SIZE]);
int attach_xdp_remove(const char *ifname);
/* Detaches, on every interface, the XDP and TC programs of the instance
 * whose maps include map_id (its pinned ecmp_config): never another
 * instance's, never anything else. Destroys the clsact qdiscs named in
 * created_list (newline-separated, may be NULL: the ones ecmpd made) once
 * empty of ours. Returns how many hooks it emptied, or -errno. */
int attach_remove_all(const char *created_list, uint32_t map_id);

/* TC (clsact): our filter is handle HOOK_TC_HANDLE, priority HOOK_TC_PRIO.
 * Loads the TC object once over the pinned maps; attach its programs to
 * any number of hooks, then close it (filters keep their programs). A
 * filter of ours already on the hook is adopted when its program is this
 * build and replaced in place (atomically) when it is another.
 * attach_tc() sets *created when it had to create the clsact qdisc (the
 * caller records it, so only ecmpd's own qdiscs are removed later). */
struct bpf_object *attach_tc_open(const char *obj_path, const char *pin_root,
				  const struct ecmp_dp *dp);
int attach_tc(struct bpf_object *obj, const char *ifname, int egress,
	      int *created);
int attach_tc_remove(const char *ifname, int egress, int destroy_qdisc);

#endif /* ECMP_ATTACH_H */
