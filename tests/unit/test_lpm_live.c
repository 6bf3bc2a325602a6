// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The trie builder watched store by store (lpm_watch.h): random routes
 * added, replaced and removed one by one, the same in bulk, compaction,
 * and a restarted ecmpd taking the trie over.
 */
#include <string.h>

#include "lib/lpm.h"
#include "../test.h"
#include "lpm_watch.h"

TEST_STATE_DEFINE;

static struct lpm_ref before, after;

/* An empty trie, as ecmpd starts one on new maps: no reader anywhere. */
static struct lpm *new_trie(void)
{
	before.n = 0;
	return lpm_watch_new();
}

/* A random change of before into after: a route added (or replaced), its
 * leaf changed, or removed; now and then the default routes replaced,
 * which changes the cover of every tail. Keeps up to max routes. */
static void random_change(unsigned long long *s, int max, struct lpm_route *r, int *del,
			  const char **what)
{
	uint64_t x = test_rand(s);
	int at = before.n ? (int)(test_rand(s) % before.n) : 0;

	after = before;
	*del = 0;
	if (x % 400 == 0) {
		memset(r, 0, sizeof(*r));
		r->family = (x >> 8) & 1 ? ECMP_AF_INET6 : ECMP_AF_INET;
		r->leaf = ECMP_LPM_LEAF((x >> 16) % 64);
		*what = "a default route replaced";
	} else if (before.n && (x % 8 < 3 || before.n >= max)) {
		*r = before.r[at];
		lpm_ref_remove(&after, at);
		*del = 1;
		*what = "a route removed";
		return;
	} else if (before.n && x % 8 < 5) {
		*r = before.r[at];
		r->leaf = ECMP_LPM_LEAF((x >> 16) % 64);
		*what = "a route's leaf changed";
	} else {
		/* Most routes longer than /16, as in any table: a short one
		 * changes a leaf or cover in up to 65,536 root entries. */
		do
			lpm_ref_random_route(s, r);
		while (r->prefixlen <= ECMP_LPM_ROOT_BITS && test_rand(s) % 8);
		*what = "a route added";
	}
	lpm_ref_put(&after, r);
}

static int apply(struct lpm *t, const struct lpm_route *r, int del)
{
	return del ? lpm_del(t, r->family, r->addr, r->prefixlen) : lpm_add(t, r);
}

/* n changes one by one, each watched, starting from before's routes. */
static void changes_one_by_one(struct lpm *t, unsigned long long *s, int n, int max)
{
	int i, del, err;

	for (i = 0; i < n; i++) {
		struct lpm_route r;
		const char *what;

		random_change(s, max, &r, &del, &what);
		lpm_watch_begin(what, &before, &after, s);
		err = apply(t, &r, del);
		lpm_watch_end();
		if (err) {
			CHECK(0, "%s: %s", what, strerror(-err));
			return;
		}
		before = after;
	}
}

static void test_lpm_live_one_by_one(void)
{
	unsigned long long s = 0x11fe0001;
	struct lpm *t = new_trie();
	long stores = lpm_watch_stores();

	ASSERT_TRUE(t != NULL, "lpm_new");
	changes_one_by_one(t, &s, 1500, 400);
	ASSERT_EQ(lpm_route_count(t), before.n, "routes");
	/* So that the test cannot pass by seeing nothing. */
	CHECK(lpm_watch_stores() - stores > 1500, "only %ld stores seen", lpm_watch_stores() - stores);
	CHECK(lpm_watch_waits() > 0, "no wait for readers seen");
	lpm_free(t);
}

/* Changes in bulk: each round's adds and removals recorded, then built
 * at lpm_bulk_end(), root entry by root entry, as one watched change. */
static void test_lpm_live_bulk(void)
{
	static struct lpm_route r[40];
	static int del[40];
	unsigned long long s = 0x11fe0002;
	struct lpm *t = new_trie();
	int round, i, err;

	ASSERT_TRUE(t != NULL, "lpm_new");
	for (round = 0; round < 40; round++) {
		static struct lpm_ref start;	/* 98 KiB: not on the stack */
		const char *what;

		start = before;
		/* Each change made on the reference first, in order. */
		for (i = 0; i < 40; i++) {
			random_change(&s, 500, &r[i], &del[i], &what);
			before = after;
		}
		before = start;
		lpm_watch_begin("a bulk change", &before, &after, &s);
		lpm_bulk_begin(t);
		for (i = 0; i < 40; i++)
			apply(t, &r[i], del[i]);	/* bulk mode: recorded only */
		err = lpm_bulk_end(t);
		lpm_watch_end();
		ASSERT_EQ(err, 0, "lpm_bulk_end");
		before = after;
	}
	ASSERT_EQ(lpm_route_count(t), before.n, "routes");
	lpm_free(t);
}

/* Removes routes of before, each a watched change, until n are left. */
static void removals_down_to(struct lpm *t, unsigned long long *s, int n)
{
	while (before.n > n) {
		int at = test_rand(s) % before.n, err;
		struct lpm_route r = before.r[at];

		after = before;
		lpm_ref_remove(&after, at);
		lpm_watch_begin("a route removed", &before, &after, s);
		err = lpm_del(t, r.family, r.addr, r.prefixlen);
		lpm_watch_end();
		if (err) {
			CHECK(0, "lpm_del: %s", strerror(-err));
			return;
		}
		before = after;
	}
}

/* Compaction moves slots that lookups read: every answer stays. */
static void test_lpm_live_compaction(void)
{
	unsigned long long s = 0x11fe0003;
	struct lpm *t = new_trie();
	long stores;
	uint32_t back = 0;
	int err;

	ASSERT_TRUE(t != NULL, "lpm_new");
	changes_one_by_one(t, &s, 900, 700);
	removals_down_to(t, &s, 100);
	CHECK(lpm_pages_spare(t) > 0, "no page to give back: the test compacts nothing");
	after = before;
	stores = lpm_watch_stores();
	lpm_watch_begin("compaction", &before, &after, &s);
	err = lpm_compact(t, &back);
	lpm_watch_end();
	ASSERT_EQ(err, 0, "lpm_compact");
	CHECK(back > 0 && lpm_watch_stores() > stores, "compaction gave back %u chunks in %ld stores",
	      back, lpm_watch_stores() - stores);
	lpm_free(t);
}

/* A restarted ecmpd takes the trie over from the routes it was built
 * from: nothing a lookup sees moves, and changes go on as before. */
static void test_lpm_live_taken_over(void)
{
	unsigned long long s = 0x11fe0004;
	struct lpm *t = new_trie();
	uint32_t repaired = 1;

	ASSERT_TRUE(t != NULL, "lpm_new");
	changes_one_by_one(t, &s, 600, 300);
	lpm_free(t);
	after = before;
	lpm_watch_begin("taken over", &before, &after, &s);
	t = lpm_watch_attach(before.r, before.n, &repaired);
	lpm_watch_end();
	ASSERT_TRUE(t != NULL, "lpm_attach");
	ASSERT_EQ(repaired, 0, "entries repaired");
	if (!t)
		return;
	changes_one_by_one(t, &s, 600, 300);
	removals_down_to(t, &s, 0);
	ASSERT_EQ(lpm_chunks_used(t), 0, "chunks in use with no route");
	lpm_free(t);
}

int main(void)
{
	RUN_TEST(test_lpm_live_one_by_one);
	RUN_TEST(test_lpm_live_bulk);
	RUN_TEST(test_lpm_live_compaction);
	RUN_TEST(test_lpm_live_taken_over);
	printf("watched: %ld stores, %ld waits for readers\n", lpm_watch_stores(), lpm_watch_waits());
	return test_summary();
}
