// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Routes over rtnetlink: the parser of RTM_NEWROUTE/RTM_DELROUTE (single
 * path, RTA_MULTIPATH, RTA_VIA, nexthop objects named by RTA_NH_ID) and
 * the filtered dump of one table. Every length is checked: a message the
 * kernel never sends in that shape is refused whole, not half read.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "netlink.h"
#include "ecmp_shared.h"

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK	12
#endif

static int af_of(int family, uint8_t *out)
{
	if (family == AF_INET)
		*out = ECMP_AF_INET;
	else if (family == AF_INET6)
		*out = ECMP_AF_INET6;
	else
		return -1;
	return 0;
}

static int alen_of(uint8_t af)
{
	return af == ECMP_AF_INET ? 4 : 16;
}

/* The gateway of one path: RTA_GATEWAY in the route's own family, or
 * RTA_VIA (struct rtvia) in either. */
static int parse_gateway(const struct nlattr *gw, const struct nlattr *via,
			 uint8_t route_af, struct nl_route_nh *nh)
{
	if (gw) {
		if (mnl_attr_get_payload_len(gw) != (unsigned)alen_of(route_af))
			return -1;
		nh->family = route_af;
		memcpy(nh->via, mnl_attr_get_payload(gw), alen_of(route_af));
	} else if (via) {
		const struct rtvia *v = mnl_attr_get_payload(via);
		unsigned len = mnl_attr_get_payload_len(via);

		if (len < sizeof(*v) || af_of(v->rtvia_family, &nh->family) ||
		    len - sizeof(*v) != (unsigned)alen_of(nh->family))
			return -1;
		memcpy(nh->via, v->rtvia_addr, alen_of(nh->family));
	}
	return 0;
}

static int parse_multipath(const struct nlattr *mp, struct nl_route *r)
{
	const char *p = mnl_attr_get_payload(mp);
	int left = mnl_attr_get_payload_len(mp);

	while (left > 0) {
		const struct rtnexthop *rtnh = (const void *)p;
		const struct nlattr *tb[RTA_MAX + 1] = { 0 };
		const struct nlattr *a;
		struct nl_route_nh *nh;
		int alen;

		if (left < (int)sizeof(*rtnh) || rtnh->rtnh_len < sizeof(*rtnh) ||
		    rtnh->rtnh_len > left)
			return -1;
		alen = rtnh->rtnh_len - RTNH_ALIGN(sizeof(*rtnh));
		for (a = (const void *)(p + RTNH_ALIGN(sizeof(*rtnh)));
		     alen > 0 && mnl_attr_ok(a, alen); a = mnl_attr_next(a)) {
			if (mnl_attr_get_type(a) <= RTA_MAX)
				tb[mnl_attr_get_type(a)] = a;
			alen -= MNL_ALIGN(a->nla_len);
		}
		if (alen > 0)
			return -1;	/* an attribute ran past its nexthop */
		if (r->nnh == NL_ROUTE_MAX_NH) {
			r->nh_truncated = 1;
		} else {
			nh = &r->nh[r->nnh++];
			memset(nh, 0, sizeof(*nh));
			nh->ifindex = rtnh->rtnh_ifindex;
			nh->weight = rtnh->rtnh_hops + 1u;
			nh->flags = rtnh->rtnh_flags;
			if (parse_gateway(tb[RTA_GATEWAY], tb[RTA_VIA], r->family, nh))
				return -1;
		}
		if (tb[RTA_ENCAP] || tb[RTA_ENCAP_TYPE])
			r->encap = 1;
		left -= RTNH_ALIGN(rtnh->rtnh_len);
		p += RTNH_ALIGN(rtnh->rtnh_len);
	}
	return 0;
}

/* The route's own MTU among its metrics (the others, advmss, window,
 * initcwnd..., are for the box's own TCP). */
static int parse_mtu(const struct nlattr *metrics, struct nl_route *r)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, metrics) {
		if (mnl_attr_get_type(a) != RTAX_MTU)
			continue;
		if (mnl_attr_get_payload_len(a) != 4)
			return -1;
		r->mtu = mnl_attr_get_u32(a);
	}
	return 0;
}

int nl_route_parse(const struct nlmsghdr *nlh, struct nl_route *r)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	int alen;

	memset(r, 0, offsetof(struct nl_route, nh));
	r->deleted = nlh->nlmsg_type == RTM_DELROUTE;
	r->nlflags = nlh->nlmsg_flags;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -1;
	if (af_of(rtm->rtm_family, &r->family))
		return 1;	/* MPLS, bridge...: not ours */
	if (mnl_attr_parse(nlh, sizeof(*rtm), nl_attr_cb,
			   &(struct nl_attrs){ tb, RTA_MAX }) < 0)
		return -1;
	alen = alen_of(r->family);
	if (rtm->rtm_dst_len > alen * 8)
		return -1;
	r->prefixlen = rtm->rtm_dst_len;
	r->protocol = rtm->rtm_protocol;
	r->type = rtm->rtm_type;
	r->cloned = !!(rtm->rtm_flags & RTM_F_CLONED);
	r->tos = rtm->rtm_tos;
	r->src_len = rtm->rtm_src_len;
	r->table = rtm->rtm_table;
	if (tb[RTA_TABLE]) {
		if (mnl_attr_get_payload_len(tb[RTA_TABLE]) != 4)
			return -1;
		r->table = mnl_attr_get_u32(tb[RTA_TABLE]);
	}
	if (tb[RTA_DST]) {
		if (mnl_attr_get_payload_len(tb[RTA_DST]) != (unsigned)alen)
			return -1;
		memcpy(r->addr, mnl_attr_get_payload(tb[RTA_DST]), alen);
	} else if (r->prefixlen) {
		return -1;
	}
	if (tb[RTA_PRIORITY]) {
		if (mnl_attr_get_payload_len(tb[RTA_PRIORITY]) != 4)
			return -1;
		r->metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	}
	if (tb[RTA_NH_ID]) {
		if (mnl_attr_get_payload_len(tb[RTA_NH_ID]) != 4)
			return -1;
		r->nh_id = mnl_attr_get_u32(tb[RTA_NH_ID]);
	}
	if (tb[RTA_PREFSRC]) {
		if (mnl_attr_get_payload_len(tb[RTA_PREFSRC]) != (unsigned)alen)
			return -1;
		memcpy(r->prefsrc, mnl_attr_get_payload(tb[RTA_PREFSRC]), alen);
		r->has_prefsrc = 1;
	}
	if (tb[RTA_ENCAP] || tb[RTA_ENCAP_TYPE])
		r->encap = 1;
	if (tb[RTA_METRICS] && parse_mtu(tb[RTA_METRICS], r))
		return -1;
	if (tb[RTA_MULTIPATH])
		return parse_multipath(tb[RTA_MULTIPATH], r);
	if (tb[RTA_OIF] || tb[RTA_GATEWAY] || tb[RTA_VIA]) {
		struct nl_route_nh *nh = &r->nh[0];

		memset(nh, 0, sizeof(*nh));
		if (tb[RTA_OIF]) {
			if (mnl_attr_get_payload_len(tb[RTA_OIF]) != 4)
				return -1;
			nh->ifindex = mnl_attr_get_u32(tb[RTA_OIF]);
		}
		nh->weight = 1;
		nh->flags = rtm->rtm_flags & 0xff;	/* RTNH_F_* share the low bits */
		if (parse_gateway(tb[RTA_GATEWAY], tb[RTA_VIA], r->family, nh))
			return -1;
		r->nnh = 1;
	}
	return 0;
}

static int dump_family(struct nl *nl, int family, uint32_t table,
		       const struct nl_handlers *h)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_dump_request(nl, buf, RTM_GETROUTE, family,
					       sizeof(struct rtmsg));
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	/* With strict checking the kernel dumps only this table. */
	rtm->rtm_table = table < 256 ? table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (mnl_socket_sendto(nl->req, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return nl_dump_recv(nl, nlh->nlmsg_seq, h);
}

int nl_dump_routes(struct nl *nl, uint32_t table, const struct nl_handlers *h)
{
	int fd = mnl_socket_get_fd(nl->req), on = 1, off = 0, err;

	/* Without it the kernel ignores the filter and dumps every table
	 * (the handler filters anyway: kernels before 4.20). Only for these
	 * dumps: the socket's other requests stay as they were. */
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof(on));
	err = dump_family(nl, AF_INET, table, h);
	if (!err)
		err = dump_family(nl, AF_INET6, table, h);
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &off, sizeof(off));
	return err;
}

int nl_watch_routes(struct nl *nl)
{
	static const unsigned groups[] = { RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,
					   RTNLGRP_NEXTHOP };

	return nl_join(nl, groups, sizeof(groups) / sizeof(groups[0]));
}
