#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The kernel mirror (`routes kernel`) against random route changes: rounds
# of changes a routing daemon could make to the router's main table
# (tests/net/mirror_random.py: IPv4 and IPv6 routes added, replaced and
# deleted, several metrics, multipath with weights, IPv6 append and
# delete of one nexthop, blackhole and unreachable, routes through a link
# without a gateway, IPv4 over IPv6 gateways, protocols mirrored
# and not, nexthop objects and groups (one resilient) replaced and
# removed under their routes), each round sent in one `ip -batch` (some
# rounds only changes ecmpd can apply one by one, over prefixes of their
# own with one metric, so that its patches are checked as its reads), with
# now and then around it: ecmpd SIGKILLed and restarted (every other time
# with a 16 KiB netlink buffer, which bursts overrun), ecmpd stopped while
# the round goes in, a reload, a link going down and up (routes and
# objects the kernel removes unannounced), nexthop_compat_mode switched.
# After each round, once ecmpd has settled:
#  1. its mirrored routes are the kernel's (the winning metric's, with
#     its nexthops and weights, an object's from `ip nexthop`), none missing,
#     none extra, and every nexthop is up within 5 s (all answer);
#  2. `ecmpctl lookup` through the pinned maps sends an address of every
#     prefix of the pool where the longest of the kernel's and the
#     config's routes says: a mirrored route's nexthops, the config's
#     group, or the kernel (for what is not mirrored);
# and at the end, everything deleted:
#  3. no mirrored route, group, nexthop or bucket is left; `route show
#     all`, the kernel's main table (ecmpd's copies of its config routes
#     back in it) and the route trie's size (less the part-empty pages a
#     compaction gives back) are what they were before the first round.
#
#   MIRROR_SEED (default 1) and MIRROR_ROUNDS (default 24): the same seed
#   makes the same changes; `make soak` runs more rounds. Sanitized, seed
#   2 for 12 rounds: CI's two runs together cover more than one seed.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=er$$
CONF=/tmp/$P.conf
SEED=${MIRROR_SEED:-$([ "${SANITIZE:-}" = 1 ] && echo 2 || echo 1)}
ROUNDS=${MIRROR_ROUNDS:-$([ "${SANITIZE:-}" = 1 ] && echo 12 || echo 24)}
OPS=${MIRROR_OPS:-40}
. tests/net/lib.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-mirror-random-last.log 2>/dev/null
	cp "/tmp/$P.ops" /tmp/ecmp-mirror-random-last.ops 2>/dev/null
	rm -f "/tmp/$P.ops" "/tmp/$P.round" "/tmp/$P.diff" "/tmp/$P.routes0" "/tmp/$P.kernel0" "/tmp/$P.kdiff"
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

rt() { ip -n "$P-rt" "$@"; }
ctl_cmd() { echo nsenter --net="/run/netns/$P-rt" "$TOPO_BUILD/ecmpctl" --pin-root "/sys/fs/bpf/$P" --socket "/tmp/$P.sock"; }

# diff_now: what the check finds (nothing when ecmpd agrees).
diff_now() {
	# shellcheck disable=SC2046
	python3 tests/net/mirror_random.py check "$P-rt" $(ctl_cmd) 2>/dev/null ||
		echo "the check itself failed"
}

# settle: until ecmpd agrees with the kernel, 15 s at most; the last
# differences in /tmp/$P.diff.
settle() {
	local i
	for i in $(seq 1 75); do
		diff_now > "/tmp/$P.diff"
		[ -s "/tmp/$P.diff" ] || return 0
		sleep 0.2
	done
	return 1
}

# all_up: every nexthop, configured or mirrored, up within 5 s (every
# gateway answers); those that are not in /tmp/$P.diff.
all_up() {
	local i
	for i in $(seq 1 50); do
		topo_ctl "$P" nexthop show | grep -v "state up" > "/tmp/$P.diff"
		[ -s "/tmp/$P.diff" ] || return 0
		sleep 0.1
	done
	return 1
}

# rt_changed_routes: a `route del` for each route of the main table a
# round may have made (the protocols of mirror_random.py's changes).
rt_changed_routes() {
	local fam
	for fam in -4 -6; do
		rt "$fam" -j route show table main
		echo
	done | python3 -c '
import json, sys
for line in sys.stdin:
    for r in json.loads(line) if line.strip() else []:
        if r.get("protocol") in ("bgp", "static", "ospf"):
            print("route del %s proto %s metric %d" % (r["dst"], r["protocol"], r.get("metric", 0)))'
}

# main_table: the kernel's main table, both families, a route a line,
# sorted (a link back up puts its routes last).
main_table() { { rt -4 -o route show table main; rt -6 -o route show table main; } | sort; }

stat_of() { # PATH of ecmpctl stats' JSON, e.g. trie.chunks
	topo_ctl "$P" -j stats | python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v.get(k, {}) if isinstance(v, dict) else {}
print(v)' "$1"
}

restarts=0 small=0
start_ecmpd() {
	if [ $((restarts % 2)) = 1 ]; then
		small=$((small + 1))
		topo_ecmpd "$P" "$CONF" --netlink-rcvbuf 16384
	else
		topo_ecmpd "$P" "$CONF"
	fi
}

# round N: one round's changes, with its event around them.
round() {
	local n=$1 event
	python3 tests/net/mirror_random.py ops "$SEED" "$n" "$OPS" > "/tmp/$P.round"
	event=$(head -1 "/tmp/$P.round" | cut -d' ' -f2)
	{ echo "# round $n: $event"; tail -n +2 "/tmp/$P.round"; } >> "/tmp/$P.ops"
	case $event in
	kill)
		topo_stop_ecmpd "$P" kill9
		tail -n +2 "/tmp/$P.round" | rt -force -batch - 2>/dev/null
		restarts=$((restarts + 1))
		start_ecmpd || return 1
		;;
	stop)
		pkill -STOP -f -- "--socket /tmp/$P.sock"
		tail -n +2 "/tmp/$P.round" | rt -force -batch - 2>/dev/null
		pkill -CONT -f -- "--socket /tmp/$P.sock"
		;;
	reload)
		tail -n +2 "/tmp/$P.round" | head -n $((OPS / 2)) | rt -force -batch - 2>/dev/null
		topo_ctl "$P" reload > /dev/null || return 1
		tail -n +$((OPS / 2 + 2)) "/tmp/$P.round" | rt -force -batch - 2>/dev/null
		;;
	flap)
		tail -n +2 "/tmp/$P.round" | rt -force -batch - 2>/dev/null
		rt link set r4 down
		sleep 0.2
		rt link set r4 up
		;;
	compat)
		ip netns exec "$P-rt" sysctl -qw net.ipv4.nexthop_compat_mode=$((1 - \
			$(ip netns exec "$P-rt" sysctl -n net.ipv4.nexthop_compat_mode)))
		tail -n +2 "/tmp/$P.round" | rt -force -batch - 2>/dev/null
		;;
	*)
		tail -n +2 "/tmp/$P.round" | rt -force -batch - 2>/dev/null
		;;
	esac
	return 0
}

topo_create "$P" 4 || exit 1
ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
topo_config "$P" "$CONF"
echo "routes kernel table main protocol bgp static" >> "$CONF"
start_ecmpd && topo_wait_usable "$P" 8 || exit 1
chunks0=$(($(stat_of trie.chunks) - $(stat_of trie.spare_pages)))
nexthops0=$(stat_of capacity.nexthops) groups0=$(stat_of capacity.groups) buckets0=$(stat_of capacity.buckets)
topo_ctl "$P" route show all > "/tmp/$P.routes0"
main_table > "/tmp/$P.kernel0"
: > "/tmp/$P.ops"

bad=0 failed_round="" events=""
for n in $(seq 1 "$ROUNDS"); do
	if ! round "$n" || ! settle || ! all_up; then
		bad=$((bad + 1))
		echo "  round $n ($(head -1 "/tmp/$P.round" | cut -d' ' -f2)): $(grep -c . "/tmp/$P.diff") differences:"
		head -5 "/tmp/$P.diff" | sed 's/^/    /'
		[ -n "$failed_round" ] || failed_round=$n
	fi
	events="$events $(head -1 "/tmp/$P.round" | cut -d' ' -f2)"
done
summary=$(echo "$events" | tr ' ' '\n' | grep . | sort | uniq -c | awk '{ printf "%s%s x%d", s, $2, $1; s = ", " }')
[ "$bad" = 0 ]
result "$ROUNDS rounds of $OPS random route changes (seed $SEED): mirror and lookups are the kernel's after each" $? \
	"$bad rounds differ (the first: $failed_round); events: $summary; changes in /tmp/ecmp-mirror-random-last.ops"
echo "  events: $summary; restarts with a 16 KiB buffer $small; overruns $(stat_of kernel_routes.netlink_overruns) since the last start; reads $(stat_of kernel_routes.reads), patches $(stat_of kernel_routes.patches), regroups $(stat_of kernel_routes.regroups)"

# Everything deleted: nothing of it may stay in ecmpd, and the kernel's
# table is again what it was, ecmpd's copies of its config routes back in
# it. One route at a time: `ip route flush` refuses some (EINVAL).
for _ in 1 2 3 4 5; do
	rt_changed_routes > "/tmp/$P.round"
	[ -s "/tmp/$P.round" ] || break
	rt -force -batch "/tmp/$P.round" 2>/dev/null
done
rt nexthop flush > /dev/null
settle
d=$?
# ecmpd puts a config route it had left to another protocol back into
# the kernel's FIB a second or so after that route goes.
for _ in $(seq 1 50); do
	main_table | diff "/tmp/$P.kernel0" - > "/tmp/$P.kdiff" && break
	sleep 0.1
done
cat "/tmp/$P.kdiff" >> "/tmp/$P.diff"
topo_ctl "$P" route show all | diff "/tmp/$P.routes0" - >> "/tmp/$P.diff"
[ "$d" = 0 ] && [ ! -s "/tmp/$P.diff" ] && [ "$(stat_of kernel_routes.mirrored)" = 0 ] && [ "$(stat_of kernel_routes.groups)" = 0 ] &&
	[ "$(stat_of capacity.nexthops)" = "$nexthops0" ] && [ "$(stat_of capacity.groups)" = "$groups0" ] &&
	[ "$(stat_of capacity.buckets)" = "$buckets0" ] && [ $(($(stat_of trie.chunks) - $(stat_of trie.spare_pages))) = "$chunks0" ]
result "all deleted: no mirrored route, group, nexthop or bucket left; the trie's $chunks0 chunks" $? \
	"mirrored $(stat_of kernel_routes.mirrored), kernel groups $(stat_of kernel_routes.groups), nexthops $(stat_of capacity.nexthops) (start $nexthops0), groups $(stat_of capacity.groups) (start $groups0), buckets $(stat_of capacity.buckets) (start $buckets0), chunks $(stat_of trie.chunks) (spare pages $(stat_of trie.spare_pages)); $(head -5 "/tmp/$P.diff")"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
