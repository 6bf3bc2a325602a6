#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The operators' pages keep up with the code: every reason `ecmpctl stats`
# can print (user/lib/text.c) has its row in docs/TROUBLESHOOTING.md, and
# every link of the README and docs/ to a file of the tree finds it.
set -u
cd "$(dirname "$0")/../.."
. tests/result.sh

# The names of text_reason()'s table, "forwarded" aside.
reasons=$(sed -n '/^const char \*text_reason/,/^}/p' user/lib/text.c |
	sed -nE 's/.*= "([a-z_]+)".*/\1/p' | grep -vx forwarded)
missing=""
for r in $reasons; do
	grep -q "^| \`$r\` |" docs/TROUBLESHOOTING.md || missing="$missing $r"
done
[ -n "$reasons" ] && [ -z "$missing" ]
ok=$?
result "docs/TROUBLESHOOTING.md has a row for each of the $(echo $reasons | wc -w) reasons" $ok \
	"no row for:$missing"

broken="" links=0
for f in README.md docs/*.md; do
	dir=$(dirname "$f")
	for link in $(grep -oE '\]\([^)#: ]+(#[^)]*)?\)' "$f" | sed -E 's/^\]\(//; s/\)$//; s/#.*//'); do
		links=$((links + 1))
		[ -e "$dir/$link" ] || broken="$broken $f:$link"
	done
done
[ -z "$broken" ] && [ "$links" -gt 0 ]
ok=$?
result "each of the $links links of README.md and docs/*.md to a file of the tree finds it" $ok \
	"broken:$broken"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
