// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "ecmpd/config.h"
#include "nl_build.h"

char nl_buf[65536] __attribute__((aligned(8)));
size_t nl_used;

int family_of(const char *a)
{
	return strchr(a, ':') ? AF_INET6 : AF_INET;
}

void put_route(const struct spec *s)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl_buf + nl_used);
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
	nlh->nlmsg_flags = s->nlflags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = fam;
	rtm->rtm_dst_len = atoi(slash + 1);
	rtm->rtm_protocol = s->protocol ? s->protocol : RTPROT_BGP;
	rtm->rtm_type = s->rtype ? s->rtype : RTN_UNICAST;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_flags = s->cloned ? RTM_F_CLONED : 0;
	rtm->rtm_tos = s->tos;
	if (s->src) {
		char src[64], *sl;
		uint8_t sa[16];

		snprintf(src, sizeof(src), "%s", s->src);
		sl = strchr(src, '/');
		*sl = 0;
		inet_pton(AF_INET6, src, sa);
		rtm->rtm_src_len = atoi(sl + 1);
		mnl_attr_put(nlh, RTA_SRC, 16, sa);
	}
	mnl_attr_put_u32(nlh, RTA_TABLE, s->table ? s->table : RT_TABLE_MAIN);
	mnl_attr_put(nlh, RTA_DST, fam == AF_INET ? 4 : 16, a);
	if (s->metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, s->metric);
	if (s->mtu) {
		struct nlattr *mx = mnl_attr_nest_start(nlh, RTA_METRICS);

		mnl_attr_put_u32(nlh, RTAX_ADVMSS, 1360);	/* not the MTU: ignored */
		mnl_attr_put_u32(nlh, RTAX_MTU, s->mtu);
		mnl_attr_nest_end(nlh, mx);
	}
	if (s->nh_id)
		mnl_attr_put_u32(nlh, RTA_NH_ID, s->nh_id);
	if (s->prefsrc) {
		inet_pton(fam, s->prefsrc, a);
		mnl_attr_put(nlh, RTA_PREFSRC, fam == AF_INET ? 4 : 16, a);
	}
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
	nl_used += NLMSG_ALIGN(nlh->nlmsg_len);
}

void put_nexthop(const struct nhspec *s)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl_buf + nl_used);
	struct nhmsg *nhm;
	int i;

	nlh->nlmsg_type = s->deleted ? RTM_DELNEXTHOP : RTM_NEWNEXTHOP;
	nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	mnl_attr_put_u32(nlh, NHA_ID, s->id);
	if (s->ngroup) {
		uint8_t e[4][8] = { 0 };

		nhm->nh_family = AF_UNSPEC;
		for (i = 0; i < s->ngroup; i++) {
			memcpy(e[i], &s->group[i].id, 4);
			e[i][4] = (s->group[i].weight - 1) & 0xff;
			e[i][5] = (s->group[i].weight - 1) >> 8;
		}
		mnl_attr_put(nlh, NHA_GROUP, 8 * s->ngroup, e);
		if (s->res_buckets) {
			mnl_attr_put_u16(nlh, NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_RES);
			if (s->res_buckets > 0) {
				struct nlattr *res = mnl_attr_nest_start(nlh, NHA_RES_GROUP);
				uint32_t b = s->res_buckets;

				mnl_attr_put(nlh, NHA_RES_GROUP_BUCKETS,
					     s->buckets_len ? s->buckets_len : 2, &b);
				mnl_attr_put_u32(nlh, NHA_RES_GROUP_IDLE_TIMER, s->idle_ticks);
				mnl_attr_put_u32(nlh, NHA_RES_GROUP_UNBALANCED_TIMER,
						 s->unbalanced_ticks);
				mnl_attr_nest_end(nlh, res);
			}
		}
	} else {
		uint8_t a[4];

		nhm->nh_family = AF_INET;
		inet_pton(AF_INET, s->via, a);
		mnl_attr_put_u32(nlh, NHA_OIF, 1);
		mnl_attr_put(nlh, NHA_GATEWAY, 4, a);
	}
	nl_used += NLMSG_ALIGN(nlh->nlmsg_len);
}


/* The merged config's route for a prefix, or NULL. */
const struct conf_route *route_of(const struct ecmp_conf *c, const char *dst)
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
const char *members_of(const struct ecmp_conf *c, const char *dst)
{
	/* Buffers in turn: two answers compared in one assertion must not
	 * be the same buffer, which would make it true whatever they say. */
	static char buf[4][512];
	static unsigned turn;
	char *out = buf[turn++ % 4];
	const struct conf_route *r = route_of(c, dst);
	int i;

	if (!r)
		return "none";
	if (r->group < 0)
		return "kernel";
	out[0] = 0;
	for (i = 0; i < c->group[r->group].nmembers; i++)
		snprintf(out + strlen(out), sizeof(buf[0]) - strlen(out), "%s%s", i ? " " : "",
			 c->nexthop[c->group[r->group].member[i]].name);
	return out;
}
