#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Helpers shared by the namespace test scripts (source after
# scripts/topo.sh, with P set to the topology prefix). Results: result()
# of tests/result.sh, which prints ecmpd's state on a failure from here.

. tests/result.sh

# On a failure: the groups and ecmpd's last words.
result_detail() {
	echo "  groups now:"
	topo_ctl "$P" group show 2>/dev/null | sed 's/^/    /'
	echo "  ecmpd log (last lines):"
	grep -v "libbpf\|libxdp" "/tmp/$P.ecmpd.log" 2>/dev/null | tail -8 | sed 's/^/    /'
}

# observe FAMILY: "SPORT NEXTHOP-INDEX" from the sinks; a flow seen at two
# sinks is reported with index "multi".
observe() {
	topo_sinks "$P" | awk -v f="$1" '$2 == f { if ($3 in nh && nh[$3] != $1) nh[$3] = "multi"; else nh[$3] = $1 }
		END { for (p in nh) print p, nh[p] }' | sort -n
}

# predict SRC DST PROTO BASE N DPORT: "SPORT NEXTHOP-INDEX" as ecmpctl
# lookup says, for source ports BASE..BASE+N-1.
predict() {
	seq "$4" $(($4 + $5 - 1)) | awk -v s="$1" -v d="$2" -v p="$3" -v dp="$6" '{ print s, d, p, $1, dp }' |
		topo_ctl "$P" -j lookup - |
		sed -n 's/.*"nexthop":"nh\([0-9]\)[^"]*".*/\1/p;t;s/.*/-/p' |
		paste -d' ' <(seq "$4" $(($4 + $5 - 1))) -
}

wait_state() { # NEXTHOP STATE-REGEX: wait up to 10 s
	local i
	for i in $(seq 1 100); do
		topo_ctl "$P" nexthop show | grep -qE "^$1 .*state ($2)" && return 0
		sleep 0.1
	done
	return 1
}
