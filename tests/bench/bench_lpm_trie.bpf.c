// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Benchmark reference, not a product path: the floor plus one lookup of the
 * IPv4 destination in the kernel's BPF_MAP_TYPE_LPM_TRIE, to show what the
 * route lookup alone costs with that map at 1, 10,000 and 100,000 routes,
 * next to ecmp_xdp's multibit trie (and bench_lpm_trie_spread on
 * destinations spread over the table). Expects an untagged IPv4 frame.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "parse.bpf.h"
#include "csum.bpf.h"
#include "bench_rewrite.bpf.h"

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 262144);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} bench_trie SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} trie_tx SEC(".maps");

static __always_inline int trie_forward(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	struct lpm_key key = { .prefixlen = 32 };
	__u32 *v;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	key.addr = iph->daddr;
	v = bpf_map_lookup_elem(&bench_trie, &key);
	if (!v)
		return XDP_PASS;
	return bpf_redirect_map(&trie_tx, *v, 0);
}

SEC("xdp")
int bench_lpm_trie(struct xdp_md *ctx)
{
	return trie_forward(ctx);
}

/* The same on destinations spread over the table (bench_rewrite.bpf.h). */
SEC("xdp")
int bench_lpm_trie_spread(struct xdp_md *ctx)
{
	bench_spread_dst((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return trie_forward(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
