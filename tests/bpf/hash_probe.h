/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Frame layout of tests/bpf/hash_probe.bpf.c, shared with its caller. */
#ifndef ECMP_HASH_PROBE_H
#define ECMP_HASH_PROBE_H

#include "ecmp_hash.h"

#define PROBE_MAX 48

struct probe_hdr {
	__u64 seed[2];
	__u32 hash_flags;
	__u32 pad;
};

struct probe_rec {
	struct ecmp_flow flow;
	__u32 pad;
	__u64 hash;
};
_Static_assert(sizeof(struct probe_rec) == 56, "probe_rec layout");

#endif
