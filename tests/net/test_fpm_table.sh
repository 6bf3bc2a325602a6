#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# FRR's routes in the data path without the kernel forwarding with them:
# zebra of FRR 9.1 or later started with `-R 10000` installs its default
# VRF's routes in table 10000, which no `ip rule` looks up, and streams
# them over FPM naming that table; ecmpd takes them with `routes fpm
# listen 127.0.0.1 table 10000` (docs/CONFIG.md).
#
#   client (c0) ----- (r0) router (r1..r4) ----- nh1..nh4   (scripts/topo.sh)
#
#  1. staticd's ECMP routes (IPv4, IPv6) arrive with source fpm; the
#     kernel's main table has none of them, table 10000 has them;
#  2. 1,000 flows go through XDP to the nexthops lookup names, and the
#     kernel forwards none of them;
#  3. a path removed in FRR: only its flows move;
#  4. zebra, mgmtd and staticd killed and started again: zebra replays,
#     nothing is swept, 0 of 1,000 flows moved, still none in main;
#  5. and FRR 10 as most run it: zebra without -R installs in main, and
#     ecmpd, reloaded with `routes kernel` instead, mirrors the routes
#     (flows through XDP, a path removed moves only its flows).
#
# Debian 12's FRR is 8.4, which has no -R. The test runs the daemons under
# FRR_NEW (default /opt/frr10: sbin/zebra, sbin/mgmtd, sbin/staticd,
# bin/vtysh, which scripts/frr-new.sh builds from Debian 13's FRR 10.3
# source package; CI does), or the system's FRR when that is new enough;
# with neither it says so and runs nothing.

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=et$$
CONF=/tmp/$P.conf
FRR=/tmp/$P.frr
TABLE=10000
. tests/net/lib.sh
. tests/net/frr.sh
. tests/net/fpm.sh

# The daemons' directory (FRR_DIR, tests/net/frr.sh) and vtysh of an FRR
# whose zebra has -R.
frr_new_find() {
	local d
	for d in "${FRR_NEW:-/opt/frr10}/sbin:${FRR_NEW:-/opt/frr10}/bin/vtysh" \
		 "/usr/lib/frr:/usr/bin/vtysh"; do
		if [ -x "${d%%:*}/mgmtd" ] && [ -x "${d#*:}" ] &&
		   "${d%%:*}/zebra" --help 2>/dev/null | grep -q -- "--routing-table"; then
			FRR_DIR=${d%%:*} VTYSH=${d#*:}
			return 0
		fi
	done
	return 1
}

if ! frr_new_find; then
	echo "   (no FRR 9.1 or later with mgmtd: zebra -R not tested; sh scripts/frr-new.sh builds one)"
	echo "0 passed, 0 failed"
	exit 0
fi

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-fpm-table-last.log 2>/dev/null
	[ -d "$FRR" ] && frr_stop_dir "$FRR"
	rm -rf "$FRR"
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

vty() { # CONFIG-LINE...: through mgmtd, as an operator's vtysh (its words in $FRR/vtysh.out)
	local args=(-c "configure terminal") l i
	for l in "$@"; do
		args+=(-c "$l")
	done
	# A daemon that has just connected to mgmtd holds the running
	# datastore's lock for a moment, and a configuration then fails with
	# "could not lock running DS" (2 starts in 12 here): tried again for
	# up to 5 s, as an operator would.
	for i in $(seq 1 50); do
		nsx "$P-rt" "$VTYSH" --vty_socket "$FRR" "${args[@]}" > "$FRR/vtysh.out" 2>&1 && return 0
		grep -q "could not lock running DS" "$FRR/vtysh.out" || return 1
		sleep 0.1
	done
	return 1
}

frr_up() { # [ZEBRA-ARGS]: default -R TABLE and the FPM module; FRR_STEP: the step that failed
	local zargs=${1--R $TABLE -M dplane_fpm_nl}
	mkdir -p "$FRR"
	echo "fpm address 127.0.0.1 port 2620" > "$FRR/zebra.conf"
	rm -f "$FRR/zserv.api"
	# shellcheck disable=SC2086
	FRR_STEP="zebra started" && frr_daemon "$P-rt" "$FRR" zebra -z "$FRR/zserv.api" $zargs &&
		FRR_STEP="zebra's API socket" && wait_until 50 test -S "$FRR/zserv.api" &&
		FRR_STEP="mgmtd started" && frr_run "$P-rt" "$FRR" mgmtd &&
		FRR_STEP="mgmtd's vty" && wait_until 50 test -S "$FRR/mgmtd.vty" &&
		FRR_STEP="staticd started" && frr_run "$P-rt" "$FRR" staticd -z "$FRR/zserv.api" &&
		FRR_STEP="staticd's vty" && wait_until 50 test -S "$FRR/staticd.vty" &&
		FRR_STEP="vtysh: the static routes" &&
		vty "ip route 198.19.60.0/24 198.18.1.2" "ip route 198.19.60.0/24 198.18.2.2" \
		    "ip route 198.19.60.0/24 198.18.3.2" \
		    "ipv6 route 2001:db8:100:60::/64 2001:db8:1::2" \
		    "ipv6 route 2001:db8:100:60::/64 2001:db8:2::2" &&
		FRR_STEP=""
}

# What FRR said, for a failure: vtysh's answer and each daemon's last lines.
frr_words() {
	local f
	for f in "$FRR/vtysh.out" "$FRR"/*.log; do
		[ -s "$f" ] && echo "$(basename "$f"): $(tail -3 "$f" | tr '\n' ' ')"
	done
}

frr_kill() {
	kill -9 $(cat "$FRR"/*.pid) 2>/dev/null
	rm -f "$FRR"/*.pid
	sleep 0.3
}

# in_table TABLE PREFIX: the kernel's routes for exactly PREFIX there.
in_table() {
	local fam=-4
	case $2 in *:*) fam=-6 ;; esac
	ip -n "$P-rt" "$fam" route show table "$1" exact "$2" 2>/dev/null
}

setup() {
	topo_create "$P" 4 || return 1
	ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	topo_config "$P" "$CONF"
	# The routes come back within a second or two of FRR's restart, but
	# FRR 10 starts three daemons and takes its routes from vtysh through
	# mgmtd: on a loaded machine a route's paths came more than 2 s apart
	# past 5 s (CI, once in ~10 runs), and the sweep took the route with
	# one path. 12 s before the stale ones go.
	echo "routes fpm listen 127.0.0.1 table $TABLE hold 30 sweep 12" >> "$CONF"
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8 && frr_up
}

test_stream() {
	wait_route 198.19.60.0/24 "$V4" && wait_route 2001:db8:100:60::/64 "$V6"
	result "zebra -R $TABLE: staticd's ECMP routes in ecmpd, source fpm" $? \
		"$(route_of 198.19.60.0/24) / $(route_of 2001:db8:100:60::/64) / table $(fs table) state $(fs state)"
	[ -z "$(in_table main 198.19.60.0/24)" ] && [ -z "$(in_table main 2001:db8:100:60::/64)" ] &&
		[ -n "$(in_table "$TABLE" 198.19.60.0/24)" ] &&
		[ -n "$(in_table "$TABLE" 2001:db8:100:60::/64)" ] &&
		! ip -n "$P-rt" rule show | grep -q "lookup $TABLE"
	result "the kernel forwards with none of them: not in main, only in table $TABLE, no rule" $? \
		"main: $(in_table main 198.19.60.0/24 | head -1); $TABLE: $(in_table "$TABLE" 198.19.60.0/24 | head -1)"
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.f0"
	! grep -q "@r4" "/tmp/$P.f0"
	result "lookup: the 1,000 flows over zebra's 3 nexthops only" $?
	check_through_xdp 198.19.60.9 "/tmp/$P.f0"
}

test_withdraw() {
	local out
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.q0"
	vty "no ip route 198.19.60.0/24 198.18.2.2"
	wait_route 198.19.60.0/24 "fpm 198.18.1.2@r1 198.18.3.2@r3"
	result "FRR removes one path: ecmpd follows" $? "$(route_of 198.19.60.0/24)"
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.q1"
	out=$(others_moved "/tmp/$P.q0" "/tmp/$P.q1" r2)
	[ "$out" = 0 ] && ! grep -q "@r2" "/tmp/$P.q1" && [ -z "$(in_table main 198.19.60.0/24)" ]
	result "FRR removes one path: only its flows moved, still none in main" $? "$out others moved"
	vty "ip route 198.19.60.0/24 198.18.2.2"
	wait_route 198.19.60.0/24 "$V4"
	result "and adds it back" $? "$(route_of 198.19.60.0/24)"
}

test_frr_restart() {
	local sweeps swept
	for _ in $(seq 1 250); do	# the first replay over (sweep 12)
		[ "$(fs state)" = connected ] && break
		sleep 0.1
	done
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.z0"
	sweeps=$(fs sweeps) swept=$(fs swept)
	frr_kill
	[ "$(fs state)" = lost ] && [ "$(route_of 198.19.60.0/24)" = "$V4" ]
	result "FRR killed: its routes stay (hold)" $? "state $(fs state), $(route_of 198.19.60.0/24)"
	frr_up
	for _ in $(seq 1 300); do
		[ "$(fs sweeps)" -gt "$sweeps" ] && break
		sleep 0.1
	done
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.z1"
	[ "$(fs sweeps)" -gt "$sweeps" ] && [ "$(fs swept)" = "$swept" ] &&
		[ "$(route_of 198.19.60.0/24)" = "$V4" ] && [ "$(route_of 2001:db8:100:60::/64)" = "$V6" ] &&
		cmp -s "/tmp/$P.z0" "/tmp/$P.z1" && [ -z "$(in_table main 198.19.60.0/24)" ]
	result "FRR back: replay, nothing swept, 0 of 1,000 flows moved, none in main" $? \
		"sweeps $sweeps -> $(fs sweeps), swept $swept -> $(fs swept), $(diff "/tmp/$P.z0" "/tmp/$P.z1" | grep -c '^>') moved"
	check_through_xdp 198.19.60.9 "/tmp/$P.z1"
}

test_kernel() {
	local k4="kernel ${V4#fpm }" k6="kernel ${V6#fpm }" out
	frr_kill
	sed -i "s/^routes fpm .*/routes kernel protocol static/" "$CONF"
	topo_ctl "$P" reload > /dev/null
	frr_up "" && wait_route 198.19.60.0/24 "$k4" && wait_route 2001:db8:100:60::/64 "$k6" &&
		[ -n "$(in_table main 198.19.60.0/24)" ]
	result "FRR 10 without -R, ecmpd with routes kernel: its routes mirrored from main" $? \
		"$(route_of 198.19.60.0/24) / $(route_of 2001:db8:100:60::/64)"
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.k0"
	check_through_xdp 198.19.60.9 "/tmp/$P.k0"
	vty "no ip route 198.19.60.0/24 198.18.2.2"
	wait_route 198.19.60.0/24 "kernel 198.18.1.2@r1 198.18.3.2@r3"
	lookup_flows 198.18.0.1 198.19.60.9 > "/tmp/$P.k1"
	out=$(others_moved "/tmp/$P.k0" "/tmp/$P.k1" r2)
	[ "$out" = 0 ] && ! grep -q "@r2" "/tmp/$P.k1"
	result "FRR 10 removes one path: only its flows moved" $? "$out others moved, $(route_of 198.19.60.0/24)"
}

if ! setup; then
	result "setup (ecmpd, FRR $("$FRR_DIR/zebra" -v 2>/dev/null | head -1) zebra -R $TABLE with dplane_fpm_nl, mgmtd, staticd)" 1 \
		"${FRR_STEP:-ecmpd} failed; $(frr_words)"
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
echo "   (FRR: $("$FRR_DIR/zebra" -v 2>/dev/null | head -1), $FRR_DIR)"
for t in ${ECMP_NET_TESTS:-stream withdraw frr_restart kernel}; do
	"test_$t"
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
