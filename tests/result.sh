#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# One "TEST: name [ OK ]" line per check, counted in PASSED / FAILED, the
# format tests/run.sh totals. A script that can say more about a failure
# defines result_detail(), called after the failing line.

PASSED=0
FAILED=0

result() { # NAME STATUS [DETAIL]
	if [ "$2" = 0 ]; then
		printf 'TEST: %-60s [ OK ]\n' "$1"
		PASSED=$((PASSED + 1))
	else
		printf 'TEST: %-60s [FAIL]\n' "$1"
		[ -n "${3:-}" ] && printf '  %s\n' "$3"
		FAILED=$((FAILED + 1))
		if declare -F result_detail > /dev/null; then
			result_detail
		fi
	fi
}
