#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs every libFuzzer target for FUZZ_SECONDS from its seed corpus (copied,
# so the repository's corpus only changes by hand) and prints a TEST line
# each with the executions and coverage reached. A crash leaves its input
# in $BUILD/fuzz/ (crash-*): add it to tests/fuzz/corpus/TARGET and fix it.
BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
status=0
passed=0
failed=0
for t in bfd config ctl netlink cli fpm lpm; do
	work="$BUILD/fuzz/corpus-$t"
	mkdir -p "$work"
	cp tests/fuzz/corpus/$t/* "$work/"
	log="$BUILD/fuzz/$t.log"
	if (cd "$BUILD/fuzz" && ./fuzz_$t -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 "corpus-$t") > "$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		printf 'TEST: %-60s [ OK ]\n' "fuzz $t ${FUZZ_SECONDS}s: $runs runs, $cov"
		passed=$((passed + 1))
	else
		tail -20 "$log"
		printf 'TEST: %-60s [FAIL]\n' "fuzz $t (see $log)"
		failed=$((failed + 1))
		status=1
	fi
done
echo "$passed passed, $failed failed"
exit $status
