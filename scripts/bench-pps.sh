#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Packets per second through a router namespace (scripts/topo.sh), every
# variant measured in the same run, interleaved round by round:
#   drop       XDP_DROP at the router's ingress (the ceiling)
#   redirect   plain devmap redirect to one nexthop (the XDP floor)
#   redirect4  plain devmap redirect spread over the 4 nexthops by the
#              source port's low bits (the floor of spreading)
#   ecmp-xdp   xdp-ecmp, XDP
#   ecmp-tc    xdp-ecmp, TC ingress
#   kernel     kernel multipath route, fib_multipath_hash_policy=1
#   kernel-res kernel resilient nexthop group (4096 buckets)
#   fib-xdp    the peer: an XDP forwarder on the kernel's FIB (bpf_fib_lookup
#              with the ports, on the kernel multipath route above;
#              tests/bench/bench_fib.bpf.c)
# The generator (tests/bench/trafficgen, live frames) runs pinned to CPU 0;
# the router's and the sinks' softirq work lands on the same CPU, so a
# figure is generator + router + sink, and only ratios between rows mean
# anything. Received frames are counted by the sinks (XDP, per flow).
#
#   BENCH_QUICK=1      one short round (smoke test)
#   BENCH_ROUNDS=N     rounds (default 5), BENCH_MS=N per measurement
#   BENCH_VARIANTS="redirect4 ecmp-xdp"   only these (default: all above)
#   BENCH_SIZES, BENCH_FLOWS              frame sizes and flow counts
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
. scripts/topo.sh

ROUNDS=${BENCH_ROUNDS:-5}
MS=${BENCH_MS:-1000}
VARIANTS=${BENCH_VARIANTS:-drop redirect redirect4 ecmp-xdp ecmp-tc kernel kernel-res fib-xdp}
SIZES=${BENCH_SIZES:-64 512}
FLOWS=${BENCH_FLOWS:-1 10000}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	# The smoke run: every variant once, 64-byte frames, 10,000 flows.
	SIZES=${BENCH_SIZES:-64}
	FLOWS=${BENCH_FLOWS:-10000}
	ROUNDS=1
	MS=200
fi
P=bp$$
CONF=/tmp/$P.conf
OUT=/tmp/$P.data
trap 'topo_destroy "$P"; rm -f "$OUT"' EXIT
trap 'exit 1' INT TERM

topo_create "$P" 4 >/dev/null || exit 1
R="$P-rt"
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1 \
	net.ipv4.conf.all.rp_filter=0
# Frames reach r0 from the generator's XDP_TX: veth delivers them only to
# an XDP program or GRO, so GRO on for the variants without XDP on r0.
ip netns exec "$R" ethtool -K r0 gro on >/dev/null
for i in 1 2 3 4; do
	ip -n "$R" nexthop add id "$i" via "198.18.$i.2" dev "r$i"
done
ip -n "$R" nexthop add id 100 group 1/2/3/4 type resilient buckets 4096
topo_config "$P" "$CONF"
sed -i 's/^interface r0 xdp native$/interface r0 attach none/' "$CONF"
topo_ecmpd "$P" "$CONF" >/dev/null || exit 1
topo_wait_usable "$P" 8 || exit 1
MAC=$(ip -n "$R" -br link show r0 | awk '{print $3}')

r0_mode() { # xdp | tc | none: what ecmpd attaches to r0
	case $1 in
	xdp) sed -i 's/^interface r0 .*/interface r0 xdp native/' "$CONF" ;;
	tc) sed -i 's/^interface r0 .*/interface r0 tc ingress/' "$CONF" ;;
	none) sed -i 's/^interface r0 .*/interface r0 attach none/' "$CONF" ;;
	esac
	topo_ctl "$P" reload >/dev/null
}

setup_variant() {
	ip -n "$R" route del 198.19.0.0/16 2>/dev/null
	ip -n "$R" link set dev r0 xdpdrv off 2>/dev/null
	case $1 in
	drop) r0_mode none
	      nsx "$R" "$BUILD/tests/netsink" attach r0 "/sys/fs/bpf/$P-sink0" ;;
	redirect) r0_mode none
	      nsx "$R" "$BUILD/tests/trafficgen" floor r0 r1 ;;
	redirect4) r0_mode none
	      nsx "$R" "$BUILD/tests/trafficgen" floor r0 r1 r2 r3 r4 ;;
	ecmp-xdp) r0_mode xdp ;;
	ecmp-tc) r0_mode tc ;;
	# replace: ecmpd (attach none) keeps its own copy of the config
	# route in the kernel's FIB; the kernel variants route by theirs.
	kernel) r0_mode none
	      ip -n "$R" route replace 198.19.0.0/16 nexthop via 198.18.1.2 nexthop via 198.18.2.2 \
			nexthop via 198.18.3.2 nexthop via 198.18.4.2 ;;
	kernel-res) r0_mode none
	      ip -n "$R" route replace 198.19.0.0/16 nhid 100 ;;
	fib-xdp) r0_mode none
	      ip -n "$R" route replace 198.19.0.0/16 nexthop via 198.18.1.2 nexthop via 198.18.2.2 \
			nexthop via 198.18.3.2 nexthop via 198.18.4.2
	      nsx "$R" "$BUILD/tests/trafficgen" fib r0 r1 r2 r3 r4 ;;
	esac
}

teardown_variant() {
	case $1 in drop|redirect*|fib-xdp) ip -n "$R" link set dev r0 xdpdrv off ;; esac
	rm -f "/sys/fs/bpf/$P-sink0"
}

measure() { # VARIANT SIZE FLOWS -> appends "variant size flows pps"
	local recv
	topo_clear_sinks "$P"
	nsx "$P-cl" taskset -c 0 "$BUILD/tests/trafficgen" send c0 "$MAC" 198.18.0.1 \
		198.19.1.1 "$3" "$2" "$MS" >/dev/null || return
	sleep 0.05
	recv=$(topo_sinks "$P" | awk '$2 == 4 { s += $4 } END { print s + 0 }')
	echo "$1 $2 $3 $((recv * 1000 / MS))" >> "$OUT"
}

: > "$OUT"
for round in $(seq 1 "$ROUNDS"); do
	for v in $VARIANTS; do
		setup_variant "$v"
		for s in $SIZES; do
			for f in $FLOWS; do
				measure "$v" "$s" "$f"
			done
		done
		teardown_variant "$v"
	done
done

printf '\nPackets per second through the router (forwarded and received; drop: dropped at r0)\n'
printf 'machine: %s, %s CPUs, kernel %s; %d rounds of %d ms, interleaved; median (min-max) Mpps\n' \
	"$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)" "$(nproc)" "$(uname -r)" \
	"$ROUNDS" "$MS"
awk -v variants="$VARIANTS" -v sizes="$SIZES" -v flows="$FLOWS" -v data="${BENCH_DATA:-}" '
	function median(key,   n, i, j, t, a) {
		n = split(vals[key], a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		lo[key] = a[1]; hi[key] = a[n]
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{ k = $1 " " $2 " " $3; vals[k] = vals[k] " " $4 }
	END {
		nv = split(variants, V, " "); ns = split(sizes, S, " "); nf = split(flows, F, " ")
		printf "%-11s", "variant"
		for (s = 1; s <= ns; s++) for (f = 1; f <= nf; f++)
			printf "  %20s", S[s] "B " F[f] " flow" (F[f] > 1 ? "s" : "")
		printf "\n"
		for (v = 1; v <= nv; v++) {
			printf "%-11s", V[v]
			for (s = 1; s <= ns; s++) for (f = 1; f <= nf; f++) {
				k = V[v] " " S[s] " " F[f]
				m[k] = median(k)
				printf "  %6.2f (%5.2f-%5.2f)", m[k] / 1e6, lo[k] / 1e6, hi[k] / 1e6
				if (data != "")
					printf "%s%s %.3f %.3f %.3f", (s == 1 && f == 1) ? V[v] : "",
					       "", m[k] / 1e6, lo[k] / 1e6, hi[k] / 1e6 > data
			}
			printf "\n"
			if (data != "")
				printf "\n" > data
		}
		printf "\nratios, 64-byte frames, 10000 flows:\n"
		k = "ecmp-xdp 64 10000"
		if (m["kernel 64 10000"]) printf "  ecmp-xdp / kernel multipath    %5.2f\n", m[k] / m["kernel 64 10000"]
		if (m["kernel-res 64 10000"]) printf "  ecmp-xdp / kernel resilient    %5.2f\n", m[k] / m["kernel-res 64 10000"]
		if (m["fib-xdp 64 10000"]) printf "  ecmp-xdp / XDP on kernel FIB   %5.2f\n", m[k] / m["fib-xdp 64 10000"]
		if (m["redirect 64 10000"]) printf "  ecmp-xdp / plain redirect      %5.2f\n", m[k] / m["redirect 64 10000"]
		if (m["redirect4 64 10000"]) printf "  ecmp-xdp / redirect over 4     %5.2f\n", m[k] / m["redirect4 64 10000"]
		if (m["kernel 64 10000"] && m["ecmp-tc 64 10000"]) printf "  ecmp-tc  / kernel multipath    %5.2f\n", m["ecmp-tc 64 10000"] / m["kernel 64 10000"]
		if (m[k] && m["ecmp-tc 64 10000"]) printf "  ecmp-tc  / ecmp-xdp            %5.2f\n", m["ecmp-tc 64 10000"] / m[k]
	}' "$OUT"
# The chart: one data file (variant, then median min max per column), one
# gnuplot script, one PNG.
if [ -n "${BENCH_DATA:-}" ] && [ -n "${BENCH_PNG:-}" ]; then
	if command -v gnuplot >/dev/null; then
		gnuplot -e "data='$BENCH_DATA'; out='$BENCH_PNG'" scripts/plot-pps.gp &&
			echo "chart: $BENCH_PNG (data: $BENCH_DATA)"
	else
		echo "chart: gnuplot not installed (make deps); data in $BENCH_DATA"
	fi
fi
