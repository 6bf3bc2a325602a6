// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Bucket slots (user/ecmpd/slots.c) over 20,000 random steps on a plane in
 * memory: groups of 16 to 1,024 buckets added, removed and resized, one or
 * two tables asked for at once, in 4,096 slots. After every step:
 *  (a) the map of used slots is exactly slot 0 and the groups' runs, none
 *      overlapping, and the free count is its zeros;
 *  (b) every group's published word names its run, and its table holds
 *      what was written into it: moving tables together loses or mixes up
 *      no bucket (no flow moves);
 *  (c) when grp_slots_make_room() says yes, every table asked for gets its
 *      run, in order;
 *  (d) when a run was free anyway, no table moved.
 * Holes that stopped a table must have been cleared by moving tables
 * most of the time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ecmpd/plane.h"
#include "lib/log.h"
#include "../test.h"

TEST_STATE_DEFINE;

#define SLOTS	4097		/* slot 0, the guard, and 4,096 */
#define GROUPS	24

static struct grp grp[GROUPS];
static struct ecmp_bucket buckets[SLOTS];
static struct ecmp_group words[GROUPS];
static uint8_t used[SLOTS];
static uint16_t ix_pos[SLOTS];
static struct nh nh[1];

static void plane_init(struct plane *p)
{
	memset(p, 0, sizeof(*p));
	memset(grp, 0, sizeof(grp));
	memset(buckets, 0, sizeof(buckets));
	memset(words, 0, sizeof(words));
	memset(used, 0, sizeof(used));
	p->dp.max_entries[DP_BUCKETS] = SLOTS;
	p->dp.max_entries[DP_GROUPS] = GROUPS;
	p->dp.max_entries[DP_NEXTHOPS] = 1;
	p->dp.buckets = buckets;
	p->dp.groups = words;
	p->grp = grp;
	p->nh = nh;
	p->slot_used = used;
	p->ix_pos = ix_pos;
	used[0] = 1;
	grp_slots_count(p);
}

/* What group gid's bucket b holds: a value no other bucket has. */
static uint32_t mark(uint32_t gid, uint32_t b)
{
	return gid << 16 | b;
}

static void fill(struct plane *p, uint32_t gid)
{
	uint32_t b;

	for (b = 0; b < grp[gid].nbuckets; b++) {
		p->dp.buckets[grp[gid].base + b].nexthop = mark(gid, b);
		p->dp.buckets[grp[gid].base + b].last_seen = gid;
	}
}

/* Whether a run of n free slots exists now. */
static int run_free(uint32_t n)
{
	uint32_t b, run = 0;

	for (b = 1; b < SLOTS; b++) {
		run = used[b] ? 0 : run + 1;
		if (run == n)
			return 1;
	}
	return 0;
}

static int free_gid(void)
{
	int i;

	for (i = 0; i < GROUPS; i++)
		if (!grp[i].in_use)
			return i;
	return -1;
}

static int used_gid(unsigned long long *rs)
{
	int i, n = 0, pick;

	for (i = 0; i < GROUPS; i++)
		n += grp[i].in_use;
	if (!n)
		return -1;
	pick = test_rand(rs) % n;
	for (i = 0; i < GROUPS; i++)
		if (grp[i].in_use && !pick--)
			return i;
	return -1;
}

struct tally {
	long steps, bad_map, bad_word, bad_table, bad_fit, moved_needlessly;
	long blocked, cleared, refused_fragmented;
};

/* (a) and (b). */
static void check_plane(const struct plane *p, struct tally *t)
{
	static uint8_t want[SLOTS];
	uint32_t b, zeros = 0;
	int i, overlap = 0;

	memset(want, 0, sizeof(want));
	want[0] = 1;
	for (i = 0; i < GROUPS; i++) {
		const struct grp *g = &grp[i];
		uint64_t w;

		memcpy(&w, &words[i], sizeof(w));
		if (!g->in_use)
			continue;
		for (b = 0; b < g->nbuckets; b++) {
			overlap |= want[g->base + b];
			want[g->base + b] = 1;
			if (buckets[g->base + b].nexthop != mark(i, b))
				t->bad_table++;
		}
		if (ecmp_group_base(w) != g->base || ecmp_group_mask(w) != g->nbuckets - 1)
			t->bad_word++;
	}
	for (b = 1; b < SLOTS; b++)
		zeros += !used[b];
	if (overlap || memcmp(want, used, sizeof(want)) || zeros != grp_slots_free_count(p))
		t->bad_map++;
}

static uint32_t bases_sum(void)
{
	uint32_t s = 0;
	int i;

	for (i = 0; i < GROUPS; i++)
		s = s * 31 + (grp[i].in_use ? grp[i].base : 0);
	return s;
}

/* A new group of n buckets, as add_groups() takes it. */
static void add(struct plane *p, int gid, uint32_t n)
{
	grp[gid].in_use = 1;
	grp[gid].nbuckets = n;
	grp[gid].base = (uint32_t)grp_slots_alloc(p, n);
	fill(p, gid);
	grp_publish(p, gid);
}

static void step(struct plane *p, unsigned long long *rs, struct tally *t)
{
	int op = test_rand(rs) % 5, gid = free_gid(), gid2, ok;
	uint32_t n = 16u << (test_rand(rs) % 7), n2 = 16u << (test_rand(rs) % 5);
	uint32_t before = bases_sum();
	struct slot_step s[2];

	if (op <= 1 && gid >= 0) {		/* a group added */
		int fits = run_free(n);

		s[0] = (struct slot_step){ .n = n, .resized = -1 };
		ok = !grp_slots_make_room(p, s, 1);
		t->moved_needlessly += fits && bases_sum() != before;
		if (!fits && grp_slots_free_count(p) >= n) {
			t->blocked++;
			t->cleared += ok;
			t->refused_fragmented += !ok;
		}
		if (ok) {
			t->bad_fit += !run_free(n);
			if (run_free(n))
				add(p, gid, n);
		}
	} else if (op == 2 && gid >= 0) {	/* two at once */
		grp[gid].in_use = 1;		/* keeps gid2 from taking it */
		gid2 = free_gid();
		grp[gid].in_use = 0;
		if (gid2 < 0)
			return;
		s[0] = (struct slot_step){ .n = n, .resized = -1 };
		s[1] = (struct slot_step){ .n = n2, .resized = -1 };
		if (!grp_slots_make_room(p, s, 2)) {
			t->bad_fit += !run_free(n);
			if (run_free(n))
				add(p, gid, n);
			t->bad_fit += !run_free(n2);
			if (run_free(n2))
				add(p, gid2, n2);
		}
	} else if (op == 3 && (gid = used_gid(rs)) >= 0) {	/* resized */
		struct grp *g = &grp[gid];
		uint32_t old_base, old_n;

		if (n == g->nbuckets)
			return;
		s[0] = (struct slot_step){ .n = n, .resized = gid };
		if (grp_slots_make_room(p, s, 1))
			return;
		old_base = g->base;	/* read after: the table may have moved */
		old_n = g->nbuckets;
		t->bad_fit += !run_free(n);
		if (!run_free(n))
			return;
		g->base = (uint32_t)grp_slots_alloc(p, n);
		g->nbuckets = n;
		fill(p, gid);
		grp_publish(p, gid);
		grp_slots_free(p, old_base, old_n);
	} else if ((gid = used_gid(rs)) >= 0) {	/* removed */
		grp[gid].in_use = 0;
		grp_publish(p, gid);
		grp_slots_free(p, grp[gid].base, grp[gid].nbuckets);
		memset(&grp[gid], 0, sizeof(grp[gid]));
	}
	t->steps++;
	check_plane(p, t);
}

static void test_slots_random_steps(void)
{
	unsigned long long rs = 0x5107;
	struct tally t = { 0 };
	struct plane p;
	int i;

	plane_init(&p);
	for (i = 0; i < 20000; i++)
		step(&p, &rs, &t);
	ASSERT_EQ(t.bad_map, 0, "(a) used slots not the groups' runs");
	ASSERT_EQ(t.bad_word, 0, "(b) a published word not its group's run");
	ASSERT_EQ(t.bad_table, 0, "(b) a bucket lost or mixed up");
	ASSERT_EQ(t.bad_fit, 0, "(c) room said but no run");
	ASSERT_EQ(t.moved_needlessly, 0, "(d) tables moved with a run free");
	CHECK(t.blocked > 200, "holes stopped a table only %ld times", t.blocked);
	CHECK(t.cleared > t.blocked / 2, "moving tables cleared %ld of %ld", t.cleared, t.blocked);
	printf("  %ld steps; holes stopped a table %ld times: %ld cleared by moving tables, %ld refused\n",
	       t.steps, t.blocked, t.cleared, t.refused_fragmented);
}

/* The case of tests/net/test_limits.sh, by hand: a hole in front, free
 * slots behind, two tables between; the one whose move frees the run
 * with the fewest buckets moved goes, into the hole. */
static void test_slots_fewest_moved(void)
{
	struct slot_step s = { .n = 2048, .resized = -1 };
	struct plane p;

	plane_init(&p);
	add(&p, 0, 1024);	/* 1 */
	add(&p, 1, 512);	/* 1025 */
	add(&p, 2, 1024);	/* 1537 */
	grp[0].in_use = 0;
	grp_publish(&p, 0);
	grp_slots_free(&p, grp[0].base, 1024);
	memset(&grp[0], 0, sizeof(grp[0]));
	ASSERT_EQ(grp_slots_largest_run(&p), 1536, "1,024 in front, 1,536 behind");
	ASSERT_EQ(grp_slots_make_room(&p, &s, 1), 0, "2,048 in one piece");
	ASSERT_EQ(grp[1].base, 1025, "the 512 stays");
	ASSERT_EQ(grp[2].base, 1, "the 1,024 into the hole");
	ASSERT_EQ(grp_slots_largest_run(&p), 2560, "the rest in one piece");
	ASSERT_EQ(buckets[1].nexthop, mark(2, 0), "its table copied");
	ASSERT_EQ(buckets[1024].nexthop, mark(2, 1023), "all of it");
	s.n = 4096;
	ASSERT_EQ(grp_slots_make_room(&p, &s, 1), -ENOSPC, "more than is free");
	ASSERT_EQ(grp[2].base, 1, "nothing moved for it");
}

int main(void)
{
	/* A line for each time tables move: thousands here. */
	log_init("test_slots", LOG_LEVEL_WARN, 0, 0);
	RUN_TEST(test_slots_fewest_moved);
	RUN_TEST(test_slots_random_steps);
	return test_summary();
}
