#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# TCP goodput through the router (iperf3, 1 and 8 streams, 2 s), with the
# client veth's offloads (tx checksum, TSO, GSO) on and off, for:
#   kernel     kernel multipath route over the 4 nexthops
#   xdp        xdp-ecmp XDP on r0 (it finishes checksums left to offload)
#   xdp+q      the same, the sending veth (c0) with a qdisc (pfifo) instead
#              of veth's default noqueue: the kernel's veth backpressure
#              works only through a qdisc (docs/OPERATIONS.md)
#   tc         xdp-ecmp tc ingress on r0
# Beside each goodput: the TCP retransmissions (iperf3's sender) and the
# frames the sending veth dropped (its TX dropped counter), per run.
# Every nexthop serves iperf3 on 198.19.1.1; `hash l3` keeps an iperf3
# session's control and data connections on one server; the router's own
# route for 198.19.0.0/16 points at nh1 (what frames passed to the kernel
# follow). A run that fails to complete prints "fails". BENCH_QUICK=1: the
# XDP variant alone, 1 round of 1 s.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=bt$$
CONF=/tmp/$P.conf
SECS=2
ROUNDS=${BENCH_TCP_ROUNDS:-3}
VARIANTS=${BENCH_TCP_VARIANTS:-"kernel xdp xdp+q tc"}
[ "${BENCH_QUICK:-0}" = 1 ] && { SECS=1; ROUNDS=1; VARIANTS="xdp"; }
trap 'topo_ctl "$P" shutdown --detach >/dev/null 2>&1; pkill -f "iperf3 -s -B 198.19.1.1" ; topo_destroy "$P"' EXIT
trap 'exit 1' INT TERM

command -v iperf3 >/dev/null || { echo "bench-tcp: iperf3 not installed (make deps)"; exit 0; }
topo_create "$P" 4 >/dev/null || exit 1
for i in 1 2 3 4; do
	ip -n "$P-n$i" addr add 198.19.1.1/32 dev lo
	ip -n "$P-n$i" route add 198.18.0.0/24 via 198.18.$i.1
	nsx "$P-n$i" iperf3 -s -B 198.19.1.1 -D >/dev/null 2>&1
done
ip -n "$P-cl" route replace 198.19.0.0/16 via 198.18.0.254
# L3 hashing, like `hash l3`: an iperf3 session's control and data
# connections must reach the same server.
nsx "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=0

router() { # VARIANT: set the router up for it
	if [ "$1" = xdp+q ]; then
		ip netns exec "$P-cl" tc qdisc replace dev c0 root pfifo
	else
		ip netns exec "$P-cl" tc qdisc del dev c0 root 2>/dev/null
	fi
	topo_ctl "$P" shutdown --detach >/dev/null 2>&1
	sleep 0.3
	pkill -f -- "--socket /tmp/$P.sock"
	rm -f "/tmp/$P.sock"
	if [ "$1" = kernel ]; then
		ip -n "$P-rt" route replace 198.19.0.0/16 nexthop via 198.18.1.2 \
			nexthop via 198.18.2.2 nexthop via 198.18.3.2 nexthop via 198.18.4.2
		return
	fi
	ip -n "$P-rt" route replace 198.19.0.0/16 via 198.18.1.2
	topo_config "$P" "$CONF"
	sed -i 's/^hash l4/hash l3/' "$CONF"
	[ "$1" = tc ] && sed -i 's/^interface r0 xdp native/interface r0 tc ingress/' "$CONF"
	topo_ecmpd "$P" "$CONF" >/dev/null && topo_wait_usable "$P" 4 >/dev/null
}

tx_dropped() { # the client veth's TX dropped counter
	ip -n "$P-cl" -s link show c0 | awk '/TX:/ { getline; print $4 }'
}

goodput() { # STREAMS: "Gb/s/retransmits/drops", or "fails"
	local out d0 d1
	d0=$(tx_dropped)
	out=$(nsx "$P-cl" timeout $((SECS + 10)) iperf3 -c 198.19.1.1 -t "$SECS" -P "$1" -J 2>/dev/null)
	d1=$(tx_dropped)
	echo "$out" | grep -q '"sum_received"' || { echo fails; return; }
	echo "$out" | python3 -c '
import json, sys
e = json.load(sys.stdin)["end"]
print("%.2f/%d/%d" % (e["sum_received"]["bits_per_second"] / 1e9,
                      e["sum_sent"].get("retransmits", 0), int(sys.argv[1])))' $((d1 - d0))
}

# Rounds interleave the variants, so that a slow spell of this shared
# machine hits them all; each cell is the median (min-max) of the rounds.
declare -A got
for round in $(seq 1 "$ROUNDS"); do
	for v in $VARIANTS; do
		router "$v"
		for off in on off; do
			nsx "$P-cl" ethtool -K c0 tx "$off" tso "$off" gso "$off" >/dev/null 2>&1
			for streams in 1 8; do
				got[$v.$off.$streams]+="$(goodput "$streams") "
			done
		done
	done
done

median() { # FIELD "A/B/C ...": the median of that field of the runs
	echo "$2" | tr ' ' '\n' | grep -v '^$' | cut -d/ -f"$1" | sort -g |
		awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cell() { # "G/R/D ...": "median (min-max) R D", or fails if any round failed
	echo "$1" | grep -q fails && { echo fails; return; }
	printf '%s %s %s' "$(echo "$1" | tr ' ' '\n' | grep -v '^$' | cut -d/ -f1 | sort -g |
		awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
					  printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }')" \
		"$(median 2 "$1")" "$(median 3 "$1")"
}

printf '\nTCP goodput through the router (iperf3, %d s, Gb/s, median (min-max) of %d interleaved rounds;\n' "$SECS" "$ROUNDS"
printf 'then the medians of the sender'"'"'s retransmissions and of the frames its veth dropped)\n'
printf '%-8s %-8s %-34s %-34s\n' variant offload "1 stream: Gb/s retr drops" "8 streams: Gb/s retr drops"
for v in $VARIANTS; do
	for off in on off; do
		printf '%-8s %-8s %-34s %-34s\n' "$v" "$off" "$(cell "${got[$v.$off.1]}")" "$(cell "${got[$v.$off.8]}")"
	done
done
