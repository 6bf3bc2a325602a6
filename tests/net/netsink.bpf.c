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

SEC("xdp")
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

		if ((void *)(ip + 1) > data_end || ip->ihl != 5)
			return XDP_PASS;
		proto = ip->protocol;
		ports = (void *)(ip + 1);
		fam = 4;
	} else if (eth->h_proto == bpf_htons(0x86DD)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		proto = ip6->nexthdr;
		ports = (void *)(ip6 + 1);
		fam = 6;
	} else {
		return XDP_PASS;
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
