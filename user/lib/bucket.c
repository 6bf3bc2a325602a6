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

/* Member index by owner id, -1 when the id is not a usable member.
 *
 * The scans of the table decide what a failover costs when one nexthop
 * sits in a thousand groups of 4,096 buckets, and a search per bucket
 * mispredicts on interleaved owners. Small ids (ecmpd's are below 1,024)
 * go through a direct table, branch-free; other ids fall back to a scan. */
#define DIRECT_IDS 1024

struct member_index {
	int16_t direct[DIRECT_IDS + 1];	/* [DIRECT_IDS]: any larger id */
	int use_direct;
	int any_member;			/* usable or not */
	const struct bucket_member *m;
	int nm;
};

static void member_index_init(struct member_index *mi,
			      const struct bucket_member *m, int nm,
			      int any_member)
{
	int i;

	mi->m = m;
	mi->nm = nm;
	mi->any_member = any_member;
	mi->use_direct = 1;
	for (i = 0; i < nm; i++)
		if (m[i].id >= DIRECT_IDS)
			mi->use_direct = 0;
	if (!mi->use_direct)
		return;
	memset(mi->direct, 0xff, sizeof(mi->direct));
	for (i = nm - 1; i >= 0; i--)	/* the first of duplicates wins */
		if (m[i].usable || any_member)
			mi->direct[m[i].id] = i;
}

static int member_of(const struct member_index *mi, uint32_t id)
{
	int i;

	if (mi->use_direct)
		return mi->direct[id < DIRECT_IDS ? id : DIRECT_IDS];
	for (i = 0; i < mi->nm; i++)
		if (mi->m[i].id == id && (mi->m[i].usable || mi->any_member))
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

/* Shares and targets from the counts in st[]. Returns 1, 0 with no usable
 * member, -EINVAL for a zero weight. */
static int plan_from_counts(uint32_t n, const struct bucket_member *m, int nm,
			    struct mstate *st)
{
	uint64_t total = 0, sum = 0;
	int i;

	for (i = 0; i < nm; i++) {
		if (!m[i].weight)
			return -EINVAL;
		if (m[i].usable)
			total += m[i].weight;
	}
	if (!total)
		return 0;
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

/* Fills idx[] (the usable member owning each bucket, or -1), counts,
 * shares and targets, and *norphans (buckets of no usable member).
 * Returns as plan_from_counts(), or -ENOMEM. */
static int plan_targets(const uint32_t *owner, uint32_t n,
			const struct bucket_member *m, int nm,
			struct mstate *st, int *idx, uint32_t *norphans)
{
	struct member_index mi;
	uint32_t b, *count;
	int i;

	memset(st, 0, sizeof(*st) * nm);
	/* count[0] counts orphans, count[i + 1] member i: no branch. */
	count = calloc(nm + 1, sizeof(*count));
	if (!count)
		return -ENOMEM;
	member_index_init(&mi, m, nm, 0);
	for (b = 0; b < n; b++) {
		i = member_of(&mi, owner[b]);
		idx[b] = i;
		count[i + 1]++;
	}
	for (i = 0; i < nm; i++)
		st[i].count = count[i + 1];
	*norphans = count[0];
	free(count);
	return plan_from_counts(n, m, nm, st);
}

/* The usable member furthest below its target (the first of equals), -1
 * when none is below. Written without branches on the data: it runs once
 * per orphan, and the needs interleave. */
static int neediest(const struct mstate *st, const struct bucket_member *m,
		    int nm)
{
	int64_t need, best_need = 0;
	int i, best = -1, better;

	for (i = 0; i < nm; i++) {
		need = m[i].usable ? (int64_t)st[i].target - st[i].count : 0;
		better = need > best_need;
		best = better ? i : best;
		best_need = better ? need : best_need;
	}
	return best;
}

/* Who receives each of norphans orphans, in table order: each time the
 * member furthest below target, the first of equals. That order comes in
 * levels: at need L every member at least L below target gets one, in
 * member order, then L - 1, and so on. So it is written level by level,
 * the members joining as the level reaches their need: linear in the
 * orphans, not a search of every member per orphan. Counts them into st[]. */
static void pick_recipients(struct mstate *st, const struct bucket_member *m,
			    int nm, uint32_t norphans, int *recipient)
{
	int64_t need[BUCKET_MAX_MEMBERS];
	int by_need[BUCKET_MAX_MEMBERS], joined[BUCKET_MAX_MEMBERS];
	int i, j, nneedy = 0, njoined = 0, next = 0;
	int64_t level;
	uint32_t k = 0;

	for (i = 0; i < nm; i++) {
		need[i] = m[i].usable ? (int64_t)st[i].target - st[i].count : 0;
		if (need[i] <= 0)
			continue;
		/* Insertion by need, most first (members are few). */
		for (j = nneedy++; j > 0 && need[by_need[j - 1]] < need[i]; j--)
			by_need[j] = by_need[j - 1];
		by_need[j] = i;
	}
	for (level = nneedy ? need[by_need[0]] : 0; k < norphans && level > 0;
	     level--) {
		for (; next < nneedy && need[by_need[next]] >= level; next++) {
			/* Joins in member order. */
			i = by_need[next];
			for (j = njoined++; j > 0 && joined[j - 1] > i; j--)
				joined[j] = joined[j - 1];
			joined[j] = i;
		}
		for (j = 0; j < njoined && k < norphans; j++) {
			recipient[k++] = joined[j];
			st[joined[j]].count++;
		}
	}
}

/* Orders donor buckets (given in table order) the one idle longest first,
 * ties in table order: a stable radix sort on last_seen, a byte at a time,
 * linear where a comparison sort of a 4,096-bucket table cost the return
 * of a nexthop ~200 us per group. */
static int sort_by_seen(uint32_t *cand, uint32_t nc, const uint32_t *seen)
{
	uint32_t *tmp, *from = cand, *to, *swap, i, shift, all = ~0u, any = 0;

	if (!seen || nc < 2)
		return 0;
	/* Only the bytes in which the keys differ need a pass (often none:
	 * a table with no traffic since the last move). */
	for (i = 0; i < nc; i++) {
		all &= seen[from[i]];
		any |= seen[from[i]];
	}
	tmp = malloc(sizeof(*tmp) * nc);
	if (!tmp)
		return -ENOMEM;
	to = tmp;
	for (shift = 0; shift < 32; shift += 8) {
		uint32_t pos[256] = { 0 }, sum = 0, c;

		if (!((all ^ any) >> shift & 0xff))
			continue;
		for (i = 0; i < nc; i++)
			pos[seen[from[i]] >> shift & 0xff]++;
		for (i = 0; i < 256; i++) {
			c = pos[i];
			pos[i] = sum;
			sum += c;
		}
		for (i = 0; i < nc; i++)
			to[pos[seen[from[i]] >> shift & 0xff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != cand)	/* an odd number of passes */
		memcpy(cand, from, sizeof(*cand) * nc);
	free(tmp);
	return 0;
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
	uint32_t b, k, norphans = 0, *changed = opts ? opts->changed : NULL;
	uint32_t *own_changed = NULL;
	int ok, *idx, *recipient = NULL;
	struct mstate *st;

	memset(res, 0, sizeof(*res));
	if (!n || nm < 0 || nm > BUCKET_MAX_MEMBERS)
		return -EINVAL;
	st = calloc(nm ? nm : 1, sizeof(*st));
	idx = malloc(sizeof(*idx) * n);
	if (!changed)
		changed = own_changed = malloc(sizeof(*changed) * (n + 1));
	if (!st || !idx || !changed) {
		ok = -ENOMEM;
		goto out;
	}
	ok = plan_targets(owner, n, m, nm, st, idx, &norphans);
	if (ok <= 0)
		goto out;
	ok = 0;

	/* Orphans, in table order, to whoever is furthest below target:
	 * first the order of recipients, then one pass over the table
	 * without a branch per bucket (a quarter of them are orphans when
	 * one of four members fails: a branch would mispredict on most). */
	recipient = malloc(sizeof(*recipient) * (norphans + 1));
	if (!recipient) {
		ok = -ENOMEM;
		goto out;
	}
	pick_recipients(st, m, nm, norphans, recipient);
	recipient[norphans] = 0;	/* read, never used, past the last */
	for (b = 0, k = 0; b < n; b++) {
		int orphan = idx[b] < 0, r = recipient[k];

		owner[b] = orphan ? m[r].id : owner[b];
		idx[b] = orphan ? r : idx[b];
		changed[k] = b;
		k += orphan;
	}
	res->moved = res->freed = norphans;

	if (!(opts && opts->no_balance) && neediest(st, m, nm) >= 0) {
		/* Candidates: every bucket of a member above its target, the
		 * longest idle first. Walking them in that order gives each
		 * move the bucket idle longest among the remaining donors, in
		 * O(n log n) instead of a scan of the table per move. */
		const uint32_t *seen = opts ? opts->last_seen : NULL;
		uint32_t *cand = malloc(sizeof(*cand) * n), nc = 0;

		if (!cand) {
			ok = -ENOMEM;
			goto out;
		}
		for (b = 0; b < n; b++)
			if (idx[b] >= 0 && st[idx[b]].count > st[idx[b]].target)
				cand[nc++] = b;
		if (sort_by_seen(cand, nc, seen)) {
			free(cand);
			ok = -ENOMEM;
			goto out;
		}
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
			changed[res->moved++] = b;
		}
		free(cand);
	}
	res->balanced = all_on_target(st, m, nm);
out:
	free(st);
	free(idx);
	free(recipient);
	free(own_changed);
	return ok;
}

int bucket_is_balanced(const uint32_t *owner, uint32_t n,
		       const struct bucket_member *m, int nm)
{
	struct mstate *st = calloc(nm ? nm : 1, sizeof(*st));
	int *idx = calloc(n ? n : 1, sizeof(*idx));
	uint32_t norphans = 0;
	int ok, i;

	if (!st || !idx) {
		free(st);
		free(idx);
		return 0;
	}
	ok = plan_targets(owner, n, m, nm, st, idx, &norphans) > 0 && !norphans;
	/* Within one bucket of the share: between floor and ceiling. */
	for (i = 0; ok && i < nm; i++)
		if (m[i].usable &&
		    (st[i].count < st[i].floor || st[i].count > st[i].ceil))
			ok = 0;
	free(st);
	free(idx);
	return ok;
}

int bucket_index_build(struct bucket_index *ix, const uint32_t *owner,
		       uint32_t n, const struct bucket_member *m, int nm)
{
	uint32_t fill[BUCKET_INDEX_MAX_MEMBERS + 1], b;
	struct member_index mi;
	int i, k;

	ix->valid = 0;
	if (n > BUCKET_INDEX_MAX_BUCKETS || nm < 0 ||
	    nm > BUCKET_INDEX_MAX_MEMBERS)
		return -E2BIG;
	for (i = 0; i < nm; i++)
		for (k = 0; k < i; k++)
			if (m[i].id == m[k].id)
				return -E2BIG;
	/* Every member has its run, usable or not: a member's buckets are
	 * the ones its failure frees. A stable counting sort: start[i + 1]
	 * first counts member i (slot nm: buckets of no member). */
	member_index_init(&mi, m, nm, 1);
	memset(ix->start, 0, sizeof(ix->start));
	for (b = 0; b < n; b++) {
		i = member_of(&mi, owner[b]);
		ix->start[(i < 0 ? nm : i) + 1]++;
	}
	for (i = 1; i <= nm + 1; i++)
		ix->start[i] += ix->start[i - 1];
	memcpy(fill, ix->start, sizeof(fill));
	for (b = 0; b < n; b++) {
		i = member_of(&mi, owner[b]);
		ix->pos[fill[i < 0 ? nm : i]++] = b;
	}
	for (i = 0; i < nm; i++)
		ix->id[i] = m[i].id;
	ix->n = n;
	ix->nm = nm;
	ix->valid = 1;
	return 0;
}

int bucket_failover(const struct bucket_index *ix,
		    const struct bucket_member *m, int nm,
		    uint32_t *bucket, uint32_t *owner, struct bucket_result *res)
{
	struct mstate st[BUCKET_INDEX_MAX_MEMBERS];
	uint32_t k, from = 0, norphans = 0;
	int j, lists = 0, *recipient;

	memset(res, 0, sizeof(*res));
	if (!ix->valid || ix->nm != nm)
		return -ESTALE;
	memset(st, 0, sizeof(st[0]) * nm);
	for (j = 0; j < nm; j++) {
		uint32_t len = ix->start[j + 1] - ix->start[j];

		if (ix->id[j] != m[j].id)
			return -ESTALE;
		if (m[j].usable) {
			st[j].count = len;
		} else if (len) {
			from = ix->start[j];
			norphans = len;
			lists++;
		}
	}
	if (ix->start[nm + 1] != ix->start[nm] || lists > 1)
		return -ESTALE;
	if (plan_from_counts(ix->n, m, nm, st) <= 0)
		return -ESTALE;	/* no usable member: bucket_rebalance() says */
	recipient = malloc(sizeof(*recipient) * (norphans + 1));
	if (!recipient)
		return -ENOMEM;
	pick_recipients(st, m, nm, norphans, recipient);
	for (k = 0; k < norphans; k++) {
		bucket[k] = ix->pos[from + k];
		owner[k] = m[recipient[k]].id;
	}
	free(recipient);
	res->moved = res->freed = norphans;
	res->balanced = all_on_target(st, m, nm);
	return 0;
}
