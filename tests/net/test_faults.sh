#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Faults with traffic running and per-flow accounting (the sinks count
# every flow; probe frames carry their send time):
#   - a link flap storm on one nexthop
#   - every nexthop of a group down
#   - the neighbour table flushed
#   - the pins removed under a running ecmpd
# (SIGKILL and restart: test_ecmpd.sh and test_bfd.sh; reloads under BFD:
# test_bfd.sh.)

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=ef$$
CONF=/tmp/$P.conf
. tests/net/lib.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-faults-last.log 2>/dev/null
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

setup() {
	topo_create "$P" 4 || return 1
	TOPO_UNBALANCED=30 topo_config "$P" "$CONF"
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8
}

# traffic BASE ROUNDS: 200 flows at 20,000 frames/s in the background,
# once the groups have settled (nothing else may move the flows).
traffic() {
	local i
	for i in $(seq 1 100); do
		[ "$(topo_ctl "$P" group show web | awk '/weight/ { printf "%s ", $5 }')" = "1024 1024 1024 1024 " ] && break
		sleep 0.1
	done
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.9.9 "$1" 200 "$2" 20000 > "/tmp/$P.sent" &
	GEN=$!
}

# account ROUNDS SINK: "flows moved-or-lost-elsewhere" - flows that never
# touched SINK must be at one sink with every frame.
account() {
	topo_sinks "$P" | awk -v r="$1" -v s="$2" '$2 == 4 {
			n[$3]++; c[$3] += $4; if ($1 == s) hit[$3] = 1 }
		END { bad = 0; for (p in n) if (!hit[p] && (n[p] != 1 || c[p] != r)) bad++
		      print length(n), bad }'
}

# mispredicted BASE: how many of 200 flows from BASE are not where
# `ecmpctl lookup` says (one frame each).
mispredicted() {
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.9.9 "$1" 200 >/dev/null
	sleep 0.3
	diff <(predict 198.18.0.1 198.19.9.9 udp "$1" 200 5001) <(observe 4) | grep -c '^>'
}

test_flap_storm() {
	local i res
	traffic 50000 300	# 3 s per 100 rounds: 9 s of traffic
	sleep 0.3
	for i in $(seq 1 100); do
		ip -n "$P-n3" link set n0 down
		sleep 0.03
		ip -n "$P-n3" link set n0 up
		sleep 0.03
	done
	wait $GEN
	sleep 0.3
	res=$(account 300 3)
	set -- $res
	kill -0 "$(pgrep -f -- "--socket /tmp/$P.sock" | head -1)" 2>/dev/null
	local alive=$?
	wait_state nh3 up
	local up=$?
	[ "$1" = 200 ] && [ "$2" = 0 ] && [ $alive = 0 ] && [ $up = 0 ]
	result "100 link flaps of nh3 in ~8 s: only nh3's flows move, others lose 0" $? \
		"$1 flows, $2 of the others moved or lost, ecmpd alive $alive, nh3 up $up"
	result "after the storm: all 200 flows where ecmpctl lookup says" "$(mispredicted 50000)"
}

test_all_down() {
	local i before after got
	before=$(topo_ctl "$P" -j stats | sed -n 's/.*"no_nexthop":{"packets":\([0-9]*\).*/\1/p')
	for i in 1 2 3 4; do ip -n "$P-n$i" link set n0 down; done
	for i in 1 2 3 4; do wait_state "nh$i" down || break; done
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.9.9 52000 100 >/dev/null
	sleep 0.3
	got=$(topo_sinks "$P" | awk '{ s += $4 } END { print s + 0 }')
	after=$(topo_ctl "$P" -j stats | sed -n 's/.*"no_nexthop":{"packets":\([0-9]*\).*/\1/p')
	for i in 1 2 3 4; do ip -n "$P-n$i" link set n0 up; done
	[ "$got" = 0 ] && [ $((after - before)) = 100 ]
	result "all nexthops down: 100 frames passed to the kernel (no_nexthop), 0 sent" $? \
		"sinks got $got, no_nexthop $before -> $after"
	topo_wait_usable "$P" 8
}

test_neigh_flush() {
	local res
	traffic 54000 200
	sleep 0.5
	ip -n "$P-rt" neigh flush all
	wait $GEN
	sleep 0.3
	res=$(account 200 0)
	set -- $res
	[ "$1" = 200 ] && [ "$2" = 0 ] && topo_wait_usable "$P" 8
	result "neighbour table flushed under traffic: 0 flows moved, 0 lost" $? \
		"$1 flows, $2 moved or lost; $(topo_ctl "$P" nexthop show | grep -vc 'state up') not up"
}

test_pins_removed() {
	local out
	# ecmpd is held stopped while ecmpctl looks: it re-pins within a
	# second, which a slow ecmpctl (a sanitized build) could otherwise see.
	pkill -STOP -f -- "--socket /tmp/$P.sock"
	rm -rf "/sys/fs/bpf/$P"
	out=$(topo_ctl "$P" nexthop show 2>&1)
	pkill -CONT -f -- "--socket /tmp/$P.sock"
	echo "$out" | grep -q "No xdp-ecmp maps under /sys/fs/bpf/$P"
	result "pins removed: ecmpctl says where it looked and what to do" $? "$out"
	sleep 1.5
	topo_ctl "$P" nexthop show | grep -q "^nh1 .*state up" &&
		grep -q "were removed while ecmpd ran; pinned them again" "/tmp/$P.ecmpd.log"
	result "pins removed: ecmpd pins its maps again within a second" $?
	result "pins removed and restored: forwarding as ecmpctl lookup says" "$(mispredicted 56000)"
}

if ! setup; then
	result "topology and ecmpd start" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
want() { [ -z "${ECMP_NET_TESTS:-}" ] || [[ " $ECMP_NET_TESTS " == *" $1 "* ]]; }
want storm && test_flap_storm
want alldown && test_all_down
want flush && test_neigh_flush
want pins && test_pins_removed
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
