#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The failover xdp-ecmp is measured against (scripts/bench-failover.sh):
# the kernel's ECMP driven by FRR, BGP with BFD, as a router without
# xdp-ecmp does it. Debian's FRR (8.4) on every node:
#
#   client ---- router: zebra, bfdd, bgpd (AS 65000), kernel forwarding
#                 |  BGP + BFD (each peer's session at INTERVAL x MULT)
#               nh1, nh2, nh4: zebra, bfdd, bgpd (AS 65001), announcing
#               198.19.70.0/24; zebra installs one multipath route
#
# Per failure, as bench-failover.sh does for ecmpd: 16 probe flows at
# 1,000 frames/s each carry their send time; nh1 "dies" (its sink drops
# everything and its FRR daemons are stopped with SIGSTOP); the loss
# window is the first probe of nh1's flows delivered elsewhere minus the
# moment of death. The router's bfdd says Down, bgpd drops the session and
# its path, zebra replaces the route: detection plus what BGP and zebra
# add. Then nh1 comes back (SIGCONT), and the next round starts once the
# route has its three paths again.
#
#   env: BFD_FAILURES=N (default 10; BENCH_QUICK=1: 1),
#        BFD_SETTINGS="50x3 10x3" (BENCH_QUICK=1: 50x3)
set -u
cd "$(dirname "$0")/.."
. scripts/bench-stats.sh
BUILD=${BUILD:-build}
. scripts/topo.sh
. tests/net/frr.sh

if [ "$(id -u)" != 0 ]; then
	echo "bench-failover-kernel: needs root (namespaces)" >&2
	exit 1
fi
N=${BFD_FAILURES:-10}
SETTINGS=${BFD_SETTINGS:-50x3 10x3}
[ -n "${BENCH_QUICK:-}" ] && N=1 && SETTINGS=${BFD_SETTINGS:-50x3}
P=bk$$
R=$P-rt
PFX=198.19.70.0/24
PEERS="1 2 4"
trap 'frr_stop_nodes; topo_destroy "$P"' EXIT
trap 'exit 1' INT TERM

router_frr() { # INTERVAL MULT
	local d
	d=$(frr_node_dir rt)
	mkdir -p "$d"
	printf 'bfd\n profile fast\n  receive-interval %s\n  transmit-interval %s\n  detect-multiplier %s\n !\n' \
		"$1" "$1" "$2" > "$d/bfdd.conf"
	{
		printf 'router bgp 65000\n bgp router-id 198.18.0.254\n no bgp ebgp-requires-policy\n timers bgp 1 3\n'
		for i in $PEERS; do
			printf ' neighbor 198.18.%s.2 remote-as 65001\n neighbor 198.18.%s.2 bfd profile fast\n' \
				"$i" "$i"
			printf ' neighbor 198.18.%s.2 timers connect 1\n' "$i"
		done
		printf ' address-family ipv4 unicast\n  maximum-paths 8\n exit-address-family\n'
	} > "$d/bgpd.conf"
	frr_zebra "$R" "$d" && frr_bfdd "$R" "$d" &&
		frr_daemon "$R" "$d" bgpd -z "$d/zserv.api"
}

peer_frr() { # I INTERVAL MULT: nhI announces 198.19.70.0/24
	local i=$1 d
	d=$(frr_node_dir "nh$i")
	mkdir -p "$d"
	printf 'bfd\n profile fast\n  receive-interval %s\n  transmit-interval %s\n  detect-multiplier %s\n !\n' \
		"$2" "$2" "$3" > "$d/bfdd.conf"
	cat > "$d/bgpd.conf" <<EOF
router bgp 65001
 bgp router-id 198.18.$i.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 1 3
 neighbor 198.18.$i.1 remote-as 65000
 neighbor 198.18.$i.1 bfd profile fast
 neighbor 198.18.$i.1 timers connect 1
 address-family ipv4 unicast
  network $PFX
 exit-address-family
EOF
	frr_zebra "$P-n$i" "$d" && frr_bfdd "$P-n$i" "$d" &&
		frr_daemon "$P-n$i" "$d" bgpd -z "$d/zserv.api"
}

# The route's nexthops in the kernel, "198.18.1.2 198.18.2.2 ..." sorted.
paths() {
	ip -n "$R" -j route show "$PFX" | python3 -c '
import json, sys
r = json.load(sys.stdin)
hops = [n["gateway"] for x in r for n in (x.get("nexthops") or [x]) if "gateway" in n]
print(" ".join(sorted(hops)))' 2> /dev/null
}
all_paths() { [ "$(paths)" = "198.18.1.2 198.18.2.2 198.18.4.2" ]; }

# One failure: prints the loss window in ms, or says why there is none.
round() { # K
	local base=$((30000 + $1 * 100)) nflows=16 rounds=1500 gen t_dead pids res
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.70.7 "$base" "$nflows" "$rounds" $((nflows * 1000)) \
		> /dev/null &
	gen=$!
	sleep 0.5
	pids=$(cat "$(frr_node_dir nh1)"/*.pid)
	t_dead=$("$BUILD/tests/netsink" dead "/sys/fs/bpf/$P-sink1" 1)
	kill -STOP $pids
	wait "$gen"
	sleep 0.3
	topo_sinks "$P" times > "/tmp/$P.times"
	"$BUILD/tests/netsink" dead "/sys/fs/bpf/$P-sink1" 0 > /dev/null
	kill -CONT $pids
	# nh1's flows: their first frame elsewhere after the death. The
	# others lose no frame; hash-threshold may move some of them to
	# another healthy nexthop when the route loses a path (counted).
	res=$(awk -v t="$t_dead" -v r="$rounds" -v lo="$base" -v hi=$((base + nflows)) '
		$3 < lo || $3 >= hi { next }	# not a probe (the BFD and BGP of the peers)
		{ n[$3]++; c[$3] += $4; if ($1 == 1) moved[$3] = 1; else f[$3] = $5 }
		END {
			bad = 0; w = -1; others = 0
			for (p in n)
				if (moved[p]) { if (n[p] < 2 || f[p] < t) { bad++; print "nh1 flow " p ": " n[p] " sinks, first elsewhere " (f[p] - t) / 1e6 " ms" > "/dev/stderr" } else if (f[p] - t > w) w = f[p] - t }
				else { if (c[p] != r) { bad++; print "flow " p ": " n[p] " sinks, " c[p] " of " r " frames" > "/dev/stderr" } if (n[p] > 1) others++ }
			printf "%d %.1f %d\n", bad, w / 1e6, others
		}' "/tmp/$P.times")
	set -- $res
	if [ "$1" != 0 ] || [ "${2%.*}" -lt 0 ]; then
		echo "round: $1 flows wrong, window $2" >&2
		return 1
	fi
	echo "$3" >> "/tmp/$P.others"
	echo "$2"
	# Back: BFD up, BGP established, the route with its three paths.
	wait_until 300 all_paths || { echo "round: nh1's path not back in 30 s" >&2; return 1; }
	sleep 1
}

printf '%-10s %5s  %-36s  %s  %s\n' "timers" "n" "loss window ms: min median p99 max" \
	"other flows moved" "failed"
failed_any=0
for setting in $SETTINGS; do
	interval=${setting%x*}
	mult=${setting#*x}
	topo_create "$P" 4 > /dev/null || exit 1
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
	ok=1
	router_frr "$interval" "$mult" || ok=0
	for i in $PEERS; do
		peer_frr "$i" "$interval" "$mult" || ok=0
	done
	if [ "$ok" = 1 ] && wait_until 600 all_paths; then
		sleep 1
		windows="" failed=0
		: > "/tmp/$P.others"
		for k in $(seq 1 "$N"); do
			if w=$(round "$k"); then
				windows="$windows $w"
			else
				failed=$((failed + 1))
				wait_until 300 all_paths
			fi
		done
		if [ -n "$windows" ]; then
			printf '%-10s %5d  %s  %17s  %d\n' "$interval ms x$mult" "$(echo $windows | wc -w)" \
				"$(stats $windows)" \
				"$(awk '{ s += $1 } END { printf "%.1f of 16", s / NR }' "/tmp/$P.others")" \
				"$failed"
		else
			printf '%-10s  no round measured\n' "$interval ms x$mult"
			failed_any=1
		fi
	else
		echo "bench-failover-kernel: FRR's route not installed with its three paths: $(paths)" >&2
		failed_any=1
	fi
	frr_stop_nodes
	topo_destroy "$P"
done
echo "loss window: the first probe of a dead nexthop's flow delivered elsewhere minus the death:"
echo "bfdd's detection, then bgpd's withdrawal and zebra's route, into the kernel; other flows"
echo "moved: flows of healthy nexthops that moved too (mean a failure; none lost a frame)"
exit $failed_any
