#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Checks the build toolchain up front and names the Debian package that is
# missing, so a build never dies halfway with a cryptic error.
# `make deps` (scripts/install-deps.sh) installs all of them.
CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-bpftool}
missing=""

need() { # command package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}

need "$CLANG" clang
need llvm-strip llvm
need pkg-config pkg-config
need "$BPFTOOL" bpftool
need cc gcc
need make make

if command -v "$CLANG" >/dev/null 2>&1; then
	ver=$("$CLANG" -dumpversion | cut -d. -f1)
	if [ "${ver:-0}" -lt 11 ]; then
		echo "clang $ver is too old for BPF CO-RE; install clang >= 11 (Debian: clang)" >&2
		exit 1
	fi
fi
if command -v "$BPFTOOL" >/dev/null 2>&1 &&
   ! "$BPFTOOL" gen help 2>&1 | grep -q 'gen object'; then
	echo "$BPFTOOL has no 'gen object'; install bpftool >= 5.18 (Debian: bpftool)" >&2
	exit 1
fi
if command -v pkg-config >/dev/null 2>&1; then
	for pc in libbpf:libbpf-dev libxdp:libxdp-dev libelf:libelf-dev zlib:zlib1g-dev libmnl:libmnl-dev; do
		pkg-config --exists "${pc%%:*}" || missing="$missing ${pc#*:}"
	done
fi

if [ -n "$missing" ]; then
	echo "Missing build dependencies:$missing" >&2
	echo "Install them with: make deps   (or: apt-get install$missing)" >&2
	exit 1
fi
