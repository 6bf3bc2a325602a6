#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `make install` as a package build runs it: PREFIX=/usr into a staging
# root (DESTDIR), from a build directory of its own (the paths are compiled
# in). Everything lands where the installed ecmpd looks for it; the unit
# passes systemd-analyze verify; the man pages render; the example config
# is valid; an operator's config survives install and uninstall; the
# completion completes.
set -u
cd "$(dirname "$0")/../.."
. tests/result.sh

# A make of its own: not the sanitized one a `make SANITIZE=1 test` above
# would hand down through MAKEFLAGS.
unset MAKEFLAGS MAKELEVEL MFLAGS SANITIZE
T=$(mktemp -d /tmp/ecmp-install.XXXXXX)
R=$T/root
trap 'rm -rf "$T"' EXIT

if ! make -s -j"$(nproc)" BUILD="$T/build" PREFIX=/usr DESTDIR="$R" install > "$T/make.log" 2>&1; then
	result "make install PREFIX=/usr DESTDIR=..." 1 "$(tail -5 "$T/make.log")"
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
missing=""
for f in usr/sbin/ecmpd usr/sbin/ecmpctl usr/lib/xdp-ecmp/ecmp_xdp.bpf.o \
	usr/lib/xdp-ecmp/ecmp_tc.bpf.o usr/lib/systemd/system/ecmpd.service \
	etc/ecmp/ecmpd.conf.example usr/share/bash-completion/completions/ecmpctl \
	usr/share/man/man8/ecmpd.8 usr/share/man/man8/ecmpctl.8 usr/share/man/man5/ecmpd.conf.5; do
	[ -f "$R/$f" ] || missing="$missing $f"
done
[ -z "$missing" ]
result "make install: programs, objects, unit, example, completion, man pages" $? "missing:$missing"

out=$("$R/usr/sbin/ecmpd" --help)
echo "$out" | grep -q "/usr/lib/xdp-ecmp/ecmp_xdp.bpf.o" &&
	echo "$out" | grep -q "default /etc/ecmp/ecmpd.conf"
result "the installed ecmpd looks where PREFIX put the objects" $? "$(echo "$out" | grep -E "xdp-ecmp|default /etc")"

out=$("$R/usr/sbin/ecmpd" -c "$R/etc/ecmp/ecmpd.conf.example" --check --offline 2>&1)
result "the example config is valid (ecmpd --check --offline)" $? "$out"

out=$(systemd-analyze --root="$R" verify --man=no --recursive-errors=no \
	"$R/usr/lib/systemd/system/ecmpd.service" 2>&1)
[ $? = 0 ] && ! echo "$out" | grep -q "ecmpd.service"
result "systemd-analyze verify ecmpd.service" $? "$out"
grep -q "^ExecStart=/usr/sbin/ecmpd -c /etc/ecmp/ecmpd.conf$" "$R/usr/lib/systemd/system/ecmpd.service" &&
	grep -q "^Type=notify$" "$R/usr/lib/systemd/system/ecmpd.service"
result "the unit runs the installed ecmpd, Type=notify" $?

bad=""
for m in man8/ecmpd.8 man8/ecmpctl.8 man5/ecmpd.conf.5; do
	page=$(MANWIDTH=80 man -l "$R/usr/share/man/$m" 2> "$T/man.err")
	name=$(basename "$m" | sed 's/\.[0-9]$//')
	echo "$page" | grep -q "^NAME" && echo "$page" | grep -qE "^       $name +- " &&
		! grep -v "table wider than line width\|around line" "$T/man.err" | grep -q . ||
		bad="$bad $m"
done
[ -z "$bad" ]
result "man -l renders ecmpd(8), ecmpctl(8), ecmpd.conf(5)" $? "bad:$bad $(head -3 "$T/man.err")"
MANWIDTH=80 man -l "$R/usr/share/man/man5/ecmpd.conf.5" 2>/dev/null | grep -q "routes kernel"
result "ecmpd.conf(5) is docs/CONFIG.md: it has 'routes kernel'" $?

# The operator's config: never overwritten, never removed.
echo "# mine" > "$R/etc/ecmp/ecmpd.conf"
make -s BUILD="$T/build" PREFIX=/usr DESTDIR="$R" install > /dev/null 2>&1 &&
	make -s BUILD="$T/build" PREFIX=/usr DESTDIR="$R" uninstall > /dev/null 2>&1
left=$(cd "$R" && find . -type f | sort | tr '\n' ' ')
[ "$left" = "./etc/ecmp/ecmpd.conf " ] && [ "$(cat "$R/etc/ecmp/ecmpd.conf")" = "# mine" ]
result "install keeps, uninstall removes all but the operator's ecmpd.conf" $? "left: $left"

# Completion: objects, commands, the words after them.
complete_words() { # WORDS...: what completes the last one
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ecmpctl; echo "${COMPREPLY[*]}"' \
		_ contrib/ecmpctl.bash-completion "$@"
}
[ "$(complete_words ecmpctl ne)" = "nexthop" ] &&
	[ "$(complete_words ecmpctl nexthop "")" = "show set" ] &&
	[ "$(complete_words ecmpctl stats --format "")" = "prometheus" ] &&
	[ "$(complete_words ecmpctl shutdown --d)" = "--detach" ]
result "bash completion: objects, commands, options" $? \
	"ne: $(complete_words ecmpctl ne); nexthop: $(complete_words ecmpctl nexthop "")"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
