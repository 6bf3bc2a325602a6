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
 *
 * The full table's rows also walk the IPv4 destination over
 * bench_live_dst: one host in each of the table's routes inside the test
 * space (SPEC §10), which bench_xdp writes after load. The other rows
 * leave bench_live_ndst 0 and keep the frame's own destination.
 */
#ifndef BENCH_LIVE_BPF_H
#define BENCH_LIVE_BPF_H

#include <bpf/bpf_endian.h>
#include "parse.bpf.h"
#include "csum.bpf.h"
#include "bench_spread.h"
#include "bench_daddr.bpf.h"

#define BENCH_LIVE_SPORT	40000

__u32 bench_live_flow;
__u32 bench_live_dst[BENCH_LIVE_DSTS];	/* network order */
__u32 bench_live_ndst;
__u32 bench_live_next;

/* The next of bench_live_dst into the header (bench_set_daddr()): what
 * the change adds to the UDP checksum's sum, 0 when nothing changed. */
static __always_inline __u32 bench_live_next_dst(struct iphdr *iph)
{
	__u32 i = bench_live_next;

	if (!bench_live_ndst)
		return 0;
	if (++bench_live_next >= bench_live_ndst)
		bench_live_next = 0;
	if (i >= BENCH_LIVE_DSTS)
		return 0;
	return bench_set_daddr(iph, bench_live_dst[i]);
}

static __always_inline void bench_live_frame(void *data, void *data_end)
{
	static const __u8 own[6] = BENCH_OWN_MAC;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u16 old, new;
	__u32 sum, pseudo = 0;

	if ((void *)(eth + 1) > data_end)
		return;
	__builtin_memcpy(eth->h_dest, own, 6);
	if (eth->h_proto == bpf_htons(ETHP_IPV4)) {
		struct iphdr *iph = hdr_at(data, data_end, sizeof(*eth), sizeof(*iph));

		if (!iph || iph->protocol != IPP_UDP)
			return;
		if (iph->ttl != 64)
			ipv4_set_ttl(iph, 64);
		pseudo = bench_live_next_dst(iph);
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
		new = (__u16)~csum16_add(csum16_add(sum) + pseudo);
		udp->check = bpf_htons(new ? new : 0xffff);
	}
}

#endif /* BENCH_LIVE_BPF_H */
