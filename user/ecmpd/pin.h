/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The maps pinned under the pin root: created, reused, restored, removed.
 * Every function returns 0 or a negative errno and has logged why.
 */
#ifndef ECMP_PIN_H
#define ECMP_PIN_H

#include <stdint.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib/dp_maps.h"

int pin_prepare(const char *pin_root);
/* Opens an object whose maps reuse the pins under pin_root (or make them). */
struct bpf_object *pin_open_object(const char *obj_path, const char *pin_root);
/* The pinned devmap handed to obj by fd (see pin.c for why). */
int pin_reuse_devmap(struct bpf_object *obj, const char *pin_root);
/* Creates the pinned maps at these sizes, or reuses them (-EEXIST, said,
 * when they were made at other sizes: the limits changed); xdp_tag gets
 * this build's program tag. */
int pin_create_maps(const char *obj_path, const char *pin_root,
		    const struct dp_sizes *sizes, unsigned char xdp_tag[BPF_TAG_SIZE]);
/* The kernel's id of a map pinned under pin_root: 0, or -ENOENT when
 * it is not pinned there (no xdp-ecmp instance uses that root). */
int pin_map_id(const char *pin_root, enum dp_map map, uint32_t *id);
/* Unpins our maps under pin_root (and the directory when it is left
 * empty). Returns how many were unpinned, or -errno. */
int pin_remove(const char *pin_root);
/* Pins again, from the daemon's fds, any map whose pin was removed under
 * it (rm -rf of the pin root). Returns how many were restored, or -errno. */
int pin_restore_maps(const char *pin_root, const int *fds, const char *const *names,
		     int n);

#endif /* ECMP_PIN_H */
