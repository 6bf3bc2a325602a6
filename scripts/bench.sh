#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `make bench`: every benchmark, figures only. BENCH_QUICK=1 for a smoke run.
set -e
BUILD=${BUILD:-build}
if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root (BPF_PROG_TEST_RUN)" >&2
	exit 1
fi
# The system's tools first (see scripts/topo.sh).
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
start=$(date +%s)
section() { # TITLE: a header, and how long the one before took
	now=$(date +%s)
	[ -z "${last:-}" ] || printf '(%d s)\n' $((now - last))
	last=$now
	[ -z "$1" ] || printf '\n== %s\n' "$1"
}
section "data path ns/packet (BPF_PROG_TEST_RUN)"
# The single-buffer build (before xdp.frags) beside today's, same run.
BENCH_ALT="$BUILD/tests/single-buffer/bench_ecmp.bpf.o" BENCH_ALT_NAME="single-buffer" \
	"$BUILD/tests/bench_xdp" "$BUILD"
section "what the live goals of #19 leave: the data path without its hash, counters and checksum check"
bash scripts/bench-stripped.sh
section "packets per second through a router namespace"
BENCH_DATA="$BUILD/bench-pps.dat" BENCH_PNG="$BUILD/bench-pps.png" bash scripts/bench-pps.sh
section "TCP goodput through the router (iperf3)"
bash scripts/bench-tcp.sh
section "control plane (ecmpd)"
bash scripts/bench-ctl.sh
bash scripts/bench-metrics.sh
section "failover: BFD to FRR bfdd, nexthop dies"
bash scripts/bench-failover.sh
section "failover without xdp-ecmp: the kernel's ECMP, FRR's BGP with BFD"
bash scripts/bench-failover-kernel.sh
section "flows moved when a nexthop fails and returns: xdp-ecmp and the kernel's ECMP"
bash scripts/bench-moved.sh
section "route trie: half a full table removed one by one, then compaction"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	"$BUILD/tests/bench_trie" 100000 25000
else
	"$BUILD/tests/bench_trie"
fi
section "routes from the kernel (routes kernel)"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	bash scripts/bench-mirror.sh
else
	BENCH_MIRROR_SECS=10 bash scripts/bench-mirror.sh
	# A full Internet table (1,000,000 IPv4 and 250,000 IPv6 prefixes),
	# the limits sized for it; the 60 s churn at 10,000 changes/s.
	BENCH_MIRROR_N=1250000 BENCH_MIRROR_V6=20 \
		BENCH_MIRROR_LIMITS="routes 1300000 chunks 40000 buckets 1048576" \
		bash scripts/bench-mirror.sh
	# A Kubernetes cluster's 65,536 pod addresses announced as host
	# routes: one /16 crowded with /32s, changed one at a time.
	BENCH_MIRROR_HOSTS=65536 BENCH_MIRROR_SECS=10 bash scripts/bench-mirror.sh
fi
section "routes from zebra's FPM stream (routes fpm)"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	bash scripts/bench-fpm.sh
else
	BENCH_FPM_N=1250000 BENCH_FPM_V6=20 \
		BENCH_FPM_LIMITS="routes 1300000 chunks 40000 buckets 1048576" \
		bash scripts/bench-fpm.sh
fi
section ""
echo "make bench: $(($(date +%s) - start)) s in all"
