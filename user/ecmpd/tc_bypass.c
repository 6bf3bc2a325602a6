// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Qdiscs and tc filters that frames forwarded by XDP skip (tc_bypass.h),
 * read over rtnetlink: one dump of every qdisc, and the clsact filters of
 * each interface concerned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "bypass.h"
#include "tc_bypass.h"
#include "lib/log.h"

/* The tc filter handle and priority ecmpd's own filters use (attach.c). */
#define ECMP_TC_PRIO	0xec

int tc_qdisc_is_plain(const char *kind)
{
	static const char *const plain[] = {
		"noqueue", "mq", "pfifo_fast", "fq_codel", "fq", "pfifo", "bfifo",
		"pfifo_head_drop", "noop", "clsact", "ingress",
	};
	unsigned i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!strcmp(kind, plain[i]))
			return 1;
	return 0;
}

/* The interfaces concerned, by index, and what was found on each. */
struct tc_scan {
	int n;
	struct {
		int ifindex;
		char name[IF_NAMESIZE];
		int egress, ingress;	/* XDP sends out of it / runs on it */
		char qdisc[16];		/* the first shaping qdisc, or "" */
		char filter[16];	/* the first filter's kind (one direction) */
		int filters;
	} i[2 * CONF_MAX_IFACES];
	int cur;		/* the interface a filter dump is for */
};

static int find(struct tc_scan *s, int ifindex)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->i[i].ifindex == ifindex)
			return i;
	return -1;
}

static void add(struct tc_scan *s, const char *name, int egress)
{
	int ifindex, i;

	/* A full table's thousands of nexthops share a few devices: by
	 * name first, without asking the kernel. */
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->i[i].name, name))
			break;
	ifindex = i < s->n ? s->i[i].ifindex : (int)if_nametoindex(name);
	if (!ifindex)
		return;
	i = find(s, ifindex);
	if (i < 0) {
		if (s->n == (int)(sizeof(s->i) / sizeof(s->i[0])))
			return;
		i = s->n++;
		memset(&s->i[i], 0, sizeof(s->i[i]));
		s->i[i].ifindex = ifindex;
		snprintf(s->i[i].name, IF_NAMESIZE, "%s", name);
	}
	if (egress)
		s->i[i].egress = 1;
	else
		s->i[i].ingress = 1;
}

/* The message's kind (TCA_KIND), or NULL. */
static const char *kind_of(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[TCA_MAX + 1] = { 0 };

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct tcmsg) ||
	    mnl_attr_parse(nlh, sizeof(struct tcmsg), nl_attr_cb,
			   &(struct nl_attrs){ tb, TCA_MAX }) < 0 ||
	    !tb[TCA_KIND] || mnl_attr_validate(tb[TCA_KIND], MNL_TYPE_NUL_STRING) < 0)
		return NULL;
	return mnl_attr_get_str(tb[TCA_KIND]);
}

static int on_qdisc(const struct nlmsghdr *nlh, void *data)
{
	struct tc_scan *s = data;
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
	const char *kind = kind_of(nlh);
	int i;

	if (!kind || nlh->nlmsg_type != RTM_NEWQDISC)
		return MNL_CB_OK;
	i = find(s, t->tcm_ifindex);
	if (i >= 0 && s->i[i].egress && !s->i[i].qdisc[0] && !tc_qdisc_is_plain(kind))
		snprintf(s->i[i].qdisc, sizeof(s->i[i].qdisc), "%s", kind);
	return MNL_CB_OK;
}

static int on_filter(const struct nlmsghdr *nlh, void *data)
{
	struct tc_scan *s = data;
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
	const char *kind = kind_of(nlh);
	int i = s->cur;

	/* ecmpd's own (its tc egress hook), and a classifier's head entry
	 * (handle 0), which is no filter by itself. */
	if (!kind || nlh->nlmsg_type != RTM_NEWTFILTER || !t->tcm_handle ||
	    TC_H_MAJ(t->tcm_info) >> 16 == ECMP_TC_PRIO)
		return MNL_CB_OK;
	if (!s->i[i].filters++)
		snprintf(s->i[i].filter, sizeof(s->i[i].filter), "%s", kind);
	return MNL_CB_OK;
}

static int dump_filters(struct nl *nl, struct tc_scan *s, int i, uint32_t dir)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_dump_request(nl, buf, RTM_GETTFILTER, AF_UNSPEC,
					       sizeof(struct tcmsg));
	struct tcmsg *t = mnl_nlmsg_get_payload(nlh);

	t->tcm_ifindex = s->i[i].ifindex;
	t->tcm_parent = TC_H_MAKE(TC_H_CLSACT, dir);
	s->cur = i;
	s->i[i].filters = 0;
	s->i[i].filter[0] = 0;
	return nl_dump_each(nl, nlh, on_filter, s);
}

static const char *const remedy =
	"'tc ingress' instead of 'xdp' on the interfaces frames come in on sends them through it; 'kernel-path' lines keep chosen traffic on the kernel's path";

int tc_bypass_warn(struct nl *nl, const struct ecmp_conf *conf,
		   const struct ecmp_conf *eff, struct bypass_said *said)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct tc_scan *s = calloc(1, sizeof(*s));
	struct nlmsghdr *nlh;
	int i, xdp = 0, warned = 0, err;

	if (!s)
		return -ENOMEM;
	for (i = 0; i < conf->niface; i++) {
		enum conf_attach a = conf->iface[i].attach;

		if (a == ATTACH_XDP_NATIVE || a == ATTACH_XDP_GENERIC || a == ATTACH_NONE) {
			add(s, conf->iface[i].name, 0);
			xdp = 1;
		}
	}
	/* Only XDP's redirect skips the egress side. */
	for (i = 0; xdp && i < eff->nnexthop; i++)
		add(s, eff->nexthop[i].dev, 1);
	nlh = nl_dump_request(nl, buf, RTM_GETQDISC, AF_UNSPEC, sizeof(struct tcmsg));
	err = nl_dump_each(nl, nlh, on_qdisc, s);
	for (i = 0; !err && i < s->n; i++) {
		if (s->i[i].qdisc[0]) {
			bypass_say(said, "interface %s: qdisc %s shapes or orders what leaves it, but frames XDP forwards out of %s skip every qdisc; %s",
				s->i[i].name, s->i[i].qdisc, s->i[i].name, remedy);
			warned++;
		}
		/* An interface without clsact has no filters to dump. */
		if (s->i[i].egress && !dump_filters(nl, s, i, TC_H_MIN_EGRESS) &&
		    s->i[i].filters) {
			bypass_say(said, "interface %s: tc egress filters (%s) never see frames XDP forwards out of it; %s",
				s->i[i].name, s->i[i].filter, remedy);
			warned++;
		}
		if (s->i[i].ingress && !dump_filters(nl, s, i, TC_H_MIN_INGRESS) &&
		    s->i[i].filters) {
			bypass_say(said, "interface %s: tc ingress filters (%s) run after XDP and never see the frames it forwards; 'tc ingress' instead of 'xdp' on %s puts ecmpd's filter among them, at priority %d (those numbered lower run first); 'kernel-path' lines keep chosen traffic on the kernel's path",
				s->i[i].name, s->i[i].filter, s->i[i].name, ECMP_TC_PRIO);
			warned++;
		}
	}
	free(s);
	return err ? err : warned;
}
