// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test-only program: runs include/ecmp_hash.h as compiled for BPF over the
 * flows in the frame and writes each hash back, so tests can compare it
 * with the user-space build of the same header. Frame layout: struct
 * probe_hdr, then up to PROBE_MAX struct probe_rec.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "ecmp_hash.h"
#include "hash_probe.h"

/* One flow's hash. A global function, so the verifier checks the hash
 * once instead of once per record (clang 19 leaves the loop's selects as
 * branches, and their paths times PROBE_MAX records pass its limit). */
__noinline __u64 probe_one(const struct ecmp_flow *f, __u32 flags,
			   __u64 seed0, __u64 seed1)
{
	__u64 seed[2] = { seed0, seed1 };

	if (!f)		/* a global function's pointer may be NULL */
		return 0;
	return ecmp_flow_hash(f, flags, seed);
}

SEC("xdp")
int hash_probe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct probe_hdr *h = data;
	__u64 seed[2];
	__u32 i, flags;

	if ((void *)(h + 1) > data_end)
		return XDP_ABORTED;
	seed[0] = h->seed[0];
	seed[1] = h->seed[1];
	flags = h->hash_flags;

	for (i = 0; i < PROBE_MAX; i++) {
		struct probe_rec *r = data + sizeof(*h) + i * sizeof(*r);
		struct ecmp_flow f;

		if ((void *)(r + 1) > data_end)
			break;
		__builtin_memcpy(&f, &r->flow, sizeof(f));
		r->hash = probe_one(&f, flags, seed[0], seed[1]);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
