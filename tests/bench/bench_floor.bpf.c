// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Benchmark floor: the least an XDP forwarder can do, one
 * bpf_redirect_map() into a devmap of the same type ecmp_xdp uses.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bench_live.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} floor_tx SEC(".maps");

SEC("xdp")
int bench_floor(struct xdp_md *ctx)
{
	return bpf_redirect_map(&floor_tx, 1, 0);
}

/*
 * The floor of a forwarder that spreads: the same redirect, to one of four
 * targets (keys 1-4) by the low bits of an IPv4 UDP frame's source port,
 * which trafficgen walks over its flows. Beside bench_floor it shows what
 * spreading over four veths costs by itself, apart from any decision.
 */
SEC("xdp")
int bench_floor_spread(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *sport_lo = data + 14 + 20 + 1;	/* Ethernet, IPv4, UDP */

	if ((void *)(sport_lo + 1) > data_end)
		return XDP_PASS;
	return bpf_redirect_map(&floor_tx, 1 + (*sport_lo & 3), 0);
}

/* The live rows' floor: each frame made as a generator sends it
 * (bench_live.bpf.h), then the same single redirect. */
SEC("xdp")
int bench_floor_live(struct xdp_md *ctx)
{
	bench_live_frame((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return bpf_redirect_map(&floor_tx, 1, 0);
}

/* The kernel's own forwarding, for the live rows: the same frames handed
 * to the stack (XDP_PASS), which routes them over its multipath route. */
SEC("xdp")
int bench_pass_live(struct xdp_md *ctx)
{
	bench_live_frame((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
