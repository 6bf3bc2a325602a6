/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The node's hash seed for `seed auto`: drawn once from the kernel's random
 * source and kept in a root-only state file, so it survives restarts and
 * reboots but differs between machines cloned from one image (which share
 * /etc/machine-id, the reason that is not used).
 */
#ifndef ECMP_SEED_H
#define ECMP_SEED_H

#include <stdint.h>

/* Reads DIR/seed, or creates it (mode 0600, DIR 0700) with 16 random bytes.
 * Returns 0 or -errno; a file that exists but is not 32 hex digits is an
 * error (never silently replaced: every flow would move). */
int seed_load_or_create(const char *dir, uint64_t seed[2]);

#endif /* ECMP_SEED_H */
