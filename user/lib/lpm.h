/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Route table builder for the data path's multibit trie (see ecmp_shared.h
 * for the layout). It writes straight into the trie memory, which is the
 * mmap of the ecmp_lpm_root and ecmp_lpm_node maps in ecmpd and plain memory
 * in tests, in an order that keeps every concurrent lookup correct:
 *  - each part of a subtree that changes is built anew (chunks, tails, run
 *    lists) in free memory before one aligned 32-bit store links it; a
 *    chunk that stays keeps its place and its entries change one by one;
 *  - an unlinked chunk or tail is reused only after an RCU grace period
 *    (membarrier(MEMBARRIER_CMD_GLOBAL) waits for one), so no program can
 *    still be reading it.
 * All functions return 0 or a negative errno.
 */
#ifndef ECMP_LPM_H
#define ECMP_LPM_H

#include <stdint.h>
#include "ecmp_shared.h"
#include "route_set.h"

struct lpm;

/* root: ECMP_LPM_ROOT_CHUNKS chunks; node: nchunks chunks. Both are
 * cleared: the trie starts empty. */
struct lpm *lpm_new(struct ecmp_lpm_chunk *root, struct ecmp_lpm_chunk *node,
		    uint32_t nchunks);
void lpm_free(struct lpm *t);

/* Takes over a trie that is already live (a restarted ecmpd): rebuilds the
 * builder's bookkeeping from the routes it was built from, without moving
 * anything a lookup can see. Entries that disagree with the routes are
 * corrected one store at a time; *repaired counts them (0 for a trie this
 * module built). Returns NULL on ENOMEM or an inconsistent chunk link. */
struct lpm *lpm_attach(struct ecmp_lpm_chunk *root, struct ecmp_lpm_chunk *node,
		       uint32_t nchunks, const struct lpm_route *routes,
		       uint32_t nroutes, uint32_t *repaired);

/* Adds or replaces a route. -ENOSPC when the chunk pool is exhausted (the
 * trie is unchanged then, but for a route that spans several entries, one
 * of /16 or shorter or one that ends inside a chunk, whose parts did not
 * all fit: those already made stay), -EINVAL for a bad family/length/leaf. */
int lpm_add(struct lpm *t, const struct lpm_route *r);
/* Bulk mode: between begin and end, lpm_add() and lpm_del() only record
 * their routes; end builds each root entry they touched once (a table, or
 * a reload's difference, costs one build per root entry, not one per
 * route). 0 or the first error of the builds (-ENOSPC). In bulk mode a
 * route added in it and then removed is looked for among all those added
 * (the routes from before are found by binary search): a reload's
 * removals, which come before its additions, cost no such look. */
void lpm_bulk_begin(struct lpm *t);
int lpm_bulk_end(struct lpm *t);
/* Removes a route; -ENOENT if it is not there, -ENOSPC if the subtree
 * left has no room to be built (the route stays). */
int lpm_del(struct lpm *t, uint8_t family, const uint8_t *addr,
	    uint8_t prefixlen);

/* Longest-prefix match as the data path does it: the leaf, or
 * ECMP_LPM_NONE. Works on any trie memory (e.g. read-only pinned maps). */
uint32_t lpm_walk(const struct ecmp_lpm_chunk *root,
		  const struct ecmp_lpm_chunk *node, uint32_t nchunks,
		  uint8_t family, const uint8_t *addr);

/* The route with exactly this prefix. Returns 0 or -ENOENT. */
int lpm_get(const struct lpm *t, uint8_t family, const uint8_t *addr,
	    uint8_t prefixlen, struct lpm_route *out);
/* What lpm_get of r (masked) will read first, started now: for a loop
 * over a whole table, a few routes ahead. */
void lpm_prefetch(const struct lpm *t, const struct lpm_route *r);

/* Chunks free now or after a grace period (empty pages of tails too).
 * Changes build their subtree before the old one goes: keep room. */
uint32_t lpm_chunks_free(const struct lpm *t);
/* The chunks a trie built anew from r[0..n) takes (the same prefix twice
 * counts once), without building it: what a table needs, checked before
 * it replaces the live one. 0, -EINVAL (a bad route) or -ENOMEM. */
int lpm_chunks_for(const struct lpm_route *r, uint32_t n, uint32_t *chunks);
/* Counts, for show/stats; the routes', out of bulk mode. */
uint32_t lpm_route_count(const struct lpm *t);
uint32_t lpm_chunks_used(const struct lpm *t);

/* Pages of tails and run lists go back to the chunks only when all their
 * slots are free, so a table that shrank change by change can hold more
 * chunks than a fresh build of it. lpm_pages_spare(): the pages that
 * compaction would give back. lpm_compact(): moves the slots of the
 * sparsest pages of each kind into the free slots of the fullest (one
 * store per move: a lookup finds the old copy or the new) and waits one
 * grace period; *chunks_back counts the chunks freed. Not in bulk mode
 * (-EBUSY); -ENOMEM. */
uint32_t lpm_pages_spare(const struct lpm *t);
int lpm_compact(struct lpm *t, uint32_t *chunks_back);

/* Calls fn for every route (unordered); stops on a non-zero return. Out
 * of bulk mode. */
int lpm_for_each(const struct lpm *t,
		 int (*fn)(const struct lpm_route *r, void *arg), void *arg);

/* Masks addr to prefixlen bits in place. */
void lpm_mask(uint8_t *addr, uint8_t family, uint8_t prefixlen);
/* Whether the prefix (family, addr, prefixlen) lies inside net (its
 * family, address with host bits clear, and length). */
int lpm_inside(uint8_t family, const uint8_t *addr, uint8_t prefixlen,
	       uint8_t net_family, const uint8_t *net_addr, uint8_t net_len);

#endif /* ECMP_LPM_H */
