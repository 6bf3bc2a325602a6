/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rtnetlink messages built byte for byte for the unit tests (routes and
 * nexthop objects as the kernel or zebra sends them), appended to nl_buf;
 * and what the mirror made of them.
 */
#ifndef ECMP_TEST_NL_BUILD_H
#define ECMP_TEST_NL_BUILD_H

#include <stddef.h>
#include <stdint.h>

extern char nl_buf[65536];
extern size_t nl_used;

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
	const char *prefsrc;	/* RTA_PREFSRC, NULL: none */
	int cloned;
	uint8_t tos;		/* an IPv4 TOS key */
	const char *src;	/* an IPv6 source prefix ("2001:db8:5::/48") */
	uint32_t mtu;		/* the route's own (RTA_METRICS RTAX_MTU) */
	int nlflags;		/* NLM_F_REPLACE, NLM_F_APPEND: as an event */
	int nhops;
	struct hop hop[4];
};

/* A nexthop object: a path (via on ifindex 1), or a group of ids with
 * weights; resilient with res_buckets set (timers in clock ticks). */
struct nhspec {
	uint32_t id;
	const char *via;
	int ngroup;
	struct { uint32_t id, weight; } group[4];
	int res_buckets;	/* -1: resilient, NHA_RES_GROUP left out */
	uint32_t idle_ticks, unbalanced_ticks;
	int buckets_len;	/* NHA_RES_GROUP_BUCKETS length, 2 unless set */
	int deleted;		/* RTM_DELNEXTHOP */
};

int family_of(const char *a);
void put_route(const struct spec *s);
void put_nexthop(const struct nhspec *s);

/* What a merged config holds for a prefix ("198.19.1.0/24"): its route
 * (NULL if none), and its group's members "name name ..." in member
 * order ("kernel": left to the kernel, "none": no route); the last four
 * answers stay valid. */
struct ecmp_conf;
struct conf_route;
const struct conf_route *route_of(const struct ecmp_conf *c, const char *dst);
const char *members_of(const struct ecmp_conf *c, const char *dst);

#endif /* ECMP_TEST_NL_BUILD_H */
