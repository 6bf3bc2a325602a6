#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Routes from zebra's FPM stream (`routes fpm`), in the namespace
# topology: the synthetic table of bench-mirror.sh (scripts/gen-table.py,
# N prefixes over the nexthop sets of r1..r4; BENCH_QUICK=1: 2,000, else
# 10,000, or BENCH_FPM_N) streamed to ecmpd's FPM listener by routechurn
# as zebra would, with nothing in the kernel's table. Each routechurn run
# connects as zebra does after a restart and sends the whole table (a
# replay over the routes held), then:
#  - the first run: time until the table is in the data path;
#  - one change at a time (1,000): from the frame sent to the data path's
#    trie holding it, median, p99, max;
#  - one change at a time to a nexthop set the table lacks (50);
#  - churn: BENCH_FPM_RATE (10,000) changes a second for BENCH_FPM_SECS
#    (10) s over up to 10,000 /24s, and how many other prefixes changed,
#    and how many frames to them through the XDP program were handled
#    otherwise than before (none should, of either);
#  - ecmpd's counts: changes applied alone (patches), whole merges.
# Larger tables: BENCH_FPM_V6 (the IPv6 share in percent, default 20),
# BENCH_FPM_LIMITS (a `limits` line's words); fewer changes: BENCH_FPM_LAT,
# BENCH_FPM_NEWSETS.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
. scripts/topo.sh
N=${BENCH_FPM_N:-10000}
LAT=${BENCH_FPM_LAT:-1000} NEWSETS=${BENCH_FPM_NEWSETS:-50}
RATE=${BENCH_FPM_RATE:-10000} SECS=${BENCH_FPM_SECS:-10}
[ "${BENCH_QUICK:-0}" = 1 ] && N=2000 LAT=100 NEWSETS=5 SECS=1
PORT=2621
# ecmpd's sweep (1 s) and quiet time (2 s) after each run's replay: the
# changes after it are patches.
SETTLE_MS=3500
P=bf$$
CONF=/tmp/$P.conf
trap 'cp "/tmp/$P.ecmpd.log" /tmp/ecmp-bench-fpm-last.log 2>/dev/null; topo_destroy "$P"; rm -f "/tmp/$P".*' EXIT
trap 'exit 1' INT TERM

topo_create "$P" 4 >/dev/null || exit 1
topo_table "$P" "$N" "${BENCH_FPM_V6:-20}"
topo_config "$P" "$CONF"
echo "routes fpm listen 127.0.0.1:$PORT hold 120 sweep 1" >> "$CONF"
[ -n "${BENCH_FPM_LIMITS:-}" ] && echo "limits $BENCH_FPM_LIMITS" >> "$CONF"
topo_ecmpd "$P" "$CONF" >/dev/null || exit 1

fs() { # FIELD of ecmpctl stats' fpm_routes
	topo_ctl "$P" -j stats | python3 -c '
import json, sys
print(json.load(sys.stdin).get("fpm_routes", {}).get(sys.argv[1], ""))' "$1"
}
feed() { # MODE ARGS...: one routechurn run over the FPM stream
	nsx "$P-rt" "$BUILD/tests/routechurn" "/sys/fs/bpf/$P" fpm "$PORT" "/tmp/$P.batch" \
		"$SETTLE_MS" "$@" 198.18.1.2@r1 198.18.2.2@r2
}
grep -v ":" "/tmp/$P.batch" | awk '$3 ~ /\/24$/ { print $3 }' > "/tmp/$P.p24"
a=$(sed -n 1p "/tmp/$P.p24") b=$(sed -n 2p "/tmp/$P.p24")
half=$(( $(wc -l < "/tmp/$P.p24") / 2 ))
[ "$half" -gt 10000 ] && half=10000
sed -n "1,$((2 * half))p" "/tmp/$P.p24" > "/tmp/$P.churn"

one=$(feed latency "$LAT" "$a" "$b")
m0=$(fs whole_merges) p0=$(fs patches)
fresh=$(feed newsets "$NEWSETS" "$a")
many=$(feed churn "$RATE" "$SECS" "/tmp/$P.churn" "$half")
if ! grep -q "not handled as before" <<< "$many"; then
	echo "bench-fpm: the churn row was not measured (routechurn's message above)" >&2
	exit 1
fi
pid=$(pgrep -f -- "--socket /tmp/$P.sock" | head -1)
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")

printf '\nRoutes from zebra'\''s FPM stream (routes fpm; %d prefixes, %d IPv4 + %d IPv6%s; nothing in the kernel)\n' \
	"$N" "$N4" "$N6" "${BENCH_FPM_LIMITS:+; limits $BENCH_FPM_LIMITS}"
printf '  ecmpd RSS with the table %d KiB (peak %d KiB); fpm routes %s, mirrored %s\n' "$rss" "$hwm" \
	"$(fs routes)" "$(fs mirrored)"
echo "$one" | sed 's/^/  /'
echo "$fresh" | grep -v "^fpm:" | sed 's/^/  /'
echo "$many" | grep -v "^fpm:" | sed 's/^/  /'
printf '  ecmpd, after the first run: %d changes applied alone (patches), %d whole merges (a replay each run)\n' \
	$(( $(fs patches) - p0 )) $(( $(fs whole_merges) - m0 ))
