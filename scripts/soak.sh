#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make soak` (not in CI): long runs under forwarding load.
#
#  1. BFD stability: 10 sessions (IPv4 and IPv6 to FRR bfdd on 5 nexthops)
#     at 50 ms x 3 for SOAK_BFD_MINUTES (default 10) while the router
#     forwards as fast as one sender can push; then the same at 10 ms x 3.
#     Any flap at 50 ms x 3 is a failure; at 10 ms x 3 the rate is reported.
#  2. Chaos: SOAK_MINUTES (default 30) of traffic (1,000 flows) with a random
#     fault every few seconds (link flap, a BFD peer dying and coming back,
#     neighbour flush, drain/undrain, reload with new weights, SIGKILL and
#     restart of ecmpd). Ends with every flow checked against `ecmpctl
#     lookup` (misrouted), frames sent and received, flaps, ecmpd's RSS at
#     start and end.
#  3. The kernel mirror: SOAK_MIRROR_ROUNDS (default 400) rounds of random
#     route changes (tests/net/test_mirror_random.sh), then zebra's FPM
#     stream: SOAK_FPM_ROUNDS (default 300) rounds of random frames
#     (tests/net/test_fpm_random.sh); then reload: SOAK_RELOAD_ROUNDS
#     (default 300) random configs (tests/net/test_reload_random.sh); seed
#     SOAK_SEED (default: the time, printed) to run again the same.
# SOAK_PARTS="bfd chaos mirror" selects parts.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
. scripts/topo.sh
. tests/net/frr.sh

BFD_MIN=${SOAK_BFD_MINUTES:-10}
CHAOS_MIN=${SOAK_MINUTES:-30}
P=soak$$
CONF=/tmp/$P.conf
NNH=5

cleanup() {
	local i
	for i in $(seq 1 $NNH); do frr_stop "$P-n$i"; done
	pkill -f -- "flowgen c0" 2>/dev/null
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-soak-last.log 2>/dev/null
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

config() { # INTERVAL MULT [WEIGHTS...]
	local i w
	{
		echo "seed 0x0123456789abcdef0123456789abcdef"
		echo "pin-root /sys/fs/bpf/$P"
		echo "interface r0 xdp native"
		echo "interface r0 tc ingress"
		echo "bfd interval $1 multiplier $2"
		for i in $(seq 1 $NNH); do
			w=${3:-1}
			[ $# -ge 3 ] && shift
			echo "nexthop nh$i via 198.18.$i.2 dev r$i weight $w bfd"
			echo "nexthop nh${i}v6 via 2001:db8:$i::2 dev r$i bfd"
		done
		echo "group web buckets 4096 idle_timer 1 unbalanced_timer 5 nexthops $(seq -f 'nh%g' -s ' ' 1 $NNH)"
		echo "group web6 buckets 4096 nexthops $(seq -f 'nh%gv6' -s ' ' 1 $NNH)"
		echo "route 198.19.0.0/16 group web"
		echo "route 2001:db8:100::/48 group web6"
	} > "$CONF"
}

frr_peers() { # I INTERVAL MULT
	local a
	for a in "198.18.$1.1" "2001:db8:$1::1"; do
		printf ' peer %s interface n0\n  receive-interval %s\n  transmit-interval %s\n  detect-multiplier %s\n !\n' \
			"$a" "$2" "$2" "$3"
	done
}

ecmpd_pid() { pgrep -f -- "--socket /tmp/$P.sock" | head -1; }
rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$(ecmpd_pid)/status"; }

# Sum of a numeric field over every session in `ecmpctl -j bfd show`.
bfd_sum() {
	topo_ctl "$P" -j bfd show | grep -o "\"$1\":[0-9]*" | awk -F: '{ s += $2 } END { print s + 0 }'
}

bfd_all_up() {
	[ "$(topo_ctl "$P" -j bfd show | grep -o '"state":"up"' | wc -l)" = $((2 * NNH)) ]
}

frr_downs() { # session-down events FRR counted, all peers
	local i s=0 n
	for i in $(seq 1 $NNH); do
		n=$(frr_vtysh "$P-n$i" -c 'show bfd peers counters json' |
			grep -o '"session-down":[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }')
		s=$((s + n))
	done
	echo $s
}

start_all() { # INTERVAL MULT
	local i
	for i in $(seq 1 $NNH); do
		frr_stop "$P-n$i"
		frr_start "$P-n$i" "$(frr_peers "$i" "$1" "$2")" || return 1
	done
	config "$1" "$2"
	topo_ecmpd "$P" "$CONF" || return 1
	for i in $(seq 1 100); do
		bfd_all_up && return 0
		sleep 0.2
	done
	return 1
}

load() { # SECONDS: the router forwards as fast as one sender pushes
	local mac
	mac=$(ip -n "$P-rt" -br link show r0 | awk '{print $3}')
	timeout "$1" nsenter --net="/run/netns/$P-cl" "$BUILD/tests/flowgen" c0 "$mac" \
		198.18.0.1 198.19.3.3 20000 1000 100000000 >/dev/null 2>&1
}

bfd_part() { # INTERVAL MULT
	local secs=$((BFD_MIN * 60)) f0 f1 r0 r1 frr0 frr1
	topo_ctl "$P" shutdown >/dev/null 2>&1
	sleep 0.5
	rm -f "/tmp/$P.sock"
	pkill -f -- "--socket /tmp/$P.sock"
	start_all "$1" "$2" || { echo "bfd ${1}x$2: sessions did not come up"; return 1; }
	sleep 3	# Poll/Final to the configured timers
	f0=$(bfd_sum flaps)
	frr0=$(frr_downs)
	r0=$(bfd_sum rx_packets)
	local fw0 fw1
	fw0=$(topo_ctl "$P" stats | awk '/^forwarded/ { print $3 }')
	local log0
	log0=$(wc -l < "/tmp/$P.ecmpd.log")
	load "$secs"
	fw1=$(topo_ctl "$P" stats | awk '/^forwarded/ { print $3 }')
	f1=$(bfd_sum flaps)
	frr1=$(frr_downs)
	r1=$(bfd_sum rx_packets)
	printf 'bfd %3s ms x%s: %d sessions, %d min under load: ecmpd flaps %d, FRR session-down %d, %d packets received\n' \
		"$1" "$2" $((2 * NNH)) "$BFD_MIN" $((f1 - f0)) $((frr1 - frr0)) $((r1 - r0))
	echo "  forwarded meanwhile: $((fw1 - fw0)) frames ($(( (fw1 - fw0) / secs )) per second)"
	# Who noticed first: ecmpd (the peer's packets were late) or the peer
	# (ours were).
	tail -n +"$((log0 + 1))" "/tmp/$P.ecmpd.log" | sed -n 's/.*bfd [^ ]*: down (\([a-z_]*\)).*/\1/p' |
		sort | uniq -c | awk '{ printf "  flaps by cause: %s %s\n", $2, $1 }'
	echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# ---- chaos ----

fault() { # one random fault, undone before returning
	local i=$((RANDOM % NNH + 1)) kind=$((RANDOM % 6))
	case $kind in
	0) echo "link flap nh$i"
	   ip -n "$P-n$i" link set n0 down; sleep 0.5; ip -n "$P-n$i" link set n0 up ;;
	1) echo "nexthop $i dies for 1 s (BFD silent, data dropped)"
	   "$BUILD/tests/netsink" dead "/sys/fs/bpf/$P-sink$i" 1 >/dev/null
	   kill -STOP "$(cat "$(frr_dir "$P-n$i")/bfdd.pid")"
	   sleep 1
	   kill -CONT "$(cat "$(frr_dir "$P-n$i")/bfdd.pid")"
	   "$BUILD/tests/netsink" dead "/sys/fs/bpf/$P-sink$i" 0 >/dev/null ;;
	2) echo "neighbour flush r$i"
	   ip -n "$P-rt" neigh flush dev "r$i" >/dev/null 2>&1 ;;
	3) echo "drain nh$i for 1 s"
	   topo_ctl "$P" nexthop set "nh$i" drain >/dev/null; sleep 1
	   topo_ctl "$P" nexthop set "nh$i" up >/dev/null ;;
	4) echo "reload with new weights"
	   config 50 3 $((RANDOM % 4 + 1)) $((RANDOM % 4 + 1)) $((RANDOM % 4 + 1)) \
		$((RANDOM % 4 + 1)) $((RANDOM % 4 + 1))
	   topo_ctl "$P" reload >/dev/null ;;
	5) echo "SIGKILL ecmpd and restart"
	   pkill -9 -f -- "--socket /tmp/$P.sock"; sleep 0.2
	   rm -f "/tmp/$P.sock"
	   topo_ecmpd "$P" "$CONF" >/dev/null ;;
	esac
}

chaos_part() {
	local end=$(( $(date +%s) + CHAOS_MIN * 60 )) n=0 rss0 rss1 sent recv mis
	topo_ctl "$P" shutdown >/dev/null 2>&1
	sleep 0.5
	pkill -f -- "--socket /tmp/$P.sock"
	rm -f "/tmp/$P.sock"
	start_all 50 3 || { echo "chaos: sessions did not come up"; return 1; }
	rss0=$(rss_kib)
	topo_clear_sinks "$P"
	# 1,000 flows at 20,000 frames/s for the whole run.
	topo_send "$P" 198.18.0.1 198.19.5.5 40000 1000 $((CHAOS_MIN * 60 * 20)) 20000 \
		> "/tmp/$P.sent" &
	local gen=$!
	while [ "$(date +%s)" -lt "$end" ]; do
		fault >> "/tmp/$P.faults"
		n=$((n + 1))
		sleep $((RANDOM % 4 + 2))
	done
	wait $gen
	sleep 0.5
	sent=$(cat "/tmp/$P.sent")
	recv=$(topo_sinks "$P" | awk '$2 == 4 { s += $4 } END { print s + 0 }')
	# Settle, then every flow where `ecmpctl lookup` says.
	config 50 3
	topo_ctl "$P" reload >/dev/null
	for _ in $(seq 1 100); do bfd_all_up && break; sleep 0.2; done
	sleep 6	# unbalanced_timer
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.5.5 40000 1000 >/dev/null
	sleep 0.5
	mis=$(diff <(seq 40000 40999 | awk '{ print "198.18.0.1 198.19.5.5 udp", $1, 5001 }' |
			topo_ctl "$P" -j lookup - |
			sed -n 's/.*"nexthop":"nh\([0-9]\)".*/\1/p' | paste -d' ' <(seq 40000 40999) -) \
		<(topo_sinks "$P" | awk '$2 == 4 { print $3, $1 }' | sort -n) | grep -c '^>')
	rss1=$(rss_kib)
	echo "chaos: $CHAOS_MIN min, $n faults ($(sort "/tmp/$P.faults" | sed 's/ nh[0-9]//; s/ r[0-9]$//; s/nexthop [0-9]/nexthop/' | sort | uniq -c | awk '{ c = $1; $1 = ""; printf "%s%s x%d", sep, $0, c; sep = "," }'))"
	echo "  frames sent $sent, received $recv, lost $((sent - recv)) ($(awk -v s="$sent" -v r="$recv" 'BEGIN { printf "%.3f", (s - r) * 100 / s }') %), during faults"
	echo "  after settling: 1000 flows checked against ecmpctl lookup, $mis misrouted"
	echo "  BFD session-down events seen by FRR: $(frr_downs) (faults that kill or drain a nexthop, link flaps and ecmpd restarts cause them)"
	echo "  ecmpd RSS: start ${rss0} KiB, end ${rss1} KiB (restarts included: the last ecmpd's)"
}

# The mirrors' own topologies (the tests make them); their lines but ecmpd's log.
mirror_part() {
	local seed=${SOAK_SEED:-$(date +%s)}
	echo "mirror: ${SOAK_MIRROR_ROUNDS:-400} rounds, seed $seed"
	MIRROR_ROUNDS=${SOAK_MIRROR_ROUNDS:-400} MIRROR_SEED=$seed BUILD=$BUILD \
		bash tests/net/test_mirror_random.sh | grep -v "^    [0-9][0-9]:"
	echo "fpm: ${SOAK_FPM_ROUNDS:-300} rounds, seed $seed"
	FPM_ROUNDS=${SOAK_FPM_ROUNDS:-300} FPM_SEED=$seed BUILD=$BUILD \
		bash tests/net/test_fpm_random.sh | grep -v "^    [0-9][0-9]:"
	echo "reload: ${SOAK_RELOAD_ROUNDS:-300} rounds, seed $seed"
	RELOAD_ROUNDS=${SOAK_RELOAD_ROUNDS:-300} RELOAD_SEED=$seed BUILD=$BUILD \
		bash tests/net/test_reload_random.sh | grep -v "^    [0-9][0-9]:"
}

topo_create "$P" $NNH >/dev/null || { echo "topology failed"; exit 1; }
echo "== soak on $(uname -r), $(nproc) CPUs, $(date -u +%FT%TZ)"
for part in ${SOAK_PARTS:-bfd chaos mirror}; do
	case $part in
	bfd) bfd_part 50 3; bfd_part 10 3 ;;
	bfd10) bfd_part 10 3 ;;
	chaos) chaos_part ;;
	mirror) mirror_part ;;
	esac
done
