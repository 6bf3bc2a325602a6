/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Pins and attachments (see pin.c). Every function returns 0 or a negative
 * errno and has logged why.
 */
#ifndef ECMP_PIN_H
#define ECMP_PIN_H

#include "dp_maps.h"

#define PIN_PROG_NAME "ecmp_xdp"

int pin_prepare(const char *pin_root);
int pin_create_maps(const char *obj_path, const char *pin_root);
int pin_exists(const char *pin_root);
int pin_is_attached(int ifindex);
int pin_attach(const char *obj_path, const char *pin_root,
	       const struct ecmp_dp *dp, const char *ifname, int generic);
int pin_detach(const char *ifname);
int pin_detach_all(void);
int pin_remove(const char *pin_root);

#endif /* ECMP_PIN_H */
