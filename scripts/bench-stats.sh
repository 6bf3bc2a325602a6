#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Sourced by the benchmark scripts that summarise many rounds.

# stats VALUES...: "min median p99 max" of the values, each %8.3f.
stats() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		p = int(NR * 0.99 + 0.999); if (p < 1) p = 1; if (p > NR) p = NR
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%8.3f %8.3f %8.3f %8.3f", v[1], m, v[p], v[NR] }'
}
