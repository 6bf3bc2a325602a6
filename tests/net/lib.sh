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

state_is() { topo_ctl "$P" nexthop show | grep -qE "^$1 .*state ($2)"; }
wait_state() { wait_until 100 state_is "$@"; } # NEXTHOP STATE-REGEX: up to 10 s

# lookup_flows SRC DST: "sport nexthop" for 1,000 UDP flows (source ports
# 20000..20999), as ecmpctl lookup says: before/after files for "moved".
lookup_flows() {
	seq 20000 20999 | awk -v s="$1" -v d="$2" '{ print s, d, "udp", $1, 5001 }' |
		topo_ctl "$P" -j lookup - | python3 -c '
import json, sys
for i, line in enumerate(sys.stdin):
    print(20000 + i, json.loads(line).get("nexthop", "-"))'
}

# lookup_view ADDR...: "ADDR VERDICT WHAT WHICH" per address, ecmpctl
# lookup's first three words for a frame to it from the client (of the
# address's family), all from one ecmpctl (lookup -: a line per line).
lookup_view() {
	local addrs
	addrs=$(printf '%s\n' "$@")
	paste -d ' ' <(echo "$addrs") <(echo "$addrs" |
		awk '{ print (index($1, ":") ? "2001:db8::1" : "198.18.0.1"), $1 }' |
		topo_ctl "$P" lookup - | awk '{ print $1, $2, $3 }')
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

# kset PREFIX: the kernel's nexthops for PREFIX in the router, each
# "gateway@dev" with "*weight" when not 1 (ecmpd's names for mirrored
# nexthops), sorted, one line per route.
kset() {
	local fam=-4
	case $1 in *:*) fam=-6 ;; esac
	ip -n "$P-rt" "$fam" -j route show "$1" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    hops = r.get("nexthops") or [{"dev": r.get("dev"), "gateway": r.get("gateway"), "weight": 1}]
    print(" ".join(sorted("%s@%s%s" % (h.get("gateway"), h.get("dev"),
                                       "" if h.get("weight", 1) == 1 else "*%d" % h["weight"])
                          for h in hops)))'
}

# eset PREFIX: ecmpd's members for its route of PREFIX from the kernel,
# the same way ("" when it is not mirrored; "weights differ" when a
# member's weight is not the one its name says).
eset() {
	local g
	g=$(topo_ctl "$P" -j route show "$1" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["prefix"] == sys.argv[1] and r.get("source") == "kernel": print(r["group"])' "$1")
	[ -n "$g" ] || return 0
	# The group may be gone between the two calls (ecmpd applied the
	# next read): then nothing, and the caller asks again.
	topo_ctl "$P" -j group show "$g" 2>/dev/null | python3 -c '
import json, sys
try:
    m = json.load(sys.stdin)[0]["members"]
except (ValueError, IndexError, KeyError):
    sys.exit(0)
ok = all(x["weight"] == int(x["nexthop"].partition("*")[2] or 1) for x in m)
print(" ".join(sorted(x["nexthop"] for x in m)) if ok else "weights differ")'
}

# sets_of PREFIX...: "PREFIX kernel: ... / ecmpd: ..." a line each, what
# kset and eset say (a failed result's detail).
sets_of() {
	local p
	for p in "$@"; do
		echo "$p kernel: $(kset "$p") / ecmpd: $(eset "$p")"
	done
}

kr() { # FIELD of ecmpctl stats' kernel_routes
	topo_ctl "$P" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["kernel_routes"].get(sys.argv[1], ""))' "$1"
}

# lookups_outside NET24 SEED "SET": of 10,000 random UDP flows to NET24
# (its first three bytes, "198.19.70"), how many ecmpctl lookup sends to
# a nexthop not in SET.
lookups_outside() {
	python3 -c '
import random, sys
r = random.Random(int(sys.argv[2]))
for i in range(10000):
    print("198.18.0.1 %s.%d udp %d %d" % (sys.argv[1], r.randrange(256), r.randrange(1024, 65536), r.randrange(1, 65536)))' "$1" "$2" |
		topo_ctl "$P" -j lookup - | python3 -c '
import json, sys
ok = set(sys.argv[1].split())
print(sum(json.loads(l).get("nexthop") not in ok for l in sys.stdin))' "$3"
}

# seen_flows: the test flows (source ports 20000..20999, IPv4) the sinks
# saw, "SPORT SINK" (a routing daemon's own packets are counted there too).
seen_flows() { observe 4 | awk '$1 >= 20000 && $1 < 21000'; }

# traffic_to DST SECONDS: the 1,000 test flows to DST at 20,000 packets/s
# in the background, sinks cleared first; its pid in TRAFFIC.
traffic_to() {
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 "$1" 20000 1000 $(($2 * 20)) 20000 > /dev/null &
	TRAFFIC=$!
	sleep 0.5
}

# change_under_traffic DST WHAT CHANGE SETTLED DETAIL: the 1,000 test flows
# to DST send (traffic_to, 4 s) while the command CHANGE runs and until
# SETTLED succeeds (each a string for eval; SETTLED waits for the kernel
# and ecmpd); a test result "WHAT while the flows send", with DETAIL's
# output when it fails. ecmpctl lookup's nexthops for the flows before and
# after: /tmp/$P.before and /tmp/$P.after (for check_withdrawn and
# check_newcomer).
change_under_traffic() {
	lookup_flows 198.18.0.1 "$1" > "/tmp/$P.before"
	traffic_to "$1" 4
	eval "$3" > /dev/null
	eval "$4" && kill -0 "$TRAFFIC"
	result "$2 while the flows send" $? "$(eval "$5")"
	wait "$TRAFFIC"
	lookup_flows 198.18.0.1 "$1" > "/tmp/$P.after"
}

# check_withdrawn BEFORE AFTER DEV: after traffic_to ran through a path's
# withdrawal (lookup_flows files from before and after), a test result:
# every flow not on DEV's nexthop stayed at the one sink lookup named
# before, DEV's all left it, and lookup moved exactly those.
check_withdrawn() {
	local moved others
	others=$(seen_flows | join - <(sed 's/ [0-9a-f.:]*@r\([0-9]*\).*/ \1/' "$1") |
		awk -v d="${3#r}" '$3 != d && $2 != $3' | wc -l)
	moved=$(join "$1" "$2" | awk '$2 != $3' | wc -l)
	[ "$(seen_flows | wc -l)" = 1000 ] && [ "$others" = 0 ] &&
		[ "$(others_moved "$1" "$2" "$3")" = 0 ] &&
		[ "$moved" = "$(grep -c "@$3\$" "$1")" ] && ! grep -q "@$3\$" "$2"
	result "under traffic: exactly the withdrawn path's flows moved ($moved of 1,000)" $? \
		"$others other flows seen elsewhere or at two sinks"
}

# check_newcomer BEFORE AFTER: after traffic_to ran through a path's
# return, a test result: the newcomer took idle buckets only, no sending
# flow moved (by lookup, and none seen at two sinks).
check_newcomer() {
	local moved
	moved=$(join "$1" "$2" | awk '$2 != $3' | wc -l)
	[ "$moved" = 0 ] && [ "$(seen_flows | awk '$2 == "multi"' | wc -l)" = 0 ]
	result "under traffic: the newcomer takes idle buckets, no sending flow moves" $? \
		"$moved moved"
}
