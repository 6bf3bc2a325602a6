#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# zebra's FPM stream (`routes fpm listen`) at random: tests/net/fpm_random.py
# plays zebra against ecmpd in the router, round after round of changes
# (path objects, nexthop groups, routes over groups or their own paths, a
# DEL and NEW in one frame, groups sent after their routes), with now and
# then the connection made again or ecmpd killed and started again, and
# the whole table replayed then. After each round ecmpd holds exactly the
# routes it was sent, with their nexthops and weights, and `ecmpctl
# lookup` of each prefix goes by them (a route over a group not sent yet
# is the kernel's). At the end zebra withdraws everything, and nothing of
# it is left: routes, nexthops, groups, buckets, trie chunks.
#
#   FPM_SEED (default 1) and FPM_ROUNDS (default 20). Sanitized, seed 2
#   for 10 rounds: CI's two runs together cover more than one seed.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=fr$$
CONF=/tmp/$P.conf
. tests/net/lib.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-fpm-random-last.log 2>/dev/null
	rm -f "/tmp/$P.out"
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

topo_create "$P" 4 || exit 1
ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
topo_config "$P" "$CONF"
# A replay is over 1 s after the connect once the stream is quiet for 2 s.
echo "routes fpm listen 127.0.0.1 hold 30 sweep 1" >> "$CONF"
topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8 || exit 1

# capacity: nexthops, groups and buckets in use, and the trie's chunks
# less the part-empty pages a compaction gives back.
capacity() {
	topo_ctl "$P" -j stats | python3 -c '
import json, sys
s = json.load(sys.stdin)
c, t = s["capacity"], s["trie"]
print(c["nexthops"], c["groups"], c["buckets"], t["chunks"] - t["spare_pages"])'
}
cap0=$(capacity)
SEED=${FPM_SEED:-$([ "${SANITIZE:-}" = 1 ] && echo 2 || echo 1)}
ROUNDS=${FPM_ROUNDS:-$([ "${SANITIZE:-}" = 1 ] && echo 10 || echo 20)}

restart="cd $PWD && BUILD=$BUILD && . scripts/topo.sh && topo_stop_ecmpd $P kill9 && topo_ecmpd $P $CONF"
FPM_TRACE=${FPM_TRACE:-} FPM_CTL="$TOPO_BUILD/ecmpctl --pin-root /sys/fs/bpf/$P --socket /tmp/$P.sock" \
	nsx "$P-rt" python3 tests/net/fpm_random.py "$SEED" "$ROUNDS" 2620 "$restart" \
	> "/tmp/$P.out" 2>&1
rc=$?
grep -v "^round .*: ok$" "/tmp/$P.out" | head -30
last=$(tail -1 "/tmp/$P.out")
[ "$rc" = 0 ] && [ "${last##*failed }" = 0 ]
result "$ROUNDS rounds of random FPM changes (seed $SEED): ecmpd holds what was sent, lookups follow" $? \
	"$last; events: $(awk '/^round/ { print $3 }' "/tmp/$P.out" | sort | uniq -c | tr '\n' ' ')"
topo_ctl "$P" -j stats | python3 -c '
import json, sys
f = json.load(sys.stdin).get("fpm_routes", {})
print("  stream: %s connections, %s frames, %s malformed, %s sweeps, %s patches, %s whole merges, %s regroups" % (
    f.get("connections"), f.get("frames"), f.get("malformed"), f.get("sweeps"), f.get("patches"),
    f.get("whole_merges"), f.get("regroups")))'
[ "$(topo_ctl "$P" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin).get("fpm_routes", {}).get("malformed"))')" = 0 ]
result "nothing malformed in the stream" $?
grep -q "^withdrawn: ok$" "/tmp/$P.out" && [ "$(capacity)" = "$cap0" ]
result "all withdrawn: no route, nexthop, group, bucket or trie chunk left of it" $? \
	"$(grep "^withdrawn" "/tmp/$P.out"); nexthops groups buckets chunks: $cap0 before, $(capacity) after"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
