// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Where the trie's chunks and slots come from and where they go back.
 * Tails and run lists live in slots of chunks made pages of one kind: six
 * tails, or 16, 10, 8 or 6 run lists of one size class. What a change
 * unlinks is reused only after an RCU grace period; a page of slots goes
 * back to the chunks when all its slots are free, and compaction moves
 * the slots of part-empty pages into the fullest so that it can.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lpm.h"
#include "lpm_int.h"

/* Pages' worth of released slots of one kind that may wait for a grace
 * period while free chunks make new pages. A grace period blocks the
 * event loop: a millisecond or two on some machines, 12 ms on this
 * project's machine of 2026-12-02 (strace). With 16 pages, a churn of
 * 10,000 route changes a second over 2,428 prefixes waited once every 96
 * changes and fell seconds behind; with 128, once every 768 (at most 128
 * pages of 1 KiB held back a kind). */
#define RECYCLE_PAGES	128

static int links_reserve(struct links *l, uint32_t cap)
{
	uint32_t *m;

	if (cap <= l->cap)
		return 0;
	if (cap < 2 * l->cap)	/* page by page: grow by doubling */
		cap = 2 * l->cap;
	m = realloc(l->v, sizeof(*m) * cap);
	if (!m)
		return -ENOMEM;
	l->v = m;
	l->cap = cap;
	return 0;
}

/* Room in both lists of a kind for every slot its pages have, and n more. */
int lpm_reserve_slots(struct lpm *t, int kind, uint32_t n)
{
	uint32_t cap = t->slots[kind] + n;

	if (links_reserve(&t->slot_free[kind], cap) ||
	    links_reserve(&t->slot_pending[kind], cap))
		return -ENOMEM;
	return 0;
}

/* ---- chunks and slots ---- */

/* Every program that could have seen a pending chunk or slot ran under
 * rcu_read_lock(); after the wait none can still be reading them. */
void lpm_recycle(struct lpm *t)
{
	uint32_t pending = t->npending;
	int k;

	for (k = 0; k < KINDS; k++)
		pending += t->slot_pending[k].n;
	if (pending) {
		wait_readers();
		memcpy(t->free_list + t->nfree, t->pending, t->npending * sizeof(uint32_t));
		t->nfree += t->npending;
		t->npending = 0;
	}
	for (k = 0; pending && k < KINDS; k++) {
		struct links *f = &t->slot_free[k], *p = &t->slot_pending[k];

		if (!p->n)	/* a kind without pages has no lists */
			continue;
		memcpy(f->v + f->n, p->v, p->n * sizeof(uint32_t));
		f->n += p->n;
		p->n = 0;
	}
	/* Pages whose slots are all free go back to the chunks (nothing is
	 * pending now: no slot of theirs can still be read). */
	if (t->empty_pages) {
		for (k = 0; k < KINDS; k++) {
			struct links *f = &t->slot_free[k];
			uint32_t i, n = 0;

			for (i = 0; i < f->n; i++) {
				uint32_t c = link_chunk(f->v[i]);

				if (t->live[c]) {
					f->v[n++] = f->v[i];
				} else if (t->page[c]) {
					t->page[c] = 0;
					t->free_list[t->nfree++] = c;
				}
			}
			f->n = n;
		}
		t->empty_pages = 0;
	}
}

int lpm_alloc_chunk(struct lpm *t, uint32_t *out)
{
	if (!t->nfree)
		lpm_recycle(t);
	if (!t->nfree)
		return -ENOSPC;
	*out = t->free_list[--t->nfree];
	return 0;
}

/* A slot of a kind (its link in *out); a free chunk becomes a page of
 * that kind when none is left. A page whose slots are all released goes
 * back at the next recycle. */
int lpm_alloc_slot(struct lpm *t, int kind, uint32_t *out)
{
	struct links *f = &t->slot_free[kind];
	uint32_t c, i;

	/* Released slots wait for a grace period, a membarrier that takes
	 * milliseconds: while few wait, a new page, so that one wait serves
	 * many changes (a run list changes with each of its routes, a
	 * default route with every tail's cover); when many wait or free
	 * chunks run low, they come back first. Not sooner: with a wait
	 * for each slot, a default route changed in a trie seven eighths
	 * full took minutes (thousands of tails, 8 ms each). The pages
	 * taken meanwhile go back at the wait, once empty. */
	if (!f->n && t->slot_pending[kind].n &&
	    (t->slot_pending[kind].n >= RECYCLE_PAGES * slots_per_page[kind] ||
	     t->nfree < RECYCLE_PAGES * KINDS))
		lpm_recycle(t);
	if (!f->n) {
		if (lpm_reserve_slots(t, kind, slots_per_page[kind]))
			return -ENOMEM;
		if (lpm_alloc_chunk(t, &c))
			return -ENOSPC;
		t->slots[kind] += slots_per_page[kind];
		for (i = slots_per_page[kind]; i-- > 0;)
			f->v[f->n++] = slot_link(kind, c, i);
		t->page[c] = 1 + kind;
		t->empty_pages++;
	}
	*out = f->v[--f->n];
	c = link_chunk(*out);
	if (!t->live[c]++)
		t->empty_pages--;
	return 0;
}

/* Releases what an unlinked entry held, for reuse after a grace period;
 * now: never linked, reusable at once. */
void lpm_release(struct lpm *t, uint32_t v, int now)
{
	if (is_tail(v)) {
		struct links *l = now ? &t->slot_free[link_kind(v)] : &t->slot_pending[link_kind(v)];

		/* The slot, without what the list in it was (its leaves'
		 * width): the next list in it says its own. */
		l->v[l->n++] = slot_link(link_kind(v), link_chunk(v), link_slot(v));
		if (!--t->live[link_chunk(v)])
			t->empty_pages++;
	} else if (is_child(v)) {
		uint32_t c = v & ~ECMP_LPM_CHILD, i;

		for (i = 0; i < ECMP_LPM_CHUNK; i++)
			lpm_release(t, t->node[c].entry[i], now);
		if (now)
			t->free_list[t->nfree++] = c;
		else
			t->pending[t->npending++] = c;
	}
}

uint32_t lpm_chunks_free(const struct lpm *t)
{
	return t->nfree + t->npending + t->empty_pages;
}

uint32_t lpm_chunks_used(const struct lpm *t)
{
	return t->nchunks - t->nfree - t->npending - t->empty_pages;
}

/* ---- compaction ---- */

/* Pages of live slots of one kind, fullest first (ties by chunk), in v:
 * live slots in the high bits, the chunk in the low. */
static uint32_t pages_of(const struct lpm *t, int kind, uint64_t *v, uint32_t *live)
{
	uint32_t c, n = 0;

	*live = 0;
	for (c = 0; c < t->nchunks; c++)
		if (t->page[c] == 1 + kind && t->live[c]) {
			v[n++] = (uint64_t)(255 - t->live[c]) << 32 | c;
			*live += t->live[c];
		}
	return n;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t lpm_pages_spare(const struct lpm *t)
{
	uint32_t pages[KINDS] = { 0 }, live[KINDS] = { 0 }, spare = 0, c;
	int k;

	for (c = 0; c < t->nchunks; c++)
		if (t->page[c] && t->live[c]) {
			pages[t->page[c] - 1]++;
			live[t->page[c] - 1] += t->live[c];
		}
	for (k = 0; k < KINDS; k++)
		spare += pages[k] - (live[k] + slots_per_page[k] - 1) / slots_per_page[k];
	return spare;
}

/* Gives the slot in *e a place outside the pages being emptied: copied,
 * then linked with one store, the old one released for a grace period. */
static int move_slots(struct lpm *t, uint32_t *e, const uint8_t *emptied)
{
	uint32_t v = *e, nv, c, i;
	int err;

	if (is_tail(v)) {
		if (!emptied[link_chunk(v)])
			return 0;
		err = lpm_alloc_slot(t, link_kind(v), &nv);
		if (err)
			return err;
		if (is_runs(v)) {
			memcpy(runs_at(t->node, nv), runs_at(t->node, v),
			       ECMP_LPM_RUNS_SIZE(ECMP_LPM_RUNS_CLASS(v)));
			nv |= v & ECMP_LPM_RUNS_LEAF8;
		} else
			*tail_at(t, nv) = *tail_at(t, v);
		store_entry(e, nv);
		lpm_release(t, v, 0);
		return 0;
	}
	if (!is_child(v))
		return 0;
	c = v & ~ECMP_LPM_CHILD;
	for (i = 0; i < ECMP_LPM_CHUNK; i++) {
		err = move_slots(t, &t->node[c].entry[i], emptied);
		if (err)
			return err;
	}
	return 0;
}

int lpm_compact(struct lpm *t, uint32_t *chunks_back)
{
	uint64_t *v = malloc(sizeof(*v) * (t->nchunks ? t->nchunks : 1));
	uint8_t *emptied = calloc(t->nchunks ? t->nchunks : 1, 1);
	uint32_t live, n, keep, i, nempty = 0, before;
	int k, err = 0;

	*chunks_back = 0;
	if (!v || !emptied) {
		err = -ENOMEM;
		goto out;
	}
	if (t->bulk) {
		err = -EBUSY;
		goto out;
	}
	before = lpm_chunks_used(t);
	lpm_recycle(t);	/* what waits is free */
	/* Per kind, the fullest pages that hold every live slot stay; the
	 * others are emptied into their free slots, which are just enough:
	 * no page is made and no free chunk is taken. */
	for (k = 0; k < KINDS; k++) {
		struct links *f = &t->slot_free[k];
		uint32_t m = 0;

		n = pages_of(t, k, v, &live);
		keep = (live + slots_per_page[k] - 1) / slots_per_page[k];
		if (n == keep)
			continue;
		qsort(v, n, sizeof(*v), u64_cmp);
		for (i = keep; i < n; i++)
			emptied[(uint32_t)v[i]] = 1;
		nempty += n - keep;
		for (i = 0; i < f->n; i++)
			if (!emptied[link_chunk(f->v[i])])
				f->v[m++] = f->v[i];
		f->n = m;
	}
	if (!nempty)
		goto out;
	for (i = 0; i < ROOT_ENTRIES && !err; i++)
		err = move_slots(t, &t->root[i / ECMP_LPM_CHUNK].entry[i % ECMP_LPM_CHUNK],
				 emptied);
	/* After one grace period the emptied pages are free chunks. A
	 * failure (none expected: the room was counted) leaves every lookup
	 * right and what moved moved; the rest of those pages' free slots
	 * are lost to use until they empty. */
	lpm_recycle(t);
	*chunks_back = before - lpm_chunks_used(t);
out:
	free(v);
	free(emptied);
	return err;
}

int lpm_for_each(const struct lpm *t,
		 int (*fn)(const struct lpm_route *r, void *arg), void *arg)
{
	uint32_t i, k;
	int ret = route_set_for_each(t->shorts, fn, arg);

	for (i = 0; !ret && i < ROOT_ENTRIES; i++)
		for (k = 0; !ret && k < t->below[i].n; k++)
			ret = fn(&t->below[i].r[k], arg);
	return ret;
}
