#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# One release string, from VERSION, in both programs; the license texts the
# SPDX identifiers of the sources name are in the tree; ecmpctl's help at
# every level (needs no daemon).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. tests/result.sh

want=$(cat VERSION)
out=$("$BUILD/ecmpd" --version)
[ "$out" = "ecmpd (xdp-ecmp) $want" ]
result "ecmpd --version prints VERSION ($want)" $? "$out"
out=$("$BUILD/ecmpctl" -V)
[ "$out" = "ecmpctl (xdp-ecmp) $want" ] && [ "$("$BUILD/ecmpctl" --version)" = "$out" ]
result "ecmpctl -V and --version print VERSION" $? "$out"
ids=$(grep -rhoE "SPDX-License-Identifier: [(A-Za-z0-9][A-Za-z0-9.+ ()-]*" \
	bpf include user tests scripts maps 2>/dev/null | sed 's/.*Identifier: //; s/ *$//' | sort -u)
missing=""
for l in $(echo "$ids" | tr -d '()' | tr ' ' '\n' | grep -v '^OR$' | sort -u); do
	[ -f "LICENSES/$l.txt" ] || missing="$missing $l"
done
[ -z "$missing" ] && [ -n "$ids" ]
result "every SPDX license of the sources has its text in LICENSES/" $? "missing:$missing; identifiers: $ids"
out=$("$BUILD/ecmpctl" nexthop help)
[ "$(echo "$out" | grep -c "ecmpctl nexthop ")" = 2 ] && [ "$(echo "$out" | wc -l)" = 2 ] &&
	[ "$("$BUILD/ecmpctl" n s help)" = "$out" ] &&
	"$BUILD/ecmpctl" lookup help | grep -q "lookup DST from SRC" &&
	! "$BUILD/ecmpctl" lookup help | grep -q "nexthop"
result "ecmpctl OBJECT [COMMAND] help: that object's commands only" $? "$out"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
