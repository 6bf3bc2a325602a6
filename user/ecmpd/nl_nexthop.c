// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Nexthop objects over rtnetlink (`ip nexthop`, FRR's default since 7.3):
 * the parser of RTM_NEWNEXTHOP/RTM_DELNEXTHOP and the dump of them all.
 * With net.ipv4.nexthop_compat_mode 0 a route names its object (RTA_NH_ID)
 * and nothing else, and a change of the object is announced as a
 * nexthop message only: the mirror reads both (mirror.c). Every length
 * is checked, as for routes (nl_route.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "netlink.h"
#include "ecmp_shared.h"

/* An entry of NHA_GROUP: id, weight - 1 (low and high byte), reserved;
 * read by offset, as older headers name the high byte otherwise. */
#define NH_GRP_ENTRY	8

static int parse_group(const struct nlattr *a, struct nl_nexthop *n)
{
	const uint8_t *p = mnl_attr_get_payload(a);
	unsigned len = mnl_attr_get_payload_len(a), i;

	if (!len || len % NH_GRP_ENTRY)
		return -1;
	for (i = 0; i < len / NH_GRP_ENTRY; i++) {
		uint32_t id;

		if (n->ngroup == NL_ROUTE_MAX_NH) {
			n->group_truncated = 1;
			break;
		}
		memcpy(&id, p + i * NH_GRP_ENTRY, 4);
		n->group[n->ngroup].id = id;
		n->group[n->ngroup].weight = ((uint32_t)p[i * NH_GRP_ENTRY + 5] << 8 |
					      p[i * NH_GRP_ENTRY + 4]) + 1;
		n->ngroup++;
	}
	return 0;
}

/* Timers travel in clock ticks (USER_HZ, as for `ip nexthop`). */
static uint32_t ticks_to_ms(uint32_t ticks)
{
	static long hz;
	uint64_t ms;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	ms = (uint64_t)ticks * 1000 / hz;
	return ms > UINT32_MAX ? UINT32_MAX : ms;
}

/* NHA_RES_GROUP: the bucket count (u16) and the two timers (u32). */
static int parse_resilient(const struct nlattr *a, struct nl_nexthop *n)
{
	const struct nlattr *tb[NHA_RES_GROUP_MAX + 1] = { 0 };
	struct nl_attrs at = { tb, NHA_RES_GROUP_MAX };

	if (mnl_attr_parse_nested(a, nl_attr_cb, &at) != MNL_CB_OK)
		return -1;
	if (!tb[NHA_RES_GROUP_BUCKETS] || mnl_attr_get_payload_len(tb[NHA_RES_GROUP_BUCKETS]) != 2)
		return -1;
	n->resilient = 1;
	n->res_buckets = mnl_attr_get_u16(tb[NHA_RES_GROUP_BUCKETS]);
	if (tb[NHA_RES_GROUP_IDLE_TIMER]) {
		if (mnl_attr_get_payload_len(tb[NHA_RES_GROUP_IDLE_TIMER]) != 4)
			return -1;
		n->res_idle_ms = ticks_to_ms(mnl_attr_get_u32(tb[NHA_RES_GROUP_IDLE_TIMER]));
	}
	if (tb[NHA_RES_GROUP_UNBALANCED_TIMER]) {
		if (mnl_attr_get_payload_len(tb[NHA_RES_GROUP_UNBALANCED_TIMER]) != 4)
			return -1;
		n->res_unbalanced_ms =
			ticks_to_ms(mnl_attr_get_u32(tb[NHA_RES_GROUP_UNBALANCED_TIMER]));
	}
	return 0;
}

int nl_nexthop_parse(const struct nlmsghdr *nlh, struct nl_nexthop *n)
{
	const struct nlattr *tb[NHA_MAX + 1] = { 0 };
	const struct nhmsg *nhm;
	struct nl_attrs at = { tb, NHA_MAX };

	memset(n, 0, sizeof(*n));
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*nhm)))
		return -1;
	nhm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*nhm), nl_attr_cb, &at) != MNL_CB_OK)
		return -1;
	n->deleted = nlh->nlmsg_type == RTM_DELNEXTHOP;
	if (!tb[NHA_ID] || mnl_attr_get_payload_len(tb[NHA_ID]) != 4)
		return -1;
	n->id = mnl_attr_get_u32(tb[NHA_ID]);
	if (!n->id)		/* "assign one" in a request; never sent */
		return -1;
	n->dead = !!(nhm->nh_flags & RTNH_F_DEAD);
	n->blackhole = !!tb[NHA_BLACKHOLE];
	n->encap = !!tb[NHA_ENCAP];
	n->fdb = !!tb[NHA_FDB];
	if (tb[NHA_GROUP]) {
		if (tb[NHA_GROUP_TYPE] && mnl_attr_get_payload_len(tb[NHA_GROUP_TYPE]) != 2)
			return -1;
		if (tb[NHA_GROUP_TYPE] &&
		    mnl_attr_get_u16(tb[NHA_GROUP_TYPE]) == NEXTHOP_GRP_TYPE_RES &&
		    (!tb[NHA_RES_GROUP] || parse_resilient(tb[NHA_RES_GROUP], n)))
			return -1;
		return parse_group(tb[NHA_GROUP], n);
	}
	if (tb[NHA_OIF]) {
		if (mnl_attr_get_payload_len(tb[NHA_OIF]) != 4)
			return -1;
		n->ifindex = mnl_attr_get_u32(tb[NHA_OIF]);
	}
	if (tb[NHA_GATEWAY]) {
		unsigned len = mnl_attr_get_payload_len(tb[NHA_GATEWAY]);

		if (nhm->nh_family == AF_INET && len == 4)
			n->family = ECMP_AF_INET;
		else if (nhm->nh_family == AF_INET6 && len == 16)
			n->family = ECMP_AF_INET6;
		else
			return -1;
		memcpy(n->via, mnl_attr_get_payload(tb[NHA_GATEWAY]), len);
	}
	return 0;
}

int nl_dump_nexthops(struct nl *nl, const struct nl_handlers *h)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_dump_request(nl, buf, RTM_GETNEXTHOP, AF_UNSPEC,
					       sizeof(struct nhmsg));

	if (mnl_socket_sendto(nl->req, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return nl_dump_recv(nl, nlh->nlmsg_seq, h);
}
