#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# BGP multipath through xdp-ecmp (`routes kernel`), with Debian's FRR:
#
#   client (c0) ----- (r0) router (r1..r4) ----- nh1..nh4   (scripts/topo.sh)
#                     zebra + bgpd AS 65000       bgpd AS 65001 each
#
# Each nexthop namespace announces 198.19.70.0/24 over eBGP (bgpd without
# zebra); the router's bgpd takes the three paths (maximum-paths 8),
# zebra installs one multipath route, ecmpd mirrors it.
#  1. the route is mirrored with the three peers as its nexthops; for
#     10,000 random destinations ecmpctl lookup names one of the kernel's
#     nexthops for the prefix; flows go through XDP;
#  2. one peer withdraws the prefix under traffic: exactly the flows of
#     its path move (every other flow is seen at one sink only, the one
#     lookup named before);
#  3. it announces the prefix again under traffic: the newcomer takes idle
#     buckets (no flow that is sending moves), then its share;
#  4. both were route events applied alone (zebra's new nexthop group
#     objects, routes over sets the table lacked), no whole-table read;
#     nor did zebra's removal of the groups its routes left (nexthop-group
#     keep 1 s).

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=eg$$
CONF=/tmp/$P.conf
. tests/net/lib.sh
. tests/net/frr.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-bgp-last.log 2>/dev/null
	frr_stop_nodes
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

rt() { ip -n "$P-rt" "$@"; }

router_bgp() {
	local d
	d=$(frr_node_dir rt)
	mkdir -p "$d"
	# zebra removes a nexthop group its routes left after 1 s, not 180.
	echo "zebra nexthop-group keep 1" > "$d/zebra.conf"
	cat > "$d/bgpd.conf" <<EOF
router bgp 65000
 bgp router-id 198.18.0.254
 no bgp ebgp-requires-policy
 timers bgp 1 3
 neighbor 198.18.1.2 remote-as 65001
 neighbor 198.18.2.2 remote-as 65001
 neighbor 198.18.3.2 remote-as 65001
 address-family ipv4 unicast
  maximum-paths 8
 exit-address-family
EOF
	frr_zebra "$P-rt" "$d" && frr_daemon "$P-rt" "$d" bgpd -z "$d/zserv.api"
}

peer_bgp() { # N: nhN announces 198.19.70.0/24
	local n=$1 d
	d=$(frr_node_dir "nh$n")
	mkdir -p "$d"
	cat > "$d/bgpd.conf" <<EOF
router bgp 65001
 bgp router-id 198.18.$n.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 1 3
 neighbor 198.18.$n.1 remote-as 65000
 address-family ipv4 unicast
  network 198.19.70.0/24
 exit-address-family
EOF
	frr_daemon "$P-n$n" "$d" bgpd -Z
}

peer_vtysh() { # N COMMAND...: under "router bgp / address-family ipv4"
	local n=$1
	shift
	nsx "$P-n$n" vtysh --vty_socket "$(frr_node_dir "nh$n")" -d bgpd -c "configure terminal" \
		-c "router bgp 65001" -c "address-family ipv4 unicast" "${@/#/-c}" > /dev/null
}

wait_kset() { # WANT: up to 20 s (BGP holds, zebra installs)
	for _ in $(seq 1 200); do
		[ "$(kset $PFX)" = "$1" ] && [ "$(eset $PFX)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

PFX=198.19.70.0/24
ALL="198.18.1.2@r1 198.18.2.2@r2 198.18.3.2@r3"

setup() {
	topo_create "$P" 4 || return 1	# nh4 runs no BGP
	ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1
	topo_config "$P" "$CONF"
	echo "routes kernel protocol bgp" >> "$CONF"
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8 && router_bgp &&
		peer_bgp 1 && peer_bgp 2 && peer_bgp 3
}

test_mirrored() {
	local bad
	wait_kset "$ALL"
	result "BGP multipath (3 eBGP peers) installed by zebra, mirrored by ecmpd" $? "$(sets_of $PFX)"
	# 10,000 random destinations in the prefix: lookup names one of the
	# kernel's nexthops for it.
	bad=$(lookups_outside 198.19.70 7 "$ALL")
	[ "$bad" = 0 ]
	result "10,000 random destinations: lookup names one of the kernel's nexthops" $? "$bad outside"
	lookup_flows 198.18.0.1 198.19.70.9 > "/tmp/$P.f0"
	check_through_xdp 198.19.70.9 "/tmp/$P.f0"
}

test_withdraw() {
	READS0=$(kr reads) PATCHES0=$(kr patches)
	change_under_traffic 198.19.70.9 "peer 2 withdraws: zebra and ecmpd follow" \
		'peer_vtysh 2 "no network 198.19.70.0/24"' \
		'wait_kset "198.18.1.2@r1 198.18.3.2@r3"' "sets_of $PFX"
	NHID_W=$(rt route show 198.19.70.0/24 | grep -o "nhid [0-9]*" | awk '{ print $2 }')
	check_withdrawn "/tmp/$P.before" "/tmp/$P.after" r2
}

test_announce() {
	change_under_traffic 198.19.70.9 "peer 2 announces again: zebra and ecmpd follow" \
		'peer_vtysh 2 "network 198.19.70.0/24"' 'wait_kset "$ALL"' "sets_of $PFX"
	check_newcomer "/tmp/$P.before" "/tmp/$P.after"
	# zebra's new nexthop group objects and the routes over them (sets the
	# table did not have) were applied alone: no read of the whole table.
	if [ -n "${READS0:-}" ]; then
		[ "$(kr reads)" = "$READS0" ] && [ "$(kr patches)" -gt "$PATCHES0" ]
		result "withdrawn and announced again: route events applied alone, no table read" $? \
			"reads $READS0 -> $(kr reads), patches $PATCHES0 -> $(kr patches)"
		# The two-path group the withdraw made, unused now, goes after
		# zebra's keep time: an object no route names, no read either.
		for _ in $(seq 1 100); do
			rt nexthop show id "${NHID_W:-0}" > /dev/null 2>&1 || break
			sleep 0.1
		done
		! rt nexthop show id "${NHID_W:-0}" > /dev/null 2>&1 && [ -n "${NHID_W:-}" ] &&
			[ "$(kr reads)" = "$READS0" ]
		result "zebra removes the groups its routes left (keep 1 s): no table read" $? \
			"group ${NHID_W:-?} $(rt nexthop show id "${NHID_W:-0}" 2>&1); reads $READS0 -> $(kr reads)"
	fi
}

if ! setup; then
	result "setup (ecmpd, zebra and bgpd in the router, bgpd in 3 peers)" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
for t in ${ECMP_NET_TESTS:-mirrored withdraw announce}; do
	"test_$t"
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
