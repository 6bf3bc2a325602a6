/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A set of routes keyed by (family, prefix length, masked address): open
 * addressing with linear probing and backward-shift deletion, growing by
 * doubling. Pure user-space bookkeeping for the trie builder.
 */
#ifndef ECMP_ROUTE_SET_H
#define ECMP_ROUTE_SET_H

#include <stdint.h>

/* A route as the trie builder (lpm.h) takes it. */
struct lpm_route {
	uint8_t family;		/* ECMP_AF_INET or ECMP_AF_INET6 */
	uint8_t prefixlen;
	uint8_t addr[16];	/* network order, masked to prefixlen */
	uint32_t leaf;		/* ECMP_LPM_LEAF(group) or ECMP_LPM_LOCAL */
};

struct route_set;

struct route_set *route_set_new(void);
void route_set_free(struct route_set *s);
/* Room for n routes without growing: a caller that knows how many are
 * coming saves the rehashes of every doubling on the way (each a random
 * access per route: seconds for a full table). Returns 0 or -ENOMEM. */
int route_set_reserve(struct route_set *s, uint32_t n);
/* Inserts or replaces (by key). Returns 0, -EINVAL (family 0: not a
 * route) or -ENOMEM. */
int route_set_put(struct route_set *s, const struct lpm_route *r);
const struct lpm_route *route_set_get(const struct route_set *s,
				      const struct lpm_route *key);
/* Starts reading key's slot into the cache, for a caller with many
 * lookups to make: called a few keys ahead, their cache misses (a
 * million-route set is far larger than any cache) overlap instead of
 * coming one after the other. */
void route_set_prefetch(const struct route_set *s, const struct lpm_route *key);
/* Returns 0 or -ENOENT. */
int route_set_del(struct route_set *s, const struct lpm_route *key);
/* Empties the set, keeping its memory: a set of a million routes built
 * again costs a third of a second in fresh zeroed pages alone. */
void route_set_clear(struct route_set *s);
uint32_t route_set_count(const struct route_set *s);
int route_set_for_each(const struct route_set *s,
		       int (*fn)(const struct lpm_route *r, void *arg),
		       void *arg);

/* The hash both tables use (of family, prefix length and address; seeded
 * per process). */
uint32_t route_key_hash(const struct lpm_route *r);

/*
 * A position index: where in the caller's array the element with a key
 * is, for an array whose elements hold their keys already. A slot is the
 * position and the key's hash, 8 bytes, where a route_set keeping the
 * key again takes 24: at a full table, 16 MiB against 48. same() says
 * whether the element at pos has key; it is asked only when the hashes
 * match, and never about a position no longer in the index. A key put
 * again moves to the new position.
 */
struct pos_index;
typedef int (*pos_same_fn)(const void *ctx, uint32_t pos, const struct lpm_route *key);

struct pos_index *pos_index_new(void);
void pos_index_free(struct pos_index *x);
/* Room for n positions without growing. 0 or -ENOMEM. */
int pos_index_reserve(struct pos_index *x, uint32_t n);
/* 1 and *pos when key is in the index, else 0. */
int pos_index_get(const struct pos_index *x, const struct lpm_route *key,
		  pos_same_fn same, const void *ctx, uint32_t *pos);
/* 0, -EINVAL (pos UINT32_MAX) or -ENOMEM. */
int pos_index_put(struct pos_index *x, const struct lpm_route *key, uint32_t pos,
		  pos_same_fn same, const void *ctx);
/* 0 or -ENOENT. */
int pos_index_del(struct pos_index *x, const struct lpm_route *key,
		  pos_same_fn same, const void *ctx);
void pos_index_prefetch(const struct pos_index *x, const struct lpm_route *key);
void pos_index_clear(struct pos_index *x);
uint32_t pos_index_count(const struct pos_index *x);

#endif /* ECMP_ROUTE_SET_H */
