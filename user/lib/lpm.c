// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Multibit trie builder (layout in ecmp_shared.h). Level 0 is indexed by the
 * first 16 address bits. Routes of /16 and shorter are expanded into the
 * root entries: the leaf an entry falls back to, its "cover", with the
 * prefix length it came from ("depth"). The routes longer than /16 under a
 * root entry form its subtree: 256-entry chunks, one address byte each
 * (controlled prefix expansion inside a chunk), and a tail wherever at most
 * ECMP_LPM_TAIL_ROUTES routes remain below an entry. Tails keep a sparse
 * table (an IPv6 /48 alone under its /40) from costing a chain of chunks.
 * A chunk of leaves only, in few enough runs, is a run list instead
 * (ecmp_shared.h), in the smallest of four sizes that holds it, its
 * leaves in 8 bits where they all fit.
 *
 * Tails and run lists live in slots of chunks made pages of one kind: six
 * tails, or 16, 10, 8 or 6 run lists of one size class (lpm_pool.c).
 *
 * This file holds the routes and their changes, and bulk mode; building
 * a subtree and patching the live one is lpm_build.c's, a lookup in the
 * maps lpm_walk.c's.
 *
 * A change stores single entries only: each part of a subtree that
 * differs from what its routes build is built anew in free chunks and
 * slots and linked with one store, and what it replaced is reused only
 * after a grace period; a chunk that stays a chunk keeps its place, and a
 * part that is already right is left alone. A lookup meanwhile finds the
 * old route or the new one, and a change needs room for what changes, not
 * for a copy of its root entry's subtree. A cover that changes rebuilds
 * what it reaches. Bulk mode (lpm_bulk_begin/end) defers the work to the
 * end: a table is built once per root entry, not once per route.
 *
 * The builder holds each route once: those of /16 and shorter (a few
 * thousand in an Internet table) in a hash set, each root entry's longer
 * ones in a vector sorted by address (struct rvec), where a route is found
 * by binary search. A hash set of every route besides took 48 MiB more at
 * a full table.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lpm.h"
#include "lpm_int.h"

struct lpm *lpm_alloc(struct ecmp_lpm_chunk *root, struct ecmp_lpm_chunk *node,
		      uint32_t nchunks)
{
	struct lpm *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->root = root;
	t->node = node;
	t->nchunks = nchunks;
	t->root_depth = calloc(ROOT_ENTRIES, 1);
	t->root_cover = calloc(ROOT_ENTRIES, sizeof(uint32_t));
	t->below = calloc(ROOT_ENTRIES, sizeof(struct rvec));
	t->dirty = calloc(ROOT_ENTRIES, 1);
	t->dirty_list = calloc(ROOT_ENTRIES, sizeof(uint32_t));
	t->free_list = calloc(nchunks ? nchunks : 1, sizeof(uint32_t));
	t->pending = calloc(nchunks ? nchunks : 1, sizeof(uint32_t));
	t->page = calloc(nchunks ? nchunks : 1, 1);
	t->live = calloc(nchunks ? nchunks : 1, 1);
	t->shorts = route_set_new();
	if (!t->root_depth || !t->root_cover || !t->below || !t->dirty ||
	    !t->dirty_list || !t->free_list || !t->pending || !t->page || !t->live ||
	    !t->shorts) {
		lpm_free(t);
		return NULL;
	}
	return t;
}

struct lpm *lpm_new(struct ecmp_lpm_chunk *root, struct ecmp_lpm_chunk *node,
		    uint32_t nchunks)
{
	struct lpm *t = lpm_alloc(root, node, nchunks);
	uint32_t i;

	if (!t)
		return NULL;
	memset(root, 0, sizeof(*root) * ECMP_LPM_ROOT_CHUNKS);
	memset(node, 0, sizeof(*node) * nchunks);
	/* Hand out low indexes first: the trie stays compact in memory. */
	for (i = 0; i < nchunks; i++)
		t->free_list[i] = nchunks - 1 - i;
	t->nfree = nchunks;
	return t;
}

void lpm_free(struct lpm *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; t->below && i < ROOT_ENTRIES; i++)
		free(t->below[i].r);
	free(t->below);
	free(t->root_depth);
	free(t->root_cover);
	free(t->dirty);
	free(t->dirty_list);
	free(t->free_list);
	free(t->pending);
	for (i = 0; i < KINDS; i++) {
		free(t->slot_free[i].v);
		free(t->slot_pending[i].v);
	}
	free(t->page);
	free(t->live);
	route_set_free(t->shorts);
	free(t);
}

/* The order of a root entry's routes out of bulk mode: by address, then
 * length. The routes that share an address's first d bits then lie side
 * by side, and the same prefix twice would too. */
static int addr_order(const void *a, const void *b)
{
	const struct lpm_route *x = a, *y = b;
	int i;

	/* As two big-endian words: a reload's binary search for each route
	 * of the table spends its time here (with memcmp a full table's
	 * reload took 0.83-0.95 s, now 0.68-0.71). */
	for (i = 0; i < 16; i += 8) {
		uint64_t p, q;

		memcpy(&p, x->addr + i, 8);
		memcpy(&q, y->addr + i, 8);
		p = be64toh(p);
		q = be64toh(q);
		if (p != q)
			return p < q ? -1 : 1;
	}
	return (int)x->prefixlen - y->prefixlen;
}

/* The first of v's sorted routes not before key in addr_order. */
static uint32_t rvec_lower(const struct rvec *v, const struct lpm_route *key)
{
	uint32_t lo = 0, hi = v->sorted;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (addr_order(&v->r[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The routes of v (sorted) whose first d bits are addr's: [*lo, *hi). */
static void rvec_range(const struct rvec *v, const uint8_t *addr, int d,
		       uint32_t *lo, uint32_t *hi)
{
	struct lpm_route k = { .prefixlen = 0 };
	int i;

	memcpy(k.addr, addr, 16);
	lpm_mask(k.addr, ECMP_AF_INET6, d);
	*lo = rvec_lower(v, &k);
	/* The same bits then all ones, and past any length: just after the
	 * last route that shares them. */
	for (i = d; i < 128; i++)
		k.addr[i / 8] |= 0x80 >> (i % 8);
	k.prefixlen = UINT8_MAX;
	*hi = rvec_lower(v, &k);
}

/* Whether the entry at depth d over key's first d bits, routes r[lo..hi)
 * of below (those that share those bits), stays a chunk after a change:
 * more routes longer than d than a tail holds, and one longer than d + 8
 * (else a run list). Counting stops as soon as both are known, so the
 * routes looked at are bounded (at most one of each length up to d, 510
 * of d + 1 to d + 8, and the tail's worth) however many share the bits. */
static int stays_chunk(const struct rvec *b, uint32_t lo, uint32_t hi, int d)
{
	uint32_t under = 0, i;
	int deeper = 0;

	for (i = lo; i < hi && (under <= ECMP_LPM_TAIL_ROUTES || !deeper); i++) {
		if (b->r[i].prefixlen <= d)
			continue;
		under++;
		if (b->r[i].prefixlen > d + 8)
			deeper = 1;
	}
	return under > ECMP_LPM_TAIL_ROUTES && deeper;
}

/* The route of v with key's prefix, or NULL: among the sorted ones by
 * binary search, then (bulk mode) among those appended, the latest
 * first. A removal in bulk mode is found too, with leaf ECMP_LPM_NONE. */
static struct lpm_route *rvec_find(const struct rvec *v, const struct lpm_route *key,
				   int appended)
{
	uint32_t i = rvec_lower(v, key);

	if (i < v->sorted && !addr_order(&v->r[i], key))
		return &v->r[i];
	for (i = v->n; appended && i > v->sorted; i--)
		if (!addr_order(&v->r[i - 1], key))
			return &v->r[i - 1];
	return NULL;
}

/* The route with key's prefix (key masked), or NULL. */
static const struct lpm_route *find_route(const struct lpm *t, const struct lpm_route *key)
{
	const struct lpm_route *r;

	if (key->prefixlen <= ECMP_LPM_ROOT_BITS)
		return route_set_get(t->shorts, key);
	r = rvec_find(&t->below[root_index(key->family, key->addr)], key, 1);
	return r && r->leaf != ECMP_LPM_NONE ? r : NULL;
}

/* The longest route of more than `above` and at most `from` bits over
 * addr, or NULL: what covers addr's entry at depth `from`. */
static const struct lpm_route *longest_over(const struct lpm *t, uint8_t family,
					    const uint8_t *addr, int from, int above)
{
	struct lpm_route k = { .family = family };

	for (; from > above; from--) {
		const struct lpm_route *hit;

		memcpy(k.addr, addr, 16);
		k.prefixlen = from;
		lpm_mask(k.addr, family, from);
		hit = find_route(t, &k);
		if (hit)
			return hit;
	}
	return NULL;
}

/* The leaf over addr's entry at depth d from the routes longer than
 * `above` (>= 16), or fallback. */
static uint32_t cover_at(const struct lpm *t, uint8_t family, const uint8_t *addr,
			 int d, int above, uint32_t fallback)
{
	const struct lpm_route *r = longest_over(t, family, addr, d, above);

	return r ? r->leaf : fallback;
}

/* The routes of b longer than `longer` bits under addr's first d bits,
 * in address order in a new array (*n of them), or NULL. */
static struct lpm_route *routes_under(const struct rvec *b, const uint8_t *addr, int d,
				      int longer, uint32_t *n)
{
	uint32_t lo, hi, i;
	struct lpm_route *sub;

	rvec_range(b, addr, d, &lo, &hi);
	sub = malloc(sizeof(*sub) * (hi > lo ? hi - lo : 1));
	*n = 0;
	for (i = lo; sub && i < hi; i++)
		if (b->r[i].prefixlen > longer)
			sub[(*n)++] = b->r[i];
	return sub;
}

/* A change of key, d + 8 bits long or shorter, under the live chunk c at
 * depth d that stays a chunk (cover: the chunk's own): only the entries
 * key spans can differ, in their leaf (the routes that end in the chunk)
 * and in what lies under them; each is made right in turn. A /24 added
 * over a /16 of 65,536 host routes then touches its 256, not the 65,536
 * (a build of those took 8 ms). */
static int patch_span(struct lpm *t, uint32_t c, const struct lpm_route *key, int d,
		      uint32_t cover)
{
	const struct rvec *b = &t->below[root_index(key->family, key->addr)];
	uint32_t span = 1u << (d + 8 - key->prefixlen);
	uint32_t first = key->addr[d / 8] & ~(span - 1), i, k = 0, n;
	/* Those under the entries, in address order: by entry. */
	struct lpm_route *sub = routes_under(b, key->addr, key->prefixlen, d + 8, &n);
	int err = 0;

	if (!sub)
		return -ENOMEM;
	for (i = first; i < first + span && !err; i++) {
		uint32_t m = k;
		uint8_t a[16];

		while (m < n && sub[m].addr[d / 8] == i)
			m++;
		memcpy(a, key->addr, 16);	/* zero past key's length */
		a[d / 8] = i;
		err = lpm_patch_top(t, &t->node[c].entry[i], sub + k, m - k, d + 8,
				cover_at(t, key->family, a, d + 8, d, cover), COST_UNKNOWN);
		k = m;
	}
	free(sub);
	return err;
}

/* After a change of route key (longer than /16): patches the smallest
 * subtree that changes shape, below the deepest entry on key's path that
 * stays a chunk (more than ECMP_LPM_TAIL_ROUTES routes under it) with key
 * entirely under one of its entries: a tail, most often, rather than the
 * root entry's whole subtree (less to build, and less room needed while
 * old and new both exist); where key ends in that chunk, the entries it
 * spans. The routes under each entry on the way are a range of the root
 * entry's sorted routes, found by binary search: a change costs what lies
 * under what it patches, not what lies under its /16 (65,536 host routes
 * in one /16 made each change 1.2 ms). The trie stays exactly what a
 * whole build makes (lpm_attach() checks that). */
static int rebuild_at(struct lpm *t, const struct lpm_route *key)
{
	uint32_t idx = root_index(key->family, key->addr), *e, cover, n, lo, hi;
	const struct rvec *b = &t->below[idx];
	struct lpm_route *sub;
	int d = ECMP_LPM_ROOT_BITS, err;

	if (t->bulk)
		return lpm_rebuild(t, idx);
	/* Down while the entry is a chunk that stays one and key lies under
	 * one of its entries. */
	e = &t->root[idx / ECMP_LPM_CHUNK].entry[idx % ECMP_LPM_CHUNK];
	lo = 0;
	hi = b->n;
	while (is_child(*e) && key->prefixlen > d + 8 && stays_chunk(b, lo, hi, d)) {
		e = &t->node[*e & ~ECMP_LPM_CHILD].entry[key->addr[d / 8]];
		d += 8;
		rvec_range(b, key->addr, d, &lo, &hi);
	}
	/* The entry stands for key's first d bits; its cover is the longest
	 * route of at most d bits over it, or the root entry's. */
	cover = cover_at(t, key->family, key->addr, d, ECMP_LPM_ROOT_BITS, t->root_cover[idx]);
	if (key->prefixlen <= d + 8 && is_child(*e) && stays_chunk(b, lo, hi, d))
		return patch_span(t, *e & ~ECMP_LPM_CHILD, key, d, cover);
	if (d == ECMP_LPM_ROOT_BITS)
		return lpm_rebuild(t, idx);
	sub = routes_under(b, key->addr, d, d, &n);
	if (!sub)
		return -ENOMEM;
	err = lpm_patch_top(t, e, sub, n, d, cover, COST_UNKNOWN);
	free(sub);
	return err;
}

void lpm_bulk_begin(struct lpm *t)
{
	t->bulk = 1;
}

void lpm_rvec_refresh(struct lpm *t, struct rvec *v);

struct dirty_order {
	uint32_t idx;
	int64_t grow;		/* new cost - old cost */
	uint64_t cost;		/* new cost */
};

static int by_growth(const void *a, const void *b)
{
	int64_t x = ((const struct dirty_order *)a)->grow, y = ((const struct dirty_order *)b)->grow;

	return x < y ? -1 : x > y;
}

/* The root entries that shrink first, then those that grow (and within a
 * chunk that stays, its entries so too): old and new then never need more
 * room together than the larger of the two tables and one part being
 * built. */
int lpm_bulk_end(struct lpm *t)
{
	struct dirty_order *o = malloc(sizeof(*o) * (t->ndirty ? t->ndirty : 1));
	struct lpm_route *copy = NULL;
	uint32_t i, cap = 0;
	struct tally x;
	int err = 0, e;

	t->bulk = 0;
	for (i = 0; i < t->ndirty; i++)
		lpm_rvec_refresh(t, &t->below[t->dirty_list[i]]);
	for (i = 0; o && i < t->ndirty; i++) {
		uint32_t idx = t->dirty_list[i], n = t->below[idx].n;

		if (n > cap) {
			struct lpm_route *m = realloc(copy, sizeof(*m) * n);

			if (!m) {
				free(o);
				o = NULL;
				break;
			}
			copy = m;
			cap = n;
		}
		if (n)
			memcpy(copy, t->below[idx].r, sizeof(*copy) * n);
		o[i].idx = idx;
		memset(&x, 0, sizeof(x));
		lpm_build_tally(copy, n, ECMP_LPM_ROOT_BITS, t->root_cover[idx], &x);
		o[i].cost = lpm_tally_cost(&x);
		o[i].grow = (int64_t)o[i].cost -
			    (int64_t)lpm_live_cost(t, t->root[idx / ECMP_LPM_CHUNK].entry[idx % ECMP_LPM_CHUNK]);
	}
	free(copy);
	if (o)		/* else in the order they came: slower to fit, as right */
		qsort(o, t->ndirty, sizeof(*o), by_growth);
	for (i = 0; i < t->ndirty; i++) {
		uint32_t idx = o ? o[i].idx : t->dirty_list[i];

		t->dirty[idx] = 0;
		e = lpm_rebuild_costed(t, idx, o ? o[i].cost : COST_UNKNOWN);
		if (e && !err)
			err = e;
	}
	free(o);
	t->ndirty = 0;
	return err;
}

/* By root entry, then prefix: duplicates end up side by side. */
static int root_prefix_cmp(const void *a, const void *b)
{
	const struct lpm_route *x = a, *y = b;
	uint32_t i = root_index(x->family, x->addr), j = root_index(y->family, y->addr);

	if (i != j)
		return i < j ? -1 : 1;
	if (x->prefixlen != y->prefixlen)
		return (int)x->prefixlen - y->prefixlen;
	return memcmp(x->addr, y->addr, 16);
}

struct ordered_route {
	struct lpm_route r;
	uint32_t order;		/* its place in the table: the last one wins */
};

static int ordered_cmp(const void *a, const void *b)
{
	const struct ordered_route *x = a, *y = b;
	int c = root_prefix_cmp(&x->r, &y->r);

	return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

/* A fresh build fills each page of slots before it starts another, so the
 * table takes its chunks and, for each kind of slot, its slots in whole
 * pages. A root entry's subtree depends on its cover (the runs its chunks
 * make), so the routes of /16 and shorter are laid out first. The same
 * prefix twice counts once, with the later leaf, as lpm_add() would. */
int lpm_chunks_for(const struct lpm_route *r, uint32_t n, uint32_t *chunks)
{
	struct ordered_route *o = malloc(sizeof(*o) * (n ? n : 1));
	uint32_t *cover = calloc(ROOT_ENTRIES, sizeof(uint32_t));
	uint8_t *depth = calloc(ROOT_ENTRIES, 1);
	uint32_t *start = calloc(ROOT_ENTRIES + 1, sizeof(uint32_t));
	struct lpm_route *deep = (struct lpm_route *)o;
	struct tally x = { 0 };
	uint64_t total;
	uint32_t i, m = 0, k;
	int err = 0;

	if (!o || !cover || !depth || !start) {
		err = -ENOMEM;
		goto out;
	}
	/* By root entry first with a counting sort (one pass to count, one
	 * to place, in table order), then each entry's few routes by prefix:
	 * a sort of the whole table at once was most of this function. */
	for (i = 0; i < n; i++) {
		struct lpm_route x = r[i];

		if (!lpm_route_valid(x.family, x.prefixlen) || x.leaf == ECMP_LPM_NONE ||
		    (x.leaf & ECMP_LPM_CHILD)) {
			err = -EINVAL;
			goto out;
		}
		lpm_mask(x.addr, x.family, x.prefixlen);
		start[root_index(x.family, x.addr) + 1]++;
	}
	for (i = 0; i < ROOT_ENTRIES; i++)
		start[i + 1] += start[i];
	for (i = 0; i < n; i++) {
		struct lpm_route x = r[i];
		uint32_t at;

		lpm_mask(x.addr, x.family, x.prefixlen);
		at = start[root_index(x.family, x.addr)]++;
		o[at].r = x;
		o[at].order = i;
	}
	/* start[e] is now where entry e + 1 begins. */
	for (i = 0; i < ROOT_ENTRIES; i++) {
		uint32_t first = i ? start[i - 1] : 0;

		if (start[i] - first > 1)
			qsort(o + first, start[i] - first, sizeof(*o), ordered_cmp);
	}
	for (i = k = 0; i < n; i++) {	/* the same prefix twice: the last */
		if (k && !root_prefix_cmp(&o[k - 1].r, &o[i].r))
			k--;
		o[k++] = o[i];
	}
	/* Covers: the longest short route over each root entry. */
	for (i = 0; i < k; i++) {
		uint32_t first, count, e;

		if (o[i].r.prefixlen > ECMP_LPM_ROOT_BITS)
			continue;
		lpm_root_range(&o[i].r, &first, &count);
		for (e = first; e < first + count; e++)
			if (depth[e] <= o[i].r.prefixlen) {
				depth[e] = o[i].r.prefixlen + 1;
				cover[e] = o[i].r.leaf;
			}
	}
	/* The longer routes, packed in place (still in root entry order). */
	for (i = 0; i < k; i++)
		if (o[i].r.prefixlen > ECMP_LPM_ROOT_BITS) {
			struct lpm_route x = o[i].r;

			deep[m++] = x;
		}
	for (i = 0; i < m;) {
		uint32_t idx = root_index(deep[i].family, deep[i].addr), j = i;

		while (j < m && root_index(deep[j].family, deep[j].addr) == idx)
			j++;
		lpm_build_tally(deep + i, j - i, ECMP_LPM_ROOT_BITS, cover[idx], &x);
		i = j;
	}
	total = x.chunks;
	for (i = 0; i < KINDS; i++)
		total += (x.slots[i] + slots_per_page[i] - 1) / slots_per_page[i];
	*chunks = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
out:
	free(o);
	free(cover);
	free(depth);
	free(start);
	return err;
}

/* ---- routes ---- */

void lpm_mask(uint8_t *addr, uint8_t family, uint8_t prefixlen)
{
	int len = addr_len(family), i;

	for (i = 0; i < len; i++) {
		int bits = (int)prefixlen - i * 8;

		if (bits >= 8)
			continue;
		addr[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

int lpm_inside(uint8_t family, const uint8_t *addr, uint8_t prefixlen,
	       uint8_t net_family, const uint8_t *net_addr, uint8_t net_len)
{
	uint8_t a[16];

	if (family != net_family || prefixlen < net_len)
		return 0;
	memcpy(a, addr, sizeof(a));
	lpm_mask(a, family, net_len);
	return !memcmp(a, net_addr, addr_len(family));
}

int lpm_route_valid(uint8_t family, uint8_t plen)
{
	int len = addr_len(family);

	return len && plen <= len * 8;
}

int lpm_rvec_append(struct rvec *v, const struct lpm_route *r)
{
	if (v->n == v->cap) {
		uint32_t cap = v->cap ? 2 * v->cap : 4;
		struct lpm_route *m = realloc(v->r, sizeof(*m) * cap);

		if (!m)
			return -ENOMEM;
		v->r = m;
		v->cap = cap;
	}
	v->r[v->n++] = *r;
	return 0;
}

/* Out of bulk mode: key's route put in its place in v, or its leaf
 * replaced. 0 or -ENOMEM (v unchanged). */
static int rvec_put(struct rvec *v, const struct lpm_route *r)
{
	uint32_t i = rvec_lower(v, r);

	if (i < v->n && !addr_order(&v->r[i], r)) {
		v->r[i].leaf = r->leaf;
		return 0;
	}
	if (lpm_rvec_append(v, r))	/* room for one more */
		return -ENOMEM;
	memmove(&v->r[i + 1], &v->r[i], sizeof(*v->r) * (v->n - 1 - i));
	v->r[i] = *r;
	v->sorted = v->n;
	return 0;
}

/* Out of bulk mode: key's route taken out of v, if there. */
static void rvec_del(struct rvec *v, const struct lpm_route *r)
{
	uint32_t i = rvec_lower(v, r);

	if (i < v->n && !addr_order(&v->r[i], r)) {
		memmove(&v->r[i], &v->r[i + 1], sizeof(*v->r) * (v->n - 1 - i));
		v->sorted = --v->n;
	}
}

/* The sorted runs r[a..mid) and r[mid..end) merged into out[a..end),
 * those of the second after those of the first for one prefix. */
static void merge_runs(const struct lpm_route *r, uint32_t a, uint32_t mid, uint32_t end,
		       struct lpm_route *out)
{
	uint32_t b = mid, k = a;

	while (a < mid && b < end)
		out[k++] = addr_order(&r[b], &r[a]) < 0 ? r[b++] : r[a++];
	while (a < mid)
		out[k++] = r[a++];
	while (b < end)
		out[k++] = r[b++];
}

/* Sorts r[0..n) by addr_order, routes with one prefix kept in the order
 * they came (the later wins), with tmp (n routes) for scratch. */
static void sort_stable(struct lpm_route *r, struct lpm_route *tmp, uint32_t n)
{
	uint32_t w, i;

	for (w = 1; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w)
			merge_runs(r, i, i + w < n ? i + w : n, i + 2 * w < n ? i + 2 * w : n, tmp);
		memcpy(r, tmp, sizeof(*r) * n);
	}
}

/* r[0..n) sorted, routes with one prefix in the order they came: the
 * last of each prefix kept, removals dropped, in place. How many stay. */
static uint32_t keep_last(struct lpm_route *r, uint32_t n)
{
	uint32_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (k && !addr_order(&r[k - 1], &r[i]))
			r[k - 1] = r[i];
		else
			r[k++] = r[i];
	}
	for (i = n = 0; i < k; i++)
		if (r[i].leaf != ECMP_LPM_NONE)
			r[n++] = r[i];
	return n;
}

void lpm_rvec_refresh(struct lpm *t, struct rvec *v)
{
	uint32_t before = v->sorted, added = v->n - v->sorted, n;
	struct lpm_route *out = added ? malloc(sizeof(*out) * v->n) : NULL;

	if (out) {
		sort_stable(v->r + v->sorted, out, added);
		merge_runs(v->r, 0, v->sorted, v->n, out);	/* the appended after */
		free(v->r);
		v->r = out;
		v->cap = v->n;
	} else if (added) {
		/* No memory for the merge: an insertion sort, as stable, in
		 * place (each appended route moves past the sorted ones). */
		uint32_t i, j;

		for (i = v->sorted; i < v->n; i++) {
			struct lpm_route x = v->r[i];

			for (j = i; j > 0 && addr_order(&v->r[j - 1], &x) > 0; j--)
				v->r[j] = v->r[j - 1];
			v->r[j] = x;
		}
	}
	n = keep_last(v->r, v->n);
	v->n = v->sorted = n;
	t->nlong += n - before;
	/* A bulk load's doublings leave up to half its room unused. */
	if (!n) {
		free(v->r);
		v->r = NULL;
		v->cap = 0;
	} else if (n < v->cap / 2) {
		struct lpm_route *m = realloc(v->r, sizeof(*m) * n);

		if (m) {
			v->r = m;
			v->cap = n;
		}
	}
}

/* The root entries a route of /16 or shorter covers. */
void lpm_root_range(const struct lpm_route *r, uint32_t *first, uint32_t *count)
{
	uint32_t span = 1u << (ECMP_LPM_ROOT_BITS - r->prefixlen);

	*first = root_index(r->family, r->addr) & ~(span - 1);
	*count = span;
}

/* Sets the cover of the root entries in a short route's range whose cover
 * is from depth `from` or shorter (add) or exactly `from` (del). */
static int set_covers(struct lpm *t, const struct lpm_route *r, uint32_t leaf,
		      uint8_t depth, uint8_t from, int exact)
{
	uint32_t first, count, i;
	int err = 0, e;

	lpm_root_range(r, &first, &count);
	for (i = first; i < first + count; i++) {
		if (exact ? t->root_depth[i] != from : t->root_depth[i] > from)
			continue;
		t->root_cover[i] = leaf;
		t->root_depth[i] = depth;
		e = lpm_rebuild(t, i);
		if (e && !err)
			err = e;
	}
	return err;
}

int lpm_add(struct lpm *t, const struct lpm_route *r)
{
	struct lpm_route key = *r, prev;
	struct lpm_route *cur;
	struct rvec *v;
	int err;

	if (!lpm_route_valid(r->family, r->prefixlen) || r->leaf == ECMP_LPM_NONE ||
	    (r->leaf & ECMP_LPM_CHILD))
		return -EINVAL;
	lpm_mask(key.addr, key.family, key.prefixlen);
	if (key.prefixlen <= ECMP_LPM_ROOT_BITS) {
		err = route_set_put(t->shorts, &key);
		/* Depth 0 means "no route" as well as "/0": lengths + 1. */
		return err ? err : set_covers(t, &key, key.leaf, key.prefixlen + 1,
					      key.prefixlen + 1, 0);
	}
	v = &t->below[root_index(key.family, key.addr)];
	cur = rvec_find(v, &key, 0);
	if (t->bulk) {
		/* One of the sorted routes changes where it is (a removal
		 * undone too); any other is appended and sorted at the end: a
		 * look through the appended ones for each would make a /16 of
		 * 65,536 host routes quadratic. */
		if (cur)
			cur->leaf = key.leaf;
		else if (lpm_rvec_append(v, &key))
			return -ENOMEM;
		return rebuild_at(t, &key);
	}
	prev = cur ? *cur : key;
	err = rvec_put(v, &key);
	if (err)
		return err;
	t->nlong += !cur;
	err = rebuild_at(t, &key);
	if (err) {	/* as it was */
		if (cur) {
			rvec_put(v, &prev);	/* a leaf, in place */
		} else {
			rvec_del(v, &key);
			t->nlong--;
		}
	}
	return err;
}

int lpm_del(struct lpm *t, uint8_t family, const uint8_t *addr,
	    uint8_t prefixlen)
{
	struct lpm_route key = { .family = family, .prefixlen = prefixlen };
	const struct lpm_route *hit;
	struct lpm_route *cur, gone;
	struct rvec *v;
	int err;

	if (!lpm_route_valid(family, prefixlen))
		return -EINVAL;
	memcpy(key.addr, addr, addr_len(family));
	lpm_mask(key.addr, family, prefixlen);
	if (prefixlen <= ECMP_LPM_ROOT_BITS) {
		if (route_set_del(t->shorts, &key))
			return -ENOENT;
		/* What the covered entries fall back to: the next shorter route. */
		hit = longest_over(t, family, key.addr, (int)prefixlen - 1, -1);
		return set_covers(t, &key, hit ? hit->leaf : ECMP_LPM_NONE,
				  hit ? hit->prefixlen + 1 : 0, prefixlen + 1, 1);
	}
	v = &t->below[root_index(family, key.addr)];
	cur = rvec_find(v, &key, t->bulk);
	if (!cur || cur->leaf == ECMP_LPM_NONE)
		return -ENOENT;
	if (t->bulk) {
		cur->leaf = ECMP_LPM_NONE;	/* dropped at the end */
		return rebuild_at(t, &key);
	}
	gone = *cur;
	rvec_del(v, &key);
	t->nlong--;
	err = rebuild_at(t, &key);
	if (err) {	/* no room for the smaller subtree: as it was */
		rvec_put(v, &gone);	/* into the room it left */
		t->nlong++;
	}
	return err;
}

int lpm_get(const struct lpm *t, uint8_t family, const uint8_t *addr,
	    uint8_t prefixlen, struct lpm_route *out)
{
	struct lpm_route key = { .family = family, .prefixlen = prefixlen };
	const struct lpm_route *r;

	if (!addr_len(family))
		return -EINVAL;
	memcpy(key.addr, addr, addr_len(family));
	lpm_mask(key.addr, family, prefixlen);
	r = find_route(t, &key);
	if (!r)
		return -ENOENT;
	*out = *r;
	return 0;
}

void lpm_prefetch(const struct lpm *t, const struct lpm_route *r)
{
	if (r->prefixlen <= ECMP_LPM_ROOT_BITS)
		route_set_prefetch(t->shorts, r);
	else
		__builtin_prefetch(&t->below[root_index(r->family, r->addr)]);
}

uint32_t lpm_route_count(const struct lpm *t)
{
	return route_set_count(t->shorts) + t->nlong;
}
