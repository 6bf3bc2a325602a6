// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Kernel routes as ecmpd mirrors them: rtnetlink route messages built byte
 * for byte (single path, RTA_MULTIPATH with weights and dead nexthops,
 * RTA_VIA, nexthop objects and resilient groups, other types, tables and
 * protocols), run
 * through nl_parse() into the mirror, and the config it merges checked;
 * then hostile messages, refused whole and counted.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "ecmpd/mirror.h"
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
	ASSERT_EQ(mirror_stats(m)->groups, 4, "groups");
	ASSERT_EQ(mirror_stats(m)->skipped[MIRROR_SKIP_TYPE], 1, "type counted");
	ASSERT_EQ(mirror_stats(m)->skipped[MIRROR_SKIP_CONFIG], 1, "config counted");
	ASSERT_EQ(out.ngroup, 1 + 4, "the file's group and four");
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
	ASSERT_EQ(config_parse(&file, "t.conf", "route 198.18.200.0/24 group g\n"
			       "group g nexthops n\nnexthop n via 198.18.9.9 dev lo\n"), 0, "file");
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		put_route(&specs[i]);
	ASSERT_EQ(parse(), 0, "nothing malformed");
	mirror_finish(m);
	ASSERT_EQ(mirror_merge(m, &file, &p, &out), 0, "merge");
	ASSERT_EQ(out.nroute, 1 + 6, "the file's route and one per prefix");
	for (i = 0; i < sizeof(in_order) / sizeof(in_order[0]); i++)
		ASSERT_TRUE(route_of(&out, in_order[i]) == &out.route[1 + i], in_order[i]);
	snprintf(want, sizeof(want), "198.18.4.2@%s", lo);
	ASSERT_STR_EQ(members_of(&out, "198.19.2.0/24"), want,
		      "the lowest metric wins across the sorted start");
	config_free(&out);
	config_free(&file);
}

/* Each message is refused whole: counted, never delivered half read. */
static void test_mirror_hostile(void)
{
	static const struct { const char *what; int cut; int poke; uint8_t val; } cases[] = {
		{ "rtmsg cut short", 1, 0, 0 },
		{ "prefix length 33", 0, 17, 33 },	/* rtm_dst_len */
		{ "rtnh_len past the attribute", 0, -1, 0xff },
		{ "RTA_DST of 5 bytes", 0, -2, 9 },
	};
	struct spec s = { .dst = "198.19.1.0/24", .nhops = 2,
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
	RUN_TEST(test_mirror_hostile);
	mirror_free(m);
	return test_summary();
}
