#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs every libFuzzer target for FUZZ_SECONDS from its seed corpus (copied,
# so the repository's corpus only changes by hand) and prints a TEST line
# each with the executions and coverage reached. A crash leaves its input
# in $BUILD/fuzz/ (crash-*): add it to tests/fuzz/corpus/TARGET and fix it.
# The targets run as many at a time as there are CPUs (each fuzzer is one
# busy thread), so CI's short run takes a CPU's share of the time.
BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
TARGETS="bfd config ctl netlink cli fpm lpm"
JOBS=${FUZZ_JOBS:-$(nproc)}

fuzz_one() { # TARGET: runs it, leaves its TEST line in $BUILD/fuzz/TARGET.result
	t=$1
	work="$BUILD/fuzz/corpus-$t"
	log="$BUILD/fuzz/$t.log"
	mkdir -p "$work"
	cp tests/fuzz/corpus/$t/* "$work/"
	if (cd "$BUILD/fuzz" && ./fuzz_$t -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 "corpus-$t") > "$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		printf 'TEST: %-60s [ OK ]\n' "fuzz $t ${FUZZ_SECONDS}s: $runs runs, $cov"
	else
		tail -20 "$log"
		printf 'TEST: %-60s [FAIL]\n' "fuzz $t (see $log)"
	fi > "$BUILD/fuzz/$t.result"
}

running=0
for t in $TARGETS; do
	rm -f "$BUILD/fuzz/$t.result"
	fuzz_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait
		running=0
	fi
done
wait
passed=0
failed=0
for t in $TARGETS; do
	if [ -f "$BUILD/fuzz/$t.result" ]; then
		cat "$BUILD/fuzz/$t.result"
	else
		printf 'TEST: %-60s [FAIL]\n' "fuzz $t left no result"
	fi
	if grep -q '\[ OK \]$' "$BUILD/fuzz/$t.result" 2>/dev/null; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
