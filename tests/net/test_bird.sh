#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# BIRD 2 (Debian's bird2) as the routing daemon under xdp-ecmp
# (`routes kernel`, whose default protocols include bird):
#
#   client (c0) ----- (r0) router (r1..r4) ----- nh1..nh4   (scripts/topo.sh)
#                     BIRD: static, BGP AS 65000   BIRD: BGP AS 65001 (nh1..nh3)
#
# The router's BIRD has a weighted IPv4 static multipath route, an IPv6
# one, and 198.19.71.0/24 from three eBGP peers, merged into one
# multipath route by its kernel protocol (`merge paths on`). BIRD writes
# them as protocol bird, metric 32, RTA_MULTIPATH for both families.
#  1. each is mirrored with the kernel's nexthops and weights; for 10,000
#     random destinations of the BGP prefix ecmpctl lookup names one of
#     the kernel's nexthops; IPv4 and IPv6 flows go through XDP;
#  2. one peer withdraws the prefix under traffic (its static protocol
#     disabled): exactly the flows of its path move; announced again, the
#     newcomer takes idle buckets (no sending flow moves);
#  3. `birdc configure` with a nexthop fewer in the IPv6 route: exactly
#     its flows move;
#  4. BIRD stopped and started again gracefully (kernel protocol persist
#     and graceful restart, BGP graceful restart, bird -R): ecmpd sees no
#     route event, 0 flows move;
#  5. BIRD configured with no routes takes them out of the kernel: ecmpd's
#     mirror follows, the config's routes forward again;
# none of these read the kernel's table whole (route events alone).

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=eb$$
CONF=/tmp/$P.conf
BIRD_DIR=/tmp/$P.bird
. tests/net/lib.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-bird-last.log 2>/dev/null
	local f
	for f in "$BIRD_DIR"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.2
	rm -rf "$BIRD_DIR"
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

rt() { ip -n "$P-rt" "$@"; }

# birdc_in NAME COMMAND...: BIRD's client against NAME's daemon (rt, n1..).
birdc_in() {
	local name=$1 ns
	shift
	ns=$P-$name
	nsx "$ns" birdc -s "$BIRD_DIR/$name.ctl" "$@"
}

# bird_start NAME [ARGS...]: BIRD in NAME's namespace with NAME.conf;
# waits for its control socket.
bird_start() {
	local name=$1
	rm -f "$BIRD_DIR/$name.ctl"
	nsx "$P-$name" bird -c "$BIRD_DIR/$name.conf" -s "$BIRD_DIR/$name.ctl" \
		-P "$BIRD_DIR/$name.pid" "${@:2}" || return 1
	for _ in $(seq 1 50); do
		[ -S "$BIRD_DIR/$name.ctl" ] && return 0
		sleep 0.1
	done
	return 1
}

# The BGP timers of both ends: a session up within a second or two of
# BIRD's start (its defaults wait 5 s to connect and 120 s to retry).
BGP_TIMERS="hold time 3; keepalive time 1; connect delay time 1; connect retry time 1; error wait time 1, 5;"

# V6_HOPS: the IPv6 static route's nexthops (BIRD syntax), for configure.
V6_HOPS="via 2001:db8:1::2 via 2001:db8:2::2 via 2001:db8:3::2"

# The router's BIRD restarts gracefully (README, "With BIRD"): its kernel
# protocols leave the routes in the kernel when it stops (persist) and,
# started with -R, keep them until BGP has them back (graceful restart).
# ROUTES=0: the kernel protocols alone, no routes to give.
router_conf() {
	local kernel="merge paths on; persist; graceful restart on;"
	{
		cat <<EOF
router id 198.18.0.254;
protocol device {}
protocol kernel k4 { ipv4 { export all; import none; }; $kernel }
protocol kernel k6 { ipv6 { export all; import none; }; $kernel }
EOF
		[ "${ROUTES:-1}" = 1 ] || return 0
		cat <<EOF
protocol static s4 {
	ipv4;
	route 198.19.80.0/24 via 198.18.1.2 via 198.18.2.2 via 198.18.3.2 weight 2;
}
protocol static s6 { ipv6; route 2001:db8:100:80::/64 $V6_HOPS; }
template bgp peer {
	local as 65000; $BGP_TIMERS graceful restart on;
	ipv4 { import all; export none; };
}
protocol bgp p1 from peer { neighbor 198.18.1.2 as 65001; }
protocol bgp p2 from peer { neighbor 198.18.2.2 as 65001; }
protocol bgp p3 from peer { neighbor 198.18.3.2 as 65001; }
EOF
	} > "$BIRD_DIR/rt.conf"
}

peer_conf() { # N: nhN announces 198.19.71.0/24 (its static protocol s4)
	cat > "$BIRD_DIR/n$1.conf" <<EOF
router id 198.18.$1.2;
protocol device {}
protocol static s4 { ipv4; route 198.19.71.0/24 blackhole; }
protocol bgp up {
	local as 65001; neighbor 198.18.$1.1 as 65000; $BGP_TIMERS
	ipv4 { import none; export where proto = "s4"; };
}
EOF
}

wait_set() { # PREFIX WANT: kernel and ecmpd, up to 20 s (BGP, BIRD's scan)
	for _ in $(seq 1 200); do
		[ "$(kset "$1")" = "$2" ] && [ "$(eset "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

BGP_ALL="198.18.1.2@r1 198.18.2.2@r2 198.18.3.2@r3"
S4_ALL="198.18.1.2@r1 198.18.2.2@r2 198.18.3.2@r3*2"
S6_ALL="2001:db8:1::2@r1 2001:db8:2::2@r2 2001:db8:3::2@r3"

setup() {
	local n
	topo_create "$P" 4 || return 1	# nh4 runs no BIRD
	ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	topo_config "$P" "$CONF"
	echo "routes kernel" >> "$CONF"
	mkdir -p "$BIRD_DIR"
	router_conf
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8 || return 1
	for n in 1 2 3; do
		peer_conf "$n"
		bird_start "n$n" || return 1
	done
	bird_start rt
}

test_mirrored() {
	local bad
	wait_set 198.19.80.0/24 "$S4_ALL"
	result "BIRD's weighted IPv4 static multipath mirrored with its weights" $? \
		"$(sets_of 198.19.80.0/24)"
	wait_set 2001:db8:100:80::/64 "$S6_ALL"
	result "BIRD's IPv6 static multipath mirrored" $? \
		"$(sets_of 2001:db8:100:80::/64)"
	wait_set 198.19.71.0/24 "$BGP_ALL"
	result "3 eBGP paths merged by BIRD (merge paths) mirrored" $? \
		"$(sets_of 198.19.71.0/24)"
	READS0=$(kr reads) PATCHES0=$(kr patches)
	bad=$(lookups_outside 198.19.71 11 "$BGP_ALL")
	[ "$bad" = 0 ]
	result "10,000 random destinations: lookup names one of the kernel's nexthops" $? "$bad outside"
	lookup_flows 198.18.0.1 198.19.80.9 > "/tmp/$P.f4"
	check_through_xdp 198.19.80.9 "/tmp/$P.f4"
	lookup_flows 2001:db8::1 2001:db8:100:80::9 > "/tmp/$P.f6"
	check_through_xdp 2001:db8:100:80::9 "/tmp/$P.f6" 2001:db8::1
}

test_withdraw() {
	change_under_traffic 198.19.71.9 "peer 2 withdraws: BIRD and ecmpd follow" \
		"birdc_in n2 disable s4" \
		'wait_set 198.19.71.0/24 "198.18.1.2@r1 198.18.3.2@r3"' "sets_of 198.19.71.0/24"
	check_withdrawn "/tmp/$P.before" "/tmp/$P.after" r2
	change_under_traffic 198.19.71.9 "peer 2 announces again: BIRD and ecmpd follow" \
		"birdc_in n2 enable s4" 'wait_set 198.19.71.0/24 "$BGP_ALL"' "sets_of 198.19.71.0/24"
	check_newcomer "/tmp/$P.before" "/tmp/$P.after"
}

test_configure() {
	local moved
	lookup_flows 2001:db8::1 2001:db8:100:80::9 > "/tmp/$P.c0"
	V6_HOPS="via 2001:db8:1::2 via 2001:db8:3::2"
	router_conf
	birdc_in rt configure > /dev/null
	wait_set 2001:db8:100:80::/64 "2001:db8:1::2@r1 2001:db8:3::2@r3"
	result "birdc configure, a nexthop fewer in the IPv6 route: ecmpd follows" $? \
		"$(sets_of 2001:db8:100:80::/64)"
	lookup_flows 2001:db8::1 2001:db8:100:80::9 > "/tmp/$P.c1"
	moved=$(join "/tmp/$P.c0" "/tmp/$P.c1" | awk '$2 != $3' | wc -l)
	[ "$(others_moved "/tmp/$P.c0" "/tmp/$P.c1" r2)" = 0 ] &&
		[ "$moved" = "$(grep -c '@r2$' "/tmp/$P.c0")" ] && [ "$moved" -gt 0 ]
	result "exactly the removed nexthop's IPv6 flows moved ($moved of 1,000)" $?
}

# bird_stop NAME: SIGTERM, as a service manager stops it; waits until it
# is gone.
bird_stop() {
	local pid
	pid=$(cat "$BIRD_DIR/$1.pid" 2>/dev/null) || return 1
	kill "$pid"
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# BIRD restarted gracefully: the routes stay in the kernel while it is
# down, and it takes them back without changing them (BGP's graceful
# restart, RFC 4724, with its peers): ecmpd sees no route event at all.
test_restart() {
	local p0 r0 moved4 moved5 i
	lookup_flows 198.18.0.1 198.19.71.9 > "/tmp/$P.r0"
	lookup_flows 198.18.0.1 198.19.80.9 > "/tmp/$P.s0"
	p0=$(kr patches) r0=$(kr reads)
	bird_stop rt && [ "$(kset 198.19.71.0/24)" = "$BGP_ALL" ] &&
		[ "$(eset 198.19.71.0/24)" = "$BGP_ALL" ] && [ "$(eset 198.19.80.0/24)" = "$S4_ALL" ]
	result "BIRD stopped (persist): its routes stay in the kernel and in ecmpd" $? \
		"$(sets_of 198.19.71.0/24)"
	bird_start rt -R
	# Recovery ends once every peer has sent its End-of-RIB.
	for i in $(seq 1 200); do
		birdc_in rt show status 2>/dev/null | grep -qi "graceful restart" || break
		sleep 0.1
	done
	sleep 1
	lookup_flows 198.18.0.1 198.19.71.9 > "/tmp/$P.r1"
	lookup_flows 198.18.0.1 198.19.80.9 > "/tmp/$P.s1"
	moved4=$(join "/tmp/$P.r0" "/tmp/$P.r1" | awk '$2 != $3' | wc -l)
	moved5=$(join "/tmp/$P.s0" "/tmp/$P.s1" | awk '$2 != $3' | wc -l)
	[ "$i" -lt 200 ] && [ "$moved4" = 0 ] && [ "$moved5" = 0 ] &&
		[ "$(kr patches)" = "$p0" ] && [ "$(kr reads)" = "$r0" ] &&
		[ "$(eset 198.19.71.0/24)" = "$BGP_ALL" ]
	result "BIRD back (-R, graceful restart): no route event, 0 flows moved" $? \
		"recovery ${i}/200; moved $moved4 and $moved5 of 1,000; patches $p0 -> $(kr patches), reads $r0 -> $(kr reads)"
}

# BIRD configured with no routes: it takes them all out of the kernel.
test_down() {
	local p
	ROUTES=0 router_conf
	birdc_in rt configure > /dev/null
	for _ in $(seq 1 100); do
		[ -z "$(rt route show proto bird)$(rt -6 route show proto bird)" ] &&
			[ -z "$(eset 198.19.80.0/24)$(eset 198.19.71.0/24)$(eset 2001:db8:100:80::/64)" ] && break
		sleep 0.1
	done
	for p in 198.19.80.0/24 198.19.71.0/24 2001:db8:100:80::/64; do
		[ -z "$(eset "$p")" ] || break
	done
	[ -z "$(rt route show proto bird)" ] && [ -z "$(eset "$p")" ] &&
		[ "$(topo_ctl "$P" -j lookup 198.18.0.1 198.19.71.9 udp 20000 5001 |
			python3 -c 'import json, sys; print(json.load(sys.stdin).get("group"))')" = web ]
	result "BIRD gives up its routes: they leave the kernel and ecmpd, the config's route forwards" $? \
		"left in the kernel: $(rt route show proto bird | tr '\n' ' '); ecmpd $p: $(eset "$p")"
	if [ -n "${READS0:-}" ]; then
		[ "$(kr reads)" = "$READS0" ] && [ "$(kr patches)" -gt "$PATCHES0" ]
		result "BIRD's changes were route events applied alone, no table read" $? \
			"reads $READS0 -> $(kr reads), patches $PATCHES0 -> $(kr patches)"
	fi
}

if ! setup; then
	result "setup (ecmpd and BIRD in the router, BIRD in 3 peers)" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
for t in ${ECMP_NET_TESTS:-mirrored withdraw configure restart down}; do
	"test_$t"
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
