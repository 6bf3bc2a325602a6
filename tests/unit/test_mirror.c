// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Kernel routes as ecmpd mirrors them: rtnetlink route messages built byte
 * for byte (single path, RTA_MULTIPATH with weights and dead nexthops,
 * RTA_VIA, nexthop objects and resilient groups, other types, tables and
 * protocols), run
 * through nl_parse() into the mirror, and the config it merges checked;
 * then hostile messages, refused whole and counted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "ecmpd/mirror.h"
#include "ecmpd/mirror_table.h"
#include "ecmpd/plane.h"
#include "../test.h"
#include "nl_build.h"

TEST_STATE_DEFINE;

static struct mirror *m;
static struct conf_kernel_routes k;
static int delivered;

static void on_route(void *ctx, const struct nl_route *r)
{
	delivered++;
	mirror_take(m, &k, r);
}

static void on_nexthop(void *ctx, const struct nl_nexthop *n)
{
	delivered++;
	mirror_take_nexthop(m, n);
}

/* Parses what was put; returns the messages counted malformed. */
static unsigned long parse(void)
{
	struct nl nl = { 0 };
	struct nl_handlers h = { .route = on_route, .nexthop = on_nexthop };

	nl_parse(&nl, nl_buf, nl_used, &h);
	nl_used = 0;
	return nl.malformed;
}

static void setup(void)
{
	memset(&k, 0, sizeof(k));
	k.enabled = 1;
	k.table = RT_TABLE_MAIN;
	k.proto[RTPROT_BGP / 8] |= 1 << (RTPROT_BGP % 8);
	mirror_free(m);
	m = mirror_new();
	delivered = 0;
}

/* A read of the routes specs, merged with a file routing 198.18.200.0/24
 * into out; 0, or which step failed. */
static int read_and_merge(const struct spec *specs, unsigned n, const struct plane *p,
			  struct ecmp_conf *file, struct ecmp_conf *out)
{
	unsigned i;

	if (config_parse(file, "t.conf", "route 198.18.200.0/24 group g\n"
			 "group g nexthops n\nnexthop n via 198.18.9.9 dev lo\n"))
		return 1;
	for (i = 0; i < n; i++)
		put_route(&specs[i]);
	if (parse())
		return 2;
	mirror_finish(m);
	return mirror_merge(m, file, p, out) ? 3 : 0;
}

static void test_mirror_routes(void)
{
	struct plane p = { 0 };		/* no groups yet: every set is new */
	struct ecmp_conf file = { 0 }, out;
	char lo[IF_NAMESIZE];
	const struct spec specs[] = {
		{ .dst = "198.19.1.0/24", .nhops = 3, .hop = { { "198.18.1.2" },
			{ "198.18.2.2", .hops = 2 }, { "198.18.3.2", .dead = 1 } } },
		{ .dst = "198.19.2.0/24", .nhops = 2, .hop = { { "198.18.2.2", .hops = 2 },
			{ "198.18.1.2" } } },	/* the same set, another order */
		{ .dst = "198.19.3.0/24", .metric = 200, .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.3.0/24", .metric = 100, .nhops = 1, .hop = { { "198.18.4.2" } } },
		{ .dst = "198.19.4.0/24", .rtype = RTN_BLACKHOLE },
		{ .dst = "198.19.5.0/24", .protocol = RTPROT_OSPF, .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.6.0/24", .nh_id = 7 },	/* nexthop_compat_mode 0 */
		{ .dst = "198.19.15.0/24", .nh_id = 8, .nhops = 2, .hop = { { "198.18.1.2" },
			{ "198.18.2.2", .hops = 2 } } },	/* compat mode 1: expanded too */
		{ .dst = "198.19.7.0/24", .nhops = 1, .hop = { { NULL } } },
		{ .dst = "198.19.8.0/24", .nhops = 2, .hop = { { "198.18.1.2", .dead = 1 },
			{ "198.18.2.2", .dead = 1 } } },
		{ .dst = "198.19.9.0/24", .nhops = 2, .hop = { { "2001:db8:1::2", .via6 = 1 },
			{ "198.18.1.2" } } },
		{ .dst = "198.19.10.0/24", .table = 100, .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.11.0/24", .cloned = 1, .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.12.0/24", .protocol = 236, .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.13.0/24", .type = RTM_DELROUTE, .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.14.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } },	/* config's */
		{ .dst = "2001:db8:100::/48", .nhops = 2, .hop = { { "2001:db8:ffff:ffff:ffff:ffff:ffff:1234" },
			{ "2001:db8:2::2" } } },
	};
	char want[256];
	unsigned i;

	setup();
	ASSERT_TRUE(if_indextoname(1, lo) != NULL, "ifindex 1 exists");
	ASSERT_EQ(config_parse(&file, "t.conf", "route 198.19.14.0/24 group g\n"
			       "group g nexthops n\nnexthop n via 198.18.9.9 dev lo\n"), 0, "file");
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		put_route(&specs[i]);
	ASSERT_EQ(parse(), 0, "nothing malformed");
	ASSERT_EQ(delivered, (int)(sizeof(specs) / sizeof(specs[0])), "every message delivered");
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &out), 0, "merge");

	snprintf(want, sizeof(want), "198.18.1.2@%s 198.18.2.2@%s*3", lo, lo);
	ASSERT_STR_EQ(members_of(&out, "198.19.1.0/24"), want, "multipath: weights, the dead one left out");
	ASSERT_EQ(route_of(&out, "198.19.1.0/24")->group, route_of(&out, "198.19.2.0/24")->group,
		  "one set, one group, in any order");
	snprintf(want, sizeof(want), "198.18.4.2@%s", lo);
	ASSERT_STR_EQ(members_of(&out, "198.19.3.0/24"), want, "the lowest metric wins");
	ASSERT_STR_EQ(members_of(&out, "198.19.4.0/24"), "kernel", "blackhole: the kernel's");
	ASSERT_STR_EQ(members_of(&out, "198.19.5.0/24"), "kernel", "another protocol: the kernel's");
	ASSERT_STR_EQ(members_of(&out, "198.19.6.0/24"), "kernel", "nexthop object alone: the kernel's");
	snprintf(want, sizeof(want), "198.18.1.2@%s 198.18.2.2@%s*3", lo, lo);
	ASSERT_STR_EQ(members_of(&out, "198.19.15.0/24"), want, "nexthop object expanded: mirrored");
	ASSERT_TRUE(route_of(&out, "198.19.15.0/24")->group != route_of(&out, "198.19.1.0/24")->group,
		    "the same paths over an object: the object's own group (it follows the object)");
	ASSERT_STR_EQ(members_of(&out, "198.19.7.0/24"), "kernel", "no gateway: the kernel's");
	ASSERT_STR_EQ(members_of(&out, "198.19.8.0/24"), "kernel", "every nexthop dead: the kernel's");
	snprintf(want, sizeof(want), "198.18.1.2@%s 2001:db8:1::2@%s", lo, lo);
	ASSERT_STR_EQ(members_of(&out, "198.19.9.0/24"), want, "RTA_VIA: an IPv6 gateway");
	ASSERT_STR_EQ(members_of(&out, "198.19.10.0/24"), "none", "another table: not read");
	ASSERT_STR_EQ(members_of(&out, "198.19.11.0/24"), "none", "cache entries: not read");
	ASSERT_STR_EQ(members_of(&out, "198.19.12.0/24"), "none", "ecmpd's own routes: not read");
	ASSERT_STR_EQ(members_of(&out, "198.19.13.0/24"), "none", "a deletion in a dump: not a route");
	ASSERT_STR_EQ(members_of(&out, "198.19.14.0/24"), "n", "the config's route wins");
	ASSERT_TRUE(strstr(members_of(&out, "2001:db8:100::/48"), " #") != NULL,
		    "a name too long for 31 characters: hashed");
	ASSERT_EQ(mirror_stats(m)->mirrored, 6, "mirrored");
	ASSERT_EQ(mirror_stats(m)->groups, 5, "groups");
	ASSERT_EQ(mirror_stats(m)->skipped[MIRROR_SKIP_TYPE], 1, "type counted");
	ASSERT_EQ(mirror_stats(m)->skipped[MIRROR_SKIP_CONFIG], 1, "config counted");
	ASSERT_EQ(out.ngroup, 1 + 5, "the file's group and five");
	config_free(&out);
	config_free(&file);
}

/* Routes over resilient group objects take the object's bucket count
 * (rounded up to a power of two) and timers, in either compat mode; a
 * hash-threshold group keeps the defaults; the same paths under two
 * tables are two groups. */
static void test_mirror_resilient(void)
{
	struct plane p = { 0 };
	struct ecmp_conf file = { 0 }, out;
	const struct nhspec objs[] = {
		{ .id = 1, .via = "198.18.1.2" },
		{ .id = 2, .via = "198.18.2.2" },
		{ .id = 10, .ngroup = 2, .group = { { 1, 1 }, { 2, 3 } },
		  .res_buckets = 100, .idle_ticks = 500, .unbalanced_ticks = 0 },
		{ .id = 11, .ngroup = 2, .group = { { 1, 1 }, { 2, 3 } } },
		{ .id = 12, .ngroup = 2, .group = { { 1, 1 }, { 2, 3 } },
		  .res_buckets = 4096, .idle_ticks = 12000, .unbalanced_ticks = 3000 },
	};
	const struct spec routes[] = {
		{ .dst = "198.19.1.0/24", .nh_id = 10 },		/* compat mode 0 */
		{ .dst = "198.19.2.0/24", .nh_id = 11 },
		{ .dst = "198.19.3.0/24", .nh_id = 12, .nhops = 2,	/* compat mode 1 */
		  .hop = { { "198.18.1.2" }, { "198.18.2.2", .hops = 2 } } },
	};
	const struct conf_group *g;
	unsigned i;

	setup();
	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		put_nexthop(&objs[i]);
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		put_route(&routes[i]);
	ASSERT_EQ(parse(), 0, "nothing malformed");
	ASSERT_EQ(delivered, 8, "every message delivered");
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &out), 0, "merge");
	ASSERT_EQ(mirror_stats(m)->mirrored, 3, "all three mirrored");
	ASSERT_EQ(out.ngroup, 3, "one group per table");
	g = &out.group[route_of(&out, "198.19.1.0/24")->group];
	ASSERT_EQ(g->buckets, 128, "100 buckets: 128");
	ASSERT_EQ(g->idle_timer_ms, 5000, "idle_timer 500 ticks: 5 s");
	ASSERT_EQ(g->unbalanced_timer_ms, 0, "unbalanced_timer 0: never forced");
	g = &out.group[route_of(&out, "198.19.2.0/24")->group];
	ASSERT_EQ(g->buckets, ECMP_DEFAULT_BUCKETS, "hash-threshold: the default buckets");
	ASSERT_EQ(g->idle_timer_ms, 1000, "hash-threshold: the default idle_timer");
	ASSERT_EQ(g->unbalanced_timer_ms, 10000, "hash-threshold: the default unbalanced_timer");
	g = &out.group[route_of(&out, "198.19.3.0/24")->group];
	ASSERT_EQ(g->buckets, 4096, "compat mode 1: 4096 buckets");
	ASSERT_EQ(g->idle_timer_ms, 120000, "compat mode 1: idle_timer 120 s");
	ASSERT_EQ(g->unbalanced_timer_ms, 30000, "compat mode 1: unbalanced_timer 30 s");
	config_free(&out);

	/* Hostile: resilient without its attributes, a bucket count of the
	 * wrong size: refused whole. */
	struct nhspec bad = objs[2];

	setup();
	bad.res_buckets = -1;
	put_nexthop(&bad);
	bad.res_buckets = 100;
	bad.buckets_len = 4;
	put_nexthop(&bad);
	ASSERT_EQ(parse(), 2, "resilient: no NHA_RES_GROUP, a 4-byte bucket count");
	ASSERT_EQ(delivered, 0, "neither delivered");
}

/* A read sorted at its start (IPv4 as the kernel dumps it) and not after
 * it: the routes come out in order, one per prefix, the lowest metric's
 * even when its other route is in the sorted start. */
static void test_mirror_order(void)
{
	struct plane p = { 0 };
	struct ecmp_conf file = { 0 }, out;
	static const char *const in_order[] = {
		"198.19.0.0/24", "198.19.1.0/24", "198.19.1.128/25", "198.19.2.0/24",
		"198.19.3.0/24", "2001:db8:100::/48",
	};
	const struct spec specs[] = {
		{ .dst = "198.19.1.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.2.0/24", .metric = 100, .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.3.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } },
		/* the sorted start ends here */
		{ .dst = "2001:db8:100::/48", .nhops = 1, .hop = { { "2001:db8:1::2" } } },
		{ .dst = "198.19.0.0/24", .nhops = 1, .hop = { { "198.18.2.2" } } },
		{ .dst = "198.19.2.0/24", .metric = 50, .nhops = 1, .hop = { { "198.18.4.2" } } },
		{ .dst = "198.19.1.128/25", .nhops = 1, .hop = { { "198.18.3.2" } } },
	};
	char lo[IF_NAMESIZE], want[64];
	unsigned i;

	setup();
	ASSERT_TRUE(if_indextoname(1, lo) != NULL, "ifindex 1 exists");
	ASSERT_EQ(read_and_merge(specs, sizeof(specs) / sizeof(specs[0]), &p, &file, &out), 0,
		  "read and merge");
	ASSERT_EQ(out.nroute, 1 + 6, "the file's route and one per prefix");
	for (i = 0; i < sizeof(in_order) / sizeof(in_order[0]); i++)
		ASSERT_TRUE(route_of(&out, in_order[i]) == &out.route[1 + i], in_order[i]);
	snprintf(want, sizeof(want), "198.18.4.2@%s", lo);
	ASSERT_STR_EQ(members_of(&out, "198.19.2.0/24"), want,
		      "the lowest metric wins across the sorted start");
	config_free(&out);
	config_free(&file);
}

/* Route events as patches (mirror_patch.c), over a plane without groups
 * (so nothing is derived): a route moved to a set the table did not have
 * gets the group a read would make, and the group it left, now without
 * routes, goes with the nexthop no other group names; the result is what
 * a whole read of the same table merges. */
static struct mirror_patch planned;
static int plan_ret;

static void on_event(void *ctx, const struct nl_route *r)
{
	plan_ret = mirror_patch_plan(m, &k, r, &planned);
}

static void patch(const struct spec *s, struct ecmp_conf *eff, const struct plane *p)
{
	struct nl nl = { 0 };
	struct nl_handlers h = { .route = on_event };

	put_route(s);
	nl_parse(&nl, nl_buf, nl_used, &h);
	nl_used = 0;
	if (!plan_ret && planned.new_group)
		plan_ret = mirror_patch_group(m, eff, p, &planned);
	if (!plan_ret)
		plan_ret = mirror_patch_commit(m, eff, &planned);
}

static void test_mirror_patch_new_set(void)
{
	struct plane p = { 0 };
	struct ecmp_conf file = { 0 }, eff, read;
	const struct spec table[] = {
		{ .dst = "198.19.1.0/24", .nhops = 2, .hop = { { "198.18.1.2" }, { "198.18.2.2" } } },
		{ .dst = "198.19.2.0/24", .nhops = 2, .hop = { { "198.18.1.2" }, { "198.18.2.2" } } },
		{ .dst = "198.19.3.0/24", .nhops = 1, .hop = { { "198.18.3.2" } } },
	};
	/* 198.19.3.0/24 to a new set with a new nexthop (1.2, weight 3):
	 * the set of 3.2 alone loses its last route. */
	const struct spec moved = { .dst = "198.19.3.0/24", .nlflags = NLM_F_REPLACE, .nhops = 2,
				    .hop = { { "198.18.1.2", .hops = 2 }, { "198.18.2.2" } } };
	char lo[IF_NAMESIZE], want[96];
	unsigned i;

	setup();
	ASSERT_TRUE(if_indextoname(1, lo) != NULL, "ifindex 1 exists");
	ASSERT_EQ(config_parse(&file, "t.conf", "route 198.18.200.0/24 group g\n"
			       "group g nexthops n\nnexthop n via 198.18.9.9 dev lo\n"), 0, "file");
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		put_route(&table[i]);
	ASSERT_EQ(parse(), 0, "nothing malformed");
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &eff), 0, "merge");
	ASSERT_EQ(eff.ngroup, 3, "the file's group and two");
	ASSERT_EQ(eff.nnexthop, 4, "the file's nexthop and three");

	patch(&moved, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "a new set: a patch, no read");
	ASSERT_TRUE(planned.new_group, "with a group of its own");
	ASSERT_EQ(mirror_drop_unused(m, &eff), MIRROR_DROPPED_GROUP | MIRROR_DROPPED_NEXTHOPS,
		  "the old set's group and its nexthop go");
	snprintf(want, sizeof(want), "198.18.1.2@%s*3 198.18.2.2@%s", lo, lo);
	ASSERT_STR_EQ(members_of(&eff, "198.19.3.0/24"), want, "the new set's members");
	snprintf(want, sizeof(want), "198.18.1.2@%s 198.18.2.2@%s", lo, lo);
	ASSERT_STR_EQ(members_of(&eff, "198.19.1.0/24"), want, "the other routes keep theirs");
	ASSERT_STR_EQ(members_of(&eff, "198.19.2.0/24"), want, "and their group");
	ASSERT_EQ(eff.ngroup, 3, "one group in, one out");
	ASSERT_EQ(eff.nnexthop, 4, "198.18.3.2 out, 198.18.1.2*3 in");
	ASSERT_STR_EQ(members_of(&eff, "198.18.200.0/24"), "n", "the file's route as it was");
	ASSERT_EQ(mirror_stats(m)->groups, 2, "groups counted");

	/* Back to a set that has a group: a plain patch, nothing new. */
	patch(&table[0], &eff, &p);	/* no NLM_F_REPLACE: refused, a read */
	ASSERT_EQ(plan_ret, -EAGAIN, "a second route for a prefix without replace: read");
	struct spec back = table[2];

	back.dst = "198.19.3.0/24";
	back.nlflags = NLM_F_REPLACE;
	back.nhops = 2;
	back.hop[0] = table[0].hop[0];
	back.hop[1] = table[0].hop[1];
	patch(&back, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "to an existing set: a patch");
	ASSERT_TRUE(!planned.new_group, "no new group");
	ASSERT_EQ(mirror_drop_unused(m, &eff), MIRROR_DROPPED_GROUP | MIRROR_DROPPED_NEXTHOPS,
		  "the new set's group goes again, with 198.18.1.2*3");
	ASSERT_EQ(route_of(&eff, "198.19.3.0/24")->group, route_of(&eff, "198.19.1.0/24")->group,
		  "one set, one group");

	/* What a read of the same table merges. */
	mirror_begin(m);
	put_route(&table[0]);
	put_route(&table[1]);
	put_route(&back);
	ASSERT_EQ(parse(), 0, "the read");
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &read), 0, "merge of the read");
	ASSERT_EQ(read.ngroup, eff.ngroup, "as many groups as the patches left");
	ASSERT_EQ(read.nnexthop, eff.nnexthop, "as many nexthops");
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		snprintf(want, sizeof(want), "%s", members_of(&eff, table[i].dst));
		ASSERT_STR_EQ(members_of(&read, table[i].dst), want, table[i].dst);
	}
	config_free(&read);
	config_free(&eff);
	config_free(&file);
}

/* The fe80::/64 each IPv6 link adds and takes away (a prefix the data
 * path never looks up): one more or less of them, like the one the table
 * holds, is a no-op patch that counts it, not a read; the last one going,
 * or one unlike it, is not taken so. */
static void test_mirror_patch_martian(void)
{
	struct plane p = { 0 };
	struct ecmp_conf file = { 0 }, eff;
	const struct spec ll = { .dst = "fe80::/64", .protocol = RTPROT_KERNEL, .metric = 256,
				 .nhops = 1, .hop = { { NULL } } };
	struct spec gone = ll, other_metric = ll, unicast = ll;
	struct lpm_route key = { .family = ECMP_AF_INET6, .prefixlen = 64 };
	struct mroute x;

	setup();
	inet_pton(AF_INET6, "fe80::", key.addr);
	put_route(&ll);
	put_route(&ll);		/* a second link's */
	ASSERT_EQ(parse(), 0, "parse");
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &eff), 0, "merge");
	ASSERT_EQ(mirror_route_at(m, &key, &x), 1, "held");
	ASSERT_EQ(x.others, 1, "two links' routes: one more");

	patch(&ll, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "a third link's: a patch, no read");
	ASSERT_TRUE(planned.noop, "that changes nothing in the data path");
	ASSERT_EQ(mirror_route_at(m, &key, &x), 1, "held");
	ASSERT_TRUE(x.others == 2 && x.protocol == RTPROT_KERNEL && x.metric == 256,
		    "counted, protocol and metric kept");
	gone.type = RTM_DELROUTE;
	patch(&gone, &eff, &p);
	patch(&gone, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "two links' going: patches");
	ASSERT_EQ(mirror_route_at(m, &key, &x), 1, "still held");
	ASSERT_EQ(x.others, 0, "one route left");
	other_metric.metric = 1024;
	patch(&other_metric, &eff, &p);
	ASSERT_EQ(plan_ret, -EAGAIN, "another metric: read");
	patch(&gone, &eff, &p);
	ASSERT_TRUE(!plan_ret && planned.removed, "the last one going: the prefix goes");
	ASSERT_EQ(mirror_route_at(m, &key, &x), 0, "gone");

	/* Not martian: a second route without replace still reads. */
	unicast.dst = "2001:db8:1::/64";
	put_route(&unicast);
	put_route(&unicast);
	mirror_begin(m);
	ASSERT_EQ(parse(), 0, "parse");
	mirror_finish(m);
	config_free(&eff);
	ASSERT_EQ(mirror_merge(m, &file, &p, &eff), 0, "merge");
	patch(&unicast, &eff, &p);
	ASSERT_EQ(plan_ret, -EAGAIN, "a unicast prefix's third route: read");
	config_free(&eff);
}

/* What the mirror holds for a prefix (mirror_route_at), as the config's
 * routes in the kernel's FIB take it at a reload: any protocol but
 * ecmpd's own, host bits of the key ignored, kept current by patches,
 * a protocol change with the same paths included. */
static void test_mirror_route_at(void)
{
	struct plane p = { 0 };
	struct ecmp_conf file = { 0 }, eff;
	const struct spec bgp = { .dst = "198.19.1.0/24", .nhops = 2,
				  .hop = { { "198.18.1.2" }, { "198.18.2.2" } } };
	const struct spec ospf = { .dst = "198.19.2.0/24", .protocol = RTPROT_OSPF, .nhops = 1,
				   .hop = { { "198.18.3.2" } } };
	const struct spec ours = { .dst = "198.19.4.0/24", .protocol = 236, .nhops = 1,
				   .hop = { { "198.18.3.2" } } };
	struct spec now_static = bgp, fewer = bgp;
	struct lpm_route key = { .family = ECMP_AF_INET, .prefixlen = 24 };
	struct mroute x;

	setup();
	k.proto[RTPROT_STATIC / 8] |= 1 << (RTPROT_STATIC % 8);
	inet_pton(AF_INET, "198.19.1.7", key.addr);
	ASSERT_EQ(mirror_route_at(m, &key, &x), -EAGAIN, "no merge yet: cannot tell");
	put_route(&bgp);
	put_route(&ospf);
	put_route(&ours);
	ASSERT_EQ(parse(), 0, "nothing malformed");
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &eff), 0, "merge");
	ASSERT_EQ(mirror_route_at(m, &key, &x), 1, "198.19.1.0/24 held (host bits ignored)");
	ASSERT_EQ(x.protocol, RTPROT_BGP, "as bgp");
	inet_pton(AF_INET, "198.19.2.0", key.addr);
	ASSERT_EQ(mirror_route_at(m, &key, &x), 1, "a protocol not mirrored: held all the same");
	ASSERT_EQ(x.protocol, RTPROT_OSPF, "as ospf");
	ASSERT_EQ(x.outcome, MIRROR_SKIP_PROTOCOL, "and left to the kernel");
	inet_pton(AF_INET, "198.19.4.0", key.addr);
	ASSERT_EQ(mirror_route_at(m, &key, &x), 0, "ecmpd's own route: never taken");
	inet_pton(AF_INET, "198.19.3.0", key.addr);
	ASSERT_EQ(mirror_route_at(m, &key, &x), 0, "a prefix without a route: none");

	/* The same paths from another protocol: nothing for the data path,
	 * the protocol noted. */
	now_static.protocol = RTPROT_STATIC;
	now_static.nlflags = NLM_F_REPLACE;
	patch(&now_static, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "committed");
	ASSERT_TRUE(planned.noop, "a patch that changes nothing in the data path");
	inet_pton(AF_INET, "198.19.1.0", key.addr);
	ASSERT_EQ(mirror_route_at(m, &key, &x), 1, "still held");
	ASSERT_EQ(x.protocol, RTPROT_STATIC, "now as static");
	fewer.nlflags = NLM_F_REPLACE;
	fewer.nhops = 1;
	patch(&fewer, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "a path withdrawn: a patch");
	ASSERT_EQ(mirror_route_at(m, &key, &x), 1, "held");
	ASSERT_EQ(x.protocol, RTPROT_BGP, "as bgp again");
	config_free(&eff);
}

/* The kernel's IPv6 multipath routes edited path by path: a deletion
 * names one path and the route keeps the others; an append (or a create
 * over a route of the same metric) lists every path the route has now.
 * Each is a patch, and the patches give what a read gives. IPv4 keeps
 * its reads: there an append is a second route, a deletion the route. */
static void test_mirror_patch_ipv6_paths(void)
{
	struct plane p = { 0 };
	struct ecmp_conf file = { 0 }, eff, read;
	const struct spec table[] = {
		{ .dst = "2001:db8:100::/64", .nhops = 2,
		  .hop = { { "2001:db8:1::2" }, { "2001:db8:2::2" } } },
		{ .dst = "198.19.1.0/24", .nhops = 2, .hop = { { "198.18.1.2" }, { "198.18.2.2" } } },
	};
	struct spec e = { .type = RTM_DELROUTE, .dst = "2001:db8:100::/64", .nhops = 1,
			  .hop = { { "2001:db8:1::2" } } };
	char lo[IF_NAMESIZE], want[128];

	setup();
	ASSERT_TRUE(if_indextoname(1, lo) != NULL, "ifindex 1 exists");
	put_route(&table[0]);
	put_route(&table[1]);
	ASSERT_EQ(parse(), 0, "nothing malformed");
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &eff), 0, "merge");

	patch(&e, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "one path deleted: a patch");
	ASSERT_TRUE(!planned.removed, "the route stays");
	snprintf(want, sizeof(want), "2001:db8:2::2@%s", lo);
	ASSERT_STR_EQ(members_of(&eff, "2001:db8:100::/64"), want, "with the other path");

	e.type = 0;
	e.nlflags = NLM_F_APPEND;
	e.nhops = 2;
	e.hop[0].via = "2001:db8:3::2";
	e.hop[1].via = "2001:db8:2::2";
	patch(&e, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "an append, every path listed: a patch");
	snprintf(want, sizeof(want), "2001:db8:2::2@%s 2001:db8:3::2@%s", lo, lo);
	ASSERT_STR_EQ(members_of(&eff, "2001:db8:100::/64"), want, "both paths");

	e.nlflags = 0;	/* a create without NLM_F_EXCL: joins the same way */
	e.nhops = 3;
	e.hop[2].via = "2001:db8:1::2";
	patch(&e, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "a create over the route: a patch");
	snprintf(want, sizeof(want), "2001:db8:1::2@%s 2001:db8:2::2@%s 2001:db8:3::2@%s",
		 lo, lo, lo);
	ASSERT_STR_EQ(members_of(&eff, "2001:db8:100::/64"), want, "three paths");

	e.type = RTM_DELROUTE;
	e.nhops = 1;
	e.hop[0].via = "2001:db8:4::2";
	patch(&e, &eff, &p);
	ASSERT_EQ(plan_ret, -EAGAIN, "a deleted path the route does not have: read");
	e.hop[0].via = "2001:db8:3::2";
	patch(&e, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "back to the table's two paths");

	/* What a read of the same table gives. */
	mirror_begin(m);
	put_route(&table[0]);
	put_route(&table[1]);
	ASSERT_EQ(parse(), 0, "the read");
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &read), 0, "merge of the read");
	ASSERT_STR_EQ(members_of(&read, "2001:db8:100::/64"), members_of(&eff, "2001:db8:100::/64"),
		      "the read's paths are the patches'");
	config_free(&read);

	e.nhops = 2;
	e.hop[0].via = "2001:db8:2::2";
	e.hop[1].via = "2001:db8:1::2";
	patch(&e, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "every path named: a patch");
	ASSERT_TRUE(planned.removed, "that removes the route");
	ASSERT_STR_EQ(members_of(&eff, "2001:db8:100::/64"), "none", "gone");

	/* A weighted path left alone: the kernel dumps a route of one path
	 * without its weight, so the patch names it as a read would. */
	struct spec w = { .dst = "2001:db8:100::/64", .nhops = 2,
			  .hop = { { "2001:db8:1::2", 1 }, { "2001:db8:2::2" } } };
	const struct spec one = { .dst = "2001:db8:100::/64", .nhops = 1,
				  .hop = { { "2001:db8:1::2" } } };

	patch(&w, &eff, &p);
	snprintf(want, sizeof(want), "2001:db8:1::2@%s*2 2001:db8:2::2@%s", lo, lo);
	ASSERT_STR_EQ(members_of(&eff, "2001:db8:100::/64"), want, "weights 2 and 1");
	w.type = RTM_DELROUTE;
	w.nhops = 1;
	w.hop[0].via = "2001:db8:2::2";
	w.hop[0].hops = 0;
	patch(&w, &eff, &p);
	ASSERT_EQ(plan_ret, 0, "the weight-1 path deleted: a patch");
	mirror_begin(m);
	put_route(&one);
	put_route(&table[1]);
	ASSERT_EQ(parse(), 0, "the read of one path");
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &read), 0, "merge of the read");
	ASSERT_STR_EQ(members_of(&eff, "2001:db8:100::/64"), members_of(&read, "2001:db8:100::/64"),
		      "the path left named as the read names it");
	config_free(&read);

	struct spec v4 = { .type = RTM_DELROUTE, .dst = "198.19.1.0/24", .nhops = 1,
			   .hop = { { "198.18.1.2" } } };

	patch(&v4, &eff, &p);
	ASSERT_EQ(plan_ret, -EAGAIN, "IPv4: a deletion naming one path of two: read");
	v4.type = 0;
	v4.nlflags = NLM_F_APPEND;
	patch(&v4, &eff, &p);
	ASSERT_EQ(plan_ret, -EAGAIN, "IPv4: an append is a second route: read");
	config_free(&eff);
}

static struct mirror_regroup rg;

static int obj_event(enum mirror_source src, const struct nl_nexthop *n, int unused,
		     struct ecmp_conf *eff)
{
	return mirror_object_event(m, src, n, unused, eff, &rg);
}

/* Nexthop objects between reads: a new one is taken (routes may name it
 * next, in order of id); one removed may have taken routes along; one
 * replaced with no merge to change in place needs the table. */
static void test_mirror_object_events(void)
{
	struct nl_nexthop a = { .id = 20, .family = ECMP_AF_INET, .ifindex = 1 }, b = a, c = a;

	setup();
	b.id = 10;
	c.id = 30;
	ASSERT_EQ(obj_event(MIRROR_SRC_KERNEL, &a, 0, NULL), 0, "new: taken");
	ASSERT_EQ(obj_event(MIRROR_SRC_KERNEL, &c, 0, NULL), 0, "new: taken");
	ASSERT_EQ(obj_event(MIRROR_SRC_KERNEL, &b, 0, NULL), 0, "new, a lower id: taken");
	ASSERT_EQ(obj_event(MIRROR_SRC_KERNEL, &a, 0, NULL), 0, "the same again: no news");
	a.ifindex = 2;
	ASSERT_EQ(obj_event(MIRROR_SRC_KERNEL, &a, 0, NULL), -EAGAIN,
		  "replaced, no merge to change: read");
	c.deleted = 1;
	ASSERT_EQ(obj_event(MIRROR_SRC_KERNEL, &c, 0, NULL), -EAGAIN, "a known one removed: read");
	c.id = 40;
	ASSERT_EQ(obj_event(MIRROR_SRC_KERNEL, &c, 0, NULL), 0, "an unknown one removed: nothing");

	/* A route naming the lowest alone (compat mode 0) finds it. */
	const struct spec over = { .dst = "198.19.1.0/24", .nh_id = 10 };
	struct nl nl = { 0 };
	struct nl_handlers h = { .route = on_event };

	put_route(&over);
	nl_parse(&nl, nl_buf, nl_used, &h);
	nl_used = 0;
	ASSERT_EQ(plan_ret, -EAGAIN, "no merge yet: no patch");
	struct mset s;
	struct nl_route r = { .family = ECMP_AF_INET, .prefixlen = 24, .nh_id = 10,
			      .protocol = RTPROT_BGP, .type = RTN_UNICAST, .table = RT_TABLE_MAIN };

	ASSERT_EQ(mirror_route_set(&k, &m->obj, &r, &s), MIRROR_OK, "expanded from the new object");
	ASSERT_EQ(s.n, 1, "its one path");
	ASSERT_EQ(s.obj, 10, "its set is the object's");

	/* zebra's: a new group no route names yet is taken alone; one that
	 * routes sent before it name is taken, and the table read (they
	 * went to the kernel for want of it). */
	b.deleted = 0;
	ASSERT_EQ(obj_event(MIRROR_SRC_FPM, &b, 1, NULL), 0, "zebra's new group: taken");
	ASSERT_EQ(mirror_route_set(NULL, &m->fpm_obj, &r, &s), MIRROR_OK, "a route of zebra's over it");
	c.id = 50;
	c.deleted = 0;
	ASSERT_EQ(obj_event(MIRROR_SRC_FPM, &c, 0, NULL), -EAGAIN,
		  "zebra's new group its routes came before: read");
	ASSERT_TRUE(mirror_obj_find(&m->fpm_obj, 50) != NULL, "and taken, for the read");
	/* zebra's: a group removed that no route names goes alone. */
	b.deleted = 1;
	ASSERT_EQ(obj_event(MIRROR_SRC_FPM, &b, 0, NULL), -EAGAIN,
		  "removed while routes may name it: read");
	ASSERT_EQ(obj_event(MIRROR_SRC_FPM, &b, 1, NULL), 0, "removed, named by no route: taken");
	ASSERT_EQ(mirror_route_set(NULL, &m->fpm_obj, &r, &s), MIRROR_SKIP_NH_OBJECT,
		  "gone: a route naming it now is the kernel's, as a read would say");
}

/* A route over a one-member group object: compat mode 1 carries its path
 * without the member's weight, mode 0 names the object alone. Both take
 * the object's, so the member keeps its name when the group grows. */
static void test_mirror_object_weight(void)
{
	struct nl_nexthop path = { .id = 10, .family = ECMP_AF_INET, .ifindex = 2 };
	struct nl_nexthop one = { .id = 21, .ngroup = 1 };
	struct nl_route r = { .family = ECMP_AF_INET, .prefixlen = 24, .nh_id = 21,
			      .protocol = RTPROT_BGP, .type = RTN_UNICAST, .table = RT_TABLE_MAIN };
	struct nl_route_nh hop = { .ifindex = 2, .family = ECMP_AF_INET, .weight = 1 };
	struct objects o = { 0 };
	struct mset mode0, mode1;

	setup();
	path.via[0] = 198;
	hop.via[0] = 198;
	one.group[0].id = 10;
	one.group[0].weight = 3;
	mirror_objects_add(&o, &path);
	mirror_objects_add(&o, &one);
	mirror_objects_sort(&o);

	ASSERT_EQ(mirror_route_set(&k, &o, &r, &mode0), MIRROR_OK, "compat 0: expanded");
	ASSERT_TRUE(mode0.n == 1 && mode0.nh[0].weight == 3, "compat 0: the member's weight");
	r.nnh = 1;
	r.nh[0] = hop;
	ASSERT_EQ(mirror_route_set(&k, &o, &r, &mode1), MIRROR_OK, "compat 1: the path given");
	ASSERT_TRUE(mirror_same_set(&mode0, &mode1), "compat 1: the same set, the object's weight");
	r.nh_id = 30;
	ASSERT_EQ(mirror_route_set(&k, &o, &r, &mode1), MIRROR_OK, "an object not known yet");
	ASSERT_TRUE(mode1.n == 1 && mode1.nh[0].weight == 1, "the path the route carries");
	r.nnh = 0;
	ASSERT_EQ(mirror_route_set(&k, &o, &r, &mode1), MIRROR_SKIP_NH_OBJECT,
		  "nothing carried: the kernel's");
	mirror_objects_free(&o);
}

static int last_obj_ret;
static struct ecmp_conf *obj_eff;

static void on_obj(void *ctx, const struct nl_nexthop *n)
{
	last_obj_ret = obj_event(MIRROR_SRC_KERNEL, n, 0, obj_eff);
}

/* One object message, as an event against eff. */
static int replace_object(const struct nhspec *o, struct ecmp_conf *eff)
{
	struct nl nl = { 0 };
	struct nl_handlers h = { .nexthop = on_obj };

	obj_eff = eff;
	put_nexthop(o);
	nl_parse(&nl, nl_buf, nl_used, &h);
	nl_used = 0;
	return last_obj_ret;
}

static const char *group_name_of(const struct ecmp_conf *c, const char *dst)
{
	const struct conf_route *r = route_of(c, dst);

	return r && r->group >= 0 ? c->group[r->group].name : "none";
}

/* A plane holding eff's nexthops and groups (no trie), as the data path
 * would after eff was applied: reads name their groups against it. */
static void plane_of(struct plane *p, const struct ecmp_conf *eff)
{
	static struct nh nh[32];
	static struct grp grp[8];
	int i, j;

	memset(p, 0, sizeof(*p));
	memset(nh, 0, sizeof(nh));
	memset(grp, 0, sizeof(grp));
	p->nh = nh;
	p->grp = grp;
	p->dp.max_entries[DP_NEXTHOPS] = 32;
	p->dp.max_entries[DP_GROUPS] = 8;
	for (i = 0; i < eff->nnexthop && i < 32; i++) {
		nh[i].in_use = 1;
		nh[i].c = eff->nexthop[i];
	}
	for (i = 0; i < eff->ngroup && i < 8; i++) {
		grp[i].in_use = 1;
		snprintf(grp[i].name, sizeof(grp[i].name), "%s", eff->group[i].name);
		grp[i].nmembers = eff->group[i].nmembers;
		for (j = 0; j < grp[i].nmembers; j++)
			grp[i].member[j] = eff->group[i].member[j];
	}
}

/* A whole read of these objects and routes, as mirror_read_kernel()
 * takes them: the messages found malformed. */
static unsigned long read_again(const struct nhspec *objs, int nobj, const struct spec *routes,
				int nroute)
{
	unsigned long bad;
	int i;

	mirror_begin(m);
	mirror_objects_free(&m->obj);
	for (i = 0; i < nobj; i++)
		put_nexthop(&objs[i]);
	for (i = 0; i < nroute; i++)
		put_route(&routes[i]);
	bad = parse();
	mirror_finish(m);
	return bad;
}

/* Whether c names each of its groups once. */
static int names_unique(const struct ecmp_conf *c)
{
	int i;

	for (i = 0; i < c->ngroup; i++)
		if (config_find_group(c, c->group[i].name) != i)
			return 0;
	return 1;
}

/* An object replaced in place (mirror_object.c): the group of the routes
 * through it (naming it, or a group holding it) changes its members in
 * place; routes over another object or paths of their own with the same
 * members have groups of their own and stay; a read afterwards gives the
 * same groups, by name (no flow would move); undone, eff is as it was. */
static void test_mirror_object_regroup(void)
{
	struct plane p = { 0 };
	struct ecmp_conf file = { 0 }, eff, read, before;
	const struct nhspec objs[] = {
		{ .id = 1, .via = "198.18.1.2" },
		{ .id = 2, .via = "198.18.2.2" },
		{ .id = 3, .via = "198.18.3.2" },
		{ .id = 10, .ngroup = 2, .group = { { 1, 1 }, { 2, 1 } } },
		{ .id = 11, .ngroup = 2, .group = { { 1, 1 }, { 2, 1 } } },
	};
	const struct spec routes[] = {
		{ .dst = "198.19.1.0/24", .nh_id = 10 },
		{ .dst = "198.19.2.0/24", .nh_id = 10 },
		{ .dst = "198.19.3.0/24", .nh_id = 11 },
		{ .dst = "198.19.4.0/24", .nhops = 2, .hop = { { "198.18.1.2" }, { "198.18.5.2" } } },
	};
	const struct nhspec g10 = { .id = 10, .ngroup = 2, .group = { { 1, 1 }, { 3, 1 } } };
	const struct nhspec n2 = { .id = 2, .via = "198.18.4.2" };
	const struct nhspec unknown = { .id = 10, .ngroup = 1, .group = { { 99, 1 } } };
	char lo[IF_NAMESIZE], want[96], g1[ECMP_NAME_MAX], g3[ECMP_NAME_MAX], g4[ECMP_NAME_MAX];
	int nn, i;

	setup();
	ASSERT_TRUE(if_indextoname(1, lo) != NULL, "ifindex 1 exists");
	for (i = 0; i < (int)(sizeof(objs) / sizeof(objs[0])); i++)
		put_nexthop(&objs[i]);
	for (i = 0; i < (int)(sizeof(routes) / sizeof(routes[0])); i++)
		put_route(&routes[i]);
	ASSERT_EQ(parse(), 0, "nothing malformed");
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &eff), 0, "merge");
	ASSERT_EQ(eff.ngroup, 3, "a group per object and one for the paths");
	ASSERT_STR_EQ(group_name_of(&eff, "198.19.1.0/24"), group_name_of(&eff, "198.19.2.0/24"),
		      "one object, one group");
	ASSERT_TRUE(strcmp(group_name_of(&eff, "198.19.1.0/24"), group_name_of(&eff, "198.19.3.0/24")),
		    "the same paths over another object: another group");
	snprintf(g1, sizeof(g1), "%s", group_name_of(&eff, "198.19.1.0/24"));
	snprintf(g3, sizeof(g3), "%s", group_name_of(&eff, "198.19.3.0/24"));
	snprintf(g4, sizeof(g4), "%s", group_name_of(&eff, "198.19.4.0/24"));

	/* Read again with the plane holding those groups: two of them have
	 * the same members, and each keeps its own name. */
	plane_of(&p, &eff);
	ASSERT_EQ(read_again(objs, 5, routes, 4), 0, "read again");
	config_free(&eff);
	ASSERT_EQ(mirror_merge(m, &file, &p, &eff), 0, "merge again");
	ASSERT_TRUE(names_unique(&eff), "no group name given twice");
	ASSERT_EQ(eff.ngroup, 3, "three groups still");
	ASSERT_TRUE(config_find_group(&eff, g1) >= 0 && config_find_group(&eff, g3) >= 0 &&
		    !strcmp(group_name_of(&eff, "198.19.4.0/24"), g4),
		    "the plane's groups kept, none made anew");
	ASSERT_STR_EQ(group_name_of(&eff, "198.19.1.0/24"), group_name_of(&eff, "198.19.2.0/24"),
		      "one object, one group, again");
	snprintf(g1, sizeof(g1), "%s", group_name_of(&eff, "198.19.1.0/24"));
	snprintf(g3, sizeof(g3), "%s", group_name_of(&eff, "198.19.3.0/24"));

	/* Group 10 to 1/3: 198.18.3.2 comes in, the routes keep group g1. */
	nn = eff.nnexthop;
	ASSERT_EQ(replace_object(&g10, &eff), MIRROR_REGROUP, "group 10 replaced: in place");
	ASSERT_EQ(rg.n, 1, "one group changes");
	ASSERT_STR_EQ(eff.group[rg.group[0]].name, g1, "the routes' own group");
	ASSERT_EQ(rg.nh_from, nn, "new nexthops from the end on");
	ASSERT_EQ(eff.nnexthop, nn + 1, "198.18.3.2 is new");
	snprintf(want, sizeof(want), "198.18.1.2@%s 198.18.3.2@%s", lo, lo);
	ASSERT_STR_EQ(members_of(&eff, "198.19.1.0/24"), want, "its routes' new members");
	ASSERT_STR_EQ(members_of(&eff, "198.19.2.0/24"), want, "both routes");
	ASSERT_STR_EQ(group_name_of(&eff, "198.19.2.0/24"), g1, "in the same group");
	snprintf(want, sizeof(want), "198.18.1.2@%s 198.18.2.2@%s", lo, lo);
	ASSERT_STR_EQ(members_of(&eff, "198.19.3.0/24"), want, "the other object's routes stay");
	mirror_regroup_done(m, &eff, &rg, 1);
	ASSERT_EQ(mirror_stats(m)->regroups, 1, "counted");

	/* Nexthop 2, in group 11 only now, gets another gateway. */
	ASSERT_EQ(replace_object(&n2, &eff), MIRROR_REGROUP, "a member replaced: in place");
	ASSERT_EQ(rg.n, 1, "the one group holding it");
	ASSERT_STR_EQ(eff.group[rg.group[0]].name, g3, "group 11's");
	mirror_regroup_done(m, &eff, &rg, 1);
	snprintf(want, sizeof(want), "198.18.1.2@%s 198.18.4.2@%s", lo, lo);
	ASSERT_STR_EQ(members_of(&eff, "198.19.3.0/24"), want, "group 11's routes follow");
	snprintf(want, sizeof(want), "198.18.1.2@%s 198.18.5.2@%s", lo, lo);
	ASSERT_STR_EQ(members_of(&eff, "198.19.4.0/24"), want, "paths of their own stay");
	ASSERT_EQ(mirror_drop_unused(m, &eff), MIRROR_DROPPED_NEXTHOPS,
		  "198.18.2.2, in no group now, goes; every group stays");
	ASSERT_EQ(eff.ngroup, 3, "three groups");
	snprintf(want, sizeof(want), "198.18.2.2@%s", lo);
	ASSERT_TRUE(config_find_nexthop(&eff, want) < 0, "198.18.2.2 gone");

	/* Undone (the data path had no room): eff and the mirror as before. */
	const struct nhspec g10b = { .id = 10, .ngroup = 1, .group = { { 3, 1 } } };

	config_copy(&before, &eff);
	ASSERT_EQ(replace_object(&g10b, &eff), MIRROR_REGROUP, "group 10 to 3 alone");
	mirror_regroup_done(m, &eff, &rg, 0);
	ASSERT_EQ(eff.nnexthop, before.nnexthop, "undone: the nexthops as they were");
	ASSERT_STR_EQ(members_of(&eff, "198.19.1.0/24"), members_of(&before, "198.19.1.0/24"),
		      "undone: the group as it was");
	ASSERT_EQ(replace_object(&g10b, &eff), MIRROR_REGROUP, "the mirror too: the same again");
	mirror_regroup_done(m, &eff, &rg, 0);
	ASSERT_EQ(replace_object(&unknown, &eff), -EAGAIN,
		  "a group of an object not known: its routes become the kernel's, read");
	ASSERT_EQ(eff.nnexthop, before.nnexthop, "refused: nothing added");
	config_free(&before);

	/* Removed: one no route names is no news, and leaves the groups
	 * holding it as the kernel does (one left empty goes too); one a
	 * route goes through took routes along: read. */
	const struct nhspec lone = { .id = 40, .via = "198.18.7.2" };
	const struct nhspec in_pair = { .id = 41, .ngroup = 2, .group = { { 1, 1 }, { 40, 1 } } };
	const struct nhspec in_one = { .id = 42, .ngroup = 1, .group = { { 40, 1 } } };
	struct nhspec gone = lone;

	gone.deleted = 1;
	ASSERT_EQ(replace_object(&lone, &eff), 0, "a new object");
	ASSERT_EQ(replace_object(&in_pair, &eff), 0, "a new group holding it");
	ASSERT_EQ(replace_object(&in_one, &eff), 0, "and one holding it alone");
	ASSERT_EQ(replace_object(&gone, &eff), 0, "removed, no route through it: no read");
	ASSERT_TRUE(mirror_obj_find(&m->obj, 40) == NULL, "gone");
	ASSERT_TRUE(mirror_obj_find(&m->obj, 41) && mirror_obj_find(&m->obj, 41)->ngroup == 1 &&
		    mirror_obj_find(&m->obj, 41)->group[0].id == 1, "out of the group holding it");
	ASSERT_TRUE(mirror_obj_find(&m->obj, 42) == NULL, "a group left empty goes too");
	/* Members of groups routes go through: removed, the groups shrink
	 * in place, as the kernel shrinks them; the last one: the groups go,
	 * and their routes with them, unannounced: read. */
	gone = objs[2];
	gone.deleted = 1;
	ASSERT_EQ(replace_object(&gone, &eff), MIRROR_REGROUP, "198.18.3.2's object, in group 10");
	ASSERT_EQ(rg.n, 1, "group 10's routes' group");
	mirror_regroup_done(m, &eff, &rg, 1);
	snprintf(want, sizeof(want), "198.18.1.2@%s", lo);
	ASSERT_STR_EQ(members_of(&eff, "198.19.1.0/24"), want, "group 10 without it");
	gone = n2;
	gone.deleted = 1;
	ASSERT_EQ(replace_object(&gone, &eff), MIRROR_REGROUP, "198.18.4.2's object, in group 11");
	mirror_regroup_done(m, &eff, &rg, 1);
	ASSERT_STR_EQ(members_of(&eff, "198.19.3.0/24"), want, "group 11 without it");
	ASSERT_TRUE(strcmp(group_name_of(&eff, "198.19.1.0/24"), group_name_of(&eff, "198.19.3.0/24")),
		    "the same members now, each its own group still");
	ASSERT_EQ(mirror_drop_unused(m, &eff), MIRROR_DROPPED_NEXTHOPS,
		  "198.18.3.2 and 198.18.4.2, in no group now, go");
	gone = objs[0];
	gone.deleted = 1;
	ASSERT_EQ(replace_object(&gone, &eff), -EAGAIN,
		  "198.18.1.2's object, the last of groups 10 and 11 that routes name: read");

	/* A read of what the kernel has now (before that last removal,
	 * which the read would show): the same groups, by name. */
	const struct nhspec g10_now = { .id = 10, .ngroup = 1, .group = { { 1, 1 } } };
	const struct nhspec g11_now = { .id = 11, .ngroup = 1, .group = { { 1, 1 } } };
	const struct nhspec now[] = { objs[0], g10_now, g11_now };

	plane_of(&p, &eff);
	ASSERT_EQ(read_again(now, 3, routes, 4), 0, "the read");
	ASSERT_EQ(mirror_merge(m, &file, &p, &read), 0, "merge of the read");
	ASSERT_EQ(read.ngroup, eff.ngroup, "as many groups");
	ASSERT_EQ(read.nnexthop, eff.nnexthop, "as many nexthops");
	for (i = 0; i < (int)(sizeof(routes) / sizeof(routes[0])); i++) {
		snprintf(want, sizeof(want), "%s", members_of(&eff, routes[i].dst));
		ASSERT_STR_EQ(members_of(&read, routes[i].dst), want, routes[i].dst);
		ASSERT_STR_EQ(group_name_of(&read, routes[i].dst), group_name_of(&eff, routes[i].dst),
			      "its group by name: no flow would move");
	}
	config_free(&eff);

	/* That last removal again, on the read: the kernel took the three
	 * routes over groups 10 and 11 along, unannounced. Removed first,
	 * one by one, the object's event then needs no read, and the mirror
	 * is what a read of the kernel's table afterwards makes. */
	struct nl_nexthop del = { .id = 1 };
	struct lpm_route *orphan;
	struct mirror_patch mp;
	int n;

	ASSERT_EQ(mirror_object_orphans(m, &del, &orphan), 0, "not a removal: no orphans");
	del.deleted = 1;
	n = mirror_object_orphans(m, &del, &orphan);
	ASSERT_EQ(n, 3, "the routes over groups 10 and 11, not those of paths of their own");
	for (i = 0; i < n; i++) {
		ASSERT_EQ(mirror_patch_plan_gone(m, &orphan[i], &mp), 0, "a removal planned");
		ASSERT_TRUE(mp.removed && !mp.noop, "it removes the prefix");
		ASSERT_EQ(mirror_patch_commit(m, &read, &mp), 0, "committed");
	}
	ASSERT_EQ(mirror_patch_plan_gone(m, &orphan[0], &mp), 0, "again");
	ASSERT_TRUE(mp.noop, "gone already: nothing to do");
	free(orphan);
	ASSERT_EQ(replace_object(&gone, &read), 0,
		  "the object's event then: no route through it, no read, no group to change");
	ASSERT_EQ(mirror_stats(m)->routes, 1, "one route left");
	ASSERT_EQ(mirror_drop_unused(m, &read), MIRROR_DROPPED_GROUP,
		  "groups 10 and 11's groups go; their member stays, in the last route's group");
	plane_of(&p, &read);
	ASSERT_EQ(read_again(NULL, 0, &routes[3], 1), 0, "a read of what the kernel has now");
	ASSERT_EQ(mirror_merge(m, &file, &p, &eff), 0, "merge of that read");
	ASSERT_EQ(eff.nroute, read.nroute, "as many routes");
	ASSERT_EQ(eff.ngroup, read.ngroup, "as many groups");
	ASSERT_EQ(eff.nnexthop, read.nnexthop, "as many nexthops");
	for (i = 0; i < (int)(sizeof(routes) / sizeof(routes[0])); i++) {
		snprintf(want, sizeof(want), "%s", members_of(&read, routes[i].dst));
		ASSERT_STR_EQ(members_of(&eff, routes[i].dst), want, routes[i].dst);
		ASSERT_STR_EQ(group_name_of(&eff, routes[i].dst), group_name_of(&read, routes[i].dst),
			      "its group by name");
	}
	config_free(&read);
	config_free(&eff);
}

/* zebra's nexthop group replaced on its FPM stream: the same, in place. */
static void test_mirror_fpm_regroup(void)
{
	struct plane p = { 0 };
	struct ecmp_conf file = { 0 }, eff;
	struct nl_nexthop o[4] = { { .id = 1 }, { .id = 2 }, { .id = 3 }, { .id = 20, .ngroup = 2 } };
	struct nl_route r = { .family = ECMP_AF_INET, .prefixlen = 24, .nh_id = 20,
			      .protocol = RTPROT_BGP, .type = RTN_UNICAST, .table = RT_TABLE_MAIN };
	char lo[IF_NAMESIZE], want[96];
	int i;

	setup();
	ASSERT_TRUE(if_indextoname(1, lo) != NULL, "ifindex 1 exists");
	for (i = 0; i < 3; i++) {
		o[i].family = ECMP_AF_INET;
		o[i].ifindex = 1;
		o[i].via[0] = 198;
		o[i].via[1] = 18;
		o[i].via[2] = 1 + i;
		o[i].via[3] = 2;
	}
	o[3].group[0].id = 1;
	o[3].group[1].id = 2;
	o[3].group[0].weight = o[3].group[1].weight = 1;
	inet_pton(AF_INET, "198.19.9.0", r.addr);
	mirror_begin(m);
	for (i = 0; i < 4; i++)
		mirror_take_fpm_nexthop(m, &o[i]);
	mirror_take_fpm(m, &r);
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &eff), 0, "merge of zebra's stream");
	ASSERT_TRUE(!strncmp(group_name_of(&eff, "198.19.9.0/24"), ECMP_FPM_GROUP_PREFIX,
			     strlen(ECMP_FPM_GROUP_PREFIX)), "zebra's group");
	o[3].group[1].id = 3;
	ASSERT_EQ(obj_event(MIRROR_SRC_KERNEL, &o[3], 0, &eff), 0,
		  "the kernel's object of that id: not zebra's, taken as new");
	ASSERT_EQ(obj_event(MIRROR_SRC_FPM, &o[3], 0, &eff), MIRROR_REGROUP, "zebra's: in place");
	mirror_regroup_done(m, &eff, &rg, 1);
	snprintf(want, sizeof(want), "198.18.1.2@%s 198.18.3.2@%s", lo, lo);
	ASSERT_STR_EQ(members_of(&eff, "198.19.9.0/24"), want, "its routes follow");
	ASSERT_EQ(mirror_stats(m)->fpm_regroups, 1, "counted as zebra's");
	config_free(&eff);
}

/* Each message is refused whole: counted, never delivered half read. */
/* An address's removal, as ecmpd sees it after its own sets lost it. */
static struct nl_addr gone(const char *addr, int ifindex)
{
	struct nl_addr a = { .family = family_of(addr) == AF_INET ? ECMP_AF_INET : ECMP_AF_INET6,
			     .ifindex = ifindex, .deleted = 1 };

	inet_pton(family_of(addr), addr, a.addr);
	return a;
}

static int takes(const struct plane *p, const char *addr, int ifindex)
{
	struct nl_addr a = gone(addr, ifindex);

	return mirror_addr_takes_routes(m, p, &a);
}

/* Which address removals make ecmpd read the table (mirror_src.c): the
 * sources of the table's routes (any protocol, events between reads
 * too), a link's last IPv4 address, and every one past the sources the
 * set keeps. */
static void test_mirror_sources(void)
{
	struct local_addr lo[] = {
		{ .family = ECMP_AF_INET, .prefixlen = 32, .ifindex = 1 },	/* 198.18.71.10 */
		{ .family = ECMP_AF_INET6, .prefixlen = 128, .ifindex = 9 },	/* 2001:db8::9 */
	};
	struct local_addr loopback = { .family = ECMP_AF_INET, .prefixlen = 8, .ifindex = 1 };
	struct plane p = { .local = lo, .nlocal = 2, .unrouted = &loopback, .nunrouted = 1 };
	const struct spec specs[] = {
		{ .dst = "198.19.1.0/24", .prefsrc = "198.18.71.9", .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.2.0/24", .prefsrc = "198.18.71.9", .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.18.5.0/24", .prefsrc = "198.18.5.1", .protocol = RTPROT_KERNEL,
		  .nhops = 1, .hop = { { NULL } } },
		{ .dst = "198.19.3.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.4.0/24", .table = 100, .prefsrc = "198.18.71.8", .nhops = 1,
		  .hop = { { "198.18.1.2" } } },
		{ .dst = "2001:db8:100::/48", .prefsrc = "2001:db8::9", .nhops = 1,
		  .hop = { { "2001:db8:1::2" } } },
	};
	struct nl_route r = { .family = ECMP_AF_INET, .prefixlen = 24, .has_prefsrc = 1,
			      .protocol = RTPROT_BGP };
	unsigned i;
	uint32_t v;

	inet_pton(AF_INET, "198.18.71.10", lo[0].addr);
	inet_pton(AF_INET6, "2001:db8::9", lo[1].addr);
	inet_pton(AF_INET, "127.0.0.1", loopback.addr);
	setup();
	mirror_begin(m);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		put_route(&specs[i]);
	ASSERT_EQ(parse(), 0, "routes with sources parse");
	ASSERT_EQ(mirror_finish(m), 0, "finish");
	ASSERT_EQ(takes(&p, "198.18.71.11", 1), 0, "no route's source, lo keeps addresses: no read");
	ASSERT_EQ(takes(&p, "198.18.71.9", 1), 1, "two routes' source: read");
	ASSERT_EQ(takes(&p, "198.18.5.1", 2), 1, "a route's left to the kernel counts too");
	ASSERT_EQ(takes(&p, "198.18.71.8", 1), 0, "a route of another table does not");
	ASSERT_EQ(takes(&p, "198.18.78.1", 7), 1, "the last IPv4 address of its link: read");
	ASSERT_EQ(takes(&p, "2001:db8::9", 9), 0, "IPv6: the kernel keeps the routes");
	/* 127.0.0.1 is lo's too: without it lo has 198.18.71.10 left. */
	p.nunrouted = 0;
	ASSERT_EQ(takes(&p, "198.18.71.11", 1), 0, "lo's routed address left: no read");
	p.nlocal = 1;
	lo[0].ifindex = 3;
	ASSERT_EQ(takes(&p, "198.18.71.11", 1), 1, "lo's last IPv4 address: read");
	lo[0].ifindex = 1;

	/* An event between reads adds its source; a deletion adds none. */
	inet_pton(AF_INET, "198.18.71.12", r.prefsrc);
	r.deleted = 1;
	mirror_note_route(m, &r);
	ASSERT_EQ(takes(&p, "198.18.71.12", 1), 0, "a deleted route's source is not noted");
	r.deleted = 0;
	mirror_note_route(m, &r);
	ASSERT_EQ(takes(&p, "198.18.71.12", 1), 1, "a new route's source is");
	ASSERT_EQ(takes(&p, "198.18.71.9", 1), 1, "the read's stay");

	/* A read without them drops them. */
	mirror_begin(m);
	put_route(&specs[3]);
	ASSERT_EQ(parse(), 0, "parse");
	ASSERT_EQ(mirror_finish(m), 0, "finish");
	ASSERT_EQ(takes(&p, "198.18.71.9", 1), 0, "a read drops sources no route has");
	ASSERT_EQ(takes(&p, "198.18.71.12", 1), 0, "and the events' too");

	/* Past the sources the set keeps, every removal reads. */
	for (i = 0; i < 5000; i++) {
		v = htonl(0xc6130000 + i);	/* 198.19.0.0 + i */
		memcpy(r.prefsrc, &v, 4);
		mirror_note_route(m, &r);
	}
	ASSERT_EQ(takes(&p, "198.18.71.11", 1), 1, "too many sources: every removal reads");
}

/* Which link changes can change the table unannounced (mirror_dev.c):
 * those of the links its routes' paths and its nexthop objects go
 * through; any other reads nothing. */
static void test_mirror_devices(void)
{
	struct nl_route r = { .family = ECMP_AF_INET, .prefixlen = 24, .protocol = RTPROT_BGP,
			      .type = RTN_UNICAST, .table = RT_TABLE_MAIN, .nnh = 2,
			      .addr = { 198, 19, 1, 0 } };
	struct nl_route other = r, blackhole = r;
	struct nl_nexthop obj = { .id = 5, .family = ECMP_AF_INET, .ifindex = 5,
				  .via = { 198, 18, 5, 2 } };
	int i;

	setup();
	ASSERT_EQ(mirror_link_takes_routes(NULL, 2), 1, "no mirror yet: every link change reads");
	r.nh[0] = (struct nl_route_nh){ .ifindex = 2, .family = ECMP_AF_INET, .weight = 1,
					.via = { 198, 18, 2, 2 } };
	r.nh[1] = (struct nl_route_nh){ .ifindex = 3, .family = ECMP_AF_INET, .weight = 1,
					.via = { 198, 18, 3, 2 }, .flags = RTNH_F_DEAD };
	other.table = 100;
	other.nnh = 1;
	other.nh[0].ifindex = 6;
	blackhole.type = RTN_BLACKHOLE;
	blackhole.nnh = 0;
	blackhole.addr[2] = 2;
	mirror_begin(m);
	mirror_take_nexthop(m, &obj);
	mirror_take(m, &k, &r);
	mirror_take(m, &k, &other);
	mirror_take(m, &k, &blackhole);
	ASSERT_EQ(mirror_finish(m), 0, "finish");
	ASSERT_EQ(mirror_link_takes_routes(m, 2), 1, "a route's path: read");
	ASSERT_EQ(mirror_link_takes_routes(m, 3), 1, "its dead path too (the link may revive it)");
	ASSERT_EQ(mirror_link_takes_routes(m, 5), 1, "a nexthop object's link: read");
	ASSERT_EQ(mirror_link_takes_routes(m, 4), 0, "a link no route goes through: no read");
	ASSERT_EQ(mirror_link_takes_routes(m, 6), 0, "a route of another table does not count");

	/* An event between reads adds its paths' links; a deletion adds none. */
	other.table = RT_TABLE_MAIN;
	other.nh[0].ifindex = 7;
	other.deleted = 1;
	mirror_note_route(m, &other);
	ASSERT_EQ(mirror_link_takes_routes(m, 7), 0, "a deleted route's link is not noted");
	other.deleted = 0;
	mirror_note_route(m, &other);
	ASSERT_EQ(mirror_link_takes_routes(m, 7), 1, "a new route's link is");
	ASSERT_EQ(mirror_link_takes_routes(m, 2), 1, "the read's stay");

	/* Routes the data path never looks up leave their links out: the
	 * fe80::/64 of every IPv6 link, multicast. A default route (first
	 * and last address martian, most between not) does not. */
	{
		static const struct { uint8_t family, plen; const char *addr; int dev, counts; } c[] = {
			{ ECMP_AF_INET6, 64, "fe80::", 8, 0 },
			{ ECMP_AF_INET6, 8, "ff00::", 9, 0 },
			{ ECMP_AF_INET6, 9, "fe00::", 10, 1 },		/* fe00::/9: not only fe80::/10 */
			{ ECMP_AF_INET6, 128, "::1", 11, 0 },
			{ ECMP_AF_INET6, 0, "::", 12, 1 },
			{ ECMP_AF_INET, 4, "224.0.0.0", 13, 0 },
			{ ECMP_AF_INET, 16, "169.254.0.0", 14, 0 },
			{ ECMP_AF_INET, 15, "169.254.0.0", 15, 1 },	/* 169.254/15 holds 169.255/16 */
			{ ECMP_AF_INET, 0, "0.0.0.0", 16, 1 },
			{ ECMP_AF_INET, 8, "127.0.0.0", 17, 0 },
		};
		unsigned j;

		for (j = 0; j < sizeof(c) / sizeof(c[0]); j++) {
			struct nl_route x = other;

			x.family = c[j].family;
			x.prefixlen = c[j].plen;
			memset(x.addr, 0, 16);
			inet_pton(c[j].family == ECMP_AF_INET ? AF_INET : AF_INET6, c[j].addr, x.addr);
			x.nh[0].ifindex = c[j].dev;
			mirror_note_route(m, &x);
			ASSERT_EQ(mirror_link_takes_routes(m, c[j].dev), c[j].counts, c[j].addr);
		}
	}

	/* A read without them drops them. */
	mirror_begin(m);
	mirror_take(m, &k, &blackhole);
	ASSERT_EQ(mirror_finish(m), 0, "finish");
	ASSERT_EQ(mirror_link_takes_routes(m, 2), 0, "a read drops links no route has");
	ASSERT_EQ(mirror_link_takes_routes(m, 7), 0, "and the events' too");

	/* Paths the message had and the route did not keep, or more links
	 * than the set keeps: every link change reads. */
	r.nh_truncated = 1;
	mirror_note_route(m, &r);
	ASSERT_EQ(mirror_link_takes_routes(m, 4), 1, "paths not kept: any link reads");
	mirror_begin(m);
	ASSERT_EQ(mirror_finish(m), 0, "finish");
	ASSERT_EQ(mirror_link_takes_routes(m, 4), 0, "the next read forgets it");
	r.nh_truncated = 0;
	r.nnh = 1;
	for (i = 1; i <= 5000; i++) {
		r.nh[0].ifindex = 100 + i;
		mirror_note_route(m, &r);
	}
	ASSERT_EQ(mirror_link_takes_routes(m, 4), 1, "too many links: every change reads");
}

/* Routes that select by more than the destination (an IPv4 TOS key, an
 * IPv6 source prefix): the kernel takes them first for the frames they
 * select, whatever their metric or protocol, so their prefix stays the
 * kernel's even beside a route the mirror would take; and no event about
 * such a prefix is a patch. A route with an MTU of its own is the
 * kernel's too, where it is the prefix's route. */
static void test_mirror_selectors(void)
{
	struct plane p = { 0 };
	struct ecmp_conf file = { 0 }, out;
	const struct spec specs[] = {
		{ .dst = "198.19.1.0/24", .tos = 0x10, .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.2.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.2.0/24", .tos = 0x10, .metric = 500, .protocol = RTPROT_STATIC,
		  .nhops = 1, .hop = { { "198.18.2.2" } } },
		{ .dst = "2001:db8:100::/48", .nhops = 1, .hop = { { "2001:db8:1::2" } } },
		{ .dst = "2001:db8:100::/48", .src = "2001:db8:5::/48", .nhops = 1,
		  .hop = { { "2001:db8:2::2" } } },
		{ .dst = "198.19.3.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.4.0/24", .mtu = 1400, .nhops = 1, .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.5.0/24", .mtu = 1400, .metric = 200, .nhops = 1,
		  .hop = { { "198.18.1.2" } } },
		{ .dst = "198.19.5.0/24", .metric = 100, .nhops = 1, .hop = { { "198.18.1.2" } } },
	};
	const struct spec tos_again = { .dst = "198.19.2.0/24", .tos = 0x10, .metric = 500,
					.nlflags = NLM_F_REPLACE, .nhops = 1,
					.hop = { { "198.18.3.2" } } };
	const struct spec plain_replace = { .dst = "198.19.2.0/24", .nlflags = NLM_F_REPLACE,
					    .nhops = 1, .hop = { { "198.18.3.2" } } };
	const struct spec tos_new = { .dst = "198.19.3.0/24", .tos = 0x08, .nlflags = NLM_F_REPLACE,
				      .nhops = 1, .hop = { { "198.18.3.2" } } };

	setup();
	ASSERT_EQ(read_and_merge(specs, sizeof(specs) / sizeof(specs[0]), &p, &file, &out), 0,
		  "read and merge");
	ASSERT_STR_EQ(members_of(&out, "198.19.1.0/24"), "kernel", "a TOS route alone: the kernel's");
	ASSERT_STR_EQ(members_of(&out, "198.19.2.0/24"), "kernel",
		      "a TOS route beside a plain one of a lower metric: the kernel's");
	ASSERT_STR_EQ(members_of(&out, "2001:db8:100::/48"), "kernel",
		      "an IPv6 source-specific route beside a plain one: the kernel's");
	ASSERT_TRUE(strcmp(members_of(&out, "198.19.3.0/24"), "kernel"), "a plain route: mirrored");
	ASSERT_EQ(mirror_stats(m)->skipped[MIRROR_SKIP_SELECTOR], 3, "counted as selector");
	ASSERT_STR_EQ(members_of(&out, "198.19.4.0/24"), "kernel", "a route MTU: the kernel's");
	ASSERT_TRUE(strcmp(members_of(&out, "198.19.5.0/24"), "kernel"),
		    "a route MTU on a higher metric only: mirrored");
	ASSERT_EQ(mirror_stats(m)->skipped[MIRROR_SKIP_ROUTE_MTU], 1, "counted as route_mtu");
	ASSERT_STR_EQ(mirror_skip_name(MIRROR_SKIP_SELECTOR), "selector", "its name");

	patch(&tos_again, &out, &p);
	ASSERT_EQ(plan_ret, -EAGAIN, "a TOS route changed: a read");
	patch(&plain_replace, &out, &p);
	ASSERT_EQ(plan_ret, -EAGAIN, "a plain route replaced beside a TOS one: a read");
	patch(&tos_new, &out, &p);
	ASSERT_EQ(plan_ret, -EAGAIN, "a TOS route over a mirrored prefix: a read");
	config_free(&out);
	config_free(&file);
}

static void test_mirror_hostile(void)
{
	static const struct { const char *what; int cut; int poke; uint8_t val; } cases[] = {
		{ "rtmsg cut short", 1, 0, 0 },
		{ "prefix length 33", 0, 17, 33 },	/* rtm_dst_len */
		{ "rtnh_len past the attribute", 0, -1, 0xff },
		{ "RTA_DST of 5 bytes", 0, -2, 9 },
		{ "RTA_PREFSRC of 5 bytes", 0, -3, 9 },
	};
	struct spec s = { .dst = "198.19.1.0/24", .nhops = 2, .prefsrc = "198.18.71.9",
			  .hop = { { "198.18.1.2" }, { "198.18.2.2" } } };
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nlmsghdr *nlh = (void *)nl_buf;
		char *end;

		setup();
		put_route(&s);
		end = nl_buf + nlh->nlmsg_len;
		if (cases[i].cut) {
			nlh->nlmsg_len = sizeof(*nlh) + 4;
			nl_used = NLMSG_ALIGN(nlh->nlmsg_len);
		} else if (cases[i].poke > 0) {
			nl_buf[cases[i].poke] = cases[i].val;
		} else {
			void *pl = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct rtmsg));
			struct nlattr *attr;
			size_t len = end - (char *)pl;

			mnl_attr_for_each_payload(pl, len) {
				if (cases[i].poke == -1 && mnl_attr_get_type(attr) == RTA_MULTIPATH)
					((struct rtnexthop *)mnl_attr_get_payload(attr))->rtnh_len = cases[i].val;
				if (cases[i].poke == -2 && mnl_attr_get_type(attr) == RTA_DST)
					attr->nla_len = cases[i].val;
				if (cases[i].poke == -3 && mnl_attr_get_type(attr) == RTA_PREFSRC)
					attr->nla_len = cases[i].val;
			}
		}
		ASSERT_EQ(parse(), 1, cases[i].what);
		ASSERT_EQ(delivered, 0, cases[i].what);
	}
}

int main(void)
{
	RUN_TEST(test_mirror_routes);
	RUN_TEST(test_mirror_resilient);
	RUN_TEST(test_mirror_order);
	RUN_TEST(test_mirror_patch_new_set);
	RUN_TEST(test_mirror_patch_ipv6_paths);
	RUN_TEST(test_mirror_route_at);
	RUN_TEST(test_mirror_object_events);
	RUN_TEST(test_mirror_object_weight);
	RUN_TEST(test_mirror_object_regroup);
	RUN_TEST(test_mirror_fpm_regroup);
	RUN_TEST(test_mirror_sources);
	RUN_TEST(test_mirror_patch_martian);
	RUN_TEST(test_mirror_devices);
	RUN_TEST(test_mirror_selectors);
	RUN_TEST(test_mirror_hostile);
	mirror_free(m);
	return test_summary();
}
