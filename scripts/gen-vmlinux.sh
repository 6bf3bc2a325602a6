#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Regenerates vmlinux.h from the running kernel's BTF. The committed copy is
# what builds use, so a build does not depend on the build host's kernel.
set -e
out=${1:?usage: gen-vmlinux.sh OUT}
btf=/sys/kernel/btf/vmlinux
if [ ! -r "$btf" ]; then
	echo "$btf not readable: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y needed)" >&2
	exit 1
fi
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out from $btf ($(uname -r))"
