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

# lookup_flows SRC DST: "sport nexthop" for 1,000 UDP flows (source ports
# 20000..20999), as ecmpctl lookup says: before/after files for "moved".
lookup_flows() {
	seq 20000 20999 | awk -v s="$1" -v d="$2" '{ print s, d, "udp", $1, 5001 }' |
		topo_ctl "$P" -j lookup - | python3 -c '
import json, sys
for i, line in enumerate(sys.stdin):
    print(20000 + i, json.loads(line).get("nexthop", "-"))'
}

# others_moved BEFORE AFTER DEV: how many flows changed nexthop though
# they were not on DEV's (files of lookup_flows(), nexthops named
# GATEWAY@DEV).
others_moved() {
	join "$1" "$2" | awk -v d="@$3\$" '$2 != $3 && $2 !~ d' | wc -l
}

# forw [FAMILY]: the router's IP forwarding counter, IPv4 (4, the
# default) or IPv6 (6): the kernel's path, not XDP's.
forw() {
	if [ "${1:-4}" = 6 ]; then
		ip netns exec "$P-rt" awk '$1 == "Ip6OutForwDatagrams" { print $2 }' /proc/net/snmp6
	else
		ip netns exec "$P-rt" awk '/^Ip:/ { if (h) print $7; h = 1 }' /proc/net/snmp
	fi
}

# check_through_xdp DST FLOWS [SRC]: sends the 1,000 flows of FLOWS (a
# lookup_flows file for DST) from the client (SRC: 198.18.0.1; an IPv6
# DST needs the client's IPv6 address); a test result: each seen once, at
# the sink of the nexthop lookup named (sinks number nexthops by r1..r4),
# and the kernel forwarded next to nothing meanwhile.
check_through_xdp() {
	local before after out n fam=4
	[ "${1#*:}" = "$1" ] || fam=6
	before=$(forw $fam)
	topo_clear_sinks "$P"
	topo_send "$P" "${3:-198.18.0.1}" "$1" 20000 1000 > /dev/null
	sleep 0.5
	after=$(forw $fam)
	observe $fam | awk '$1 >= 20000 && $1 < 21000' > "/tmp/$P.xdp-seen"
	out=$(join "/tmp/$P.xdp-seen" <(sed 's/ [0-9a-f.:]*@r\([0-9]*\).*/ \1/' "$2") | awk '$2 != $3' | wc -l)
	n=$(wc -l < "/tmp/$P.xdp-seen")
	[ "$n" = 1000 ] && [ "$out" = 0 ] && [ $((after - before)) -lt 50 ]
	result "1,000 IPv$fam flows forwarded by XDP where lookup says (kernel forwarded $((after - before)))" $? \
		"$n seen, $out elsewhere"
}
