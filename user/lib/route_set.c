// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

#include "route_set.h"

/*
 * A slot is the route itself, family 0 when free (routes are ECMP_AF_INET
 * or ECMP_AF_INET6): a used flag beside it made every slot 28 bytes, not
 * 24. The set grows past three quarters full, not half: at a full table
 * (1,250,000 routes) that is 2^21 slots, not 2^22: 48 MiB, not 112 (the
 * trie's routes; the mirror's prefix index was another such set, and is
 * now a position index, below). A lookup at 0.6 full probes about two
 * slots, one cache line mostly; the miss to reach it is the cost either
 * way.
 */
struct slot {
	struct lpm_route r;
};
_Static_assert(sizeof(struct slot) == 24, "a slot is one route, no padding");

static int used(const struct slot *sl)
{
	return sl->r.family != 0;
}

/* Whether n routes may sit in cap slots. */
static int fits(uint64_t n, uint32_t cap)
{
	return n * 4 <= (uint64_t)cap * 3;
}

struct route_set {
	struct slot *slots;
	uint32_t cap;		/* power of two */
	uint32_t count;
};

static int same_key(const struct lpm_route *a, const struct lpm_route *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/*
 * The key's three words (the address's halves, then family and length),
 * each folded in by a multiply and a rotate: a few cycles, where FNV-1a
 * over 18 bytes one at a time took about 70. Seeded once per process at
 * random: prefixes a BGP peer picks to share a slot in one ecmpd do not
 * in another, and a probe run stays short.
 */
static uint64_t hash_seed;

__attribute__((constructor)) static void seed_key_hash(void)
{
	if (getrandom(&hash_seed, sizeof(hash_seed), GRND_NONBLOCK) != sizeof(hash_seed))
		hash_seed = (uint64_t)time(NULL) ^ (uintptr_t)&hash_seed;
}

static uint64_t fold(uint64_t h, uint64_t word, unsigned rot)
{
	h = (h ^ word) * 0x9e3779b97f4a7c15ull;
	return (h << rot) | (h >> (64 - rot));
}

uint32_t route_key_hash(const struct lpm_route *r)
{
	uint64_t hi, lo, h;

	memcpy(&hi, r->addr, 8);
	memcpy(&lo, r->addr + 8, 8);
	h = fold(hash_seed, hi, 31);
	h = fold(h, lo, 27);
	h = fold(h, (uint64_t)r->family << 8 | r->prefixlen, 33);
	h *= 0xd6e8feb86659fd93ull;
	return (uint32_t)(h ^ (h >> 32));
}

/*
 * Slots of a big set (a million routes: 32 MiB and more) in huge pages
 * where the kernel has them (transparent_hugepage "madvise", Debian's
 * default): with 4 KiB pages, building one cost more in page faults and
 * TLB misses than in hashing (twice as long under a hypervisor).
 */
#define HUGE_BYTES	(2u << 20)

/* Zeroed room for a table: huge pages for a big one. */
static void *table_alloc(size_t bytes)
{
	void *p;

	if (bytes < HUGE_BYTES)
		return calloc(1, bytes);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_HUGEPAGE);	/* advice: fine if refused */
	return p;
}

static void table_free(void *p, size_t bytes)
{
	if (bytes < HUGE_BYTES)
		free(p);
	else if (p)
		munmap(p, bytes);
}

static struct slot *slots_alloc(uint32_t n)
{
	return table_alloc(sizeof(struct slot) * (size_t)n);
}

static void slots_free(struct slot *p, uint32_t n)
{
	table_free(p, sizeof(struct slot) * (size_t)n);
}

struct route_set *route_set_new(void)
{
	struct route_set *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cap = 64;
	s->slots = slots_alloc(s->cap);
	if (!s->slots) {
		free(s);
		return NULL;
	}
	return s;
}

void route_set_free(struct route_set *s)
{
	if (!s)
		return;
	slots_free(s->slots, s->cap);
	free(s);
}

static struct slot *find_slot(const struct route_set *s,
			      const struct lpm_route *key)
{
	uint32_t i = route_key_hash(key) & (s->cap - 1);

	while (used(&s->slots[i])) {
		if (same_key(&s->slots[i].r, key))
			return &s->slots[i];
		i = (i + 1) & (s->cap - 1);
	}
	return &s->slots[i];	/* the free slot where key would go */
}

void route_set_prefetch(const struct route_set *s, const struct lpm_route *key)
{
	__builtin_prefetch(&s->slots[route_key_hash(key) & (s->cap - 1)]);
}

static int resize(struct route_set *s, uint32_t cap)
{
	struct slot *old = s->slots;
	uint32_t old_cap = s->cap, i;

	s->slots = slots_alloc(cap);
	if (!s->slots) {
		s->slots = old;
		return -ENOMEM;
	}
	s->cap = cap;
	for (i = 0; i < old_cap; i++)
		if (used(&old[i]))
			*find_slot(s, &old[i].r) = old[i];
	slots_free(old, old_cap);
	return 0;
}

/* The capacity n entries need, from cap doubled (at most three quarters
 * full), or 0 past 2^31. */
static uint32_t cap_for(uint64_t n, uint32_t cap)
{
	while (!fits(n, cap)) {
		if (cap >= 1u << 31)
			return 0;
		cap *= 2;
	}
	return cap;
}

int route_set_reserve(struct route_set *s, uint32_t n)
{
	uint32_t cap = cap_for(n, s->cap);

	if (!cap)
		return -ENOMEM;
	return cap == s->cap ? 0 : resize(s, cap);
}

int route_set_put(struct route_set *s, const struct lpm_route *r)
{
	struct slot *sl;

	if (r->family == 0)
		return -EINVAL;	/* would read as a free slot */
	if (!fits((uint64_t)s->count + 1, s->cap)) {
		int err = s->cap >= 1u << 31 ? -ENOMEM : resize(s, s->cap * 2);

		if (err)
			return err;
	}
	sl = find_slot(s, r);
	if (!used(sl))
		s->count++;
	sl->r = *r;
	return 0;
}

const struct lpm_route *route_set_get(const struct route_set *s,
				      const struct lpm_route *key)
{
	struct slot *sl = find_slot(s, key);

	return used(sl) ? &sl->r : NULL;
}

int route_set_del(struct route_set *s, const struct lpm_route *key)
{
	struct slot *sl = find_slot(s, key);
	uint32_t hole, i, mask = s->cap - 1;

	if (!used(sl))
		return -ENOENT;
	hole = sl - s->slots;
	s->slots[hole].r.family = 0;
	s->count--;
	/* Backward shift: pull later entries of the run into the hole when
	 * their home slot is not between the hole and where they sit. */
	for (i = (hole + 1) & mask; used(&s->slots[i]); i = (i + 1) & mask) {
		uint32_t home = route_key_hash(&s->slots[i].r) & mask;

		if (((i - home) & mask) >= ((i - hole) & mask)) {
			s->slots[hole] = s->slots[i];
			s->slots[i].r.family = 0;
			hole = i;
		}
	}
	return 0;
}

void route_set_clear(struct route_set *s)
{
	memset(s->slots, 0, sizeof(*s->slots) * (size_t)s->cap);
	s->count = 0;
}

uint32_t route_set_count(const struct route_set *s)
{
	return s->count;
}

int route_set_for_each(const struct route_set *s,
		       int (*fn)(const struct lpm_route *r, void *arg),
		       void *arg)
{
	uint32_t i;
	int err;

	for (i = 0; i < s->cap; i++) {
		if (!used(&s->slots[i]))
			continue;
		err = fn(&s->slots[i].r, arg);
		if (err)
			return err;
	}
	return 0;
}

/* ---- the position index (route_set.h) ---- */

/* pos + 1 (0: free), and the key's hash: a probe asks the caller about
 * the element only when the hashes match, and a resize or a removal's
 * backward shift needs no key at all. */
struct pos_slot {
	uint32_t pos1;
	uint32_t hash;
};

struct pos_index {
	struct pos_slot *slots;
	uint32_t cap;		/* power of two */
	uint32_t count;
};

struct pos_index *pos_index_new(void)
{
	struct pos_index *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->cap = 64;
	x->slots = table_alloc(sizeof(*x->slots) * x->cap);
	if (!x->slots) {
		free(x);
		return NULL;
	}
	return x;
}

void pos_index_free(struct pos_index *x)
{
	if (!x)
		return;
	table_free(x->slots, sizeof(*x->slots) * (size_t)x->cap);
	free(x);
}

/* The slot holding key, or the free one where it would go. */
static struct pos_slot *pos_find(const struct pos_index *x, const struct lpm_route *key,
				 uint32_t hash, pos_same_fn same, const void *ctx)
{
	uint32_t i = hash & (x->cap - 1);

	while (x->slots[i].pos1) {
		if (x->slots[i].hash == hash && same(ctx, x->slots[i].pos1 - 1, key))
			return &x->slots[i];
		i = (i + 1) & (x->cap - 1);
	}
	return &x->slots[i];
}

static int pos_resize(struct pos_index *x, uint32_t cap)
{
	struct pos_slot *old = x->slots, *sl = table_alloc(sizeof(*sl) * (size_t)cap);
	uint32_t old_cap = x->cap, i, j;

	if (!sl)
		return -ENOMEM;
	for (i = 0; i < old_cap; i++) {
		if (!old[i].pos1)
			continue;
		for (j = old[i].hash & (cap - 1); sl[j].pos1; j = (j + 1) & (cap - 1))
			;
		sl[j] = old[i];
	}
	x->slots = sl;
	x->cap = cap;
	table_free(old, sizeof(*old) * (size_t)old_cap);
	return 0;
}

int pos_index_reserve(struct pos_index *x, uint32_t n)
{
	uint32_t cap = cap_for(n, x->cap);

	if (!cap)
		return -ENOMEM;
	return cap == x->cap ? 0 : pos_resize(x, cap);
}

int pos_index_get(const struct pos_index *x, const struct lpm_route *key,
		  pos_same_fn same, const void *ctx, uint32_t *pos)
{
	const struct pos_slot *sl = pos_find(x, key, route_key_hash(key), same, ctx);

	if (!sl->pos1)
		return 0;
	*pos = sl->pos1 - 1;
	return 1;
}

int pos_index_put(struct pos_index *x, const struct lpm_route *key, uint32_t pos,
		  pos_same_fn same, const void *ctx)
{
	uint32_t hash = route_key_hash(key);
	struct pos_slot *sl;

	if (pos == UINT32_MAX)
		return -EINVAL;	/* pos + 1 would read as a free slot */
	if (!fits((uint64_t)x->count + 1, x->cap)) {
		int err = x->cap >= 1u << 31 ? -ENOMEM : pos_resize(x, x->cap * 2);

		if (err)
			return err;
	}
	sl = pos_find(x, key, hash, same, ctx);
	if (!sl->pos1)
		x->count++;
	sl->pos1 = pos + 1;
	sl->hash = hash;
	return 0;
}

int pos_index_del(struct pos_index *x, const struct lpm_route *key,
		  pos_same_fn same, const void *ctx)
{
	struct pos_slot *sl = pos_find(x, key, route_key_hash(key), same, ctx);
	uint32_t hole, i, mask = x->cap - 1;

	if (!sl->pos1)
		return -ENOENT;
	hole = sl - x->slots;
	x->slots[hole].pos1 = 0;
	x->count--;
	/* Backward shift, as route_set_del(). */
	for (i = (hole + 1) & mask; x->slots[i].pos1; i = (i + 1) & mask) {
		uint32_t home = x->slots[i].hash & mask;

		if (((i - home) & mask) >= ((i - hole) & mask)) {
			x->slots[hole] = x->slots[i];
			x->slots[i].pos1 = 0;
			hole = i;
		}
	}
	return 0;
}

void pos_index_prefetch(const struct pos_index *x, const struct lpm_route *key)
{
	__builtin_prefetch(&x->slots[route_key_hash(key) & (x->cap - 1)]);
}

void pos_index_clear(struct pos_index *x)
{
	memset(x->slots, 0, sizeof(*x->slots) * (size_t)x->cap);
	x->count = 0;
}

uint32_t pos_index_count(const struct pos_index *x)
{
	return x->count;
}
