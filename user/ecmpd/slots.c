// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Bucket slots: where each group's table lies in ecmp_buckets. A table is
 * one run of slots (the data path finds a bucket at base + index), taken
 * first fit. Groups of different sizes, added and removed over time,
 * leave holes: the slots free in all can be enough while no run is long
 * enough for a new table. So the room for a change is planned on the map
 * of used slots itself, table by table in the order the change takes
 * them, and when only the holes stand in the way, the fewest buckets in
 * use are moved out of the way first. A move copies a table, publishes
 * its new place with one store and frees the old one after the data
 * path's readers are done: a packet reads the old table or its copy, and
 * no flow moves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plane.h"
#include "lib/log.h"
#include "lib/rcu.h"

/* The first run of n free slots that ends at or before `end`, or -ENOSPC.
 * Slot 0 stays free: an unused group points there. memchr() strides over
 * used and free stretches (a full table's groups hold 400,000 slots in
 * front of the free ones, and route events take this path). */
static int64_t slots_first_fit(const struct plane *p, uint32_t n, uint32_t end)
{
	const uint8_t *u = p->slot_used, *z, *o;
	uint32_t b = 1, e;

	while (n && b < end) {
		z = memchr(u + b, 0, end - b);		/* the next free slot */
		if (!z)
			break;
		b = (uint32_t)(z - u);
		o = memchr(u + b, 1, end - b);		/* the next used one */
		e = o ? (uint32_t)(o - u) : end;
		if (e - b >= n)
			return b;
		b = e;
	}
	return -ENOSPC;
}

int64_t grp_slots_alloc(struct plane *p, uint32_t n)
{
	int64_t base = slots_first_fit(p, n, p->dp.max_entries[DP_BUCKETS]);

	if (base < 0)
		return base;
	memset(p->slot_used + base, 1, n);
	p->slots_free -= n;
	return base;
}

void grp_slots_free(struct plane *p, uint32_t base, uint32_t n)
{
	memset(p->slot_used + base, 0, n);
	p->slots_free += n;
}

void grp_slots_count(struct plane *p)
{
	uint32_t b, n = 0;

	for (b = 1; b < p->dp.max_entries[DP_BUCKETS]; b++)
		n += !p->slot_used[b];
	p->slots_free = n;
}

uint32_t grp_slots_free_count(const struct plane *p)
{
	return p->slots_free;
}

uint32_t grp_slots_largest_run(const struct plane *p)
{
	uint32_t run = 0, best = 0, b;

	for (b = 1; b < p->dp.max_entries[DP_BUCKETS]; b++) {
		run = p->slot_used[b] ? 0 : run + 1;
		if (run > best)
			best = run;
	}
	return best;
}

/* -1 when every step finds its run, taken in order as the change will
 * take them (a resized table's old run is freed right after its new one
 * is taken); else the index of the first that does not. Tried on the map
 * of used slots itself and undone, so nothing changes either way. */
static int slots_fit(struct plane *p, const struct slot_step *s, int n)
{
	int64_t *base = calloc(n ? n : 1, sizeof(*base));
	int i, done, failed = -1;

	if (!base)
		return -2;
	for (done = 0; done < n; done++) {
		const struct grp *g = s[done].resized >= 0 ? &p->grp[s[done].resized] : NULL;

		base[done] = slots_first_fit(p, s[done].n, p->dp.max_entries[DP_BUCKETS]);
		if (base[done] < 0) {
			failed = done;
			break;
		}
		memset(p->slot_used + base[done], 1, s[done].n);
		if (g)
			memset(p->slot_used + g->base, 0, g->nbuckets);
	}
	for (i = done - 1; i >= 0; i--) {	/* undone last first */
		const struct grp *g = s[i].resized >= 0 ? &p->grp[s[i].resized] : NULL;

		if (g)
			memset(p->slot_used + g->base, 1, g->nbuckets);
		memset(p->slot_used + base[i], 0, s[i].n);
	}
	free(base);
	return failed;
}

/* A run of free slots. */
struct run {
	uint32_t start, len;
};

/* The free runs, in slot order; their number in *n. NULL: no memory. */
static struct run *free_runs(const struct plane *p, int *n)
{
	uint32_t total = p->dp.max_entries[DP_BUCKETS], b = 1, cap = 64;
	struct run *r = malloc(sizeof(*r) * cap), *bigger;

	*n = 0;
	while (r && b < total) {
		uint32_t start;

		if (p->slot_used[b]) {
			b++;
			continue;
		}
		for (start = b; b < total && !p->slot_used[b]; b++)
			;
		if ((uint32_t)*n == cap) {
			cap *= 2;
			bigger = realloc(r, sizeof(*r) * cap);
			if (!bigger) {
				free(r);
				return NULL;
			}
			r = bigger;
		}
		r[(*n)++] = (struct run){ start, b - start };
	}
	return r;
}

static const struct plane *sort_plane;

/* Groups by the place of their table; by size, largest first. */
static int by_base(const void *a, const void *b)
{
	uint32_t x = sort_plane->grp[*(const uint32_t *)a].base;
	uint32_t y = sort_plane->grp[*(const uint32_t *)b].base;

	return x < y ? -1 : x > y;
}

static int by_size_down(const void *a, const void *b)
{
	uint32_t x = sort_plane->grp[*(const uint32_t *)a].nbuckets;
	uint32_t y = sort_plane->grp[*(const uint32_t *)b].nbuckets;

	return x > y ? -1 : x < y;
}

/* Places the m tables of gids (largest first) in the free runs outside
 * [w, w + len), first fit: their new bases in to[], 0 when one does not
 * fit. runs is a scratch copy of the free runs, cut here. */
static int place_outside(const struct plane *p, const uint32_t *gid, int m, uint32_t w,
			 uint32_t len, struct run *runs, int nruns, uint32_t *to)
{
	int i, k;

	for (k = 0; k < nruns; k++) {	/* the window is not free for them */
		uint32_t a = runs[k].start, e = a + runs[k].len;

		if (a >= w + len || e <= w)
			continue;
		/* A run over the whole window cannot be (the table would
		 * have fitted): it meets one end or lies inside. */
		if (a < w) {
			runs[k].len = w - a;
		} else if (e > w + len) {
			runs[k].start = w + len;
			runs[k].len = e - (w + len);
		} else {
			runs[k].len = 0;
		}
	}
	for (i = 0; i < m; i++) {
		uint32_t n = p->grp[gid[i]].nbuckets;

		for (k = 0; k < nruns && runs[k].len < n; k++)
			;
		if (k == nruns)
			return 0;
		to[i] = runs[k].start;
		runs[k].start += n;
		runs[k].len -= n;
	}
	return 1;
}

/*
 * Frees a run of len slots by moving the fewest buckets: of the windows of
 * len slots that start where a table or a hole does and hold only whole
 * tables and free slots, the one whose tables take the fewest slots and
 * fit in the free runs outside it. Each table is copied, published at its
 * new place, and its old run freed after one wait for the data path's
 * readers. Returns the number of tables moved (0: no window), -ENOMEM.
 */
static int slots_clear_window(struct plane *p, uint32_t len)
{
	uint32_t total = p->dp.max_entries[DP_BUCKETS], ngrp = p->dp.max_entries[DP_GROUPS];
	uint32_t *order = NULL, *in = NULL, *to = NULL, *best_in = NULL, *best_to = NULL;
	uint32_t n = 0, i, j, best_cost = UINT32_MAX, *old = NULL;
	struct run *runs = NULL, *scratch = NULL;
	int nruns = 0, best_m = -1, c, ret = -ENOMEM;

	order = malloc(sizeof(*order) * (ngrp + 1));
	in = malloc(sizeof(*in) * (ngrp + 1));
	to = malloc(sizeof(*to) * (ngrp + 1));
	best_in = malloc(sizeof(*best_in) * (ngrp + 1));
	best_to = malloc(sizeof(*best_to) * (ngrp + 1));
	old = malloc(sizeof(*old) * (ngrp + 1));
	runs = free_runs(p, &nruns);
	scratch = malloc(sizeof(*scratch) * (nruns + 1));
	if (!order || !in || !to || !best_in || !best_to || !old || !runs || !scratch)
		goto out;
	for (i = 0; i < ngrp; i++)
		if (p->grp[i].in_use && p->grp[i].nbuckets)
			order[n++] = i;
	sort_plane = p;
	qsort(order, n, sizeof(*order), by_base);
	/* Candidates: each table's base, then each hole's start. */
	for (c = 0; c < (int)n + nruns; c++) {
		uint32_t w = c < (int)n ? p->grp[order[c]].base : runs[c - n].start;
		uint32_t cost = 0, m = 0;
		int whole = 1;

		if ((uint64_t)w + len > total)
			continue;
		for (j = 0; j < n && whole; j++) {
			const struct grp *g = &p->grp[order[j]];

			if (g->base >= w + len || g->base + g->nbuckets <= w)
				continue;
			whole = g->base >= w && g->base + g->nbuckets <= w + len;
			in[m++] = order[j];
			cost += g->nbuckets;
		}
		if (!whole || cost >= best_cost)
			continue;
		qsort(in, m, sizeof(*in), by_size_down);
		memcpy(scratch, runs, sizeof(*runs) * nruns);
		if (!place_outside(p, in, m, w, len, scratch, nruns, to))
			continue;
		best_cost = cost;
		best_m = m;
		memcpy(best_in, in, sizeof(*in) * m);
		memcpy(best_to, to, sizeof(*to) * m);
	}
	ret = 0;
	for (c = 0; c < best_m; c++) {
		struct grp *g = &p->grp[best_in[c]];
		uint32_t b;

		old[c] = g->base;
		memset(p->slot_used + best_to[c], 1, g->nbuckets);
		p->slots_free -= g->nbuckets;
		for (b = 0; b < g->nbuckets; b++)
			p->dp.buckets[best_to[c] + b] = p->dp.buckets[g->base + b];
		g->base = best_to[c];
		grp_publish(p, best_in[c]);
	}
	if (best_m > 0) {
		rcu_wait_readers();
		for (c = 0; c < best_m; c++) {
			grp_slots_free(p, old[c], p->grp[best_in[c]].nbuckets);
			grp_index_refresh(p, best_in[c]);
		}
	}
	ret = best_m > 0 ? best_m : 0;
out:
	free(order);
	free(in);
	free(to);
	free(best_in);
	free(best_to);
	free(old);
	free(runs);
	free(scratch);
	return ret;
}

int grp_slots_make_room(struct plane *p, const struct slot_step *s, int n)
{
	int tries, moved = 0, failed = -1, ret;

	/* Each try frees a run for the first step that has none; the steps
	 * before it may then take part of it (first fit), so a few tries. */
	for (tries = 0; tries <= 2 * n; tries++) {
		failed = slots_fit(p, s, n);
		if (failed < 0)
			break;
		ret = slots_clear_window(p, s[failed].n);
		if (ret <= 0)
			break;
		moved += ret;
	}
	if (moved)
		pr_info("bucket tables moved to make room: %d moved, no flow moved; largest free run now %u of %u free",
			moved, grp_slots_largest_run(p), grp_slots_free_count(p));
	if (failed >= 0)	/* where the last move left it */
		failed = slots_fit(p, s, n);
	return failed == -1 ? 0 : failed == -2 ? -ENOMEM : -ENOSPC;
}
