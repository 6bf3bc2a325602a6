#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Failover figures: a nexthop with a BFD session to FRR bfdd dies (stops
# forwarding and its bfdd falls silent) N times at each timer setting.
# Per failure, from tests/net/test_bfd.sh's failover test:
#   loss window   first probe delivered elsewhere minus the moment of death
#                 (probes every 1 ms per flow, so +-1 ms)
#   after detect  data path change minus (last packet from the peer +
#                 detect time): what ecmpd adds to BFD's own detection
# The same failure without xdp-ecmp (FRR's BGP with BFD driving the
# kernel's ECMP) is scripts/bench-failover-kernel.sh, in make bench too.
#   BFD_FAILURES=N (default 20; BENCH_QUICK=1: 1), BFD_SETTINGS="50x3 10x3"
#   (BENCH_QUICK=1: 50x3)
set -u
cd "$(dirname "$0")/.."
. scripts/bench-stats.sh
BUILD=${BUILD:-build}
N=${BFD_FAILURES:-20}
SETTINGS=${BFD_SETTINGS:-50x3 10x3}
# The smoke run shows the path works, in seconds: one failure, one setting.
[ -n "${BENCH_QUICK:-}" ] && N=1 && SETTINGS=${BFD_SETTINGS:-50x3}

printf '%-10s %5s  %-36s  %-36s %s\n' "timers" "n" \
	"loss window ms: min median p99 max" "after detect ms: min median p99 max" "flaps"
for setting in $SETTINGS; do
	interval=${setting%x*}
	mult=${setting#*x}
	log=/tmp/ecmp-bench-failover-$setting.log
	BUILD=$BUILD BFD_INTERVAL=$interval BFD_MULT=$mult BFD_FAILURES=$N \
		ECMP_NET_TESTS="up failover" bash tests/net/test_bfd.sh > "$log" 2>&1
	windows=$(sed -n 's/^  loss windows (ms)://p' "$log")
	after=$(sed -n 's/^  Down -> data path change after detect time expired (us)://p' "$log")
	if [ -z "$windows" ]; then
		echo "$setting: no figures; see $log"
		continue
	fi
	# shellcheck disable=SC2086
	printf '%-10s %5s  %-36s  %-36s %s\n' "${interval} ms x$mult" "$N" \
		"$(stats $windows)" \
		"$(stats $(for a in $after; do awk -v a="$a" 'BEGIN { printf "%.3f\n", a / 1000 }'; done))" \
		"$(grep -c 'FAIL' "$log") failed checks"
done
echo "loss window = detect time minus where in its interval the peer died, plus 'after detect'"
