// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test sink for the nexthop namespaces: counts UDP and TCP packets per
 * source port (the namespace tests give every flow its own). UDP is dropped
 * here, so the kernel stack is not the bottleneck; TCP is counted and
 * passed, so real connections complete. Everything else (ARP, ND, BFD)
 * passes. Key: family << 16 | source port.
 *
 * Probe frames from flowgen carry their send time (CLOCK_MONOTONIC ns) in
 * the first 8 bytes of the UDP payload; the sink keeps the earliest and
 * latest per flow, which is how failover tests measure loss windows.
 * sink_dead[0] = 1 plays a dead host: every frame is dropped uncounted,
 * BFD included.
 * ICMP errors (fragmentation needed, packet too big) about a flow's reply
 * are counted apart, under family 104 / 106 and the quoted packet's
 * destination port (the flow's source port), and dropped.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "netsink.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536 * 2);
	__type(key, __u32);
	__type(value, struct sink_flow);
} sink_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} sink_dead SEC(".maps");

/* xdp.frags: the jumbo-frame tests send multi-buffer frames. */
SEC("xdp.frags")
int netsink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u16 *ports;
	__u32 key, fam;
	struct sink_flow *c, first = { .packets = 1 };
	__u32 zero = 0, *dead = bpf_map_lookup_elem(&sink_dead, &zero);
	__u64 *ts;
	__u8 proto;

	if (dead && *dead)
		return XDP_DROP;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(0x0800)) {
		struct iphdr *ip = (void *)(eth + 1);

		/* No options, or flowgen --options' one word of them. */
		if ((void *)(ip + 1) > data_end || (ip->ihl != 5 && ip->ihl != 6))
			return XDP_PASS;
		proto = ip->protocol;
		ports = (void *)(ip + 1);
		if (ip->ihl == 6)
			ports += 2;
		fam = 4;
	} else if (eth->h_proto == bpf_htons(0x86DD)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		proto = ip6->nexthdr;
		ports = (void *)(ip6 + 1);
		/* flowgen --options: an 8-byte Hop-by-Hop header first. */
		if (proto == 0) {
			__u8 *hbh = (void *)ports;

			if ((void *)(hbh + 8) > data_end || hbh[1])
				return XDP_PASS;
			proto = hbh[0];
			ports += 4;
		}
		fam = 6;
	} else {
		return XDP_PASS;
	}
	if ((fam == 4 && proto == 1) || (fam == 6 && proto == 58)) {
		/* ICMP header (8), then the quote: an IP header without
		 * options or extension headers, and its UDP ports. */
		__u8 *icmp = (void *)ports;
		__u16 *qports = (void *)(icmp + 8 + (fam == 4 ? 20 : 40));
		__u8 t = 0;

		if ((void *)(qports + 2) > data_end)
			return XDP_PASS;
		t = icmp[0];
		if (fam == 4 ? t != 3 : t != 2)
			return XDP_PASS;
		key = (fam + 100) << 16 | bpf_ntohs(qports[1]);
		c = bpf_map_lookup_elem(&sink_counts, &key);
		if (!c)
			bpf_map_update_elem(&sink_counts, &key, &first, BPF_NOEXIST);
		else
			__sync_fetch_and_add(&c->packets, 1);
		return XDP_DROP;
	}
	if ((proto != 17 && proto != 6) || (void *)(ports + 2) > data_end)
		return XDP_PASS;
	/* Ports below 1024 and BFD (to 3784/4784) are not test traffic. */
	if (bpf_ntohs(ports[0]) < 1024 || ports[1] == bpf_htons(3784) ||
	    ports[1] == bpf_htons(4784))
		return XDP_PASS;
	key = fam << 16 | bpf_ntohs(ports[0]);
	ts = (void *)(ports + 4);	/* after the UDP header */
	if (proto == 17 && (void *)(ts + 1) <= data_end)
		first.first_ns = first.last_ns = *ts;
	c = bpf_map_lookup_elem(&sink_counts, &key);
	if (!c) {
		bpf_map_update_elem(&sink_counts, &key, &first, BPF_NOEXIST);
		return proto == 6 ? XDP_PASS : XDP_DROP;
	}
	__sync_fetch_and_add(&c->packets, 1);
	/* One receive queue per veth here: no other CPU races these. */
	if (first.first_ns && (!c->first_ns || first.first_ns < c->first_ns))
		c->first_ns = first.first_ns;
	if (first.last_ns > c->last_ns)
		c->last_ns = first.last_ns;
	return proto == 6 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
