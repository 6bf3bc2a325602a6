// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "netlink.h"
#include "ecmp_shared.h"
#include "lib/log.h"

int nl_is_nud_usable(uint16_t state)
{
	/* A MAC we may send to. STALE/DELAY/PROBE still hold the last good
	 * MAC while the kernel re-confirms it; FAILED and INCOMPLETE do not. */
	return state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
			NUD_PERMANENT | NUD_NOARP);
}

int nl_open(struct nl *nl)
{
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->req = mnl_socket_open(NETLINK_ROUTE);
	nl->events = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->req || !nl->events) {
		err = -errno;
		goto fail;
	}
	if (mnl_socket_bind(nl->req, 0, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_bind(nl->events,
			    RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR |
			    RTMGRP_IPV6_IFADDR, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		goto fail;
	}
	nl->seq = time(NULL);
	nl_set_rcvbuf(nl, NL_EVENT_RCVBUF);	/* best effort */
	return 0;
fail:
	nl_close(nl);
	return err;
}

int nl_join(struct nl *nl, const unsigned *groups, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (mnl_socket_setsockopt(nl->events, NETLINK_ADD_MEMBERSHIP,
					  (void *)&groups[i], sizeof(groups[i])))
			return -errno;
	return 0;
}

int nl_fd_set_rcvbuf(int fd, int bytes)
{
	/* FORCE passes rmem_max (root); plain SO_RCVBUF is capped by it. */
	if (!setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) ||
	    !setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)))
		return 0;
	return -errno;
}

int nl_set_rcvbuf(struct nl *nl, int bytes)
{
	return nl_fd_set_rcvbuf(mnl_socket_get_fd(nl->events), bytes);
}

void nl_close(struct nl *nl)
{
	if (nl->req)
		mnl_socket_close(nl->req);
	if (nl->events)
		mnl_socket_close(nl->events);
	nl->req = nl->events = NULL;
}

int nl_event_fd(const struct nl *nl)
{
	return mnl_socket_get_fd(nl->events);
}

struct parse_ctx {
	struct nl *nl;
	const struct nl_handlers *h;
};

int nl_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nl_attrs *a = data;
	int type = mnl_attr_get_type(attr);

	/* Unknown (newer) attributes are fine; only keep what we index. */
	if (type <= a->max)
		a->tb[type] = attr;
	return MNL_CB_OK;
}

static int on_link(struct parse_ctx *c, const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct nl_link l = { 0 };

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi) ||
	    mnl_attr_parse(nlh, sizeof(*ifi), nl_attr_cb,
			   &(struct nl_attrs){ tb, IFLA_MAX }) < 0)
		return -1;
	l.ifindex = ifi->ifi_index;
	l.deleted = nlh->nlmsg_type == RTM_DELLINK;
	l.up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
	if (tb[IFLA_IFNAME] && !mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_STRING))
		snprintf(l.name, sizeof(l.name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
		memcpy(l.mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
		l.has_mac = 1;
	}
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *info[IFLA_INFO_MAX + 1] = { 0 };

		if (mnl_attr_parse_nested(tb[IFLA_LINKINFO], nl_attr_cb,
					  &(struct nl_attrs){ info, IFLA_INFO_MAX }) >= 0 &&
		    info[IFLA_INFO_KIND] &&
		    !mnl_attr_validate(info[IFLA_INFO_KIND], MNL_TYPE_STRING)) {
			const struct nlattr *vlan[IFLA_VLAN_MAX + 1] = { 0 };

			snprintf(l.kind, sizeof(l.kind), "%s",
				 mnl_attr_get_str(info[IFLA_INFO_KIND]));
			if (!strcmp(l.kind, "vlan") && info[IFLA_INFO_DATA] &&
			    mnl_attr_parse_nested(info[IFLA_INFO_DATA], nl_attr_cb,
						  &(struct nl_attrs){ vlan, IFLA_VLAN_MAX }) >= 0 &&
			    vlan[IFLA_VLAN_ID] && mnl_attr_get_payload_len(vlan[IFLA_VLAN_ID]) == 2)
				l.vlan_id = mnl_attr_get_u16(vlan[IFLA_VLAN_ID]) & 0xfff;
		}
	}
	if (tb[IFLA_MTU] && mnl_attr_get_payload_len(tb[IFLA_MTU]) == 4)
		l.mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_LINK] && mnl_attr_get_payload_len(tb[IFLA_LINK]) == 4)
		l.parent = mnl_attr_get_u32(tb[IFLA_LINK]);
	if (c->h->link)
		c->h->link(c->h->ctx, &l);
	return 0;
}

static int on_neigh(struct parse_ctx *c, const struct nlmsghdr *nlh)
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	struct nl_neigh n = { 0 };
	size_t alen;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nd) ||
	    mnl_attr_parse(nlh, sizeof(*nd), nl_attr_cb,
			   &(struct nl_attrs){ tb, NDA_MAX }) < 0)
		return -1;
	if (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6)
		return 0;	/* bridge FDB and friends */
	n.family = nd->ndm_family == AF_INET ? ECMP_AF_INET : ECMP_AF_INET6;
	alen = n.family == ECMP_AF_INET ? 4 : 16;
	if (!tb[NDA_DST] || mnl_attr_get_payload_len(tb[NDA_DST]) != alen)
		return -1;
	memcpy(n.addr, mnl_attr_get_payload(tb[NDA_DST]), alen);
	if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6) {
		memcpy(n.mac, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
		n.has_mac = 1;
	}
	n.ifindex = nd->ndm_ifindex;
	n.state = nd->ndm_state;
	n.flags = nd->ndm_flags;
	if (tb[NDA_FLAGS_EXT] && mnl_attr_get_payload_len(tb[NDA_FLAGS_EXT]) == 4)
		n.flags_ext = mnl_attr_get_u32(tb[NDA_FLAGS_EXT]);
	n.deleted = nlh->nlmsg_type == RTM_DELNEIGH;
	if (c->h->neigh)
		c->h->neigh(c->h->ctx, &n);
	return 0;
}

static int on_addr(struct parse_ctx *c, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct nlattr *a;
	struct nl_addr x = { 0 };
	size_t alen;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa) ||
	    mnl_attr_parse(nlh, sizeof(*ifa), nl_attr_cb,
			   &(struct nl_attrs){ tb, IFA_MAX }) < 0)
		return -1;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return 0;
	x.family = ifa->ifa_family == AF_INET ? ECMP_AF_INET : ECMP_AF_INET6;
	alen = x.family == ECMP_AF_INET ? 4 : 16;
	/* IFA_LOCAL is the local address on point-to-point links. */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || mnl_attr_get_payload_len(a) != alen)
		return -1;
	memcpy(x.addr, mnl_attr_get_payload(a), alen);
	x.ifindex = ifa->ifa_index;
	x.prefixlen = ifa->ifa_prefixlen;
	x.deleted = nlh->nlmsg_type == RTM_DELADDR;
	if (c->h->addr)
		c->h->addr(c->h->ctx, &x);
	return 0;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct parse_ctx *c = data;
	int err = 0;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		err = on_link(c, nlh);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		err = on_neigh(c, nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		err = on_addr(c, nlh);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		if (c->h->route) {
			struct nl_route r;

			err = nl_route_parse(nlh, &r);
			if (!err)
				c->h->route(c->h->ctx, &r);
			err = err < 0;
		}
		break;
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		if (c->h->nexthop) {
			struct nl_nexthop n;

			err = nl_nexthop_parse(nlh, &n);
			if (!err)
				c->h->nexthop(c->h->ctx, &n);
			err = err < 0;
		}
		break;
	case RTM_NEWRULE:
	case RTM_DELRULE:
		if (c->h->rule) {
			struct nl_rule r;

			err = nl_rule_parse(nlh, &r);
			if (!err)
				c->h->rule(c->h->ctx, &r);
			err = err < 0;
		}
		break;
	default:
		break;
	}
	if (err)
		c->nl->malformed++;
	return MNL_CB_OK;
}

struct nlmsghdr *nl_dump_request(struct nl *nl, void *buf, int type, int family,
				  size_t hdrlen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *rt;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++nl->seq;
	/* Each request type has its own header; the family is first. */
	rt = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	rt->rtgen_family = family;
	return nlh;
}

static int dump(struct nl *nl, int type, int family, size_t hdrlen,
		const struct nl_handlers *h)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_dump_request(nl, buf, type, family, hdrlen);

	if (mnl_socket_sendto(nl->req, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return nl_dump_recv(nl, nlh->nlmsg_seq, h);
}

static int recv_each(struct nl *nl, unsigned int seq, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl->req);
	int ret;

	while ((ret = mnl_socket_recvfrom(nl->req, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, seq, portid, cb, data);
		if (ret <= MNL_CB_STOP)
			break;
	}
	return ret < 0 ? -errno : 0;
}

int nl_dump_each(struct nl *nl, const struct nlmsghdr *req,
		 int (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	if (mnl_socket_sendto(nl->req, req, req->nlmsg_len) < 0)
		return -errno;
	return recv_each(nl, req->nlmsg_seq, cb, data);
}

int nl_dump_recv(struct nl *nl, unsigned int seq, const struct nl_handlers *h)
{
	struct parse_ctx c = { nl, h };

	return recv_each(nl, seq, msg_cb, &c);
}

int nl_dump_all(struct nl *nl, const struct nl_handlers *h)
{
	int err;

	err = dump(nl, RTM_GETLINK, AF_UNSPEC, sizeof(struct ifinfomsg), h);
	if (!err)
		err = dump(nl, RTM_GETNEIGH, AF_UNSPEC, sizeof(struct ndmsg), h);
	if (!err)
		err = dump(nl, RTM_GETADDR, AF_UNSPEC, sizeof(struct ifaddrmsg), h);
	return err;
}

int nl_dump_rules(struct nl *nl, const struct nl_handlers *h)
{
	return dump(nl, RTM_GETRULE, AF_UNSPEC, sizeof(struct fib_rule_hdr), h);
}

int nl_dump_neighbours(struct nl *nl, const struct nl_handlers *h)
{
	return dump(nl, RTM_GETNEIGH, AF_UNSPEC, sizeof(struct ndmsg), h);
}

int nl_parse(struct nl *nl, const void *buf, size_t len,
	     const struct nl_handlers *h)
{
	struct parse_ctx c = { nl, h };
	size_t off, l;

	/* libmnl 1.0.4's mnl_nlmsg_ok() compares nlmsg_len as a signed int:
	 * a length above 2 GiB passes, and the walk jumps that far (found by
	 * tests/fuzz/fuzz_netlink.c). Only the kernel writes here, but the
	 * framing is checked first anyway; parsing stops at a bad length. */
	for (off = 0; off + sizeof(struct nlmsghdr) <= len; off += NLMSG_ALIGN(l)) {
		l = ((const struct nlmsghdr *)((const char *)buf + off))->nlmsg_len;
		if (l < sizeof(struct nlmsghdr) || l > len - off) {
			nl->malformed++;
			break;
		}
	}
	if (off < len)
		len = off;
	return len ? mnl_cb_run(buf, len, 0, 0, msg_cb, &c) : 0;
}

int nl_read_events(struct nl *nl, const struct nl_handlers *h)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret;

	for (;;) {
		ret = recv(mnl_socket_get_fd(nl->events), buf, sizeof(buf),
			   MSG_DONTWAIT);
		if (ret < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS)
				nl->overruns++;
			return -errno;	/* ENOBUFS: events lost, dump again */
		}
		nl_parse(nl, buf, ret, h);
	}
}

int nl_neigh_is_foreign(const struct nl_neigh *n)
{
	return (n->state & (NUD_PERMANENT | NUD_NOARP)) ||
	       (n->flags & NTF_EXT_LEARNED) || (n->flags_ext & NTF_EXT_MANAGED);
}

int nl_neigh_use(struct nl *nl, int ifindex, uint8_t family,
		 const uint8_t *addr, int exists)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	/* Never NLM_F_REPLACE: the request must not override an entry's
	 * address or state, only make the kernel resolve it. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | (exists ? 0 : NLM_F_EXCL);
	nlh->nlmsg_seq = ++nl->seq;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = family == ECMP_AF_INET ? AF_INET : AF_INET6;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_NONE;
	/* NTF_USE: "use" the entry as traffic would: resolve it if unknown,
	 * re-confirm it if stale. The kernel ignores the state then. */
	nd->ndm_flags = NTF_USE;
	mnl_attr_put(nlh, NDA_DST, family == ECMP_AF_INET ? 4 : 16, addr);
	if (mnl_socket_sendto(nl->req, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/* The kernel answers a refused request even without NLM_F_ACK
	 * (EEXIST: an entry appeared meanwhile, left alone). rtnetlink runs
	 * in the sender's context, so the answer is queued by now: take it
	 * off the socket, or the next dump reads it as its own. */
	while (recv(mnl_socket_get_fd(nl->req), buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	return 0;
}
