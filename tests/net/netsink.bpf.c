// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test sink for the nexthop namespaces: counts UDP and TCP packets per
 * source port (the namespace tests give every flow its own). UDP is dropped
 * here, so the kernel stack is not the bottleneck; TCP is counted and
 * passed, so real connections complete. Everything else (ARP, ND, BFD)
 * passes. Key: family << 16 | source port.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536 * 2);
	__type(key, __u32);
	__type(value, __u64);
} sink_counts SEC(".maps");

SEC("xdp")
int netsink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u16 *ports;
	__u32 key, fam;
	__u64 one = 1, *c;
	__u8 proto;

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
	/* BFD (3784/4784) and anything else below 1024 is not test traffic. */
	if (bpf_ntohs(ports[0]) < 1024)
		return XDP_PASS;
	key = fam << 16 | bpf_ntohs(ports[0]);
	c = bpf_map_lookup_elem(&sink_counts, &key);
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&sink_counts, &key, &one, BPF_NOEXIST);
	return proto == 6 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
