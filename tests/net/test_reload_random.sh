#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Reload against random configs: rounds of config changes an operator
# could make (tests/net/reload_random.py: nexthops added, removed,
# re-addressed and re-weighted, two names on one gateway; groups created,
# removed, their members, bucket counts and timers changed, a group now
# and then mixing families; routes added, removed, nested and moved
# between groups), each applied by `ecmpctl reload`, SIGHUP, or ecmpd
# killed and started on the new file; now and then the same file again,
# and a file with one mistake (an unknown name, a bad bucket count, a
# missing interface, a duplicate route...). Groups of 16 to 16384
# buckets in 65536 slots: some files do not fit (refused, nothing
# changed), others fit only once tables are moved out of each other's way
# (no flow may move for it). After each round, once ecmpd has settled
# (every nexthop up):
#  1. routes, groups, members, weights and bucket counts are the file's,
#     and each member holds its weight's share of its group's buckets
#     (within one);
#  2. `ecmpctl lookup` sends every probe flow (96 to each prefix of the
#     pool) where the longest configured route says, to a member of its
#     group;
#  3. the flows moved only as docs/CONFIG.md "Reload" says: in a group
#     kept by name whose table did not shrink, from a nexthop that left
#     or lost buckets (any, in a group with a re-addressed member, which
#     goes out and comes back) to one that joined or gained (or gains
#     while a new nexthop is not yet resolved); after the same file, a
#     restart on it, or a refused file, no flow at all;
# and at the end, back on the first file: nexthops, groups and buckets in
# use are what they were after it first.
#
#   RELOAD_SEED (default 1) and RELOAD_ROUNDS (default 30): the same seed
#   makes the same configs; `make soak` runs more rounds. Sanitized, seed
#   2 for 15 rounds: CI's two runs together cover more than one seed.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=rr$$
CONF=/tmp/$P.conf
SEED=${RELOAD_SEED:-$([ "${SANITIZE:-}" = 1 ] && echo 2 || echo 1)}
ROUNDS=${RELOAD_ROUNDS:-$([ "${SANITIZE:-}" = 1 ] && echo 15 || echo 30)}
RR="python3 tests/net/reload_random.py"
. tests/net/lib.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-reload-random-last.log 2>/dev/null
	cp "/tmp/$P.trace" /tmp/ecmp-reload-random-last.trace 2>/dev/null
	rm -f "/tmp/$P".{header,cur.json,cur.conf,next.json,next.conf,cur.snap,snap,diff,count,applied,cur.log,first.json,first.conf}
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ctl_cmd() { echo nsenter --net="/run/netns/$P-rt" "$TOPO_BUILD/ecmpctl" --pin-root "/sys/fs/bpf/$P" --socket "/tmp/$P.sock"; }

# settle MODEL: until ecmpd shows MODEL (reload_random.py check), 15 s at
# most; its snapshot in /tmp/$P.snap, the last differences in /tmp/$P.diff.
settle() {
	local i
	for i in $(seq 1 50); do
		# shellcheck disable=SC2046
		if $RR snap $(ctl_cmd) > "/tmp/$P.snap" 2> "/tmp/$P.diff"; then
			$RR check "$1" "/tmp/$P.snap" > "/tmp/$P.diff"
			[ -s "/tmp/$P.diff" ] || return 0
		fi
		sleep 0.3
	done
	return 1
}

reloads() { grep -cE "reloaded |Reload rejected" "/tmp/$P.ecmpd.log"; }

capacity() {
	topo_ctl "$P" -j stats | python3 -c '
import json, sys
c = json.load(sys.stdin)["capacity"]
print("nexthops %d groups %d buckets %d" % (c["nexthops"], c["groups"], c["buckets"]))'
}

# no_room: the last refusal was for want of bucket slots (the configs ask
# for up to 7 x 16384 of the 65536 the header's limits allow): nothing
# changed, and the next round starts from the current config again.
ROOM="free in ecmp_buckets|each in one piece|buckets in all, the limit is"
no_room() {
	refused=$((refused + 1))
	cp "/tmp/$P.cur.conf" "$CONF"
	cp "/tmp/$P.cur.json" "/tmp/$P.next.json"
	outcome=refused
}

# apply EVENT: the next config (/tmp/$P.next.conf) as EVENT says; 1 when
# ecmpd did not do what it should (the reason in /tmp/$P.diff). Sets
# outcome: applied, or refused (nothing may have changed).
apply() {
	local n
	outcome=applied
	case $1 in
	reload|same)
		cp "/tmp/$P.next.conf" "$CONF"
		if ! topo_ctl "$P" reload > "/tmp/$P.diff" 2>&1; then
			grep -qE "$ROOM" "/tmp/$P.diff" || return 1
			no_room
			return 0
		fi
		if [ "$1" = same ] && ! tail -3 "/tmp/$P.ecmpd.log" | grep -q "reloaded .*: 0 buckets moved"; then
			tail -3 "/tmp/$P.ecmpd.log" > "/tmp/$P.diff"
			return 1
		fi
		;;
	sighup)
		n=$(reloads)
		cp "/tmp/$P.ecmpd.log" "/tmp/$P.cur.log"
		cp "/tmp/$P.next.conf" "$CONF"
		pkill -HUP -f -- "--socket /tmp/$P.sock"
		for _ in $(seq 1 100); do
			[ "$(reloads)" -gt "$n" ] && break
			sleep 0.05
		done
		if [ "$(grep -c "reloaded " "/tmp/$P.ecmpd.log")" -le "$(grep -c "reloaded " "/tmp/$P.cur.log")" ]; then
			tail -n +"$(wc -l < "/tmp/$P.cur.log")" "/tmp/$P.ecmpd.log" | grep "Reload rejected" |
				grep -qE "$ROOM" && { no_room; return 0; }
			tail -2 "/tmp/$P.ecmpd.log" > "/tmp/$P.diff"
			return 1
		fi
		;;
	restart|restart-same)
		topo_stop_ecmpd "$P" kill9
		cp "/tmp/$P.next.conf" "$CONF"
		n=$(wc -l < "/tmp/$P.ecmpd.log")
		# A start that cannot apply its file exits; the pins stay.
		if ! topo_ecmpd "$P" "$CONF" 2> /dev/null || { sleep 0.3; ! pgrep -f -- "--socket /tmp/$P.sock" > /dev/null; }; then
			tail -n +"$n" "/tmp/$P.ecmpd.log" | grep "Failed to apply" | grep -qE "$ROOM" ||
				{ echo "ecmpd did not start: $(tail -2 "/tmp/$P.ecmpd.log")" > "/tmp/$P.diff"; return 1; }
			no_room
			rm -f "/tmp/$P.sock"
			topo_ecmpd "$P" "$CONF" || { echo "ecmpd did not start again" > "/tmp/$P.diff"; return 1; }
		fi
		;;
	invalid*)
		n=$(grep -c "Reload rejected, nothing changed" "/tmp/$P.ecmpd.log")
		cp "/tmp/$P.next.conf" "$CONF"
		if topo_ctl "$P" reload > "/tmp/$P.diff" 2>&1; then
			echo "reload took a file with a mistake (${1#invalid })" > "/tmp/$P.diff"
			return 1
		fi
		[ "$(grep -c "Reload rejected, nothing changed" "/tmp/$P.ecmpd.log")" -gt "$n" ] ||
			{ echo "no 'nothing changed' in the log" > "/tmp/$P.diff"; return 1; }
		cp "/tmp/$P.cur.conf" "$CONF"
		cp "/tmp/$P.cur.json" "/tmp/$P.next.json"
		;;
	esac
	return 0
}

topo_create "$P" 4 || exit 1
topo_config "$P" "$CONF"
{ grep -vE "^(nexthop|group|route) " "$CONF"; echo "limits buckets 65536"; } > "/tmp/$P.header"
$RR next "$SEED" 0 "/tmp/$P.header" - "/tmp/$P.first.json" "/tmp/$P.first.conf" > /dev/null
cp "/tmp/$P.first.conf" "$CONF"
cp "/tmp/$P.first.conf" "/tmp/$P.cur.conf"
cp "/tmp/$P.first.json" "/tmp/$P.cur.json"
topo_ecmpd "$P" "$CONF" || exit 1
settle "/tmp/$P.cur.json" || { echo "  the first config did not settle:"; head -5 "/tmp/$P.diff"; }
cp "/tmp/$P.snap" "/tmp/$P.cur.snap"
capacity0=$(capacity)
: > "/tmp/$P.trace"

bad=0 first_bad="" events="" kept=0 moved=0 refused=0
for n in $(seq 1 "$ROUNDS"); do
	event=$($RR next "$SEED" "$n" "/tmp/$P.header" "/tmp/$P.cur.json" "/tmp/$P.next.json" "/tmp/$P.next.conf")
	{ echo "# round $n: $event"; cat "/tmp/$P.next.conf"; } >> "/tmp/$P.trace"
	events="$events ${event%% *}"
	ok=1
	# Settled even when the event went wrong: the next round starts
	# from a snapshot of what ecmpd shows.
	apply "$event" || { ok=0; cp "/tmp/$P.diff" "/tmp/$P.applied"; }
	if ! settle "/tmp/$P.next.json"; then
		ok=0
	elif [ "$ok" = 0 ]; then
		mv "/tmp/$P.applied" "/tmp/$P.diff"
	else
		[ "$outcome" = applied ] || event="invalid (no room)"
		$RR compare "/tmp/$P.cur.json" "/tmp/$P.cur.snap" "/tmp/$P.next.json" "/tmp/$P.snap" "$event" \
			> "/tmp/$P.diff" 2> "/tmp/$P.count"
		[ -s "/tmp/$P.diff" ] && ok=0
		read -r _ k _ m < "/tmp/$P.count" && kept=$((kept + k)) moved=$((moved + m))
	fi
	if [ "$ok" = 0 ]; then
		bad=$((bad + 1))
		echo "  round $n ($event): $(grep -c . "/tmp/$P.diff") differences:"
		head -5 "/tmp/$P.diff" | sed 's/^/    /'
		[ -n "$first_bad" ] || first_bad=$n
	fi
	# What runs now is the next round's start, whatever went wrong.
	[ "${event%% *}" = invalid ] || [ "$outcome" = refused ] || cp "/tmp/$P.next.conf" "/tmp/$P.cur.conf"
	cp "/tmp/$P.next.json" "/tmp/$P.cur.json"
	cp "/tmp/$P.snap" "/tmp/$P.cur.snap"
done
summary=$(echo "$events" | tr ' ' '\n' | grep . | sort | uniq -c | awk '{ printf "%s%s x%d", s, $2, $1; s = ", " }')
[ "$bad" = 0 ]
result "$ROUNDS random configs (seed $SEED): routes, groups, shares and lookups as configured; flows moved only as Reload says" $? \
	"$bad rounds differ (the first: $first_bad); events: $summary; configs in /tmp/ecmp-reload-random-last.trace"
echo "  events: $summary; refused for want of bucket slots: $refused; bucket tables moved to make room: $(grep -c "moved to make room" "/tmp/$P.ecmpd.log") times; flows checked in groups kept: $kept stayed, $moved moved (each to a gainer, from a loser; beside a new nexthop, to one while it was not yet resolved; beside a re-addressed member, any)"

# Back on the first file: what is in use is what it was. By way of a
# file without groups: beside the last round's tables, the first's may
# not fit.
cp "/tmp/$P.header" "$CONF"
topo_ctl "$P" reload > /dev/null
cp "/tmp/$P.first.conf" "$CONF"
topo_ctl "$P" reload > /dev/null
settle "/tmp/$P.first.json"
d=$?
[ "$d" = 0 ] && [ "$(capacity)" = "$capacity0" ]
result "back on the first config: $capacity0 in use, as at its start" $? \
	"now $(capacity); $(head -3 "/tmp/$P.diff")"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
