/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Kernel state ecmpd follows over rtnetlink (libmnl): links (oper state,
 * MAC), neighbours (state, MAC) and local addresses. Dumps at start, then
 * events from RTNLGRP_LINK, RTNLGRP_NEIGH and the address groups. Every
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

struct nl_handlers {
	void (*link)(void *ctx, const struct nl_link *l);
	void (*neigh)(void *ctx, const struct nl_neigh *n);
	void (*addr)(void *ctx, const struct nl_addr *a);
	void *ctx;
};

struct nl {
	struct mnl_socket *req;		/* dumps and requests */
	struct mnl_socket *events;	/* multicast groups */
	unsigned int seq;
	unsigned long malformed;	/* messages skipped */
};

int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
/* The fd to poll for events. */
int nl_event_fd(const struct nl *nl);
/* Dumps links, neighbours and addresses into the handlers. */
int nl_dump_all(struct nl *nl, const struct nl_handlers *h);
/* Reads every pending event. Returns 0, or -ENOBUFS when events were lost
 * (the caller must dump again), or another -errno. */
int nl_read_events(struct nl *nl, const struct nl_handlers *h);
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
