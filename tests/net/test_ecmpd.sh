#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# End-to-end tests of ecmpd, ecmpctl and the XDP data path in namespaces.
#
#   client (c0) ----- (r0) router (r1..r4) ----- (n0) nh1..nh4
#   198.18.0.1        XDP + ecmpd               198.18.I.2, netsink per flow
#   2001:db8::1                                 2001:db8:I::2
#
# Every flow has its own UDP source port; the sinks count packets per port,
# so "where did flow X go" is exact, and so is "which flows moved".
# Topology and helpers: scripts/topo.sh. Output: one "TEST: name [ OK ]"
# line per test.

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=et$$
CONF=/tmp/$P.conf
. tests/net/lib.sh

cleanup() {
	# Kept for a look after a failure.
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-net-last.log 2>/dev/null
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# flows SRC DST BASE N FAMILY OUT: send one packet per flow, record where
# each arrived.
flows() {
	topo_clear_sinks "$P"
	topo_send "$P" "$1" "$2" "$3" "$4" >/dev/null || return 1
	sleep 0.3
	observe "$5" > "$6"
}

wait_group() { # GROUP "B1 B2 B3 B4": wait for these bucket counts
	local i got
	for i in $(seq 1 100); do
		got=$(topo_ctl "$P" group show "$1" | awk '/weight/ { printf "%s ", $5 }')
		[ "$got" = "$2 " ] && return 0
		sleep 0.1
	done
	echo "  group $1 buckets: $got (want $2)"
	return 1
}

nh_packets() { # total packets per nexthop, "nh1 N\n..."
	topo_ctl "$P" -j nexthop show | tr '}' '\n' |
		sed -n 's/.*"name":"\([^"]*\)".*"packets":\([0-9]*\).*/\1 \2/p'
}

# ---- setup ----

setup() {
	topo_create "$P" 4 || return 1
	topo_config "$P" "$CONF"
	topo_ecmpd "$P" "$CONF" || return 1
	topo_wait_usable "$P" 8 && wait_group web "1024 1024 1024 1024" &&
		wait_group web6 "1024 1024 1024 1024"
}

# 1. Every flow arrives where `ecmpctl lookup` says, and the per-nexthop
# counters agree with the sinks.
test_lookup_matches_data_path() { # FAMILY SRC DST
	local fam=$1 src=$2 dst=$3 name="lookup predicts all 2000 flows (IPv$1)"
	local before after
	before=$(nh_packets)
	flows "$src" "$dst" 20000 2000 "$fam" "/tmp/$P.obs" || { result "$name" 1 "send failed"; return; }
	after=$(nh_packets)
	predict "$src" "$dst" udp 20000 2000 5001 > "/tmp/$P.pred"
	local diff n
	diff=$(diff "/tmp/$P.pred" "/tmp/$P.obs" | grep -c '^[<>]')
	n=$(wc -l < "/tmp/$P.obs")
	if [ "$n" != 2000 ] || [ "$diff" != 0 ]; then
		result "$name" 1 "$n flows seen, $diff lines differ from ecmpctl lookup"
		return
	fi
	# Counter deltas per nexthop equal what the sinks counted.
	local bad=0 i sink cnt
	for i in 1 2 3 4; do
		sink=$(awk -v i="$i" '$2 == i' "/tmp/$P.obs" | wc -l)
		local suffix=""
		[ "$fam" = 6 ] && suffix=v6
		cnt=$(( $(echo "$after" | awk -v n="nh$i$suffix" '$1 == n { print $2 }') - \
			$(echo "$before" | awk -v n="nh$i$suffix" '$1 == n { print $2 }') ))
		[ "$cnt" = "$sink" ] || bad=1
	done
	result "$name" $bad "nexthop counters differ from the sinks"
	result "nexthop counters equal the sinks (IPv$fam)" $bad
}

# 2. Weights 1:2:1:4 over 20,000 flows: each share within 3 points.
test_weights() {
	local name="weights 1:2:1:4 spread within 3 points (20000 flows)"
	topo_config "$P" "$CONF" 1 2 1 4
	topo_ctl "$P" reload >/dev/null || { result "$name" 1 "reload failed"; return; }
	wait_group web "512 1024 512 2048" || { result "$name" 1; return; }
	flows 198.18.0.1 198.19.7.7 30000 20000 4 "/tmp/$P.obs"
	local shares
	shares=$(awk '{ c[$2]++; t++ } END { printf "%.2f %.2f %.2f %.2f", 100*c[1]/t, 100*c[2]/t, 100*c[3]/t, 100*c[4]/t }' "/tmp/$P.obs")
	local ok
	ok=$(echo "$shares" | awk '{ w[1]=12.5; w[2]=25; w[3]=12.5; w[4]=50; ok=1
		for (i = 1; i <= 4; i++) { d = $i - w[i]; if (d < 0) d = -d; if (d > 3) ok = 0 }
		print ok }')
	result "$name" $((1 - ok)) "measured % per nexthop: $shares"
	echo "  measured shares %: $shares (want 12.5 25 12.5 50)"
	topo_config "$P" "$CONF"
	topo_ctl "$P" reload >/dev/null
	wait_group web "1024 1024 1024 1024" >/dev/null
}

# Compares two "SPORT NH" files: exactly the flows of nexthop $3 moved.
only_flows_of_moved() { # BEFORE AFTER NH
	awk -v nh="$3" 'NR == FNR { b[$1] = $2; next }
		{ if (!($1 in b)) { missing++; next }
		  if (b[$1] == nh) { if ($2 == nh || $2 == "multi") stuck++; else moved++ }
		  else if (b[$1] != $2) wrong++; n++ }
		END { printf "%d %d %d %d %d\n", n, moved, stuck, wrong, missing }' "$1" "$2"
}

check_failover() { # NAME BEFORE AFTER NH EXPECTED-N
	local r n moved stuck wrong missing
	r=$(only_flows_of_moved "$2" "$3" "$4")
	read -r n moved stuck wrong missing <<< "$r"
	local want_moved
	want_moved=$(awk -v nh="$4" '$2 == nh' "$2" | wc -l)
	if [ "$n" = "$5" ] && [ "$moved" = "$want_moved" ] && [ "$moved" -gt 0 ] &&
	   [ "$stuck" = 0 ] && [ "$wrong" = 0 ] && [ "$missing" = 0 ]; then
		result "$1" 0
		echo "  $moved of $n flows moved, all of them nh$4's"
	else
		result "$1" 1 "flows $n, moved $moved of $want_moved, left on failed nh $stuck, others moved $wrong, lost $missing"
	fi
}

# 3. A nexthop removed by reload, its link down, its neighbour FAILED: in
# each case its flows, and only those, move.
test_failover() { # FAMILY SRC DST
	local fam=$1 src=$2 dst=$3 sfx="" grp=web
	[ "$fam" = 6 ] && sfx=v6 && grp=web6
	local base=21000

	# a) removed from the group by reload
	flows "$src" "$dst" $base 2000 "$fam" "/tmp/$P.b" || return
	if [ "$fam" = 6 ]; then
		TOPO_MEMBERS6="nh1v6 nh2v6 nh4v6" topo_config "$P" "$CONF"
	else
		TOPO_MEMBERS="nh1 nh2 nh4" topo_config "$P" "$CONF"
	fi
	topo_ctl "$P" reload >/dev/null
	flows "$src" "$dst" $base 2000 "$fam" "/tmp/$P.a"
	check_failover "nh3 removed by reload: only its flows move (IPv$fam)" \
		"/tmp/$P.b" "/tmp/$P.a" 3 2000
	topo_config "$P" "$CONF"
	topo_ctl "$P" reload >/dev/null
	wait_group $grp "1024 1024 1024 1024" >/dev/null

	# Fresh flows for each case: after a restore, nh3 owns idle buckets,
	# and the flows just sent (busy buckets) rightly stayed where they were.
	base=24000
	# b) link down (the far end goes away: no carrier on r3)
	if [ "$fam" = 4 ]; then
		flows "$src" "$dst" $base 2000 "$fam" "/tmp/$P.b"
		ip -n "$P-n3" link set n0 down
		wait_state nh3 down
		flows "$src" "$dst" $base 2000 "$fam" "/tmp/$P.a"
		check_failover "nh3 link down: only its flows move (IPv$fam)" \
			"/tmp/$P.b" "/tmp/$P.a" 3 2000
		# Through the bucket index: no pass over the tables.
		grep -q "nexthop nh3 out: .* groups from the bucket index" "/tmp/$P.ecmpd.log"
		result "nh3 link down: its buckets found through the bucket index" $? \
			"$(grep -a 'nexthop nh3 out' "/tmp/$P.ecmpd.log" | tail -1)"
		ip -n "$P-n3" link set n0 up
		wait_state nh3 up
		wait_group $grp "1024 1024 1024 1024" >/dev/null
	fi

	# c) neighbour FAILED (the host stops answering ARP/ND)
	base=27000
	local addr
	addr=$([ "$fam" = 4 ] && echo 198.18.3.2 || echo 2001:db8:3::2)
	local plen
	plen=$([ "$fam" = 4 ] && echo 24 || echo 64)
	flows "$src" "$dst" $base 2000 "$fam" "/tmp/$P.b"
	ip -n "$P-n3" addr del "$addr/$plen" dev n0
	ip -n "$P-rt" neigh change "$addr" dev r3 nud failed
	wait_state "nh3$sfx" "down|unresolved"
	flows "$src" "$dst" $base 2000 "$fam" "/tmp/$P.a"
	check_failover "nh3 neighbour FAILED: only its flows move (IPv$fam)" \
		"/tmp/$P.b" "/tmp/$P.a" 3 2000
	ip -n "$P-n3" addr add "$addr/$plen" dev n0 $([ "$fam" = 6 ] && echo nodad)
	wait_state "nh3$sfx" up
	wait_group $grp "1024 1024 1024 1024" >/dev/null
}

# 4. Recovery: the nexthop takes back exactly its share, from idle buckets
# first: flows that keep sending do not move.
test_recovery_idle_first() {
	local name="recovery moves exactly its share, idle buckets first"
	local moved_before moved_after
	ip -n "$P-n3" link set n0 down
	wait_state nh3 down
	wait_group web "1366 1365 0 1365" >/dev/null || wait_group web "1365 1366 0 1365" >/dev/null ||
		wait_group web "1365 1365 0 1366" >/dev/null
	# 150 busy flows keep sending through the recovery.
	topo_send "$P" 198.18.0.1 198.19.9.9 40000 150 60 3000 >/dev/null &
	local gen=$!
	sleep 1.5		# the other buckets are idle by now (idle_timer 1 s)
	topo_clear_sinks "$P"
	moved_before=$(grep -c "" "/tmp/$P.ecmpd.log")
	ip -n "$P-n3" link set n0 up
	wait_state nh3 up
	sleep 1			# well inside unbalanced_timer (4 s)
	local buckets
	buckets=$(topo_ctl "$P" group show web | awk '/weight/ { printf "%s ", $5 }')
	wait $gen
	sleep 0.3
	observe 4 > "/tmp/$P.busy"
	local multi on3 n
	multi=$(awk '$2 == "multi"' "/tmp/$P.busy" | wc -l)
	on3=$(awk '$2 == 3' "/tmp/$P.busy" | wc -l)
	n=$(wc -l < "/tmp/$P.busy")
	moved_after=$(tail -n +$((moved_before + 1)) "/tmp/$P.ecmpd.log" |
		sed -n 's/.*group web: \([0-9]*\) of 4096 buckets moved.*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }')
	if [ "$buckets" = "1024 1024 1024 1024 " ] && [ "$multi" = 0 ] &&
	   [ "$on3" = 0 ] && [ "$n" = 150 ] && [ "$moved_after" = 1024 ]; then
		result "$name" 0
		echo "  1024 buckets moved back (its share); 0 of 150 busy flows moved"
	else
		result "$name" 1 "buckets [$buckets] moved $moved_after, busy flows: $n seen, $multi split, $on3 moved to nh3"
	fi
}

# restart_under_traffic BASE HOW [ECMPD-ARGS...]: 2000 flows from source
# port BASE, 10 rounds, while ecmpd stops (HOW: kill9 or shutdown, the
# programs stay) and starts again with ECMPD-ARGS. Sets SENT, RECV, SPLIT,
# MOVED (against one round just before) and NEWLOG (ecmpd's log since).
restart_under_traffic() {
	local base=$1 how=$2 gen lines
	shift 2
	flows 198.18.0.1 198.19.5.5 "$base" 2000 4 "/tmp/$P.b"
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.5.5 "$base" 2000 10 10000 > "/tmp/$P.sent" &
	gen=$!
	sleep 0.5
	lines=$(grep -c "" "/tmp/$P.ecmpd.log")
	topo_stop_ecmpd "$P" "$how"
	topo_ecmpd "$P" "$CONF" "$@"
	local started=$?
	wait $gen
	sleep 0.3
	SENT=$(cat "/tmp/$P.sent")
	RECV=$(topo_sinks "$P" | awk '$2 == 4 { s += $4 } END { print s + 0 }')
	observe 4 > "/tmp/$P.a"
	SPLIT=$(awk '$2 == "multi"' "/tmp/$P.a" | wc -l)
	MOVED=$(diff "/tmp/$P.b" "/tmp/$P.a" | grep -c '^>')
	NEWLOG=$(tail -n +$((lines + 1)) "/tmp/$P.ecmpd.log")
	return $started
}

# 5. ecmpd killed with SIGKILL under traffic and restarted: nothing lost,
# nothing moved, nothing rewritten, and the attached program (this build)
# adopted, not replaced.
test_kill9_restart() {
	local name="SIGKILL and restart under traffic: 0 lost, 0 moved"
	restart_under_traffic 50000 kill9 || { result "$name" 1 "restart failed"; return; }
	local rewrites adopted replaced
	rewrites=$(echo "$NEWLOG" | grep -cE "buckets moved|added|removed|changed")
	adopted=$(echo "$NEWLOG" | grep -c "ecmp_xdp already attached, adopted")
	replaced=$(echo "$NEWLOG" | grep -c "replaced")
	if [ "$SENT" = 20000 ] && [ "$RECV" = 20000 ] && [ "$SPLIT" = 0 ] &&
	   [ "$MOVED" = 0 ] && [ "$rewrites" = 0 ] && [ "$adopted" = 1 ] &&
	   [ "$replaced" = 0 ]; then
		result "$name" 0
		echo "  20000 sent, 20000 received, 0 flows moved, restart wrote nothing"
	else
		result "$name" 1 "sent $SENT received $RECV, $SPLIT flows split, $MOVED moved, $rewrites changes logged at restart, program adopted $adopted, replaced $replaced"
	fi
}

# The tag of each ecmp_xdp on r0, one a line (a hash of its instructions).
xdp_tags() {
	nsx "$P-rt" xdp-loader status r0 2>/dev/null |
		awk '/ecmp_xdp/ { for (i = 1; i <= NF; i++)
			if (length($i) == 16 && $i ~ /^[0-9a-f]+$/) print $i }'
}

# An upgrade: ecmpd restarted with another build of the data path replaces
# the attached program (make-before-break) under traffic, and back again.
test_upgrade() {
	local name="upgrade under traffic: other build replaces the attached one, 0 lost"
	local before other back msg=""
	before=$(xdp_tags)
	restart_under_traffic 54000 shutdown --bpf-obj "$BUILD/tests/other-build/ecmp_xdp.bpf.o" ||
		{ result "$name" 1 "restart with the other build failed"; return; }
	other=$(xdp_tags)
	[ "$SENT" = 20000 ] && [ "$RECV" = 20000 ] && [ "$SPLIT" = 0 ] && [ "$MOVED" = 0 ] ||
		msg="$msg; to the other build: sent $SENT received $RECV, $SPLIT split, $MOVED moved"
	echo "$NEWLOG" | grep -q "interface r0: ecmp_xdp of another build (tag $before) replaced by .*other-build/ecmp_xdp.bpf.o (tag $other)" ||
		msg="$msg; no 'replaced' line for r0 in the log"
	restart_under_traffic 56000 shutdown ||
		{ result "$name" 1 "restart with this build failed"; return; }
	back=$(xdp_tags)
	[ "$SENT" = 20000 ] && [ "$RECV" = 20000 ] && [ "$SPLIT" = 0 ] && [ "$MOVED" = 0 ] ||
		msg="$msg; back: sent $SENT received $RECV, $SPLIT split, $MOVED moved"
	# One program each time; the tags differ, and coming back gives the first.
	[ "$(echo "$before" | wc -w)" = 1 ] && [ "$(echo "$other" | wc -w)" = 1 ] &&
		[ "$other" != "$before" ] && [ "$back" = "$before" ] ||
		msg="$msg; tags on r0: before [$before], other build [$other], back [$back]"
	result "$name" $([ -z "$msg" ] && echo 0 || echo 1) "${msg#; }"
	[ -z "$msg" ] && echo "  tags $before -> $other -> $back; 2 x 20000 sent, all received, 0 flows moved"
}

# ecmpd stopped (plain shutdown): forwarding continues exactly as before,
# and ecmpctl reads everything from the pins; a restart writes nothing.
test_stopped_daemon() {
	local name="ecmpd stopped: forwarding continues, ecmpctl reads the pins"
	flows 198.18.0.1 198.19.6.6 52000 2000 4 "/tmp/$P.b"
	topo_stop_ecmpd "$P"
	local shown groups routes moved
	shown=$(topo_ctl "$P" -j nexthop show | grep -o '"state":"up"' | wc -l)
	groups=$(topo_ctl "$P" group show | grep -c "buckets 1024")
	routes=$(topo_ctl "$P" route show | grep -c "group web")
	flows 198.18.0.1 198.19.6.6 52000 2000 4 "/tmp/$P.a"
	predict 198.18.0.1 198.19.6.6 udp 52000 2000 5001 > "/tmp/$P.pred"
	moved=$(diff "/tmp/$P.b" "/tmp/$P.a" | grep -c '^>')
	local mispredicted
	mispredicted=$(diff "/tmp/$P.pred" "/tmp/$P.a" | grep -c '^>')
	topo_ecmpd "$P" "$CONF"
	if [ "$shown" = 8 ] && [ "$groups" = 8 ] && [ "$routes" = 2 ] &&
	   [ "$moved" = 0 ] && [ "$mispredicted" = 0 ] && [ "$(wc -l < "/tmp/$P.a")" = 2000 ]; then
		result "$name" 0
	else
		result "$name" 1 "nexthops up $shown/8, members $groups/8, routes $routes/2, moved $moved, mispredicted $mispredicted"
	fi
}

# 8. Bad configs: rejected by --check and by reload; nothing changes.
test_bad_configs() {
	local bad=0 n=0 msg=""
	flows 198.18.0.1 198.19.3.3 60000 1000 4 "/tmp/$P.b"
	while IFS='|' read -r label line want; do
		n=$((n + 1))
		topo_config "$P" "/tmp/$P.bad"
		echo "$line" >> "/tmp/$P.bad"
		local out
		out=$(nsx "$P-rt" "$BUILD/ecmpd" -c "/tmp/$P.bad" --check 2>&1)
		if [ $? = 0 ] || ! echo "$out" | grep -q "$want"; then
			bad=1
			msg="$msg; --check $label: $out"
		fi
		cp "/tmp/$P.bad" "$CONF"
		out=$(topo_ctl "$P" reload 2>&1)
		if [ $? = 0 ] || ! echo "$out" | grep -q "$want"; then
			bad=1
			msg="$msg; reload $label: $out"
		fi
	done <<'EOF'
unknown keyword|frobnicate 1|unknown keyword 'frobnicate'
bad address|nexthop nh9 via 198.18.9.300 dev r1|is not an IPv4 or IPv6 address
bad prefix|route 198.19.1.0/16 group web|has host bits set
unknown nexthop|group g2 nexthops nh1 nosuch|unknown nexthop 'nosuch'
unknown group|route 198.19.0.0/24 group nosuch|unknown group 'nosuch'
unknown interface|nexthop nh9 via 198.18.1.9 dev nosuch0|no such interface 'nosuch0'
duplicate name|nexthop nh1 via 198.18.1.2 dev r1|already defined
weight 0|nexthop nh9 via 198.18.1.9 dev r1 weight 0|weight '0' is not from 1 to
weight too large|nexthop nh9 via 198.18.1.9 dev r1 weight 5000|weight '5000' is not from 1 to
buckets not a power of two|group g2 buckets 1000 nexthops nh1|not a power of two
empty group|group g2 buckets 64|no nexthops
EOF
	topo_config "$P" "$CONF"
	# Missing and unreadable files.
	out=$(nsx "$P-rt" "$BUILD/ecmpd" -c "/tmp/$P.nosuch" --check 2>&1)
	[ $? != 0 ] && echo "$out" | grep -q "cannot open" || { bad=1; msg="$msg; missing: $out"; }
	out=$(nsx "$P-rt" "$BUILD/ecmpd" -c /tmp --check 2>&1)
	[ $? != 0 ] && echo "$out" | grep -q "cannot read" || { bad=1; msg="$msg; unreadable: $out"; }
	# Overlapping routes are fine.
	topo_config "$P" "/tmp/$P.ok"
	echo "route 198.19.3.0/24 group web" >> "/tmp/$P.ok"
	nsx "$P-rt" "$BUILD/ecmpd" -c "/tmp/$P.ok" --check >/dev/null 2>&1 || { bad=1; msg="$msg; overlap rejected"; }
	flows 198.18.0.1 198.19.3.3 60000 1000 4 "/tmp/$P.a"
	local moved
	moved=$(diff "/tmp/$P.b" "/tmp/$P.a" | grep -c '^>')
	[ "$moved" = 0 ] || { bad=1; msg="$msg; $moved flows moved"; }
	result "bad configs rejected by --check and reload ($n kinds + files)" $bad "${msg#; }"
	result "rejected reloads change nothing (1000 flows)" $([ "$moved" = 0 ] && echo 0 || echo 1)
}

# 6. Attached by xdp-loader; ecmpd fills the maps the loader pinned.
test_xdp_loader() {
	local name="xdp-loader attach, ecmpd 'attach none': predicted exactly"
	# ecmpctl returns once ecmpd is gone, its hooks with it: xdp-loader
	# can attach right away (under ASan the exit takes a while).
	topo_ctl "$P" shutdown --detach >/dev/null
	! pgrep -f -- "--socket /tmp/$P.sock" >/dev/null
	result "ecmpctl shutdown --detach returns once ecmpd is gone" $? \
		"$(pgrep -af -- "--socket /tmp/$P.sock")"
	if ! nsx "$P-rt" xdp-loader load -m native -p "/sys/fs/bpf/$P" r0 \
		"$BUILD/ecmp_xdp.bpf.o" > "/tmp/$P.loader" 2>&1; then
		result "$name" 1 "xdp-loader: $(tail -1 "/tmp/$P.loader")"
		return
	fi
	sed -i 's/^interface r0 xdp native/interface r0 attach none/' "$CONF"
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8
	wait_group web "1024 1024 1024 1024"
	flows 198.18.0.1 198.19.4.4 10000 2000 4 "/tmp/$P.obs"
	predict 198.18.0.1 198.19.4.4 udp 10000 2000 5001 > "/tmp/$P.pred"
	local diff n
	diff=$(diff "/tmp/$P.pred" "/tmp/$P.obs" | grep -c '^[<>]')
	n=$(wc -l < "/tmp/$P.obs")
	result "$name" $([ "$n" = 2000 ] && [ "$diff" = 0 ] && echo 0 || echo 1) "$n flows seen, $diff differ"
}

# Show commands filter by their argument, refuse one they do not take, and
# `lookup -` answers every input line with one line, in order.
test_cli_arguments() {
	local out
	out=$(topo_ctl "$P" route show 2001:db8::/32)
	[ "$(echo "$out" | grep -c .)" -ge 1 ] && ! echo "$out" | grep -q "^198\." &&
		echo "$out" | grep -q "^2001:db8:100::/48 group web6"
	result "route show PREFIX: only the routes inside it" $? "$out"
	out=$(topo_ctl "$P" route show 10.0.0.0/8)
	[ -z "$out" ]
	result "route show PREFIX: none inside, nothing printed" $? "$out"
	out=$(topo_ctl "$P" nexthop show nh2)
	[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "^nh2 via 198.18.2.2 "
	result "nexthop show NAME: that one" $? "$out"
	out=$(topo_ctl "$P" interface show r1; topo_ctl "$P" interface show r0)
	[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "^r0 xdp"
	result "interface show IF: that interface's hooks" $? "$out"
	# -s, as ip -s link: the interface's counters, between two readings of ip's.
	local a b s
	a=$(ip -n "$P-rt" -j -s link show r0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
	s=$(topo_ctl "$P" -j -s interface show r0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rx_packets"])')
	b=$(ip -n "$P-rt" -j -s link show r0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
	[ "$a" -gt 0 ] && [ "$s" -ge "$a" ] && [ "$s" -le "$b" ] &&
		topo_ctl "$P" -s interface show r0 | grep -qE "^r0 xdp native prog_id [0-9]+ tag [0-9a-f]+ rx_bytes [0-9]+ rx_packets [0-9]+ rx_errors 0 rx_dropped [0-9]+ tx_bytes"
	result "-s interface show: the interface's counters, as ip -s link" $? "ip $a..$b, ecmpctl $s"
	out=$(topo_ctl "$P" stats --bogus 2>&1)
	[ $? = 1 ] && echo "$out" | grep -q "stats takes no arguments"
	result "stats --bogus: refused, not ignored" $? "$out"
	out=$(printf '198.18.0.1 198.19.1.1 udp 1 2\nnot an address\n\n2001:db8::1 2001:db8:100::1\n198.18.0.1\n' |
		topo_ctl "$P" lookup - 2>/dev/null)
	[ "$(echo "$out" | wc -l)" = 5 ] &&
		[ "$(echo "$out" | awk '{ print $1 }' | tr '\n' ' ')" = "forwarded error error forwarded error " ]
	result "lookup -: one answer or error per input line, in order (text)" $? "$out"
	out=$(printf '198.18.0.1 198.19.1.1 udp 1 2\nbad 198.19.1.1\n2001:db8::1 2001:db8:100::1\n' |
		topo_ctl "$P" -j lookup - 2>/dev/null)
	[ "$(echo "$out" | wc -l)" = 3 ] &&
		echo "$out" | sed -n 2p | grep -q '^{"error":"lookup: .bad. is not an IPv4 or IPv6 address"}$' &&
		echo "$out" | python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]'
	result "lookup -: one answer or error per input line, in order (JSON)" $? "$out"
	# `ip route get` words give the positional form's answer, with via/dev.
	a=$(topo_ctl "$P" -j lookup 198.19.6.6 from 198.18.0.1 ipproto udp sport 52000 dport 5001)
	b=$(topo_ctl "$P" -j lookup 198.18.0.1 198.19.6.6 udp 52000 5001)
	out=$(topo_ctl "$P" lookup 198.19.6.6 dport 5001 from 198.18.0.1 sport 52000 ipproto udp)
	[ -n "$a" ] && [ "$a" = "$b" ] &&
		echo "$out" | grep -qE "nexthop nh([1-4]) via 198\.18\.\1\.2 dev r\1 probe 0"
	result "lookup DST from SRC ipproto P sport S dport D: as ip route get words it, via and dev" $? "$out"
	printf 'interface nosuch0 xdp\nnexthop a via 198.18.1.2 dev nosuch1\ngroup g nexthops a\nroute 198.19.0.0/16 group g\n' > "/tmp/$P.offline.conf"
	out=$("$BUILD/ecmpd" -c "/tmp/$P.offline.conf" --check --offline 2>&1) &&
		echo "$out" | grep -q "valid (offline" &&
		! "$BUILD/ecmpd" -c "/tmp/$P.offline.conf" --check >/dev/null 2>&1
	result "--check --offline: a config for another machine checks without its interfaces" $? "$out"
}

if ! setup; then
	result "topology and ecmpd start" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
result "topology and ecmpd start" 0
# ECMP_NET_TESTS="weights failover4": run some tests only.
# 9. A reload whose route update fails after its checks passed (memory,
# the kernel; forced with --fail-route-update): ecmpd applies the config
# in force again. New things come before the routes and changes to things
# in use after them, so nothing in use moved: not a flow, not a bucket.
test_failed_reload_undone() {
	local name="a reload failing part way: undone, 0 flows moved" msg="" out
	local routes groups nexthops moved lines
	topo_stop_ecmpd "$P"
	topo_ecmpd "$P" "$CONF" --fail-route-update 2 || { result "$name" 1 "restart failed"; return; }
	wait_group web "1024 1024 1024 1024"
	flows 198.18.0.1 198.19.7.7 58000 1000 4 "/tmp/$P.b"
	routes=$(topo_ctl "$P" route show)
	groups=$(topo_ctl "$P" group show)
	nexthops=$(topo_ctl "$P" nexthop show | awk '{ print $1, $2, $3, $4, $5 }')
	lines=$(grep -c "" "/tmp/$P.ecmpd.log")
	# nh4 leaves web; nh9, g2 and a route over g2 come.
	TOPO_MEMBERS="nh1 nh2 nh3" topo_config "$P" "$CONF"
	printf 'nexthop nh9 via 198.18.1.9 dev r1\ngroup g2 buckets 64 nexthops nh9\nroute 198.19.7.0/24 group g2\n' >> "$CONF"
	out=$(topo_ctl "$P" reload 2>&1) && msg="$msg; the reload succeeded: $out"
	echo "$out" | grep -q "route table update failed: .*--fail-route-update.*undone" ||
		msg="$msg; reload said: $out"
	tail -n +$((lines + 1)) "/tmp/$P.ecmpd.log" | grep -q "Reload rejected, nothing changed: .*undone" ||
		msg="$msg; no 'Reload rejected, nothing changed' in the log"
	[ "$(topo_ctl "$P" route show)" = "$routes" ] || msg="$msg; routes differ: $(topo_ctl "$P" route show | tr '\n' ';')"
	[ "$(topo_ctl "$P" group show)" = "$groups" ] || msg="$msg; groups differ"
	[ "$(topo_ctl "$P" nexthop show | awk '{ print $1, $2, $3, $4, $5 }')" = "$nexthops" ] ||
		msg="$msg; nexthops differ: $(topo_ctl "$P" nexthop show | awk '{ print $1 }' | tr '\n' ' ')"
	flows 198.18.0.1 198.19.7.7 58000 1000 4 "/tmp/$P.a"
	moved=$(diff "/tmp/$P.b" "/tmp/$P.a" | grep -c '^>')
	[ "$moved" = 0 ] && [ "$(wc -l < "/tmp/$P.a")" = 1000 ] ||
		msg="$msg; $moved of $(wc -l < "/tmp/$P.a") flows moved"
	# The next update is not forced to fail: the same reload goes in.
	out=$(topo_ctl "$P" reload 2>&1)
	echo "$out" | grep -q reloaded && topo_ctl "$P" route show | grep -q "^198.19.7.0/24 .*group g2" &&
		topo_ctl "$P" nexthop show | grep -q "^nh9" ||
		msg="$msg; the reload after: $out"
	topo_config "$P" "$CONF"
	topo_ctl "$P" reload >/dev/null
	result "$name" $([ -z "$msg" ] && echo 0 || echo 1) "${msg#; }"
}

# The config's routes in the kernel's FIB (protocol 236, fib.h): a reload
# that drops them all removes ecmpd's copies; after that, with no config
# route and none recorded, a start or reload does not dump the kernel's
# main table (seconds at a full table) only to find nothing to do.
test_fib_without_routes() {
	local name="no config routes, none recorded: the kernel's main table not read"
	local msg="" lines log=/tmp/$P.fiblog
	topo_stop_ecmpd "$P"
	topo_ecmpd "$P" "$CONF" -v || { result "$name" 1 "restart failed"; return; }
	[ -n "$(nsx "$P-rt" ip route show proto 236)" ] || msg="$msg; no protocol 236 route at start"
	lines=$(grep -c "" "/tmp/$P.ecmpd.log")
	sed -i '/^route /d' "$CONF"
	topo_ctl "$P" reload > /dev/null || msg="$msg; the reload without routes failed"
	tail -n +$((lines + 1)) "/tmp/$P.ecmpd.log" > "$log"
	[ -z "$(nsx "$P-rt" ip route show proto 236)" ] ||
		msg="$msg; protocol 236 routes left: $(nsx "$P-rt" ip route show proto 236 | tr '\n' ';')"
	grep -q "the main table not read" "$log" &&
		msg="$msg; the table not read while ecmpd's routes were still recorded"
	lines=$(grep -c "" "/tmp/$P.ecmpd.log")
	topo_ctl "$P" reload > /dev/null || msg="$msg; the second reload failed"
	tail -n +$((lines + 1)) "/tmp/$P.ecmpd.log" > "$log"
	grep -q "kernel FIB: no config routes and none recorded in .*: the main table not read" "$log" ||
		msg="$msg; the second reload read the table"
	topo_config "$P" "$CONF"
	topo_ctl "$P" reload > /dev/null
	nsx "$P-rt" ip route show proto 236 | grep -q "^198.19.0.0/16" ||
		msg="$msg; the config's routes not back in the FIB"
	topo_stop_ecmpd "$P"
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8 || msg="$msg; restart failed"
	result "$name" $([ -z "$msg" ] && echo 0 || echo 1) "${msg#; }"
}

want() { [ -z "${ECMP_NET_TESTS:-}" ] || [[ " $ECMP_NET_TESTS " == *" $1 "* ]]; }
want lookup4 && test_lookup_matches_data_path 4 198.18.0.1 198.19.1.1
want weights && test_weights
want failover4 && test_failover 4 198.18.0.1 198.19.2.2
want recovery && test_recovery_idle_first
want kill9 && test_kill9_restart
want upgrade && test_upgrade
want stopped && test_stopped_daemon
want badconf && test_bad_configs
want lookup6 && test_lookup_matches_data_path 6 2001:db8::1 2001:db8:100::1
want failover6 && test_failover 6 2001:db8::1 2001:db8:100::2
want xdploader && test_xdp_loader
want cli && test_cli_arguments
want undo && test_failed_reload_undone
want fibnoroutes && test_fib_without_routes
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
