// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * IPsec policies the fast path bypasses (xfrm_policies.h), read from
 * NETLINK_XFRM. Every length is checked: the policy's header, its
 * selector's prefix lengths, the templates' array.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>

#include "xfrm_policies.h"
#include "netlink.h"
#include "ecmp_shared.h"
#include "lib/log.h"
#include "lib/lpm.h"
#include "lib/text.h"

#define IPPROTO_ESP_	50
#define IPPROTO_AH_	51

/* One side's ports: any (mask 0), one (mask all ones), else a part of
 * them, which no kernel-path line says. */
static const char *ports_of(uint16_t port_be, uint16_t mask_be, uint16_t *lo, uint16_t *hi)
{
	if (!mask_be) {
		*lo = 0;
		*hi = 65535;
		return NULL;
	}
	*lo = *hi = ntohs(port_be);
	return mask_be == 0xffff ? NULL : "a port mask";
}

static int take_selector(const struct xfrm_selector *s, struct xfrm_pol *p)
{
	struct conf_pass *c = &p->sel;
	size_t alen;
	const char *why;

	if (s->family == AF_INET) {
		c->family = ECMP_AF_INET;
		alen = 4;
	} else if (s->family == AF_INET6) {
		c->family = ECMP_AF_INET6;
		alen = 16;
	} else if (s->family == AF_UNSPEC && !s->prefixlen_s && !s->prefixlen_d) {
		alen = 0;	/* every address of both families */
	} else {
		return 1;
	}
	if (s->prefixlen_s > alen * 8 || s->prefixlen_d > alen * 8)
		return -1;
	memcpy(c->src, &s->saddr, alen);
	memcpy(c->dst, &s->daddr, alen);
	lpm_mask(c->src, c->family, s->prefixlen_s);
	lpm_mask(c->dst, c->family, s->prefixlen_d);
	c->src_len = s->prefixlen_s;
	c->dst_len = s->prefixlen_d;
	c->proto = s->proto;
	why = ports_of(s->sport, s->sport_mask, &c->sport_lo, &c->sport_hi);
	if (!why)
		why = ports_of(s->dport, s->dport_mask, &c->dport_lo, &c->dport_hi);
	/* ICMP's type and code travel as the ports; kernel-path lines take
	 * ports only with TCP, UDP and SCTP. */
	if (!why && (s->sport_mask || s->dport_mask) &&
	    s->proto != 6 && s->proto != 17 && s->proto != 132)
		why = "an ICMP type or code, or the ports of a protocol without them";
	if (!why && s->ifindex)
		why = "the interface frames leave by";
	p->unsaid = why;
	return 0;
}

int xfrm_pol_parse(const struct nlmsghdr *nlh, struct xfrm_pol *p)
{
	const struct nlattr *tb[XFRMA_MAX + 1] = { 0 };
	struct xfrm_userpolicy_info info;
	int err;

	memset(p, 0, sizeof(*p));
	if ((nlh->nlmsg_type != XFRM_MSG_NEWPOLICY && nlh->nlmsg_type != XFRM_MSG_UPDPOLICY) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(info) ||
	    mnl_attr_parse(nlh, sizeof(info), nl_attr_cb,
			   &(struct nl_attrs){ tb, XFRMA_MAX }) < 0)
		return -1;
	/* Copied out: its 64-bit lifetimes want 8-byte alignment, and a
	 * dump's second message may start at 4 (netlink aligns to 4). */
	memcpy(&info, mnl_nlmsg_get_payload(nlh), sizeof(info));
	/* Inbound and sockets' policies are for the box's own traffic. */
	if (info.dir != XFRM_POLICY_OUT && info.dir != XFRM_POLICY_FWD)
		return 1;
	/* Bound to an xfrm interface (routes through it are the kernel's:
	 * no gateway) or to a mark no frame has when XDP sees it. */
	if (tb[XFRMA_IF_ID]) {
		if (mnl_attr_get_payload_len(tb[XFRMA_IF_ID]) != 4)
			return -1;
		if (mnl_attr_get_u32(tb[XFRMA_IF_ID]))
			return 1;
	}
	if (tb[XFRMA_MARK]) {
		struct xfrm_mark m;

		if (mnl_attr_get_payload_len(tb[XFRMA_MARK]) != sizeof(m))
			return -1;
		memcpy(&m, mnl_attr_get_payload(tb[XFRMA_MARK]), sizeof(m));
		if (m.v & m.m)
			return 1;
	}
	p->dir = info.dir;
	p->block = info.action == XFRM_POLICY_BLOCK;
	p->priority = info.priority;
	err = take_selector(&info.sel, p);
	if (err)
		return err;
	if (tb[XFRMA_TMPL]) {
		const struct xfrm_user_tmpl *t = mnl_attr_get_payload(tb[XFRMA_TMPL]);
		size_t len = mnl_attr_get_payload_len(tb[XFRMA_TMPL]);
		int i;

		if (!len || len % sizeof(*t))
			return -1;
		p->ntmpl = len / sizeof(*t);
		for (i = 0; i < p->ntmpl; i++) {
			struct xfrm_user_tmpl one;

			memcpy(&one, t + i, sizeof(one));	/* attributes are 4-byte aligned */
			if (!one.optional)
				p->required = 1;
			if (i)
				continue;
			p->tmpl_proto = one.id.proto;
			p->tmpl_mode = one.mode;
			p->tmpl_family = one.family == AF_INET6 ? ECMP_AF_INET6 :
					 one.family == AF_INET ? ECMP_AF_INET : 0;
			memcpy(p->tmpl_dst, &one.id.daddr, 16);
		}
	}
	return 0;
}

static void say_policy(const struct xfrm_pol *p, struct text_buf *b)
{
	char pfx[TEXT_PREFIX_LEN];
	const struct conf_pass *s = &p->sel;

	text_put(b, "IPsec policy dir %s", p->dir == XFRM_POLICY_OUT ? "out" : "fwd");
	if (s->family) {
		text_put(b, " src %s", text_prefix(s->family, s->src, s->src_len, pfx, sizeof(pfx)));
		text_put(b, " dst %s", text_prefix(s->family, s->dst, s->dst_len, pfx, sizeof(pfx)));
	} else {
		text_put(b, " src all dst all");
	}
	if (s->proto && conf_ip_proto_name(s->proto))
		text_put(b, " proto %s", conf_ip_proto_name(s->proto));
	else if (s->proto)
		text_put(b, " proto %u", s->proto);
	if (s->sport_lo || s->sport_hi != 65535)
		text_put_ports(b, "sport", s->sport_lo, s->sport_hi);
	if (s->dport_lo || s->dport_hi != 65535)
		text_put_ports(b, "dport", s->dport_lo, s->dport_hi);
	text_put(b, " priority %u", p->priority);
	if (p->block) {
		text_put(b, " action block");
	} else if (p->ntmpl) {
		char a[INET6_ADDRSTRLEN];

		text_put(b, " (%s %s", p->tmpl_proto == IPPROTO_ESP_ ? "esp" :
			 p->tmpl_proto == IPPROTO_AH_ ? "ah" : "ipcomp",
			 p->tmpl_mode ? "tunnel" : "transport");
		if (p->tmpl_mode && p->tmpl_family)
			text_put(b, " to %s", text_addr(p->tmpl_family, p->tmpl_dst, a, sizeof(a)));
		text_put(b, ")");
	}
}

int xfrm_pol_check(const struct xfrm_pol *p, const struct ecmp_conf *conf,
		   char *msg, size_t n)
{
	struct text_buf b = { msg, n, 0 };
	const struct conf_pass *s = &p->sel;
	int every = !s->src_len && !s->dst_len && !s->proto &&
		    s->sport_hi == 65535 && !s->sport_lo &&
		    s->dport_hi == 65535 && !s->dport_lo && !p->unsaid;
	char line[160];

	msg[0] = 0;
	/* allow without transforms: an exception, not a duty; a fwd
	 * policy whose transforms are all optional checks nothing. */
	if (!p->block && (!p->ntmpl || (p->dir == XFRM_POLICY_FWD && !p->required)))
		return 0;
	if (!p->unsaid && s->family && conf_pass_keeps(conf, s))
		return 0;
	say_policy(p, &b);
	text_put(&b, ": the fast path forwards %s %s", every ? "every frame" :
		 "the frames it selects",
		 p->block ? "where the kernel drops them" :
		 p->dir == XFRM_POLICY_OUT ? "in clear, where the kernel sends them through IPsec" :
		 "whether IPsec protected them or not, where the kernel forwards only those it did");
	if (p->unsaid) {
		text_put(&b, "; no kernel-path line selects by %s: keep those frames on the kernel's path by their addresses, protocol or ports",
			 p->unsaid);
	} else if (!s->family) {
		text_put(&b, "; keep them on the kernel's path with 'kernel-path from 0.0.0.0/0' and 'kernel-path from ::/0', or leave this box's forwarding to the kernel");
	} else {
		conf_pass_format(s, line, sizeof(line));
		text_put(&b, "; keep them on the kernel's path with '%s'", line);
	}
	return 1;
}

struct pol_scan {
	const struct ecmp_conf *conf;
	const char *seen;
	struct bypass_said now;
	int reported;
};

static int on_policy(const struct nlmsghdr *nlh, void *data)
{
	struct pol_scan *s = data;
	struct xfrm_pol p;
	char msg[768];

	if (xfrm_pol_parse(nlh, &p) || !xfrm_pol_check(&p, s->conf, msg, sizeof(msg)))
		return MNL_CB_OK;
	s->reported++;
	bypass_said_add(&s->now, msg);
	if (!bypass_said_before(s->seen, msg))
		pr_warn("%s", msg);
	return MNL_CB_OK;
}

int xfrm_policies_warn(const struct ecmp_conf *conf, const char *seen, char **now)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_XFRM);
	struct pol_scan s = { .conf = conf, .seen = seen };
	struct nlmsghdr *nlh;
	unsigned seq = time(NULL), port;
	int ret;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	port = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = XFRM_MSG_GETPOLICY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct xfrm_userpolicy_id));
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, seq, port, on_policy, &s);
		if (ret <= MNL_CB_STOP)
			break;
	}
	ret = ret < 0 ? -errno : s.reported;
out:
	mnl_socket_close(nl);
	if (now && ret >= 0)
		*now = s.now.s;
	else
		free(s.now.s);
	return ret;
}

int xfrm_watch_open(void)
{
	unsigned group = XFRMNLGRP_POLICY;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_XFRM);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int xfrm_watch_drain(int fd)
{
	char buf[8192];
	int any = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n > 0 || (n < 0 && errno == ENOBUFS)) {
			any = 1;	/* a loss: look again all the same */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return any;
	}
}
