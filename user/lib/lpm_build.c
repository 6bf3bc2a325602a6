// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Building a root entry's subtree from its routes (the layout and the
 * rules in lpm.c's opening comment): chunks, tails and run lists, what a
 * build would take before it is made, and a change made as a patch of
 * the live subtree (only the parts that differ built anew, linked with
 * one store). Last, whether a live part is what a build makes, which
 * taking over a trie (lpm_attach.c) asks of every root entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lpm.h"
#include "lpm_int.h"

/* A tail's order: longest first (the first match is the longest), then
 * by address, so one set of routes always makes the same tail. */
static int plen_desc(const void *a, const void *b)
{
	const struct lpm_route *x = a, *y = b;

	if (x->prefixlen != y->prefixlen)
		return (int)y->prefixlen - x->prefixlen;
	return memcmp(x->addr, y->addr, 16);
}

static int make_tail(struct lpm *t, struct lpm_route *r, uint32_t n,
		     uint32_t cover, uint32_t *out)
{
	struct ecmp_lpm_tail *x;
	uint32_t i;
	int err = lpm_alloc_slot(t, KIND_TAIL, out);

	if (err)
		return err;
	x = tail_at(t, *out);
	memset(x, 0, sizeof(*x));
	qsort(r, n, sizeof(*r), plen_desc);
	for (i = 0; i < n; i++) {
		uint8_t mask[16] = { 0 };

		memset(mask, 0xff, 16);
		lpm_mask(mask, ECMP_AF_INET6, r[i].prefixlen);
		memcpy(x->r[i].addr, r[i].addr, 16);
		memcpy(x->r[i].mask, mask, 16);
		x->r[i].leaf = r[i].leaf;
	}
	x->n = n;
	x->cover = cover;
	return 0;
}

static int byte_cmp_at;

static int by_byte(const void *a, const void *b)
{
	return (int)((const struct lpm_route *)a)->addr[byte_cmp_at] -
	       ((const struct lpm_route *)b)->addr[byte_cmp_at];
}

/* Moves the routes that end within the chunk at depth d to the front and
 * sorts the rest by the chunk's address byte: how many are at the front. */
static uint32_t split_deep(struct lpm_route *r, uint32_t n, int d)
{
	uint32_t i, j;

	for (i = j = 0; i < n; i++)
		if (r[i].prefixlen <= d + 8) {
			struct lpm_route x = r[i];

			r[i] = r[j];
			r[j++] = x;
		}
	byte_cmp_at = d / 8;
	qsort(r + j, n - j, sizeof(*r), by_byte);
	return j;
}

/* A chunk's entries at depth d: cover, with r[0..n) (routes that end in
 * it) expanded, the longest winning. */
static void expand_chunk(const struct lpm_route *r, uint32_t n, int d,
			 uint32_t cover, uint32_t *ent)
{
	uint8_t dep[ECMP_LPM_CHUNK];
	uint32_t i, k;

	for (i = 0; i < ECMP_LPM_CHUNK; i++) {
		ent[i] = cover;
		dep[i] = 0;
	}
	for (i = 0; i < n; i++) {
		uint32_t span = 1u << (d + 8 - r[i].prefixlen);
		uint32_t first = r[i].addr[d / 8] & ~(span - 1);

		for (k = 0; k < span; k++)
			if (dep[first + k] <= r[i].prefixlen) {
				ent[first + k] = r[i].leaf;
				dep[first + k] = r[i].prefixlen;
			}
	}
}

/* A leaf as a run list's value of `bits` bits (16 or 8), or -1 when it
 * has none: the top two values stand for the router's own leaves. */
static int run_value(uint32_t leaf, int bits)
{
	uint32_t local = (1u << bits) - 1;

	_Static_assert(ECMP_LPM_RUN_LOCAL == 0xffff && ECMP_LPM_RUN_CONNECTED == 0xfffe &&
		       ECMP_LPM_RUN8_LOCAL == 0xff && ECMP_LPM_RUN8_CONNECTED == 0xfe,
		       "run values: the router's own leaves at the top");
	if (leaf == ECMP_LPM_LOCAL)
		return local;
	if (leaf == ECMP_LPM_CONNECTED)
		return local - 1;
	return leaf < local - 1 ? (int)leaf : -1;
}

/* The largest run list's bytes. */
#define RUNS_BYTES	ECMP_LPM_RUNS_SIZE(3)

/* A chunk of leaves ent[] as a run list (ecmp_shared.h): its size class,
 * with *leaf8 ECMP_LPM_RUNS_LEAF8 when its leaves take 8 bits (else 0),
 * and its bytes in x (zero up to the class's size) when x is not NULL;
 * -1 when it takes no run list (too many runs, or a leaf without 16 bits). */
static int runs_of(const uint32_t *ent, uint8_t *x, uint32_t *leaf8)
{
	uint32_t bits[ECMP_LPM_CHUNK / 32] = { 0 };
	uint16_t value[ECMP_LPM_RUNS_MAX];
	uint8_t before[ECMP_LPM_CHUNK / 32], value8[ECMP_LPM_RUNS_MAX];
	uint32_t i, n = 0;
	int cls, narrow = 1;

	for (i = 0; i < ECMP_LPM_CHUNK; i++) {
		int v, v8;

		if (i % 32 == 0)
			before[i / 32] = n;
		if (i && ent[i] == ent[i - 1])
			continue;
		v = run_value(ent[i], 16);
		v8 = run_value(ent[i], 8);
		if (v < 0 || n == ECMP_LPM_RUNS_MAX)
			return -1;
		narrow &= v8 >= 0;
		value8[n] = v8;
		bits[i / 32] |= 1u << (i % 32);
		value[n++] = v;
	}
	if (!narrow && n > ECMP_LPM_RUNS_HOLDS(3))
		return -1;
	for (cls = 0; (uint32_t)(narrow ? ECMP_LPM_RUNS8_HOLDS(cls) : ECMP_LPM_RUNS_HOLDS(cls)) < n; cls++)
		;
	*leaf8 = narrow ? ECMP_LPM_RUNS_LEAF8 : 0;
	if (x) {
		memset(x, 0, ECMP_LPM_RUNS_SIZE(cls));
		memcpy(x, bits, sizeof(bits));
		memcpy(x + ECMP_LPM_RUNS_BEFORE, before, sizeof(before));
		if (narrow)
			memcpy(x + ECMP_LPM_RUNS_LEAVES, value8, n);
		else
			memcpy(x + ECMP_LPM_RUNS_LEAVES, value, 2 * n);
	}
	return cls;
}

/* The subtree for r[0..n), routes longer than d bits under one d-bit
 * prefix, with cover where none matches: its entry value in *out. r is
 * reordered. On -ENOSPC nothing stays allocated. */
static int build(struct lpm *t, struct lpm_route *r, uint32_t n, int d,
		 uint32_t cover, uint32_t *out)
{
	uint32_t ent[ECMP_LPM_CHUNK], c, i, j;
	int byte = d / 8, err;

	if (!n) {
		*out = cover;
		return 0;
	}
	if (n <= ECMP_LPM_TAIL_ROUTES)
		return make_tail(t, r, n, cover, out);
	/* Routes that end in this chunk are expanded; the rest go deeper. */
	j = split_deep(r, n, d);
	expand_chunk(r, j, d, cover, ent);
	if (j == n) {
		uint8_t x[RUNS_BYTES];
		uint32_t leaf8;
		int cls = runs_of(ent, x, &leaf8);

		if (cls >= 0) {
			err = lpm_alloc_slot(t, 1 + cls, out);
			if (err)
				return err;
			memcpy(runs_at(t->node, *out), x, ECMP_LPM_RUNS_SIZE(cls));
			*out |= leaf8;
			return 0;
		}
	}
	err = lpm_alloc_chunk(t, &c);
	if (err)
		return err;
	for (i = j; i < n;) {
		uint32_t k = i, b = r[i].addr[byte];

		while (k < n && r[k].addr[byte] == b)
			k++;
		err = build(t, r + i, k - i, d + 8, ent[b], &ent[b]);
		if (err)
			break;
		i = k;
	}
	if (err) {	/* undo the children built so far */
		for (i = 0; i < ECMP_LPM_CHUNK; i++)
			if (ent[i] != cover && (is_tail(ent[i]) || is_child(ent[i])))
				lpm_release(t, ent[i], 1);
		t->free_list[t->nfree++] = c;
		return err;
	}
	memcpy(t->node[c].entry, ent, sizeof(ent));
	*out = ECMP_LPM_CHILD | c;
	return 0;
}

/* The same in 240ths of a chunk. */
uint64_t lpm_tally_cost(const struct tally *x)
{
	uint64_t c = x->chunks * COST_CHUNK;
	int k;

	for (k = 0; k < KINDS; k++)
		c += x->slots[k] * slot_cost(k);
	return c;
}

/* What the live subtree under v takes, in 240ths of a chunk. */
uint64_t lpm_live_cost(const struct lpm *t, uint32_t v)
{
	uint64_t c = 0;
	uint32_t i;

	if (is_tail(v))
		return slot_cost(link_kind(v));
	if (!is_child(v))
		return 0;
	for (i = 0; i < ECMP_LPM_CHUNK; i++)
		c += lpm_live_cost(t, t->node[v & ~ECMP_LPM_CHILD].entry[i]);
	return c + COST_CHUNK;
}

/* Adds to x what build() would make of r[0..n) under cover (r reordered). */
void lpm_build_tally(struct lpm_route *r, uint32_t n, int d, uint32_t cover,
			struct tally *x)
{
	uint32_t ent[ECMP_LPM_CHUNK], i, j, leaf8;
	int cls;

	if (!n)
		return;
	if (n <= ECMP_LPM_TAIL_ROUTES) {
		x->slots[KIND_TAIL]++;
		return;
	}
	j = split_deep(r, n, d);
	expand_chunk(r, j, d, cover, ent);
	if (j == n && (cls = runs_of(ent, NULL, &leaf8)) >= 0) {
		x->slots[1 + cls]++;
		return;
	}
	x->chunks++;
	for (i = j; i < n;) {
		uint32_t k = i, b = r[i].addr[d / 8];

		while (k < n && r[k].addr[d / 8] == b)
			k++;
		lpm_build_tally(r + i, k - i, d + 8, ent[b], x);
		i = k;
	}
}

/* Whether build() makes a chunk of r[0..n) at depth d (not a leaf, a tail
 * or a run list); ent[] then holds its entries' leaves and *deep where
 * the routes below it start (r is reordered). */
static int builds_chunk(struct lpm_route *r, uint32_t n, int d, uint32_t cover,
			uint32_t *ent, uint32_t *deep)
{
	uint32_t leaf8;

	if (n <= ECMP_LPM_TAIL_ROUTES)
		return 0;
	*deep = split_deep(r, n, d);
	expand_chunk(r, *deep, d, cover, ent);
	return *deep < n || runs_of(ent, NULL, &leaf8) < 0;
}

static int patch(struct lpm *t, uint32_t *e, struct lpm_route *r, uint32_t n,
		 int d, uint32_t cover, int order);

/* One entry of a chunk that stays: its byte, its routes r[k..m) and what
 * it grows by, in 240ths of a chunk. */
struct piece {
	uint32_t byte, k, m;
	int64_t grow;
};

static int by_piece_growth(const void *a, const void *b)
{
	int64_t x = ((const struct piece *)a)->grow, y = ((const struct piece *)b)->grow;

	return x < y ? -1 : x > y;
}

/* The live chunk c stays a chunk: each entry made right in turn; with
 * order, those that shrink first, so old and new never need more room
 * together than the larger of the two and one entry's growth. */
static int patch_chunk(struct lpm *t, uint32_t c, struct lpm_route *r, uint32_t n,
		       uint32_t deep, int d, const uint32_t *ent, int order)
{
	struct piece p[ECMP_LPM_CHUNK];
	uint32_t i, k = deep;
	int err = 0;

	for (i = 0; i < ECMP_LPM_CHUNK; i++) {
		uint32_t m = k;

		while (m < n && r[m].addr[d / 8] == i)
			m++;
		p[i] = (struct piece){ i, k, m, 0 };
		if (order) {
			struct tally x = { 0 };

			lpm_build_tally(r + k, m - k, d + 8, ent[i], &x);
			p[i].grow = (int64_t)lpm_tally_cost(&x) -
				    (int64_t)lpm_live_cost(t, t->node[c].entry[i]);
		}
		k = m;
	}
	if (order)	/* else in the chunk's order: nothing was counted */
		qsort(p, ECMP_LPM_CHUNK, sizeof(*p), by_piece_growth);
	for (i = 0; i < ECMP_LPM_CHUNK && !err; i++)
		err = patch(t, &t->node[c].entry[p[i].byte], r + p[i].k,
			    p[i].m - p[i].k, d + 8, ent[p[i].byte], order);
	return err;
}

/*
 * Makes the live entry *e what build() makes of r[0..n) under cover at
 * depth d (r is reordered), building anew only what differs: where the
 * entry is a chunk and stays one, the chunk stays and its entries are
 * made right one by one; a part that already is what a build makes is
 * left alone. Each store swaps one entry for a complete subtree, so a
 * lookup meanwhile finds the old route or the new one. The room a change
 * needs while old and new both exist is then the part that changes, not
 * the root entry's whole subtree (a whole read that changed one /48 of a
 * crowded IPv6 /16 needed room for a second copy of all the /16's).
 */
static int patch(struct lpm *t, uint32_t *e, struct lpm_route *r, uint32_t n,
		 int d, uint32_t cover, int order)
{
	uint32_t v = *e, nv, ent[ECMP_LPM_CHUNK], deep;
	int err;

	if (is_child(v) && (v & ~ECMP_LPM_CHILD) < t->nchunks &&
	    builds_chunk(r, n, d, cover, ent, &deep))
		return patch_chunk(t, v & ~ECMP_LPM_CHILD, r, n, deep, d, ent, order);
	if (lpm_same_subtree(t, NULL, v, r, n, d, cover))
		return 0;
	err = build(t, r, n, d, cover, &nv);
	if (err)
		return err;
	store_entry(e, nv);	/* built first, linked last */
	lpm_release(t, v, 0);
	return 0;
}

/* patch() at the top of a change, whose new subtree takes cost (240ths of
 * a chunk). Its parts go shrinking first only when the chunks free now or
 * after a grace period might not hold all of the new subtree (and a page
 * of slots of each kind begun): else any order fits, and ordering costs a
 * count of every part at every level (a whole read changing every route
 * of the full table took 1.1 s, not 0.75). With the cost unknown, a bound
 * comes first: a chunk or run list holds more routes than a tail, so a
 * level has at most n / 5 of them, and there is at most a tail a route;
 * only when that does not fit are the parts counted. */
int lpm_patch_top(struct lpm *t, uint32_t *e, struct lpm_route *r, uint32_t n,
		     int d, uint32_t cover, uint64_t cost)
{
	uint64_t room = (uint64_t)lpm_chunks_free(t) * COST_CHUNK;

	if (!n)		/* the cover alone: nothing to build */
		return patch(t, e, r, 0, d, cover, 0);
	room = room > KINDS * COST_CHUNK ? room - KINDS * COST_CHUNK : 0;
	if (cost == COST_UNKNOWN) {
		uint64_t levels = (addr_len(r[0].family) * 8 - d + 7) / 8;

		cost = levels * (n / (ECMP_LPM_TAIL_ROUTES + 1)) * COST_CHUNK +
		       (uint64_t)n * slot_cost(KIND_TAIL);
		if (cost > room) {
			struct tally x = { 0 };

			lpm_build_tally(r, n, d, cover, &x);
			cost = lpm_tally_cost(&x);
		}
	}
	return patch(t, e, r, n, d, cover, room < cost);
}

/* Makes a root entry's subtree what its routes build (cost: what it
 * takes, or COST_UNKNOWN); what it no longer uses is released. In bulk
 * mode only marks it. */
int lpm_rebuild_costed(struct lpm *t, uint32_t idx, uint64_t cost)
{
	uint32_t *e = &t->root[idx / ECMP_LPM_CHUNK].entry[idx % ECMP_LPM_CHUNK];
	struct lpm_route *copy;
	int err;

	if (t->bulk) {
		if (!t->dirty[idx]) {
			t->dirty[idx] = 1;
			t->dirty_list[t->ndirty++] = idx;
		}
		return 0;
	}
	if (!t->below[idx].n)	/* the cover alone (a short route's change) */
		return lpm_patch_top(t, e, NULL, 0, ECMP_LPM_ROOT_BITS, t->root_cover[idx], cost);
	copy = malloc(sizeof(*copy) * t->below[idx].n);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, t->below[idx].r, sizeof(*copy) * t->below[idx].n);
	err = lpm_patch_top(t, e, copy, t->below[idx].n, ECMP_LPM_ROOT_BITS,
			t->root_cover[idx], cost);
	free(copy);
	return err;
}

int lpm_rebuild(struct lpm *t, uint32_t idx)
{
	return lpm_rebuild_costed(t, idx, COST_UNKNOWN);
}


/* Whether a live part is what a build makes. */

static void mark(struct adopt *a, uint32_t what)
{
	a->mine[a->nmine++] = what;
}

/* Whether the slot link v names is in the pool and not yet claimed by
 * another link, by a chunk or by a page of another kind. */
static int slot_free(const struct lpm *t, const struct adopt *a, uint32_t v)
{
	uint32_t c = link_chunk(v), s = link_slot(v);
	int kind = link_kind(v);

	return c < t->nchunks && s < slots_per_page[kind] &&
	       (!a->used[c] || a->used[c] == 2 + kind) && !a->slot_used[c << 4 | s];
}

static void mark_slot(struct adopt *a, uint32_t v)
{
	uint32_t c = link_chunk(v), x = c << 4 | link_slot(v);

	if (!a->used[c])
		mark(a, c);
	a->used[c] = 2 + link_kind(v);
	a->slot_used[x] = 1;
	mark(a, 0x80000000u | x);
}

/* Whether the live entry v is what build() makes of r[0..n) under cover
 * at depth d, or a chunk where build() makes a tail (a trie of a version
 * before tails: as right for lookups, turned into tails as it changes);
 * with a (taking over a trie) it also marks what it uses, and a part
 * another link claimed already is not the same. */
int lpm_same_subtree(struct lpm *t, struct adopt *a, uint32_t v,
			struct lpm_route *r, uint32_t n, int d, uint32_t cover)
{
	if (!n)
		return v == cover;
	if (n <= ECMP_LPM_TAIL_ROUTES && !is_child(v)) {
		uint32_t x = ECMP_LPM_SLOT(v), c = x >> 3, s = x & 7, i;
		const struct ecmp_lpm_tail *tl;

		if (!is_tail(v) || is_runs(v) || (a && !slot_free(t, a, v)))
			return 0;
		tl = &t->node[c].tail[s];
		if (tl->n != n || tl->cover != cover)
			return 0;
		qsort(r, n, sizeof(*r), plen_desc);
		for (i = 0; i < n; i++) {
			uint8_t mask[16];

			memset(mask, 0xff, 16);
			lpm_mask(mask, ECMP_AF_INET6, r[i].prefixlen);
			if (tl->r[i].leaf != r[i].leaf || memcmp(tl->r[i].addr, r[i].addr, 16) ||
			    memcmp(tl->r[i].mask, mask, 16))
				return 0;
		}
		if (a)
			mark_slot(a, v);
		return 1;
	}
	if (is_runs(v)) {	/* what build() makes of a chunk of leaves */
		uint32_t ent[ECMP_LPM_CHUNK], leaf8;
		uint8_t want[RUNS_BYTES];
		int cls;

		/* A list of the layout before names a chunk past the pool:
		 * never the same, rebuilt in this one. */
		if (link_chunk(v) >= t->nchunks || (a && !slot_free(t, a, v)) ||
		    split_deep(r, n, d) != n)
			return 0;
		expand_chunk(r, n, d, cover, ent);
		cls = runs_of(ent, want, &leaf8);
		if (cls != (int)ECMP_LPM_RUNS_CLASS(v) || leaf8 != (v & ECMP_LPM_RUNS_LEAF8) ||
		    memcmp(want, runs_at(t->node, v), ECMP_LPM_RUNS_SIZE(cls)))
			return 0;
		if (a)
			mark_slot(a, v);
		return 1;
	}
	{
		uint32_t c = v & ~ECMP_LPM_CHILD, ent[ECMP_LPM_CHUNK], i, j, k;
		int byte = d / 8;

		if (!is_child(v) || c >= t->nchunks || (a && a->used[c]))
			return 0;
		if (a) {
			a->used[c] = 1;
			mark(a, c);
		}
		j = split_deep(r, n, d);
		expand_chunk(r, j, d, cover, ent);
		for (i = 0, k = j; i < ECMP_LPM_CHUNK; i++) {
			uint32_t m = k;

			while (m < n && r[m].addr[byte] == i)
				m++;
			if (!lpm_same_subtree(t, a, t->node[c].entry[i], r + k, m - k, d + 8, ent[i]))
				return 0;
			k = m;
		}
		return 1;
	}
}
