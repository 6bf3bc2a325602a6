// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Benchmark wrappers around the real XDP and TC ingress workers. BPF_PROG_TEST_RUN with
 * `repeat` runs the program again and again on the same buffer, so the TTL
 * decrement would pile up until the frame takes the TTL pass path. After a
 * forwarded run this puts the TTL (and checksum) back; the extra work is
 * charged to ecmp_xdp, never to the floor. So is putting back the
 * destination MAC (the benchmark frames' own, 02:00:00:00:00:fe, which
 * bench_xdp gives lo in ecmp_ifaces), which the rewrite replaced with the
 * nexthop's: a constant, so no map lookup of the benchmark's own is
 * charged to the data path. The benchmark frames keep their
 * number of VLAN tags (a tagged frame goes to a tagged nexthop), so no
 * bpf_xdp_adjust_head() accumulates either.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdp_fwd.bpf.h"
#include "tc_fwd.bpf.h"

static __always_inline void undo_rewrite(void *data, void *data_end)
{
	static const __u8 own[6] = { 0x02, 0, 0, 0, 0, 0xfe };
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

		if (iph)	/* the data path's own update, the other way */
			ipv4_set_ttl(iph, iph->ttl + 1);
	} else if (proto == bpf_htons(ETHP_IPV6)) {
		struct ipv6hdr *ip6 = hdr_at(data, data_end, off, sizeof(*ip6));

		if (ip6)
			ip6->hop_limit += 1;
	}
}

SEC("xdp")
int bench_ecmp(struct xdp_md *ctx)
{
	int act = ecmp_xdp_forward(ctx);

	if (act == XDP_REDIRECT)
		undo_rewrite((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return act;
}

/* The same for the TC ingress path. */
SEC("tc")
int bench_tc(struct __sk_buff *skb)
{
	int act = ecmp_tc_forward(skb, 0);

	if (act == TC_ACT_REDIRECT_)
		undo_rewrite((void *)(long)skb->data, (void *)(long)skb->data_end);
	return act;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
