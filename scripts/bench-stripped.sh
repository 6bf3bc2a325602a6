#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# What the live goals of issue #19 leave to any xdp-ecmp: the live rows of
# bench_xdp (the router alone, 64-byte frames, 10,000 flows) beside a
# build of the data path stripped of the three parts a forwarder could do
# without, measured in the same process, interleaved:
#   - the keyed SipHash-1-3 (SPEC §4), replaced by one multiply of the
#     flow's words;
#   - the three counters of a forwarded frame (reason, nexthop, group),
#     which `ecmpctl stats` and the Prometheus exposition read;
#   - the check that a frame from a veth has no checksum left to offload.
# What remains is what forwarding itself takes: the parser's checks that
# RFC 1812 and RFC 8200 ask of a router (issue #18), the route lookup,
# the bucket and nexthop reads, the MAC and TTL rewrite and the redirect.
# The stripped build is a measurement only: it is made in a scratch copy
# of the tree and never installed.
#
#   BUILD=build bash scripts/bench-stripped.sh   (as root; BENCH_ROUNDS=N)
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
[ -x "$BUILD/tests/bench_xdp" ] || {
	echo "bench-stripped: $BUILD/tests/bench_xdp is missing: run 'make tests' first" >&2
	exit 1
}
SCRATCH=$(mktemp -d /tmp/ecmp-stripped.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT

# The working tree as it is (uncommitted changes included), build dirs left out.
tar -c --exclude=./build --exclude=./build-san --exclude=./.git . | tar -x -C "$SCRATCH"
python3 - "$SCRATCH" <<'PY'
import sys

root = sys.argv[1]
edits = [
    ("include/ecmp_hash.h",
     "\tecmp_sip_init(&s, seed);\n",
     "\treturn ((__u64)f->saddr[0] ^ ((__u64)f->daddr[0] << 32) ^ f->saddr[3] ^\n"
     "\t\tf->daddr[3] ^ tail) * 0x9e3779b97f4a7c15ull;\n"
     "\tecmp_sip_init(&s, seed);\n"),
    ("bpf/fwd.bpf.h",
     "\tecmp_count(ECMP_FORWARDED, bytes);\n",
     "\treturn;\n\tecmp_count(ECMP_FORWARDED, bytes);\n"),
    ("bpf/xdp_fwd.bpf.h",
     "if ((iface->flags & ECMP_IFACE_CSUM_FINISH) &&",
     "if (0 && (iface->flags & ECMP_IFACE_CSUM_FINISH) &&"),
]
for path, old, new in edits:
    p = f"{root}/{path}"
    text = open(p).read()
    if text.count(old) != 1:
        sys.exit(f"bench-stripped: {path} no longer has the line to strip "
                 f"({old.strip()!r}): update this script")
    open(p, "w").write(text.replace(old, new))
PY
make -s -C "$SCRATCH" BUILD="$SCRATCH/build" "$SCRATCH/build/tests/bench_ecmp.bpf.o" >/dev/null

echo "== the live rows beside a data path without the flow hash, counters and checksum check"
BENCH_ALT="$SCRATCH/build/tests/bench_ecmp.bpf.o" BENCH_ALT_NAME=stripped BENCH_ONLY=live \
	"$BUILD/tests/bench_xdp" "$BUILD" | tee "$SCRATCH/out"
# The goals' ratios for the stripped rows (packets per second: the
# peer's ns over the row's).
awk '
/^live: kernel multipath/ { k = $(NF - 2) }
/^live: XDP on kernel FIB into veth, 1 route/ { f1 = $(NF - 2) }
/^live: XDP on kernel FIB into veth, [0-9]/ { fn = $(NF - 2) }
/^live: stripped ipv4 udp/ { s1 = $(NF - 2) }
/^live: stripped into veth, 1,000,000/ { sn = $(NF - 2) }
END {
	if (!s1 || !k || !f1) { print "bench-stripped: the live rows are missing"; exit 1 }
	printf "stripped, against the goals of #19 (packets per second):\n"
	printf "  1.5x the FIB forwarder, 1 route   %5.0f / %5.0f = %.2fx\n", f1, s1, f1 / s1
	if (fn && sn)	# BENCH_QUICK=1 loads no full table
		printf "  2x the FIB forwarder, full table  %5.0f / %5.0f = %.2fx\n", fn, sn, fn / sn
	printf "  5x kernel multipath               %5.0f / %5.0f = %.2fx\n", k, s1, k / s1
}' "$SCRATCH/out"
