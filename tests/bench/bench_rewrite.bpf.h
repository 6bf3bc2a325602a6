/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the benchmark wrappers in tests/bench share:
 *  - bench_undo_rewrite(): BPF_PROG_TEST_RUN with `repeat` runs a program
 *    again and again on the same buffer, so a TTL decrement would pile up
 *    until the frame takes the TTL pass path. After a forwarded run this
 *    puts the TTL (and checksum) back, and the destination MAC (the
 *    benchmark frames' own, 02:00:00:00:00:fe), which the rewrite
 *    replaced with the nexthop's. The cost is charged to the forwarder
 *    measured, never to the floor.
 *  - bench_spread_dst(): for the "spread" rows, each run takes the next of
 *    BENCH_DSTS IPv4 destinations drawn across the whole route table
 *    (bench_dsts, filled by bench_xdp), so the lookup meets the table as
 *    traffic to many destinations does instead of one cache-hot path.
 *    The header checksum follows (bench_daddr.bpf.h).
 */
#ifndef BENCH_REWRITE_BPF_H
#define BENCH_REWRITE_BPF_H

#include "bench_spread.h"
#include "bench_daddr.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_DSTS);
	__type(key, __u32);
	__type(value, __u32);	/* IPv4 address, network order */
} bench_dsts SEC(".maps");

__u32 bench_next;

static __always_inline void bench_undo_rewrite(void *data, void *data_end)
{
	static const __u8 own[6] = BENCH_OWN_MAC;
	struct ethhdr *eth = data;
	__u32 off = sizeof(*eth);
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return;
	__builtin_memcpy(eth->h_dest, own, 6);
	proto = eth->h_proto;
	if (proto == bpf_htons(ETHP_8021Q)) {
		__be16 *inner = hdr_at(data, data_end, off + 2, 2);

		if (!inner)
			return;
		proto = *inner;
		off += 4;
	}
	if (proto == bpf_htons(ETHP_IPV4)) {
		struct iphdr *iph = hdr_at(data, data_end, off, sizeof(*iph));

		if (iph)	/* the forwarder's own update, the other way */
			ipv4_set_ttl(iph, iph->ttl + 1);
	} else if (proto == bpf_htons(ETHP_IPV6)) {
		struct ipv6hdr *ip6 = hdr_at(data, data_end, off, sizeof(*ip6));

		if (ip6)
			ip6->hop_limit += 1;
	}
}

/* An untagged IPv4 frame gets the next destination of bench_dsts. */
static __always_inline void bench_spread_dst(void *data, void *data_end)
{
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__u32 idx = bench_next++ & (BENCH_DSTS - 1), *dst;

	if ((void *)(iph + 1) > data_end)
		return;
	dst = bpf_map_lookup_elem(&bench_dsts, &idx);
	if (dst)
		bench_set_daddr(iph, *dst);
}

#endif /* BENCH_REWRITE_BPF_H */
