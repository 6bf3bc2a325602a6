#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Control-plane figures with the real daemon in the namespace topology:
#  - start-up with G groups of 4096 buckets over the same 4 nexthops and R
#    routes (G/R: 1024/100000, BENCH_QUICK=1: 50/1000), and its RSS;
#  - failover: nh3's link goes down; time from the first to the last group
#    rewritten (ecmpd's log), buckets moved, and the time ecmpd then takes
#    to rebuild its bucket index;
#  - recovery: the link comes back; the same;
#  - one Prometheus scrape (ecmpctl stats --format prometheus).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
. scripts/topo.sh
G=1024
R=100000
[ "${BENCH_QUICK:-0}" = 1 ] && G=50 && R=1000
P=bc$$
CONF=/tmp/$P.conf
trap 'topo_destroy "$P"' EXIT
trap 'exit 1' INT TERM

topo_create "$P" 4 >/dev/null || exit 1
{
	echo "seed 0x0123456789abcdef0123456789abcdef"
	echo "pin-root /sys/fs/bpf/$P"
	echo "interface r0 xdp native"
	for i in 1 2 3 4; do echo "nexthop nh$i via 198.18.$i.2 dev r$i"; done
	for g in $(seq 1 "$G"); do
		echo "group g$g buckets 4096 idle_timer 0 unbalanced_timer 0 nexthops nh1 nh2 nh3 nh4"
	done
	# Routes: /24s spread over 198.19.0.0/16 and beyond, one group each in turn.
	awk -v r="$R" -v g="$G" 'BEGIN { for (i = 0; i < r; i++)
		printf "route %d.%d.%d.0/24 group g%d\n", 100 + int(i / 65536), int(i / 256) % 256, i % 256, 1 + i % g }'
	# A prefix for the router's own addresses inside a route (below).
	echo "route 198.18.160.0/20 group g1"
} > "$CONF"

ms() { date +%s%3N; }
t0=$(ms)
topo_ecmpd "$P" "$CONF" >/dev/null || exit 1
t1=$(ms)
topo_wait_usable "$P" 4 >/dev/null
for i in $(seq 1 600); do	# every group filled
	[ "$(topo_ctl "$P" group show | grep -c 'buckets 1024')" = $((4 * G)) ] && break
	sleep 0.1
done
t2=$(ms)
pid=$(pgrep -f -- "--socket /tmp/$P.sock" | head -1)
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")

span() { # FROM-LINE out|back: "ms buckets groups [index-ms]" from ecmpd's summary line
	tail -n +"$1" "/tmp/$P.ecmpd.log" |
		sed -n "s/.*nexthop nh3 $2: \([0-9]*\) groups, \([0-9]*\) buckets moved in \([0-9.]*\) ms\(.*rebuilt in \([0-9.]*\) ms\)\{0,1\}.*/\3 \2 \1 \5/p" |
		head -1
}

span_wait() { # FROM-LINE out|back: span's answer once ecmpd has logged it (10 s at most)
	local i out=""
	for i in $(seq 1 100); do
		out=$(span "$@")
		[ -n "$out" ] && break
		sleep 0.1
	done
	echo "$out"
}

sleep 1
before=$(wc -l < "/tmp/$P.ecmpd.log")
ip -n "$P-n3" link set n0 down
read -r down_ms down_moved down_groups down_index <<< "$(span_wait $((before + 1)) out)"
before=$(wc -l < "/tmp/$P.ecmpd.log")
ip -n "$P-n3" link set n0 up
read -r up_ms up_moved up_groups <<< "$(span_wait $((before + 1)) back)"

# The router's own addresses coming and going by the thousand (a node's
# services with kube-proxy's IPVS), outside every route, then inside one
# (as under a default route): ecmpd's CPU time for all of them, each taken
# as its event comes (once settled: no CPU used for a second).
A=1000
settled_cpu() { topo_settled_cpu "$pid"; }
addresses() { # add|del FIRST-THIRD-BYTE
	local i
	for i in $(seq 0 $((A - 1))); do
		echo "addr $1 198.18.$(($2 + i / 256)).$((i % 256))/32 dev lo"
	done | ip -n "$P-rt" -batch -
}
c0=$(settled_cpu)
addresses add 128
c1=$(settled_cpu)
addresses del 128
c2=$(settled_cpu)
addresses add 160
c3=$(settled_cpu)
addresses del 160
c4=$(settled_cpu)

# A Prometheus scrape of everything (ecmpctl stats --format prometheus,
# as node_exporter's textfile timer runs it): the median of 5.
scrape=$(for i in 1 2 3 4 5; do
	a=$(date +%s%N)
	topo_ctl "$P" stats --format prometheus > /dev/null
	echo $(( ($(date +%s%N) - a) / 1000000 ))
done | sort -n | sed -n 3p)

printf '\nControl plane (ecmpd, %d groups x 4096 buckets over 4 nexthops, %d routes)\n' "$G" "$R"
printf '  start-up to socket ready        %6d ms\n' $((t1 - t0))
printf '  start-up to every group filled  %6d ms\n' $((t2 - t0))
printf '  RSS after start-up              %6d KiB\n' "$rss"
printf '  prometheus scrape (all metrics) %6d ms\n' "$scrape"
printf '  %d own addresses outside every route: added in %d ms of ecmpd CPU, removed in %d ms\n' \
	"$A" $((c1 - c0)) $((c2 - c1))
printf '  %d own addresses inside a route:   added in %d ms of ecmpd CPU, removed in %d ms\n' \
	"$A" $((c3 - c2)) $((c4 - c3))
printf '  nexthop down: %d groups rewritten in %s ms (ecmpd, first to last group), %d buckets moved\n' \
	"$down_groups" "$down_ms" "$down_moved"
printf '                then the bucket index rebuilt in %s ms (bookkeeping after the tables are final)\n' \
	"${down_index:-?}"
printf '  nexthop back: %d groups rewritten in %s ms (ecmpd, first to last group), %d buckets moved\n' \
	"$up_groups" "$up_ms" "$up_moved"
