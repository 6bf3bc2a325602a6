/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Kernel state ecmpd follows over rtnetlink (libmnl): links (oper state,
 * MAC), neighbours (state, MAC) and local addresses. Dumps at start, then
 * events from RTNLGRP_LINK, RTNLGRP_NEIGH and the address groups; routes,
 * nexthop objects and policy rules where asked (nl_route.c, nl_nexthop.c,
 * nl_rule.c). Every
 * message is parsed defensively: a malformed one is skipped and counted.
 */
#ifndef ECMP_NETLINK_H
#define ECMP_NETLINK_H

#include <stdint.h>
#include <net/if.h>

struct nl_link {
	int ifindex;
	char name[IF_NAMESIZE];
	uint8_t mac[6];
	int has_mac;
	int up;			/* IFF_UP and IFF_RUNNING (carrier) */
	char kind[16];		/* IFLA_INFO_KIND ("veth", "tun"...); "" if none */
	int parent;		/* IFLA_LINK: a VLAN's lower interface; 0 if none */
	uint16_t vlan_id;	/* kind "vlan": its VID */
	uint32_t mtu;		/* IFLA_MTU; 0 if not given */
	int deleted;
};

struct nl_neigh {
	int ifindex;
	uint8_t family;		/* ECMP_AF_INET / ECMP_AF_INET6 */
	uint8_t addr[16];
	uint8_t mac[6];
	int has_mac;
	uint16_t state;		/* NUD_* */
	uint8_t flags;		/* NTF_* */
	uint32_t flags_ext;	/* NTF_EXT_* (NDA_FLAGS_EXT) */
	int deleted;
};

struct nl_addr {
	int ifindex;
	uint8_t family;
	uint8_t addr[16];
	uint8_t prefixlen;
	int deleted;
};

/* One nexthop of a route: a gateway of either family (RTA_VIA gives an
 * IPv4 route an IPv6 gateway), or none (a route through the link). */
struct nl_route_nh {
	int ifindex;
	uint8_t family;		/* ECMP_AF_*; 0: no gateway */
	uint8_t via[16];
	uint32_t weight;	/* rtnh_hops + 1 */
	uint8_t flags;		/* RTNH_F_* */
};

#define NL_ROUTE_MAX_NH	64

/* A route as rtnetlink describes it (nl_route.c). */
struct nl_route {
	uint8_t family;		/* ECMP_AF_* */
	uint8_t prefixlen;
	uint8_t addr[16];
	uint8_t protocol;	/* RTPROT_* */
	uint8_t type;		/* RTN_* */
	uint32_t table;
	uint32_t metric;	/* RTA_PRIORITY */
	uint32_t nh_id;		/* RTA_NH_ID: a nexthop object; 0 if none */
	uint8_t prefsrc[16];	/* RTA_PREFSRC: the source it gives local senders */
	int has_prefsrc;
	int encap;		/* lightweight-tunnel encapsulation */
	int cloned;		/* RTM_F_CLONED: a cache entry, not a route */
	/* It selects by more than the destination: an IPv4 TOS key
	 * (`ip route add ... tos`), an IPv6 source prefix (`from`). */
	uint8_t tos, src_len;
	uint32_t mtu;		/* RTAX_MTU of RTA_METRICS (`mtu`); 0: none */
	uint16_t nlflags;	/* the message's NLM_F_*: REPLACE, APPEND... */
	int nnh;
	int nh_truncated;	/* more nexthops than NL_ROUTE_MAX_NH */
	struct nl_route_nh nh[NL_ROUTE_MAX_NH];
	int deleted;
};

/* A nexthop object (`ip nexthop`, nl_nexthop.c): one path, or a group of
 * other objects with weights. */
struct nl_nexthop {
	uint32_t id;
	uint8_t family;		/* ECMP_AF_* of the gateway; 0: none */
	uint8_t via[16];
	int ifindex;
	int blackhole, encap, fdb;
	int dead;		/* RTNH_F_DEAD: its link is down */
	int ngroup;		/* members, when a group */
	int group_truncated;	/* more than NL_ROUTE_MAX_NH */
	struct {
		uint32_t id;
		uint32_t weight;	/* 1..256 */
	} group[NL_ROUTE_MAX_NH];
	/* A resilient group (`type resilient`): its bucket count and timers
	 * (the kernel's clock ticks turned into ms; its buckets themselves
	 * are the kernel's business). */
	int resilient;
	uint32_t res_buckets, res_idle_ms, res_unbalanced_ms;
	int deleted;
};

/* A routing-policy rule (`ip rule`, nl_rule.c): its selectors and what it
 * does with what they select. */
struct nl_rule {
	uint8_t family;		/* ECMP_AF_* */
	uint8_t action;		/* FR_ACT_*: lookup, goto, nop, blackhole... */
	uint8_t invert;		/* `not`: the selectors' match inverted */
	uint8_t iif_detached;	/* its iif does not exist: it matches nothing */
	uint8_t tos;
	uint8_t src_len, dst_len;
	uint8_t src[16], dst[16];
	uint32_t priority;
	uint32_t table;		/* FRA_TABLE, else the header's */
	uint32_t goto_prio;	/* FR_ACT_GOTO's target */
	char iif[IF_NAMESIZE], oif[IF_NAMESIZE];	/* "": any */
	int has_fwmark;
	uint32_t fwmark, fwmask;
	int has_tun_id;
	uint8_t l3mdev;		/* the rule of VRFs: their device's table */
	uint8_t ip_proto;	/* 0: any */
	int has_sport, has_dport;
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	int has_uid;
	uint32_t uid_lo, uid_hi;
	/* suppress_prefixlength / suppress_ifgroup: a route it finds may be
	 * refused, and the later rules then decide. */
	int has_suppress;
	uint32_t suppress_prefixlen;
	int unknown_attr;	/* a selector newer than this parser: its type */
	int deleted;
};

struct nl_handlers {
	void (*link)(void *ctx, const struct nl_link *l);
	void (*neigh)(void *ctx, const struct nl_neigh *n);
	void (*addr)(void *ctx, const struct nl_addr *a);
	void *ctx;
	/* Route messages; NULL to ignore them. */
	void (*route)(void *ctx, const struct nl_route *r);
	/* Nexthop object messages; NULL to ignore them. */
	void (*nexthop)(void *ctx, const struct nl_nexthop *n);
	/* Routing-policy rule messages; NULL to ignore them. */
	void (*rule)(void *ctx, const struct nl_rule *r);
};

struct nl {
	struct mnl_socket *req;		/* dumps and requests */
	struct mnl_socket *events;	/* multicast groups */
	unsigned int seq;
	unsigned long malformed;	/* messages skipped */
	unsigned long overruns;		/* ENOBUFS on the event socket */
};

/* The event socket's receive buffer: large, so a burst of route changes
 * (a BGP session coming up) fits; an overrun is still handled (dump again). */
#define NL_EVENT_RCVBUF	(32 << 20)

int nl_open(struct nl *nl);
/* Sets the event socket's receive buffer (bytes; root may pass the
 * system's limit). 0 or -errno. */
/* A netlink socket's receive buffer, past rmem_max where allowed. 0 or
 * -errno. */
int nl_fd_set_rcvbuf(int fd, int bytes);
/* Adds the multicast groups (RTNLGRP_*) to the event socket. 0 or -errno. */
int nl_join(struct nl *nl, const unsigned *groups, unsigned n);
int nl_set_rcvbuf(struct nl *nl, int bytes);
void nl_close(struct nl *nl);
/* The fd to poll for events. */
int nl_event_fd(const struct nl *nl);
/* Dumps links, neighbours and addresses into the handlers. */
int nl_dump_all(struct nl *nl, const struct nl_handlers *h);
/* The neighbour table alone: what new nexthops need, without the links'
 * and addresses' work. */
int nl_dump_neighbours(struct nl *nl, const struct nl_handlers *h);
/* Reads every pending event. Returns 0, or -ENOBUFS when events were lost
 * (the caller must dump again), or another -errno. */
int nl_read_events(struct nl *nl, const struct nl_handlers *h);
/* A dump request of type for family in buf (its header of hdrlen bytes,
 * zeroed, follows), with the next sequence number; more may be added. */
struct nlmsghdr *nl_dump_request(struct nl *nl, void *buf, int type, int family,
				  size_t hdrlen);
/* Reads a dump's answer for seq from the request socket into h. */
int nl_dump_recv(struct nl *nl, unsigned int seq, const struct nl_handlers *h);
/* Sends the dump request req (nl_dump_request) and hands each message of
 * the answer to cb (MNL_CB_OK to go on). 0 or -errno. */
int nl_dump_each(struct nl *nl, const struct nlmsghdr *req,
		 int (*cb)(const struct nlmsghdr *nlh, void *data), void *data);
/* Runs the handlers over a buffer of netlink messages (events or a dump);
 * malformed messages are counted in nl->malformed and skipped. */
int nl_parse(struct nl *nl, const void *buf, size_t len,
	     const struct nl_handlers *h);
/* Asks the kernel to resolve or re-confirm a neighbour (NTF_USE): it sends
 * ARP/ND now, and the result arrives as a neighbour event. NTF_USE clears
 * NUD_PERMANENT from an entry it meets (the kernel's __neigh_update since
 * 5.16), so it is for dynamic entries only: the caller passes exists = 0
 * when it knows of no entry, and the request then carries NLM_F_EXCL and
 * cannot touch one the operator made meanwhile (-EEXIST). */
int nl_neigh_use(struct nl *nl, int ifindex, uint8_t family,
		 const uint8_t *addr, int exists);
/* An entry ecmpd only reads, never asks about: the operator's
 * (PERMANENT, NOARP) or another control plane's (externally learned,
 * managed). */
int nl_neigh_is_foreign(const struct nl_neigh *n);

/* ---- nl_route.c ---- */
struct nlmsghdr;
/* Parses an RTM_NEWROUTE/RTM_DELROUTE message. 0, 1 for a family other
 * than IPv4/IPv6 (not an error), -1 when malformed. */
int nl_route_parse(const struct nlmsghdr *nlh, struct nl_route *r);
/* Dumps the IPv4 and IPv6 routes of one table into h->route (strict
 * checking: the kernel filters by table). */
int nl_dump_routes(struct nl *nl, uint32_t table, const struct nl_handlers *h);
/* Adds the IPv4 and IPv6 route groups and the nexthop group to the event
 * socket. */
int nl_watch_routes(struct nl *nl);

/* Parses RTM_NEWRULE/RTM_DELRULE: 0, 1 for a family other than IPv4 and
 * IPv6 (skipped), -1 when malformed. */
int nl_rule_parse(const struct nlmsghdr *nlh, struct nl_rule *r);
/* Dumps both families' rules to h->rule. 0 or -errno. */
int nl_dump_rules(struct nl *nl, const struct nl_handlers *h);
/* Subscribes the event socket to both families' rule changes. */
int nl_watch_rules(struct nl *nl);

/* ---- nl_nexthop.c ---- */
/* Parses an RTM_NEWNEXTHOP/RTM_DELNEXTHOP message: 0, or -1 when
 * malformed. */
int nl_nexthop_parse(const struct nlmsghdr *nlh, struct nl_nexthop *n);
/* Dumps every nexthop object into h->nexthop. */
int nl_dump_nexthops(struct nl *nl, const struct nl_handlers *h);

/* libmnl attribute callback filling tb[0..max] by type (later, unknown
 * types are skipped): mnl_attr_parse(nlh, hdrlen, nl_attr_cb,
 * &(struct nl_attrs){ tb, IFLA_MAX }). */
struct nlattr;
struct nl_attrs {
	const struct nlattr **tb;
	int max;
};
int nl_attr_cb(const struct nlattr *attr, void *data);

/* Interface state for a name, by a direct dump-free query. */
int nl_is_nud_usable(uint16_t state);

#endif /* ECMP_NETLINK_H */
