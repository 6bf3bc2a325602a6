#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Prometheus scrapes at the nexthop limit: 1,024 nexthops (IPv6, on the
# router's four links) in 16 groups of 64, 16 routes. Each figure is the
# median and the worst of N scrapes (BENCH_SCRAPES, default 50; quick: 10):
#  - GET /metrics from the client over HTTP (ecmpd's `metrics listen`),
#    what a Prometheus server does, timed from the request to the body's
#    last byte by the client;
#  - `ecmpctl stats --format prometheus`, what node_exporter's textfile
#    timer runs (a process start included).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
. scripts/topo.sh
N=${BENCH_SCRAPES:-50}
[ "${BENCH_QUICK:-0}" = 1 ] && N=10
P=bm$$
CONF=/tmp/$P.conf
trap '[ -n "${BENCH_KEEP:-}" ] || topo_destroy "$P"' EXIT
trap 'exit 1' INT TERM

topo_create "$P" 4 >/dev/null || exit 1
{
	echo "seed 0x0123456789abcdef0123456789abcdef"
	echo "pin-root /sys/fs/bpf/$P"
	echo "interface r0 xdp native"
	echo "metrics listen 198.18.0.254:9469"
	for i in $(seq 0 1023); do
		printf 'nexthop n%d via 2001:db8:%d::%x dev r%d\n' "$i" $((i % 4 + 1)) $((0x100 + i)) $((i % 4 + 1))
	done
	for g in $(seq 0 15); do
		printf 'group g%d buckets 4096 nexthops' "$g"
		for k in $(seq 0 63); do printf ' n%d' $((g * 64 + k)); done
		echo
		printf 'route 2001:db8:1%02x::/48 group g%d\n' "$g" "$g"
	done
} > "$CONF"
topo_ecmpd "$P" "$CONF" >/dev/null || exit 1
sleep 1

# "median worst bytes" of N timed scrapes over HTTP, from the client.
http=$(nsx "$P-cl" python3 -c '
import sys, time, urllib.request
n = int(sys.argv[1])
times, size = [], 0
for _ in range(n):
    t = time.perf_counter()
    body = urllib.request.urlopen("http://198.18.0.254:9469/metrics").read()
    times.append((time.perf_counter() - t) * 1000)
    size = len(body)
times.sort()
print("%.1f %.1f %d %d" % (times[n // 2], times[-1], size, body.count(b"\n")))' "$N")
read -r http_med http_max bytes lines <<< "$http"

cli=$(for i in $(seq 1 "$N"); do
	a=$(date +%s%N)
	topo_ctl "$P" stats --format prometheus > /dev/null
	echo $(( ($(date +%s%N) - a) / 1000 ))
done | sort -n | awk '{ t[NR] = $1 } END { printf "%.1f %.1f", t[int(NR / 2) + 1] / 1000, t[NR] / 1000 }')
read -r cli_med cli_max <<< "$cli"

printf '\nPrometheus scrapes, 1,024 nexthops in 16 groups of 64 (%d scrapes each)\n' "$N"
printf '  exposition: %d lines, %d bytes\n' "$lines" "$bytes"
printf '  GET /metrics over HTTP (metrics listen)      median %6s ms, worst %6s ms\n' "$http_med" "$http_max"
printf '  ecmpctl stats --format prometheus (process)  median %6s ms, worst %6s ms\n' "$cli_med" "$cli_max"
