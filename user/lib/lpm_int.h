/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The route trie builder's insides, shared by its files (lpm.c: the
 * routes and their changes, bulk mode; lpm_build.c: building and patching
 * a root entry's subtree; lpm_pool.c: where chunks and slots come from and
 * go back, compaction; lpm_attach.c: taking over a live trie; lpm_walk.c:
 * a lookup in the maps). Not an API: lpm.h is.
 */
#ifndef ECMP_LPM_INT_H
#define ECMP_LPM_INT_H

#include <stdint.h>
#include "ecmp_shared.h"
#include "route_set.h"
#include "rcu.h"

#define ROOT_ENTRIES	(ECMP_LPM_ROOT_CHUNKS * ECMP_LPM_CHUNK)
#define TAIL_BIT	(ECMP_LPM_CHILD | ECMP_LPM_TAIL)

/*
 * The routes longer than /16 under a root entry: the builder's only copy
 * of them. Out of bulk mode all n are sorted (by address, then length)
 * and sorted == n. In bulk mode the first `sorted` stay in place (a
 * change of one of them is made there; a removal leaves its leaf
 * ECMP_LPM_NONE) and the rest are appended as they come, the later of
 * two with one prefix winning; lpm_rvec_refresh() makes it one sorted
 * vector again.
 */
struct rvec {
	struct lpm_route *r;
	uint32_t n, cap, sorted;
};

/* The kinds of slot: tails, then run lists of the four size classes. */
#define KIND_TAIL	0
#define KINDS		5

static const uint8_t slots_per_page[KINDS] = {
	ECMP_LPM_TAILS_PER_CHUNK, ECMP_LPM_RUNS_PER_CHUNK(0), ECMP_LPM_RUNS_PER_CHUNK(1),
	ECMP_LPM_RUNS_PER_CHUNK(2), ECMP_LPM_RUNS_PER_CHUNK(3)
};

/* Costs in 240ths of a chunk: a chunk, and a slot of each kind. */
#define COST_CHUNK	240u

/* Links of slots (entry values), as a slot kind's free list holds them. */
struct links {
	uint32_t *v;
	uint32_t n, cap;
};

struct lpm {
	struct ecmp_lpm_chunk *root;
	struct ecmp_lpm_chunk *node;
	uint32_t nchunks;
	uint8_t *root_depth;		/* prefix length + 1 of the cover; 0: none */
	uint32_t *root_cover;		/* the cover's leaf */
	struct rvec *below;		/* the routes longer than /16 under an entry */
	uint8_t *dirty;			/* bulk mode: rebuild at the end */
	uint32_t *dirty_list, ndirty;
	int bulk;
	uint32_t *free_list, nfree;	/* chunks usable now */
	uint32_t *pending, npending;	/* unlinked, awaiting a grace period */
	struct links slot_free[KINDS];	/* slots usable now, by kind */
	struct links slot_pending[KINDS];	/* unlinked, awaiting a grace period */
	uint32_t slots[KINDS];		/* slots the pages of each kind made */
	uint8_t *page;			/* per chunk: 1 + kind when a page of slots */
	uint8_t *live;			/* per page: its slots in use */
	uint32_t empty_pages;		/* pages with none (reclaimed at recycle) */
	/* The routes of /16 and shorter (few in any table); the longer ones
	 * are in below[] alone, nlong of them out of bulk mode. */
	struct route_set *shorts;
	uint32_t nlong;
};

#ifdef ECMP_LPM_WATCH
/* A test build (tests/unit/lpm_watch.c): each store a lookup can see
 * and each wait for readers goes to the test, which makes the store or
 * the wait itself and checks the trie around it. */
void lpm_watch_store(uint32_t *e, uint32_t v);
void lpm_watch_readers_gone(void);
#endif

/* The one way an entry that a lookup may read changes. */
static inline void store_entry(uint32_t *e, uint32_t v)
{
#ifdef ECMP_LPM_WATCH
	lpm_watch_store(e, v);
#else
	__atomic_store_n(e, v, __ATOMIC_RELEASE);
#endif
}

/* Returns when no program can still be reading what was unlinked before
 * the call (rcu.h): the builder may then write it again. */
static inline void wait_readers(void)
{
#ifdef ECMP_LPM_WATCH
	lpm_watch_readers_gone();
#else
	rcu_wait_readers();
#endif
}

static inline int addr_len(uint8_t family)
{
	return family == ECMP_AF_INET ? 4 : family == ECMP_AF_INET6 ? 16 : 0;
}

static inline uint32_t root_index(uint8_t family, const uint8_t *addr)
{
	return (family == ECMP_AF_INET6 ? 65536 : 0) + ((uint32_t)addr[0] << 8 | addr[1]);
}

/* A tail slot's link: a tail or a run list. */
static inline int is_tail(uint32_t v)
{
	return (v & TAIL_BIT) == TAIL_BIT;
}

static inline int is_runs(uint32_t v)
{
	return is_tail(v) && (v & ECMP_LPM_RUNS);
}

static inline int is_child(uint32_t v)
{
	return (v & TAIL_BIT) == ECMP_LPM_CHILD;
}

static inline struct ecmp_lpm_tail *tail_at(struct lpm *t, uint32_t v)
{
	uint32_t x = ECMP_LPM_SLOT(v);

	return &t->node[x >> 3].tail[x & 7];
}

/* A slot link's kind, chunk and slot; the link of a kind's slot. */
static inline int link_kind(uint32_t v)
{
	return is_runs(v) ? 1 + (int)ECMP_LPM_RUNS_CLASS(v) : KIND_TAIL;
}

static inline uint32_t link_chunk(uint32_t v)
{
	return is_runs(v) ? ECMP_LPM_RUNS_CHUNK(v) : ECMP_LPM_SLOT(v) >> 3;
}

static inline uint32_t link_slot(uint32_t v)
{
	return is_runs(v) ? ECMP_LPM_RUNS_SLOT(v) : v & 7;
}

static inline uint32_t slot_link(int kind, uint32_t chunk, uint32_t slot)
{
	if (kind == KIND_TAIL)
		return TAIL_BIT | chunk << 3 | slot;
	return ECMP_LPM_RUNS_LINK(kind - 1, chunk, slot);
}

static inline uint32_t slot_cost(int kind)
{
	return COST_CHUNK / slots_per_page[kind];
}

/* A run list's first byte in the pool. */
static inline uint8_t *runs_at(struct ecmp_lpm_chunk *node, uint32_t v)
{
	return node[ECMP_LPM_RUNS_CHUNK(v)].bytes +
	       ECMP_LPM_RUNS_SLOT(v) * ECMP_LPM_RUNS_SIZE(ECMP_LPM_RUNS_CLASS(v));
}

struct adopt {
	uint8_t *used;		/* per chunk: 1 chunk, 2 + kind a page of slots */
	uint8_t *slot_used;	/* per slot: chunk << 4 | slot */
	uint32_t *mine, nmine;	/* chunks and slots this root entry marked */
};

/* What a subtree takes: chunks, and slots of each kind. */
struct tally {
	uint64_t chunks, slots[KINDS];
};

/* No cost known yet: lpm_patch_top() counts it. */
#define COST_UNKNOWN	UINT64_MAX

/* lpm.c */
struct lpm *lpm_alloc(struct ecmp_lpm_chunk *root, struct ecmp_lpm_chunk *node,
		      uint32_t nchunks);
int lpm_route_valid(uint8_t family, uint8_t plen);
void lpm_root_range(const struct lpm_route *r, uint32_t *first, uint32_t *count);
int lpm_rvec_append(struct rvec *v, const struct lpm_route *r);
/* Bulk mode's end for one root entry's routes: sorted, one per prefix,
 * removals gone, no more room held than they take. */
void lpm_rvec_refresh(struct lpm *t, struct rvec *v);

/* lpm_build.c */
/* Adds to x what a build of r[0..n) at depth d under cover would make
 * (r reordered). */
void lpm_build_tally(struct lpm_route *r, uint32_t n, int d, uint32_t cover,
		     struct tally *x);
uint64_t lpm_tally_cost(const struct tally *x);	/* in 240ths of a chunk */
uint64_t lpm_live_cost(const struct lpm *t, uint32_t v);	/* the same, of v's subtree */
/* Makes the entry *e at depth d what r[0..n) under cover build (cost:
 * what that takes, or COST_UNKNOWN), patching the live subtree. */
int lpm_patch_top(struct lpm *t, uint32_t *e, struct lpm_route *r, uint32_t n,
		  int d, uint32_t cover, uint64_t cost);
/* Makes a root entry's subtree what its routes build; in bulk mode only
 * marks it. */
int lpm_rebuild_costed(struct lpm *t, uint32_t idx, uint64_t cost);
int lpm_rebuild(struct lpm *t, uint32_t idx);
/* Whether the live entry v is what a build of r[0..n) under cover at
 * depth d makes; with a (taking over a trie) it marks what it uses. */
int lpm_same_subtree(struct lpm *t, struct adopt *a, uint32_t v,
		     struct lpm_route *r, uint32_t n, int d, uint32_t cover);

/* lpm_pool.c */
int lpm_reserve_slots(struct lpm *t, int kind, uint32_t n);
void lpm_recycle(struct lpm *t);
int lpm_alloc_chunk(struct lpm *t, uint32_t *out);
int lpm_alloc_slot(struct lpm *t, int kind, uint32_t *out);
void lpm_release(struct lpm *t, uint32_t v, int now);

#endif /* ECMP_LPM_INT_H */
