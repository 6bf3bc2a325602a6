// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The watch on the trie builder's stores (lpm_watch.h): the trie memory,
 * what a lookup can reach in it now and since the last wait for readers,
 * and the checks around each store and wait that the builder, built with
 * ECMP_LPM_WATCH, hands over (lpm_int.h). Failures are the test harness's
 * CHECKs (test.h).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/lpm.h"
#include "lib/lpm_int.h"	/* the hooks, and how links are made */
#include "../test.h"
#include "lpm_watch.h"

/* The watch's own loops are no part of what a fuzzer (fuzz_lpm) should
 * explore: left out of its coverage, they cost it a tenth of the time. */
#if defined(__clang__)
#define WATCH_CODE __attribute__((no_sanitize("coverage")))
#else
#define WATCH_CODE
#endif

#define NCHUNKS		1024
#define NODE_WORDS	(NCHUNKS * ECMP_LPM_CHUNK)
#define NPROBES		256

static struct ecmp_lpm_chunk root[ECMP_LPM_ROOT_CHUNKS], node[NCHUNKS];
/* Both as they were at the last store or wait the test saw. */
static struct ecmp_lpm_chunk root_was[ECMP_LPM_ROOT_CHUNKS], node_was[NCHUNKS];
/* Per 32-bit word of node: reachable from the root now (reach), or at any
 * moment since the last wait for readers (held): a reader may be in it. */
static uint8_t reach[NODE_WORDS], held[NODE_WORDS];
#define ROOT_WORDS	ROOT_ENTRIES

struct probe {
	uint8_t family, addr[16];
	uint32_t root;		/* its root entry */
	uint32_t before, after;
};

static struct {
	int on;			/* a change is being watched */
	const char *change;	/* its name, for the messages */
	struct probe p[NPROBES];
	int np;
	long stores, waits;	/* all seen */
	long change_stores;	/* of this change */
} w;

/* What a link reaches in node, by 32-bit word, set to on in reach; when
 * on, held too, and the words' contents now become what they must keep
 * while held (a part is written before it is linked). -1: a link past the
 * pool. */
WATCH_CODE static int mark(uint32_t v, int on, int depth)
{
	uint32_t c, off, words, i;

	if (!(v & ECMP_LPM_CHILD))
		return 0;
	if (is_child(v)) {
		c = v & ~ECMP_LPM_CHILD;
		if (c >= NCHUNKS || depth > 16)
			return -1;
		off = 0;
		words = ECMP_LPM_CHUNK;
		for (i = 0; i < ECMP_LPM_CHUNK; i++)
			if (mark(node[c].entry[i], on, depth + 1))
				return -1;
	} else {	/* a slot: a run list or a tail */
		uint32_t size = is_runs(v) ? ECMP_LPM_RUNS_SIZE(ECMP_LPM_RUNS_CLASS(v)) :
					     sizeof(struct ecmp_lpm_tail);

		c = link_chunk(v);
		off = link_slot(v) * size;
		words = size / 4;
		if (c >= NCHUNKS || off + size > sizeof(node[0]))
			return -1;
	}
	i = c * ECMP_LPM_CHUNK + off / 4;
	memset(reach + i, on, words);
	if (on) {
		memset(held + i, 1, words);
		memcpy(&((uint32_t *)node_was)[i], &((uint32_t *)node)[i], words * 4);
	}
	return 0;
}

/* reach from the root, anew. */
WATCH_CODE static void mark_reachable(void)
{
	uint32_t i;

	memset(reach, 0, sizeof(reach));
	for (i = 0; i < ROOT_WORDS; i++)
		if (mark(root[i / ECMP_LPM_CHUNK].entry[i % ECMP_LPM_CHUNK], 1, 0))
			CHECK(0, "%s: root entry %u links past the pool", w.change, i);
}

/* Nothing a reader may be in changed but by the stores seen. The rest
 * of node is free, or being built: taken as it is now. The root (half a
 * MiB) only with_root, at the ends of changes and at waits. */
WATCH_CODE static void check_quiet(const char *when, int with_root)
{
	uint32_t *now = (uint32_t *)node, *was = (uint32_t *)node_was, i;

	if (with_root && memcmp(root, root_was, sizeof(root)))
		for (i = 0; i < ROOT_WORDS; i++)
			if (root[i / ECMP_LPM_CHUNK].entry[i % ECMP_LPM_CHUNK] !=
			    root_was[i / ECMP_LPM_CHUNK].entry[i % ECMP_LPM_CHUNK])
				CHECK(0, "%s, %s: root entry %u written, not stored", w.change,
				      when, i);
	for (i = 0; i < NODE_WORDS; i++) {
		if (i % ECMP_LPM_CHUNK == 0 &&
		    !memcmp(&node[i / ECMP_LPM_CHUNK], &node_was[i / ECMP_LPM_CHUNK],
			    sizeof(node[0]))) {
			i += ECMP_LPM_CHUNK - 1;	/* the whole chunk as it was */
			continue;
		}
		if (now[i] == was[i])
			continue;
		if (held[i])
			CHECK(0, "%s, %s: chunk %u word %u written while a lookup could read it (%s)",
			      w.change, when, i / ECMP_LPM_CHUNK, i % ECMP_LPM_CHUNK,
			      reach[i] ? "linked" : "unlinked, no wait for readers since");
		was[i] = now[i];
	}
}

enum { BEFORE_OR_AFTER, BEFORE, AFTER };

/* The probes under root entry root (all: ROOT_WORDS) answered from the
 * table before the change, after it, or either (want). */
WATCH_CODE static void check_probes(const char *when, int want, uint32_t root_entry)
{
	int i = 0, lo = 0, hi = w.np;

	if (root_entry != ROOT_WORDS) {	/* the first under it (w.p is sorted) */
		while (lo < hi) {
			int mid = (lo + hi) / 2;

			if (w.p[mid].root < root_entry)
				lo = mid + 1;
			else
				hi = mid;
		}
		i = lo;
	}
	for (; i < w.np; i++) {
		const struct probe *p = &w.p[i];
		uint32_t got;

		if (root_entry != ROOT_WORDS && p->root != root_entry)
			break;
		got = lpm_walk(root, node, NCHUNKS, p->family, p->addr);
		if ((want != AFTER && got == p->before) || (want != BEFORE && got == p->after))
			continue;
		CHECK(0, "%s, %s: family %u %02x%02x%02x%02x..: leaf %u, before %u, after %u",
		      w.change, when, p->family, p->addr[0], p->addr[1], p->addr[2],
		      p->addr[3], got, p->before, p->after);
	}
}

/* The whole check of quiet memory at every store of a small change; of a
 * large one (a default route's covers: thousands), at its powers of two
 * and every 4096th. */
static int full_check_due(long n)
{
	return n < 64 || !(n & (n - 1)) || !(n % 4096);
}

void lpm_watch_store(uint32_t *e, uint32_t v)
{
	uint32_t *n0 = (uint32_t *)node, *r0 = (uint32_t *)root, old = *e, at;

	if (!w.on) {
		__atomic_store_n(e, v, __ATOMIC_RELEASE);
		return;
	}
	w.stores++;
	if (full_check_due(++w.change_stores))
		check_quiet("before a store", 0);
	if (e >= n0 && e < n0 + NODE_WORDS) {
		at = e - n0;
		if (held[at] && !reach[at])
			CHECK(0, "%s: a store into chunk %u, unlinked with no wait for readers since",
			      w.change, at / ECMP_LPM_CHUNK);
		if (reach[at])	/* else built, not linked yet: any write goes */
			mark(old, 0, 0);
		__atomic_store_n(e, v, __ATOMIC_RELEASE);
		((uint32_t *)node_was)[at] = v;
		if (reach[at])
			mark(v, 1, 0);
		check_probes("after a store", BEFORE_OR_AFTER, ROOT_WORDS);
	} else if (e >= r0 && e < r0 + ROOT_WORDS) {
		at = e - r0;
		mark(old, 0, 0);
		__atomic_store_n(e, v, __ATOMIC_RELEASE);
		((uint32_t *)root_was)[at] = v;
		if (mark(v, 1, 0))
			CHECK(0, "%s: root entry %u links past the pool", w.change, at);
		check_probes("after a store", BEFORE_OR_AFTER, at);
	} else {
		CHECK(0, "%s: a store outside the trie", w.change);
	}
}

void lpm_watch_readers_gone(void)
{
	if (!w.on)
		return;
	w.waits++;
	check_quiet("before a wait for readers", 1);
	memcpy(held, reach, sizeof(held));
}

WATCH_CODE static int by_root(const void *a, const void *b)
{
	const struct probe *x = a, *y = b;

	return (x->root > y->root) - (x->root < y->root);
}

/* Probes for a change from before to after: addresses in the routes that
 * differ between them, and in others of both tables. */
WATCH_CODE static void probes_for(const struct lpm_ref *before, const struct lpm_ref *after,
		       unsigned long long *s)
{
	const struct lpm_ref *side[2] = { before, after };
	int i, k;

	w.np = 0;
	for (k = 0; k < 2; k++)
		for (i = 0; i < side[k]->n && w.np < NPROBES / 2; i++) {
			const struct lpm_route *r = &side[k]->r[i];
			int at = lpm_ref_find(side[!k], r);

			if (at >= 0 && side[!k]->r[at].leaf == r->leaf)
				continue;
			w.p[w.np].family = r->family;
			lpm_ref_addr_in(s, r, 1, w.p[w.np++].addr);
			w.p[w.np].family = r->family;
			lpm_ref_addr_in(s, r, 0, w.p[w.np++].addr);
		}
	while (w.np < NPROBES) {
		struct probe *p = &w.p[w.np++];
		const struct lpm_ref *ref = side[w.np & 1];

		if (ref->n && w.np % 3) {
			const struct lpm_route *r = &ref->r[test_rand(s) % ref->n];

			p->family = r->family;
			lpm_ref_addr_in(s, r, w.np % 5 == 0, p->addr);
		} else {
			p->family = (w.np & 2) ? ECMP_AF_INET6 : ECMP_AF_INET;
			lpm_ref_random_addr(s, p->family, p->addr);
		}
	}
	for (i = 0; i < w.np; i++) {
		w.p[i].root = root_index(w.p[i].family, w.p[i].addr);
		w.p[i].before = lpm_ref_lookup(before, w.p[i].family, w.p[i].addr);
		w.p[i].after = lpm_ref_lookup(after, w.p[i].family, w.p[i].addr);
	}
	qsort(w.p, w.np, sizeof(w.p[0]), by_root);
}

void lpm_watch_begin(const char *change, const struct lpm_ref *before,
			const struct lpm_ref *after, unsigned long long *s)
{
	w.change = change;
	w.change_stores = 0;
	probes_for(before, after, s);
	memcpy(root_was, root, sizeof(root));
	memcpy(node_was, node, sizeof(node));
	/* reach is as the last change (or lpm_watch_new) left it. */
	check_probes("before it", BEFORE, ROOT_WORDS);
	w.on = 1;
}

void lpm_watch_end(void)
{
	static uint8_t kept[NODE_WORDS];

	check_quiet("after it", 1);
	check_probes("after it", AFTER, ROOT_WORDS);
	/* What the stores left reachable, store by store, is what is. */
	memcpy(kept, reach, sizeof(kept));
	mark_reachable();
	CHECK(!memcmp(kept, reach, sizeof(kept)),
	      "%s: the root reaches other parts than the stores linked (a link written "
	      "without store_entry, or a part linked twice)", w.change);
	w.on = 0;
}

struct lpm *lpm_watch_new(void)
{
	memset(held, 0, sizeof(held));
	memset(reach, 0, sizeof(reach));
	return lpm_new(root, node, NCHUNKS);
}

struct lpm *lpm_watch_attach(const struct lpm_route *r, uint32_t n, uint32_t *repaired)
{
	return lpm_attach(root, node, NCHUNKS, r, n, repaired);
}

long lpm_watch_stores(void)
{
	return w.stores;
}

long lpm_watch_waits(void)
{
	return w.waits;
}
