/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* How many destinations a "spread" benchmark row cycles through: the size
 * of bench_dsts (bench_rewrite.bpf.h), filled by bench_xdp. A power of 2. */
#ifndef BENCH_SPREAD_H
#define BENCH_SPREAD_H

#define BENCH_DSTS	(1u << 20)

#endif /* BENCH_SPREAD_H */
