// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Routing-policy rules over rtnetlink (`ip rule`): the parser of
 * RTM_NEWRULE/RTM_DELRULE and the dump of both families' rules. ecmpd
 * reads them only to say which ones its fast path does not follow
 * (policy_rules.c); every length is checked, as for routes.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "netlink.h"
#include "ecmp_shared.h"

/* Attributes newer than Debian 12's headers (Linux 6.1). A port mask
 * comes with a port (Linux 6.15 sends 0xffff for one port, which masks
 * nothing); any other newer attribute selects frames in a way this
 * parser does not know, and the rule says so (unknown_attr). */
#define NL_FRA_SPORT_MASK	28
#define NL_FRA_DPORT_MASK	29
#define NL_RULE_ATTR_MAX	40

static int get_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_get_payload_len(a) != 4)
		return -1;
	*v = mnl_attr_get_u32(a);
	return 0;
}

static int get_u8(const struct nlattr *a, uint8_t *v)
{
	if (mnl_attr_get_payload_len(a) != 1)
		return -1;
	*v = mnl_attr_get_u8(a);
	return 0;
}

static int get_ports(const struct nlattr *a, uint16_t *lo, uint16_t *hi)
{
	struct fib_rule_port_range r;

	if (mnl_attr_get_payload_len(a) != sizeof(r))
		return -1;
	memcpy(&r, mnl_attr_get_payload(a), sizeof(r));
	*lo = r.start;
	*hi = r.end;
	return 0;
}

static int get_name(const struct nlattr *a, char *name)
{
	size_t len = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	len = strnlen(s, len);
	if (!len || len >= IF_NAMESIZE)
		return -1;
	memcpy(name, s, len);
	name[len] = 0;
	return 0;
}

static int get_prefix(const struct nlattr *a, uint8_t family, uint8_t len,
		      uint8_t *addr)
{
	size_t alen = family == ECMP_AF_INET ? 4 : 16;

	if (mnl_attr_get_payload_len(a) != alen || len > alen * 8)
		return -1;
	memcpy(addr, mnl_attr_get_payload(a), alen);
	return 0;
}

int nl_rule_parse(const struct nlmsghdr *nlh, struct nl_rule *r)
{
	const struct nlattr *tb[NL_RULE_ATTR_MAX + 1] = { 0 };
	const struct fib_rule_hdr *h = mnl_nlmsg_get_payload(nlh);
	int t;

	memset(r, 0, sizeof(*r));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*h) ||
	    mnl_attr_parse(nlh, sizeof(*h), nl_attr_cb,
			   &(struct nl_attrs){ tb, NL_RULE_ATTR_MAX }) < 0)
		return -1;
	if (h->family != AF_INET && h->family != AF_INET6)
		return 1;	/* another family's rules (IPMR, DECnet) */
	r->family = h->family == AF_INET ? ECMP_AF_INET : ECMP_AF_INET6;
	r->deleted = nlh->nlmsg_type == RTM_DELRULE;
	r->action = h->action;
	r->invert = !!(h->flags & FIB_RULE_INVERT);
	r->iif_detached = !!(h->flags & FIB_RULE_IIF_DETACHED);
	r->tos = h->tos;
	r->table = h->table;
	r->src_len = h->src_len;
	r->dst_len = h->dst_len;
	r->fwmask = UINT32_MAX;	/* a mark without a mask is compared whole */

	if ((tb[FRA_PRIORITY] && get_u32(tb[FRA_PRIORITY], &r->priority)) ||
	    (tb[FRA_TABLE] && get_u32(tb[FRA_TABLE], &r->table)) ||
	    (tb[FRA_GOTO] && get_u32(tb[FRA_GOTO], &r->goto_prio)) ||
	    (tb[FRA_FWMARK] && get_u32(tb[FRA_FWMARK], &r->fwmark)) ||
	    (tb[FRA_FWMASK] && get_u32(tb[FRA_FWMASK], &r->fwmask)) ||
	    (tb[FRA_TUN_ID] && mnl_attr_get_payload_len(tb[FRA_TUN_ID]) != 8) ||
	    (tb[FRA_L3MDEV] && get_u8(tb[FRA_L3MDEV], &r->l3mdev)) ||
	    (tb[FRA_IP_PROTO] && get_u8(tb[FRA_IP_PROTO], &r->ip_proto)) ||
	    (tb[FRA_IIFNAME] && get_name(tb[FRA_IIFNAME], r->iif)) ||
	    (tb[FRA_OIFNAME] && get_name(tb[FRA_OIFNAME], r->oif)) ||
	    (tb[FRA_SRC] && get_prefix(tb[FRA_SRC], r->family, r->src_len, r->src)) ||
	    (tb[FRA_DST] && get_prefix(tb[FRA_DST], r->family, r->dst_len, r->dst)) ||
	    (tb[FRA_SPORT_RANGE] && get_ports(tb[FRA_SPORT_RANGE], &r->sport_lo, &r->sport_hi)) ||
	    (tb[FRA_DPORT_RANGE] && get_ports(tb[FRA_DPORT_RANGE], &r->dport_lo, &r->dport_hi)))
		return -1;
	/* A prefix length with no address, or the reverse: not a rule the
	 * kernel writes. */
	if (!!tb[FRA_SRC] != !!r->src_len || !!tb[FRA_DST] != !!r->dst_len)
		return -1;
	r->has_fwmark = tb[FRA_FWMARK] || tb[FRA_FWMASK];
	r->has_tun_id = !!tb[FRA_TUN_ID];
	r->has_sport = !!tb[FRA_SPORT_RANGE];
	r->has_dport = !!tb[FRA_DPORT_RANGE];
	if (tb[FRA_UID_RANGE]) {
		struct fib_rule_uid_range u;

		if (mnl_attr_get_payload_len(tb[FRA_UID_RANGE]) != sizeof(u))
			return -1;
		memcpy(&u, mnl_attr_get_payload(tb[FRA_UID_RANGE]), sizeof(u));
		r->has_uid = 1;
		r->uid_lo = u.start;
		r->uid_hi = u.end;
	}
	if (tb[FRA_SUPPRESS_PREFIXLEN] &&
	    get_u32(tb[FRA_SUPPRESS_PREFIXLEN], &r->suppress_prefixlen))
		return -1;
	r->has_suppress = (tb[FRA_SUPPRESS_PREFIXLEN] &&
			   r->suppress_prefixlen != UINT32_MAX) ||
			  tb[FRA_SUPPRESS_IFGROUP];
	for (t = FRA_DPORT_RANGE + 1; t <= NL_RULE_ATTR_MAX; t++) {
		if (!tb[t] || r->unknown_attr)
			continue;
		if (t == NL_FRA_SPORT_MASK || t == NL_FRA_DPORT_MASK) {
			if (mnl_attr_get_payload_len(tb[t]) != 2)
				return -1;
			if (mnl_attr_get_u16(tb[t]) == UINT16_MAX)
				continue;	/* the whole port */
		}
		r->unknown_attr = t;
	}
	return 0;
}

int nl_watch_rules(struct nl *nl)
{
	static const unsigned groups[] = { RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE };

	return nl_join(nl, groups, sizeof(groups) / sizeof(groups[0]));
}
