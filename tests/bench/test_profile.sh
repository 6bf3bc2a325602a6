#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# scripts/profile-xdp.sh's two halves, without perf (CI need not have it):
# bench_xdp's JIT line table (BENCH_LINES) must cover the real program's
# sources and end each function, and profile-lines.py must charge samples
# at known addresses to exactly their lines and leave the rest outside.

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d /tmp/ecmp-test-profile.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. tests/result.sh

BENCH_QUICK=1 BENCH_ONLY="ecmp_xdp ipv4 udp, 1 route" BENCH_LINES="$tmp/lines" \
	"$BUILD/tests/bench_xdp" "$BUILD" > "$tmp/bench.out" 2>&1
result "bench_xdp writes a line table (BENCH_LINES)" $? "$(tail -2 "$tmp/bench.out")"

# Every file of the decision appears, and each program ends: the floor's
# and the ecmp wrapper's, plus ecmp_xdp_l4_sum's image (a global function).
missing=""
for want in parse.bpf.h: fwd.bpf.h: ecmp_hash.h: xdp_fwd.bpf.h: csum.bpf.h: \
	    "end of bench_floor" "end of bench_ecmp"; do
	grep -qF "$want" "$tmp/lines" || missing="$missing $want"
done
ends=$(grep -c "end of bench_ecmp" "$tmp/lines")
result "line table covers every source file, both programs" \
	"$([ -z "$missing" ] && [ "$ends" -ge 2 ] && echo 0 || echo 1)" \
	"missing:$missing; bench_ecmp functions ended: $ends"

# In address order, each function is a run of line records closed by its
# end marker: a marker with no records before it, or records after the
# last marker, would charge samples to the wrong function or to none.
LC_ALL=C sort "$tmp/lines" > "$tmp/sorted"
awk -F'\t' '$2 != "-" { open = 1; next } { if (!open) bad++; open = 0 }
	END { exit bad || open }' "$tmp/sorted"
result "each function's records end in its own end marker" $?

# Synthetic samples: every parse.bpf.h record's start and the middle of its
# code, one sample below every program and one at an end marker (past a
# function): exactly those two fall outside, and all the rest are charged
# to parse.bpf.h.
python3 - "$tmp/sorted" > "$tmp/samples" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t", 2) for line in open(sys.argv[1])]
for (addr, where, _), (after, _, _) in zip(rows, rows[1:]):
    if where.startswith("parse.bpf.h:") and not where.endswith(":0"):
        start, end = int(addr, 16), int(after, 16)
        print("%x\n%x" % (start, (start + end) // 2))
PY
generated=$?
inside=$(wc -l < "$tmp/samples")
echo 1 >> "$tmp/samples"
grep -m1 "end of" "$tmp/lines" | cut -f1 >> "$tmp/samples"
python3 scripts/profile-lines.py "$tmp/lines" "$tmp/samples" 5 > "$tmp/report" 2>&1
ok=1
[ "$generated" = 0 ] && [ "$inside" -gt 10 ] &&
	grep -q "^samples: $((inside + 2)) in all, $inside in the programs" "$tmp/report" &&
	grep -A1 "^by file:" "$tmp/report" | grep -q "100.0%  parse.bpf.h" && ok=0
result "samples are charged to their lines; outside ones apart" $ok \
	"$(head -12 "$tmp/report" | tr '\n' '|')"

# Code without a line is named after the line before it.
printf '10\tfwd.bpf.h:7\tx = 1;\n20\tfwd.bpf.h:0\t\n30\t-\tend of p\n' > "$tmp/l0"
printf '25\n25\n15\n' > "$tmp/s0"
python3 scripts/profile-lines.py "$tmp/l0" "$tmp/s0" > "$tmp/r0" 2>&1
grep -q "66.7%  fwd.bpf.h:0 (no line; after fwd.bpf.h:7)" "$tmp/r0"
result "code without a line is named after the line before it" $? \
	"$(tr '\n' '|' < "$tmp/r0")"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
