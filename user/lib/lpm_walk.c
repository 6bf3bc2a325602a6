// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A lookup in a trie as the data path makes it (bpf/fwd.bpf.h), from
 * user space: `ecmpctl lookup`, and the tests' check of every route
 * against the maps. It reads the maps alone, never the builder's state,
 * so it answers for a trie that another process built.
 */
#include <string.h>

#include "lpm.h"
#include "lpm_int.h"

static uint32_t tail_match(const struct ecmp_lpm_tail *x, const uint8_t *addr)
{
	uint32_t a[4] = { 0 }, i, k;

	memcpy(a, addr, 16);
	for (i = 0; i < x->n && i < ECMP_LPM_TAIL_ROUTES; i++) {
		for (k = 0; k < 4; k++)
			if ((a[k] ^ x->r[i].addr[k]) & x->r[i].mask[k])
				break;
		if (k == 4)
			return x->r[i].leaf;
	}
	return x->cover;
}

/* The data path's count (bpf/fwd.bpf.h), the same way. */
static uint32_t runs_match(const struct ecmp_lpm_chunk *c, uint32_t v, uint8_t b)
{
	uint32_t off = ECMP_LPM_RUNS_SLOT(v) * ECMP_LPM_RUNS_SIZE(ECMP_LPM_RUNS_CLASS(v));
	const uint8_t *r = c->bytes + off;
	uint32_t word, k;
	uint16_t val;

	if (off > ECMP_LPM_RUNS_OFF_MAX)
		return ECMP_LPM_NONE;
	memcpy(&word, r + 4 * (b >> 5), 4);
	k = ecmp_lpm_run_index(word, r[ECMP_LPM_RUNS_BEFORE + (b >> 5)], b);
	if (v & ECMP_LPM_RUNS_LEAF8)
		return ecmp_lpm_run8_leaf(c->bytes[(off + ECMP_LPM_RUNS_LEAVES + k) & 1023]);
	off = (off + ECMP_LPM_RUNS_LEAVES + 2 * k) & 1022;
	memcpy(&val, c->bytes + off, 2);
	return ecmp_lpm_run_leaf(val);
}

uint32_t lpm_walk(const struct ecmp_lpm_chunk *root,
		  const struct ecmp_lpm_chunk *node, uint32_t nchunks,
		  uint8_t family, const uint8_t *addr)
{
	int len = addr_len(family), i;
	uint8_t a[16] = { 0 };
	uint32_t v;

	if (!len)
		return ECMP_LPM_NONE;
	memcpy(a, addr, len);
	v = __atomic_load_n(&root[(family == ECMP_AF_INET6 ? 256 : 0) + a[0]]
				     .entry[a[1]], __ATOMIC_ACQUIRE);
	for (i = 2; i < len && is_child(v); i++) {
		uint32_t c = v & ~ECMP_LPM_CHILD;

		if (c >= nchunks)
			return ECMP_LPM_NONE;
		v = __atomic_load_n(&node[c].entry[a[i]], __ATOMIC_ACQUIRE);
	}
	if (is_runs(v)) {	/* for the chunk of byte i */
		if (ECMP_LPM_RUNS_CHUNK(v) >= nchunks || i >= len)
			return ECMP_LPM_NONE;
		return runs_match(&node[ECMP_LPM_RUNS_CHUNK(v)], v, a[i]);
	}
	if (is_tail(v)) {
		uint32_t x = ECMP_LPM_SLOT(v);

		if ((x >> 3) >= nchunks || (x & 7) >= ECMP_LPM_TAILS_PER_CHUNK)
			return ECMP_LPM_NONE;
		return tail_match(&node[x >> 3].tail[x & 7], a);
	}
	return (v & ECMP_LPM_CHILD) ? ECMP_LPM_NONE : v;
}
