// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The kernel's policies that the fast path bypasses, with messages built
 * byte for byte as the kernel sends them.
 *
 * Routing-policy rules (user/ecmpd/policy_rules.c, parsed by nl_rule.c):
 * every box's own rules and the rules that cannot meet a forwarded frame
 * are left alone; a rule that routes some frames elsewhere is named with
 * the kernel-path line that selects exactly its frames, unless the config
 * has one that does; `not`, marks, TOS, VRFs, interfaces and selectors
 * newer than the parser are said as such; the rules after the one that
 * looks the fast path's table up for every frame do not matter.
 *
 * IPsec policies (user/ecmpd/xfrm_policies.c): out and required fwd
 * policies and blocks are named with their line; inbound ones, those
 * bound to an xfrm interface or a mark, bypass exceptions and optional
 * transforms are not. The kernel-path lines given read back as what they
 * say (config_pass.c). Then hostile messages of both kinds.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>

#include "ecmpd/config.h"
#include "ecmpd/policy_rules.h"
#include "ecmpd/xfrm_policies.h"
#include "../test.h"

TEST_STATE_DEFINE;

/* A rule as `ip rule add` would make it; zero fields are left out. */
struct rspec {
	uint32_t prio;
	const char *from, *to;	/* "198.18.0.192/26" */
	uint8_t action;		/* FR_ACT_TO_TBL unless set */
	uint32_t table;
	int invert, iif_detached;
	uint8_t tos;
	const char *iif, *oif;
	int fwmark;		/* with mark and mask */
	uint32_t mark, mask;
	int uid;
	uint32_t uid_lo, uid_hi;
	uint8_t ipproto;
	uint16_t sport[2], dport[2];	/* {lo, hi}; 0: none */
	int l3mdev;
	int suppress;
	uint32_t suppress_len;
	uint32_t goto_prio;
	int extra_type;		/* an attribute newer than the headers */
	uint16_t extra_u16;
	int v6_family_only;	/* an IPv6 rule with no prefix */
	int family;		/* AF_* when not from the prefixes */
	int src_len_only;	/* hostile: a length with no address */
	int short_src;		/* hostile: a 3-byte address */
};

static char buf[4096] __attribute__((aligned(8)));

static int put_prefix(struct nlmsghdr *nlh, int type, const char *p, uint8_t *len)
{
	char a[64], *slash;
	uint8_t bytes[16];
	int fam;

	snprintf(a, sizeof(a), "%s", p);
	slash = strchr(a, '/');
	*slash = 0;
	fam = strchr(a, ':') ? AF_INET6 : AF_INET;
	inet_pton(fam, a, bytes);
	*len = atoi(slash + 1);
	mnl_attr_put(nlh, type, fam == AF_INET ? 4 : 16, bytes);
	return fam;
}

static struct nlmsghdr *build(const struct rspec *s)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *h;
	int fam = s->family ? s->family : AF_INET;

	nlh->nlmsg_type = RTM_NEWRULE;
	h = mnl_nlmsg_put_extra_header(nlh, sizeof(*h));
	h->action = s->action ? s->action : FR_ACT_TO_TBL;
	h->tos = s->tos;
	h->flags = (s->invert ? FIB_RULE_INVERT : 0) |
		   (s->iif_detached ? FIB_RULE_IIF_DETACHED : 0);
	if (s->from)
		fam = put_prefix(nlh, FRA_SRC, s->from, &h->src_len);
	if (s->to)
		fam = put_prefix(nlh, FRA_DST, s->to, &h->dst_len);
	if (s->src_len_only)
		h->src_len = 24;
	if (s->short_src) {
		mnl_attr_put(nlh, FRA_SRC, 3, "\xc6\x12\x00");
		h->src_len = 24;
	}
	h->family = fam;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, s->prio);
	if (s->table) {
		h->table = s->table < 256 ? s->table : RT_TABLE_UNSPEC;
		mnl_attr_put_u32(nlh, FRA_TABLE, s->table);
	}
	if (s->iif)
		mnl_attr_put_strz(nlh, FRA_IIFNAME, s->iif);
	if (s->oif)
		mnl_attr_put_strz(nlh, FRA_OIFNAME, s->oif);
	if (s->fwmark) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, s->mark);
		mnl_attr_put_u32(nlh, FRA_FWMASK, s->mask);
	}
	if (s->uid) {
		struct fib_rule_uid_range u = { s->uid_lo, s->uid_hi };

		mnl_attr_put(nlh, FRA_UID_RANGE, sizeof(u), &u);
	}
	if (s->ipproto)
		mnl_attr_put_u8(nlh, FRA_IP_PROTO, s->ipproto);
	if (s->sport[0]) {
		struct fib_rule_port_range r = { s->sport[0], s->sport[1] };

		mnl_attr_put(nlh, FRA_SPORT_RANGE, sizeof(r), &r);
	}
	if (s->dport[0]) {
		struct fib_rule_port_range r = { s->dport[0], s->dport[1] };

		mnl_attr_put(nlh, FRA_DPORT_RANGE, sizeof(r), &r);
	}
	if (s->l3mdev)
		mnl_attr_put_u8(nlh, FRA_L3MDEV, 1);
	if (s->suppress)
		mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, s->suppress_len);
	if (s->goto_prio)
		mnl_attr_put_u32(nlh, FRA_GOTO, s->goto_prio);
	if (s->extra_type)
		mnl_attr_put_u16(nlh, s->extra_type, s->extra_u16);
	return nlh;
}

static struct ecmp_conf conf;
static struct policy_view view;
static char msg[1024];

/* ecmpd's config (its interfaces, kernel-path lines, mirrored table),
 * and a view of it with r0 as the interface frames come in on. */
static void setup(const char *text)
{
	config_free(&conf);
	memset(&conf, 0, sizeof(conf));
	if (config_parse(&conf, "test.conf", text)) {
		fprintf(stderr, "config: %s\n", conf.nerror ? conf.error[0] : "?");
		abort();
	}
	policy_view_init(&view, &conf);
}

#define BASE_CONF \
	"interface r0 xdp native\n" \
	"nexthop a via 198.18.1.2 dev r1\n" \
	"group g nexthops a\n" \
	"route 198.19.0.0/16 group g\n"

/* 1 when the rule is named; its message in msg. */
static int check(const struct rspec *s)
{
	struct nl_rule r;
	int err = nl_rule_parse(build(s), &r);

	msg[0] = 0;
	if (err) {
		snprintf(msg, sizeof(msg), "(parse: %d)", err);
		return -1;
	}
	return policy_rule_check(&view, &r, msg, sizeof(msg));
}

#define NAMED(spec, text)						\
	do {								\
		struct rspec _s = spec;					\
		int _n = check(&_s);					\
		CHECK(_n == 1 && strstr(msg, text),			\
		      "rule %u: want named with \"%s\", got %d \"%s\"",	\
		      _s.prio, text, _n, msg);				\
	} while (0)

#define LEFT(spec)							\
	do {								\
		struct rspec _s = spec;					\
		int _n = check(&_s);					\
		CHECK(_n == 0, "rule %u: want left alone, got %d \"%s\"", \
		      _s.prio, _n, msg);				\
	} while (0)

#define R(...) ((struct rspec){ __VA_ARGS__ })

static void test_rules_every_box_has(void)
{
	setup(BASE_CONF);
	LEFT(R(.prio = 0, .table = RT_TABLE_LOCAL));
	LEFT(R(.prio = 32766, .table = RT_TABLE_MAIN));
	LEFT(R(.prio = 32767, .table = RT_TABLE_DEFAULT));
	LEFT(R(.prio = 0, .table = RT_TABLE_LOCAL, .family = AF_INET6));
	LEFT(R(.prio = 32766, .table = RT_TABLE_MAIN, .family = AF_INET6));
	/* A rule nothing reaches, and one of no effect. */
	LEFT(R(.prio = 40000, .to = "198.19.9.0/24", .table = 202));
	LEFT(R(.prio = 5, .from = "198.18.0.0/24", .action = FR_ACT_NOP));
}

static void test_rules_routing_elsewhere(void)
{
	setup(BASE_CONF);
	NAMED(R(.prio = 100, .from = "198.18.0.192/26", .table = 200),
	      "ip rule 100: from 198.18.0.192/26 lookup 200: the fast path forwards "
	      "the frames it selects by its config's routes, where the kernel routes "
	      "them by table 200; keep them on the kernel's path with "
	      "'kernel-path from 198.18.0.192/26'");
	NAMED(R(.prio = 101, .to = "2001:db8:5::/48", .table = 7),
	      "'kernel-path to 2001:db8:5::/48'");
	NAMED(R(.prio = 102, .from = "198.18.0.0/24", .to = "198.19.9.0/24",
		.ipproto = 6, .dport = { 22, 23 }, .sport = { 1000, 1000 }, .table = 5),
	      "'kernel-path from 198.18.0.0/24 to 198.19.9.0/24 proto tcp sport 1000 dport 22-23'");
	NAMED(R(.prio = 103, .from = "198.18.0.0/24", .action = FR_ACT_BLACKHOLE),
	      "where the kernel drops them;");
	NAMED(R(.prio = 104, .from = "198.18.0.0/24", .action = FR_ACT_UNREACHABLE),
	      "drops them as unreachable");
	NAMED(R(.prio = 105, .from = "198.18.0.0/24", .action = FR_ACT_PROHIBIT),
	      "drops them as prohibited");
	NAMED(R(.prio = 106, .from = "198.18.0.0/24", .action = FR_ACT_GOTO,
		.goto_prio = 200), "ip rule 106: from 198.18.0.0/24 goto 200: "
	      "the fast path forwards the frames it selects by its config's routes, "
	      "where the kernel goes on at rule 200");
	/* Every frame: no selector at all, or a default route refused. */
	NAMED(R(.prio = 107, .table = 9), "forwards every frame by its config's "
	      "routes, where the kernel routes them by table 9; remove the rule");
	NAMED(R(.prio = 108, .table = RT_TABLE_MAIN, .suppress = 1, .suppress_len = 0),
	      "ip rule 108: from all lookup main suppress_prefixlength 0: the fast path "
	      "forwards every frame by its config's routes, where the kernel refuses "
	      "table main's routes of /0 and shorter");
	/* The line's prefix is a prefix, whatever bits the rule kept. */
	NAMED(R(.prio = 111, .from = "2001:db8::1/32", .table = 5),
	      "'kernel-path from 2001:db8::/32'");
	/* Routes the fast path also has: main, looked up by any selector. */
	LEFT(R(.prio = 109, .from = "198.18.0.0/24", .table = RT_TABLE_MAIN));
	LEFT(R(.prio = 110, .from = "198.18.0.0/24", .table = RT_TABLE_LOCAL));
}

static void test_rules_kept_by_config(void)
{
	setup(BASE_CONF "kernel-path from 198.18.0.0/24\n"
	      "kernel-path to 198.19.9.0/24 proto udp dport 5000-5010\n");
	LEFT(R(.prio = 100, .from = "198.18.0.192/26", .table = 200));
	LEFT(R(.prio = 101, .from = "198.18.0.0/24", .ipproto = 6, .table = 200));
	NAMED(R(.prio = 102, .from = "198.18.0.0/23", .table = 200),
	      "'kernel-path from 198.18.0.0/23'");
	LEFT(R(.prio = 103, .to = "198.19.9.0/25", .ipproto = 17,
	       .dport = { 5001, 5002 }, .table = 200));
	NAMED(R(.prio = 104, .to = "198.19.9.0/25", .ipproto = 17,
		.dport = { 4999, 5002 }, .table = 200), "dport 4999-5002'");
	NAMED(R(.prio = 105, .to = "198.19.9.0/25", .ipproto = 6,
		.dport = { 5001, 5001 }, .table = 200), "proto tcp dport 5001'");
	NAMED(R(.prio = 106, .to = "198.19.9.0/25", .table = 200),
	      "'kernel-path to 198.19.9.0/25'");
	/* An IPv6 rule is not kept by an IPv4 line, and a line without
	 * addresses keeps both families. */
	NAMED(R(.prio = 107, .from = "2001:db8::/32", .table = 200),
	      "'kernel-path from 2001:db8::/32'");
	setup(BASE_CONF "kernel-path proto tcp\n");
	LEFT(R(.prio = 108, .from = "2001:db8::/32", .ipproto = 6, .table = 200));
}

static void test_rules_never_met(void)
{
	setup(BASE_CONF);
	/* Only the box's own traffic has an output interface or a uid
	 * other than root's; lo and interfaces ecmpd is not on send it no
	 * frame; a rule whose interface is gone matches nothing. */
	LEFT(R(.prio = 101, .oif = "r2", .table = 201));
	LEFT(R(.prio = 102, .uid = 1, .uid_lo = 1000, .uid_hi = 2000, .table = 202));
	LEFT(R(.prio = 103, .iif = "lo", .table = 203));
	LEFT(R(.prio = 104, .iif = "r9", .table = 204));
	LEFT(R(.prio = 105, .iif = "r0", .iif_detached = 1, .table = 205));
	/* No VRF among ecmpd's interfaces: the VRFs' rule meets nothing. */
	LEFT(R(.prio = 1000, .l3mdev = 1));
	/* root's uid: as if the range were not there. */
	NAMED(R(.prio = 106, .uid = 1, .uid_lo = 0, .uid_hi = 10,
		.from = "198.18.0.0/24", .table = 206), "'kernel-path from 198.18.0.0/24'");
	/* `not` of a selector every frame meets, and of a rule meeting none. */
	LEFT(R(.prio = 107, .invert = 1, .table = 207));
	NAMED(R(.prio = 108, .invert = 1, .oif = "r2", .table = 208),
	      "ip rule 108: not from all oif r2 lookup 208: the fast path forwards every frame");
	/* With the box's own traffic through a tc egress hook, those
	 * rules can meet it. */
	setup(BASE_CONF "interface r3 tc egress\n");
	NAMED(R(.prio = 101, .oif = "r2", .table = 201),
	      "no kernel-path line selects by the box's own traffic");
	NAMED(R(.prio = 102, .uid = 1, .uid_lo = 1000, .uid_hi = 2000, .table = 202),
	      "ip rule 102: from all uidrange 1000-2000 lookup 202:");
	NAMED(R(.prio = 103, .iif = "lo", .table = 203), "ip rule 103: from all iif lo lookup 203");
	LEFT(R(.prio = 104, .iif = "r9", .table = 204));
}

static void test_rules_not_sayable(void)
{
	setup(BASE_CONF);
	NAMED(R(.prio = 100, .tos = 0x10, .table = 5),
	      "no kernel-path line selects by tos: keep those frames on the kernel's path");
	NAMED(R(.prio = 101, .invert = 1, .from = "198.18.0.0/24", .table = 5),
	      "ip rule 101: not from 198.18.0.0/24 lookup 5: the fast path forwards the "
	      "frames it does not select");
	NAMED(R(.prio = 102, .dport = { 53, 53 }, .table = 5),
	      "no kernel-path line selects by ports of any protocol");
	NAMED(R(.prio = 103, .iif = "r0", .table = 5),
	      "leave r0 out of ecmpd's interfaces to keep them on the kernel's path");
	NAMED(R(.prio = 104, .fwmark = 1, .mark = 0x1, .mask = 0xff, .table = 5),
	      "ip rule 104: from all fwmark 0x1/0xff lookup 5: the fast path forwards the "
	      "frames it selects by its config's routes, where the kernel routes them by "
	      "table 5; no kernel-path line selects by a firewall mark");
	/* WireGuard's: every unmarked frame, so every forwarded one. */
	NAMED(R(.prio = 105, .invert = 1, .fwmark = 1, .mark = 0xca6c,
		.mask = 0xffffffff, .table = 51820),
	      "not from all fwmark 0xca6c/0xffffffff lookup 51820: the fast path forwards every frame");
	/* A mark of 0 under its mask: every unmarked frame. */
	NAMED(R(.prio = 106, .fwmark = 1, .mark = 0, .mask = 0xff, .table = 5),
	      "forwards every frame");
	NAMED(R(.prio = 107, .from = "198.18.0.0/24", .extra_type = 25, .extra_u16 = 10,
		.table = 5), "(selector attribute 25)");
	NAMED(R(.prio = 107, .from = "198.18.0.0/24", .extra_type = 25, .extra_u16 = 10,
		.table = 5), "no kernel-path line selects by a selector this ecmpd does not know");
	/* Linux 6.15's mask of a single port masks nothing. */
	NAMED(R(.prio = 108, .to = "198.19.9.0/24", .ipproto = 17, .dport = { 5001, 5001 },
		.extra_type = 29, .extra_u16 = 0xffff, .table = 5),
	      "'kernel-path to 198.19.9.0/24 proto udp dport 5001'");
	NAMED(R(.prio = 109, .ipproto = 17, .dport = { 5000, 5000 },
		.extra_type = 29, .extra_u16 = 0xff00, .table = 5),
	      "no kernel-path line selects by a selector");
	/* With an interface of ecmpd's in a VRF, the VRFs' rule matters. */
	snprintf(view.enslaved, sizeof(view.enslaved), "r0");
	snprintf(view.master, sizeof(view.master), "blue");
	NAMED(R(.prio = 1000, .l3mdev = 1),
	      "ip rule 1000: from all lookup [l3mdev-table]: the fast path forwards the frames "
	      "it selects by its config's routes, where the kernel routes them by their "
	      "VRF's table; leave r0 (in blue) out of ecmpd's interfaces");
}

static void test_rules_mirrored_table(void)
{
	/* The fast path's routes from table 100 (zebra's -R 100): main is
	 * the kernel's own, lookups of 100 are the fast path's. */
	setup(BASE_CONF "routes kernel table 100\n");
	LEFT(R(.prio = 32766, .table = RT_TABLE_MAIN));
	LEFT(R(.prio = 50, .from = "198.18.0.0/24", .table = 100));
	NAMED(R(.prio = 51, .from = "198.18.0.0/24", .table = RT_TABLE_MAIN),
	      "by its routes from table 100, where the kernel routes them by table main");
	NAMED(R(.prio = 40000, .to = "198.19.9.0/24", .table = 202), "ip rule 40000:");
	/* Once a rule looks 100 up for every frame, what comes after
	 * meets only frames without a route there, which the fast path
	 * hands to the kernel: per family. */
	setup(BASE_CONF "routes kernel table 100\n");
	LEFT(R(.prio = 60, .table = 100));
	LEFT(R(.prio = 61, .to = "198.19.9.0/24", .table = 202));
	LEFT(R(.prio = 60, .to = "198.19.9.0/24", .table = 202));
	NAMED(R(.prio = 61, .to = "2001:db8:9::/48", .table = 202),
	      "'kernel-path to 2001:db8:9::/48'");
	setup(BASE_CONF "routes kernel\nroutes fpm listen 127.0.0.1 table 10000\n");
	ASSERT_STR_EQ(view.tables_said, "its routes from tables main and 10000", "two tables");
	LEFT(R(.prio = 5, .from = "198.18.0.0/24", .table = 10000));
}

static void test_rules_format(void)
{
	struct rspec s = R(.prio = 7, .invert = 1, .from = "198.18.0.0/24",
			   .to = "198.19.0.0/16", .tos = 0x10, .fwmark = 1, .mark = 2,
			   .mask = 3, .iif = "r0", .oif = "r1", .uid = 1, .uid_lo = 5,
			   .uid_hi = 9, .ipproto = 132, .sport = { 1, 2 }, .dport = { 3, 3 },
			   .table = 300);
	struct nl_rule r;
	char text[256];

	ASSERT_EQ(nl_rule_parse(build(&s), &r), 0, "parse");
	policy_rule_format(&r, text, sizeof(text));
	ASSERT_STR_EQ(text, "7: not from 198.18.0.0/24 to 198.19.0.0/16 tos 0x10 "
		      "fwmark 0x2/0x3 iif r0 oif r1 uidrange 5-9 ipproto sctp sport 1-2 "
		      "dport 3 lookup 300", "every selector");
	/* A message cut short stays a string. */
	policy_rule_format(&r, text, 12);
	ASSERT_STR_EQ(text, "7: not from", "cut short");
}

static void test_rules_hostile(void)
{
	struct nl_rule r;
	struct nlmsghdr *nlh;

	setup(BASE_CONF);
	ASSERT_EQ(check(&R(.prio = 1, .src_len_only = 1, .table = 5)), -1, "length, no address");
	ASSERT_EQ(check(&R(.prio = 1, .short_src = 1, .table = 5)), -1, "3-byte address");
	ASSERT_EQ(check(&R(.prio = 1, .extra_type = 29, .extra_u16 = 1, .family = AF_INET6,
			   .table = 5)), 1, "a port mask alone is a selector");
	/* A prefix longer than its family. */
	nlh = build(&R(.prio = 1, .from = "198.18.0.0/24", .table = 5));
	((struct fib_rule_hdr *)mnl_nlmsg_get_payload(nlh))->src_len = 33;
	ASSERT_EQ(nl_rule_parse(nlh, &r), -1, "/33");
	/* Another family's rules (multicast routing's) are skipped. */
	nlh = build(&R(.prio = 1, .table = 5));
	((struct fib_rule_hdr *)mnl_nlmsg_get_payload(nlh))->family = RTNL_FAMILY_IPMR;
	ASSERT_EQ(nl_rule_parse(nlh, &r), 1, "IPMR");
	/* A header cut short. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWRULE;
	mnl_nlmsg_put_extra_header(nlh, 4);
	ASSERT_EQ(nl_rule_parse(nlh, &r), -1, "short header");
	/* An interface name without its end. */
	nlh = build(&R(.prio = 1, .table = 5));
	mnl_attr_put(nlh, FRA_IIFNAME, 16, "0123456789abcdef");
	ASSERT_EQ(nl_rule_parse(nlh, &r), -1, "iif of 16 bytes");
	/* Deleted rules are never named. */
	nlh = build(&R(.prio = 1, .from = "198.18.0.0/24", .table = 5));
	nlh->nlmsg_type = RTM_DELRULE;
	ASSERT_EQ(nl_rule_parse(nlh, &r), 0, "parse a deletion");
	ASSERT_EQ(policy_rule_check(&view, &r, msg, sizeof(msg)), 0, "a deletion");
}

/* ---- IPsec policies ---- */

struct pspec {
	uint8_t dir;		/* XFRM_POLICY_OUT unless set (IN is 0: see in) */
	int in;
	int family;		/* AF_INET unless set; -1: AF_UNSPEC */
	const char *src, *dst;	/* "198.18.0.128/26"; NULL: /0 */
	uint8_t proto;
	uint16_t sport, sport_mask, dport, dport_mask;
	int ifindex;
	int block;
	int ntmpl;		/* ESP tunnel templates to 198.18.2.2 */
	int optional;
	uint32_t if_id;
	int mark;
	uint32_t mark_v, mark_m;
	int tmpl_len;		/* hostile: this length for XFRMA_TMPL */
	int short_info;		/* hostile: the header cut short */
	uint8_t plen_s;		/* hostile: this source length */
};

static void sel_prefix(const char *p, int fam, xfrm_address_t *a, uint8_t *len)
{
	char s[64], *slash;

	snprintf(s, sizeof(s), "%s", p);
	slash = strchr(s, '/');
	*slash = 0;
	inet_pton(fam, s, a);
	*len = atoi(slash + 1);
}

static struct nlmsghdr *build_pol(const struct pspec *s)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_userpolicy_info *p;
	int fam = s->family == -1 ? AF_UNSPEC : s->family ? s->family : AF_INET, i;

	nlh->nlmsg_type = XFRM_MSG_NEWPOLICY;
	p = mnl_nlmsg_put_extra_header(nlh, s->short_info ? 16 : sizeof(*p));
	if (s->short_info)
		return nlh;
	p->dir = s->in ? XFRM_POLICY_IN : s->dir ? s->dir : XFRM_POLICY_OUT;
	p->action = s->block ? XFRM_POLICY_BLOCK : XFRM_POLICY_ALLOW;
	p->sel.family = fam;
	if (s->src)
		sel_prefix(s->src, fam, &p->sel.saddr, &p->sel.prefixlen_s);
	if (s->dst)
		sel_prefix(s->dst, fam, &p->sel.daddr, &p->sel.prefixlen_d);
	if (s->plen_s)
		p->sel.prefixlen_s = s->plen_s;
	p->sel.proto = s->proto;
	p->sel.sport = htons(s->sport);
	p->sel.sport_mask = htons(s->sport_mask);
	p->sel.dport = htons(s->dport);
	p->sel.dport_mask = htons(s->dport_mask);
	p->sel.ifindex = s->ifindex;
	if (s->ntmpl) {
		struct xfrm_user_tmpl t[2];

		memset(t, 0, sizeof(t));
		for (i = 0; i < s->ntmpl; i++) {
			t[i].family = AF_INET;
			t[i].id.proto = 50;
			t[i].mode = 1;
			t[i].optional = s->optional;
			inet_pton(AF_INET, "198.18.2.2", &t[i].id.daddr);
		}
		mnl_attr_put(nlh, XFRMA_TMPL, s->tmpl_len ? s->tmpl_len :
			     (int)(s->ntmpl * sizeof(t[0])), t);
	}
	if (s->if_id)
		mnl_attr_put_u32(nlh, XFRMA_IF_ID, s->if_id);
	if (s->mark) {
		struct xfrm_mark m = { s->mark_v, s->mark_m };

		mnl_attr_put(nlh, XFRMA_MARK, sizeof(m), &m);
	}
	return nlh;
}

/* 1 when the policy is named (msg), 0 when not, -1 or -2 when the parser
 * skipped it (1) or refused it (-1). */
static int check_pol(const struct pspec *s)
{
	struct xfrm_pol p;
	int err = xfrm_pol_parse(build_pol(s), &p);

	msg[0] = 0;
	if (err)
		return err > 0 ? -1 : -2;
	return xfrm_pol_check(&p, &conf, msg, sizeof(msg));
}

#define P(...) ((struct pspec){ __VA_ARGS__ })

#define POL_NAMED(spec, text)						\
	do {								\
		int _n = check_pol(&spec);				\
		CHECK(_n == 1 && strstr(msg, text),			\
		      "%s: want named with \"%s\", got %d \"%s\"", #spec,	\
		      text, _n, msg);					\
	} while (0)

#define POL_IS(spec, want)						\
	do {								\
		int _n = check_pol(&spec);				\
		CHECK(_n == (want), "%s: want %d, got %d \"%s\"", #spec,	\
		      want, _n, msg);					\
	} while (0)

static void test_ipsec_policies(void)
{
	setup(BASE_CONF);
	POL_NAMED(P(.src = "198.18.0.128/26", .dst = "198.19.0.0/16", .ntmpl = 1),
		  "IPsec policy dir out src 198.18.0.128/26 dst 198.19.0.0/16 priority 0 "
		  "(esp tunnel to 198.18.2.2): the fast path forwards the frames it selects "
		  "in clear, where the kernel sends them through IPsec; keep them on the "
		  "kernel's path with 'kernel-path from 198.18.0.128/26 to 198.19.0.0/16'");
	/* Host bits are not part of a prefix. */
	POL_NAMED(P(.src = "198.18.0.130/26", .ntmpl = 1), "'kernel-path from 198.18.0.128/26'");
	POL_NAMED(P(.dir = XFRM_POLICY_FWD, .src = "198.18.0.64/26", .ntmpl = 1),
		  "forwards the frames it selects whether IPsec protected them or not, "
		  "where the kernel forwards only those it did");
	POL_NAMED(P(.src = "198.18.0.0/24", .block = 1),
		  "IPsec policy dir out src 198.18.0.0/24 dst 0.0.0.0/0 priority 0 action block: "
		  "the fast path forwards the frames it selects where the kernel drops them");
	POL_NAMED(P(.family = AF_INET6, .dst = "2001:db8:9::/48", .proto = 17,
		    .dport = 5001, .dport_mask = 0xffff, .ntmpl = 2),
		  "'kernel-path to 2001:db8:9::/48 proto udp dport 5001'");
	/* Every frame of a family, or of both. */
	POL_NAMED(P(.ntmpl = 1), "forwards every frame in clear");
	POL_NAMED(P(.ntmpl = 1), "'kernel-path from 0.0.0.0/0'");
	POL_NAMED(P(.family = -1, .ntmpl = 1), "'kernel-path from 0.0.0.0/0' and 'kernel-path from ::/0'");
	/* What no line says. */
	POL_NAMED(P(.proto = 17, .dport = 5000, .dport_mask = 0xff00, .ntmpl = 1),
		  "no kernel-path line selects by a port mask");
	POL_NAMED(P(.proto = 1, .sport = 8, .sport_mask = 0xffff, .ntmpl = 1),
		  "no kernel-path line selects by an ICMP type or code");
	POL_NAMED(P(.src = "198.18.0.0/24", .ifindex = 3, .ntmpl = 1),
		  "no kernel-path line selects by the interface frames leave by");
	/* Left alone: a bypass exception, optional transforms on fwd,
	 * inbound, an xfrm interface's, a mark's. */
	POL_IS(P(.src = "198.18.0.0/24"), 0);
	POL_IS(P(.dir = XFRM_POLICY_FWD, .src = "198.18.0.0/24", .ntmpl = 1, .optional = 1), 0);
	POL_IS(P(.in = 1, .src = "198.18.0.0/24", .ntmpl = 1), -1);
	POL_IS(P(.dir = 5, .src = "198.18.0.0/24", .ntmpl = 1), -1);
	POL_IS(P(.src = "198.18.0.0/24", .ntmpl = 1, .if_id = 7), -1);
	POL_IS(P(.src = "198.18.0.0/24", .ntmpl = 1, .mark = 1, .mark_v = 1, .mark_m = 0xff), -1);
	POL_IS(P(.src = "198.18.0.0/24", .ntmpl = 1, .mark = 1, .mark_v = 0, .mark_m = 0xff), 1);
	/* Kept by the config's lines: named no more. */
	setup(BASE_CONF "kernel-path from 198.18.0.0/24\n");
	POL_IS(P(.src = "198.18.0.128/26", .dst = "198.19.0.0/16", .ntmpl = 1), 0);
	POL_IS(P(.src = "198.18.0.0/23", .ntmpl = 1), 1);
	POL_IS(P(.family = AF_INET6, .src = "2001:db8::/32", .ntmpl = 1), 1);
	/* Hostile. */
	POL_IS(P(.src = "198.18.0.0/24", .plen_s = 33, .ntmpl = 1), -2);
	POL_IS(P(.src = "198.18.0.0/24", .ntmpl = 1, .tmpl_len = 10), -2);
	POL_IS(P(.short_info = 1), -2);
	POL_IS(P(.family = 99, .ntmpl = 1), -1);
}

/* Each line given reads back as the frames it was made for. */
static void test_kernel_path_lines(void)
{
	static const char *const lines[] = {
		"kernel-path from 198.18.0.128/26",
		"kernel-path to 2001:db8:9::/48 proto udp dport 5001",
		"kernel-path from 198.18.0.0/24 to 198.19.0.0/16 proto tcp sport 1000 dport 22-23",
		"kernel-path from 0.0.0.0/0",
		"kernel-path proto sctp sport 1-2",
		"kernel-path to 198.19.0.0/16 proto 47",
	};
	char text[512], again[160];
	unsigned i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text), BASE_CONF "%s\n", lines[i]);
		setup(text);
		ASSERT_EQ(conf.npass, 1, lines[i]);
		conf_pass_format(&conf.pass[0], again, sizeof(again));
		ASSERT_STR_EQ(again, lines[i], "said again");
		CHECK(conf_pass_keeps(&conf, &conf.pass[0]), "%s keeps itself", lines[i]);
	}
}

int main(void)
{
	RUN_TEST(test_rules_every_box_has);
	RUN_TEST(test_rules_routing_elsewhere);
	RUN_TEST(test_rules_kept_by_config);
	RUN_TEST(test_rules_never_met);
	RUN_TEST(test_rules_not_sayable);
	RUN_TEST(test_rules_mirrored_table);
	RUN_TEST(test_rules_format);
	RUN_TEST(test_rules_hostile);
	RUN_TEST(test_ipsec_policies);
	RUN_TEST(test_kernel_path_lines);
	config_free(&conf);
	return test_summary();
}
