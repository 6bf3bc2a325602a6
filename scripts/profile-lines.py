#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Charge perf samples to the source lines of JIT-compiled BPF programs.

usage: profile-lines.py LINE_TABLE SAMPLES [TOP]

LINE_TABLE: what bench_xdp writes for BENCH_LINES (tests/bench/jit_lines.h):
"ADDR<TAB>FILE:LINE<TAB>SOURCE" per line-info record, "ADDR<TAB>-<TAB>end
of NAME" past each function. SAMPLES: `perf script -F ip`, one address per
line. A sample belongs to the record at or below its address; samples
outside every program (the test-run loop, helpers, the verifier while the
fixtures load) are counted apart. Code the compiler left without a line
(FILE:0) is named after the last line before it, which is usually what it
was inlined from.
"""
import bisect
import collections
import sys


def load_table(path):
    """Sorted (address, where, source, program) records; where is None
    past the end of a function. A function's image is contiguous, so its
    records are those between the previous end marker and its own."""
    records = []
    with open(path) as f:
        for row in f:
            addr, loc, src = row.rstrip("\n").split("\t", 2)
            records.append((int(addr, 16), loc, src))
    records.sort()
    named = []
    last = None
    pending = []
    for addr, loc, src in records:
        if loc == "-":
            prog = src[len("end of "):]
            named.extend((a, w, s, prog) for a, w, s in pending)
            named.append((addr, None, None, prog))
            pending = []
            last = None
            continue
        if loc.endswith(":0"):
            where = "%s (no line; after %s)" % (loc, last) if last else loc
        else:
            where = last = loc
        pending.append((addr, where, src))
    named.extend((a, w, s, "?") for a, w, s in pending)
    return named


def report(title, counter, inside, top, source=None):
    print("\n%s:" % title)
    for key, n in counter.most_common(top):
        src = source[key][:60] if source else ""   # "" for line 0
        print("%6.1f%%  %-28s %s" % (100.0 * n / inside, key, src))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    table = load_table(sys.argv[1])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    if not table:
        sys.exit("profile-lines: %s holds no line records" % sys.argv[1])
    starts = [rec[0] for rec in table]
    by_prog = collections.Counter()
    by_line = collections.Counter()
    source = {}
    total = inside = 0
    with open(sys.argv[2]) as f:
        for row in f:
            fields = row.split()
            if not fields:
                continue
            try:
                ip = int(fields[0], 16)
            except ValueError:
                continue
            total += 1
            i = bisect.bisect_right(starts, ip) - 1
            if i < 0 or table[i][1] is None:
                continue
            inside += 1
            by_prog[table[i][3]] += 1
            by_line[table[i][1]] += 1
            source[table[i][1]] = table[i][2]
    if not inside:
        sys.exit("profile-lines: none of %d samples fell in the programs "
                 "(was perf recording the same run?)" % total)
    by_file = collections.Counter()
    for where, n in by_line.items():
        by_file[where.split(":")[0]] += n
    print("samples: %d in all, %d in the programs (the rest: test-run loop,"
          " helpers, verifier)" % (total, inside))
    report("share of the programs' samples by program", by_prog, inside, top)
    report("by file", by_file, inside, top)
    report("by source line (top %d)" % top, by_line, inside, top, source)


if __name__ == "__main__":
    main()
