/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The resilient bucket allocator (SPEC section 5). Pure C, no BPF: it takes a
 * group's current table of owners and its members, and changes the fewest
 * owners that bring every usable member within one bucket of its weighted
 * share n * w / W.
 *  - Each usable member gets a target: its current count clamped to the
 *    floor/ceiling of its share, then adjusted by largest remainder so the
 *    targets add up to n. Targets are as close to the current counts as
 *    "within one bucket" allows, so the moves are the fewest possible, and
 *    a member either only gives or only receives in one call.
 *  - Orphaned buckets (owner gone or not usable) go to the members furthest
 *    below target, in table order: a failure moves exactly the failed
 *    member's buckets, spread by weight.
 *  - Unless no_balance is set, buckets then move from members above target
 *    to those below, the longest idle first: a member that comes back or
 *    gains weight takes exactly what it is due.
 * Rounding can leave a failure one bucket short of balance; the caller
 * settles that with a later call (idle buckets first), so the failure
 * itself never moves a surviving member's bucket.
 */
#ifndef ECMP_BUCKET_H
#define ECMP_BUCKET_H

#include <stdint.h>

#define BUCKET_NONE 0xffffffffu	/* group.c asserts it is ECMP_BUCKET_EMPTY */

struct bucket_member {
	uint32_t id;		/* nexthop id written into the table */
	uint32_t weight;	/* > 0 */
	uint8_t usable;		/* 0: down, drained or unresolved */
};

struct bucket_opts {
	/* Per-bucket time of last use (the config epoch), or NULL. */
	const uint32_t *last_seen;
	/* A bucket is idle if last_seen < idle_before. */
	uint32_t idle_before;
	/* Balancing moves (not failure moves) only take idle buckets; the
	 * caller clears this once its bound on imbalance has passed. */
	int idle_only;
	/* Only re-home orphaned buckets; no balancing moves at all. */
	int no_balance;
	/* NULL, or room for n + 1 indices: the buckets whose owner changed
	 * are listed there (res->moved of them), so a caller writes only
	 * those without comparing the whole table. */
	uint32_t *changed;
};

struct bucket_result {
	uint32_t moved;		/* owners changed */
	uint32_t freed;		/* of which were owned by gone/unusable ids */
	int balanced;		/* every usable member within one bucket */
};

/* Rewrites owner[0..n) in place. With no usable member the table is left
 * alone (the data path passes such traffic to the kernel). Returns 0 or
 * -EINVAL (n == 0, a zero weight, too many members). */
int bucket_rebalance(uint32_t *owner, uint32_t n,
		     const struct bucket_member *m, int nm,
		     const struct bucket_opts *opts, struct bucket_result *res);

/* 1 if every usable member holds within one bucket of its share and no
 * bucket belongs to anything else (the state bucket_rebalance() leaves). */
int bucket_is_balanced(const uint32_t *owner, uint32_t n,
		       const struct bucket_member *m, int nm);

#define BUCKET_MAX_MEMBERS 1024

/*
 * Where each member's buckets are, so that a failure re-homes a member's
 * buckets without reading the table: one nexthop shared by 1,024 groups of
 * 4,096 buckets owns a quarter of 32 MiB of table, and a full pass over
 * that costs more than the rewrite itself.
 *
 * pos[] lists bucket numbers member by member, each member's ascending:
 * member i's are pos[start[i] .. start[i + 1]), buckets of no member (empty
 * or foreign ids) pos[start[nm] .. n). Valid only for the member ids it was
 * built with and until the table changes: whoever writes the table builds
 * it again (or marks it invalid).
 */
#define BUCKET_INDEX_MAX_MEMBERS	64
#define BUCKET_INDEX_MAX_BUCKETS	65536	/* pos[] holds 16 bits */

struct bucket_index {
	uint16_t *pos;			/* n entries, owned by the caller */
	uint32_t start[BUCKET_INDEX_MAX_MEMBERS + 2];
	uint32_t id[BUCKET_INDEX_MAX_MEMBERS];
	uint32_t n;
	int nm;
	int valid;
};

/* Builds ix (ix->pos must have room for n) from owner[0..n). Leaves it
 * invalid, and returns -E2BIG, when n or nm is beyond the index's reach or
 * two members share an id; the caller then takes bucket_rebalance(). */
int bucket_index_build(struct bucket_index *ix, const uint32_t *owner,
		       uint32_t n, const struct bucket_member *m, int nm);

/* What bucket_rebalance() with no_balance decides, from the index alone:
 * the orphans (buckets of the one member holding buckets that is no longer
 * usable) go, in table order, to the members furthest below target. Writes
 * res->moved pairs to bucket[] and owner[] (room for n each) and changes
 * nothing else: the table and the index are the caller's to update.
 * Returns -ESTALE when the index cannot answer (invalid, other member ids,
 * orphans of two members or of no member): take bucket_rebalance(). */
int bucket_failover(const struct bucket_index *ix,
		    const struct bucket_member *m, int nm,
		    uint32_t *bucket, uint32_t *owner, struct bucket_result *res);

#endif /* ECMP_BUCKET_H */
