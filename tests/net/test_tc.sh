#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# End-to-end tests of the TC programs in namespaces.
#
#   client (c0) ----- (r0) router (r1..r4) ----- (n0) nh1..nh4
#                      | tc egress on r1..r4     198.19.0.0/16 local, echo
#                      | sockets of its own      server on :9000, netsink
#
# The router's own traffic to 198.19.0.0/16 is routed by its kernel via nh1
# (r1); the tc egress program re-targets each flow to the nexthop the hash
# picks. Checksum offload is off on r1..r4, so the nexthops verify every
# checksum in software: a TCP connection only completes if they are right.
# Then r0 forwards with tc ingress instead of XDP, flow for flow the same.

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=tc$$
CONF=/tmp/$P.conf
SERVERS=""
. tests/net/lib.sh

cleanup() {
	[ -n "$SERVERS" ] && kill $SERVERS 2>/dev/null
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-tc-last.log 2>/dev/null
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

setup() {
	local i
	topo_create "$P" 4 || return 1
	# Replies from the nexthops to the client are forwarded by the kernel.
	ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	# The kernel's own route for the router's traffic: all via nh1.
	ip -n "$P-rt" route add 198.19.0.0/16 via 198.18.1.2
	for i in 1 2 3 4; do
		ip netns exec "$P-rt" ethtool -K "r$i" tx off >/dev/null
		ip -n "$P-n$i" route add local 198.19.0.0/16 dev lo
		ip -n "$P-n$i" route add default via "198.18.$i.1"
		# nsenter itself (not the nsx function, a subshell) so that $!
		# is the server; and no stdio of ours, or the runner would wait.
		nsenter --net="/run/netns/$P-n$i" "$BUILD/tests/sockgen" serve 9000 \
			</dev/null >/dev/null 2>&1 &
		SERVERS="$SERVERS $!"
	done
	topo_config "$P" "$CONF"
	for i in 1 2 3 4; do
		echo "interface r$i tc egress" >> "$CONF"
	done
	topo_ecmpd "$P" "$CONF" || return 1
	topo_wait_usable "$P" 8
}

# Locally originated UDP: every flow where ecmpctl lookup says.
test_egress_udp() {
	local name="tc egress: 1000 local UDP flows as predicted"
	topo_clear_sinks "$P"
	nsx "$P-rt" "$BUILD/tests/sockgen" udp 198.19.8.8 5001 30000 1000 >/dev/null
	sleep 0.3
	observe 4 | awk '$1 >= 30000 && $1 < 31000' > "/tmp/$P.obs"
	predict 198.18.1.1 198.19.8.8 udp 30000 1000 5001 > "/tmp/$P.pred"
	local n diff spread
	n=$(wc -l < "/tmp/$P.obs")
	diff=$(diff "/tmp/$P.pred" "/tmp/$P.obs" | grep -c '^>')
	spread=$(awk '{ c[$2]++ } END { printf "%d/%d/%d/%d", c[1], c[2], c[3], c[4] }' "/tmp/$P.obs")
	result "$name" $([ "$n" = 1000 ] && [ "$diff" = 0 ] && echo 0 || echo 1) \
		"$n flows seen, $diff mispredicted"
	echo "  spread over nh1..nh4: $spread (the kernel alone sends all to nh1)"
	cp "/tmp/$P.obs" "/tmp/$P.udp-before"
}

# Locally originated TCP: connections complete (checksums right after the
# re-target) and land where predicted.
test_egress_tcp() {
	local name="tc egress: 50 TCP connections complete, as predicted"
	local out n diff
	topo_clear_sinks "$P"
	out=$(nsx "$P-rt" "$BUILD/tests/sockgen" tcp 198.19.8.8 9000 32000 50)
	sleep 0.2
	observe 4 | awk '$1 >= 32000 && $1 < 32050' > "/tmp/$P.obs"
	predict 198.18.1.1 198.19.8.8 tcp 32000 50 9000 > "/tmp/$P.pred"
	n=$(awk '$2 != "multi"' "/tmp/$P.obs" | wc -l)
	diff=$(diff "/tmp/$P.pred" "/tmp/$P.obs" | grep -c '^>')
	result "$name" $([ "$out" = "ok 50 failed 0" ] && [ "$n" = 50 ] && [ "$diff" = 0 ] &&
		echo 0 || echo 1) "sockgen: $out; $n flows on one nexthop each, $diff mispredicted"
}

# A nexthop fails: only its local flows move.
test_egress_failover() {
	local name="tc egress: nh3 down, only its local flows move"
	ip -n "$P-n3" link set n0 down
	wait_state nh3 down
	topo_clear_sinks "$P"
	nsx "$P-rt" "$BUILD/tests/sockgen" udp 198.19.8.8 5001 30000 1000 >/dev/null
	sleep 0.3
	observe 4 | awk '$1 >= 30000 && $1 < 31000' > "/tmp/$P.obs"
	local r
	r=$(awk 'NR == FNR { b[$1] = $2; next }
		{ n++; if (b[$1] == 3) { if ($2 != 3) moved++ } else if (b[$1] != $2) wrong++ }
		END { printf "%d %d %d", n, moved, wrong }' "/tmp/$P.udp-before" "/tmp/$P.obs")
	local n moved wrong had3
	read -r n moved wrong <<< "$r"
	had3=$(awk '$2 == 3' "/tmp/$P.udp-before" | wc -l)
	result "$name" $([ "$n" = 1000 ] && [ "$moved" = "$had3" ] && [ "$had3" -gt 0 ] &&
		[ "$wrong" = 0 ] && echo 0 || echo 1) "flows $n, moved $moved of nh3's $had3, others moved $wrong"
	ip -n "$P-n3" link set n0 up
	# The link going down took nh3's default route (its way back) along.
	ip -n "$P-n3" route replace default via 198.18.3.1
	wait_state nh3 up
}

# r0 forwards with tc ingress instead of XDP: the same flows, the same
# nexthops.
test_ingress_like_xdp() {
	local name="tc ingress forwards 2000 flows exactly like XDP"
	local i
	for i in $(seq 1 100); do	# nh3 back in, balance restored
		topo_ctl "$P" group show web | grep -q "nh3 weight 1 buckets 1024" && break
		sleep 0.1
	done
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.1.1 20000 2000 >/dev/null
	sleep 0.3
	observe 4 | awk '$1 >= 20000 && $1 < 22000' > "/tmp/$P.xdp"
	sed -i 's/^interface r0 xdp native/interface r0 tc ingress/' "$CONF"
	topo_ctl "$P" reload >/dev/null || { result "$name" 1 "reload failed"; return; }
	local hooks
	hooks=$(topo_ctl "$P" interface show | grep "^r0 ")
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.1.1 20000 2000 >/dev/null
	sleep 0.3
	observe 4 | awk '$1 >= 20000 && $1 < 22000' > "/tmp/$P.tc"
	predict 198.18.0.1 198.19.1.1 udp 20000 2000 5001 > "/tmp/$P.pred"
	local n d1 d2
	n=$(wc -l < "/tmp/$P.tc")
	d1=$(diff "/tmp/$P.xdp" "/tmp/$P.tc" | grep -c '^>')
	d2=$(diff "/tmp/$P.pred" "/tmp/$P.tc" | grep -c '^>')
	result "$name" $([ "$n" = 2000 ] && [ "$d1" = 0 ] && [ "$d2" = 0 ] &&
		echo "$hooks" | grep -q "tc ingress" && ! echo "$hooks" | grep -q xdp &&
		echo 0 || echo 1) "$n flows, $d1 differ from XDP, $d2 from lookup; r0: $hooks"
}

# TCP from a veth sender with checksum offload (a pod, say): its frames
# carry only the pseudo-header sum, and no hardware finishes them after an
# XDP redirect. XDP alone on r0 (no tc ingress) finishes them itself; the
# nexthops, with offload off, verify every segment, so a wrong checksum
# would stall the connections.
test_tcp_checksum_offload() {
	local name="client TCP through XDP alone, offload on and off: 2 x 50 connections complete"
	local on off passed fwd0 fwd1
	sed -i 's/^interface r0 .*/interface r0 xdp native/; /^interface r0 tc ingress/d' "$CONF"
	topo_ctl "$P" reload >/dev/null || { result "$name" 1 "reload failed"; return; }
	ip netns exec "$P-cl" ethtool -K c0 tx on >/dev/null
	fwd0=$(topo_ctl "$P" -j stats | sed -n 's/.*"forwarded":{"packets":\([0-9]*\).*/\1/p')
	on=$(nsx "$P-cl" "$BUILD/tests/sockgen" tcp 198.19.8.8 9000 33000 50)
	fwd1=$(topo_ctl "$P" -j stats | sed -n 's/.*"forwarded":{"packets":\([0-9]*\).*/\1/p')
	ip netns exec "$P-cl" ethtool -K c0 tx off >/dev/null
	off=$(nsx "$P-cl" "$BUILD/tests/sockgen" tcp 198.19.8.8 9000 34000 50)
	ip netns exec "$P-cl" ethtool -K c0 tx on >/dev/null
	passed=$(topo_ctl "$P" -j stats | sed -n 's/.*"csum_partial":{"packets":\([0-9]*\).*/\1/p')
	echo "interface r0 tc ingress" >> "$CONF"	# both hooks again
	topo_ctl "$P" reload >/dev/null
	result "$name" $([ "$on" = "ok 50 failed 0" ] && [ "$off" = "ok 50 failed 0" ] &&
		[ "${passed:-x}" = 0 ] && [ $((fwd1 - fwd0)) -ge 200 ] && echo 0 || echo 1) \
		"offload on: $on, off: $off; XDP forwarded $((fwd1 - fwd0)) frames with offload on, passed ${passed:-?} as partial"
}

# Every hook listed, each with the tag of the program the kernel has there.
test_interface_show() {
	local out shown
	out=$(topo_ctl "$P" interface show)
	shown=$(echo "$out" | awk '{ print $1 ":" ($2 == "xdp" ? "xdp" : $3), $NF }' | sort)
	result "ecmpctl interface show lists every hook, with its program's tag" \
		$([ "$(echo "$out" | grep -c "tc egress prog_id")" = 4 ] &&
		  echo "$out" | grep -q "^r0 tc ingress" &&
		  echo "$out" | grep -q "^r0 xdp native" &&
		  [ "$shown" = "$(hook_tags | sort)" ] && echo 0 || echo 1) \
		"$out; the kernel says: $(hook_tags | tr '\n' ' ')"
}

# The program tags on every hook of ours, as "hook tag" lines.
hook_tags() {
	local i
	for i in r0:ingress r1:egress r2:egress r3:egress r4:egress; do
		ip netns exec "$P-rt" tc filter show dev "${i%:*}" "${i#*:}" |
			sed -n "s/.* tag \([0-9a-f]*\).*/$i \1/p"
	done
	nsx "$P-rt" xdp-loader status r0 |
		awk '/ecmp_xdp/ { for (i = 1; i <= NF; i++)
			if (length($i) == 16 && $i ~ /^[0-9a-f]+$/) print "r0:xdp", $i }'
}

# restart_with OBJ: a plain shutdown (hooks stay), then a start with OBJ.
restart_with() {
	topo_stop_ecmpd "$P"
	topo_ecmpd "$P" "$CONF" --bpf-obj "$1" && topo_wait_usable "$P" 8
}

# An upgrade: ecmpd started with another build replaces the program on
# every hook in place (tc ingress and egress, and XDP), local flows still
# go where lookup says, and TCP still completes; then back again.
test_upgrade() {
	local name="upgrade: another build replaces all 6 hooks, flows as predicted"
	local before other back n diff out replaced
	before=$(hook_tags)
	restart_with "$BUILD/tests/other-build/ecmp_xdp.bpf.o" ||
		{ result "$name" 1 "restart with the other build failed"; return; }
	other=$(hook_tags)
	replaced=$(grep -c "of another build (tag [0-9a-f]*) replaced" "/tmp/$P.ecmpd.log")
	topo_clear_sinks "$P"
	nsx "$P-rt" "$BUILD/tests/sockgen" udp 198.19.8.8 5001 30000 1000 >/dev/null
	out=$(nsx "$P-rt" "$BUILD/tests/sockgen" tcp 198.19.8.8 9000 35000 50)
	sleep 0.3
	observe 4 | awk '$1 >= 30000 && $1 < 31000' > "/tmp/$P.obs"
	predict 198.18.1.1 198.19.8.8 udp 30000 1000 5001 > "/tmp/$P.pred"
	n=$(wc -l < "/tmp/$P.obs")
	diff=$(diff "/tmp/$P.pred" "/tmp/$P.obs" | grep -c '^>')
	restart_with "$BUILD/ecmp_xdp.bpf.o" ||
		{ result "$name" 1 "restart with this build failed"; return; }
	back=$(hook_tags)
	# Every hook's tag changed, and coming back restored each one.
	local changed
	changed=$(join <(echo "$before" | sort) <(echo "$other" | sort) | awk '$2 != $3' | wc -l)
	result "$name" $([ "$(echo "$before" | wc -l)" = 6 ] && [ "$changed" = 6 ] &&
		[ "$back" = "$before" ] && [ "$replaced" = 6 ] && [ "$n" = 1000 ] &&
		[ "$diff" = 0 ] && [ "$out" = "ok 50 failed 0" ] && echo 0 || echo 1) \
		"hooks $(echo "$before" | wc -l), tags changed $changed, replaced lines $replaced, back the same: $([ "$back" = "$before" ] && echo yes || echo no); UDP $n flows, $diff mispredicted; TCP: $out"
}

test_detach_removes_hooks() {
	local name="--detach removes tc filters and the clsact qdiscs it made"
	topo_ctl "$P" shutdown --detach >/dev/null	# back once ecmpd is gone
	local left
	left=$(ip netns exec "$P-rt" tc qdisc show | grep -c clsact)
	result "$name" $([ "$left" = 0 ] && echo 0 || echo 1) "$left clsact qdiscs left"
}

if ! setup; then
	result "topology and ecmpd with tc egress" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
result "topology and ecmpd with tc egress" 0
test_egress_udp
test_egress_tcp
test_egress_failover
test_ingress_like_xdp
test_tcp_checksum_offload
test_interface_show
test_upgrade
test_detach_removes_hooks
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
