#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The IGPs' equal-cost paths through xdp-ecmp (`routes kernel` with its
# default protocols), with Debian's FRR: OSPFv2, OSPFv3 and IS-IS.
#
#   client (c0) ----- (r0) router (r1..r4) ----- nh1..nh4   (scripts/topo.sh)
#            zebra, ospfd, ospf6d, isisd      the same in nh1..nh3
#
# nh1..nh3 each have the same stub networks on links of their own:
# 198.19.80.0/24 and 2001:db8:100:80::/64 in OSPF, 198.19.81.0/24 and
# 2001:db8:100:81::/64 in IS-IS; and point-to-point adjacencies to the
# router, whose SPF finds three paths of equal cost. zebra installs one
# multipath route per prefix (protocol ospf or isis; IPv6 over the peers'
# link-local addresses), ecmpd mirrors them.
#  1. both routes are mirrored with the three peers as their nexthops,
#     and ecmpd's BFD sessions to nh3's two (`bfd dev r3`; the IPv6 one
#     to a link-local address) are up with FRR bfdd; for 10,000 random
#     destinations ecmpctl lookup names one of the kernel's nexthops;
#     IPv4 and IPv6 flows go through XDP;
#  2. nh2 costs its stub out (`ip ospf cost 100`, as for maintenance)
#     under traffic: exactly the flows of its path move;
#  3. it costs it back in under traffic: the newcomer takes idle buckets
#     (no flow that is sending moves);
#  4. both were route events applied alone, no read of the whole table;
#  5. IS-IS's routes, IPv4 and IPv6, mirrored the same way; flows go
#     through XDP;
#  6. nh3 falls silent under traffic: ecmpd's BFD takes its paths out in
#     about the detect time (150 ms), while OSPF still lists them; when
#     OSPF's dead interval (3 s) removes them from the route, not one more
#     flow moves.

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=ei$$
CONF=/tmp/$P.conf
. tests/net/lib.sh
. tests/net/frr.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-igp-last.log 2>/dev/null
	frr_stop_nodes
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

PFX=198.19.80.0/24
PFX6=2001:db8:100:80::/64
ISIS=198.19.81.0/24
ISIS6=2001:db8:100:81::/64

# igp_node NS NAME ROUTER-ID LINKS [N]: zebra, ospfd, ospf6d and isisd in
# NS, with point-to-point adjacencies on LINKS (hello 1 s, dead 3 s), and
# for peer N its passive stub links: d0 in OSPF, d2 in IS-IS. SPF runs
# 50 ms after a change in OSPF (FRR's default: 200 ms), within 1 s in
# IS-IS.
igp_node() {
	local ns=$1 d l
	d=$(frr_node_dir "$2")
	mkdir -p "$d"
	{
		for l in $4; do
			printf 'interface %s\n ip ospf network point-to-point\n' "$l"
			printf ' ip ospf hello-interval 1\n ip ospf dead-interval 3\n'
		done
		[ -n "${5:-}" ] && printf 'interface d0\n ip ospf passive\n'
		printf 'router ospf\n ospf router-id %s\n timers throttle spf 0 50 500\n' "$3"
		printf ' network 198.18.0.0/16 area 0\n'
		[ -n "${5:-}" ] && printf ' network %s area 0\n' "$PFX"
	} > "$d/ospfd.conf"
	{
		for l in $4; do
			printf 'interface %s\n ipv6 ospf6 area 0\n ipv6 ospf6 network point-to-point\n' "$l"
			printf ' ipv6 ospf6 hello-interval 1\n ipv6 ospf6 dead-interval 3\n'
		done
		[ -n "${5:-}" ] && printf 'interface d0\n ipv6 ospf6 area 0\n ipv6 ospf6 passive\n'
		printf 'router ospf6\n ospf6 router-id %s\n timers throttle spf 0 50 500\n' "$3"
	} > "$d/ospf6d.conf"
	{
		for l in $4; do
			printf 'interface %s\n ip router isis 1\n ipv6 router isis 1\n' "$l"
			printf ' isis network point-to-point\n isis hello-interval 1\n'
			printf ' isis hello-multiplier 3\n'
		done
		[ -n "${5:-}" ] && printf 'interface d2\n ip router isis 1\n ipv6 router isis 1\n isis passive\n'
		printf 'router isis 1\n net 49.0001.0000.0000.%04d.00\n' "${5:-0}"
		printf ' is-type level-2-only\n metric-style wide\n spf-interval 1\n'
	} > "$d/isisd.conf"
	frr_zebra "$ns" "$d" && frr_daemon "$ns" "$d" ospfd -z "$d/zserv.api" &&
		frr_daemon "$ns" "$d" ospf6d -z "$d/zserv.api" &&
		frr_daemon "$ns" "$d" isisd -z "$d/zserv.api"
}

# stub_link N DEV IPV4 IPV6: in nhN, DEV with these addresses, one end of
# a veth pair (a link with carrier; this kernel has no dummy links).
stub_link() {
	ip -n "$P-n$1" link add "$2" type veth peer name "$2p"
	ip -n "$P-n$1" addr add "$3" dev "$2"
	ip -n "$P-n$1" addr add "$4" dev "$2" nodad
	ip -n "$P-n$1" link set "$2p" up
	ip -n "$P-n$1" link set "$2" up
}

# peer_igp N: nhN with its stub networks, OSPF's on d0, IS-IS's on d2.
peer_igp() {
	local n=$1
	stub_link "$n" d0 198.19.80.1/24 2001:db8:100:80::1/64
	stub_link "$n" d2 198.19.81.1/24 2001:db8:100:81::1/64
	igp_node "$P-n$n" "nh$n" "198.18.$n.2" n0 "$n"
}

# peer_cost N COST|default: nhN's stub costs COST in its OSPFv2 and
# OSPFv3 LSAs, or what it cost at the start (FRR's default, as the other
# peers').
peer_cost() {
	local v4="ip ospf cost $2" v6="ipv6 ospf6 cost $2"
	[ "$2" = default ] && v4="no ip ospf cost" v6="no ipv6 ospf6 cost"
	nsx "$P-n$1" vtysh --vty_socket "$(frr_node_dir "nh$1")" -c "configure terminal" \
		-c "interface d0" -c "$v4" -c "$v6" > /dev/null
}

# link_local NS DEV: DEV's link-local address (a peer's on n0 is the
# gateway OSPFv3 gives).
link_local() {
	ip -n "$1" -6 -j addr show dev "$2" scope link | python3 -c '
import json, sys
print(*[a["local"] for a in json.load(sys.stdin)[0]["addr_info"] if "local" in a][:1])'
}

wait_sets() { # WANT4 WANT6: up to 20 s (adjacencies, SPF, zebra)
	for _ in $(seq 1 200); do
		[ "$(kset $PFX)" = "$1" ] && [ "$(eset $PFX)" = "$1" ] &&
			[ "$(kset $PFX6)" = "$2" ] && [ "$(eset $PFX6)" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# peer_bfd N: FRR bfdd in nhN, the router's peer on n0 for both families
# (IPv6 from the router's link-local address, OSPFv3's nexthop).
peer_bfd() {
	local n=$1 d a
	d=$(frr_node_dir "nh$n")
	{
		echo "bfd"
		for a in "198.18.$n.1" "$(link_local "$P-rt" "r$n")"; do
			printf ' peer %s interface n0\n  receive-interval 50\n' "$a"
			printf '  transmit-interval 50\n  detect-multiplier 3\n !\n'
		done
	} > "$d/bfdd.conf"
	frr_bfdd "$P-n$n" "$d"
}

# bfd_up NEXTHOP...: up to 10 s for ecmpd's sessions to these to be Up.
bfd_up() {
	for _ in $(seq 1 100); do
		topo_ctl "$P" -j bfd show | python3 -c '
import json, sys
up = {s["nexthop"] for s in json.load(sys.stdin)["sessions"] if s["state"] == "up"}
sys.exit(not set(sys.argv[1:]) <= up)' "$@" && return 0
		sleep 0.1
	done
	return 1
}

# set_of 4|6 N...: the nexthops of peers N... in that family, sorted (the
# IPv6 ones are the peers' link-local addresses).
set_of() {
	local f=$1 n
	shift
	for n in "$@"; do
		if [ "$f" = 4 ]; then
			echo "198.18.$n.2@r$n"
		else
			echo "$(link_local "$P-n$n" n0)@r$n"
		fi
	done | sort | xargs
}

# ALL4/ALL6: the three paths of each family; NO2_4/NO2_6: without nh2's,
# NO3_4/NO3_6 without nh3's. BFD watches the paths out of r3.
setup() {
	local n
	topo_create "$P" 4 || return 1	# nh4 runs no IGP
	ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	topo_config "$P" "$CONF"
	printf 'routes kernel\nbfd dev r3 interval 50 multiplier 3\n' >> "$CONF"
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8 &&
		igp_node "$P-rt" rt 198.18.0.254 "r1 r2 r3" || return 1
	for n in 1 2 3; do
		peer_igp "$n" || return 1
	done
	peer_bfd 3 || return 1
	ALL4=$(set_of 4 1 2 3) ALL6=$(set_of 6 1 2 3)
	NO2_4=$(set_of 4 1 3) NO2_6=$(set_of 6 1 3)
	NO3_4=$(set_of 4 1 2) NO3_6=$(set_of 6 1 2)
}

test_mirrored() {
	local bad
	wait_sets "$ALL4" "$ALL6" && rt_proto_ospf && bfd_up $(set_of 4 3) $(set_of 6 3)
	result "OSPF's equal-cost paths (3 peers) installed by zebra, mirrored; BFD up on nh3's two" $? \
		"$(sets_of $PFX $PFX6)"
	bad=$(lookups_outside 198.19.80 11 "$ALL4")
	[ "$bad" = 0 ]
	result "10,000 random destinations: lookup names one of the kernel's nexthops" $? "$bad outside"
	lookup_flows 198.18.0.1 198.19.80.9 > "/tmp/$P.f0"
	check_through_xdp 198.19.80.9 "/tmp/$P.f0"
	lookup_flows 2001:db8::1 2001:db8:100:80::9 > "/tmp/$P.f6"
	check_through_xdp 2001:db8:100:80::9 "/tmp/$P.f6" 2001:db8::1
}

# Both routes as zebra installed them: protocol ospf.
rt_proto_ospf() {
	ip -n "$P-rt" route show "$PFX" | grep -q "proto ospf" &&
		ip -n "$P-rt" -6 route show "$PFX6" | grep -q "proto ospf"
}

test_cost_out() {
	READS0=$(kr reads) PATCHES0=$(kr patches)
	change_under_traffic 198.19.80.9 "nh2 costs its stub out: zebra and ecmpd follow" \
		"peer_cost 2 100" 'wait_sets "$NO2_4" "$NO2_6"' "sets_of $PFX $PFX6"
	check_withdrawn "/tmp/$P.before" "/tmp/$P.after" r2
}

test_cost_in() {
	change_under_traffic 198.19.80.9 "nh2 costs it back in: zebra and ecmpd follow" \
		"peer_cost 2 default" 'wait_sets "$ALL4" "$ALL6"' "sets_of $PFX $PFX6"
	check_newcomer "/tmp/$P.before" "/tmp/$P.after"
	if [ -n "${READS0:-}" ]; then
		[ "$(kr reads)" = "$READS0" ] && [ "$(kr patches)" -gt "$PATCHES0" ]
		result "costed out and in: route events applied alone, no table read" $? \
			"reads $READS0 -> $(kr reads), patches $PATCHES0 -> $(kr patches)"
	fi
}

# IS-IS's routes: the same three paths, protocol isis.
test_isis() {
	local i
	for i in $(seq 1 200); do
		[ "$(kset $ISIS)" = "$ALL4" ] && [ "$(eset $ISIS)" = "$ALL4" ] &&
			[ "$(kset $ISIS6)" = "$ALL6" ] && [ "$(eset $ISIS6)" = "$ALL6" ] && break
		sleep 0.1
	done
	ip -n "$P-rt" route show "$ISIS" | grep -q "proto isis" &&
		ip -n "$P-rt" -6 route show "$ISIS6" | grep -q "proto isis" &&
		[ "$(eset $ISIS)" = "$ALL4" ] && [ "$(eset $ISIS6)" = "$ALL6" ]
	result "IS-IS's equal-cost paths (3 peers, IPv4 and IPv6) installed by zebra, mirrored" $? \
		"$(sets_of $ISIS $ISIS6)"
	lookup_flows 198.18.0.1 198.19.81.9 > "/tmp/$P.i0"
	check_through_xdp 198.19.81.9 "/tmp/$P.i0"
}

# nh3 falls silent under traffic (its sink drops every frame: OSPF, BFD,
# the flows), the failure only BFD sees quickly: ecmpd takes its paths out
# within the detect time while OSPF still lists them; OSPF's dead
# interval later, zebra removes them and not one more flow moves.
test_silent() {
	local t0 t1 t2 gone6 out moved
	lookup_flows 198.18.0.1 198.19.80.9 > "/tmp/$P.s0"
	traffic_to 198.19.80.9 8
	t0=$(date +%s%N)
	"$BUILD/tests/netsink" dead "/sys/fs/bpf/$P-sink3" 1 > /dev/null
	for _ in $(seq 1 250); do
		topo_ctl "$P" nexthop show "198.18.3.2@r3" | grep -q "state down" && break
		sleep 0.02
	done
	t1=$(date +%s%N)
	lookup_flows 198.18.0.1 198.19.80.9 > "/tmp/$P.s1"
	gone6=$(topo_ctl "$P" nexthop show "$(set_of 6 3)" | grep -c "state down")
	out=$(others_moved "/tmp/$P.s0" "/tmp/$P.s1" r3)
	[ "$(kset $PFX)" = "$ALL4" ] && [ "$(kset $PFX6)" = "$ALL6" ] && [ "$gone6" = 1 ] &&
		[ "$out" = 0 ] && ! grep -q "@r3$" "/tmp/$P.s1"
	result "nh3 silent: BFD takes its paths out in $(((t1 - t0) / 1000000)) ms, OSPF still lists them; only their flows moved" $? \
		"$(sets_of $PFX $PFX6); IPv6 path down: $gone6; $out other flows moved"
	wait_sets "$NO3_4" "$NO3_6"
	t2=$(date +%s%N)
	kill -0 "$TRAFFIC"
	result "OSPF's dead interval later ($(((t2 - t0) / 1000000)) ms): zebra removes nh3's paths, ecmpd follows" $? \
		"$(sets_of $PFX $PFX6)"
	lookup_flows 198.18.0.1 198.19.80.9 > "/tmp/$P.s2"
	moved=$(join "/tmp/$P.s1" "/tmp/$P.s2" | awk '$2 != $3' | wc -l)
	[ "$moved" = 0 ]
	result "the route without nh3: 0 more flows moved" $? "$moved moved"
	wait "$TRAFFIC"
	check_withdrawn "/tmp/$P.s0" "/tmp/$P.s2" r3
}

if ! setup; then
	result "setup (ecmpd; zebra, ospfd, ospf6d and isisd in the router and 3 peers)" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
for t in ${ECMP_NET_TESTS:-mirrored cost_out cost_in isis silent}; do
	"test_$t"
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
