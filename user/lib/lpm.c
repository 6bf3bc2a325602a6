// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Multibit trie builder (controlled prefix expansion). Level 0 is indexed by
 * the first 16 address bits, each deeper level by one more byte. Every entry
 * holds a leaf or a child pointer; user space also keeps, per entry, the
 * prefix length of the route whose leaf is there ("depth"), which is what
 * decides whether a new route may overwrite it and what a removal restores.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lpm.h"
#include "rcu.h"

#define ROOT_ENTRIES	(ECMP_LPM_ROOT_CHUNKS * ECMP_LPM_CHUNK)

struct lpm {
	struct ecmp_lpm_chunk *root;
	struct ecmp_lpm_chunk *node;
	uint32_t nchunks;
	uint8_t *root_depth;		/* ROOT_ENTRIES */
	uint8_t *node_depth;		/* nchunks * 256 */
	uint32_t *free_list;		/* usable now */
	uint32_t nfree;
	uint32_t *pending;		/* unlinked, awaiting a grace period */
	uint32_t npending;
	struct route_set *routes;
};

static void store_entry(uint32_t *e, uint32_t v)
{
	__atomic_store_n(e, v, __ATOMIC_RELEASE);
}

static struct lpm *lpm_alloc(struct ecmp_lpm_chunk *root,
			     struct ecmp_lpm_chunk *node, uint32_t nchunks)
{
	struct lpm *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->root = root;
	t->node = node;
	t->nchunks = nchunks;
	t->root_depth = calloc(ROOT_ENTRIES, 1);
	t->node_depth = calloc((size_t)nchunks * ECMP_LPM_CHUNK, 1);
	t->free_list = calloc(nchunks ? nchunks : 1, sizeof(uint32_t));
	t->pending = calloc(nchunks ? nchunks : 1, sizeof(uint32_t));
	t->routes = route_set_new();
	if (!t->root_depth || !t->node_depth || !t->free_list || !t->pending ||
	    !t->routes) {
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
	if (!t)
		return;
	free(t->root_depth);
	free(t->node_depth);
	free(t->free_list);
	free(t->pending);
	route_set_free(t->routes);
	free(t);
}

static int alloc_chunk(struct lpm *t, uint32_t *out)
{
	if (!t->nfree && t->npending) {
		/* Every program that could have seen a pending chunk ran under
		 * rcu_read_lock(); this returns after all of them finished. On
		 * a single CPU nothing can be inside a program while we run. */
		rcu_wait_readers();
		memcpy(t->free_list, t->pending, t->npending * sizeof(uint32_t));
		t->nfree = t->npending;
		t->npending = 0;
	}
	if (!t->nfree)
		return -ENOSPC;
	*out = t->free_list[--t->nfree];
	return 0;
}

static void release_chunk(struct lpm *t, uint32_t c)
{
	t->pending[t->npending++] = c;
}

static uint32_t *entry_at(struct lpm *t, uint32_t chunk_is_node, uint32_t idx,
			  uint8_t **depth)
{
	if (chunk_is_node) {
		*depth = &t->node_depth[idx];
		return &t->node[idx / ECMP_LPM_CHUNK].entry[idx % ECMP_LPM_CHUNK];
	}
	*depth = &t->root_depth[idx];
	return &t->root[idx / ECMP_LPM_CHUNK].entry[idx % ECMP_LPM_CHUNK];
}

/* Puts (leaf, plen) into an entry and, through child chunks, into every
 * entry below it whose current route is not more specific. */
static void spread_leaf(struct lpm *t, uint32_t *e, uint8_t *depth,
			uint32_t leaf, uint8_t plen)
{
	uint32_t v = *e;

	if (v & ECMP_LPM_CHILD) {
		uint32_t c = v & ~ECMP_LPM_CHILD, i;

		for (i = 0; i < ECMP_LPM_CHUNK; i++)
			spread_leaf(t, &t->node[c].entry[i],
				    &t->node_depth[c * ECMP_LPM_CHUNK + i],
				    leaf, plen);
		return;
	}
	if (*depth <= plen) {
		store_entry(e, leaf);
		*depth = plen;
	}
}

/* A chunk whose 256 entries are one leaf of one route that covers the whole
 * chunk adds nothing: fold it into the entry that links it. bits is the
 * prefix length that entry stands for. (Two sibling routes with one leaf
 * can also make a chunk uniform; it must stay, or they could not be
 * removed one by one.) */
static void try_collapse(struct lpm *t, uint32_t *e, uint8_t *depth,
			 uint32_t bits)
{
	uint32_t c = *e & ~ECMP_LPM_CHILD, i, v0;
	uint8_t d0;

	if (!(*e & ECMP_LPM_CHILD))
		return;
	v0 = t->node[c].entry[0];
	d0 = t->node_depth[c * ECMP_LPM_CHUNK];
	if ((v0 & ECMP_LPM_CHILD) || d0 > bits + 1)
		return;
	for (i = 1; i < ECMP_LPM_CHUNK; i++)
		if (t->node[c].entry[i] != v0 ||
		    t->node_depth[c * ECMP_LPM_CHUNK + i] != d0)
			return;
	store_entry(e, v0);
	*depth = d0;
	release_chunk(t, c);
}

/* Replaces the leaf of exactly-this-route (depth == plen) below an entry
 * that stands for a /bits prefix with the covering route's leaf. */
static void unspread_leaf(struct lpm *t, uint32_t *e, uint8_t *depth,
			  uint32_t bits, uint8_t plen, uint32_t leaf,
			  uint8_t cover_len)
{
	uint32_t v = *e;

	if (v & ECMP_LPM_CHILD) {
		uint32_t c = v & ~ECMP_LPM_CHILD, i;

		for (i = 0; i < ECMP_LPM_CHUNK; i++)
			unspread_leaf(t, &t->node[c].entry[i],
				      &t->node_depth[c * ECMP_LPM_CHUNK + i],
				      bits + 8, plen, leaf, cover_len);
		try_collapse(t, e, depth, bits);
		return;
	}
	if (*depth == plen) {
		store_entry(e, leaf);
		*depth = cover_len;
	}
}

static int addr_len(uint8_t family)
{
	return family == ECMP_AF_INET ? 4 : family == ECMP_AF_INET6 ? 16 : 0;
}

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

/* The entries a prefix covers at the level where it ends, as a range of
 * (is_node, first index, count), plus the path of child entries above it.
 * mode 1 (add) creates missing children; mode 0 (del) fails with -ENOENT. */
struct lpm_path {
	uint32_t *e[16];
	uint8_t *d[16];
	int n;
	int is_node;
	uint32_t first, count;
};

static int find_range(struct lpm *t, uint8_t family, const uint8_t *addr,
		      uint8_t plen, int create, struct lpm_path *p)
{
	uint32_t fam = family == ECMP_AF_INET6 ? 1 : 0;
	uint32_t idx = fam * 65536 + ((uint32_t)addr[0] << 8 | addr[1]);
	uint32_t *e;
	uint8_t *d;
	int i;

	p->n = 0;
	if (plen <= ECMP_LPM_ROOT_BITS) {
		uint32_t span = 1u << (ECMP_LPM_ROOT_BITS - plen);

		p->is_node = 0;
		p->first = idx & ~(span - 1);
		p->count = span;
		return 0;
	}
	e = entry_at(t, 0, idx, &d);
	for (i = 2; ; i++) {
		uint32_t c, bits_here;

		if (!(*e & ECMP_LPM_CHILD)) {
			uint32_t k, v = *e;
			int err;

			if (!create)
				return -ENOENT;
			err = alloc_chunk(t, &c);
			if (err)
				return err;
			for (k = 0; k < ECMP_LPM_CHUNK; k++) {
				t->node[c].entry[k] = v;
				t->node_depth[c * ECMP_LPM_CHUNK + k] = *d;
			}
			/* Filled first, linked last (release store). */
			store_entry(e, ECMP_LPM_CHILD | c);
		}
		p->e[p->n] = e;
		p->d[p->n] = d;
		p->n++;
		c = *e & ~ECMP_LPM_CHILD;
		bits_here = 8 * (i + 1);
		if (plen <= bits_here) {
			uint32_t span = 1u << (bits_here - plen);

			p->is_node = 1;
			p->first = c * ECMP_LPM_CHUNK + (addr[i] & ~(span - 1));
			p->count = span;
			return 0;
		}
		e = entry_at(t, 1, c * ECMP_LPM_CHUNK + addr[i], &d);
	}
}

static int route_valid(uint8_t family, uint8_t plen)
{
	int len = addr_len(family);

	return len && plen <= len * 8;
}

int lpm_add(struct lpm *t, const struct lpm_route *r)
{
	struct lpm_route key = *r;
	struct lpm_path p;
	uint32_t i;
	int err;

	if (!route_valid(r->family, r->prefixlen) || r->leaf == ECMP_LPM_NONE ||
	    (r->leaf & ECMP_LPM_CHILD))
		return -EINVAL;
	lpm_mask(key.addr, key.family, key.prefixlen);
	err = route_set_put(t->routes, &key);
	if (err)
		return err;
	/* Depth 0 means "no route" as well as "/0"; store lengths + 1. */
	err = find_range(t, key.family, key.addr, key.prefixlen, 1, &p);
	if (err) {
		route_set_del(t->routes, &key);
		return err;
	}
	for (i = 0; i < p.count; i++) {
		uint8_t *d;
		uint32_t *e = entry_at(t, p.is_node, p.first + i, &d);

		spread_leaf(t, e, d, key.leaf, key.prefixlen + 1);
	}
	return 0;
}

int lpm_del(struct lpm *t, uint8_t family, const uint8_t *addr,
	    uint8_t prefixlen)
{
	struct lpm_route key = { .family = family, .prefixlen = prefixlen };
	struct lpm_route cover;
	uint32_t cover_leaf = ECMP_LPM_NONE, i;
	uint8_t cover_depth = 0;
	struct lpm_path p;
	int l, err;

	if (!route_valid(family, prefixlen))
		return -EINVAL;
	memcpy(key.addr, addr, addr_len(family));
	lpm_mask(key.addr, family, prefixlen);
	if (!route_set_get(t->routes, &key))
		return -ENOENT;

	/* What the covered addresses fall back to: the next shorter route. */
	for (l = (int)prefixlen - 1; l >= 0; l--) {
		cover = key;
		cover.prefixlen = l;
		lpm_mask(cover.addr, family, l);
		if (route_set_get(t->routes, &cover)) {
			cover_leaf = route_set_get(t->routes, &cover)->leaf;
			cover_depth = l + 1;
			break;
		}
	}

	err = find_range(t, family, key.addr, prefixlen, 0, &p);
	if (err)
		return err;	/* route set and trie disagree: a bug */
	for (i = 0; i < p.count; i++) {
		uint8_t *d;
		uint32_t *e = entry_at(t, p.is_node, p.first + i, &d);

		unspread_leaf(t, e, d, ECMP_LPM_ROOT_BITS + 8 * p.n,
			      prefixlen + 1, cover_leaf, cover_depth);
	}
	/* Fold chunks on the path that became uniform, deepest first. */
	for (l = p.n - 1; l >= 0; l--)
		try_collapse(t, p.e[l], p.d[l], ECMP_LPM_ROOT_BITS + 8 * l);
	route_set_del(t->routes, &key);
	return 0;
}

uint32_t lpm_walk(const struct ecmp_lpm_chunk *root,
		  const struct ecmp_lpm_chunk *node, uint32_t nchunks,
		  uint8_t family, const uint8_t *addr)
{
	int len = addr_len(family), i;
	uint32_t v;

	if (!len)
		return ECMP_LPM_NONE;
	v = __atomic_load_n(&root[(family == ECMP_AF_INET6 ? 256 : 0) + addr[0]]
				     .entry[addr[1]], __ATOMIC_ACQUIRE);
	for (i = 2; i < len && (v & ECMP_LPM_CHILD); i++) {
		uint32_t c = v & ~ECMP_LPM_CHILD;

		if (c >= nchunks)
			return ECMP_LPM_NONE;
		v = __atomic_load_n(&node[c].entry[addr[i]], __ATOMIC_ACQUIRE);
	}
	return (v & ECMP_LPM_CHILD) ? ECMP_LPM_NONE : v;
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
	r = route_set_get(t->routes, &key);
	if (!r)
		return -ENOENT;
	*out = *r;
	return 0;
}

uint32_t lpm_route_count(const struct lpm *t)
{
	return route_set_count(t->routes);
}

uint32_t lpm_chunks_used(const struct lpm *t)
{
	return t->nchunks - t->nfree - t->npending;
}

int lpm_for_each(const struct lpm *t,
		 int (*fn)(const struct lpm_route *r, void *arg), void *arg)
{
	return route_set_for_each(t->routes, fn, arg);
}

/* The leaf and depth that the routes give an entry standing for the /bits
 * prefix of addr: the longest route of at most bits that covers it. */
static void expected_entry(const struct lpm *t, uint8_t family,
			   const uint8_t *addr, int bits, uint32_t *leaf,
			   uint8_t *depth)
{
	int l;

	for (l = bits; l >= 0; l--) {
		struct lpm_route key = { .family = family, .prefixlen = l };
		const struct lpm_route *r;

		memcpy(key.addr, addr, 16);
		lpm_mask(key.addr, family, l);
		r = route_set_get(t->routes, &key);
		if (r) {
			*leaf = r->leaf;
			*depth = l + 1;
			return;
		}
	}
	*leaf = ECMP_LPM_NONE;
	*depth = 0;
}

/* Walks the entries of a chunk (or the root range) and their children,
 * marking used chunks and filling depths. Returns -1 on a bad link. */
static int adopt_entry(struct lpm *t, uint32_t *e, uint8_t *d, uint8_t family,
		       uint8_t *addr, int byte, uint8_t *used,
		       uint32_t *repaired)
{
	int bits = 8 * (byte + 1);	/* the prefix this entry stands for */
	uint32_t v = *e;

	if (v & ECMP_LPM_CHILD) {
		uint32_t c = v & ~ECMP_LPM_CHILD, i;
		uint32_t leaf;
		uint8_t depth;

		if (c >= t->nchunks || used[c] || byte + 1 >= (family == ECMP_AF_INET ? 4 : 16))
			return -1;
		used[c] = 1;
		/* The depth of a linked entry is what its chunk inherited. */
		expected_entry(t, family, addr, bits, &leaf, &depth);
		*d = depth;
		for (i = 0; i < ECMP_LPM_CHUNK; i++) {
			addr[byte + 1] = i;
			if (adopt_entry(t, &t->node[c].entry[i],
					&t->node_depth[c * ECMP_LPM_CHUNK + i], family,
					addr, byte + 1, used, repaired))
				return -1;
		}
		addr[byte + 1] = 0;
		return 0;
	}
	{
		uint32_t leaf;
		uint8_t depth;

		expected_entry(t, family, addr, bits, &leaf, &depth);
		*d = depth;
		if (v != leaf) {
			store_entry(e, leaf);
			(*repaired)++;
		}
	}
	return 0;
}

struct lpm *lpm_attach(struct ecmp_lpm_chunk *root, struct ecmp_lpm_chunk *node,
		       uint32_t nchunks, const struct lpm_route *routes,
		       uint32_t nroutes, uint32_t *repaired)
{
	struct lpm *t = lpm_alloc(root, node, nchunks);
	uint8_t *used = calloc(nchunks ? nchunks : 1, 1);
	uint32_t i;

	*repaired = 0;
	if (!t || !used)
		goto fail;
	for (i = 0; i < nroutes; i++) {
		struct lpm_route r = routes[i];

		lpm_mask(r.addr, r.family, r.prefixlen);
		if (route_set_put(t->routes, &r))
			goto fail;
	}
	for (i = 0; i < ECMP_LPM_ROOT_CHUNKS * ECMP_LPM_CHUNK; i++) {
		uint8_t addr[16] = { 0 }, family = i < 65536 ? ECMP_AF_INET : ECMP_AF_INET6;
		uint8_t *d;
		uint32_t *e = entry_at(t, 0, i, &d);

		addr[0] = (i >> 8) & 0xff;
		addr[1] = i & 0xff;
		if (adopt_entry(t, e, d, family, addr, 1, used, repaired))
			goto fail;
	}
	t->nfree = 0;
	for (i = nchunks; i-- > 0;)
		if (!used[i])
			t->free_list[t->nfree++] = i;
	free(used);
	return t;
fail:
	free(used);
	lpm_free(t);
	return NULL;
}
