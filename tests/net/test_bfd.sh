#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# BFD end to end: ecmpd against FRR bfdd (Debian's 8.4) in the nexthop
# namespaces, and against a second ecmpd for authentication (FRR 8.4's
# bfdd has no authentication).
#
#   client (c0) -- (r0) router, ecmpd (r1..r4) -- (n0) nh1, nh2: FRR bfdd
#                                                  (n0) nh3: ecmpd, keyed SHA1
#                                                  (n0) nh4: no BFD
#
# A nexthop "dies" by netsink dropping everything it receives (the data
# and BFD) while its bfdd is stopped (SIGSTOP: silence, as a hung or
# powered-off host). Probe flows carry their send time, so the sinks give
# the loss window of every moved flow; the others must lose nothing.
# Timing figures are printed, not asserted tightly (shared machine):
# scripts/bench-failover.sh measures the distribution.

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh
. tests/net/frr.sh

P=eb$$
CONF=/tmp/$P.conf
. tests/net/lib.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-bfd-last.log 2>/dev/null
	frr_stop "$P-n1"
	frr_stop "$P-n2"
	frr_stop "$P-n4"
	pkill -f -- "--socket /tmp/$P-peer.sock" 2>/dev/null
	rm -rf "/sys/fs/bpf/$P-peer" "/tmp/$P-peer"*
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

INTERVAL=${BFD_INTERVAL:-50}
MULT=${BFD_MULT:-3}

router_config() { # [EXTRA LINES]
	cat > "$CONF" <<EOC
seed 0x0123456789abcdef0123456789abcdef
pin-root /sys/fs/bpf/$P
interface r0 xdp native
bfd interval $INTERVAL multiplier $MULT
nexthop nh1 via 198.18.1.2 dev r1 bfd
nexthop nh2 via 198.18.2.2 dev r2 bfd
nexthop nh4 via 198.18.4.2 dev r4
nexthop nh1v6 via 2001:db8:1::2 dev r1 bfd
nexthop nh2v6 via 2001:db8:2::2 dev r2 bfd
group web buckets 4096 idle_timer 1 unbalanced_timer 3 nexthops nh1 nh2 nh4
group web6 buckets 4096 nexthops nh1v6 nh2v6
route 198.19.0.0/16 group web
route 2001:db8:100::/48 group web6
${1:-}
EOC
}

frr_peer_lines() { # I: FRR's sessions toward the router on nexthop I
	printf ' peer 198.18.%s.1 interface n0\n  receive-interval %s\n  transmit-interval %s\n  detect-multiplier %s\n !\n' \
		"$1" "$INTERVAL" "$INTERVAL" "$MULT"
	printf ' peer 2001:db8:%s::1 interface n0\n  receive-interval %s\n  transmit-interval %s\n  detect-multiplier %s\n !\n' \
		"$1" "$INTERVAL" "$INTERVAL" "$MULT"
}

# bfd_field NEXTHOP KEY: one value from `ecmpctl -j bfd show`.
bfd_field() {
	topo_ctl "$P" -j bfd show | sed 's/},{/}\n{/g' | grep "\"nexthop\":\"$1\"" |
		sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}

bfd_dropped() { # REASON
	topo_ctl "$P" -j bfd show | sed -n "s/.*\"dropped\":{[^}]*\"$1\":\([0-9]*\).*/\1/p"
}

# frr_field NS PEER KEY: one value from FRR's own view of a session.
frr_field() {
	frr_vtysh "$1" -c "show bfd peer $2 interface n0 json" |
		tr ',{}' '\n\n\n' | sed -n "s/^ *\"$3\": *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p"
}

wait_bfd() { # NEXTHOP STATE [TENTHS]
	local i
	for i in $(seq 1 "${3:-100}"); do
		[ "$(bfd_field "$1" state)" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

setup() {
	topo_create "$P" 4 || return 1
	frr_start "$P-n1" "$(frr_peer_lines 1)" || return 1
	frr_start "$P-n2" "$(frr_peer_lines 2)" || return 1
	router_config
	topo_ecmpd "$P" "$CONF" || return 1
	wait_bfd nh1 up && wait_bfd nh2 up && wait_bfd nh1v6 up && wait_bfd nh2v6 up &&
		topo_wait_usable "$P" 5
}

# 1. Sessions up with FRR on IPv4 and IPv6, both sides on the configured
# timers after Poll/Final.
test_up_with_frr() {
	local nh peer ok=0 detail="" i
	# Poll/Final from the 1 s start-up rate to the configured one.
	# Every session checked below is waited for: one that came Up last
	# may still be on the start-up rate when the others are done.
	for i in $(seq 1 50); do
		[ "$(bfd_field nh1 tx_interval_us)" = $((INTERVAL * 1000)) ] &&
			[ "$(bfd_field nh1v6 tx_interval_us)" = $((INTERVAL * 1000)) ] &&
			[ "$(bfd_field nh2 tx_interval_us)" = $((INTERVAL * 1000)) ] &&
			[ "$(bfd_field nh2v6 tx_interval_us)" = $((INTERVAL * 1000)) ] &&
			[ "$(frr_field "$P-n1" 198.18.1.1 remote-receive-interval)" = "$INTERVAL" ] &&
			[ "$(frr_field "$P-n1" 2001:db8:1::1 remote-receive-interval)" = "$INTERVAL" ] && break
		sleep 0.1
	done
	for nh in nh1 nh1v6 nh2 nh2v6; do
		local tx det st
		tx=$(bfd_field $nh tx_interval_us)
		det=$(bfd_field $nh detect_time_us)
		[ "$tx" = $((INTERVAL * 1000)) ] && [ "$det" = $((INTERVAL * 1000 * MULT)) ] ||
			{ ok=1; detail="$detail $nh: tx $tx detect $det;"; }
	done
	for peer in 198.18.1.1 2001:db8:1::1; do
		local st rrx rtx
		st=$(frr_field "$P-n1" "$peer" status)
		rrx=$(frr_field "$P-n1" "$peer" remote-receive-interval)
		rtx=$(frr_field "$P-n1" "$peer" remote-transmit-interval)
		[ "$st" = up ] && [ "$rrx" = "$INTERVAL" ] && [ "$rtx" = "$INTERVAL" ] ||
			{ ok=1; detail="$detail FRR $peer: $st rx $rrx tx $rtx;"; }
	done
	result "BFD up with FRR bfdd, IPv4 and IPv6, ${INTERVAL} ms x $MULT both sides" $ok "$detail"
	topo_ctl "$P" nexthop show | grep -q "^nh1 .*state up bfd up" ||
		{ result "nexthop show: bfd up" 1 "$(topo_ctl "$P" nexthop show)"; return; }
	result "ecmpctl nexthop show: state up, bfd up" 0
}

veth_drops() { # where frames were dropped, for a failure's report
	local ns dev
	for ns in cl:c0 rt:r0 rt:r1 rt:r2 rt:r4 n2:n0 n4:n0; do
		dev=${ns#*:}
		ip netns exec "$P-${ns%:*}" ethtool -S "$dev" 2>/dev/null |
			awk -v w="$ns" '/drop|err/ && $2 > 0 { printf "  %s %s %s\n", w, $1, $2 }'
		ip -n "$P-${ns%:*}" -s link show "$dev" | awk -v w="$ns" '
			/RX:/ { getline; if ($4 > 0) printf "  %s rx dropped %s\n", w, $4 }
			/TX:/ { getline; if ($4 > 0) printf "  %s tx dropped %s\n", w, $4 }'
	done
}

group_buckets() { # GROUP: "B1 B2 ..." per member
	topo_ctl "$P" group show "$1" | awk '/weight/ { printf "%s ", $5 }'
}

bfdd_pid() { cat "$(frr_dir "$1")/bfdd.pid"; }

# 2. The peer falls silent and stops forwarding: ecmpd's Down, the data
# path change, the loss window of the moved flows; the others lose nothing.
FAIL_ROUNDS=${BFD_FAILURES:-3}
test_failover() {
	local k bad=0 detail="" rounds=1500 nflows=16 windows="" overheads="" balanced
	for k in $(seq 1 60); do	# settled after start-up: 4096 / 3 each
		balanced=$(group_buckets web)
		[[ "$balanced" =~ ^(136[56] ){3}$ ]] && break
		sleep 0.1
	done
	for k in $(seq 1 "$FAIL_ROUNDS"); do
		local base=$((30000 + k * 100)) t_dead gen flaps_before lost
		flaps_before=$(bfd_field nh1 flaps)
		topo_clear_sinks "$P"
		topo_send "$P" 198.18.0.1 198.19.7.7 $base $nflows $rounds $((nflows * 1000)) \
			> "/tmp/$P.sent" &
		gen=$!
		sleep 0.5
		# The peer falls silent right after its sink dies: the pid read
		# first, so only the shell's builtin kill is in between. Had
		# bfdd 30 ms (10 ms x 3) without ecmpd's packets, it would say
		# Down itself, and the data path change would follow its
		# message, not ecmpd's detection timer (after detect: -30 ms).
		local bfdd
		bfdd=$(bfdd_pid "$P-n1")
		t_dead=$("$BUILD/tests/netsink" dead "/sys/fs/bpf/$P-sink1" 1)
		kill -STOP "$bfdd"
		wait_bfd nh1 down 30 || { bad=1; detail="$detail round $k: nh1 not down;"; }
		local rx out det
		rx=$(bfd_field nh1 last_rx_before_out_unix_us)
		out=$(bfd_field nh1 dataplane_out_unix_us)
		det=$((INTERVAL * MULT * 1000))	# the field is 0 once the peer is forgotten
		overheads="$overheads $(( (out - rx - det) ))"
		wait $gen
		sleep 0.3	# the last frames are still in the veths
		topo_sinks "$P" times > "/tmp/$P.times"
		# Flows at sink 1 before the failure must show up elsewhere,
		# first after t_dead (a flow may meet a second nexthop: between
		# the flag store and the bucket rewrite the data path's probe
		# picks one, the rewrite may pick another); the other flows:
		# every packet, at one sink.
		local res
		res=$(awk -v t="$t_dead" -v r="$rounds" '
			{ n[$3]++; c[$3] += $4; if ($1 == 1) moved[$3] = 1; else { f[$3] = $5; l[$3] = $6 } }
			END {
				bad = 0; w = 0; m = 0; s = 0
				for (p in n) {
					if (moved[p]) {
						m++
						if (n[p] < 2 || f[p] < t) { bad++; print "moved flow " p ": " n[p] " sinks, first " f[p] - t > "/dev/stderr" }
						else if (f[p] - t > w) w = f[p] - t
					} else {
						s++
						if (n[p] != 1 || c[p] != r) { bad++; print "flow " p ": " n[p] " sinks, " c[p] " packets, first " f[p] - t " last " l[p] - t > "/dev/stderr" }
					}
				}
				printf "%d %d %d %.1f\n", m, s, bad, w / 1e6
			}' "/tmp/$P.times")
		set -- $res
		[ "$1" -ge 1 ] && [ "$3" = 0 ] ||
			{ bad=1; detail="$detail round $k: moved $1 surviving $2 wrong $3;"; veth_drops; }
		windows="$windows $4"
		"$BUILD/tests/netsink" dead "/sys/fs/bpf/$P-sink1" 0 >/dev/null
		kill -CONT "$(bfdd_pid "$P-n1")"
		wait_bfd nh1 up 100 || { bad=1; detail="$detail round $k: nh1 not back up;"; }
		[ "$(bfd_field nh1 flaps)" = $((flaps_before + 1)) ] ||
			{ bad=1; detail="$detail round $k: flaps $(bfd_field nh1 flaps);"; }
		# Its buckets back before the next round (idle first, busy
		# ones after unbalanced_timer), so nothing else moves then.
		local i
		for i in $(seq 1 60); do
			[ "$(group_buckets web)" = "$balanced" ] && break
			sleep 0.1
		done
	done
	echo "  loss windows (ms):$windows"
	echo "  Down -> data path change after detect time expired (us):$overheads"
	# Correctness, not speed: the windows are bounded by detection (one
	# detect time after the last packet) plus generous scheduling slack
	# (twice as much under the sanitizers, which slow ecmpd's threads
	# down: 254.8 ms against 250 in one CI run of that half). The
	# median of the rounds is held to it, each round to twice it: this
	# VM's host stops its CPUs for up to 100 ms now and then (BENCHMARKS
	# §6), which put one CI round at 252 ms (84 ms from the detect time's
	# end to the data path), and a data path that followed BFD late every
	# time, or not at all, still fails.
	local limit=$((INTERVAL * MULT + ($([ "${SANITIZE:-}" = 1 ] && echo 200 || echo 100))))
	local median
	median=$(printf '%s\n' $windows | sort -n | awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }')
	awk -v w="$median" -v l="$limit" 'BEGIN { exit !(w <= l) }' ||
		{ bad=1; detail="$detail median window $median ms > $limit;"; }
	for w in $windows; do
		awk -v w="$w" -v l="$limit" 'BEGIN { exit !(w <= 2 * l) }' ||
			{ bad=1; detail="$detail window $w ms > 2 x $limit;"; }
	done
	result "peer silent x$FAIL_ROUNDS: only its flows move, after BFD Down; others lose 0" $bad "$detail"
}

# 3. FRR changes its timers mid-session: Poll/Final, no flap on either side.
test_timer_change() {
	local flaps flaps_frr polls ok=0
	flaps=$(bfd_field nh2 flaps)
	polls=$(bfd_field nh2 polls)
	frr_vtysh "$P-n2" -c 'configure terminal' -c 'bfd' -c 'peer 198.18.2.1 interface n0' \
		-c 'transmit-interval 200' -c 'receive-interval 150' >/dev/null
	sleep 1.5
	local rtx rrx tx det
	rtx=$(bfd_field nh2 remote_desired_min_tx_us)
	rrx=$(bfd_field nh2 remote_min_rx_us)
	tx=$(bfd_field nh2 tx_interval_us)
	det=$(bfd_field nh2 detect_time_us)
	[ "$rtx" = 200000 ] && [ "$rrx" = 150000 ] && [ "$tx" = 150000 ] &&
		[ "$det" = $((200000 * MULT)) ] && [ "$(bfd_field nh2 state)" = up ] &&
		[ "$(bfd_field nh2 flaps)" = "$flaps" ] &&
		[ "$(frr_field "$P-n2" 198.18.2.1 status)" = up ] || ok=1
	result "FRR timer change mid-session: Poll/Final, no flap (tx $tx, detect $det us)" $ok \
		"remote tx $rtx rx $rrx, state $(bfd_field nh2 state), flaps $(bfd_field nh2 flaps) (was $flaps), FRR $(frr_field "$P-n2" 198.18.2.1 status)"
	# Ours: a reload with new timers polls FRR and nothing flaps.
	sed -i "s/^nexthop nh2 via 198.18.2.2 dev r2 bfd$/nexthop nh2 via 198.18.2.2 dev r2 bfd interval 100/" "$CONF"
	topo_ctl "$P" reload >/dev/null
	sleep 1.5
	flaps_frr=$(frr_field "$P-n2" 198.18.2.1 remote-receive-interval)
	[ "$(bfd_field nh2 polls)" -gt "$polls" ] && [ "$flaps_frr" = 100 ] &&
		[ "$(bfd_field nh2 flaps)" = "$flaps" ] && [ "$(bfd_field nh2 state)" = up ]
	result "ecmpd timer change by reload: Poll/Final, FRR follows, no flap" $? \
		"FRR sees our rx $flaps_frr, state $(bfd_field nh2 state)"
	router_config
	topo_ctl "$P" reload >/dev/null
}

# 4. Packets ecmpd must ignore, each sent from nh1's host; the session
# stays up and each lands in its counter.
test_hostile_packets() {
	local ldisc rdisc flaps hdr ok=0 detail=""
	ldisc=$(printf '%08x' "$(bfd_field nh1 local_discriminator)")
	rdisc=$(printf '%08x' "$(bfd_field nh1 remote_discriminator)")
	flaps=$(bfd_field nh1 flaps)
	# Down, Detect Mult 3, Length 24, the real discriminators: accepted,
	# this would take the session down.
	hdr="2040031 8${rdisc}${ldisc}000f4240000f424000000000"
	hdr=${hdr// /}
	ip -n "$P-n1" addr add 198.18.1.3/24 dev n0
	inject() { # REASON SRC TTL HEX
		local before after
		before=$(bfd_dropped "$1")
		nsx "$P-n1" "$BUILD/tests/bfdinject" n0 "$2" 198.18.1.1 "$3" "$4"
		sleep 0.2
		after=$(bfd_dropped "$1")
		[ "$after" = $((before + 1)) ] || { ok=1; detail="$detail $1: $before -> $after;"; }
	}
	inject ttl 198.18.1.2 254 "$hdr"
	inject version 198.18.1.2 255 "4${hdr:1}"
	inject length 198.18.1.2 255 "${hdr:0:6}30${hdr:8}"
	inject detect_mult 198.18.1.2 255 "${hdr:0:4}00${hdr:6}"
	inject multipoint 198.18.1.2 255 "${hdr:0:2}41${hdr:4}"
	inject my_disc 198.18.1.2 255 "${hdr:0:8}00000000${hdr:16}"
	inject unknown_disc 198.18.1.2 255 "${hdr:0:16}deadbeef${hdr:24}"
	inject unknown_peer 198.18.1.3 255 "$hdr"
	inject short 198.18.1.2 255 "${hdr:0:40}"
	inject auth_unexpected 198.18.1.2 255 "${hdr:0:2}44${hdr:4:2}1a${hdr:8}0402"
	ip -n "$P-n1" addr del 198.18.1.3/24 dev n0
	[ "$(bfd_field nh1 state)" = up ] && [ "$(bfd_field nh1 flaps)" = "$flaps" ] ||
		{ ok=1; detail="$detail session: $(bfd_field nh1 state), flaps $(bfd_field nh1 flaps);"; }
	result "TTL 254, bad version/length/mult/M/discriminators, strangers: dropped, counted" $ok "$detail"
}

# 5. Keyed SHA1 against a second ecmpd on nh3's host.
peer_ecmpd() { # SECRET-FILE
	cat > "/tmp/$P-peer.conf" <<EOC
seed 0x0123456789abcdef0123456789abcdef
pin-root /sys/fs/bpf/$P-peer
interface n0 attach none
nexthop back via 198.18.3.1 dev n0 bfd interval 50 multiplier 3 auth meticulous-sha1 key-id 5 secret $1
group g nexthops back
route 198.19.250.0/24 group g
EOC
	if [ -S "/tmp/$P-peer.sock" ]; then
		nsx "$P-n3" "$BUILD/ecmpctl" --socket "/tmp/$P-peer.sock" reload >/dev/null
		return
	fi
	nsx "$P-n3" "$BUILD/ecmpd" -c "/tmp/$P-peer.conf" --state-dir "/tmp/$P-peer-state" \
		--socket "/tmp/$P-peer.sock" < /dev/null >> "/tmp/$P-peer.log" 2>&1 &
	for _ in $(seq 1 100); do
		[ -S "/tmp/$P-peer.sock" ] && return
		sleep 0.1
	done
}

test_auth() {
	printf 'sha1-secret\n' > "/tmp/$P-a.key"
	printf 'other-secret\n' > "/tmp/$P-b.key"
	chmod 600 "/tmp/$P-a.key" "/tmp/$P-b.key"
	router_config "nexthop nh3 via 198.18.3.2 dev r3 bfd interval 50 multiplier 3 auth meticulous-sha1 key-id 5 secret /tmp/$P-a.key"
	topo_ctl "$P" reload >/dev/null
	peer_ecmpd "/tmp/$P-a.key"
	wait_bfd nh3 up 100
	result "meticulous keyed SHA1 with the same key: up" $? "$(bfd_field nh3 state), drops: digest $(bfd_dropped auth_digest)"
	local before
	before=$(bfd_dropped auth_digest)
	peer_ecmpd "/tmp/$P-b.key"
	wait_bfd nh3 down 50
	sleep 1
	[ "$(bfd_field nh3 state)" = down ] && [ "$(bfd_dropped auth_digest)" -gt "$before" ]
	result "mismatching key: session down, packets dropped as auth_digest" $? \
		"state $(bfd_field nh3 state), auth_digest $before -> $(bfd_dropped auth_digest)"
	peer_ecmpd "/tmp/$P-a.key"
	wait_bfd nh3 up 100
	result "key fixed: up again" $? "$(bfd_field nh3 state)"
	chmod 644 "/tmp/$P-a.key"
	topo_ctl "$P" reload 2>&1 | grep -q "readable by root only"
	result "world-readable secret: reload refused with the fix" $?
	chmod 600 "/tmp/$P-a.key"
}

# 6. Drain sends AdminDown: FRR sees the session down with diag 7
# (administratively down), and undrain brings it back.
test_drain_admin_down() {
	local mon
	# nsenter execs ecmpctl: $! is its pid, and kill ends it.
	nsenter --net="/run/netns/$P-rt" "$BUILD/ecmpctl" --socket "/tmp/$P.sock" \
		monitor bfd nexthop > "/tmp/$P.mon" &
	mon=$!
	sleep 0.3
	topo_ctl "$P" nexthop set nh2 drain >/dev/null
	sleep 0.5
	local st diag
	st=$(frr_field "$P-n2" 198.18.2.1 status)
	diag=$(frr_field "$P-n2" 198.18.2.1 remote-diagnostic)
	[ "$(bfd_field nh2 state)" = admin_down ] && [ "$st" = down ] &&
		[ "$diag" = "administratively down" ]
	result "drain: AdminDown sent, FRR says down (administratively-down)" $? \
		"ours $(bfd_field nh2 state), FRR $st / $diag"
	topo_ctl "$P" nexthop set nh2 up >/dev/null
	wait_bfd nh2 up 100 && topo_wait_usable "$P" 5
	result "undrain: session and nexthop up again" $?
	sleep 0.2
	kill $mon
	wait $mon 2>/dev/null
	cut -d' ' -f2- "/tmp/$P.mon" | tr '\n' ';' |
		grep -qx "nexthop nh2 drain: drained by request;bfd nh2 admin_down (admin_down);bfd nh2 up;nexthop nh2 up;"
	result "ecmpctl monitor bfd nexthop: the drain and the undrain, in order" $? "$(cat "/tmp/$P.mon")"
	rm -f "/tmp/$P.mon"
}

# 7. SIGKILL and restart under traffic: the new ecmpd adopts the data path,
# its BFD sessions come back within the start-up grace, nothing moves and
# nothing is lost.
test_kill9_restart() {
	local rounds=4000 nflows=16 base=36000 gen
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.7.7 $base $nflows $rounds $((nflows * 1000)) >/dev/null &
	gen=$!
	sleep 0.5
	pkill -9 -f -- "--socket /tmp/$P.sock"
	sleep 0.2
	rm -f "/tmp/$P.sock"
	topo_ecmpd "$P" "$CONF"
	wait $gen
	sleep 0.3
	local res
	res=$(topo_sinks "$P" | awk -v r=$rounds '$2 == 4 { n[$3]++; c[$3] += $4 }
		END { bad = 0; for (p in n) if (n[p] != 1 || c[p] != r) bad++; print length(n), bad }')
	set -- $res
	wait_bfd nh1 up 50 && wait_bfd nh2 up 50
	local up=$?
	[ "$1" = $nflows ] && [ "$2" = 0 ] && [ $up = 0 ] &&
		! grep -q "BFD session not up" "/tmp/$P.ecmpd.log"
	result "SIGKILL + restart with BFD under traffic: 0 moved, 0 lost, sessions back" $? \
		"$1 flows, $2 moved or lost, nh1 $(bfd_field nh1 state) nh2 $(bfd_field nh2 state)"
}

# 8. Stuck control clients hold neither ecmpctl nor BFD: requests are read
# as they come, stuck ones time out after 1 s.
test_stuck_clients() {
	local flaps t0 t1 out
	flaps=$(bfd_field nh1 flaps)
	"$BUILD/tests/ctlhold" "/tmp/$P.sock" 8 3 > "/tmp/$P.hold" &
	local hold=$!
	sleep 0.3
	t0=$(date +%s%N)
	out=$(topo_ctl "$P" bfd show)
	t1=$(date +%s%N)
	wait $hold
	[ -n "$out" ] && [ $(( (t1 - t0) / 1000000 )) -lt 900 ] &&
		[ "$(cat "/tmp/$P.hold")" = 8 ] && [ "$(bfd_field nh1 flaps)" = "$flaps" ]
	result "8 stuck control clients: ecmpctl answered, they time out, BFD steady" $? \
		"ecmpctl took $(( (t1 - t0) / 1000000 )) ms, $(cat "/tmp/$P.hold") of 8 timed out"
}

# 9. A reload every 50 ms for RELOAD_SECONDS (15; 8 sanitized) while the
# sessions run: the sessions stay the same sessions (discriminators),
# ecmpd's BFD thread keeps time through every reload (no transmission so
# late that the peer could have timed the session out: (multiplier - 1)
# intervals, 100 ms; the thread blocked in a reload shows 130 ms), and
# ecmpd's memory does not grow. Flaps are counted and shown, not failed
# on: at 50 ms x 3 a peer or a softirq kept off the CPU for 150 ms on this
# shared 2-CPU machine (sanitized builds, parallel jobs) flaps a session
# whatever ecmpd does; what ecmpd controls is asserted.
storm_sessions="nh1 nh2 nh1v6 nh2v6"
session_ids() { # "name:disc ..." of the storm's sessions
	local nh
	for nh in $storm_sessions; do printf '%s:%s ' "$nh" "$(bfd_field "$nh" local_discriminator)"; done
}
test_reload_storm() {
	# Sanitized, where lateness is not judged, half as long: the same
	# reloads per second, the same checks on sessions, reloads and RSS.
	# RELOAD_SECONDS=600 makes it a soak.
	local secs=${RELOAD_SECONDS:-$([ "${SANITIZE:-}" = 1 ] && echo 8 || echo 15)}
	local i flaps pid rss0 rss1 bad=0 ids late nh worst=0
	local -A late0
	flaps=$(( $(bfd_field nh1 flaps) + $(bfd_field nh2 flaps) + $(bfd_field nh1v6 flaps) ))
	ids=$(session_ids)
	# tx_late_max_us is the worst since the session began (start-up,
	# the earlier tests): the storm's own is a new worst, if any.
	for nh in $storm_sessions; do late0[$nh]=$(bfd_field "$nh" tx_late_max_us); done
	pid=$(pgrep -f -- "ecmpd -c .* --socket /tmp/$P.sock" | head -1)
	local start=${EPOCHREALTIME//[!0-9]/} wait_us
	for i in $(seq 1 $((secs * 20))); do
		# Alternate a weight so every reload changes something.
		sed -i "s/^nexthop nh4 via 198.18.4.2 dev r4.*/nexthop nh4 via 198.18.4.2 dev r4 weight $((i % 2 + 1))/" "$CONF"
		topo_ctl "$P" reload >/dev/null || bad=$((bad + 1))
		[ "$i" = 100 ] && rss0=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
		# The next reload 50 ms after this one began, not after it ended.
		wait_us=$((start + i * 50000 - ${EPOCHREALTIME//[!0-9]/}))
		[ "$wait_us" -le 0 ] || sleep "$(printf '0.%06d' "$wait_us")"
	done
	rss1=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
	for nh in $storm_sessions; do
		late=$(bfd_field "$nh" tx_late_max_us)
		[ "${late:-999999999}" -gt "${late0[$nh]:-0}" ] && [ "${late:-999999999}" -gt "$worst" ] &&
			worst=${late:-999999999}
	done
	local after=$(( $(bfd_field nh1 flaps) + $(bfd_field nh2 flaps) + $(bfd_field nh1v6 flaps) ))
	# Sanitized builds (ASan with full stack unwinding at every malloc)
	# run ecmpd many times slower: their timing is reported, not judged.
	# Nor their RSS: ASan keeps freed memory in its quarantine (and
	# LeakSanitizer judges leaks at exit); a plain ecmpd must not grow.
	[ "$bad" = 0 ] && [ "$(session_ids)" = "$ids" ] &&
		{ [ "${SANITIZE:-}" = 1 ] || [ "$worst" -lt $(((MULT - 1) * INTERVAL * 1000)) ]; } &&
		{ [ "${SANITIZE:-}" = 1 ] || [ $((rss1 - rss0)) -lt 1024 ]; }
	result "$((secs * 20)) reloads, one every 50 ms, with BFD up: the same sessions, on time, RSS steady" $? \
		"failed reloads $bad, sessions $ids -> $(session_ids), a new worst transmission $worst us late, RSS after 100 reloads $rss0 KiB, at the end $rss1 KiB"
	echo "  flaps during the storm: $((after - flaps)); ecmpd's BFD transmissions in it: $([ "$worst" = 0 ] && echo "none later than before it" || echo "a new worst, $worst us behind schedule")"
	[ "$after" = "$flaps" ] || {
		grep "bfd .*: down" "/tmp/$P.ecmpd.log" | tail -6 | sed 's/^/    /'
		echo "    bfdd's last diagnostics: n1 $(frr_field "$P-n1" 198.18.1.1 diagnostic) (remote $(frr_field "$P-n1" 198.18.1.1 remote-diagnostic)), n2 $(frr_field "$P-n2" 198.18.2.1 diagnostic) (remote $(frr_field "$P-n2" 198.18.2.1 remote-diagnostic))"
	}
	echo "  RSS after 100 reloads ${rss0} KiB, after $((secs * 20)): ${rss1} KiB"
	router_config
	topo_ctl "$P" reload >/dev/null
}

# 10. Routes from the kernel with BFD per interface (`bfd dev r4`): the
# nexthop mirrored from the kernel's route gets a session to FRR on n4;
# FRR falls silent: the nexthop leaves the data path within the detect
# time although the kernel's route still lists it, and comes back.
test_mirror_bfd() {
	local nh="198.18.4.2@r4" t0 t1 out others
	frr_start "$P-n4" "$(frr_peer_lines 4)"
	router_config "routes kernel protocol bgp
bfd dev r4 interval $INTERVAL multiplier $MULT"
	topo_ctl "$P" reload > /dev/null
	ip -n "$P-rt" route add 198.19.99.0/24 proto bgp nexthop via 198.18.4.2 dev r4 \
		nexthop via 198.18.1.2 dev r1
	wait_bfd "$nh" up 100 && topo_ctl "$P" nexthop show "$nh" | grep -q "state up bfd up" &&
		! topo_ctl "$P" -j bfd show | grep -q '"nexthop":"198.18.1.2@r1"'
	result "bfd dev r4: the mirrored nexthop $nh has a session, up (r1's has none)" $? \
		"$(topo_ctl "$P" nexthop show "$nh"; topo_ctl "$P" bfd show | grep -A1 "$nh")"

	# Up comes at the 1 s start-up rate; the detect time measured is the
	# configured one's, after Poll/Final.
	for _ in $(seq 1 50); do
		[ "$(bfd_field "$nh" detect_time_us)" = $((INTERVAL * MULT * 1000)) ] && break
		sleep 0.1
	done
	t0=$(date +%s%N)
	kill -STOP "$(bfdd_pid "$P-n4")"
	for _ in $(seq 1 100); do
		topo_ctl "$P" nexthop show "$nh" | grep -q "state down" && break
		sleep 0.02
	done
	t1=$(date +%s%N)
	out=$(seq 20000 20999 | awk '{ print "198.18.0.1 198.19.99.9 udp", $1, 5001 }' |
		topo_ctl "$P" -j lookup - | grep -c "\"nexthop\":\"$nh\"")
	others=$(seq 20000 20999 | awk '{ print "198.18.0.1 198.19.99.9 udp", $1, 5001 }' |
		topo_ctl "$P" -j lookup - | grep -c '"nexthop":"198.18.1.2@r1"')
	ip -n "$P-rt" route show 198.19.99.0/24 | grep -q "via 198.18.4.2" &&
		topo_ctl "$P" nexthop show "$nh" | grep -q "state down bfd down" &&
		[ "$out" = 0 ] && [ "$others" = 1000 ]
	result "FRR on n4 silent: $nh out in $(( (t1 - t0) / 1000000 )) ms, the kernel still lists it, 1,000 flows on r1's" $? \
		"$out flows still on $nh, $others on r1's; $(topo_ctl "$P" nexthop show "$nh")"
	kill -CONT "$(bfdd_pid "$P-n4")"
	wait_bfd "$nh" up 100 && topo_wait_usable "$P" 6
	result "FRR back: the session and $nh up again" $? "$(topo_ctl "$P" nexthop show "$nh")"
	ip -n "$P-rt" route del 198.19.99.0/24 proto bgp
	frr_stop "$P-n4"
	router_config
	topo_ctl "$P" reload > /dev/null
}

if ! setup; then
	result "topology, FRR bfdd and ecmpd with BFD up" 1 "$(topo_ctl "$P" bfd show 2>&1)"
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
result "topology, FRR bfdd and ecmpd with BFD up" 0
# 11. A nexthop's device deleted and made again (a driver reload): the
# sessions on it were bound to the old device; they come Up again on the
# new one, with FRR (which follows its own new n0), and the nexthop is
# back in the data path.
test_recreated_link() {
	local i
	ip -n "$P-rt" link del r1
	topo_nexthop_link "$P" 1 >/dev/null
	nsx "$P-rt" ethtool -K r1 gro on >/dev/null 2>&1
	sleep 4
	wait_bfd nh1 up 150 && wait_bfd nh1v6 up 50 && topo_wait_usable "$P" 5 >/dev/null &&
		[ "$(frr_field "$P-n1" 198.18.1.1 status)" = up ] && [ "$(frr_field "$P-n1" 2001:db8:1::1 status)" = up ]
	result "a nexthop's device made again: its BFD sessions Up on the new one, nh1 usable" $? \
		"nh1 $(bfd_field nh1 state), nh1v6 $(bfd_field nh1v6 state); FRR: $(frr_field "$P-n1" 198.18.1.1 status); dropped: $(topo_ctl "$P" -j bfd show | sed -n 's/.*"dropped":\({[^}]*}\).*/\1/p')"
}

want() { [ -z "${ECMP_NET_TESTS:-}" ] || [[ " $ECMP_NET_TESTS " == *" $1 "* ]]; }
want up && test_up_with_frr
want failover && test_failover
want timers && test_timer_change
want hostile && test_hostile_packets
want auth && test_auth
want drain && test_drain_admin_down
want stuck && test_stuck_clients
want reloads && test_reload_storm
want mirror && test_mirror_bfd
want kill9 && test_kill9_restart
want recreated && test_recreated_link
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
