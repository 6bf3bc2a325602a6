#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# What the FPM tests (test_fpm.sh, test_fpm_table.sh) read of ecmpd
# (source after tests/net/lib.sh, with P set): its FPM figures, the
# routes it holds, and the nexthop sets of the test's static routes.

fs() { # FIELD of ecmpctl stats' fpm_routes
	topo_ctl "$P" -j stats | python3 -c '
import json, sys
print(json.load(sys.stdin).get("fpm_routes", {}).get(sys.argv[1], ""))' "$1"
}

# "source group members..." of PREFIX in ecmpd ("" when it has no route
# of its own for it).
route_of() {
	local g
	g=$(topo_ctl "$P" -j route show "$1" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["prefix"] == sys.argv[1] and "group" in r: print(r["source"], r["group"])' "$1")
	[ -n "$g" ] || return 0
	set -- $g
	echo "$1 $(topo_ctl "$P" -j group show "$2" 2>/dev/null | python3 -c '
import json, sys
try:
    print(" ".join(sorted(m["nexthop"] for m in json.load(sys.stdin)[0]["members"])))
except (ValueError, IndexError, KeyError):
    pass')"
}

wait_route() { # PREFIX WANT: up to 20 s (FRR 10's start, loaded)
	for _ in $(seq 1 200); do
		[ "$(route_of "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# The nexthops of 198.19.60.0/24 and 2001:db8:100:60::/64 as both tests'
# staticd routes them, in ecmpd's names.
V4="fpm 198.18.1.2@r1 198.18.2.2@r2 198.18.3.2@r3"
V6="fpm 2001:db8:1::2@r1 2001:db8:2::2@r2"
