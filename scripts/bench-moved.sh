#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Flows moved when one of four nexthops fails and when it comes back:
# xdp-ecmp against the kernel's own ECMP in the same topology and run, its
# multipath route (hash-threshold) and its resilient nexthop group (the
# same 4,096 buckets, idle timer and unbalanced timer as ecmpd's group).
#
# Each variant gets a fresh scripts/topo.sh topology. NFLOWS UDP flows go
# from the client to 198.19.1.1, hashed on their ports everywhere
# (fib_multipath_hash_policy 1, ecmpd's `hash l4`); the sinks say which
# nexthop each flow reached. Then the router's link to nh3 goes down
# (admin down: each variant learns it at once, so no detection time is in
# play), and the same flows go again; then the link comes back (the
# resilient group gets its nh3 object back, as a routing daemon would
# give it), and once each variant has rebalanced they go once more.
# Each pass is sent twice and the second one counted, so that a neighbour
# being resolved meanwhile costs no flow that counts.
#
# Two loads: 4,000 flows leave most of the 4,096 buckets unused, so a
# resilient table can give the returning nexthop buckets no flow uses
# (idle buckets first) and move nothing; 40,000 use every bucket, so it
# must move the newcomer's share, and nothing else.
#
#   env: BENCH_QUICK=1 (1,000 flows), BENCH_MOVED_FLOWS (default
#        "4000 40000"), BENCH_MOVED_VARIANTS (default "ecmp-xdp kernel
#        kernel-res")
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
. scripts/topo.sh

if [ "$(id -u)" != 0 ]; then
	echo "bench-moved: needs root (namespaces, XDP)" >&2
	exit 1
fi
FLOWS=${BENCH_MOVED_FLOWS:-4000 40000}
[ "${BENCH_QUICK:-0}" = 1 ] && FLOWS=1000
VARIANTS=${BENCH_MOVED_VARIANTS:-ecmp-xdp kernel kernel-res}
P=bm$$
R=$P-rt
trap 'topo_destroy "$P"' EXIT
trap 'exit 1' INT TERM

KERNEL_RES="type resilient buckets 4096 idle_timer 1 unbalanced_timer 4"

fail_run() { # MESSAGE: this variant's row says why, the next one runs
	echo "bench-moved: $V: $*" >&2
	return 1
}

nh3_state() { topo_ctl "$P" nexthop show | grep -qE "^nh3 .*state $1"; }
link_up() { ip -n "$R" -o link show "$1" | grep -q "state UP"; }
route_alive() { ! ip -n "$R" route show 198.19.0.0/16 | grep -qE "dead|linkdown"; }
# The resilient group's buckets shared evenly by its four nexthops.
res_balanced() {
	[ "$(ip -n "$R" -j nexthop bucket show id 100 | python3 -c '
import collections, json, sys
c = collections.Counter(b["bucket"]["nhid"] for b in json.load(sys.stdin))
print(len(c), min(c.values()), max(c.values()))')" = "4 1024 1024" ]
}

setup() {
	topo_create "$P" 4 > /dev/null || return 1
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.fib_multipath_hash_policy=1 net.ipv4.conf.all.rp_filter=0
	case $V in
	ecmp-xdp)
		topo_config "$P" "/tmp/$P.conf"
		topo_ecmpd "$P" "/tmp/$P.conf" > /dev/null || return 1
		topo_wait_usable "$P" 8 ;;
	kernel)
		ip -n "$R" route add 198.19.0.0/16 nexthop via 198.18.1.2 dev r1 \
			nexthop via 198.18.2.2 dev r2 nexthop via 198.18.3.2 dev r3 \
			nexthop via 198.18.4.2 dev r4 ;;
	kernel-res)
		for i in 1 2 3 4; do
			ip -n "$R" nexthop add id "$i" via "198.18.$i.2" dev "r$i"
		done
		ip -n "$R" nexthop add id 100 group 1/2/3/4 $KERNEL_RES
		ip -n "$R" route add 198.19.0.0/16 nhid 100 ;;
	esac
}

nh3_down() {
	ip -n "$R" link set r3 down
	case $V in
	ecmp-xdp) wait_until 50 nh3_state down || fail_run "nh3 not down in 5 s" ;;
	esac
}

nh3_back() {
	ip -n "$R" link set r3 up
	wait_until 50 link_up r3 || { fail_run "r3 not up in 5 s"; return 1; }
	case $V in
	ecmp-xdp)
		wait_until 50 nh3_state up || { fail_run "nh3 not up in 5 s"; return 1; }
		topo_wait_balanced "$P" 2> /dev/null || fail_run "not balanced in 10 s" ;;
	kernel)
		wait_until 50 route_alive || fail_run "the route's nh3 not alive in 5 s" ;;
	kernel-res)
		# The link's going down removed the nexthop object (the
		# kernel's nexthop_flush_dev); a routing daemon adds it again.
		ip -n "$R" nexthop add id 3 via 198.18.3.2 dev r3
		ip -n "$R" nexthop replace id 100 group 1/2/3/4 $KERNEL_RES
		wait_until 100 res_balanced || fail_run "the group not balanced in 10 s" ;;
	esac
}

pass() { # FILE: "SPORT NEXTHOP" of every flow received, sorted
	topo_send "$P" 198.18.0.1 198.19.1.1 20000 "$N" > /dev/null
	sleep 0.3
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.1.1 20000 "$N" > /dev/null
	sleep 0.3
	topo_sinks "$P" | awk '$2 == 4 { print $3, $1 }' | sort > "$1"
}

# compare BEFORE AFTER: "moved to_nh3 from_nh3 others lost" of the flows
# sent in both passes (others: flows neither on nh3 before nor after that
# moved, the ones no failure or return needed to move).
compare() {
	join -a 1 "$1" "$2" | awk '
		NF == 2 { lost++; next }
		$2 != $3 { moved++; if ($3 == 3) to3++; else if ($2 == 3) from3++; else other++ }
		END { printf "%d %d %d %d %d\n", moved, to3, from3, other, lost }'
}

row() { # VARIANT DOWN BACK: one line of the table
	echo "$1 $2 $3" | awk -v n="$N" '{
		printf "%-11s %6d %6d (%4.1f %%) %6d %6d %5d   %6d (%4.1f %%) %6d %6d %5d\n", $1, n,
			$2, 100 * $2 / n, $4, $5, $6, $7, 100 * $7 / n, $8, $10, $11 }'
}

echo "Flows moved: UDP flows over 4 nexthops (4,096 buckets); nh3's link goes down, then comes back"
printf "%-18s %-32s   %-32s\n" "" "nh3 down:" "nh3 back, rebalanced:"
printf "%-11s %6s %15s %6s %6s %5s   %15s %6s %6s %5s\n" variant flows moved "nh3's" others \
	lost moved "to nh3" others lost
unmeasured=0
for N in $FLOWS; do
	for V in $VARIANTS; do
		if setup && pass "/tmp/$P.before" && nh3_down && pass "/tmp/$P.down" &&
		   nh3_back && pass "/tmp/$P.back"; then
			[ -s "/tmp/$P.before" ] || { echo "$V: no flow arrived" >&2; exit 1; }
			row "$V" "$(compare "/tmp/$P.before" "/tmp/$P.down")" \
				"$(compare "/tmp/$P.down" "/tmp/$P.back")"
		else
			printf "%-11s %6d (not measured: see above)\n" "$V" "$N"
			unmeasured=1
		fi
		topo_destroy "$P"
	done
done
echo "nh3's: the flows nh3 had, which must move; others: flows of the healthy"
echo "nexthops that moved, which need not (0 is the least: only nh3's share moves)"
exit $unmeasured
