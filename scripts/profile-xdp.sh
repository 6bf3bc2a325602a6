#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Where one benchmark row's time goes, line by line of bpf/: runs bench_xdp
# on that row alone under `perf record`, then charges each sample to the
# source line the JIT compiled it from (scripts/profile-lines.py).
#
#   scripts/profile-xdp.sh [ROW]    ROW: text of a bench_xdp row,
#                                   default "ecmp_xdp ipv4 udp, 1 route"
#   env: BUILD (build), PROFILE_REPEAT (5000000 per round, 5 rounds),
#        PROFILE_TOP (30 lines)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROW=${1:-ecmp_xdp ipv4 udp, 1 route}
if [ "$(id -u)" != 0 ]; then
	echo "profile-xdp: needs root (BPF_PROG_TEST_RUN, perf on the kernel)" >&2
	exit 1
fi
if ! command -v perf > /dev/null; then
	echo "profile-xdp: perf not found; apt-get install linux-perf" >&2
	exit 1
fi
if [ ! -x "$BUILD/tests/bench_xdp" ]; then
	echo "profile-xdp: $BUILD/tests/bench_xdp missing; run make bench or make test first" >&2
	exit 1
fi
tmp=$(mktemp -d /tmp/ecmp-profile.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

BENCH_ONLY="$ROW" BENCH_LINES="$tmp/lines" \
BENCH_REPEAT=${PROFILE_REPEAT:-5000000} BENCH_ROUNDS=5 \
	perf record -q -o "$tmp/perf.data" -- "$BUILD/tests/bench_xdp" "$BUILD" \
	> "$tmp/bench.out"
# The floor rows always run; the profile is of the row asked for.
if ! grep -qF -- "$ROW" "$tmp/bench.out"; then
	echo "profile-xdp: no bench_xdp row matches '$ROW' (rows: $BUILD/tests/bench_xdp)" >&2
	exit 1
fi
grep -F -e "$ROW" -e "floor:" "$tmp/bench.out" | grep -v "^live: floor"
perf script -i "$tmp/perf.data" -F ip 2> /dev/null > "$tmp/samples"
echo
python3 scripts/profile-lines.py "$tmp/lines" "$tmp/samples" \
	"${PROFILE_TOP:-30}"
