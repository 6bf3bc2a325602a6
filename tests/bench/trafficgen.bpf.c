// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Traffic generator program, run by trafficgen with BPF_PROG_TEST_RUN in
 * live-frames mode: each run writes the header template into the frame
 * (live mode recycles pages without restoring them, and the router's
 * rewrite of the last lap would otherwise still be there), gives it the
 * next source port of NFLOWS, and sends it with XDP_TX.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "parse.bpf.h"	/* hdr_at(): a bounds check every compiler keeps */

#define GEN_HDR 64

struct gen_cfg {
	__u8 hdr[GEN_HDR];	/* Ethernet + IPv4/IPv6 + UDP */
	__u32 hdr_len;
	__u32 sport_off;	/* offset of the UDP source port */
	__u32 nflows;
	__u32 base_port;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_cfg);
} gen_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_count SEC(".maps");

SEC("xdp")
int trafficgen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, flow, off;
	struct gen_cfg *c = bpf_map_lookup_elem(&gen_cfg, &zero);
	__u64 *n = bpf_map_lookup_elem(&gen_count, &zero);
	__u16 *sport;

	if (!c || !n || data + GEN_HDR > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, c->hdr, GEN_HDR);
	flow = c->nflows ? *n % c->nflows : 0;
	*n += 1;
	off = c->sport_off;
	if (off > GEN_HDR - 2)
		return XDP_ABORTED;
	sport = hdr_at(data, data_end, off, sizeof(*sport));
	if (!sport)
		return XDP_ABORTED;
	*sport = bpf_htons(c->base_port + flow);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
