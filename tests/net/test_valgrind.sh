#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ecmpd under valgrind memcheck for a start / reload / BFD / drain / stop
# cycle: no error in ecmpd's own code, nothing leaked. tests/valgrind.supp
# holds what valgrind cannot know about the bpf() syscall (libbpf, libxdp).

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=ev$$
CONF=/tmp/$P.conf
. tests/net/lib.sh
VG_LOG=/tmp/ecmp-valgrind-$P.log

cleanup() {
	cp "$VG_LOG" /tmp/ecmp-valgrind-last.log 2>/dev/null
	topo_destroy "$P"
	rm -f "$VG_LOG"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! command -v valgrind >/dev/null; then
	result "valgrind installed (make deps)" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
topo_create "$P" 2 >/dev/null || exit 1
cat > "$CONF" <<EOC
seed 0x0123456789abcdef0123456789abcdef
pin-root /sys/fs/bpf/$P
interface r0 xdp native
nexthop nh1 via 198.18.1.2 dev r1
nexthop nh2 via 198.18.2.2 dev r2 bfd interval 100
group web buckets 64 nexthops nh1 nh2
route 198.19.0.0/16 group web
EOC
nsx "$P-rt" valgrind --leak-check=full --errors-for-leak-kinds=definite \
	--suppressions=tests/valgrind.supp --log-file="$VG_LOG" \
	"$BUILD/ecmpd" -c "$CONF" --state-dir "/tmp/$P-state" --socket "/tmp/$P.sock" \
	> "/tmp/$P.ecmpd.log" 2>&1 &
vg=$!
for _ in $(seq 1 600); do [ -S "/tmp/$P.sock" ] && break; sleep 0.2; done
sed -i 's/group web buckets 64/group web buckets 128/' "$CONF"
topo_ctl "$P" reload >/dev/null
topo_ctl "$P" bfd show >/dev/null
topo_ctl "$P" nexthop set nh1 drain >/dev/null
topo_ctl "$P" nexthop set nh1 up >/dev/null
topo_ctl "$P" stats >/dev/null
topo_ctl "$P" shutdown >/dev/null
wait $vg
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$VG_LOG")
lost=$(sed -n 's/.*in use at exit: \([0-9,]*\) bytes.*/\1/p' "$VG_LOG")
[ "$errors" = 0 ]
result "valgrind: start, reload, bfd, drain, stop: 0 errors" $? \
	"$(grep -A8 -m1 '^==[0-9]*== [A-Z][a-z]* .*\(uninit\|Invalid\|param\)' "$VG_LOG")"
[ "$lost" = 0 ]
result "valgrind: nothing in use at exit (no leak)" $? "in use at exit: $lost bytes"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
