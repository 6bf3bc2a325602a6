#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make demo`: a router namespace running ecmpd with XDP on its ingress,
# four nexthops, 4,000 flows from a client; then one nexthop fails and we
# show that its flows, and only those, moved. Everything is torn down at
# the end, also on failure or Ctrl-C. Needs root.
#
#   client ---- router (XDP + ecmpd) ---- nh1 nh2 nh3 nh4
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

if [ "$(id -u)" != 0 ]; then
	echo "make demo needs root: it creates network namespaces and loads XDP programs" >&2
	exit 1
fi
sh scripts/install-deps.sh >/dev/null || exit 1
[ -x "$BUILD/ecmpd" ] && [ -x "$BUILD/tests/flowgen" ] || make -s all || exit 1

. scripts/topo.sh
P=demo$$
trap 'topo_destroy "$P"' EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

spread() { # FILE: flows per nexthop
	awk '{ c[$1]++; t++ } END { for (i = 1; i <= 4; i++)
		printf "  nh%d  %5d flows  %5.1f%%\n", i, c[i], 100 * c[i] / t }' "$1"
}

say "Building the topology: client, router, 4 nexthops (namespaces $P-*)"
topo_create "$P" 4 || exit 1
topo_config "$P" "/tmp/$P.conf"
cat "/tmp/$P.conf" | grep -v '^#' | sed 's/^/  /'

say "Starting ecmpd in the router"
topo_ecmpd "$P" "/tmp/$P.conf" || exit 1
topo_wait_usable "$P" 8 || exit 1
sleep 0.5
topo_ctl "$P" nexthop show | grep -v v6 | sed 's/^/  /'

say "Sending 4000 UDP flows from the client (one packet each)"
topo_send "$P" 198.18.0.1 198.19.1.1 20000 4000 >/dev/null
sleep 0.3
topo_sinks "$P" | awk '$2 == 4 { print $1, $3 }' | sort -k2 -n > "/tmp/$P.before"
spread "/tmp/$P.before"
echo "  ecmpctl says flow 198.18.0.1:20000 -> 198.19.1.1:5001 takes:"
topo_ctl "$P" lookup 198.18.0.1 198.19.1.1 udp 20000 5001 | sed 's/^/    /'

say "nh3 fails: its link goes down"
ip -n "$P-n3" link set n0 down
for i in $(seq 1 50); do
	topo_ctl "$P" nexthop show | grep -q "^nh3 .*state down" && break
	sleep 0.1
done
topo_ctl "$P" nexthop show | grep "^nh3 " | sed 's/^/  /'
topo_ctl "$P" group show web | sed 's/^/  /'

say "The same 4000 flows again"
topo_clear_sinks "$P"
topo_send "$P" 198.18.0.1 198.19.1.1 20000 4000 >/dev/null
sleep 0.3
topo_sinks "$P" | awk '$2 == 4 { print $1, $3 }' | sort -k2 -n > "/tmp/$P.after"
spread "/tmp/$P.after"
join -1 2 -2 2 "/tmp/$P.before" "/tmp/$P.after" | awk '
	{ n++; if ($2 != $3) { moved++; if ($2 == 3) of3++ } if ($2 == 3) had3++ }
	END {
		printf "\n  %d of %d flows moved; %d of them were on nh3 (nh3 had %d).\n", moved, n, of3, had3
		if (moved == of3 && of3 == had3) print "  Only the failed nexthop'"'"'s flows moved. Every other flow kept its path."
		else print "  UNEXPECTED: flows of healthy nexthops moved."
	}'

say "Done; removing the namespaces"
