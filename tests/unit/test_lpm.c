// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The trie builder against a linear longest-prefix-match reference: random
 * route sets (IPv4 and IPv6, clustered so routes nest and share chunks),
 * random additions and removals, lookups of random and boundary addresses.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lpm.h"
#include "lib/route_set.h"
#include "lib/text.h"
#include "../test.h"
#include "lpm_ref.h"

TEST_STATE_DEFINE;

#define NCHUNKS 4096

static struct ecmp_lpm_chunk root[ECMP_LPM_ROOT_CHUNKS];
static struct ecmp_lpm_chunk node[NCHUNKS];

static long check_all(struct lpm *t, const struct lpm_ref *ref,
		      unsigned long long *s, int probes)
{
	long bad = 0;
	int i;

	for (i = 0; i < probes; i++) {
		uint8_t a[16], family = (i & 1) ? ECMP_AF_INET6 : ECMP_AF_INET;
		uint32_t got, want;

		if (ref->n && (i % 3) == 0) {
			/* An address inside, or at the end of, a route. */
			const struct lpm_route *r = &ref->r[test_rand(s) % ref->n];

			family = r->family;
			lpm_ref_addr_in(s, r, (i / 3) & 1, a);
		} else {
			lpm_ref_random_addr(s, family, a);
		}
		got = lpm_walk(root, node, NCHUNKS, family, a);
		want = lpm_ref_lookup(ref, family, a);
		if (got != want && bad++ < 4)
			CHECK(0, "lookup family %d: got %u want %u", family, got,
			      want);
	}
	(void)t;
	return bad;
}

struct shape {
	uint32_t chunks, tails, runs, runs_by_class[4];
};

static void shape_of(const struct ecmp_lpm_chunk *n, uint32_t v, struct shape *sh)
{
	uint32_t i;

	if ((v & (ECMP_LPM_CHILD | ECMP_LPM_TAIL)) == ECMP_LPM_CHILD) {
		sh->chunks++;
		for (i = 0; i < ECMP_LPM_CHUNK; i++)
			shape_of(n, n[v & ~ECMP_LPM_CHILD].entry[i], sh);
	} else if ((v & (ECMP_LPM_CHILD | ECMP_LPM_TAIL)) == (ECMP_LPM_CHILD | ECMP_LPM_TAIL)) {
		if (v & ECMP_LPM_RUNS) {
			sh->runs++;
			sh->runs_by_class[ECMP_LPM_RUNS_CLASS(v)]++;
		} else
			sh->tails++;
	}
}

static struct shape trie_shape(const struct ecmp_lpm_chunk *r, const struct ecmp_lpm_chunk *n)
{
	struct shape sh = { 0 };
	uint32_t i;

	for (i = 0; i < ECMP_LPM_ROOT_CHUNKS * ECMP_LPM_CHUNK; i++)
		shape_of(n, r[i / ECMP_LPM_CHUNK].entry[i % ECMP_LPM_CHUNK], &sh);
	return sh;
}

/* A trie changed route by route has the shape a build of its routes from
 * nothing has: as many chunks, tails and run lists. */
static int same_shape_as_a_build(const struct lpm_ref *ref)
{
	static struct ecmp_lpm_chunk root2[ECMP_LPM_ROOT_CHUNKS], node2[NCHUNKS];
	struct lpm *fresh = lpm_new(root2, node2, NCHUNKS);
	struct shape a, b;
	int i, ok;

	if (!fresh)
		return 0;
	lpm_bulk_begin(fresh);
	for (i = 0; i < ref->n; i++)
		lpm_add(fresh, &ref->r[i]);
	ok = !lpm_bulk_end(fresh);
	a = trie_shape(root, node);
	b = trie_shape(root2, node2);
	lpm_free(fresh);
	if (!ok || a.chunks != b.chunks || a.tails != b.tails ||
	    memcmp(a.runs_by_class, b.runs_by_class, sizeof(a.runs_by_class))) {
		CHECK(0, "changed: %u chunks %u tails %u run lists; built: %u %u %u",
		      a.chunks, a.tails, a.runs, b.chunks, b.tails, b.runs);
		return 0;
	}
	return 1;
}

/* adds random routes (up to 4000 in ref), then removes dels of ref's:
 * the first error of lpm_add() or lpm_del(), or 0. */
static int random_changes(struct lpm *t, struct lpm_ref *ref, unsigned long long *s,
			  int adds, int dels)
{
	int i, err = 0;

	for (i = 0; i < adds && ref->n < 4000 && !err; i++) {
		struct lpm_route r;

		lpm_ref_random_route(s, &r);
		err = lpm_add(t, &r);
		lpm_ref_put(ref, &r);
	}
	for (i = 0; i < dels && ref->n && !err; i++) {
		int at = test_rand(s) % ref->n;

		err = lpm_del(t, ref->r[at].family, ref->r[at].addr, ref->r[at].prefixlen);
		lpm_ref_remove(ref, at);
	}
	return err;
}

static void test_lpm_random_add_del(void)
{
	static struct lpm_ref ref;
	unsigned long long s = 0x5eed0001;
	uint32_t runs_seen = 0;
	struct lpm *t = lpm_new(root, node, NCHUNKS);
	int round;

	ASSERT_TRUE(t != NULL, "lpm_new");
	ref.n = 0;
	for (round = 0; round < 40; round++) {
		ASSERT_EQ(random_changes(t, &ref, &s, 60, 30), 0, "lpm_add and lpm_del");
		ASSERT_EQ(lpm_route_count(t), ref.n, "route count");
		ASSERT_EQ(check_all(t, &ref, &s, 3000), 0, "lookups");
		ASSERT_TRUE(same_shape_as_a_build(&ref), "shape");
		runs_seen += trie_shape(root, node).runs;
	}
	CHECK(runs_seen > 0, "no run list was built");
	/* Remove everything: no chunk may stay in use. */
	while (ref.n) {
		ref.n--;
		ASSERT_EQ(lpm_del(t, ref.r[ref.n].family, ref.r[ref.n].addr,
				  ref.r[ref.n].prefixlen), 0, "lpm_del all");
	}
	ASSERT_EQ(lpm_chunks_used(t), 0, "chunks after removing all");
	ASSERT_EQ(check_all(t, &ref, &s, 2000), 0, "empty lookups");
	lpm_free(t);
}

/* Two sibling /25s with one leaf; removing one must leave the other in
 * place, and removing both free everything. */
static void test_lpm_sibling_routes(void)
{
	struct lpm *t = lpm_new(root, node, NCHUNKS);
	struct lpm_route a = { .family = ECMP_AF_INET, .prefixlen = 25,
			       .addr = { 198, 18, 1, 0 }, .leaf = 5 };
	struct lpm_route b = a;
	uint8_t in_a[16] = { 198, 18, 1, 7 }, in_b[16] = { 198, 18, 1, 200 };

	b.addr[3] = 128;
	ASSERT_EQ(lpm_add(t, &a), 0, "add a");
	ASSERT_EQ(lpm_add(t, &b), 0, "add b");
	ASSERT_EQ(lpm_del(t, a.family, a.addr, 25), 0, "del a");
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET, in_a),
		  ECMP_LPM_NONE, "a gone");
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET, in_b), 5,
		  "b stays");
	ASSERT_EQ(lpm_del(t, b.family, b.addr, 25), 0, "del b");
	ASSERT_EQ(lpm_chunks_used(t), 0, "no chunks left");
	lpm_free(t);
}

static void test_lpm_default_and_host_routes(void)
{
	struct lpm *t = lpm_new(root, node, NCHUNKS);
	struct lpm_route def = { .family = ECMP_AF_INET6, .prefixlen = 0,
				 .leaf = 1 };
	struct lpm_route host = { .family = ECMP_AF_INET6, .prefixlen = 128,
				  .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 },
				  .leaf = ECMP_LPM_LOCAL };
	uint8_t other[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 8 };

	ASSERT_EQ(lpm_add(t, &def), 0, "add ::/0");
	ASSERT_EQ(lpm_add(t, &host), 0, "add /128");
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET6, host.addr),
		  ECMP_LPM_LOCAL, "host route");
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET6, other), 1,
		  "default");
	/* Alone under its root entry: one tail, not a chain of 14 chunks. */
	ASSERT_EQ(lpm_chunks_used(t), 1, "a /128 alone takes one chunk of tails");
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET, other),
		  ECMP_LPM_NONE, "IPv4 unaffected");
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET6, host.addr, 128), 0, "del /128");
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET6, host.addr), 1,
		  "falls back to default");
	ASSERT_EQ(lpm_chunks_used(t), 0, "chunks freed");
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET6, host.addr, 128), -ENOENT,
		  "del missing");
	lpm_free(t);
}

static void test_lpm_pool_exhausted(void)
{
	static struct ecmp_lpm_chunk small[4];
	struct lpm *t = lpm_new(root, small, 4);
	struct lpm_route r = { .family = ECMP_AF_INET, .prefixlen = 32,
			       .addr = { 198, 18, 0, 1 }, .leaf = 3 };
	int i, err = 0;

	/* Host routes in distinct /24s of one /16: a chunk for the /16's
	 * subtree, then a tail each, 6 to a chunk: 3 chunks of tails. */
	for (i = 0; i < 64 && !err; i++) {
		r.addr[2] = i;
		err = lpm_add(t, &r);
	}
	ASSERT_EQ(err, -ENOSPC, "pool runs out");
	ASSERT_EQ(i, 19, "1 chunk and 18 tails fit");
	ASSERT_EQ(lpm_walk(root, small, 4, ECMP_AF_INET, r.addr), ECMP_LPM_NONE,
		  "failed route not visible");
	ASSERT_EQ(lpm_route_count(t), i - 1, "failed route not recorded");
	r.addr[2] = 5;
	ASSERT_EQ(lpm_walk(root, small, 4, ECMP_AF_INET, r.addr), 3,
		  "the others still there");
	lpm_free(t);
}

/* /24 b of 198.18.0.0/16 with five host routes whose leaves (groups past
 * 16 bits) keep a chunk: one chunk each, under the /16's chunk. */
static void crowded_24(struct lpm_ref *ref, int b, uint32_t leaf_base)
{
	int j;

	for (j = 1; j <= 5; j++) {
		struct lpm_route *r = &ref->r[ref->n++];

		memset(r, 0, sizeof(*r));
		r->family = ECMP_AF_INET;
		r->prefixlen = 32;
		r->addr[0] = 198; r->addr[1] = 18; r->addr[2] = b; r->addr[3] = j;
		r->leaf = leaf_base + j;
	}
}

/* The lookups of every route of ref, and of the address after each. */
static long check_routes(const struct lpm_ref *ref, uint32_t nchunks)
{
	long bad = 0;
	int i;

	for (i = 0; i < ref->n; i++) {
		uint8_t a[16];

		memcpy(a, ref->r[i].addr, 16);
		a[3] ^= 0x80;
		if (lpm_walk(root, node, nchunks, ref->r[i].family, ref->r[i].addr) !=
		    lpm_ref_lookup(ref, ref->r[i].family, ref->r[i].addr) ||
		    lpm_walk(root, node, nchunks, ref->r[i].family, a) !=
		    lpm_ref_lookup(ref, ref->r[i].family, a))
			bad++;
	}
	return bad;
}

/* A whole read changes what it changes: one route of a crowded /16, or
 * most of its routes swapped for others, needs room for the parts that
 * change, not for a second copy of the /16's subtree. Built anew, the
 * /16 here takes 151 of 200 chunks, and two of it do not fit. */
static void test_lpm_bulk_change_needs_room_for_the_change(void)
{
	static struct lpm_ref ref, next;
	struct lpm *t = lpm_new(root, node, 200);
	unsigned long long s = 0xb01c;
	int b, i, round;

	ASSERT_TRUE(t != NULL, "lpm_new");
	ref.n = 0;
	for (b = 100; b < 250; b++)
		crowded_24(&ref, b, 0x10000 + 8 * b);
	lpm_bulk_begin(t);
	for (i = 0; i < ref.n; i++)
		ASSERT_EQ(lpm_add(t, &ref.r[i]), 0, "lpm_add");
	ASSERT_EQ(lpm_bulk_end(t), 0, "the /16 built");
	ASSERT_EQ(lpm_chunks_used(t), 151, "a chunk per /24 and the /16's");
	/* One leaf changed by a whole read. */
	ref.r[7].leaf = 0x20000;
	lpm_bulk_begin(t);
	for (i = 0; i < ref.n; i++)
		ASSERT_EQ(lpm_add(t, &ref.r[i]), 0, "lpm_add again");
	ASSERT_EQ(lpm_bulk_end(t), 0, "one leaf of the crowded /16 changed");
	ASSERT_EQ(check_routes(&ref, 200), 0, "lookups after one change");
	/* /24s 150..249 removed and 0..99 added in one whole read: 251
	 * chunks old and new together, 151 when done. In the chunk's order
	 * the additions come first: they must wait for the removals. */
	next.n = 0;
	for (b = 0; b < 150; b++)
		crowded_24(&next, b, 0x30000 + 8 * b);
	lpm_bulk_begin(t);
	for (i = 0; i < ref.n; i++)
		if (ref.r[i].addr[2] >= 150)
			ASSERT_EQ(lpm_del(t, ECMP_AF_INET, ref.r[i].addr, 32), 0, "lpm_del");
	for (i = 0; i < next.n; i++)
		ASSERT_EQ(lpm_add(t, &next.r[i]), 0, "lpm_add of the next table");
	ASSERT_EQ(lpm_bulk_end(t), 0, "two thirds of the /16 swapped");
	ASSERT_EQ(lpm_route_count(t), next.n, "route count");
	ASSERT_EQ(check_routes(&next, 200), 0, "lookups after the swap");
	for (i = b = 0; i < ref.n; i++)
		b += ref.r[i].addr[2] >= 150 &&
		     lpm_walk(root, node, 200, ECMP_AF_INET, ref.r[i].addr) != ECMP_LPM_NONE;
	ASSERT_EQ(b, 0, "the removed routes' addresses: no route");
	ASSERT_EQ(lpm_chunks_used(t), 151, "as a build of the new table");
	lpm_free(t);

	/* Random whole reads of nested routes: after each, the trie answers
	 * as the reference and has a fresh build's shape. */
	t = lpm_new(root, node, NCHUNKS);
	ASSERT_TRUE(t != NULL, "lpm_new");
	ref.n = 0;
	for (round = 0; round < 12; round++) {
		lpm_bulk_begin(t);
		ASSERT_EQ(random_changes(t, &ref, &s, 80, 40), 0, "lpm_add and lpm_del (bulk)");
		for (i = 0; i < 20 && ref.n; i++) {	/* leaves changed */
			int at = test_rand(&s) % ref.n;

			ref.r[at].leaf = ECMP_LPM_LEAF(test_rand(&s) % 64);
			ASSERT_EQ(lpm_add(t, &ref.r[at]), 0, "lpm_add of a new leaf");
		}
		ASSERT_EQ(lpm_bulk_end(t), 0, "bulk end");
		ASSERT_EQ(check_all(t, &ref, &s, 3000), 0, "lookups");
		ASSERT_TRUE(same_shape_as_a_build(&ref), "shape");
	}
	lpm_free(t);
}

static void test_lpm_rejects_bad_input(void)
{
	struct lpm *t = lpm_new(root, node, NCHUNKS);
	struct lpm_route r = { .family = ECMP_AF_INET, .prefixlen = 33,
			       .leaf = 1 };

	ASSERT_EQ(lpm_add(t, &r), -EINVAL, "/33");
	r.prefixlen = 8;
	r.family = 5;
	ASSERT_EQ(lpm_add(t, &r), -EINVAL, "family");
	r.family = ECMP_AF_INET;
	r.leaf = ECMP_LPM_NONE;
	ASSERT_EQ(lpm_add(t, &r), -EINVAL, "leaf none");
	lpm_free(t);
}

static int collect(const struct lpm_route *r, void *arg)
{
	struct lpm_ref *ref = arg;

	ref->r[ref->n++] = *r;
	return 0;
}

/* A restarted ecmpd takes over the live trie: nothing is rewritten, the
 * bookkeeping matches, and later changes work as before. */
static void test_lpm_attach_live_trie(void)
{
	static struct lpm_ref ref, copy;
	unsigned long long s = 0xa77ac4;
	struct lpm *t = lpm_new(root, node, NCHUNKS), *u;
	uint32_t repaired, used;
	int i;

	ref.n = 0;
	for (i = 0; i < 1500; i++) {
		struct lpm_route r;
		int at;

		lpm_ref_random_route(&s, &r);
		lpm_add(t, &r);
		at = lpm_ref_find(&ref, &r);
		ref.r[at >= 0 ? at : ref.n++] = r;
	}
	for (i = 0; i < 400; i++) {	/* removals leave collapsed chunks */
		int at = test_rand(&s) % ref.n;

		lpm_del(t, ref.r[at].family, ref.r[at].addr, ref.r[at].prefixlen);
		ref.r[at] = ref.r[--ref.n];
	}
	used = lpm_chunks_used(t);
	copy.n = 0;
	lpm_for_each(t, collect, &copy);
	lpm_free(t);

	u = lpm_attach(root, node, NCHUNKS, copy.r, copy.n, &repaired);
	ASSERT_TRUE(u != NULL, "attach");
	if (!u)
		return;
	ASSERT_EQ(repaired, 0, "entries rewritten on attach");
	ASSERT_EQ(lpm_chunks_used(u), used, "chunks in use");
	ASSERT_EQ(check_all(u, &ref, &s, 4000), 0, "lookups after attach");
	for (i = 0; i < 200; i++) {
		int at = test_rand(&s) % ref.n;

		ASSERT_EQ(lpm_del(u, ref.r[at].family, ref.r[at].addr,
				  ref.r[at].prefixlen), 0, "del after attach");
		ref.r[at] = ref.r[--ref.n];
	}
	ASSERT_EQ(check_all(u, &ref, &s, 4000), 0, "lookups after changes");
	/* A corrupted entry is put right. */
	root[ECMP_LPM_CHUNK * 1 + 2].entry[3] = 77;
	copy.n = 0;
	lpm_for_each(u, collect, &copy);
	lpm_free(u);
	u = lpm_attach(root, node, NCHUNKS, copy.r, copy.n, &repaired);
	ASSERT_TRUE(u && repaired >= 1, "corruption repaired");
	ASSERT_EQ(check_all(u, &ref, &s, 4000), 0, "lookups after repair");
	lpm_free(u);
}

/* A trie from before tails (a chain of chunks where a tail would do) is
 * taken over as it is: no rewrite while an older program may still be
 * reading it; it turns into tails as it changes. */
static void test_lpm_attach_chunks_before_tails(void)
{
	struct lpm_route r = { .family = ECMP_AF_INET, .prefixlen = 24,
			       .addr = { 10, 1, 2, 0 }, .leaf = 7 }, r2 = r;
	uint8_t in[16] = { 10, 1, 2, 9 }, out[16] = { 10, 1, 3, 9 };
	uint32_t repaired;
	struct lpm *t;

	memset(root, 0, sizeof(root));
	memset(node, 0, sizeof(node));
	node[5].entry[2] = 7;
	root[10].entry[1] = ECMP_LPM_CHILD | 5;
	t = lpm_attach(root, node, NCHUNKS, &r, 1, &repaired);
	ASSERT_TRUE(t != NULL, "attach");
	if (!t)
		return;
	ASSERT_EQ(repaired, 0, "nothing rewritten");
	ASSERT_EQ(root[10].entry[1], ECMP_LPM_CHILD | 5, "the chunk kept");
	ASSERT_EQ(lpm_chunks_used(t), 1, "its chunk in use");
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET, in), 7, "inside");
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET, out), ECMP_LPM_NONE, "outside");
	r2.addr[2] = 3;
	r2.leaf = 8;
	ASSERT_EQ(lpm_add(t, &r2), 0, "a second route");
	ASSERT_TRUE((root[10].entry[1] & (ECMP_LPM_CHILD | ECMP_LPM_TAIL)) ==
		    (ECMP_LPM_CHILD | ECMP_LPM_TAIL), "now a tail");
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET, in), 7, "first");
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET, out), 8, "second");
	lpm_free(t);
}

/* IPv6 /48s each alone under its /32: one tail each, six to a chunk,
 * where a chain of chunks took four chunks each. */
static void test_lpm_sparse_ipv6_in_tails(void)
{
	struct lpm *t = lpm_new(root, node, NCHUNKS);
	unsigned long long s = 0x48;
	int i;

	for (i = 0; i < 600; i++) {
		struct lpm_route r = { .family = ECMP_AF_INET6, .prefixlen = 48,
				       .leaf = 1 + i % 7 };
		uint64_t x = test_rand(&s);

		r.addr[0] = 0x20;
		r.addr[1] = 0x01 + (i % 3);
		memcpy(r.addr + 2, &x, 4);
		ASSERT_EQ(lpm_add(t, &r), 0, "add /48");
	}
	ASSERT_TRUE(lpm_chunks_used(t) < 300, "fewer than half a chunk a route");
	lpm_free(t);
}

/* A restart takes over a trie whose tails sit in the last chunks of the
 * pool (a nearly full pool: a full table): every entry is found as built,
 * none "repaired". The attach's per-slot marks once had room for six
 * slots a chunk where a link numbers eight, and read past their end. */
static void test_lpm_attach_tails_at_the_pool_end(void)
{
	static struct lpm_route r[20000];
	struct lpm *t = lpm_new(root, node, NCHUNKS), *u;
	uint32_t i, n = 0, repaired = 99, highest = 0;
	unsigned long long s = 0x7a11;

	ASSERT_TRUE(t != NULL, "lpm_new");
	/* 3,400 IPv4 /16s with five /24s each: a chunk apiece, first (their
	 * groups past 16 bits: not run lists). */
	for (i = 0; i < 3400; i++) {
		int k;

		for (k = 0; k < 5; k++) {
			r[n] = (struct lpm_route){ .family = ECMP_AF_INET, .prefixlen = 24,
						   .leaf = ECMP_LPM_LEAF(0x10000 + k) };
			r[n].addr[0] = 1 + i / 256;
			r[n].addr[1] = i % 256;
			r[n].addr[2] = k;
			ASSERT_EQ(lpm_add(t, &r[n]), 0, "add a /24");
			n++;
		}
	}
	/* Then sparse IPv6 /48s: tails, in the chunks that are left. */
	for (i = 0; i < 1500; i++) {
		uint64_t x = test_rand(&s);

		r[n] = (struct lpm_route){ .family = ECMP_AF_INET6, .prefixlen = 48,
					   .leaf = ECMP_LPM_LEAF(i % 9) };
		r[n].addr[0] = 0x2a;
		memcpy(r[n].addr + 1, &x, 5);
		ASSERT_EQ(lpm_add(t, &r[n]), 0, "add a /48");
		n++;
	}
	for (i = 0; i < ECMP_LPM_CHUNK; i++) {
		uint32_t v = root[ECMP_LPM_CHUNK + 0x2a].entry[i];

		if ((v & (ECMP_LPM_CHILD | ECMP_LPM_TAIL)) == (ECMP_LPM_CHILD | ECMP_LPM_TAIL) &&
		    (ECMP_LPM_SLOT(v) >> 3) > highest)
			highest = ECMP_LPM_SLOT(v) >> 3;
	}
	ASSERT_TRUE(highest >= NCHUNKS * 6 / 8, "tails past three quarters of the pool");
	lpm_free(t);
	u = lpm_attach(root, node, NCHUNKS, r, n, &repaired);
	ASSERT_TRUE(u != NULL, "lpm_attach");
	CHECK(repaired == 0, "%u entries repaired (tails up to chunk %u)", repaired, highest);
	lpm_free(u);
}

static uint32_t entry_kind(uint32_t v)
{
	return v & (ECMP_LPM_CHILD | ECMP_LPM_TAIL | ECMP_LPM_RUNS);
}

#define KIND_RUNS	(ECMP_LPM_CHILD | ECMP_LPM_TAIL | ECMP_LPM_RUNS)

static struct lpm_route v4_24(uint8_t b2, uint32_t leaf)
{
	return (struct lpm_route){ .family = ECMP_AF_INET, .prefixlen = 24,
				   .addr = { 198, 18, b2, 0 }, .leaf = leaf };
}

/* The leaf at every /24 of 198.18.0.0/16 is what the routes say. */
static int v4_16_reads(const uint32_t *want)
{
	uint8_t a[4] = { 198, 18, 0, 77 };
	int b, bad = 0;

	for (b = 0; b < 256; b++) {
		a[2] = b;
		if (lpm_walk(root, node, NCHUNKS, ECMP_AF_INET, a) != want[b] && bad++ < 3)
			CHECK(0, "198.18.%d.77: %u, want %u", b, lpm_walk(root, node, NCHUNKS,
			      ECMP_AF_INET, a), want[b]);
	}
	return !bad;
}

/* The runs each size class holds, with 8-bit leaves and with 16-bit. */
static const int class_runs[2][4] = { { 24, 56, 88, 120 }, { 12, 28, 44, 60 } };

/* The runs of the run list v links: the bits of its bitmap, which its
 * counts must agree with word by word. */
static int runs_n(uint32_t v)
{
	const uint8_t *r = node[ECMP_LPM_RUNS_CHUNK(v)].bytes + ECMP_LPM_RUNS_SLOT(v) *
			   ECMP_LPM_RUNS_SIZE(ECMP_LPM_RUNS_CLASS(v));
	uint32_t w, word;
	int n = 0;

	for (w = 0; w < 8; w++) {
		if (r[ECMP_LPM_RUNS_BEFORE + w] != n)
			return -1;
		memcpy(&word, r + 4 * w, 4);
		n += __builtin_popcount(word);
	}
	return n;
}

/* A chunk of leaves in few enough runs is a run list of the smallest size
 * class that holds them, its leaves in 8 bits when they all fit (wide 0:
 * leaves of groups below 253) and 16 otherwise (wide 1: groups from
 * 300); one run more than the largest holds, a route below it or a leaf
 * without 16 bits makes it a chunk, and it turns back when they go. A
 * list of 16-bit leaves is linked as before 8-bit ones, and a program
 * from before reads an 8-bit one's link as past the pool. */
static void run_lists_of_width(int wide)
{
	struct lpm *t = lpm_new(root, node, NCHUNKS);
	uint32_t *e = &root[198].entry[18], want[256] = { 0 }, used = 0, group = wide ? 300 : 0;
	uint32_t leaf8 = wide ? 0 : ECMP_LPM_RUNS_LEAF8;
	struct lpm_route r, deep = { .family = ECMP_AF_INET, .prefixlen = 28,
				     .addr = { 198, 18, 40, 16 }, .leaf = 9 };
	int k, cls, top = 2 * class_runs[wide][3];

	ASSERT_TRUE(t != NULL, "lpm_new");
	/* /24s at the even bytes 0..k: k + 1 runs of one and the rest (up to
	 * four routes a tail), each size class filled to the last run it
	 * holds, then past the largest. */
	for (k = 0; k <= top; k += 2) {
		int runs = k + 2;

		r = v4_24(k, ECMP_LPM_LEAF(group + k % 3));
		ASSERT_EQ(lpm_add(t, &r), 0, "add");
		want[k] = r.leaf;
		for (cls = 0; cls < 4 && class_runs[wide][cls] < runs; cls++)
			;
		if (k / 2 + 1 <= ECMP_LPM_TAIL_ROUTES) {
			CHECK(entry_kind(*e) == (ECMP_LPM_CHILD | ECMP_LPM_TAIL),
			      "%d routes: a tail (link %#x)", k / 2 + 1, *e);
		} else if (cls < 4) {
			CHECK(entry_kind(*e) == KIND_RUNS && (int)ECMP_LPM_RUNS_CLASS(*e) == cls &&
			      (*e & ECMP_LPM_RUNS_LEAF8) == leaf8 && runs_n(*e) == runs,
			      "%d runs: a run list of class %d, %s leaves (link %#x)",
			      runs, cls, wide ? "16-bit" : "8-bit", *e);
			/* The decoder of the build before 8-bit leaves. */
			if (wide)
				CHECK(((*e ^ ECMP_LPM_RUNS_BITMAP) & 0x07ffffffu) >> 4 ==
				      ECMP_LPM_RUNS_CHUNK(*e), "16-bit: linked as before (%#x)", *e);
			else
				CHECK(((*e ^ ECMP_LPM_RUNS_BITMAP) & 0x07ffffffu) >> 4 >=
				      ECMP_LPM_CHUNKS_LIMIT, "8-bit: past the pool before (%#x)", *e);
			used = lpm_chunks_used(t);
		} else {
			CHECK(entry_kind(*e) == ECMP_LPM_CHILD, "%d runs: a chunk (link %#x)",
			      runs, *e);
		}
		ASSERT_TRUE(v4_16_reads(want), "lookups");
	}
	for (k = top; k > 46; k -= 2) {
		ASSERT_EQ(lpm_del(t, ECMP_AF_INET, v4_24(k, 0).addr, 24), 0, "del");
		want[k] = 0;
	}
	ASSERT_EQ(entry_kind(*e), KIND_RUNS, "48 runs: a run list again");
	ASSERT_EQ(runs_n(*e), 48, "48 runs");
	ASSERT_TRUE(v4_16_reads(want), "lookups after");
	/* A route below the chunk: a chunk (with the /28 in a tail); gone,
	 * a run list again, as a build of the routes left would make it. */
	ASSERT_EQ(lpm_add(t, &deep), 0, "add /28");
	ASSERT_EQ(entry_kind(*e), ECMP_LPM_CHILD, "a route below: a chunk");
	ASSERT_TRUE(v4_16_reads(want), "lookups beside the /28");
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, deep.addr, 28), 0, "del /28");
	ASSERT_EQ(entry_kind(*e), KIND_RUNS, "without it: a run list");
	ASSERT_TRUE(v4_16_reads(want), "lookups after");
	/* The router's own leaves fit in either width; a group's 0xfffe
	 * does not (it would read as "connected"). Replacing leaves keeps
	 * 48 runs. */
	r = v4_24(44, ECMP_LPM_LOCAL);
	ASSERT_EQ(lpm_add(t, &r), 0, "local");
	want[44] = r.leaf;
	r = v4_24(46, ECMP_LPM_CONNECTED);
	ASSERT_EQ(lpm_add(t, &r), 0, "connected");
	want[46] = r.leaf;
	ASSERT_TRUE(entry_kind(*e) == KIND_RUNS && (*e & ECMP_LPM_RUNS_LEAF8) == leaf8,
		    "local and connected: a run list of the same width");
	ASSERT_TRUE(v4_16_reads(want), "local and connected read back");
	r = v4_24(42, ECMP_LPM_LEAF(0xfffd));
	ASSERT_EQ(lpm_add(t, &r), 0, "group 0xfffd");
	want[42] = r.leaf;
	ASSERT_EQ(entry_kind(*e), ECMP_LPM_CHILD, "leaf 0xfffe: a chunk");
	ASSERT_TRUE(v4_16_reads(want), "leaf 0xfffe read back as itself");
	r.leaf = ECMP_LPM_LEAF(group + 7);
	ASSERT_EQ(lpm_add(t, &r), 0, "group 7");
	want[42] = r.leaf;
	ASSERT_TRUE(entry_kind(*e) == KIND_RUNS && (*e & ECMP_LPM_RUNS_LEAF8) == leaf8,
		    "a run list again, of the same width");
	ASSERT_TRUE(v4_16_reads(want), "and its lookups");
	ASSERT_TRUE(lpm_chunks_used(t) <= used, "a run list takes a slot of a page");
	if (!wide) {
		/* The last group of 8 bits, 252 (leaf 0xfd), and the first
		 * past it, whose leaf would read as "connected". */
		r.leaf = ECMP_LPM_LEAF(252);
		ASSERT_EQ(lpm_add(t, &r), 0, "group 252");
		want[42] = r.leaf;
		ASSERT_TRUE(entry_kind(*e) == KIND_RUNS && (*e & ECMP_LPM_RUNS_LEAF8),
			    "group 252: 8-bit leaves");
		ASSERT_TRUE(v4_16_reads(want), "group 252 read back");
		r.leaf = ECMP_LPM_LEAF(253);
		ASSERT_EQ(lpm_add(t, &r), 0, "group 253");
		want[42] = r.leaf;
		ASSERT_TRUE(entry_kind(*e) == KIND_RUNS && !(*e & ECMP_LPM_RUNS_LEAF8),
			    "group 253: 16-bit leaves");
		ASSERT_TRUE(v4_16_reads(want), "group 253 read back");
	}
	lpm_free(t);
}

static void test_lpm_run_lists(void)
{
	run_lists_of_width(0);
	run_lists_of_width(1);
}

/* A reader of 198.18.6.1 while another thread changes the trie. */
struct sampler {
	volatile int stop;
	unsigned long reads, cover;	/* lookups of 198.18.6.1, by the /8 */
};

static void *sample(void *arg)
{
	struct sampler *s = arg;
	const uint8_t a[4] = { 198, 18, 6, 1 };

	while (!s->stop) {
		s->cover += lpm_walk(root, node, NCHUNKS, ECMP_AF_INET, a) == ECMP_LPM_LEAF(9);
		s->reads++;
	}
	return NULL;
}

/* A run list of the layout before bitmaps (its link without
 * ECMP_LPM_RUNS_BITMAP) reads as no route, never by the wrong list, and a
 * restarted ecmpd rewrites it in this one; a link of this layout read the
 * way the layout before read it names a chunk past any pool. */
static void test_lpm_run_lists_of_the_layout_before(void)
{
	struct lpm *t = lpm_new(root, node, NCHUNKS), *u;
	uint32_t *e = &root[198].entry[18], want[256] = { 0 }, v, repaired;
	uint8_t a[4] = { 198, 18, 6, 1 };
	struct lpm_route cover = { .family = ECMP_AF_INET, .prefixlen = 8,
				   .addr = { 198 }, .leaf = ECMP_LPM_LEAF(9) };
	static struct sampler sampler;
	static struct lpm_ref copy;
	pthread_t reader;
	int k;

	ASSERT_TRUE(t != NULL, "lpm_new");
	ASSERT_EQ(lpm_add(t, &cover), 0, "add 198.0.0.0/8");
	for (k = 0; k < 256; k++)
		want[k] = cover.leaf;
	for (k = 0; k < 40; k += 2) {
		struct lpm_route r = v4_24(k, ECMP_LPM_LEAF(k % 5));

		ASSERT_EQ(lpm_add(t, &r), 0, "add");
		want[k] = r.leaf;
	}
	v = *e;
	ASSERT_EQ(entry_kind(v), KIND_RUNS, "20 /24s: a run list");
	ASSERT_TRUE(v & ECMP_LPM_RUNS_BITMAP, "of the bitmap layout");
	/* The layout before's decoder: (v & 0x07ffffff) >> 4. */
	ASSERT_TRUE(((v & 0x07ffffffu) >> 4) >= ECMP_LPM_CHUNKS_LIMIT,
		    "read as the layout before read it: past any pool");
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET, a), ECMP_LPM_LEAF(6 % 5),
		  "198.18.6.1");
	copy.n = 0;
	lpm_for_each(t, collect, &copy);
	lpm_free(t);
	*e = v & ~ECMP_LPM_RUNS_BITMAP;		/* the same list, linked as before */
	ASSERT_EQ(lpm_walk(root, node, NCHUNKS, ECMP_AF_INET, a), ECMP_LPM_NONE,
		  "a link of the layout before: no route");
	/* A reader throughout the repair: right or no route (the kernel's),
	 * never the /8 that covers the /16 (a shorter route, another leaf). */
	sampler.stop = 0;
	sampler.reads = 0;
	ASSERT_EQ(pthread_create(&reader, NULL, sample, &sampler), 0, "reader thread");
	/* Reading before the repair starts: on a busy machine the thread
	 * may otherwise get its first turn only after it. */
	while (!__atomic_load_n(&sampler.reads, __ATOMIC_RELAXED))
		sched_yield();
	u = lpm_attach(root, node, NCHUNKS, copy.r, copy.n, &repaired);
	sampler.stop = 1;
	pthread_join(reader, NULL);
	ASSERT_TRUE(u != NULL, "attach");
	if (!u)
		return;
	ASSERT_EQ(repaired, 1, "entries rewritten on attach");
	CHECK(sampler.cover == 0 && sampler.reads > 0,
	      "during the repair: %lu reads, %lu by the cover", sampler.reads, sampler.cover);
	ASSERT_TRUE(entry_kind(*e) == KIND_RUNS && (*e & ECMP_LPM_RUNS_BITMAP),
		    "a run list of the bitmap layout again");
	ASSERT_TRUE(v4_16_reads(want), "lookups after attach");
	lpm_free(u);
}

/* lpm_chunks_for() (the check before a table replaces the live one)
 * against what a fresh bulk build really takes: nested random tables of
 * both families with repeated prefixes, and sparse /24s and /48s. */
static void test_lpm_chunks_for_matches_a_build(void)
{
	static struct lpm_route r[3000];
	static const int sizes[] = { 1, 5, 60, 700, 3000 };
	unsigned long long s = 0xc0057;
	uint32_t want;
	int k, i, sparse;

	for (sparse = 0; sparse < 2; sparse++)
		for (k = 0; k < (int)(sizeof(sizes) / sizeof(sizes[0])); k++) {
			struct lpm *t = lpm_new(root, node, NCHUNKS);
			int n = sizes[k];

			ASSERT_TRUE(t != NULL, "lpm_new");
			for (i = 0; i < n; i++) {
				if (i && test_rand(&s) % 8 == 0) {	/* again, another leaf */
					r[i] = r[test_rand(&s) % i];
					r[i].leaf = ECMP_LPM_LEAF(test_rand(&s) % 64);
					continue;
				}
				lpm_ref_random_route(&s, &r[i]);
				if (sparse) {
					uint64_t x = test_rand(&s);

					r[i].prefixlen = r[i].family == ECMP_AF_INET ? 24 : 48;
					memcpy(r[i].addr, &x, 8);
					lpm_mask(r[i].addr, r[i].family, r[i].prefixlen);
				}
			}
			lpm_bulk_begin(t);
			for (i = 0; i < n; i++)
				ASSERT_EQ(lpm_add(t, &r[i]), 0, "lpm_add");
			ASSERT_EQ(lpm_bulk_end(t), 0, "bulk build");
			ASSERT_EQ(lpm_chunks_for(r, n, &want), 0, "lpm_chunks_for");
			CHECK(want == lpm_chunks_used(t), "%s table of %d: %u chunks counted, %u built",
			      sparse ? "sparse" : "nested", n, want, lpm_chunks_used(t));
			lpm_free(t);
		}
	r[0].leaf = ECMP_LPM_NONE;
	ASSERT_EQ(lpm_chunks_for(r, 1, &want), -EINVAL, "a route without a leaf");
}

/* 10.K.1.0/24 with leaf L: alone under its root entry, a tail. */
static struct lpm_route v4_alone(int k, uint32_t leaf)
{
	struct lpm_route r = { .family = ECMP_AF_INET, .prefixlen = 24, .leaf = leaf };

	r.addr[0] = 10; r.addr[1] = k; r.addr[2] = 1;
	return r;
}

/* Whether the trie takes what a fresh build of ref takes. */
static int chunks_as_built(const struct lpm *t, const struct lpm_ref *ref)
{
	uint32_t want = 0;

	if (lpm_chunks_for(ref->r, ref->n, &want))
		return 0;
	CHECK(lpm_chunks_used(t) == want, "%u chunks used, a build takes %u",
	      lpm_chunks_used(t), want);
	return lpm_chunks_used(t) == want;
}

/* Pages of tails free only when empty: 60 tails filled a pool of 10
 * chunks, 50 of them went one by one, and each page kept one. A new
 * chunk then finds no room until compaction moves the 11 tails left
 * into two pages. */
static void test_lpm_compact_gives_back_sparse_pages(void)
{
	static struct lpm_ref ref, kept;
	unsigned long long s = 0xc0a1;
	struct lpm *t = lpm_new(root, node, 10);
	struct lpm_route r;
	uint32_t back = 99, moved = 0;
	int k, round;

	ASSERT_TRUE(t != NULL, "lpm_new");
	ref.n = 0;
	for (k = 0; k < 60; k++) {
		ref.r[ref.n] = v4_alone(k, ECMP_LPM_LEAF(k));
		ASSERT_EQ(lpm_add(t, &ref.r[ref.n++]), 0, "a tail");
	}
	ASSERT_EQ(lpm_chunks_used(t), 10, "ten pages of six tails");
	ASSERT_EQ(lpm_pages_spare(t), 0, "nothing to give back yet");
	kept.n = 0;
	for (k = 0; k < 60; k++)
		if (k % 6)
			ASSERT_EQ(lpm_del(t, ECMP_AF_INET, ref.r[k].addr, 24), 0, "lpm_del");
		else
			kept.r[kept.n++] = ref.r[k];
	/* 198.18.0.0/16 gets five /26s with leaves of their own: four make
	 * a tail, the fifth a chunk for the /16 (with two tails). */
	for (k = 0; k < 5; k++) {
		memset(&r, 0, sizeof(r));
		r.family = ECMP_AF_INET;
		r.prefixlen = 26;
		r.addr[0] = 198; r.addr[1] = 18; r.addr[2] = 7 + k / 4; r.addr[3] = (k % 4) << 6;
		r.leaf = ECMP_LPM_LEAF(100 + k);
		if (k < 4) {
			ASSERT_EQ(lpm_add(t, &r), 0, "into a free tail slot");
			kept.r[kept.n++] = r;
		}
	}
	ASSERT_EQ(lpm_add(t, &r), -ENOSPC, "a chunk: every chunk is a page of tails");
	ASSERT_EQ(check_routes(&kept, 10), 0, "lookups after the refusal");
	ASSERT_EQ(lpm_pages_spare(t), 8, "11 tails in 10 pages: 8 to give back");
	lpm_bulk_begin(t);
	ASSERT_EQ(lpm_compact(t, &back), -EBUSY, "not in bulk mode");
	ASSERT_EQ(lpm_bulk_end(t), 0, "bulk end");
	ASSERT_EQ(lpm_compact(t, &back), 0, "lpm_compact");
	ASSERT_EQ(back, 8, "chunks back");
	ASSERT_EQ(lpm_pages_spare(t), 0, "nothing left to give back");
	ASSERT_EQ(check_routes(&kept, 10), 0, "lookups after compaction");
	ASSERT_TRUE(chunks_as_built(t, &kept), "chunks as a build");
	ASSERT_EQ(lpm_add(t, &r), 0, "the chunk now fits");
	kept.r[kept.n++] = r;
	ASSERT_EQ(check_routes(&kept, 10), 0, "lookups with the chunk");
	/* Its two tails came before the tail they replace went: a page
	 * more, until the next compaction. */
	ASSERT_EQ(lpm_compact(t, &back), 0, "lpm_compact again");
	ASSERT_EQ(back, 1, "chunks back");
	ASSERT_TRUE(chunks_as_built(t, &kept), "chunks as a build, with the chunk");
	lpm_free(t);

	/* Random tables shrunk change by change, compacted: the same answers,
	 * a fresh build's shape and chunks. */
	t = lpm_new(root, node, NCHUNKS);
	ASSERT_TRUE(t != NULL, "lpm_new");
	ref.n = 0;
	for (round = 0; round < 8; round++) {
		ASSERT_EQ(random_changes(t, &ref, &s, 400, 300), 0, "lpm_add and lpm_del");
		ASSERT_EQ(lpm_compact(t, &back), 0, "lpm_compact");
		moved += back;
		ASSERT_EQ(lpm_pages_spare(t), 0, "nothing left to give back");
		ASSERT_EQ(check_all(t, &ref, &s, 3000), 0, "lookups");
		ASSERT_TRUE(same_shape_as_a_build(&ref), "shape");
		ASSERT_TRUE(chunks_as_built(t, &ref), "chunks");
	}
	CHECK(moved > 0, "the random rounds left no page to give back");
	lpm_free(t);
}

/* A build that runs out of room gives back what it took at once: a page
 * of tails can empty with nothing waiting for a grace period, and it is
 * room for the next change like any free chunk. 198.18.0.0/16 with two
 * /25s (a tail) and two crowded /24s (a chunk each) needs a chunk for the
 * /16, a page of tails and two chunks: four, in a pool of three. */
static void test_lpm_empty_page_is_room(void)
{
	static struct lpm_ref ref;
	struct lpm *t = lpm_new(root, node, 3);
	struct lpm_route half = { .family = ECMP_AF_INET, .prefixlen = 25, .leaf = 1,
				  .addr = { 198, 18, 1, 0 } };
	int i;

	ASSERT_TRUE(t != NULL, "lpm_new");
	ref.n = 0;
	crowded_24(&ref, 2, 0x10000);
	crowded_24(&ref, 3, 0x10010);
	lpm_bulk_begin(t);
	ASSERT_EQ(lpm_add(t, &half), 0, "the first /25");
	half.addr[3] = 128;
	ASSERT_EQ(lpm_add(t, &half), 0, "the second /25");
	for (i = 0; i < ref.n; i++)
		ASSERT_EQ(lpm_add(t, &ref.r[i]), 0, "lpm_add");
	ASSERT_EQ(lpm_bulk_end(t), -ENOSPC, "four chunks in a pool of three");
	ASSERT_EQ(lpm_chunks_free(t), 3, "all of them free again");
	/* Without the /25s: the /16's chunk and two. */
	lpm_bulk_begin(t);
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, half.addr, 25), 0, "lpm_del");
	half.addr[3] = 0;
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, half.addr, 25), 0, "lpm_del");
	ASSERT_EQ(lpm_bulk_end(t), 0, "three chunks in a pool of three");
	ASSERT_EQ(check_routes(&ref, 3), 0, "lookups");
	ASSERT_EQ(lpm_chunks_used(t), 3, "chunks used");
	lpm_free(t);
}

/* The set under the trie builder (and the mirror's prefix index) against
 * a table of every key it may hold: 3,000 keys put, replaced and removed at
 * random while it grows past several doublings and shrinks again, so runs
 * of probes form, wrap and close up behind removals. */
#define SET_KEYS 3000

static void set_key(uint32_t k, struct lpm_route *r)
{
	memset(r, 0, sizeof(*r));
	r->family = k & 1 ? ECMP_AF_INET6 : ECMP_AF_INET;
	if (r->family == ECMP_AF_INET) {
		r->prefixlen = 24 + k % 9;
		r->addr[0] = 198;
		r->addr[1] = k >> 8;
		r->addr[2] = k;
		r->addr[3] = k * 37;
	} else {
		r->prefixlen = 48 + k % 17;
		r->addr[0] = 0x20;
		r->addr[1] = 0x01;
		r->addr[2] = 0x0d;
		r->addr[3] = 0xb8;
		r->addr[4] = k >> 8;
		r->addr[5] = k;
		r->addr[6] = k * 37;
	}
	lpm_mask(r->addr, r->family, r->prefixlen);
}

static int count_routes(const struct lpm_route *r, void *arg)
{
	(void)r;
	++*(uint32_t *)arg;
	return 0;
}

static void test_route_set_against_a_table(void)
{
	static uint32_t leaf[SET_KEYS];	/* 0: not in the set */
	unsigned long long s = 0x5e70001;
	struct route_set *set = route_set_new();
	struct lpm_route r = { 0 };
	uint32_t k, held = 0, seen, alike = 0;
	int round, i;

	ASSERT_TRUE(set != NULL, "route_set_new");
	memset(leaf, 0, sizeof(leaf));
	ASSERT_EQ(route_set_put(set, &r), -EINVAL, "family 0 is not a route");
	/* The table's premise: no two keys are the same route. */
	for (k = 0; k < SET_KEYS; k++) {
		struct lpm_route a, b;
		uint32_t j;

		set_key(k, &a);
		for (j = k + 1; j < SET_KEYS; j++) {
			set_key(j, &b);
			alike += !memcmp(&a, &b, sizeof(a));
		}
	}
	ASSERT_EQ(alike, 0, "pairs of keys that are one route");
	for (round = 0; round < 12; round++) {
		/* Even rounds mostly put, odd ones mostly remove. */
		int put_pct = round % 2 ? 25 : 85;

		for (i = 0; i < 4000; i++) {
			uint64_t x = test_rand(&s);

			k = x % SET_KEYS;
			set_key(k, &r);
			if ((int)((x >> 32) % 100) < put_pct) {
				r.leaf = 1 + (uint32_t)(x >> 40) % 1000;
				ASSERT_EQ(route_set_put(set, &r), 0, "route_set_put");
				held += !leaf[k];
				leaf[k] = r.leaf;
			} else {
				ASSERT_EQ(route_set_del(set, &r), leaf[k] ? 0 : -ENOENT,
					  "route_set_del");
				held -= !!leaf[k];
				leaf[k] = 0;
			}
		}
		ASSERT_EQ(route_set_count(set), held, "count");
		for (k = 0; k < SET_KEYS; k++) {
			const struct lpm_route *hit;

			set_key(k, &r);
			hit = route_set_get(set, &r);
			CHECK(leaf[k] ? hit && hit->leaf == leaf[k] : !hit,
			      "route_set_get finds exactly what was put");
		}
		seen = 0;
		ASSERT_EQ(route_set_for_each(set, count_routes, &seen), 0, "for_each");
		ASSERT_EQ(seen, held, "for_each visits each route once");
		if (round == 5)
			ASSERT_EQ(route_set_reserve(set, 100000), 0, "reserve keeps the routes");
	}
	route_set_clear(set);
	ASSERT_EQ(route_set_count(set), 0, "cleared");
	set_key(7, &r);
	ASSERT_TRUE(route_set_get(set, &r) == NULL, "nothing after a clear");
	route_set_free(set);
}

/* The position index against the same table: an array of 4,096 slots
 * holds the keys, each key at most at one position; keys are put at
 * free positions, moved to others (as the mirror moves its last route
 * into a removed one's place) and removed. */
#define POS_SLOTS 4096

struct pos_array {
	struct lpm_route r[POS_SLOTS];	/* family 0: no key here */
	long asked;			/* same() calls */
};

static int pos_same(const void *ctx, uint32_t pos, const struct lpm_route *key)
{
	struct pos_array *a = (struct pos_array *)ctx;

	a->asked++;
	return pos < POS_SLOTS && a->r[pos].family == key->family &&
	       a->r[pos].prefixlen == key->prefixlen && !memcmp(a->r[pos].addr, key->addr, 16);
}

static void test_pos_index_against_a_table(void)
{
	static struct pos_array arr;
	static int32_t at[SET_KEYS];	/* the key's position, -1: none */
	unsigned long long s = 0x9051;
	struct pos_index *x = pos_index_new();
	struct lpm_route k;
	uint32_t held = 0, pos, i;
	int round, j;

	ASSERT_TRUE(x != NULL, "pos_index_new");
	memset(&arr, 0, sizeof(arr));
	for (i = 0; i < SET_KEYS; i++)
		at[i] = -1;
	set_key(1, &k);
	ASSERT_EQ(pos_index_put(x, &k, UINT32_MAX, pos_same, &arr), -EINVAL, "UINT32_MAX is no position");
	for (round = 0; round < 12; round++) {
		int put_pct = round % 2 ? 25 : 80;

		for (j = 0; j < 4000; j++) {
			uint64_t r = test_rand(&s);
			uint32_t key = r % SET_KEYS, to = (r >> 32) % POS_SLOTS;

			set_key(key, &k);
			if ((int)((r >> 48) % 100) < put_pct) {
				if (arr.r[to].family)	/* taken: another round */
					continue;
				/* Put at to: a new key, or one moved there. */
				arr.r[to] = k;
				ASSERT_EQ(pos_index_put(x, &k, to, pos_same, &arr), 0, "pos_index_put");
				if (at[key] >= 0)
					arr.r[at[key]].family = 0;
				else
					held++;
				at[key] = to;
			} else {
				ASSERT_EQ(pos_index_del(x, &k, pos_same, &arr), at[key] >= 0 ? 0 : -ENOENT,
					  "pos_index_del");
				if (at[key] >= 0) {
					arr.r[at[key]].family = 0;
					at[key] = -1;
					held--;
				}
			}
		}
		ASSERT_EQ(pos_index_count(x), held, "count");
		for (i = 0; i < SET_KEYS; i++) {
			int hit;

			set_key(i, &k);
			hit = pos_index_get(x, &k, pos_same, &arr, &pos);
			CHECK(at[i] >= 0 ? hit && pos == (uint32_t)at[i] : !hit,
			      "pos_index_get finds exactly where each key is");
		}
		if (round == 5)
			ASSERT_EQ(pos_index_reserve(x, 100000), 0, "reserve keeps the positions");
	}
	/* same() is asked about matching hashes only: about once a lookup. */
	CHECK(arr.asked < 4 * 12 * (4000 + SET_KEYS), "same() asked on hash matches alone");
	pos_index_clear(x);
	ASSERT_EQ(pos_index_count(x), 0, "cleared");
	set_key(7, &k);
	ASSERT_EQ(pos_index_get(x, &k, pos_same, &arr, &pos), 0, "nothing after a clear");
	pos_index_free(x);
}

/* Prefixes as people write them, and which lie inside which (ecmpctl
 * route show PREFIX, ecmpd's kernel-routes answer). */
static void test_prefix_text_and_inside(void)
{
	static const struct {
		const char *net, *route;
		int inside;
	} cases[] = {
		{ "198.19.0.0/16", "198.19.80.0/24", 1 },
		{ "198.19.0.0/16", "198.19.0.0/16", 1 },
		{ "198.19.0.0/16", "198.18.0.0/15", 0 },	/* shorter: not inside */
		{ "198.19.0.0/16", "198.20.0.0/24", 0 },
		{ "198.19.7.9/16", "198.19.1.0/24", 1 },	/* host bits of the net cleared */
		{ "0.0.0.0/0", "203.0.113.0/24", 1 },
		{ "0.0.0.0/0", "2001:db8::/32", 0 },	/* another family */
		{ "2001:db8:100::/48", "2001:db8:100:80::/64", 1 },
		{ "2001:db8:100::/48", "2001:db8:101::/64", 0 },
		{ "2001:db8:100:80::1", "2001:db8:100:80::1/128", 1 },	/* no length: a host */
	};
	static const char *const bad[] = { "198.19.0.0/33", "2001:db8::/129", "198.19.0.0/", "198.19/16",
					   "x", "198.19.0.0/-1", "198.19.0.0/8x", "" };
	uint8_t f, l, a[16], rf, rl, ra[16];
	char buf[TEXT_PREFIX_LEN];
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(text_parse_prefix(cases[i].net, &f, &l, a), 0, cases[i].net);
		ASSERT_EQ(text_parse_prefix(cases[i].route, &rf, &rl, ra), 0, cases[i].route);
		CHECK(lpm_inside(rf, ra, rl, f, a, l) == cases[i].inside, cases[i].route);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(text_parse_prefix(bad[i], &f, &l, a) == -EINVAL, bad[i]);
	ASSERT_EQ(text_parse_prefix("2001:DB8:100:80::7/64", &f, &l, a), 0, "upper case");
	CHECK(!strcmp(text_prefix(f, a, l, buf, sizeof(buf)), "2001:db8:100:80::/64"),
	      "written back as ip route writes it, host bits cleared");
}

/* A route in a crowded root entry: IPv4 under 198.18.0.0/16 or IPv6
 * under 2001:db8::/32, most often long (a host route next to a thousand
 * others), sometimes a cover between /17 and the host routes. */
static void crowded_route(unsigned long long *s, struct lpm_route *r)
{
	uint64_t x = test_rand(s);

	memset(r, 0, sizeof(*r));
	if (x & 1) {
		static const uint8_t len[] = { 32, 32, 32, 31, 30, 28, 25, 24, 23, 20, 17 };

		r->family = ECMP_AF_INET;
		r->addr[0] = 198;
		r->addr[1] = 18;
		r->addr[2] = (x >> 8) % 6;
		r->addr[3] = x >> 16;
		r->prefixlen = len[(x >> 24) % sizeof(len)];
	} else {
		static const uint8_t len[] = { 128, 128, 128, 127, 124, 120, 112, 64, 56, 48, 33 };

		r->family = ECMP_AF_INET6;
		memcpy(r->addr, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
		r->addr[7] = 1 + (x >> 8) % 2;
		r->addr[14] = (x >> 12) % 5;
		r->addr[15] = x >> 16;
		r->prefixlen = len[(x >> 24) % sizeof(len)];
	}
	lpm_mask(r->addr, r->family, r->prefixlen);
	r->leaf = ECMP_LPM_LEAF((x >> 32) % 64);
}

/* Changes one at a time where a root entry holds thousands of routes, as
 * a /16 of host routes does (pods, service addresses): each change finds
 * the routes under the entry it patches by binary search in the entry's
 * sorted routes. Additions, replacements and removals of host routes and
 * of the covers between them, checked by lookups and against a build. */
static int collect_into_ref(const struct lpm_route *r, void *arg)
{
	struct lpm_ref *got = arg;

	if (got->n == 4096)
		return -1;
	got->r[got->n++] = *r;
	return 0;
}

/* Whether lpm_for_each() gives exactly ref's routes, each once. */
static int walks_as(const struct lpm *t, const struct lpm_ref *ref)
{
	static struct lpm_ref got;
	int i, at;

	got.n = 0;
	if (lpm_for_each(t, collect_into_ref, &got) || got.n != ref->n)
		return 0;
	for (i = 0; i < got.n; i++) {
		at = lpm_ref_find(ref, &got.r[i]);
		if (at < 0 || ref->r[at].leaf != got.r[i].leaf)
			return 0;
	}
	return 1;
}

static struct lpm_route v4(uint8_t b2, uint8_t b3, uint8_t len, uint32_t group)
{
	struct lpm_route r = { .family = ECMP_AF_INET, .prefixlen = len,
			       .addr = { 198, 18, b2, b3 }, .leaf = ECMP_LPM_LEAF(group) };

	return r;
}

static uint32_t leaf_of(const struct lpm *t, const struct lpm_route *r)
{
	struct lpm_route got;

	return lpm_get(t, r->family, r->addr, r->prefixlen, &got) ? ECMP_LPM_NONE : got.leaf;
}

/* In bulk mode the builder keeps each route once, in its root entry's
 * vector (routes from before the bulk changed in place, new ones
 * appended): a prefix put twice keeps the later leaf, one removed and put
 * again is there, one removed twice is -ENOENT the second time, whether
 * it came before the bulk or in it; lpm_get() sees each change at once;
 * at the end the count, lpm_for_each() and every lookup agree with the
 * reference. */
static void test_lpm_bulk_changes_of_one_prefix(void)
{
	static struct lpm_ref ref;
	unsigned long long s = 0x5eed0020;
	struct lpm *t = lpm_new(root, node, NCHUNKS);
	struct lpm_route old1 = v4(1, 0, 24, 1), old2 = v4(2, 0, 24, 2), old3 = v4(3, 0, 24, 3);
	struct lpm_route new1 = v4(200, 0, 24, 4), new2 = v4(201, 0, 24, 5), r;
	int i;

	ASSERT_TRUE(t != NULL, "lpm_new");
	ref.n = 0;
	/* Enough routes under 198.18/16 for chunks, a /16 over them. */
	ref.r[ref.n++] = v4(0, 0, 16, 9);
	for (i = 0; i < 40; i++)
		ref.r[ref.n++] = v4(i, 0, 24, i % 8);
	for (i = 0; i < 20; i++)
		ref.r[ref.n++] = v4(10, i * 4, 30, i % 8);
	lpm_bulk_begin(t);
	for (i = 0; i < ref.n; i++)
		ASSERT_EQ(lpm_add(t, &ref.r[i]), 0, "build");
	ASSERT_EQ(lpm_bulk_end(t), 0, "bulk end");
	ASSERT_EQ(lpm_route_count(t), ref.n, "count after the build");

	lpm_bulk_begin(t);
	/* From before the bulk: removed, removed again, put back. */
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, old1.addr, 24), 0, "del old1");
	ASSERT_EQ(leaf_of(t, &old1), ECMP_LPM_NONE, "old1 gone at once");
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, old1.addr, 24), -ENOENT, "old1 removed twice");
	old1.leaf = ECMP_LPM_LEAF(7);
	ASSERT_EQ(lpm_add(t, &old1), 0, "old1 back, a new leaf");
	ASSERT_EQ(leaf_of(t, &old1), old1.leaf, "old1's new leaf");
	/* From before: a new leaf; another removed. */
	old2.leaf = ECMP_LPM_LEAF(6);
	ASSERT_EQ(lpm_add(t, &old2), 0, "old2 replaced");
	ASSERT_EQ(leaf_of(t, &old2), old2.leaf, "old2's new leaf");
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, old3.addr, 24), 0, "del old3");
	/* New in the bulk: put twice, removed, removed again, put back. */
	ASSERT_EQ(lpm_add(t, &new1), 0, "new1");
	new1.leaf = ECMP_LPM_LEAF(5);
	ASSERT_EQ(lpm_add(t, &new1), 0, "new1 again, a new leaf");
	ASSERT_EQ(leaf_of(t, &new1), new1.leaf, "the later leaf");
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, new1.addr, 24), 0, "del new1");
	ASSERT_EQ(leaf_of(t, &new1), ECMP_LPM_NONE, "new1 gone at once");
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, new1.addr, 24), -ENOENT, "new1 removed twice");
	new1.leaf = ECMP_LPM_LEAF(3);
	ASSERT_EQ(lpm_add(t, &new1), 0, "new1 back");
	/* New in the bulk, then removed for good. */
	ASSERT_EQ(lpm_add(t, &new2), 0, "new2");
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, new2.addr, 24), 0, "del new2");
	r = v4(99, 0, 24, 1);
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, r.addr, 24), -ENOENT, "never there");
	ASSERT_EQ(lpm_bulk_end(t), 0, "bulk end");

	ref.r[lpm_ref_find(&ref, &old1)] = old1;
	ref.r[lpm_ref_find(&ref, &old2)] = old2;
	i = lpm_ref_find(&ref, &old3);
	ref.r[i] = ref.r[--ref.n];
	ref.r[ref.n++] = new1;
	ASSERT_EQ(lpm_route_count(t), ref.n, "count: one out, one in");
	ASSERT_TRUE(walks_as(t, &ref), "lpm_for_each: the reference, each once");
	ASSERT_EQ(leaf_of(t, &new1), new1.leaf, "new1's last leaf");
	ASSERT_EQ(leaf_of(t, &new2), ECMP_LPM_NONE, "new2 stays removed");
	ASSERT_EQ(check_all(t, &ref, &s, 3000), 0, "lookups");
	ASSERT_TRUE(same_shape_as_a_build(&ref), "shape");
	/* Out of bulk mode again: the merged vector takes single changes. */
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, new1.addr, 24), 0, "del new1, not bulk");
	ASSERT_EQ(lpm_del(t, ECMP_AF_INET, new1.addr, 24), -ENOENT, "and again");
	i = lpm_ref_find(&ref, &new1);	/* the last: found before n goes down */
	ref.r[i] = ref.r[--ref.n];
	ASSERT_EQ(lpm_route_count(t), ref.n, "count");
	ASSERT_EQ(check_all(t, &ref, &s, 3000), 0, "lookups");
	lpm_free(t);
}

static void test_lpm_changes_in_a_crowded_entry(void)
{
	static struct lpm_ref ref;
	unsigned long long s = 0x5eed0019;
	struct lpm *t = lpm_new(root, node, NCHUNKS);
	struct lpm_route r;
	int i, at;

	ASSERT_TRUE(t != NULL, "lpm_new");
	ref.n = 0;
	/* 1,024 IPv4 and 1,024 IPv6 host routes, side by side. */
	for (i = 0; i < 2048; i++) {
		memset(&r, 0, sizeof(r));
		if (i < 1024) {
			r.family = ECMP_AF_INET;
			r.prefixlen = 32;
			memcpy(r.addr, (uint8_t[]){ 198, 18, i >> 8, i & 0xff }, 4);
		} else {
			r.family = ECMP_AF_INET6;
			r.prefixlen = 128;
			memcpy(r.addr, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
			r.addr[7] = 1;
			r.addr[14] = (i - 1024) >> 8;
			r.addr[15] = i & 0xff;
		}
		r.leaf = ECMP_LPM_LEAF(i % 64);
		ASSERT_EQ(lpm_add(t, &r), 0, "host route");
		ref.r[ref.n++] = r;
	}
	for (i = 0; i < 1500; i++) {
		crowded_route(&s, &r);
		at = lpm_ref_find(&ref, &r);
		if (at >= 0 && test_rand(&s) % 2) {
			ASSERT_EQ(lpm_del(t, r.family, r.addr, r.prefixlen), 0, "del");
			ref.r[at] = ref.r[--ref.n];
		} else if (at >= 0 || ref.n < 4000) {
			ASSERT_EQ(lpm_add(t, &r), 0, "add or replace");
			ref.r[at >= 0 ? at : ref.n++] = r;
		}
		if (i % 300 == 299) {
			ASSERT_EQ(lpm_route_count(t), ref.n, "route count");
			ASSERT_EQ(check_all(t, &ref, &s, 1500), 0, "lookups");
			ASSERT_TRUE(same_shape_as_a_build(&ref), "shape");
		}
	}
	lpm_free(t);
}

int main(void)
{
	RUN_TEST(test_lpm_random_add_del);
	RUN_TEST(test_lpm_changes_in_a_crowded_entry);
	RUN_TEST(test_lpm_bulk_changes_of_one_prefix);
	RUN_TEST(test_lpm_sibling_routes);
	RUN_TEST(test_lpm_default_and_host_routes);
	RUN_TEST(test_lpm_pool_exhausted);
	RUN_TEST(test_lpm_rejects_bad_input);
	RUN_TEST(test_lpm_attach_live_trie);
	RUN_TEST(test_lpm_attach_chunks_before_tails);
	RUN_TEST(test_lpm_sparse_ipv6_in_tails);
	RUN_TEST(test_lpm_chunks_for_matches_a_build);
	RUN_TEST(test_lpm_run_lists);
	RUN_TEST(test_lpm_run_lists_of_the_layout_before);
	RUN_TEST(test_lpm_attach_tails_at_the_pool_end);
	RUN_TEST(test_lpm_bulk_change_needs_room_for_the_change);
	RUN_TEST(test_lpm_compact_gives_back_sparse_pages);
	RUN_TEST(test_lpm_empty_page_is_room);
	RUN_TEST(test_route_set_against_a_table);
	RUN_TEST(test_pos_index_against_a_table);
	RUN_TEST(test_prefix_text_and_inside);
	return test_summary();
}
