#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Routes from FRR zebra's Forwarding Plane Manager (`routes fpm listen`,
# user/ecmpd/fpm.h), with zebra (module dplane_fpm_nl) and staticd from
# Debian in the router:
#
#   client (c0) ----- (r0) router (r1..r4) ----- nh1..nh4   (scripts/topo.sh)
#
# ecmpd's config has no `routes kernel`: whatever it forwards beyond its
# own routes came over the FPM stream.
#  1. staticd's ECMP routes (IPv4, IPv6) arrive with source fpm, zebra's
#     nexthop groups with them; flows go through XDP to the nexthop
#     ecmpctl lookup names, one of zebra's for the prefix;
#  2. a path removed in FRR: only its flows move; a route removed: gone;
#     each change applied alone (patches, no merge of the whole table);
#  3. zebra and staticd killed and started again with a route fewer: the
#     routes stay while they are gone, zebra replays, the sweep removes the
#     missing route only, 0 flows of the others moved;
#  4. zebra with `no fpm use-next-hop-groups`: the same routes, inline;
#  5. ecmpd SIGKILLed and restarted: zebra's routes kept from the pins
#     until zebra replays them, 0 flows moved;
#  6. `routes fpm ... table 10000` by reload: zebra replays, its main
#     table's routes are ignored and swept; back to main, back in;
#  7. `routes fpm` removed by reload: its routes leave the data path;
#  8. a port probe and an HTTP check on the FPM port are refused, and
#     zebra's stream stays (no reconnect, no replay).

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=ef$$
CONF=/tmp/$P.conf
FRR=/tmp/$P.frr
. tests/net/lib.sh
. tests/net/frr.sh
. tests/net/fpm.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-fpm-last.log 2>/dev/null
	[ -d "$FRR" ] && frr_stop_dir "$FRR"
	rm -rf "$FRR"
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# zebra with the FPM module pointed at ecmpd (EXTRA: more zebra.conf).
zebra_start() {
	mkdir -p "$FRR"
	{
		echo "fpm address 127.0.0.1 port 2620"
		[ -n "${1:-}" ] && echo "$1"
	} > "$FRR/zebra.conf"
	frr_zebra "$P-rt" "$FRR" -M dplane_fpm_nl
}

staticd_start() { # [EXTRA-LINE]
	{
		printf 'ip route 198.19.60.0/24 198.18.%s.2\n' 1 2 3
		printf 'ip route 198.19.61.0/24 198.18.%s.2\n' 1 4
		printf 'ipv6 route 2001:db8:100:60::/64 2001:db8:%s::2\n' 1 2
		[ -n "${1:-}" ] && echo "$1"
	} > "$FRR/staticd.conf"
	frr_daemon "$P-rt" "$FRR" staticd -z "$FRR/zserv.api"
}

# FRR stops hard, zebra and staticd (as watchfrr would restart them).
frr_kill() {
	kill -9 "$(cat "$FRR/zebra.pid")" "$(cat "$FRR/staticd.pid")" 2>/dev/null
	sleep 0.3
}

vty_static() {
	nsx "$P-rt" vtysh --vty_socket "$FRR" -d staticd -c "configure terminal" -c "$1" > /dev/null
}

setup() {
	topo_create "$P" 4 || return 1
	ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	topo_config "$P" "$CONF"
	# zebra's daemons give their routes back within a second or two of
	# its restart here: 3 s before the stale ones go.
	echo "routes fpm listen 127.0.0.1 hold 30 sweep 3" >> "$CONF"
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8 && zebra_start &&
		staticd_start "ip route 198.19.62.0/24 198.18.4.2"
}

test_stream() {
	wait_route 198.19.60.0/24 "$V4" && wait_route 2001:db8:100:60::/64 "$V6"
	result "staticd's ECMP routes over zebra's FPM stream: source fpm" $? \
		"$(route_of 198.19.60.0/24) / $(route_of 2001:db8:100:60::/64) / state $(fs state)"
	# The protocol zebra names (staticd's, which FRR calls static) and
	# the metric it installs with: what ip route would show, were the
	# route in the kernel.
	topo_ctl "$P" route show all 198.19.60.0/24 |
		grep -qE "^198.19.60.0/24 group fpm:[0-9]+ source fpm protocol static metric [0-9]+$"
	result "route show all: zebra's protocol and metric for its routes" $? \
		"$(topo_ctl "$P" route show all 198.19.60.0/24)"
	# "replaying" until the sweep time (3 s) has passed since zebra connected.
	for _ in $(seq 1 100); do
		[ "$(fs state)" = connected ] && break
		sleep 0.1
	done
	[ "$(fs state)" = connected ] && [ "$(fs nexthop_groups)" -ge 1 ] && [ "$(fs malformed)" = 0 ]
	result "stats: connected, zebra's nexthop groups held, nothing malformed" $? \
		"state $(fs state), groups $(fs nexthop_groups), malformed $(fs malformed)"
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.f0"
	! grep -q "@r4" "/tmp/$P.f0"
	result "lookup: the 1,000 flows over zebra's 3 nexthops only" $?
	check_through_xdp 198.19.60.9 "/tmp/$P.f0"
}

test_withdraw() {
	local out m0 p0
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.q0"
	m0=$(fs whole_merges) p0=$(fs patches)
	vty_static "no ip route 198.19.60.0/24 198.18.2.2"
	wait_route 198.19.60.0/24 "fpm 198.18.1.2@r1 198.18.3.2@r3"
	result "FRR removes one path: ecmpd follows" $? "$(route_of 198.19.60.0/24)"
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.q1"
	out=$(others_moved "/tmp/$P.q0" "/tmp/$P.q1" r2)
	[ "$out" = 0 ] && ! grep -q "@r2" "/tmp/$P.q1"
	result "FRR removes one path: only its flows moved" $? "$out others moved"
	vty_static "ip route 198.19.60.0/24 198.18.2.2"
	wait_route 198.19.60.0/24 "$V4"
	result "and adds it back" $? "$(route_of 198.19.60.0/24)"
	vty_static "no ip route 198.19.61.0/24 198.18.1.2"
	vty_static "no ip route 198.19.61.0/24 198.18.4.2"
	wait_route 198.19.61.0/24 ""
	result "FRR removes a route: gone from the data path" $? "$(route_of 198.19.61.0/24)"
	# Each of those was zebra's change alone, applied alone: new sets,
	# zebra's new nexthop groups, a route gone; no merge of the table.
	[ "$(fs whole_merges)" = "$m0" ] && [ "$(fs patches)" -ge $((p0 + 3)) ]
	result "those changes applied one by one: no whole merge" $? \
		"merges $m0 -> $(fs whole_merges), patches $p0 -> $(fs patches)"
}

# FRR restarted with a route fewer: the rest replayed, the one missing
# swept, and no flow of the others moved.
test_zebra_restart() {
	local sweeps swept
	wait_route 198.19.62.0/24 "fpm 198.18.4.2@r4"
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.z0"
	sweeps=$(fs sweeps)
	swept=$(fs swept)
	frr_kill
	[ "$(fs state)" = lost ] && [ "$(route_of 198.19.60.0/24)" = "$V4" ] &&
		[ "$(route_of 198.19.62.0/24)" = "fpm 198.18.4.2@r4" ] &&
		topo_ctl "$P" stats --format prometheus | grep -qx "ecmp_fpm_connected 0"
	result "FRR killed: its routes stay (hold); Prometheus: not connected" $? "state $(fs state), $(route_of 198.19.60.0/24)"
	zebra_start && staticd_start
	for _ in $(seq 1 150); do
		[ "$(fs sweeps)" -gt "$sweeps" ] && break
		sleep 0.1
	done
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.z1"
	[ "$(fs sweeps)" -gt "$sweeps" ] && [ "$(fs swept)" = $((swept + 1)) ] &&
		[ "$(route_of 198.19.60.0/24)" = "$V4" ] && [ -z "$(route_of 198.19.62.0/24)" ] &&
		cmp -s "/tmp/$P.z0" "/tmp/$P.z1"
	result "FRR back: replay, the route it dropped swept, 0 of 1,000 other flows moved" $? \
		"sweeps $sweeps -> $(fs sweeps), swept $swept -> $(fs swept), 198.19.62.0/24: $(route_of 198.19.62.0/24), $(diff "/tmp/$P.z0" "/tmp/$P.z1" | grep -c '^>') moved"
}

test_no_nhg() {
	frr_kill
	zebra_start "no fpm use-next-hop-groups" && staticd_start
	for _ in $(seq 1 150); do
		[ "$(fs state)" = connected ] && [ "$(fs nexthop_groups)" = 0 ] && break
		sleep 0.1
	done
	[ "$(fs nexthop_groups)" = 0 ] && wait_route 198.19.60.0/24 "$V4" &&
		wait_route 2001:db8:100:60::/64 "$V6"
	result "no fpm use-next-hop-groups: the same routes, nexthops inline" $? \
		"groups $(fs nexthop_groups), $(route_of 198.19.60.0/24)"
}

test_ecmpd_restart() {
	local out
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.e0"
	pkill -9 -f -- "--socket /tmp/$P.sock"
	sleep 0.3
	rm -f "/tmp/$P.sock"
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8
	# Before zebra's stream is back: the pins' fpm routes, adopted.
	out=$(route_of 198.19.60.0/24)
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.e1"
	[ "$out" = "$V4" ] && cmp -s "/tmp/$P.e0" "/tmp/$P.e1"
	result "ecmpd SIGKILLed and restarted: zebra's routes adopted, 0 of 1,000 flows moved" $? \
		"$out, state $(fs state), $(diff "/tmp/$P.e0" "/tmp/$P.e1" | grep -c '^>') moved"
	for _ in $(seq 1 150); do
		[ "$(fs sweeps)" -ge 1 ] && break
		sleep 0.1
	done
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.e2"
	[ "$(fs sweeps)" -ge 1 ] && [ "$(fs swept)" = 0 ] && cmp -s "/tmp/$P.e0" "/tmp/$P.e2"
	result "zebra reconnects and replays: nothing swept, nothing moved" $? \
		"state $(fs state), sweeps $(fs sweeps), swept $(fs swept)"
}

# `table 10000` by reload (the table FRR 9.1's zebra -R 10000 installs
# in; this zebra streams main's): zebra's connection ends, its replay
# brings no route of that table, and the sweep takes the main ones out.
# Back to main: the same again, and the routes are back.
reload_and_replay() { # SED-EXPRESSION: the config changed, reloaded, zebra's replay swept (20 s)
	local s0
	s0=$(fs sweeps)
	sed -i "$1" "$CONF"
	topo_ctl "$P" reload > /dev/null
	for _ in $(seq 1 200); do
		[ "$(fs sweeps)" -gt "$s0" ] && return 0
		sleep 0.1
	done
	return 1
}

test_table() {
	local c0 s0
	wait_route 198.19.60.0/24 "$V4"
	c0=$(fs connections) s0=$(fs sweeps)
	reload_and_replay 's/^routes fpm listen 127.0.0.1 /&table 10000 /'
	[ "$(fs table)" = 10000 ] && [ "$(fs connections)" = $((c0 + 1)) ] &&
		[ "$(fs sweeps)" -gt "$s0" ] && [ "$(fs routes)" = 0 ] && [ "$(fs ignored)" -gt 0 ] &&
		[ -z "$(route_of 198.19.60.0/24)" ]
	result "routes fpm table 10000 by reload: zebra replays, its main routes ignored and swept" $? 		"table $(fs table), connections $c0 -> $(fs connections), sweeps $s0 -> $(fs sweeps), routes $(fs routes), ignored $(fs ignored), 198.19.60.0/24: $(route_of 198.19.60.0/24)"
	reload_and_replay 's/table 10000 //' && [ "$(fs table)" = 254 ] && wait_route 198.19.60.0/24 "$V4" &&
		wait_route 2001:db8:100:60::/64 "$V6"
	result "and back to main: the replay brings them back" $? 		"table $(fs table), $(route_of 198.19.60.0/24)"
}

test_removed() {
	sed -i '/^routes fpm/d' "$CONF"
	topo_ctl "$P" reload > /dev/null
	[ -z "$(route_of 198.19.60.0/24)" ] && [ -z "$(fs state)" ]
	result "routes fpm removed by reload: its routes leave the data path" $? \
		"$(route_of 198.19.60.0/24)"
}

# A port probe and an HTTP health check on zebra's FPM port while its
# stream is up: refused, and zebra's connection stays (no reconnect, no
# replay of its table).
test_probes() {
	local c0 r0 s0 i
	wait_route 198.19.60.0/24 "$V4"
	# Run alone, this case starts during zebra's first replay: its sweep
	# would count below.
	for i in $(seq 50); do
		[ "$(fs state)" = connected ] && break
		sleep 0.2
	done
	c0=$(fs connections) r0=$(fs refused) s0=$(fs sweeps)
	nsx "$P-rt" python3 -c '
import socket, time
quiet = socket.create_connection(("127.0.0.1", 2620))
http = socket.create_connection(("127.0.0.1", 2620))
http.sendall(b"GET / HTTP/1.0\r\n\r\n")
time.sleep(1)
quiet.close()
http.close()'
	sleep 4	# zebra would have reconnected (3 s) and its replay ended (sweep 3)
	[ "$(fs connections)" = "$c0" ] && [ "$(fs refused)" = $((r0 + 2)) ] &&
		[ "$(fs sweeps)" = "$s0" ] && [ "$(fs state)" = connected ] &&
		[ "$(fs in_data_path)" = yes ] && [ "$(route_of 198.19.60.0/24)" = "$V4" ]
	result "two probes of the FPM port refused; zebra's stream stays, no replay" $? \
		"connections $c0 -> $(fs connections), refused $r0 -> $(fs refused), sweeps $s0 -> $(fs sweeps), state $(fs state)"
	topo_ctl "$P" stats --format prometheus > "/tmp/$P.prom"
	grep -qx "ecmp_fpm_connected 1" "/tmp/$P.prom" &&
		grep -qx "ecmp_fpm_refused_total $((r0 + 2))" "/tmp/$P.prom" &&
		grep -qx "ecmp_fpm_connections_total $c0" "/tmp/$P.prom" &&
		grep -qx 'ecmp_route_source_in_data_path{source="fpm"} 1' "/tmp/$P.prom"
	result "prometheus: zebra connected, the probes refused, its routes in the data path" $? \
		"$(grep -E '^ecmp_(fpm|route_source)' "/tmp/$P.prom" | tr '\n' ' ')"
}

if ! setup; then
	result "setup (ecmpd, zebra with dplane_fpm_nl, staticd)" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
for t in ${ECMP_NET_TESTS:-stream probes withdraw zebra_restart no_nhg ecmpd_restart table removed}; do
	"test_$t"
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
