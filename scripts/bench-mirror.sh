#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Routes mirrored from the kernel (`routes kernel`), in the namespace
# topology: a synthetic table (scripts/gen-table.py, N prefixes over the
# nexthop sets of r1..r4; BENCH_QUICK=1: 2,000, else 10,000, or
# BENCH_MIRROR_N) loaded with
# `ip -batch`, then
#  - initial mirror: ecmpd started, time until every prefix is in the data
#    path (ecmpctl stats: kernel routes mirrored), and ecmpd's RSS;
#  - one `ip route replace`: ecmpd's lag from the event to the data path
#    holding it, median of 20, each checked in the data path;
#  - churn: C replaces per second for 5 s (ip -batch in slices): the
#    largest lag, the table reads it took, the last change checked.
# ecmpd reads the whole table again after each burst of events (at most
# every 20 ms), so each figure grows with N: these rows measure that.
# Larger tables: BENCH_MIRROR_V6 (the IPv6 share in percent, default 20),
# BENCH_MIRROR_LIMITS (a `limits` line's words, e.g. "routes 1100000
# chunks 65536"), BENCH_MIRROR_INITIAL_ONLY=1 (the initial mirror, its
# memory and RSS only).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
. scripts/topo.sh
N=${BENCH_MIRROR_N:-10000}
C=1000
[ "${BENCH_QUICK:-0}" = 1 ] && N=2000 && C=200
P=bm$$
CONF=/tmp/$P.conf
trap 'cp "/tmp/$P.ecmpd.log" /tmp/ecmp-bench-mirror-last.log 2>/dev/null; topo_destroy "$P"; rm -f "/tmp/$P".*' EXIT
trap 'exit 1' INT TERM

topo_create "$P" 4 >/dev/null || exit 1
V6=${BENCH_MIRROR_V6:-20}
N6=$((N * V6 / 100))
N4=$((N - N6))
python3 scripts/gen-table.py 7 --v4 "$N4" --v6 "$N6" > "/tmp/$P.batch"
ip -n "$P-rt" -batch "/tmp/$P.batch" || exit 1
topo_config "$P" "$CONF"
echo "routes kernel protocol bgp" >> "$CONF"
[ -n "${BENCH_MIRROR_LIMITS:-}" ] && echo "limits $BENCH_MIRROR_LIMITS" >> "$CONF"

ms() { date +%s%3N; }
mirrored() { # in the data path, or "0 ERROR"
	topo_ctl "$P" -j stats 2>/dev/null | python3 -c '
import json, sys
try:
    k = json.load(sys.stdin)["kernel_routes"]
    print(k["mirrored"] if k["in_data_path"] == "yes" else "0 " + k.get("error", ""))
except Exception: print(0)'
}
t0=$(ms)
topo_ecmpd "$P" "$CONF" >/dev/null || exit 1
for _ in $(seq 1 $((600 + N / 100))); do	# 30 s, more for big tables
	got=$(mirrored)
	[ "${got%% *}" -ge "$N" ] && break
	[ "${got%% *}" = 0 ] && [ "${#got}" -gt 2 ] && break	# refused
	sleep 0.05
done
t1=$(ms)
if [ "${got%% *}" = 0 ]; then
	printf '\nRoutes from the kernel (routes kernel; %d prefixes in the kernel): not mirrored:\n  %s\n' \
		"$N" "${got#0 }"
	exit 0
fi
pid=$(pgrep -f -- "--socket /tmp/$P.sock" | head -1)
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
maps=$(topo_ctl "$P" -j stats | python3 -c '
import json, sys
m = json.load(sys.stdin)["memory"]["maps"]
print("%d MiB (trie %d MiB)" % (sum(m.values()) >> 20, (m["ecmp_lpm_node"] + m["ecmp_lpm_root"]) >> 20))')
if [ "${BENCH_MIRROR_INITIAL_ONLY:-0}" = 1 ]; then
	printf '\nRoutes from the kernel (routes kernel; %d prefixes in the kernel, %d IPv4 + %d IPv6%s)\n' \
		"$N" "$N4" "$N6" "${BENCH_MIRROR_LIMITS:+; limits $BENCH_MIRROR_LIMITS}"
	printf '  initial mirror, start to every prefix in the data path  %6d ms (%s mirrored)\n' $((t1 - t0)) "$got"
	printf '  ecmpd RSS with the table %d KiB; map memory %s\n' "$rss" "$maps"
	exit 0
fi

kr() { # FIELD of ecmpctl stats' kernel_routes
	topo_ctl "$P" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["kernel_routes"][sys.argv[1]])' "$1"
}
# One replace: a prefix of the table goes to r1 alone, then to r2 alone,
# 20 times; ecmpd's lag from the event to the data path holding it (its
# own clock: polling from here would measure ecmpctl), and a check that
# the data path did change.
prefix=$(sed -n 1p "/tmp/$P.batch" | awk '{ print $3 }')
lat="" wrong=0
for i in $(seq 1 20); do
	dev=r$((1 + i % 2))
	ip -n "$P-rt" route replace "$prefix" proto bgp via "198.18.${dev#r}.2" dev "$dev"
	sleep 0.1
	lat="$lat $(kr last_lag_us)"
	g=$(topo_ctl "$P" route show "$prefix" | awk -v p="$prefix" '$1 == p { print $3 }')
	topo_ctl "$P" group show "$g" | grep -q "^    198.18.${dev#r}.2@$dev " || wrong=$((wrong + 1))
done
median=$(echo $lat | tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
apply=$(kr last_read_apply_us)

# Churn: C replaces a second for 5 s, over the first C IPv4 prefixes.
grep -v ":" "/tmp/$P.batch" | head -n "$C" | awk '{ print $3 }' > "/tmp/$P.churn"
reads0=$(kr reads)
for s in 1 2 3 4 5; do
	a=$(ms)
	awk -v s="$s" '{ n = 1 + (s + NR) % 4; printf "route replace %s proto bgp via 198.18.%d.2 dev r%d\n", $1, n, n }' \
		"/tmp/$P.churn" > "/tmp/$P.slice"
	ip -n "$P-rt" -batch "/tmp/$P.slice"
	left=$((1000 - ($(ms) - a)))
	[ "$left" -gt 0 ] && sleep "0.$(printf '%03d' "$left")"
done
sleep 0.3
maxlag=$(kr max_lag_us)
reads=$(( $(kr reads) - reads0 ))
# The last change of the churn is in the data path.
last=$(tail -1 "/tmp/$P.slice")
prefix=$(echo "$last" | awk '{ print $3 }')
dev=$(echo "$last" | awk '{ print $9 }')
g=$(topo_ctl "$P" route show "$prefix" | awk -v p="$prefix" '$1 == p { print $3 }')
topo_ctl "$P" group show "$g" | grep -q "@$dev " && final=yes || final=no

printf '\nRoutes from the kernel (routes kernel; %d prefixes in the kernel, %d IPv4 + %d IPv6%s)\n' \
	"$N" "$N4" "$N6" "${BENCH_MIRROR_LIMITS:+; limits $BENCH_MIRROR_LIMITS}"
printf '  initial mirror, start to every prefix in the data path  %6d ms (%s mirrored)\n' $((t1 - t0)) "$got"
printf '  ecmpd RSS with the table                                %6d KiB; map memory %s\n' "$rss" "$maps"
printf '  one ip route replace: event to data path (ecmpd), median of 20  %s us (%d of 20 wrong)\n' \
	"${median:-?}" "$wrong"
printf '  one read of the table and apply                          %6s us\n' "$apply"
printf '  churn %d replaces/s for 5 s: max lag %s us, %d table reads, last change in the data path: %s\n' \
	"$C" "$maxlag" "$reads" "$final"
