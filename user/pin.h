/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Pins (pin.c) and attachments (attach.c). Every function returns 0 or a
 * negative errno and has logged why.
 */
#ifndef ECMP_PIN_H
#define ECMP_PIN_H

#include <stdint.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp_maps.h"

#define PIN_PROG_NAME "ecmp_xdp"

int pin_prepare(const char *pin_root);
/* Opens an object whose maps reuse the pins under pin_root (or make them). */
struct bpf_object *pin_open_object(const char *obj_path, const char *pin_root);
/* The pinned devmap handed to obj by fd (see pin.c for why). */
int pin_reuse_devmap(struct bpf_object *obj, const char *pin_root);
/* The kernel's tag of a loaded program: which build it is. */
int pin_prog_fd_tag(int fd, unsigned char tag[BPF_TAG_SIZE]);
/* Creates or reuses the pinned maps; xdp_tag gets this build's program tag. */
int pin_create_maps(const char *obj_path, const char *pin_root,
		    unsigned char xdp_tag[BPF_TAG_SIZE]);
/* Attaches, adopts (ours, tag want_tag) or replaces (ours, another tag). */
int pin_attach(const char *obj_path, const char *pin_root,
	       const struct ecmp_dp *dp, const char *ifname, int generic,
	       const unsigned char want_tag[BPF_TAG_SIZE]);
int pin_detach(const char *ifname);
/* Detaches our XDP and TC programs everywhere; destroys the clsact
 * qdiscs named in created_list (newline-separated, may be NULL). */
int pin_detach_all(const char *created_list);
int pin_remove(const char *pin_root);
/* Pins again, from the daemon's fds, any map whose pin was removed under
 * it (rm -rf of the pin root). Returns how many were restored, or -errno. */
int pin_restore_maps(const char *pin_root, const int *fds, const char *const *names,
		     int n);

/* XDP mode of our program on an interface: 0 none, else XDP_MODE_*;
 * *prog_id (when not NULL) gets its id. */
int pin_xdp_mode(int ifindex, uint32_t *prog_id);
/* The kernel's tag of program id (which build it is), in hex. */
int pin_prog_tag(uint32_t id, char hex[2 * BPF_TAG_SIZE + 1]);

/* TC (clsact): our filter is handle PIN_TC_HANDLE, priority PIN_TC_PRIO.
 * pin_tc_attach() sets *created when it had to create the clsact qdisc
 * (the caller records it, so only ecmpd's own qdiscs are removed later). */
#define PIN_TC_HANDLE	0xec
#define PIN_TC_PRIO	0xec
#define PIN_TC_OBJECT	"ecmp_tc.bpf.o"
/* Loads the TC object once over the pinned maps; attach its programs to
 * any number of hooks, then close it (filters keep their programs). A
 * filter of ours already on the hook is adopted when its program is this
 * build and replaced in place (atomically) when it is another. */
struct bpf_object *pin_tc_open(const char *obj_path, const char *pin_root,
			       const struct ecmp_dp *dp);
int pin_tc_attach(struct bpf_object *obj, const char *ifname, int egress,
		  int *created);
/* Program id of our filter on the hook, 0 when none. */
uint32_t pin_tc_query(int ifindex, int egress);
int pin_tc_detach(const char *ifname, int egress, int destroy_qdisc);

#endif /* ECMP_PIN_H */
