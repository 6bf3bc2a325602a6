// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Kernel routes as ecmpd mirrors them: rtnetlink route messages built byte
 * for byte (single path, RTA_MULTIPATH with weights and dead nexthops,
 * RTA_VIA, nexthop objects, other types, tables and protocols), run
 * through nl_parse() into the mirror, and the config it merges checked;
 * then hostile messages, refused whole and counted.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "ecmpd/mirror.h"
#include "ecmpd/plane.h"
#include "../test.h"

TEST_STATE_DEFINE;

static char buf[65536] __attribute__((aligned(8)));
static size_t used;

struct hop {
	const char *via;	/* NULL: through the link */
	int hops;
	int dead;
	int via6;		/* an IPv6 gateway for an IPv4 route (RTA_VIA) */
};

struct spec {
	int type;		/* RTM_NEWROUTE unless set */
	const char *dst;	/* "198.19.1.0/24" */
	int protocol;		/* RTPROT_BGP unless set */
	int rtype;		/* RTN_UNICAST unless set */
	uint32_t table;		/* main unless set */
	uint32_t metric;
	uint32_t nh_id;
	int cloned;
	int nhops;
	struct hop hop[4];
};

static int family_of(const char *a)
{
	return strchr(a, ':') ? AF_INET6 : AF_INET;
}

static void put_route(const struct spec *s)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + used);
	struct rtmsg *rtm;
	char addr[64], *slash;
	uint8_t a[16];
	int fam, i;

	snprintf(addr, sizeof(addr), "%s", s->dst);
	slash = strchr(addr, '/');
	*slash = 0;
	fam = family_of(addr);
	inet_pton(fam, addr, a);
	nlh->nlmsg_type = s->type ? s->type : RTM_NEWROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = fam;
	rtm->rtm_dst_len = atoi(slash + 1);
	rtm->rtm_protocol = s->protocol ? s->protocol : RTPROT_BGP;
	rtm->rtm_type = s->rtype ? s->rtype : RTN_UNICAST;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_flags = s->cloned ? RTM_F_CLONED : 0;
	mnl_attr_put_u32(nlh, RTA_TABLE, s->table ? s->table : RT_TABLE_MAIN);
	mnl_attr_put(nlh, RTA_DST, fam == AF_INET ? 4 : 16, a);
	if (s->metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, s->metric);
	if (s->nh_id)
		mnl_attr_put_u32(nlh, RTA_NH_ID, s->nh_id);
	if (s->nhops == 1 && !s->hop[0].hops && !s->hop[0].dead) {
		mnl_attr_put_u32(nlh, RTA_OIF, 1);
		if (s->hop[0].via) {
			inet_pton(fam, s->hop[0].via, a);
			mnl_attr_put(nlh, RTA_GATEWAY, fam == AF_INET ? 4 : 16, a);
		}
	} else if (s->nhops) {
		struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);

		for (i = 0; i < s->nhops; i++) {
			struct rtnexthop *nh = (void *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
			int len0 = nlh->nlmsg_len;

			memset(nh, 0, sizeof(*nh));
			nh->rtnh_ifindex = 1;
			nh->rtnh_hops = s->hop[i].hops;
			nh->rtnh_flags = s->hop[i].dead ? RTNH_F_DEAD : 0;
			nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
			if (s->hop[i].via6) {
				struct { uint16_t fam; uint8_t a[16]; } __attribute__((packed)) v;

				v.fam = AF_INET6;
				inet_pton(AF_INET6, s->hop[i].via, v.a);
				mnl_attr_put(nlh, RTA_VIA, sizeof(v), &v);
			} else if (s->hop[i].via) {
				inet_pton(fam, s->hop[i].via, a);
				mnl_attr_put(nlh, RTA_GATEWAY, fam == AF_INET ? 4 : 16, a);
			}
			nh->rtnh_len = nlh->nlmsg_len - len0;
		}
		mnl_attr_nest_end(nlh, mp);
	}
	used += NLMSG_ALIGN(nlh->nlmsg_len);
}

static struct mirror *m;
static struct conf_kernel_routes k;
static int delivered;

static void on_route(void *ctx, const struct nl_route *r)
{
	delivered++;
	mirror_take(m, &k, r);
}

/* Parses what was put; returns the messages counted malformed. */
static unsigned long parse(void)
{
	struct nl nl = { 0 };
	struct nl_handlers h = { .route = on_route };

	nl_parse(&nl, buf, used, &h);
	used = 0;
	return nl.malformed;
}

/* The merged config's route for a prefix, or NULL. */
static const struct conf_route *route_of(const struct ecmp_conf *c, const char *dst)
{
	char addr[64], *slash;
	uint8_t a[16] = { 0 };
	int i;

	snprintf(addr, sizeof(addr), "%s", dst);
	slash = strchr(addr, '/');
	*slash = 0;
	inet_pton(family_of(addr), addr, a);
	for (i = 0; i < c->nroute; i++)
		if (c->route[i].prefixlen == atoi(slash + 1) && !memcmp(c->route[i].addr, a, 16))
			return &c->route[i];
	return NULL;
}

/* "name name ..." of a route's group, in member order; "kernel" for -1. */
static const char *members_of(const struct ecmp_conf *c, const char *dst)
{
	static char out[512];
	const struct conf_route *r = route_of(c, dst);
	int i;

	if (!r)
		return "none";
	if (r->group < 0)
		return "kernel";
	out[0] = 0;
	for (i = 0; i < c->group[r->group].nmembers; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "",
			 c->nexthop[c->group[r->group].member[i]].name);
	return out;
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
		struct nlmsghdr *nlh = (void *)buf;
		char *end;

		setup();
		put_route(&s);
		end = buf + nlh->nlmsg_len;
		if (cases[i].cut) {
			nlh->nlmsg_len = sizeof(*nlh) + 4;
			used = NLMSG_ALIGN(nlh->nlmsg_len);
		} else if (cases[i].poke > 0) {
			buf[cases[i].poke] = cases[i].val;
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
	RUN_TEST(test_mirror_hostile);
	mirror_free(m);
	return test_summary();
}
