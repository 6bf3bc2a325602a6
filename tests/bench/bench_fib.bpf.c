// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The peer xdp-ecmp is measured against: an XDP forwarder on the kernel's
 * FIB, as xdp-tools' xdp-forward (fib mode) and the kernel's xdp_fwd
 * sample are built. Per frame: parse Ethernet and IPv4/IPv6 with the L4
 * ports, bpf_fib_lookup() with the ports filled in (so the kernel's
 * multipath hash can spread flows, which xdp-forward leaves out), the TTL
 * or hop limit decremented, the MACs the FIB answered, a devmap redirect.
 * Whatever the FIB does not answer with a neighbour goes to the kernel.
 * Benchmark code, not a product path: fib_fwd is attached to interfaces
 * (scripts/bench-pps.sh), bench_fib runs under BPF_PROG_TEST_RUN with the
 * rewrite undone after each run, bench_fib_spread the same on destinations
 * spread over the table (bench_rewrite.bpf.h), bench_fib_live on the
 * live rows' frames of many flows (bench_live.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "parse.bpf.h"
#include "csum.bpf.h"
#include "bench_rewrite.bpf.h"
#include "bench_live.bpf.h"

#define FIB_AF_INET	2
#define FIB_AF_INET6	10

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} fib_tx SEC(".maps");

/* The kernel table looked up (set before load; 0: the main table through
 * the routing rules, as xdp-forward does). */
const volatile __u32 fib_table = 0;

/* The ports of a TCP/UDP/SCTP header at off, when the frame holds them. */
static __always_inline void fib_ports(void *data, void *data_end, __u32 off,
				      __u8 proto, struct bpf_fib_lookup *p)
{
	__be16 *ports;

	if (proto != 6 && proto != 17 && proto != 132)
		return;
	ports = hdr_at(data, data_end, off, 4);
	if (ports) {
		p->sport = ports[0];
		p->dport = ports[1];
	}
}

static __always_inline int fib_forward(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup p = { .ifindex = ctx->ingress_ifindex };
	struct ethhdr *eth = data;
	struct iphdr *iph = NULL;
	struct ipv6hdr *ip6 = NULL;
	__u32 off = sizeof(*eth);

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETHP_IPV4)) {
		iph = hdr_at(data, data_end, off, sizeof(*iph));
		if (!iph || iph->ttl <= 1)
			return XDP_PASS;
		p.family = FIB_AF_INET;
		p.tos = iph->tos;
		p.l4_protocol = iph->protocol;
		p.tot_len = bpf_ntohs(iph->tot_len);
		p.ipv4_src = iph->saddr;
		p.ipv4_dst = iph->daddr;
		/* Later fragments carry no ports. */
		if (!(iph->frag_off & bpf_htons(0x1fff)))
			fib_ports(data, data_end, off + iph->ihl * 4, iph->protocol, &p);
	} else if (eth->h_proto == bpf_htons(ETHP_IPV6)) {
		ip6 = hdr_at(data, data_end, off, sizeof(*ip6));
		if (!ip6 || ip6->hop_limit <= 1)
			return XDP_PASS;
		p.family = FIB_AF_INET6;
		p.flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0fffffff);
		p.l4_protocol = ip6->nexthdr;
		p.tot_len = bpf_ntohs(ip6->payload_len);
		__builtin_memcpy(p.ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(p.ipv6_dst, &ip6->daddr, 16);
		fib_ports(data, data_end, off + sizeof(*ip6), ip6->nexthdr, &p);
	} else {
		return XDP_PASS;
	}
	if (fib_table)
		p.tbid = fib_table;
	if (bpf_fib_lookup(ctx, &p, sizeof(p),
			   fib_table ? BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID : 0) !=
	    BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	if (iph)
		ipv4_decrement_ttl(iph);
	else if (ip6)		/* always, but the verifier cannot tell */
		ipv6_decrement_hop_limit(ip6);
	__builtin_memcpy(eth->h_dest, p.dmac, 6);
	__builtin_memcpy(eth->h_source, p.smac, 6);
	return bpf_redirect_map(&fib_tx, p.ifindex, 0);
}

/* On an interface (scripts/bench-pps.sh, row fib-xdp). */
SEC("xdp")
int fib_fwd(struct xdp_md *ctx)
{
	return fib_forward(ctx);
}

SEC("xdp")
int bench_fib(struct xdp_md *ctx)
{
	int act = fib_forward(ctx);

	if (act == XDP_REDIRECT)
		bench_undo_rewrite((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return act;
}

SEC("xdp")
int bench_fib_spread(struct xdp_md *ctx)
{
	int act;

	bench_spread_dst((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	act = fib_forward(ctx);
	if (act == XDP_REDIRECT)
		bench_undo_rewrite((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return act;
}

SEC("xdp")
int bench_fib_live(struct xdp_md *ctx)
{
	bench_live_frame((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return fib_forward(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
