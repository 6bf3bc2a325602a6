#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Routes mirrored from the kernel's FIB (`routes kernel`, user/ecmpd/mirror.h):
#
#   client (c0) ----- (r0) router (r1..r4) ----- nh1..nh4   (scripts/topo.sh)
#
# Routes are added to the router's main table with `ip route` as a routing
# daemon would (protocol bgp), and each case is checked against what the
# kernel says (`ip -j route`):
#  1. IPv4 multipath and IPv6 multipath routes are mirrored; flows go
#     through XDP (not the kernel's forwarding) to the nexthop ecmpctl
#     lookup names, which is one of the kernel's for the prefix;
#  2. a path withdrawn (`ip route replace` without it): only its flows
#     move; added back: only flows that move go to the newcomer;
#  3. IPv6 append and delete of one nexthop, each applied alone (no table
#     read), only the flows they must move moved; weights (rtnh_hops);
#  4. the lowest metric wins; a config route wins over the kernel's;
#  5. blackhole, routes of protocols not mirrored and routes without a
#     gateway stay the kernel's (a covering route never takes them);
#     `route show all` gives each kernel route's protocol and metric and
#     why the kernel keeps it; past 100,000 routes (show_many) only those
#     the kernel keeps, said on stderr;
#  6. IPv4 routes flushed with their link (the kernel says nothing);
#  7. ecmpd SIGKILLed and restarted: the same groups, 0 flows moved;
#  8. FRR (zebra + staticd from Debian, defaults: nexthop objects) installs
#     an ECMP route: mirrored; one path removed in FRR: only its flows
#     move;
#  9. a table past the route trie's capacity stays the kernel's whole,
#     the config's routes in, said once; small again, it is mirrored;
# 10. events lost (--netlink-rcvbuf 4096) under a burst of 3,000 changes
#     sent while ecmpd is stopped: it reads the table again and holds
#     exactly the kernel's;
# 11. routes over nexthop objects (plain, resilient with weights), with
#     nexthop_compat_mode 1 and 0; an object replaced in place changes
#     its routes' group in place: no table read, only the departed
#     nexthop's flows move; one removed shrinks the groups holding it in
#     place, and the routes the kernel took along with it (naming it, or
#     a group it emptied: unannounced) go alone, no read either;
# 12. the config's routes in the kernel's FIB follow from the mirror's
#     read of the table at a start (no second dump), from the mirror and
#     a filtered dump of ecmpd's own at a reload: kept, left to bgp,
#     removed; put back when bgp's route goes or ecmpd's is deleted;
# 13. a reload does not read the table again unless what is mirrored
#     changes (another protocol): the same routes and groups after it;
# 14. an IPv4 route over IPv6 gateways (RFC 5549) is mirrored and
#     forwarded by XDP;
# 15. BGP unnumbered: IPv6 and IPv4 routes over fe80::1 on two links, and
#     IPv4 over one `onlink` gateway on two links (permanent neighbours):
#     mirrored as two nexthops each, forwarded by XDP;
# 16. another table (`routes kernel table 100`) by reload: its routes
#     mirrored and followed, main's out; back to main by reload;
# 17. FRR restarted with zebra -r -K: the route kept in the kernel while
#     it is down, installed again over new nexthop objects: 0 flows moved;
# 18. routes over the router's own addresses (a default route): patches,
#     no table read, the addresses' entries as a whole build makes them;
#     an IPv4 address removed reads the table only when the kernel may
#     take routes along: a route's source, or its link's last address;
# 19. a route selecting by more than its destination (an IPv4 TOS key, an
#     IPv6 source prefix) makes its prefix the kernel's, even beside a
#     plain route of a lower metric: route show all says `selector`;
#     deleted, the plain route is mirrored again; a route with an MTU of
#     its own is the kernel's (`route_mtu`).

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=em$$
CONF=/tmp/$P.conf
. tests/net/lib.sh
. tests/net/frr.sh

FRR=/tmp/$P.frr

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-mirror-last.log 2>/dev/null
	[ -d "$FRR" ] && frr_stop_dir "$FRR"
	rm -rf "$FRR"
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

rt() { ip -n "$P-rt" "$@"; }

setup() {
	topo_create "$P" 4 || return 1
	ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	rt route add 198.19.200.0/24 proto bgp nexthop via 198.18.1.2 dev r1 \
		nexthop via 198.18.2.2 dev r2 nexthop via 198.18.3.2 dev r3
	rt -6 route add 2001:db8:100:200::/64 proto bgp nexthop via 2001:db8:1::2 dev r1 \
		nexthop via 2001:db8:2::2 dev r2
	topo_config "$P" "$CONF"
	echo "routes kernel table main protocol bgp static" >> "$CONF"
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 13
}

# krc CAUSE: the whole reads CAUSE asked for (ecmpctl stats: read for).
krc() {
	topo_ctl "$P" -j stats | python3 -c '
import json, sys
print(json.load(sys.stdin)["kernel_routes"].get("read_causes", {}).get(sys.argv[1], 0))' "$1"
}

# wait_set PREFIX "SET": until ecmpd's members for PREFIX are SET (5 s).
set_is() { [ "$(eset "$1")" = "$2" ]; }
wait_set() { wait_until 50 set_is "$@"; }

# settled PREFIX: wait until ecmpd's set equals the kernel's.
settled() {
	local i
	for i in $(seq 1 50); do
		[ "$(eset "$1")" = "$(kset "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}


test_multipath() {
	local out n
	settled 198.19.200.0/24
	result "IPv4 multipath route mirrored: ecmpd's nexthops are the kernel's" $? \
		"$(eset 198.19.200.0/24) / $(kset 198.19.200.0/24)"
	settled 2001:db8:100:200::/64
	result "IPv6 multipath route mirrored" $? "$(eset 2001:db8:100:200::/64)"
	out=$(topo_ctl "$P" route show 198.19.200.0/24)
	echo "$out" | grep -q "^198.19.200.0/24 group kernel:[0-9]* source kernel$"
	result "route show: the mirrored route, source kernel" $? "$out"
	lookup_flows 198.18.0.1 198.19.200.9 > "/tmp/$P.f0"
	n=$(awk '$2 !~ /^198.18.[123].2@r[123]$/' "/tmp/$P.f0" | wc -l)
	[ "$n" = 0 ] && [ "$(awk '{print $2}' "/tmp/$P.f0" | sort -u | wc -l)" = 3 ]
	result "lookup: 1,000 flows over the kernel's 3 nexthops, none elsewhere" $? "$n outside"
	check_through_xdp 198.19.200.9 "/tmp/$P.f0"
}

test_withdraw() {
	local out
	rt route replace 198.19.200.0/24 proto bgp nexthop via 198.18.1.2 dev r1 \
		nexthop via 198.18.3.2 dev r3
	settled 198.19.200.0/24
	result "path withdrawn: ecmpd follows the kernel" $? "$(eset 198.19.200.0/24)"
	lookup_flows 198.18.0.1 198.19.200.9 > "/tmp/$P.f1"
	out=$(others_moved "/tmp/$P.f0" "/tmp/$P.f1" r2)
	[ "$out" = 0 ] && ! grep -q "@r2" "/tmp/$P.f1"
	result "withdrawn: only the withdrawn nexthop's flows moved" $? "$out others moved"
	rt route replace 198.19.200.0/24 proto bgp nexthop via 198.18.1.2 dev r1 \
		nexthop via 198.18.2.2 dev r2 nexthop via 198.18.3.2 dev r3
	settled 198.19.200.0/24 && topo_wait_usable "$P" 13
	lookup_flows 198.18.0.1 198.19.200.9 > "/tmp/$P.f2"
	out=$(join "/tmp/$P.f1" "/tmp/$P.f2" | awk '$2 != $3 && $3 !~ /@r2$/' | wc -l)
	local share
	share=$(topo_ctl "$P" -j group show | python3 -c '
import json, sys
for g in json.load(sys.stdin):
    for m in g["members"]:
        if m["nexthop"] == "198.18.2.2@r2": print(m["buckets"])')
	# The buckets the newcomer takes are idle ones, here the ones no
	# test flow ever used: the flows may all stay where they are.
	[ "$out" = 0 ] && [ "$share" -ge 1365 ] && [ "$share" -le 1366 ]
	result "added back: the newcomer takes its share ($share of 4,096 buckets), no flow moves elsewhere" $? \
		"$out elsewhere"
}

# The kernel's IPv6 multipath routes change path by path: an append's
# message lists the route's every path, a deletion names its one path.
# Each is applied alone (no table read), and moves only the flows it must.
test_ipv6_edits() {
	local r0 p0 out d=2001:db8:100:200::/64
	r0=$(kr reads) p0=$(kr patches)
	lookup_flows 2001:db8::1 2001:db8:100:200::9 > "/tmp/$P.v0"
	rt -6 route append $d proto bgp via 2001:db8:3::2 dev r3
	settled $d && [ "$(kr reads)" = "$r0" ]
	result "IPv6 append: a third nexthop, no table read" $? \
		"$(eset $d) / $(kset $d); reads $r0 -> $(kr reads)"
	lookup_flows 2001:db8::1 2001:db8:100:200::9 > "/tmp/$P.v1"
	out=$(join "/tmp/$P.v0" "/tmp/$P.v1" | awk '$2 != $3 && $3 !~ /@r3$/' | wc -l)
	[ "$out" = 0 ]
	result "IPv6 append: no flow moves but to the newcomer" $? "$out elsewhere"
	rt -6 route del $d proto bgp via 2001:db8:1::2 dev r1
	settled $d && [ "$(kr reads)" = "$r0" ]
	result "IPv6 delete of one nexthop: the others stay, no table read" $? \
		"$(eset $d) / $(kset $d); reads $r0 -> $(kr reads)"
	lookup_flows 2001:db8::1 2001:db8:100:200::9 > "/tmp/$P.v2"
	out=$(others_moved "/tmp/$P.v1" "/tmp/$P.v2" r1)
	[ "$out" = 0 ] && ! grep -q "@r1" "/tmp/$P.v2"
	result "IPv6 delete of one nexthop: only its flows moved" $? "$out others moved"
	# A path added as a route without NLM_F_EXCL (a daemon's create):
	# it joins too. Then back to the test's two paths, and a path the
	# route does not have, which the kernel refuses.
	rt -6 route prepend $d proto bgp via 2001:db8:1::2 dev r1
	rt -6 route del $d proto bgp via 2001:db8:3::2 dev r3
	rt -6 route del $d proto bgp via 2001:db8:4::2 dev r4 2>/dev/null
	settled $d && [ "$(kr reads)" = "$r0" ] && [ "$(kr patches)" -ge $((p0 + 4)) ] &&
		[ "$(eset $d)" = "2001:db8:1::2@r1 2001:db8:2::2@r2" ]
	result "IPv6 path added back and another deleted: as the kernel has it, no read" $? \
		"$(eset $d) / $(kset $d); reads $r0 -> $(kr reads), patches $p0 -> $(kr patches)"
	rt route add 198.19.210.0/24 proto bgp nexthop via 198.18.1.2 dev r1 weight 3 \
		nexthop via 198.18.4.2 dev r4
	settled 198.19.210.0/24
	result "weights: nexthop ... weight 3 mirrored as weight 3" $? "$(eset 198.19.210.0/24)"
}

test_metrics() {
	rt route add 198.19.220.0/24 proto bgp via 198.18.1.2 dev r1 metric 100
	rt route add 198.19.220.0/24 proto bgp via 198.18.2.2 dev r2 metric 200
	sleep 0.3	# the second route's read, had it been taken wrongly
	wait_set 198.19.220.0/24 "198.18.1.2@r1"
	result "two metrics: the lowest wins" $? "$(eset 198.19.220.0/24)"
	rt route del 198.19.220.0/24 proto bgp via 198.18.1.2 dev r1 metric 100
	wait_set 198.19.220.0/24 "198.18.2.2@r2"
	result "the lowest deleted: the next one takes over" $? "$(eset 198.19.220.0/24)"
	rt route add 198.19.0.0/16 proto bgp via 198.18.4.2 dev r4 metric 50
	sleep 0.3
	topo_ctl "$P" route show 198.19.0.0/16 | grep -q "^198.19.0.0/16 group web source config$"
	result "a config route wins over the kernel's for its prefix" $?
}

test_kernels() {
	local out
	rt route add blackhole 198.19.230.0/24 proto bgp
	rt route add 198.19.231.0/24 proto 99 via 198.18.1.2 dev r1
	rt route add 198.19.232.0/24 proto bgp dev r2
	sleep 0.3
	out=$(topo_ctl "$P" route show 198.19.224.0/19)
	[ "$(echo "$out" | grep -cE "^198.19.23[012].0/24 connected$")" = 3 ]
	result "blackhole, another protocol, no gateway: the kernel's, inside a config route" $? "$out"
	# route show all: each with its protocol and metric, and why when
	# the kernel keeps it; the kernel's /16 with the config's (metric 50,
	# test_metrics); protocol 99 by its name in rt_protos. Sanitized,
	# these three ecmpctl calls get the leak pass most skip (tests/run.sh).
	out=$(TOPO_CTL_ASAN_OPTIONS= topo_ctl "$P" route show all 198.19.0.0/16)
	echo "$out" | grep -qx "198.19.230.0/24 connected protocol bgp metric 0 kernel_route type" &&
		echo "$out" | grep -qx "198.19.231.0/24 connected protocol openr metric 0 kernel_route protocol" &&
		echo "$out" | grep -qx "198.19.232.0/24 connected protocol bgp metric 0 kernel_route no_gateway" &&
		echo "$out" | grep -qx "198.19.0.0/16 group web source config protocol bgp metric 50 kernel_route config_route" &&
		echo "$out" | grep -qE "^198.19.200.0/24 group kernel:[0-9]+ source kernel protocol bgp metric 0$" &&
		[ "$(topo_ctl "$P" route show 198.19.0.0/16 | grep -c "kernel_route\|protocol")" = 0 ]
	result "route show all: the kernel's routes with protocol and metric, those left to it with why" $? "$out"
	# The same in JSON, a number for the metric; a protocol without a
	# name by its number; only the routes inside the prefix asked for.
	rt route add 198.19.233.0/24 proto 250 via 198.18.1.2 dev r1 metric 7
	sleep 0.3
	out=$(TOPO_CTL_ASAN_OPTIONS= topo_ctl "$P" -j route show all 198.19.232.0/23)
	echo "$out" | python3 -c '
import json, sys
r = {x["prefix"]: x for x in json.load(sys.stdin)}
sys.exit(not (sorted(r) == ["198.19.232.0/24", "198.19.233.0/24"] and
              r["198.19.233.0/24"]["protocol"] == "250" and r["198.19.233.0/24"]["metric"] == 7 and
              r["198.19.232.0/24"]["metric"] == 0 and r["198.19.232.0/24"]["kernel_route"] == "no_gateway"))'
	result "route show all -j: protocol and metric (a number); only the prefix asked for" $? "$out"
	rt route del 198.19.233.0/24 proto 250
	# In the order `ip route` lists them: IPv4 first, then by address,
	# a shorter prefix before those inside it.
	TOPO_CTL_ASAN_OPTIONS= topo_ctl "$P" route show all | awk '{ print $1 }' > "/tmp/$P.order"
	python3 -c '
import ipaddress, sys
got = [ipaddress.ip_network(l.strip()) for l in open(sys.argv[1])]
want = sorted(got, key=lambda n: (n.version, int(n.network_address), n.prefixlen))
sys.exit(not (got == want and len(got) > 20))' "/tmp/$P.order"
	result "route show all: $(wc -l < "/tmp/$P.order") routes, sorted as ip route sorts them" $? \
		"$(head -c 600 "/tmp/$P.order" | tr '\n' ' ')"
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.230.5 31000 50 > /dev/null
	sleep 0.3
	[ -z "$(topo_sinks "$P" | awk '$3 >= 31000 && $3 < 31050')" ]
	result "to the blackhole: nothing forwarded by the covering config route" $?
	out=$(topo_ctl "$P" -j stats | python3 -c '
import json, sys
k = json.load(sys.stdin)["kernel_routes"]["skipped"]
print(k.get("type", 0), k.get("protocol", 0), k.get("no_gateway", 0))')
	set -- $out
	[ "$1" -ge 1 ] && [ "$2" -ge 1 ] && [ "$3" -ge 1 ]
	result "stats: what stays the kernel's, counted by reason" $? "$out"
}

# route show all past ecmpd's 100,000 routes of details a request:
# 100,001 /28s (in 10.0.0.0/8, a table entry only, never sent to). The
# routes the kernel keeps still come with why and their protocol, a word
# on stderr says what is left out, and a longer prefix gets it all.
test_show_many() {
	local n0 out lines
	n0=$(kr prefixes)
	python3 -c '
for i in range(100001):
    print("route add 10.%d.%d.%d/28 proto bgp via 198.18.1.2 dev r1" % (i >> 12, (i >> 4) & 255, (i & 15) << 4))' \
		> "/tmp/$P.many"
	rt -batch "/tmp/$P.many"
	for _ in $(seq 1 300); do
		[ "$(kr prefixes)" -ge $((n0 + 100001)) ] && break
		sleep 0.1
	done
	out=$(topo_ctl "$P" route show all 2> "/tmp/$P.err")
	lines=$(echo "$out" | grep -c "^10\.")
	grep -q "protocol and metric only for the routes the kernel keeps" "/tmp/$P.err" &&
		[ "$lines" = 100001 ] && ! echo "$out" | grep "^10\." | grep -q protocol &&
		echo "$out" | grep -qx "198.19.230.0/24 connected protocol bgp metric 0 kernel_route type"
	result "route show all, 100,001 more routes: why and protocol for those the kernel keeps, said on stderr" $? \
		"$lines lines in 10/8; $(cat "/tmp/$P.err"); $(echo "$out" | grep -m1 "^198.19.230")"
	out=$(topo_ctl "$P" route show all 10.0.0.0/20 2> "/tmp/$P.err")
	[ "$(echo "$out" | grep -c "^10\.0\.[0-9]*\.[0-9]*/28 group kernel:[0-9]* source kernel protocol bgp metric 0$")" = 256 ] &&
		[ ! -s "/tmp/$P.err" ]
	result "route show all 10.0.0.0/20: all 256 with protocol and metric" $? \
		"$(echo "$out" | head -3); $(cat "/tmp/$P.err")"
	sed 's/^route add \([^ ]*\) .*/route del \1/' "/tmp/$P.many" | rt -batch -
	for _ in $(seq 1 300); do
		[ "$(kr prefixes)" -le "$n0" ] && break
		sleep 0.1
	done
}

test_link_down() {
	local r0 c0 s0 out
	rt route add 198.19.240.0/24 proto bgp via 198.18.4.2 dev r4
	settled 198.19.240.0/24
	# Link messages that change no route (an alias, a queue length) are
	# no reason to read the table: with a full table each read is seconds.
	sleep 0.3
	r0=$(kr reads)
	rt link set r4 alias "uplink 4"
	rt link set r4 txqueuelen 2000
	sleep 0.5
	[ "$(kr reads)" = "$r0" ]
	result "link messages that change no route: no table read" $? "reads $r0 -> $(kr reads)"
	# Nor does a link no route goes through (mirror_dev.c): a pod's veth
	# on a Kubernetes node comes, goes up (its fe80::/64 route, which no
	# frame is forwarded by, aside), down and away.
	rt link add pod0 type veth peer name pod0p
	rt link set pod0p up
	rt link set pod0 up
	wait_until 30 sh -c "ip -n $P-rt -6 route show dev pod0 | grep -q fe80::/64"
	rt link set pod0 down
	rt link del pod0
	sleep 0.5
	[ "$(kr reads)" = "$r0" ]
	result "a link no route goes through (a pod's veth): up, down, away, no table read" $? \
		"reads $r0 -> $(kr reads): $(topo_ctl "$P" stats | grep "^kernel routes")"
	c0=$(krc link) s0=$(krc start)
	rt link set r4 down
	sleep 0.5
	[ -z "$(kset 198.19.240.0/24)" ] && [ -z "$(eset 198.19.240.0/24)" ]
	result "link down: the route the kernel flushed unannounced is gone" $? "$(eset 198.19.240.0/24)"
	# Why the table was read, for an operator: in stats, text and
	# Prometheus, each read counted for what asked for it.
	out=$(topo_ctl "$P" stats)
	[ "$(krc link)" = $((c0 + 1)) ] && [ "$(krc start)" = "$s0" ] && [ "$s0" -ge 1 ] &&
		echo "$out" | grep -qE "^kernel routes .* read for: start [0-9]+ .*link $((c0 + 1))" &&
		topo_ctl "$P" stats --format prometheus |
			grep -qx "ecmp_kernel_routes_read_causes_total{cause=\"link\"} $((c0 + 1))"
	result "stats: the read counted for the link (read for: link N; Prometheus by cause)" $? \
		"link $c0 -> $(krc link), start $s0 -> $(krc start): $(echo "$out" | grep "^kernel routes")"
	rt link set r4 up
}

test_restart() {
	local out all
	# Every nexthop up (r4's are back from the link test) and every group
	# balanced again (nh4 takes its buckets back as they go idle).
	all=$(topo_ctl "$P" nexthop show | grep -c "^[^ ]")
	topo_wait_usable "$P" "$all" && topo_wait_balanced "$P"
	lookup_flows 198.18.0.1 198.19.200.9 > "/tmp/$P.r0"
	topo_ctl "$P" -j group show > "/tmp/$P.g0"
	pkill -9 -f "ecmpd -c $CONF"
	sleep 0.3
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" "$all"
	sleep 0.5
	lookup_flows 198.18.0.1 198.19.200.9 > "/tmp/$P.r1"
	cmp -s "/tmp/$P.r0" "/tmp/$P.r1"
	result "SIGKILL and restart: 0 of 1,000 flows moved" $? \
		"$(diff "/tmp/$P.r0" "/tmp/$P.r1" | grep -c '^>') moved"
	out=$(topo_ctl "$P" -j stats | python3 -c '
import json, sys; print(json.load(sys.stdin)["memory"]["ecmpd_rss_bytes"])')
	out=$(topo_ctl "$P" -j group show | python3 -c '
import json, sys
drop = lambda m: [(x["nexthop"], x["weight"], x["buckets"]) for x in m]
a = {g["name"]: drop(g["members"]) for g in json.load(open(sys.argv[1]))}
b = {g["name"]: drop(g["members"]) for g in json.load(sys.stdin)}
for k in sorted(set(a) | set(b)):
    if a.get(k) != b.get(k):
        print(k, "before", a.get(k), "after", b.get(k))' "/tmp/$P.g0")
	[ -z "$out" ]
	result "SIGKILL and restart: the same groups, names and buckets" $? "$out"
}

# FRR in the router: zebra (with ZEBRA-ARGS) and staticd (its vty sockets
# in $FRR).
frr_router() { # [ZEBRA-ARGS...]
	mkdir -p "$FRR"
	printf 'ip route 198.19.50.0/24 198.18.%s.2\n' 1 2 3 > "$FRR/staticd.conf"
	frr_zebra "$P-rt" "$FRR" "$@" && frr_daemon "$P-rt" "$FRR" staticd -z "$FRR/zserv.api"
}

test_frr() {
	local out
	if ! frr_router; then
		result "FRR zebra and staticd start" 1
		return
	fi
	for _ in $(seq 1 50); do
		[ -n "$(kset 198.19.50.0/24)" ] && break
		sleep 0.1
	done
	out=$(rt route show 198.19.50.0/24)
	settled 198.19.50.0/24 && echo "$out" | grep -q "nhid"
	result "FRR staticd's ECMP route (over a nexthop object) mirrored" $? \
		"$(eset 198.19.50.0/24) / $out"
	lookup_flows 198.18.0.1 198.19.50.9 > "/tmp/$P.q0"
	nsx "$P-rt" vtysh --vty_socket "$FRR" -d staticd -c "configure terminal" \
		-c "no ip route 198.19.50.0/24 198.18.2.2" > /dev/null
	for _ in $(seq 1 50); do
		kset 198.19.50.0/24 | grep -q "@r2" || break
		sleep 0.1
	done
	settled 198.19.50.0/24
	result "FRR removes one path: ecmpd follows" $? "$(eset 198.19.50.0/24)"
	lookup_flows 198.18.0.1 198.19.50.9 > "/tmp/$P.q1"
	out=$(others_moved "/tmp/$P.q0" "/tmp/$P.q1" r2)
	[ "$out" = 0 ] && ! grep -q "@r2" "/tmp/$P.q1"
	result "FRR removes one path: only its flows moved" $? "$out others moved"
	frr_stop_dir "$FRR"
}

# IPv4 unnumbered the older way (FRR before RFC 5549 in the kernel, some
# BIRD setups): one gateway outside every link's subnet, `onlink` on each
# link, with a permanent neighbour entry per link for the peer's MAC (FRR
# uses 169.254.0.1; here a test address).
test_onlink() {
	local n mac
	for n in 1 2; do
		mac=$(ip -n "$P-n$n" -br link show n0 | awk '{ print $3 }')
		rt neigh replace 198.18.200.1 lladdr "$mac" dev "r$n" nud permanent
	done
	rt route add 198.19.203.0/24 proto bgp nexthop via 198.18.200.1 dev r1 onlink \
		nexthop via 198.18.200.1 dev r2 onlink
	wait_set 198.19.203.0/24 "198.18.200.1@r1 198.18.200.1@r2"
	result "onlink gateways, one address on two links: mirrored" $? "$(eset 198.19.203.0/24)"
	lookup_flows 198.18.0.1 198.19.203.9 > "/tmp/$P.f4"
	check_through_xdp 198.19.203.9 "/tmp/$P.f4"
	rt route del 198.19.203.0/24
	for n in 1 2; do
		rt neigh del 198.18.200.1 dev "r$n"
	done
}

# Another table (`routes kernel table 100`, a daemon writing to a table
# of its own, BIRD's `kernel table 100`): a reload switches to it and
# reads it; its routes are mirrored and followed, main's are not; and
# back.
test_other_table() {
	local out
	rt route add 198.19.204.0/24 table 100 proto bgp nexthop via 198.18.1.2 dev r1 \
		nexthop via 198.18.2.2 dev r2
	rt -6 route add 2001:db8:100:204::/64 table 100 proto bgp nexthop via 2001:db8:3::2 dev r3 \
		nexthop via 2001:db8:4::2 dev r4
	sed -i 's/^routes kernel table main /routes kernel table 100 /' "$CONF"
	topo_ctl "$P" reload > /dev/null
	wait_set 198.19.204.0/24 "198.18.1.2@r1 198.18.2.2@r2" &&
		wait_set 2001:db8:100:204::/64 "2001:db8:3::2@r3 2001:db8:4::2@r4" &&
		[ -z "$(eset 198.19.200.0/24)" ] && [ "$(kr table)" = 100 ]
	result "reload to table 100: its routes mirrored, main's out" $? \
		"$(eset 198.19.204.0/24) / $(eset 2001:db8:100:204::/64) / main's $(eset 198.19.200.0/24)"
	rt route replace 198.19.204.0/24 table 100 proto bgp nexthop via 198.18.1.2 dev r1 \
		nexthop via 198.18.3.2 dev r3
	rt route add 198.19.205.0/24 table 100 proto bgp via 198.18.4.2 dev r4
	rt route add 198.19.206.0/24 proto bgp via 198.18.4.2 dev r4
	wait_set 198.19.204.0/24 "198.18.1.2@r1 198.18.3.2@r3" &&
		wait_set 198.19.205.0/24 "198.18.4.2@r4" && sleep 0.3 && [ -z "$(eset 198.19.206.0/24)" ]
	result "table 100's changes followed, main's not" $? \
		"$(eset 198.19.204.0/24) / $(eset 198.19.205.0/24) / main's $(eset 198.19.206.0/24)"
	lookup_flows 198.18.0.1 198.19.204.9 > "/tmp/$P.f4"
	check_through_xdp 198.19.204.9 "/tmp/$P.f4"
	sed -i 's/^routes kernel table 100 /routes kernel table main /' "$CONF"
	topo_ctl "$P" reload > /dev/null
	wait_set 198.19.206.0/24 "198.18.4.2@r4" && [ -z "$(eset 198.19.204.0/24)" ] &&
		settled 198.19.200.0/24
	result "reload back to main: main's routes again, table 100's out" $? \
		"main's $(eset 198.19.206.0/24), table 100's $(eset 198.19.204.0/24)"
	rt route flush table 100
	rt -6 route flush table 100
	rt route del 198.19.206.0/24
}

# FRR restarted the way an upgrade does it without a forwarding outage:
# zebra keeps its routes in the kernel when it stops (-r), and when it
# starts again keeps them as stale (-K) until staticd gives them back;
# it installs them anew over new nexthop objects. The same set of
# nexthops, over another object: not one flow moves.
test_frr_restart() {
	local nh0 nh1 out
	frr_router -r -K 10 || { result "FRR zebra (-r -K 10) and staticd start" 1; return; }
	wait_set 198.19.50.0/24 "198.18.1.2@r1 198.18.2.2@r2 198.18.3.2@r3"
	result "FRR's route mirrored (zebra -r -K 10)" $? "$(eset 198.19.50.0/24)"
	nh0=$(rt route show 198.19.50.0/24 | grep -o "nhid [0-9]*")
	lookup_flows 198.18.0.1 198.19.50.9 > "/tmp/$P.k0"
	frr_stop_dir "$FRR"
	sleep 1
	[ -n "$(kset 198.19.50.0/24)" ] && settled 198.19.50.0/24
	result "FRR stopped with -r: the route stays in the kernel and in ecmpd" $? \
		"$(kset 198.19.50.0/24) / $(eset 198.19.50.0/24)"
	frr_router -r -K 10 || { result "FRR zebra started again" 1; return; }
	for _ in $(seq 1 100); do
		nh1=$(rt route show 198.19.50.0/24 | grep -o "nhid [0-9]*")
		[ -n "$nh1" ] && [ "$nh1" != "$nh0" ] && break
		sleep 0.1
	done
	settled 198.19.50.0/24 && [ "$nh1" != "$nh0" ]
	result "zebra back: the route installed anew over another object, mirrored" $? \
		"$nh0 -> $nh1: $(eset 198.19.50.0/24)"
	lookup_flows 198.18.0.1 198.19.50.9 > "/tmp/$P.k1"
	out=$(join "/tmp/$P.k0" "/tmp/$P.k1" | awk '$2 != $3' | wc -l)
	[ "$out" = 0 ]
	result "FRR restarted: 0 of 1,000 flows moved" $? "$out moved"
	frr_stop_dir "$FRR"
	rt route del 198.19.50.0/24 2>/dev/null
}

# Every prefix ecmpd mirrors (protocols bgp and static, unicast, through
# gateways) in the kernel's main table against ecmpd's route show: the
# same nexthops, none missing, none extra. Prints the differences,
# nothing when equal.
table_diff() {
	local k4 k6 er eg
	k4=$(rt -4 -j route show table main) k6=$(rt -6 -j route show table main)
	er=$(topo_ctl "$P" -j route show) eg=$(topo_ctl "$P" -j group show)
	python3 - "$k4" "$k6" "$er" "$eg" <<'PY'
import json, sys
def mirrored(r):
    hs = r.get("nexthops") or [r]
    return (r.get("protocol") in ("bgp", "static") and r.get("type", "unicast") == "unicast"
            and all(h.get("gateway") for h in hs))
def hops(r):
    hs = r.get("nexthops") or [{"dev": r.get("dev"), "gateway": r.get("gateway"), "weight": 1}]
    return " ".join(sorted("%s@%s%s" % (h["gateway"], h["dev"], "" if h.get("weight", 1) == 1 else "*%d" % h["weight"]) for h in hs))
def pfx(r):
    d = r["dst"]
    return d if "/" in d else d + ("/128" if ":" in d else "/32")
kernel = {pfx(r): hops(r) for r in json.loads(sys.argv[1]) + json.loads(sys.argv[2]) if mirrored(r)}
groups = {g["name"]: " ".join(sorted(m["nexthop"] for m in g["members"])) for g in json.loads(sys.argv[4])}
routes = json.loads(sys.argv[3])
ours = {r["prefix"]: groups.get(r.get("group"), "?") for r in routes if r.get("source") == "kernel"}
# A config route wins over the kernel's for its prefix (test_metrics
# leaves one such): that kernel route is rightly not mirrored.
for r in routes:
    if r.get("source") == "config":
        kernel.pop(r["prefix"], None)
for p in sorted(set(kernel) | set(ours)):
    if kernel.get(p) != ours.get(p):
        print("%s kernel [%s] ecmpd [%s]" % (p, kernel.get(p, "-"), ours.get(p, "-")))
PY
	[ $? = 0 ] || echo "table_diff: the comparison failed"
}

# Nexthop sets the table did not have (a path added, one withdrawn, a new
# weight), by patches too: each set's group starts from the prefix's
# table, so only the departed nexthop's flows move and a newcomer only
# takes flows; the table is the kernel's, with no read.
patch_new_sets() {
	local r0 p0 d out
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.n0"
	r0=$(kr reads) p0=$(kr patches)
	rt route replace 198.19.60.0/24 proto bgp nexthop via 198.18.1.2 dev r1 \
		nexthop via 198.18.2.2 dev r2 nexthop via 198.18.4.2 dev r4
	settled 198.19.60.0/24
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.n1"
	out=$(join "/tmp/$P.n0" "/tmp/$P.n1" | awk '$2 != $3 && $3 !~ /@r4$/' | wc -l)
	[ "$out" = 0 ] && [ "$(kr reads)" = "$r0" ]
	result "a path added (a new set) by a patch: no flow moves but to the newcomer" $? \
		"$out elsewhere; reads $r0 -> $(kr reads); $(eset 198.19.60.0/24)"
	rt route replace 198.19.60.0/24 proto bgp nexthop via 198.18.2.2 dev r2 \
		nexthop via 198.18.4.2 dev r4
	settled 198.19.60.0/24
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.n2"
	out=$(others_moved "/tmp/$P.n1" "/tmp/$P.n2" r1)
	[ "$out" = 0 ] && ! grep -q "@r1" "/tmp/$P.n2" && [ "$(kr reads)" = "$r0" ]
	result "a path withdrawn (a new set) by a patch: only its flows moved" $? \
		"$out others moved; reads $r0 -> $(kr reads)"
	rt route replace 198.19.61.0/24 proto bgp nexthop via 198.18.3.2 dev r3 weight 7 \
		nexthop via 198.18.4.2 dev r4
	for _ in $(seq 1 50); do
		d=$(table_diff)
		[ -z "$d" ] && break
		sleep 0.1
	done
	[ -z "$d" ] && [ "$(kr reads)" = "$r0" ] && [ "$(kr patches)" -ge $((p0 + 3)) ] &&
		topo_ctl "$P" nexthop show | grep -q "^198.18.3.2@r3\*7 "
	result "a new weight (a new nexthop, a new set) by a patch; the table is the kernel's" $? \
		"reads $r0 -> $(kr reads), patches $p0 -> $(kr patches); $(echo "$d" | head -3)"
}

# Route events over nexthop sets that have groups are applied alone
# (patches), without reading the table: adds, replaces, deletes, IPv4
# and IPv6; the result is exactly the kernel's table and exactly what a
# whole read gives.
test_patches() {
	local r0 p0 r1 p1 d before after rc
	rt route replace 198.19.60.0/24 proto bgp nexthop via 198.18.1.2 dev r1 \
		nexthop via 198.18.2.2 dev r2
	rt route replace 198.19.61.0/24 proto bgp via 198.18.3.2 dev r3
	rt -6 route replace 2001:db8:100:61::/64 proto bgp via 2001:db8:3::2 dev r3
	settled 198.19.60.0/24 && settled 198.19.61.0/24 && settled 2001:db8:100:61::/64
	sleep 0.3
	r0=$(kr reads) p0=$(kr patches)
	: > "/tmp/$P.churn"
	for i in $(seq 0 99); do
		echo "route add 198.19.62.$i/32 proto bgp nexthop via 198.18.1.2 dev r1 nexthop via 198.18.2.2 dev r2"
		[ $((i % 2)) = 0 ] && echo "route replace 198.19.62.$i/32 proto bgp via 198.18.3.2 dev r3"
		[ $((i % 3)) = 0 ] && echo "route del 198.19.62.$i/32"
		echo "route add 2001:db8:100:62::$i/128 proto bgp via 2001:db8:3::2 dev r3"
		[ $((i % 4)) = 0 ] && echo "route del 2001:db8:100:62::$i/128"
	done >> "/tmp/$P.churn"
	rt -batch "/tmp/$P.churn"
	for _ in $(seq 1 50); do
		d=$(table_diff)
		[ -z "$d" ] && break
		sleep 0.1
	done
	r1=$(kr reads) p1=$(kr patches)
	[ -z "$d" ] && [ "$r1" = "$r0" ] && [ $((p1 - p0)) -ge 300 ]
	rc=$?	# before the $(...) in the name, which would reset $?
	result "$(wc -l < "/tmp/$P.churn") route events applied alone (no table read): ecmpd's table is the kernel's" $rc \
		"reads $r0 -> $r1, patches $p0 -> $p1; $(echo "$d" | head -3)"
	patch_new_sets
	r1=$(kr reads)
	before=$(topo_ctl "$P" route show; topo_ctl "$P" -j stats | python3 -c '
import json, sys; k = json.load(sys.stdin)["kernel_routes"]; print(k["prefixes"], k["mirrored"], k["skipped"])')
	# A new nexthop object names no route yet: no read; nor does one
	# removed that no route names (zebra's groups its routes left). One
	# removed with a route over it takes the route along unannounced:
	# ecmpd removes that route alone too. Then a whole read (a link a
	# route goes through going down: the kernel flushes such routes
	# unannounced) must find what the patches made.
	rt nexthop add id 990 via 198.18.1.2 dev r1
	rt nexthop add id 991 via 198.18.2.2 dev r2
	rt nexthop add id 992 group 990/991
	sleep 0.3
	[ "$(kr reads)" = "$r1" ]
	result "new nexthop objects: no table read" $? "reads $r1 -> $(kr reads)"
	rt nexthop del id 991
	sleep 0.3
	[ "$(kr reads)" = "$r1" ]
	result "an object no route names removed (and out of its group): no table read" $? \
		"reads $r1 -> $(kr reads)"
	rt route add 198.19.63.0/24 nhid 992 proto bgp
	wait_set 198.19.63.0/24 "198.18.1.2@r1"
	result "a route over the group the removal left: mirrored as the kernel has it" $? \
		"$(eset 198.19.63.0/24) / $(kset 198.19.63.0/24)"
	rt nexthop del id 990
	wait_set 198.19.63.0/24 "" && [ "$(kr reads)" = "$r1" ] && [ -z "$(table_diff)" ]
	result "an object removed that empties the group a route names: the route goes alone, no read" $? \
		"$(eset 198.19.63.0/24); reads $r1 -> $(kr reads); $(table_diff | head -3)"
	rt link add "$P-dm" type veth peer name "$P-dn"
	rt addr add 198.18.99.1/24 dev "$P-dm"
	rt link set "$P-dn" up
	rt link set "$P-dm" up
	wait_until 30 sh -c "ip -n $P-rt route show dev $P-dm | grep -q 198.18.99.0/24"
	sleep 0.3
	rt link set "$P-dm" down
	for _ in $(seq 1 50); do
		[ "$(kr reads)" != "$r1" ] && break
		sleep 0.1
	done
	rt link del "$P-dm"
	sleep 0.3
	after=$(topo_ctl "$P" route show; topo_ctl "$P" -j stats | python3 -c '
import json, sys; k = json.load(sys.stdin)["kernel_routes"]; print(k["prefixes"], k["mirrored"], k["skipped"])')
	[ "$(kr reads)" != "$r1" ] && [ "$before" = "$after" ]
	result "a whole read after the patches changes nothing (routes, groups, counts)" $? \
		"$(diff <(echo "$before") <(echo "$after") | head -5)"
	sed -n 's/^route add \([^ ]*\) .*/route del \1/p' \
		"/tmp/$P.churn" | rt -force -batch - 2>/dev/null
	rt route del 198.19.60.0/24
	rt route del 198.19.61.0/24
	rt -6 route del 2001:db8:100:61::/64
}

# Routes over the router's own addresses (a default route is over all
# of them): each change is a patch, no table read, and the addresses'
# entries follow what covers them. The kernel's own routes (a link's
# subnet, an IPv6 address's /128) are in the mirror as the kernel's, a
# connected entry over those addresses; the IPv4 addresses of a
# loopback (a router's, kube-proxy's service addresses) have none, and
# their entries come and go with the routes over them; a route of
# exactly such a host prefix lies under its entry and comes back when
# the address goes. After each step a whole build (reload) must find the
# table as the patches left it.
own_view() {
	topo_ctl "$P" route show | sort
	lookup_view 198.18.70.5 198.18.70.7 198.18.71.9 198.18.71.10 198.18.72.1 198.18.1.1 \
		2001:db8:200:3::9 2001:db8:200:2::1
}
# own_step NAME CHECK-REGEX...: the table settles, each REGEX matches a
# line of the view (a leading ! : none does), and a reload agrees.
own_step() {
	local name=$1 out after bad="" re
	shift
	wait_until 50 eval '[ "$(kr last_patch_us)" != "$OWN_LAST" ] || [ "$(own_view)" != "$OWN_PREV" ]'
	sleep 0.3
	OWN_LAST=$(kr last_patch_us)
	out=$(own_view)
	for re in "$@"; do
		if [ "${re#!}" != "$re" ]; then
			echo "$out" | grep -qE "${re#!}" && bad+=" has /${re#!}/;"
		else
			echo "$out" | grep -qE "$re" || bad+=" lacks /$re/;"
		fi
	done
	topo_ctl "$P" reload >/dev/null
	after=$(own_view)
	[ "$out" = "$after" ] || bad+=" a reload changed: $(diff <(echo "$out") <(echo "$after") | tr '\n' ' ')"
	if [ -n "${OWN_READ_MUST:-}" ]; then
		[ "$(kr reads)" -gt "$OWN_READS" ] || bad+=" no table read;"
	else
		[ "$(kr reads)" = "$OWN_READS" ] || bad+=" reads $OWN_READS -> $(kr reads);"
	fi
	OWN_READS=$(kr reads)
	[ -z "$bad" ]
	result "over own addresses: $name" $? "$bad"$'\n'"$out"
	OWN_PREV=$after
}
test_over_addresses() {
	local a
	for a in 198.18.70.5/24 198.18.71.9/32 198.18.71.10/32; do rt addr add $a dev lo; done
	rt addr add 2001:db8:200:3::9/128 dev lo nodad
	sleep 0.5
	OWN_READS=$(kr reads) OWN_LAST=$(kr last_patch_us) OWN_PREV=$(own_view)
	OWN_CAUSE=$(krc address)
	rt route add 198.18.64.0/18 proto bgp via 198.18.1.2 dev r1
	own_step "a route over them comes: their host entries" \
		'^198.18.71.9/32 local$' '^198.18.71.10/32 local$' '^198.18.70.0/24 connected$' \
		'^198.18.70.5/32 local$' '^198.18.72.1 forwarded' '^198.18.70.7 connected'
	rt route replace 198.18.64.0/18 proto bgp via 198.18.2.2 dev r2
	own_step "the route to another nexthop: the entries stay" \
		'^198.18.71.9/32 local$' '^198.18.71.10/32 local$' '^198.18.72.1 forwarded'
	rt route add 198.18.71.9/32 proto bgp via 198.18.3.2 dev r3
	own_step "a route of exactly an address's host prefix: under its entry" \
		'^198.18.71.9/32 local$' '^198.18.71.9 local'
	rt route del 198.18.64.0/18 proto bgp
	own_step "the route over them gone: their entries go, but the one a route keeps" \
		'^198.18.71.9/32 local$' '!^198.18.71.10/' '^198.18.71.10 no_route' '^198.18.72.1 no_route' \
		'!^198.18.70.0/24'
	# An IPv4 address gone may take routes along unannounced, but not
	# this one: neither a route's source nor its link's last address.
	rt addr del 198.18.71.9/32 dev lo
	own_step "the address gone: the route of its host prefix is back (no read)" \
		'^198.18.71.9/32 group' '^198.18.71.9 forwarded'
	rt addr add 198.18.71.11/32 dev lo
	rt route add 198.18.77.0/24 proto bgp via 198.18.1.2 dev r1 src 198.18.71.11
	own_step "a route whose source is an own address" '^198.18.77.0/24 group'
	rt addr del 198.18.71.11/32 dev lo
	OWN_READ_MUST=1 own_step "its source address gone takes it along: the table read" \
		'!^198.18.77.0/24'
	[ "$(krc address)" = $((OWN_CAUSE + 1)) ]
	result "that read, and it alone, counted for an address" $? "address $OWN_CAUSE -> $(krc address)"
	rt route add default proto bgp via 198.18.1.2 dev r1
	rt -6 route add default proto bgp via 2001:db8:1::2 dev r1
	own_step "a default route: the entries of every address" \
		'^198.18.71.10/32 local$' '^2001:db8:200:3::9/128 local$' '^198.18.72.1 forwarded' \
		'^2001:db8:200:2::1 forwarded' '^198.18.1.1 local'
	rt route replace default proto bgp via 198.18.2.2 dev r2
	rt -6 route replace default proto bgp via 2001:db8:2::2 dev r2
	own_step "the default route to another nexthop: a patch, the entries stay" \
		'^198.18.71.10/32 local$' '^2001:db8:200:3::9/128 local$' '^2001:db8:200:2::1 forwarded'
	rt route del default proto bgp
	rt -6 route del default proto bgp
	own_step "the default route gone: the entries it alone made go" \
		'!^198.18.71.10/' '^198.18.71.9/32 group' '^2001:db8:200:2::1 no_route' \
		'^2001:db8:200:3::9/128 local$'
	rt route del 198.18.71.9/32 proto bgp
	rt addr del 198.18.70.5/24 dev lo
	rt addr del 198.18.71.10/32 dev lo
	rt addr del 2001:db8:200:3::9/128 dev lo
	last_address
}

# A link's last IPv4 address removed: the kernel flushes every route
# through the link without a word (a /32 and an onlink route, so that no
# route has the address as its source). Two addresses, the first removed
# reads nothing; the last reads, and the route ecmpd listed is gone.
last_address() {
	local r0 r1 out
	rt link add "$P-x1" type veth peer name "$P-x2"
	rt link set "$P-x1" up
	rt link set "$P-x2" up
	rt addr add 198.18.78.1/32 dev "$P-x1"
	rt addr add 198.18.78.3/32 dev "$P-x1"
	rt route add 198.18.79.0/24 proto bgp via 198.18.78.2 dev "$P-x1" onlink
	wait_until 50 eval '[ -n "$(topo_ctl "$P" route show all 198.18.79.0/24)" ]'
	sleep 0.3
	r0=$(kr reads)
	rt addr del 198.18.78.3/32 dev "$P-x1"
	sleep 0.5
	r1=$(kr reads)
	out=$(topo_ctl "$P" route show all 198.18.79.0/24)
	[ "$r1" = "$r0" ] && [ -n "$out" ]
	result "a link's address gone, another left: no table read, its route kept" $? \
		"reads $r0 -> $r1: $out"
	rt addr del 198.18.78.1/32 dev "$P-x1"
	wait_until 50 eval '[ -z "$(topo_ctl "$P" route show all 198.18.79.0/24)" ]'
	out=$(topo_ctl "$P" route show all 198.18.79.0/24)
	[ -z "$(rt route show 198.18.79.0/24)" ] && [ -z "$out" ] && [ "$(kr reads)" -gt "$r1" ]
	result "its last address gone: the route the kernel flushed unannounced is gone (read)" $? \
		"kernel: $(rt route show 198.18.79.0/24); ecmpd: $out; reads $r1 -> $(kr reads)"
	rt link del "$P-x1"
}

# A table past the trie's capacity: nothing of it goes in, the config's
# routes stay, the kernel forwards it, ecmpd says why; smaller again: in.
test_too_big() {
	local out
	# Host routes in fives, each five under a /120 of its own somewhere
	# in 2a00::/12: more than a tail holds, so each five needs a chain
	# of 13 chunks and a run list (1,600 fives: about 21,000 chunks,
	# past the 16,384).
	awk 'BEGIN { srand(3); for (g = 0; g < 1600; g++) {
		p = sprintf("2a0%x:%x:%x:%x:%x:%x:%x", int(rand() * 16), int(rand() * 65536),
			    int(rand() * 65536), int(rand() * 65536), int(rand() * 65536),
			    int(rand() * 65536), int(rand() * 65536))
		for (k = 1; k <= 5; k++)
			printf "route add %s:%x/128 proto bgp via 2001:db8:1::2 dev r1\n", p, k } }' \
		> "/tmp/$P.big"
	rt -batch "/tmp/$P.big"
	for _ in $(seq 1 100); do
		[ "$(kr in_data_path)" = no ] && break
		sleep 0.1
	done
	out=$(kr error)
	[ "$(kr in_data_path)" = no ] && echo "$out" | grep -q "trie chunks of ecmp_lpm_node" &&
		topo_ctl "$P" stats --format prometheus |
			grep -qx 'ecmp_route_source_in_data_path{source="kernel"} 0' &&
		topo_ctl "$P" route show 198.19.0.0/16 | grep -q "^198.19.0.0/16 group web source config$" &&
		[ "$(grep -c "Mirrored routes (kernel, fpm) not applied" "/tmp/$P.ecmpd.log")" = 1 ]
	result "a table past the trie: the kernel's, the config's routes kept, said once (and to Prometheus)" $? "$out"
	sed 's/^route add \([^ ]*\) .*/route del \1/' "/tmp/$P.big" | rt -batch -
	for _ in $(seq 1 100); do
		[ "$(kr in_data_path)" = yes ] && break
		sleep 0.1
	done
	[ "$(kr in_data_path)" = yes ] && settled 198.19.200.0/24 &&
		topo_ctl "$P" stats --format prometheus |
			grep -qx 'ecmp_route_source_in_data_path{source="kernel"} 1'
	result "the table small again: mirrored (and said so to Prometheus)" $? "$(kr error)"
}

# Routes over nexthop objects (as FRR installs them), with
# nexthop_compat_mode 1: a plain group, a weighted resilient one, and a
# group changed in place (`ip nexthop replace`), which the kernel
# announces as route changes.
# "buckets idle_timer_ms unbalanced_timer_ms" of PREFIX's mirrored group.
gtable() {
	local g
	g=$(topo_ctl "$P" -j route show "$1" | python3 -c '
import json, sys
print(next((r["group"] for r in json.load(sys.stdin) if r["prefix"] == sys.argv[1]), ""))' "$1")
	[ -n "$g" ] && topo_ctl "$P" -j group show "$g" | python3 -c '
import json, sys
g = json.load(sys.stdin)[0]
print(g["buckets"], g["idle_timer_ms"], g["unbalanced_timer_ms"])'
}

# The mirrored group of PREFIX, by name.
eset_group() {
	topo_ctl "$P" -j route show "$1" | python3 -c '
import json, sys
print(next((r["group"] for r in json.load(sys.stdin) if r["prefix"] == sys.argv[1]), ""))' "$1"
}

# in_place ID GROUP PREFIX "SET" DEV WHAT: `ip nexthop replace id ID group
# GROUP`, PREFIX's routes over it: ecmpd's set becomes SET with no table
# read, in the group the prefix had (changed in place), and of 1,000 flows
# only those of DEV's departed nexthop moved.
in_place() {
	local r0 x0 g0 out
	lookup_flows 198.18.0.1 "${3%0/24}9" > "/tmp/$P.o0"
	r0=$(kr reads) x0=$(kr regroups) g0=$(eset_group "$3")
	rt nexthop replace id "$1" group "$2"
	wait_set "$3" "$4"
	lookup_flows 198.18.0.1 "${3%0/24}9" > "/tmp/$P.o1"
	out=$(others_moved "/tmp/$P.o0" "/tmp/$P.o1" "$5")
	[ "$(eset "$3")" = "$4" ] && [ "$(kr reads)" = "$r0" ] &&
		[ "$(kr regroups)" = $((x0 + 1)) ] && [ "$(eset_group "$3")" = "$g0" ] &&
		[ "$out" = 0 ] && ! grep -q "@$5" "/tmp/$P.o1"
	result "$6: ip nexthop replace of the group: changed in place (no read), only $5's flows moved" $? \
		"$(eset "$3"); reads $r0 -> $(kr reads), regroups $x0 -> $(kr regroups), group $g0 -> $(eset_group "$3"), $out others moved"
}

test_nhobjects() {
	rt nexthop add id 901 via 198.18.1.2 dev r1
	rt nexthop add id 902 via 198.18.2.2 dev r2
	rt nexthop add id 903 via 198.18.3.2 dev r3
	rt nexthop add id 910 group 901/902
	rt nexthop add id 911 group 901,3/903 type resilient buckets 100 idle_timer 5 unbalanced_timer 20
	rt route add 198.19.250.0/24 nhid 910 proto bgp
	rt route add 198.19.251.0/24 nhid 911 proto bgp
	settled 198.19.250.0/24 && [ "$(eset 198.19.250.0/24)" = "198.18.1.2@r1 198.18.2.2@r2" ]
	result "route over a nexthop group object: mirrored" $? "$(eset 198.19.250.0/24)"
	settled 198.19.251.0/24 && [ "$(eset 198.19.251.0/24)" = "198.18.1.2@r1*3 198.18.3.2@r3" ]
	result "over a weighted resilient group: mirrored with its weights" $? "$(eset 198.19.251.0/24)"
	[ "$(gtable 198.19.251.0/24)" = "128 5000 20000" ] && [ "$(gtable 198.19.250.0/24)" = "4096 1000 10000" ]
	result "the resilient group's buckets (100: 128) and timers; the other's defaults" $? \
		"$(gtable 198.19.251.0/24) / $(gtable 198.19.250.0/24)"
	in_place 910 "901/903" 198.19.250.0/24 "198.18.1.2@r1 198.18.3.2@r3" r2 "compat mode 1"
	rt route del 198.19.250.0/24
	rt route del 198.19.251.0/24
	rt nexthop del id 910
	rt nexthop del id 911
	for i in 901 902 903; do rt nexthop del id $i 2>/dev/null; done
}

# nexthop_compat_mode 0: a route names its object alone, and a change of
# the object comes as a nexthop message only (no route message): ecmpd
# reads the objects and expands the routes itself.
test_nhobjects_compat0() {
	local mode
	mode=$(ip netns exec "$P-rt" sysctl -n net.ipv4.nexthop_compat_mode)
	ip netns exec "$P-rt" sysctl -qw net.ipv4.nexthop_compat_mode=0
	rt nexthop add id 921 via 198.18.1.2 dev r1
	rt nexthop add id 922 via 198.18.2.2 dev r2
	rt nexthop add id 923 via 198.18.3.2 dev r3
	rt nexthop add id 924 via 2001:db8:1::2 dev r1
	rt nexthop add id 925 via 2001:db8:2::2 dev r2
	rt nexthop add id 930 group 921/922
	rt nexthop add id 931 group 921,3/923 type resilient buckets 64 idle_timer 3 unbalanced_timer 0
	rt nexthop add id 932 group 924/925
	rt route add 198.19.252.0/24 nhid 930 proto bgp
	rt route add 198.19.253.0/24 nhid 931 proto bgp
	rt -6 route add 2001:db8:100:300::/64 nhid 932 proto bgp
	rt -j route show 198.19.252.0/24 | grep -q '"nexthops"'
	[ $? != 0 ] && wait_set 198.19.252.0/24 "198.18.1.2@r1 198.18.2.2@r2"
	result "compat mode 0: a route naming a group object alone, mirrored" $? \
		"$(eset 198.19.252.0/24) / $(rt route show 198.19.252.0/24)"
	wait_set 198.19.253.0/24 "198.18.1.2@r1*3 198.18.3.2@r3" &&
		wait_set 2001:db8:100:300::/64 "2001:db8:1::2@r1 2001:db8:2::2@r2"
	result "compat mode 0: a weighted resilient group, and IPv6" $? \
		"$(eset 198.19.253.0/24) / $(eset 2001:db8:100:300::/64)"
	[ "$(gtable 198.19.253.0/24)" = "64 3000 0" ]
	result "compat mode 0: the resilient group's buckets and timers (unbalanced 0: never)" $? \
		"$(gtable 198.19.253.0/24)"
	in_place 930 "921/923" 198.19.252.0/24 "198.18.1.2@r1 198.18.3.2@r3" r2 "compat mode 0"
	# A path object replaced: both groups holding it follow, in place.
	local r0 g0 g1
	r0=$(kr reads) g0=$(eset_group 198.19.252.0/24) g1=$(eset_group 198.19.253.0/24)
	rt nexthop replace id 923 via 198.18.4.2 dev r4
	wait_set 198.19.252.0/24 "198.18.1.2@r1 198.18.4.2@r4" &&
		wait_set 198.19.253.0/24 "198.18.1.2@r1*3 198.18.4.2@r4" &&
		[ "$(kr reads)" = "$r0" ] && [ "$(eset_group 198.19.252.0/24)" = "$g0" ] &&
		[ "$(eset_group 198.19.253.0/24)" = "$g1" ]
	result "compat mode 0: a path object replaced: the two groups holding it follow in place, no read" $? \
		"$(eset 198.19.252.0/24) / $(eset 198.19.253.0/24); reads $r0 -> $(kr reads)"
	# Removed: the kernel takes it out of both groups, which shrink.
	rt nexthop del id 923
	wait_set 198.19.252.0/24 "198.18.1.2@r1" && wait_set 198.19.253.0/24 "198.18.1.2@r1*3" &&
		[ "$(kr reads)" = "$r0" ] && [ "$(eset_group 198.19.252.0/24)" = "$g0" ] &&
		[ "$(eset_group 198.19.253.0/24)" = "$g1" ]
	result "compat mode 0: a path object removed: the groups holding it shrink in place, no read" $? \
		"$(eset 198.19.252.0/24) / $(eset 198.19.253.0/24); reads $r0 -> $(kr reads)"
	# The last member removed: the kernel takes the routes over the
	# groups it empties along, and in compat mode 0 an IPv6 route naming
	# an object removed too, unannounced. ecmpd removes them alone.
	rt route add 198.19.254.0/24 proto bgp via 198.18.2.2 dev r2
	settled 198.19.254.0/24
	r0=$(kr reads)
	rt nexthop del id 921
	rt nexthop del id 932
	wait_set 198.19.252.0/24 "" && wait_set 198.19.253.0/24 "" &&
		wait_set 2001:db8:100:300::/64 "" && [ "$(kr reads)" = "$r0" ] &&
		[ -n "$(eset 198.19.254.0/24)" ] && [ -z "$(table_diff)" ]
	result "compat mode 0: objects removed with routes over them: the routes go alone, no read, the others stay" $? \
		"$(eset 198.19.252.0/24) / $(eset 2001:db8:100:300::/64); reads $r0 -> $(kr reads); $(table_diff | head -3)"
	rt route del 198.19.254.0/24
	for i in 930 931 932 921 922 923 924 925; do rt nexthop del id $i 2>/dev/null; done
	ip netns exec "$P-rt" sysctl -qw net.ipv4.nexthop_compat_mode="$mode"
}

# Events lost (a receive buffer shrunk to 4 KiB for the test): ecmpd reads
# the table again and ends with exactly the kernel's. ecmpd is stopped
# while the burst goes in, as a busy daemon would be: it applies 3,000
# host routes as fast as ip sends them now, so a small buffer alone no
# longer overflows for sure.
test_overrun() {
	local before e
	pkill -9 -f -- "--socket /tmp/$P.sock"
	sleep 0.3
	rm -f "/tmp/$P.sock"
	if ! topo_ecmpd "$P" "$CONF" --netlink-rcvbuf 4096; then
		result "ecmpd --netlink-rcvbuf 4096" 1
		return
	fi
	sleep 0.5
	before=$(kr mirrored)
	seq 0 2999 | awk '{ printf "route add 198.19.%d.%d/32 proto bgp nexthop via 198.18.%d.2 dev r%d nexthop via 198.18.3.2 dev r3\n",
		100 + int($1 / 250), $1 % 250, 1 + $1 % 2, 1 + $1 % 2 }' > "/tmp/$P.burst"
	pkill -STOP -f -- "--socket /tmp/$P.sock"
	rt -batch "/tmp/$P.burst"
	pkill -CONT -f -- "--socket /tmp/$P.sock"
	sleep 1
	e=$(kr mirrored)
	[ "$(kr netlink_overruns)" -ge 1 ] && [ "$e" = $((before + 3000)) ] &&
		[ "$(krc events_lost)" -ge 1 ] &&
		[ "$(eset 198.19.111.249/32)" = "$(kset 198.19.111.249/32)" ]
	result "3,000 routes in one burst, events overrun: all mirrored as the kernel has them" $? \
		"overruns $(kr netlink_overruns), reads for lost events $(krc events_lost), mirrored $before then $e"
	sed 's/^route add \([^ ]*\) .*/route del \1/' "/tmp/$P.burst" | rt -batch -
	sleep 1
	[ "$(kr mirrored)" = "$before" ] && [ -z "$(eset 198.19.111.249/32)" ]
	result "and deleted in one burst: gone again" $? "mirrored $(kr mirrored), before $before, reads $(kr reads), patches $(kr patches), overruns $(kr netlink_overruns), kernel $(rt route show proto bgp | wc -l)"
}

# The config's routes in the kernel's FIB (fib.h): at a start they come
# from the mirror's read of the main table, not a second dump of it, and
# ecmpd's own copies are found (a restart changes nothing). A reload reads
# no table (route events kept the mirror current): the other protocols'
# routes at config prefixes come from the mirror, ecmpd's own from a dump
# the kernel filters; a config prefix the kernel routes with protocol bgp
# is left to it, a config route dropped by the reload goes from the FIB.
test_fib_from_read() {
	local out from reads log=/tmp/$P.fiblog
	topo_stop_ecmpd "$P" kill9
	rt route add 198.19.91.0/24 proto bgp via 198.18.4.2 dev r4
	from=$(($(wc -l < "/tmp/$P.ecmpd.log") + 1))
	if ! topo_ecmpd "$P" "$CONF" -v; then
		result "ecmpd -v" 1
		return
	fi
	sleep 0.5
	tail -n +"$from" "/tmp/$P.ecmpd.log" > "$log"
	out=$(grep -c "kernel FIB: the main table as the routes kernel read saw it (2 routes .*not read again" "$log")
	[ "$out" = 1 ] && ! grep -q "kernel FIB: .*File exists\|routes of protocol 236 changed" "$log"
	result "restart: ecmpd's 2 kernel routes found in the mirror's read, none written again" $? "$out"
	printf 'route 198.19.90.0/24 group web\nroute 198.19.91.0/24 group web\n' >> "$CONF"
	topo_ctl "$P" reload > /dev/null
	tail -n +"$from" "/tmp/$P.ecmpd.log" > "$log"
	out=$(rt route show 198.19.90.0/24; rt route show 198.19.91.0/24)
	[ "$(grep -c "not read again" "$log")" = 1 ] &&
		[ "$(grep -c "mirrored routes: not read (kept current by route events)" "$log")" = 1 ] &&
		grep -q "kernel FIB: 1 routes of other protocols at config prefixes as the mirror holds them, 2 of ecmpd's read (a dump the kernel filters)" "$log" &&
		echo "$out" | grep -q "^198.19.90.0/24 proto 236" &&
		[ "$(echo "$out" | grep -c "^198.19.91.0/24")" = 1 ] &&
		echo "$out" | grep -q "^198.19.91.0/24 via 198.18.4.2 dev r4 proto bgp" &&
		grep -q "route 198.19.91.0/24: the kernel routes it already (protocol 186, not ecmpd's): left as it is" "$log"
	result "reload: a new config route in the FIB, one the kernel routes with bgp left; no table read whole" $? "$out"
	# The bgp route at a config prefix goes, and ecmpd's own at the
	# other is deleted by hand: both config routes are back in the FIB
	# (within the second links_back() waits between two syncs).
	rt route del 198.19.91.0/24 proto bgp
	rt route del 198.19.90.0/24 proto 236
	for _ in $(seq 1 50); do
		out=$(rt route show 198.19.90.0/24; rt route show 198.19.91.0/24)
		[ "$(echo "$out" | grep -c "proto 236")" = 2 ] && break
		sleep 0.1
	done
	[ "$(echo "$out" | grep -c "proto 236")" = 2 ]
	result "the bgp route at a config prefix gone, ecmpd's own deleted: both back in the FIB" $? "$out"
	# bgp takes the prefix again, as a routing daemon replaces a route.
	# Its event first (a config prefix's: the table is read), then the
	# reload, which then has nothing to read (else the two race).
	reads=$(kr reads)
	rt route replace 198.19.91.0/24 proto bgp via 198.18.4.2 dev r4
	wait_until 50 eval '[ "$(kr reads)" != "$reads" ]'
	sed -i '/^route 198.19.9[01].0\/24 group web$/d' "$CONF"
	topo_ctl "$P" reload > /dev/null
	tail -n +"$from" "/tmp/$P.ecmpd.log" > "$log"
	out=$(rt route show 198.19.90.0/24; rt route show 198.19.91.0/24)
	[ "$(grep -c "mirrored routes: not read" "$log")" = 2 ] &&
		[ "$out" = "198.19.91.0/24 via 198.18.4.2 dev r4 proto bgp " ]
	result "reload: the dropped config route gone from the FIB, bgp's kept" $? "$out"
	rt route del 198.19.91.0/24
	rm -f "$log"
}

# A reload takes the mirrored routes as route events left them: no read
# of the table (a full table's costs seconds), the same routes, groups and
# buckets after it. One that changes what is mirrored (the protocols)
# reads the table, and the routes of the protocol it adds come in.
test_reload() {
	local r0 before after out
	rt route add 198.19.95.0/24 proto bgp nexthop via 198.18.1.2 dev r1 nexthop via 198.18.2.2 dev r2
	rt route add 198.19.96.0/24 proto ospf via 198.18.3.2 dev r3
	wait_set 198.19.95.0/24 "198.18.1.2@r1 198.18.2.2@r2"
	sleep 0.3
	r0=$(kr reads)
	before=$(topo_ctl "$P" route show; topo_ctl "$P" group show)
	out=$(topo_ctl "$P" reload 2>&1)
	after=$(topo_ctl "$P" route show; topo_ctl "$P" group show)
	[ "$(kr reads)" = "$r0" ] && [ "$before" = "$after" ] && [ -z "$(table_diff)" ] &&
		echo "$out" | grep -q "0 buckets moved"
	result "reload of the same config: no table read, routes and groups the same" $? \
		"$out; reads $r0 -> $(kr reads); $(diff <(echo "$before") <(echo "$after") | head -5)"
	[ -z "$(eset 198.19.96.0/24)" ]
	result "a route of protocol ospf, not mirrored: the kernel's" $? "$(eset 198.19.96.0/24)"
	sed -i 's/^routes kernel table main protocol bgp static$/& ospf/' "$CONF"
	out=$(topo_ctl "$P" reload 2>&1)
	wait_set 198.19.96.0/24 "198.18.3.2@r3" && [ "$(kr reads)" -gt "$r0" ]
	result "reload that adds protocol ospf: the table read, its route mirrored" $? \
		"$out; reads $r0 -> $(kr reads); $(eset 198.19.96.0/24)"
	sed -i 's/^\(routes kernel table main protocol bgp static\) ospf$/\1/' "$CONF"
	topo_ctl "$P" reload > /dev/null
	wait_set 198.19.96.0/24 ""
	result "and removed again: the table read, the ospf route the kernel's again" $? \
		"$(eset 198.19.96.0/24)"
	rt route del 198.19.95.0/24
	rt route del 198.19.96.0/24
}

# `routes kernel` taken out by a reload right after a route left its
# group empty (before the tick that drops such groups): the mirror's
# state pointed into the merged config the reload replaced, and the tick
# wrote past it (ecmpd died). Five rounds, each one out and in again.
test_mirror_off() {
	local k ok=0 detail=""
	cp "$CONF" "/tmp/$P.on"
	grep -v '^routes kernel' "/tmp/$P.on" > "/tmp/$P.off"
	for k in 1 2 3 4 5; do
		rt route add 198.19.97.0/24 proto static via 198.18.4.2 dev r4
		wait_set 198.19.97.0/24 "198.18.4.2@r4" || { ok=1; detail="$detail round $k: not mirrored;"; }
		cp "/tmp/$P.off" "$CONF"
		rt route del 198.19.97.0/24 && topo_ctl "$P" reload > /dev/null 2>&1
		sleep 0.3
		topo_ctl "$P" stats > /dev/null 2>&1 ||
			{ ok=1; detail="$detail round $k: ecmpd gone;"; break; }
		[ -z "$(topo_ctl "$P" route show | grep 'source kernel')" ] ||
			{ ok=1; detail="$detail round $k: kernel routes left;"; }
		cp "/tmp/$P.on" "$CONF"
		topo_ctl "$P" reload > /dev/null 2>&1
		settled 198.19.200.0/24 || { ok=1; detail="$detail round $k: not back;"; }
	done
	result "routes kernel out by reload just after a route left its group, 5 rounds: ecmpd runs, the kernel's routes out and back" \
		$ok "$detail $(grep -i 'sanitizer\|overflow' "/tmp/$P.ecmpd.log" | head -2)"
	cp "/tmp/$P.on" "$CONF"
}

if ! setup; then
	result "setup" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
# An IPv4 route over IPv6 gateways (RFC 5549: `via inet6`, as BGP
# unnumbered installs them): mirrored, its members the IPv6 nexthops, and
# IPv4 frames forwarded by XDP to their MACs.
test_via6() {
	rt route add 198.19.201.0/24 proto bgp nexthop via inet6 2001:db8:1::2 dev r1 \
		nexthop via inet6 2001:db8:2::2 dev r2
	wait_set 198.19.201.0/24 "2001:db8:1::2@r1 2001:db8:2::2@r2"
	result "IPv4 route via inet6 gateways: mirrored over the IPv6 nexthops" $? \
		"$(eset 198.19.201.0/24)"
	lookup_flows 198.18.0.1 198.19.201.9 > "/tmp/$P.f0"
	[ "$(awk '{print $2}' "/tmp/$P.f0" | sort -u | tr '\n' ' ')" = "2001:db8:1::2@r1 2001:db8:2::2@r2 " ]
	result "lookup: 1,000 IPv4 flows over both IPv6 gateways" $? \
		"$(awk '{print $2}' "/tmp/$P.f0" | sort | uniq -c | tr '\n' ' ')"
	check_through_xdp 198.19.201.9 "/tmp/$P.f0"
	rt route del 198.19.201.0/24
}

# BGP unnumbered (FRR's `neighbor IFNAME interface`) installs IPv6 routes
# over the peers' link-local addresses, and IPv4 ones over the same
# (RFC 5549). Peers often have the same one, fe80::1, on every link: two
# nexthops with one address, told apart by the interface alone (their
# neighbours, MACs and flows too).
test_link_local() {
	local n v6=2001:db8:100:202::/64
	for n in 1 2; do
		ip -n "$P-n$n" addr add fe80::1/64 dev n0 nodad
	done
	rt -6 route add $v6 proto bgp nexthop via fe80::1 dev r1 nexthop via fe80::1 dev r2
	rt route add 198.19.202.0/24 proto bgp nexthop via inet6 fe80::1 dev r1 \
		nexthop via inet6 fe80::1 dev r2
	wait_set $v6 "fe80::1@r1 fe80::1@r2" && wait_set 198.19.202.0/24 "fe80::1@r1 fe80::1@r2"
	result "routes over fe80::1 on two links (BGP unnumbered): mirrored, IPv6 and IPv4" $? \
		"$(eset $v6) / $(eset 198.19.202.0/24)"
	lookup_flows 2001:db8::1 2001:db8:100:202::9 > "/tmp/$P.f6"
	check_through_xdp 2001:db8:100:202::9 "/tmp/$P.f6" 2001:db8::1
	lookup_flows 198.18.0.1 198.19.202.9 > "/tmp/$P.f4"
	check_through_xdp 198.19.202.9 "/tmp/$P.f4"
	rt -6 route del $v6
	rt route del 198.19.202.0/24
	for n in 1 2; do
		ip -n "$P-n$n" addr del fe80::1/64 dev n0
	done
}

test_selectors() {
	local out
	rt route add 198.19.240.0/24 proto bgp via 198.18.1.2 dev r1
	rt -6 route add 2001:db8:240::/48 proto bgp via 2001:db8:1::2 dev r1
	wait_set 198.19.240.0/24 "198.18.1.2@r1" && wait_set 2001:db8:240::/48 "2001:db8:1::2@r1"
	result "plain routes mirrored" $? "$(eset 198.19.240.0/24) / $(eset 2001:db8:240::/48)"
	rt route add 198.19.240.0/24 tos 0x10 proto static via 198.18.2.2 dev r2 metric 500
	rt -6 route add 2001:db8:240::/48 from 2001:db8:5::/48 proto bgp via 2001:db8:2::2 dev r2
	wait_set 198.19.240.0/24 "" && wait_set 2001:db8:240::/48 ""
	out=$(topo_ctl "$P" route show all 198.19.240.0/24; topo_ctl "$P" route show all 2001:db8:240::/48)
	echo "$out" | grep -qx "198.19.240.0/24 connected protocol static metric 500 kernel_route selector" &&
		echo "$out" | grep -qE "^2001:db8:240::/48 .*kernel_route selector$" &&
		[ "$(topo_ctl "$P" -j lookup 198.18.0.1 198.19.240.5 udp 1000 5001 | python3 -c '
import json, sys
print(json.load(sys.stdin).get("nexthop", "-"))')" = - ]
	result "a TOS route and an IPv6 source route: their prefixes the kernel's (selector)" $? "$out"
	rt route del 198.19.240.0/24 tos 0x10 proto static via 198.18.2.2 dev r2 metric 500
	rt -6 route del 2001:db8:240::/48 from 2001:db8:5::/48 proto bgp via 2001:db8:2::2 dev r2
	wait_set 198.19.240.0/24 "198.18.1.2@r1" && wait_set 2001:db8:240::/48 "2001:db8:1::2@r1"
	result "deleted: the plain routes mirrored again" $? "$(eset 198.19.240.0/24) / $(eset 2001:db8:240::/48)"
	rt route del 198.19.240.0/24 proto bgp
	rt -6 route del 2001:db8:240::/48 proto bgp
	rt route add 198.19.241.0/24 proto bgp via 198.18.1.2 dev r1 mtu 1400
	sleep 0.3
	out=$(topo_ctl "$P" route show all 198.19.241.0/24)
	echo "$out" | grep -qx "198.19.241.0/24 connected protocol bgp metric 0 kernel_route route_mtu"
	result "a route with its own MTU: the kernel's (route_mtu)" $? "$out"
	rt route del 198.19.241.0/24 proto bgp
}

# 100,001 routes take ~15 s under ASan: show_many runs in the plain run
# (make test runs both), as net/bgp does.
many=show_many
[ "${SANITIZE:-}" = 1 ] && many=
for t in ${ECMP_NET_TESTS:-multipath withdraw ipv6_edits metrics kernels $many link_down restart frr patches over_addresses too_big overrun nhobjects nhobjects_compat0 fib_from_read reload mirror_off via6 link_local onlink other_table frr_restart selectors}; do
	"test_$t"
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
