/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What bench_xdp's rows cycle through, shared with their BPF programs:
 * BENCH_DSTS destinations for a "spread" row, the size of bench_dsts
 * (bench_rewrite.bpf.h), filled by bench_xdp, a power of 2; and
 * BENCH_LIVE_FLOWS flows (UDP source ports) for a live row, and up to
 * BENCH_LIVE_DSTS destinations for the full table's (bench_live.bpf.h).
 * And BENCH_OWN_MAC, the destination MAC of every benchmark frame
 * (frame_spec_default()'s), which the ingress interfaces are given and
 * the wrappers put back. */
#ifndef BENCH_SPREAD_H
#define BENCH_SPREAD_H

#define BENCH_DSTS	(1u << 20)
#define BENCH_LIVE_FLOWS	10000
#define BENCH_LIVE_DSTS		1024
#define BENCH_OWN_MAC		{ 0x02, 0, 0, 0, 0, 0xfe }

#endif /* BENCH_SPREAD_H */
