// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Shares are compared exactly, in integers: member i's share is
 * n * w_i / W, its floor (n * w_i) / W and its remainder (n * w_i) % W.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bucket.h"

struct mstate {
	uint32_t count, target, floor, ceil;
	uint64_t rem;
};

/* Member index by nexthop id, -1 when id is not a usable member. The
 * member lists are short, a scan beats a hash here. */
static int member_of(const struct bucket_member *m, int nm, uint32_t id)
{
	int i;

	for (i = 0; i < nm; i++)
		if (m[i].id == id && m[i].usable)
			return i;
	return -1;
}

static int better_to_grow(const struct mstate *a, const struct mstate *b)
{
	int sa = a->count > a->target, sb = b->count > b->target;

	return sa != sb ? sa > sb : a->rem > b->rem;
}

static int better_to_shrink(const struct mstate *a, const struct mstate *b)
{
	int sa = a->count < a->target, sb = b->count < b->target;

	return sa != sb ? sa > sb : a->rem < b->rem;
}

/* Fills counts, shares and targets. Returns 1, 0 with no usable member,
 * -EINVAL for a zero weight. */
static int plan_targets(const uint32_t *owner, uint32_t n,
			const struct bucket_member *m, int nm,
			struct mstate *st, int *idx)
{
	uint64_t total = 0, sum = 0;
	uint32_t b;
	int i;

	for (i = 0; i < nm; i++) {
		if (!m[i].weight)
			return -EINVAL;
		if (m[i].usable)
			total += m[i].weight;
	}
	if (!total)
		return 0;
	memset(st, 0, sizeof(*st) * nm);
	for (b = 0; b < n; b++) {
		/* Runs of one owner are common: reuse the last answer. */
		i = b && owner[b] == owner[b - 1] ? idx[b - 1] :
		    member_of(m, nm, owner[b]);
		idx[b] = i;
		if (i >= 0)
			st[i].count++;
	}
	for (i = 0; i < nm; i++) {
		uint64_t scaled = (uint64_t)n * m[i].weight;

		if (!m[i].usable)
			continue;
		st[i].floor = scaled / total;
		st[i].rem = scaled % total;
		st[i].ceil = st[i].floor + (st[i].rem != 0);
		st[i].target = st[i].count < st[i].floor ? st[i].floor :
			       st[i].count > st[i].ceil ? st[i].ceil :
			       st[i].count;
		sum += st[i].target;
	}
	/* Targets must add up to n. Grow first where it saves a move (a
	 * member above its target gives one bucket less), shrink first where
	 * it saves one (a member below its target receives one less); then
	 * by largest/smallest remainder; ties to the earlier member. */
	while (sum < n) {
		int best = -1;

		for (i = 0; i < nm; i++) {
			if (!m[i].usable || st[i].target >= st[i].ceil)
				continue;
			if (best < 0 || better_to_grow(&st[i], &st[best]))
				best = i;
		}
		st[best].target++;
		sum++;
	}
	while (sum > n) {
		int best = -1;

		for (i = 0; i < nm; i++) {
			if (!m[i].usable || st[i].target <= st[i].floor)
				continue;
			if (best < 0 || better_to_shrink(&st[i], &st[best]))
				best = i;
		}
		st[best].target--;
		sum--;
	}
	return 1;
}

static int neediest(const struct mstate *st, const struct bucket_member *m,
		    int nm)
{
	int64_t need, best_need = 0;
	int i, best = -1;

	for (i = 0; i < nm; i++) {
		if (!m[i].usable)
			continue;
		need = (int64_t)st[i].target - st[i].count;
		if (need > best_need) {
			best = i;
			best_need = need;
		}
	}
	return best;
}

/* Order of donor buckets: the one idle longest first, then table order. */
static const uint32_t *sort_seen;

static int by_last_seen(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (sort_seen && sort_seen[x] != sort_seen[y])
		return sort_seen[x] < sort_seen[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int all_on_target(const struct mstate *st,
			 const struct bucket_member *m, int nm)
{
	int i;

	for (i = 0; i < nm; i++)
		if (m[i].usable && st[i].count != st[i].target)
			return 0;
	return 1;
}

int bucket_rebalance(uint32_t *owner, uint32_t n,
		     const struct bucket_member *m, int nm,
		     const struct bucket_opts *opts, struct bucket_result *res)
{
	struct mstate *st;
	uint32_t b;
	int ok, *idx;

	memset(res, 0, sizeof(*res));
	if (!n || nm < 0 || nm > BUCKET_MAX_MEMBERS)
		return -EINVAL;
	st = calloc(nm ? nm : 1, sizeof(*st));
	idx = calloc(n, sizeof(*idx));
	if (!st || !idx) {
		ok = -ENOMEM;
		goto out;
	}
	ok = plan_targets(owner, n, m, nm, st, idx);
	if (ok <= 0)
		goto out;
	ok = 0;

	/* Orphans, in table order, to whoever is furthest below target. */
	for (b = 0; b < n; b++) {
		int r;

		if (idx[b] >= 0)
			continue;
		r = neediest(st, m, nm);
		owner[b] = m[r].id;	/* r >= 0: orphans never exceed room */
		idx[b] = r;
		st[r].count++;
		res->moved++;
		res->freed++;
	}

	if (!(opts && opts->no_balance) && neediest(st, m, nm) >= 0) {
		/* Candidates: every bucket of a member above its target, the
		 * longest idle first. Walking them in that order gives each
		 * move the bucket idle longest among the remaining donors, in
		 * O(n log n) instead of a scan of the table per move. */
		const uint32_t *seen = opts ? opts->last_seen : NULL;
		uint32_t *cand = malloc(sizeof(*cand) * n), nc = 0, k;

		if (!cand) {
			ok = -ENOMEM;
			goto out;
		}
		for (b = 0; b < n; b++)
			if (idx[b] >= 0 && st[idx[b]].count > st[idx[b]].target)
				cand[nc++] = b;
		sort_seen = seen;
		qsort(cand, nc, sizeof(*cand), by_last_seen);
		sort_seen = NULL;
		for (k = 0; k < nc; k++) {
			int r = neediest(st, m, nm), d;

			if (r < 0)
				break;
			b = cand[k];
			d = idx[b];
			if (st[d].count <= st[d].target)
				continue;	/* this donor is done */
			if (seen && opts->idle_only && seen[b] >= opts->idle_before)
				break;		/* only busy buckets left: later */
			owner[b] = m[r].id;
			idx[b] = r;
			st[d].count--;
			st[r].count++;
			res->moved++;
		}
		free(cand);
	}
	res->balanced = all_on_target(st, m, nm);
out:
	free(st);
	free(idx);
	return ok;
}

int bucket_is_balanced(const uint32_t *owner, uint32_t n,
		       const struct bucket_member *m, int nm)
{
	struct mstate *st = calloc(nm ? nm : 1, sizeof(*st));
	int *idx = calloc(n ? n : 1, sizeof(*idx));
	uint32_t b;
	int ok, i;

	if (!st || !idx) {
		free(st);
		free(idx);
		return 0;
	}
	ok = plan_targets(owner, n, m, nm, st, idx) > 0;
	/* Within one bucket of the share: between floor and ceiling. */
	for (i = 0; ok && i < nm; i++)
		if (m[i].usable &&
		    (st[i].count < st[i].floor || st[i].count > st[i].ceil))
			ok = 0;
	for (b = 0; ok && b < n; b++)
		if (idx[b] < 0)
			ok = 0;
	free(st);
	free(idx);
	return ok;
}
