#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The BPF objects built by other compilers than the default one (clang 14,
# Debian 12's): clang 19, Debian 13's default and what a package built
# there gets, and clang 16 when it is installed. A newer clang folds
# checks that the verifier needs (a bounds check it finds implied by an
# earlier one, a packet offset added before it was bounded) and turns
# selects into branches, so an object that loads when built by one
# compiler can be refused when built by another. For each compiler: every
# BPF object of `make bpf` loads, and the packet tests (test_xdp) pass on
# its data path.
#   env: BUILD (build), COMPILERS (default "clang-19 clang-16")
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
COMPILERS=${COMPILERS:-clang-19 clang-16}
passed=0
failed=0

result() { # ok|fail text
	if [ "$1" = ok ]; then
		printf 'TEST: %-60s [ OK ]\n' "$2"
		passed=$((passed + 1))
	else
		printf 'TEST: %-60s [FAIL]\n' "$2"
		failed=$((failed + 1))
	fi
}

for cc in $COMPILERS; do
	if ! command -v "$cc" > /dev/null; then
		# clang-19 is one of scripts/install-deps.sh's packages: its
		# absence is a broken setup. Others are tested when present.
		if [ "$cc" = clang-19 ]; then
			result fail "$cc: not installed (make deps installs it)"
		else
			echo "   ($cc not installed: not tested)"
		fi
		continue
	fi
	dir="$BUILD/$cc"
	if ! make -s --no-print-directory -j"$(nproc)" BUILD="$dir" CLANG="$cc" bpf > "$dir.log" 2>&1; then
		tail -20 "$dir.log"
		result fail "$cc: make bpf"
		continue
	fi
	result ok "$cc: make bpf"
	for obj in $(find "$dir" -name '*.bpf.o' | sort); do
		# In a bpffs of its own: libbpf pins the data path's maps by
		# name at the root, where they would outlive the test and be
		# shared by the next object.
		# shellcheck disable=SC2016 # $1 is the inner shell's
		if unshare --mount --propagation private sh -c \
		   'mount -t bpf bpf /sys/fs/bpf && bpftool prog loadall "$1" /sys/fs/bpf/progs' \
		   - "$obj" > "$dir.load.log" 2>&1; then
			result ok "$cc: ${obj#"$dir"/} loads"
		else
			grep -v '^;' "$dir.load.log" | tail -8
			result fail "$cc: ${obj#"$dir"/} loads"
		fi
	done
	# The packet tests on this compiler's data path, named after it.
	"$BUILD/tests/test_xdp" "$dir" > "$dir.xdp.log" 2>&1
	rc=$?
	grep -v -e '^TEST: .*\[ OK \]' -e '^;' -e 'passed, .* failed' "$dir.xdp.log" | tail -5
	while read -r line; do
		case "$line" in
		TEST:*"[ OK ]") result ok "$cc: $(echo "$line" | awk '{print $2}')" ;;
		TEST:*) result fail "$cc: $(echo "$line" | awk '{print $2}')" ;;
		esac
	done < <(grep '^TEST: ' "$dir.xdp.log")
	if [ "$rc" != 0 ] && ! grep -q '^TEST: .*\[FAIL\]' "$dir.xdp.log"; then
		result fail "$cc: test_xdp exited with status $rc"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
