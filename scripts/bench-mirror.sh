#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Routes mirrored from the kernel (`routes kernel`), in the namespace
# topology: a synthetic table (scripts/gen-table.py, N prefixes over the
# nexthop sets of r1..r4; BENCH_QUICK=1: 2,000, else 10,000, or
# BENCH_MIRROR_N) loaded with
# `ip -batch`, then
#  - initial mirror: ecmpd started, time until every prefix is in the data
#    path (ecmpctl stats: kernel routes mirrored), and ecmpd's RSS;
#  - one `ip route replace` at a time (1,000): from the request to the
#    data path's trie holding it, median, p99, max (routechurn);
#  - churn: BENCH_MIRROR_RATE (10,000) replaces a second for
#    BENCH_MIRROR_SECS (60) s over up to 10,000 /24s: the lag of each
#    change, and how many of as many other prefixes changed meanwhile
#    in the data path, and how many frames to them, run through the XDP
#    program 10,000 a second, it handled otherwise than before (none
#    should, of either);
#  - how many changes ecmpd applied alone (patches), and its whole-table
#    reads (a read takes time in N: patches do not);
#  - one `ip route replace` at a time to a nexthop set the table lacks
#    (BENCH_MIRROR_NEWSETS, 50): request to the data path, and reads;
#  - one `ip nexthop replace` at a time of a group object with up to
#    10,000 prefixes over it (BENCH_MIRROR_OBJECTS, 20): request to the
#    departed path's last bucket gone, and reads;
#  - that group object removed (`ip nexthop del`), which takes its
#    prefixes along in the kernel unannounced: request to the last of
#    them out of the data path, and reads;
#  - ecmpd SIGKILLed and restarted: how long until it is back and has
#    the table again, flows moved (of 1,000 over the table), and whether
#    routes, groups and buckets are the same;
#  - a reload of the same config: how long the control socket waits.
# BENCH_MIRROR_LAT: how many single replaces are timed (1,000).
# Larger tables: BENCH_MIRROR_V6 (the IPv6 share in percent, default 20),
# BENCH_MIRROR_LIMITS (a `limits` line's words, e.g. "routes 1100000
# chunks 65536"), BENCH_MIRROR_INITIAL_ONLY=1 (the initial mirror, its
# memory and RSS only).
# BENCH_MIRROR_HOSTS=N: the table is N host routes in one /16 instead
# (gen-table.py --hosts: a Kubernetes cluster's pods or services announced
# over BGP), and the changes are of them: the initial mirror, one replace
# at a time and churn only.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
. scripts/topo.sh
N=${BENCH_MIRROR_N:-10000}
LAT=${BENCH_MIRROR_LAT:-1000} RATE=${BENCH_MIRROR_RATE:-10000} SECS=${BENCH_MIRROR_SECS:-60}
[ "${BENCH_QUICK:-0}" = 1 ] && N=2000 LAT=100 SECS=1
P=bm$$
CONF=/tmp/$P.conf
trap 'cp "/tmp/$P.ecmpd.log" /tmp/ecmp-bench-mirror-last.log 2>/dev/null; topo_destroy "$P"; rm -f "/tmp/$P".*' EXIT
trap 'exit 1' INT TERM

topo_create "$P" 4 >/dev/null || exit 1
CHANGED=24	# the length of the prefixes changed
if [ -n "${BENCH_MIRROR_HOSTS:-}" ]; then
	N=$BENCH_MIRROR_HOSTS N4=$N N6=0 CHANGED=32
	python3 scripts/gen-table.py 7 --hosts "$N" > "/tmp/$P.batch" || exit 1
else
	topo_table "$P" "$N" "${BENCH_MIRROR_V6:-20}"
fi
ip -n "$P-rt" -batch "/tmp/$P.batch" || exit 1
topo_config "$P" "$CONF"
echo "routes kernel protocol bgp" >> "$CONF"
[ -n "${BENCH_MIRROR_LIMITS:-}" ] && echo "limits $BENCH_MIRROR_LIMITS" >> "$CONF"

ms() { date +%s%3N; }
mirrored() { # in the data path, or "0 ERROR"
	topo_ctl "$P" -j stats 2>/dev/null | python3 -c '
import json, sys
try:
    k = json.load(sys.stdin)["kernel_routes"]
    print(k["mirrored"] if k["in_data_path"] == "yes" else "0 " + k.get("error", ""))
except Exception: print(0)'
}
t0=$(ms)
topo_ecmpd "$P" "$CONF" >/dev/null || exit 1
for _ in $(seq 1 $((600 + N / 100))); do	# 30 s, more for big tables
	got=$(mirrored)
	[ "${got%% *}" -ge "$N" ] && break
	[ "${got%% *}" = 0 ] && [ "${#got}" -gt 2 ] && break	# refused
	sleep 0.05
done
t1=$(ms)
if [ "${got%% *}" = 0 ]; then
	printf '\nRoutes from the kernel (routes kernel; %d prefixes in the kernel): not mirrored:\n  %s\n' \
		"$N" "${got#0 }"
	exit 0
fi
pid=$(pgrep -f -- "--socket /tmp/$P.sock" | head -1)
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
maps=$(topo_ctl "$P" -j stats | python3 -c '
import json, sys
m = json.load(sys.stdin)["memory"]["maps"]
trie = m["ecmp_lpm_node"] + m["ecmp_lpm_root"]
rest = sum(m.values()) - trie - m["ecmp_routes"] - m["ecmp_buckets"]
print("%.1f MiB: trie %.1f, ecmp_routes %.1f, buckets %.1f, the other %d maps %.1f" %
      (sum(m.values()) / 2**20, trie / 2**20, m["ecmp_routes"] / 2**20,
       m["ecmp_buckets"] / 2**20, len(m) - 4, rest / 2**20))')
if [ "${BENCH_MIRROR_INITIAL_ONLY:-0}" = 1 ]; then
	printf '\nRoutes from the kernel (routes kernel; %d prefixes in the kernel, %d IPv4 + %d IPv6%s)\n' \
		"$N" "$N4" "$N6" "${BENCH_MIRROR_LIMITS:+; limits $BENCH_MIRROR_LIMITS}"
	printf '  initial mirror, start to every prefix in the data path  %6d ms (%s mirrored)\n' $((t1 - t0)) "$got"
	printf '  ecmpd RSS with the table %d KiB; map memory %s\n' "$rss" "$maps"
	exit 0
fi

kr() { # FIELD of ecmpctl stats' kernel_routes
	topo_ctl "$P" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["kernel_routes"][sys.argv[1]])' "$1"
}
on() { # on PREFIX N: until ecmpd routes PREFIX through 198.18.N.2 alone (60 s)
	local g
	for _ in $(seq 1 1200); do
		g=$(topo_ctl "$P" route show "$1" | awk -v p="$1" '$1 == p { print $3 }')
		[ "$(topo_ctl "$P" -j group show "$g" 2>/dev/null | python3 -c '
import json, sys
try: print(" ".join(m["nexthop"] for m in json.load(sys.stdin)[0]["members"]))
except Exception: pass')" = "198.18.$2.2@r$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# The changes are timed by routechurn (tests/bench/routechurn.c): from the
# request to the kernel to the data path's trie holding it, read in place.
# Two /24s of the table (no longer prefix inside them; /32s with
# BENCH_MIRROR_HOSTS) go to r1 and r2 alone; the data path's leaf for each is read from them.
grep -v ":" "/tmp/$P.batch" | awk -v len="$CHANGED" '$3 ~ ("/" len "$") { print $3 }' > "/tmp/$P.changed"
a=$(sed -n 1p "/tmp/$P.changed") b=$(sed -n 2p "/tmp/$P.changed")
ip -n "$P-rt" route replace "$a" proto bgp via 198.18.1.2 dev r1
ip -n "$P-rt" route replace "$b" proto bgp via 198.18.2.2 dev r2
on "$a" 1 && on "$b" 2 || { echo "bench-mirror: $a and $b did not reach r1 and r2" >&2; exit 1; }
churn() { nsx "$P-rt" "$BUILD/tests/routechurn" "/sys/fs/bpf/$P" "$@" 198.18.1.2@r1 198.18.2.2@r2; }
reads0=$(kr reads) patches0=$(kr patches)
one=$(churn latency "$LAT" "$a" "$b")
# The default route, over every address of the router (each link's, a
# loopback's): a change of it is a patch too, the addresses' entries
# kept, not a read of the whole table. It covers every root entry of
# the trie the table leaves to it: timed by ecmpd (last_patch_us), each
# replace once the one before is in.
ip -n "$P-rt" route replace default proto bgp via 198.18.1.2 dev r1
on 0.0.0.0/0 1 || { echo "bench-mirror: the default route did not reach r1" >&2; exit 1; }
dreads0=$(kr reads) dflt=""
for k in 1 2 3 4 5; do
	p0=$(kr patches)
	ip -n "$P-rt" route replace default proto bgp via 198.18.$((k % 2 + 1)).2 dev r$((k % 2 + 1))
	for _ in $(seq 1 600); do [ "$(kr patches)" != "$p0" ] && break; sleep 0.05; done
	dflt+="$(kr last_patch_us) "
done
dflt=$(printf '%s\n' $dflt | sort -n | sed -n 3p)
dreads=$(( $(kr reads) - dreads0 ))
ip -n "$P-rt" route del default proto bgp
# Addresses taken off by the hundred (a load balancer's VIPs on lo, a
# node's service addresses): none is a route's source or its link's last
# address, so the kernel takes no route along, and ecmpd reads nothing.
# ecmpd's CPU time for the removals, once settled.
vips() { # add|del
	local i
	for i in $(seq 1 100); do echo "addr $1 198.18.90.$i/32 dev lo"; done |
		ip -n "$P-rt" -batch -
}
vips add
v0=$(topo_settled_cpu "$pid") vreads0=$(kr reads)
vips del
sleep 1
vcpu=$(( $(topo_settled_cpu "$pid") - v0 )) vreads=$(( $(kr reads) - vreads0 ))
# Links no route goes through, by the ten (pods' veths on a Kubernetes
# node): made, brought up (each with the fe80::/64 route IPv6 gives it),
# down and deleted. No route of the table can change with them
# (mirror_dev.c), so ecmpd reads nothing. ecmpd's CPU time, once settled.
pods() { # add|del
	local i
	for i in $(seq 1 10); do
		if [ "$1" = add ]; then
			printf 'link add pod%d type veth peer name pod%dp\n' "$i" "$i"
			printf 'link set pod%dp up\nlink set pod%d up\n' "$i" "$i"
		else
			printf 'link set pod%d down\nlink del pod%d\n' "$i" "$i"
		fi
	done | ip -n "$P-rt" -batch -
}
# The kernel's own time for them, beside: with a large table its flush
# of a deleted link walks the FIB under RTNL, and a request of ecmpd's
# that needs RTNL meanwhile (a neighbour refresh) spins on it, which
# counts as ecmpd's CPU.
l0=$(topo_settled_cpu "$pid") lreads0=$(kr reads)
p0=$(ms)
pods add
p1=$(ms)
sleep 1
pods del
p2=$(ms)
sleep 1
lcpu=$(( $(topo_settled_cpu "$pid") - l0 )) lreads=$(( $(kr reads) - lreads0 ))
ladd=$((p1 - p0)) ldel=$((p2 - p1))
# Churn: RATE replaces a second for SECS s over the first half of the
# /24s (at most 10,000), alternately to r2 and r1; the other /24s must
# not change in the data path.
half=$(( $(wc -l < "/tmp/$P.changed") / 2 ))
[ "$half" -gt 10000 ] && half=10000
sed -n "1,$((2 * half))p" "/tmp/$P.changed" > "/tmp/$P.churn"
many=$(churn churn "$RATE" "$SECS" "/tmp/$P.churn" "$half")
if ! grep -q "not handled as before" <<< "$many"; then
	echo "bench-mirror: the churn row was not measured (routechurn's message above)" >&2
	exit 1
fi
reads=$(( $(kr reads) - reads0 )) patches=$(( $(kr patches) - patches0 ))
report_changes() {
	printf '  ip route replace, request to the data path (routechurn):\n'
	echo "$one" | sed 's/^/    /'
	printf '  churn, %d replaces/s for %d s:\n' "$RATE" "$SECS"
	echo "$many" | sed 's/^/    /'
	printf '  ecmpd: %d changes applied alone (patches), %d whole-table reads\n' "$patches" "$reads"
	printf '  the default route replaced (over the router'"'"'s own addresses): ecmpd'"'"'s patch %d us (median of 5), %d whole-table reads\n' \
		"$dflt" "$dreads"
	printf '  100 addresses taken off lo (VIPs): %d ms of ecmpd CPU, %d whole-table reads\n' \
		"$vcpu" "$vreads"
	printf '  10 links no route uses (pods'"'"' veths) made, up, down, deleted: %d ms of ecmpd CPU, %d whole-table reads\n' \
		"$lcpu" "$lreads"
	printf '    the kernel'"'"'s own time for them (ip -batch): made and up %d ms, down and deleted %d ms\n' \
		"$ladd" "$ldel"
}
if [ -n "${BENCH_MIRROR_HOSTS:-}" ]; then
	printf '\nRoutes from the kernel (routes kernel; %d host routes in 10.244.0.0/16)\n' "$N"
	printf '  initial mirror, start to every prefix in the data path  %6d ms (%s mirrored)\n' $((t1 - t0)) "$got"
	printf '  ecmpd RSS with the table                                %6d KiB\n' "$rss"
	report_changes
	exit 0
fi
# New nexthop sets: the first /24 replaced NEWSETS times, each time to a
# set the table does not have (a path withdrawn or added, as a peer
# going down makes them), one at a time.
NEWSETS=${BENCH_MIRROR_NEWSETS:-50}
[ "${BENCH_QUICK:-0}" = 1 ] && NEWSETS=5
reads0=$(kr reads)
fresh=$(churn newsets "$NEWSETS" "$a")
fresh_reads=$(( $(kr reads) - reads0 ))

# A nexthop group object replaced in place (`ip nexthop replace`), with
# OBJN prefixes of the table over it (10,000; BENCH_QUICK: 500): how a
# routing daemon repoints every route over a group with one message.
# OBJECTS replaces, alternately to r1/r3 and back to r1/r2, each timed
# until no bucket of the group is left on the departed path.
OBJN=$(( half < 10000 ? half : 10000 )) OBJECTS=${BENCH_MIRROR_OBJECTS:-20}
[ "${BENCH_QUICK:-0}" = 1 ] && OBJN=$(( half < 500 ? half : 500 )) OBJECTS=4
ip -n "$P-rt" -batch - <<EOF2
nexthop add id 9001 via 198.18.1.2 dev r1
nexthop add id 9002 via 198.18.2.2 dev r2
nexthop add id 9003 via 198.18.3.2 dev r3
nexthop add id 9010 group 9001/9002
EOF2
sed -n "$((half + 1)),$((half + OBJN))p" "/tmp/$P.changed" |
	awk '{ print "route replace", $1, "proto bgp nhid 9010" }' | ip -n "$P-rt" -batch -
o1=$(sed -n "$((half + 1))p" "/tmp/$P.changed") o2=$(sed -n "$((half + OBJN))p" "/tmp/$P.changed")
for _ in $(seq 1 600); do
	g1=$(topo_ctl "$P" route show "$o1" | awk '{ print $3 }')
	[ -n "$g1" ] && [ "$g1" = "$(topo_ctl "$P" route show "$o2" | awk '{ print $3 }')" ] &&
		[ "$(kr reads)" = "$(sleep 0.2; kr reads)" ] && break
	sleep 0.05
done
# With nexthop_compat_mode 0 the kernel says so in the object's message
# alone; 2 ms apart, as the other one-at-a-time rows. With 1 (the
# default) it also announces each route over the object, which ecmpd
# reads after the change: 200 ms apart, so that each replace finds it
# done (an idle CPU of this VM then takes milliseconds to wake).
reads0=$(kr reads)
ip netns exec "$P-rt" sysctl -qw net.ipv4.nexthop_compat_mode=0
objs0=$(nsx "$P-rt" "$BUILD/tests/routechurn" "/sys/fs/bpf/$P" objects "$OBJECTS" 2 "$o1" 9010 9001 9002 9003)
ip netns exec "$P-rt" sysctl -qw net.ipv4.nexthop_compat_mode=1
objs=$(nsx "$P-rt" "$BUILD/tests/routechurn" "/sys/fs/bpf/$P" objects "$OBJECTS" 200 "$o1" 9010 9001 9002 9003)
sleep 0.5
obj_reads=$(( $(kr reads) - reads0 ))

# The group object removed: the kernel flushes the OBJN routes over it
# without a message. Then those prefixes back as the table had them,
# for the rows below.
sed -n "$((half + 1)),$((half + OBJN))p" "/tmp/$P.changed" > "/tmp/$P.objp"
reads0=$(kr reads)
objrm=$(nsx "$P-rt" "$BUILD/tests/routechurn" "/sys/fs/bpf/$P" objremove "/tmp/$P.objp" 9010)
sleep 0.5
objrm_reads=$(( $(kr reads) - reads0 ))
awk 'NR == FNR { want[$1] = 1; next } $1 == "route" && ($3 in want) { $2 = "replace"; print }' \
	"/tmp/$P.objp" "/tmp/$P.batch" | ip -n "$P-rt" -batch -
for _ in $(seq 1 600); do
	[ "$(mirrored)" = "$N" ] && [ "$(kr reads)" = "$(sleep 0.2; kr reads)" ] && break
	sleep 0.05
done

# SIGKILL and restart with the table in: the data path forwards on from
# the pins meanwhile; then the same routes, groups and buckets, and up to
# 1,000 flows to destinations over the whole table where they were
# (ecmpctl lookup: nothing is sent).
grep -v ":" "/tmp/$P.batch" | awk -v n="$N4" 'NR % int(n / 1000 + 1) == 1 { split($3, a, "/"); print a[1] }' |
	head -1000 | awk '{ print "198.18.0.1", $1, "udp", 20000 + NR, 5001 }' > "/tmp/$P.flows"
state() { # the flows' nexthops, the routes, the groups' members and buckets
	topo_ctl "$P" -j lookup - < "/tmp/$P.flows" | python3 -c '
import json, sys
for line in sys.stdin: print(json.loads(line).get("nexthop", "-"))'
	topo_ctl "$P" route show
	topo_ctl "$P" -j group show | python3 -c '
import json, sys
for g in json.load(sys.stdin):
    print(g["name"], [(m["nexthop"], m["weight"], m["buckets"]) for m in g["members"]])'
}
state > "/tmp/$P.s0"
pkill -9 -f -- "--socket /tmp/$P.sock"
sleep 0.3
rm -f "/tmp/$P.sock"
k0=$(ms)
topo_ecmpd "$P" "$CONF" >/dev/null || exit 1
k1=$(ms)
for _ in $(seq 1 $((600 + N / 100))); do
	[ "$(mirrored)" = "$N" ] && break
	sleep 0.05
done
k2=$(ms)
state > "/tmp/$P.s1"
nflows=$(wc -l < "/tmp/$P.flows")
moved=$(paste <(head -"$nflows" "/tmp/$P.s0") <(head -"$nflows" "/tmp/$P.s1") | awk -F'\t' '$1 != $2' | wc -l)
cmp -s "/tmp/$P.s0" "/tmp/$P.s1" && same=yes || same="no ($(diff "/tmp/$P.s0" "/tmp/$P.s1" | grep -c '^>') lines differ)"
# A reload of the same config: the mirrored routes merged as events left
# them (not read again) and compared, and the config's routes in the
# kernel's FIB checked (a dump of the main table for them).
r0=$(ms)
reload=$(topo_ctl "$P" reload 2>&1)
r1=$(ms)

printf '\nRoutes from the kernel (routes kernel; %d prefixes in the kernel, %d IPv4 + %d IPv6%s)\n' \
	"$N" "$N4" "$N6" "${BENCH_MIRROR_LIMITS:+; limits $BENCH_MIRROR_LIMITS}"
printf '  initial mirror, start to every prefix in the data path  %6d ms (%s mirrored)\n' $((t1 - t0)) "$got"
printf '  ecmpd RSS with the table                                %6d KiB; map memory %s\n' "$rss" "$maps"
report_changes
printf '  ip route replace to a nexthop set the table lacks (routechurn newsets), %d whole-table reads:\n' \
	"$fresh_reads"
echo "$fresh" | sed 's/^/    /'
printf '  ip nexthop replace of a group object with %d prefixes over it (routechurn objects), %d whole-table reads:\n' \
	"$OBJN" "$obj_reads"
printf '    nexthop_compat_mode 0 (the object announced alone), 2 ms apart:\n'
echo "$objs0" | sed 's/^/      /'
printf '    nexthop_compat_mode 1 (the default: each route announced too), 200 ms apart:\n'
echo "$objs" | sed 's/^/      /'
printf '  ip nexthop del of that group object, its %d prefixes flushed unannounced (routechurn objremove), %d whole-table reads:\n' \
	"$OBJN" "$objrm_reads"
echo "$objrm" | sed 's/^/    /'
printf '  SIGKILL and restart: control socket back in %d ms, the table read and applied in %d ms;\n' \
	$((k1 - k0)) $((k2 - k0))
printf '    %d of %d flows over the table moved; routes, groups and buckets the same: %s\n' \
	"$moved" "$nflows" "$same"
printf '  reload of the same config: %d ms (%s)\n' $((r1 - r0)) "$reload"
