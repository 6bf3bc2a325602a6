// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Benchmark wrappers around the real XDP and TC ingress workers: after a
 * forwarded run the rewrite is undone (bench_rewrite.bpf.h; the MAC put
 * back is the one bench_xdp gives lo in ecmp_ifaces, a constant, so no
 * map lookup of the benchmark's own is charged to the data path). The
 * benchmark frames keep their number of VLAN tags (a tagged frame goes to
 * a tagged nexthop), so no bpf_xdp_adjust_head() accumulates either.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdp_fwd.bpf.h"
#include "tc_fwd.bpf.h"
#include "bench_rewrite.bpf.h"
#include "bench_live.bpf.h"

SEC("xdp")
int bench_ecmp(struct xdp_md *ctx)
{
	int act = ecmp_xdp_forward(ctx);

	if (act == XDP_REDIRECT)
		bench_undo_rewrite((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return act;
}

/* The same on destinations spread over the route table. */
SEC("xdp")
int bench_ecmp_spread(struct xdp_md *ctx)
{
	int act;

	bench_spread_dst((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	act = ecmp_xdp_forward(ctx);
	if (act == XDP_REDIRECT)
		bench_undo_rewrite((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return act;
}

/* The live rows: frames of many flows, really redirected; each page
 * comes back to the test run as the forwarder left it, so the frame is
 * made again before the worker runs (bench_live.bpf.h). */
SEC("xdp")
int bench_ecmp_live(struct xdp_md *ctx)
{
	bench_live_frame((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return ecmp_xdp_forward(ctx);
}

/* The same for the TC ingress path. */
SEC("tc")
int bench_tc(struct __sk_buff *skb)
{
	int act = ecmp_tc_forward(skb, 0);

	if (act == TC_ACT_REDIRECT_)
		bench_undo_rewrite((void *)(long)skb->data, (void *)(long)skb->data_end);
	return act;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
