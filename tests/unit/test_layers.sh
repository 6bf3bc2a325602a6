#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The layering check (scripts/check-layers.py) passes on the tree, and
# fails on copies of it with each kind of violation planted: a cycle
# between two ecmpd modules, lib/ reaching into ecmpd/, ecmpctl/ into
# bfd/, bpf/ into user/.
. "$(dirname "$0")/../result.sh"
cd "$(dirname "$0")/../.."

out=$(python3 scripts/check-layers.py)
result "layers: the tree has no include cycle and no include across layers" $? "$out"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# plant NAME FILE LINE PATTERN: a copy of the tree with LINE added to FILE
# must fail, naming PATTERN.
plant() {
	rm -rf "$scratch/tree"
	mkdir -p "$scratch/tree"
	cp -r include maps bpf user scripts "$scratch/tree/"
	sed -i "0,/^#include \"/s||$3\n&|" "$scratch/tree/$2"
	out=$(python3 "$scratch/tree/scripts/check-layers.py")
	[ $? = 1 ] && echo "$out" | grep -q "$4"
	result "layers: $1 is refused" $? "$out"
}
plant "a cycle (pin.c uses attach.h, attach.c uses pin.h)" user/ecmpd/pin.c \
	'#include "attach.h"' 'include cycle: .*attach.*pin'
plant "lib/ including from ecmpd/" user/lib/json.c \
	'#include "ecmpd/plane.h"' 'user/lib/json.c: includes user/ecmpd/plane.h'
plant "ecmpctl/ including from bfd/" user/ecmpctl/lookup.c \
	'#include "bfd/bfd.h"' 'user/ecmpctl/lookup.c: includes user/bfd/bfd.h'
plant "bpf/ including from user/" bpf/fwd.bpf.h \
	'#include "lib/json.h"' 'bpf/fwd.bpf.h: includes user/lib/json.h'
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
