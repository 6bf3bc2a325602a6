/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The frames of bench_xdp's live rows (BPF_F_TEST_XDP_LIVE_FRAMES). The
 * test run hands out pages of its own pool and takes them back once the
 * frame was sent or dropped, without writing the frame again: a page comes
 * back as the last forwarder left it (TTL decremented, MACs replaced).
 * bench_live_frame() first makes each frame what a traffic generator
 * would have sent: the frames' own destination MAC and TTL 64 put back,
 * and the UDP source port walked over BENCH_LIVE_FLOWS flows, the
 * checksums kept right (RFC 1624). Every live row runs it before its
 * forwarder (the floor, xdp-ecmp, the FIB forwarder, the kernel's stack),
 * so its cost is in all of them alike.
 */
#ifndef BENCH_LIVE_BPF_H
#define BENCH_LIVE_BPF_H

#include <bpf/bpf_endian.h>
#include "parse.bpf.h"
#include "csum.bpf.h"
#include "bench_spread.h"

#define BENCH_LIVE_SPORT	40000

__u32 bench_live_flow;

static __always_inline void bench_live_frame(void *data, void *data_end)
{
	static const __u8 own[6] = BENCH_OWN_MAC;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u16 old, new;
	__u32 sum;

	if ((void *)(eth + 1) > data_end)
		return;
	__builtin_memcpy(eth->h_dest, own, 6);
	if (eth->h_proto == bpf_htons(ETHP_IPV4)) {
		struct iphdr *iph = hdr_at(data, data_end, sizeof(*eth), sizeof(*iph));

		if (!iph || iph->protocol != IPP_UDP)
			return;
		if (iph->ttl != 64)
			ipv4_set_ttl(iph, 64);
		udp = hdr_at(data, data_end, sizeof(*eth) + sizeof(*iph), sizeof(*udp));
	} else if (eth->h_proto == bpf_htons(ETHP_IPV6)) {
		struct ipv6hdr *ip6 = hdr_at(data, data_end, sizeof(*eth), sizeof(*ip6));

		if (!ip6 || ip6->nexthdr != IPP_UDP)
			return;
		ip6->hop_limit = 64;
		udp = hdr_at(data, data_end, sizeof(*eth) + sizeof(*ip6), sizeof(*udp));
	} else {
		return;
	}
	if (!udp)
		return;
	old = bpf_ntohs(udp->source);
	new = BENCH_LIVE_SPORT + bench_live_flow;
	if (++bench_live_flow == BENCH_LIVE_FLOWS)
		bench_live_flow = 0;
	udp->source = bpf_htons(new);
	if (udp->check) {	/* 0: an IPv4 datagram sent without one */
		sum = (__u16)~bpf_ntohs(udp->check);
		sum += (__u16)~old;
		sum += new;
		new = (__u16)~csum16_add(sum);
		udp->check = bpf_htons(new ? new : 0xffff);
	}
}

#endif /* BENCH_LIVE_BPF_H */
