// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Taking over a live trie (a restarted ecmpd): the builder's bookkeeping
 * from the routes, each root entry checked against what a build of its
 * routes makes, and only what disagrees rebuilt.
 */
#include <stdlib.h>
#include <string.h>

#include "lpm.h"
#include "lpm_int.h"

static void unmark(struct adopt *a)
{
	while (a->nmine) {
		uint32_t w = a->mine[--a->nmine];

		if (w & 0x80000000u)
			a->slot_used[w & ~0x80000000u] = 0;
		else
			a->used[w] = 0;
	}
}

struct lpm *lpm_attach(struct ecmp_lpm_chunk *root, struct ecmp_lpm_chunk *node,
		       uint32_t nchunks, const struct lpm_route *routes,
		       uint32_t nroutes, uint32_t *repaired)
{
	struct lpm *t = lpm_alloc(root, node, nchunks);
	/* slot_used: 16 a chunk, the most a page has (fewer once overran it
	 * for the tails of the last quarter of the pool). */
	size_t slots = (size_t)(nchunks ? nchunks : 1) << 4;
	struct adopt a = { calloc(nchunks ? nchunks : 1, 1), calloc(slots, 1),
			   calloc(nchunks + slots + 1, sizeof(uint32_t)), 0 };
	struct lpm_route *copy = NULL;
	uint32_t i, *bad = calloc(ROOT_ENTRIES, sizeof(uint32_t)), nbad = 0, cap = 0;

	*repaired = 0;
	if (!t || !a.used || !a.slot_used || !a.mine || !bad)
		goto fail;
	/* The bookkeeping from the routes: covers (short routes, shortest
	 * first so longer ones win) and each entry's routes below. */
	for (i = 0; i < nroutes; i++) {
		struct lpm_route r = routes[i];

		lpm_mask(r.addr, r.family, r.prefixlen);
		if (r.leaf == ECMP_LPM_NONE)	/* no route: never made by lpm_add() */
			continue;
		if (!lpm_route_valid(r.family, r.prefixlen) ||
		    (r.prefixlen <= ECMP_LPM_ROOT_BITS ? route_set_put(t->shorts, &r) :
		     lpm_rvec_append(&t->below[root_index(r.family, r.addr)], &r)))
			goto fail;
	}
	for (i = 0; i < ROOT_ENTRIES; i++)
		if (t->below[i].n)
			lpm_rvec_refresh(t, &t->below[i]);
	for (int l = 0; l <= ECMP_LPM_ROOT_BITS; l++)
		for (i = 0; i < nroutes; i++) {
			struct lpm_route r = routes[i];
			uint32_t first, count, k;

			if (r.prefixlen != l || r.leaf == ECMP_LPM_NONE)
				continue;
			lpm_mask(r.addr, r.family, r.prefixlen);
			lpm_root_range(&r, &first, &count);
			for (k = first; k < first + count; k++) {
				t->root_cover[k] = r.leaf;
				t->root_depth[k] = l + 1;
			}
		}
	/* Each root entry checked against what the routes make of it. */
	for (i = 0; i < ROOT_ENTRIES; i++) {
		uint32_t *e = &root[i / ECMP_LPM_CHUNK].entry[i % ECMP_LPM_CHUNK];
		struct rvec *b = &t->below[i];

		if (b->n > cap) {
			struct lpm_route *m = realloc(copy, sizeof(*m) * b->n);

			if (!m)
				goto fail;
			copy = m;
			cap = b->n;
		}
		if (b->n)
			memcpy(copy, b->r, sizeof(*copy) * b->n);
		a.nmine = 0;
		if (lpm_same_subtree(t, &a, *e, copy, b->n, ECMP_LPM_ROOT_BITS, t->root_cover[i]))
			continue;
		unmark(&a);
		/* Wrong: unlinked now, rebuilt below. Meanwhile its frames go
		 * to the kernel, which has the routes (docs/OPERATIONS.md),
		 * rather than by the cover: the routes below it are longer.
		 * A list of the layout before (an upgrade) goes this way. */
		store_entry(e, ECMP_LPM_NONE);
		bad[nbad++] = i;
		(*repaired)++;
	}
	t->nfree = 0;
	for (i = nchunks; i-- > 0;)
		if (!a.used[i])
			t->free_list[t->nfree++] = i;
	for (i = 0; i < nchunks; i++)
		if (a.used[i] >= 2) {
			int kind = a.used[i] - 2;
			uint32_t s;

			if (lpm_reserve_slots(t, kind, slots_per_page[kind]))
				goto fail;
			t->slots[kind] += slots_per_page[kind];
			t->page[i] = 1 + kind;
			for (s = slots_per_page[kind]; s-- > 0;)
				if (!a.slot_used[i << 4 | s])
					t->slot_free[kind].v[t->slot_free[kind].n++] =
						slot_link(kind, i, s);
				else
					t->live[i]++;
		}
	/* Before any free chunk or slot is used: what no link reaches may
	 * have been unlinked by the process before this one just before it
	 * ended, with a lookup still in it. And nothing reads the broken
	 * subtrees after it. */
	wait_readers();
	for (i = 0; i < nbad; i++)
		if (t->below[bad[i]].n && lpm_rebuild(t, bad[i]))
			goto fail;
	free(a.used);
	free(a.slot_used);
	free(a.mine);
	free(bad);
	free(copy);
	return t;
fail:
	free(a.used);
	free(a.slot_used);
	free(a.mine);
	free(bad);
	free(copy);
	lpm_free(t);
	return NULL;
}
