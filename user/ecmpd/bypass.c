// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include "bypass.h"
#include "lib/sysctl.h"
#include "netlink.h"
#include "lib/log.h"

struct chain_scan {
	struct bypass_said *said;
	int warned;
	int kernel_path;	/* the config has kernel-path lines */
};

static const char *family_name(int f)
{
	return f == NFPROTO_IPV4 ? "ip" : f == NFPROTO_IPV6 ? "ip6" :
	       f == NFPROTO_INET ? "inet" : NULL;
}

/* One chain of the dump: warn when it is a base chain on the forward hook
 * of a family that sees IPv4 or IPv6. */
static int on_chain(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFTA_CHAIN_MAX + 1] = { 0 };
	const struct nlattr *hook[NFTA_HOOK_MAX + 1] = { 0 };
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct chain_scan *scan = data;
	const char *fam = family_name(nfg->nfgen_family);

	if (!fam ||
	    mnl_attr_parse(nlh, sizeof(*nfg), nl_attr_cb,
			   &(struct nl_attrs){ tb, NFTA_CHAIN_MAX }) < 0 ||
	    !tb[NFTA_CHAIN_HOOK] || !tb[NFTA_CHAIN_TABLE] || !tb[NFTA_CHAIN_NAME] ||
	    mnl_attr_parse_nested(tb[NFTA_CHAIN_HOOK], nl_attr_cb,
				  &(struct nl_attrs){ hook, NFTA_HOOK_MAX }) < 0 ||
	    !hook[NFTA_HOOK_HOOKNUM] ||
	    ntohl(mnl_attr_get_u32(hook[NFTA_HOOK_HOOKNUM])) != NF_INET_FORWARD)
		return MNL_CB_OK;
	bypass_say(scan->said, "nftables chain %s %s %s hooks forward: frames forwarded by XDP never meet it%s",
		fam, mnl_attr_get_str(tb[NFTA_CHAIN_TABLE]),
		mnl_attr_get_str(tb[NFTA_CHAIN_NAME]),
		scan->kernel_path ? " (traffic of the config's kernel-path lines does)" :
		"; keep the traffic it filters on the kernel's path with 'kernel-path' lines (docs/CONFIG.md)");
	scan->warned++;
	return MNL_CB_OK;
}

/* Dumps every nftables chain (all families). Returns warnings, or -errno
 * when netfilter cannot be asked (no nf_tables: nothing to warn about). */
static int scan_nftables(struct chain_scan *scan)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned seq = time(NULL), port;
	int ret = -EIO;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	port = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETCHAIN;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_UNSPEC;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n <= 0)
			break;
		ret = mnl_cb_run(buf, n, seq, port, on_chain, scan);
		if (ret <= MNL_CB_STOP)
			break;
	}
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}

/* Legacy iptables keeps its tables out of nftables' sight. */
static void scan_iptables(struct chain_scan *scan)
{
	static const char *const files[] = { "/proc/net/ip_tables_names",
					     "/proc/net/ip6_tables_names" };
	char line[64];
	unsigned i;

	for (i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");

		while (f && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			if (strcmp(line, "filter") && strcmp(line, "mangle") &&
			    strcmp(line, "nat"))
				continue;
			bypass_say(scan->said, "%s table %s is loaded: its FORWARD rules never see frames forwarded by XDP; use 'kernel-path' lines for the traffic they must see",
				i ? "ip6tables" : "iptables", line);
			scan->warned++;
		}
		if (f)
			fclose(f);
	}
}

/* IPv6 may come: a nexthop of the config's, or routes from elsewhere. */
static int uses_ipv6(const struct ecmp_conf *conf)
{
	int i;

	if (conf->kernel_routes.enabled || conf->fpm.enabled)
		return 1;
	for (i = 0; i < conf->nnexthop; i++)
		if (conf->nexthop[i].family == ECMP_AF_INET6)
			return 1;
	return 0;
}

/*
 * A kernel that does not forward: XDP forwards all the same, but every
 * frame it passes to the kernel (TTL expiring, too big, no usable
 * nexthop: docs/TROUBLESHOOTING.md) is then dropped, with no ICMP answer
 * (no "time exceeded" for traceroute, no "fragmentation needed" for path
 * MTU discovery). IPv4 decides by the ingress interface's knob, IPv6 by
 * all's.
 */
static void scan_forwarding(const struct ecmp_conf *conf, struct chain_scan *scan)
{
	static const char fix[] = "frames ecmpd passes to the kernel (TTL expiring, too big, no usable nexthop) are dropped there without an ICMP answer";
	int i, v;

	for (i = 0; i < conf->niface; i++) {
		const struct conf_iface *c = &conf->iface[i];

		if (c->attach == ATTACH_TC_EGRESS ||
		    sysctl_net_conf("ipv4", c->name, "forwarding", &v) || v)
			continue;
		bypass_say(scan->said, "interface %s: IPv4 forwarding is off (net.ipv4.conf.%s.forwarding = 0), but XDP forwards its frames; %s: sysctl -w net.ipv4.conf.%s.forwarding=1",
			c->name, c->name, fix, c->name);
		scan->warned++;
	}
	if (uses_ipv6(conf) && !sysctl_net_conf("ipv6", "all", "forwarding", &v) && !v) {
		bypass_say(scan->said, "IPv6 forwarding is off (net.ipv6.conf.all.forwarding = 0), but XDP forwards IPv6 frames; %s: sysctl -w net.ipv6.conf.all.forwarding=1",
			fix);
		scan->warned++;
	}
}

int bypass_warn(const struct ecmp_conf *conf, struct bypass_said *said)
{
	struct chain_scan scan = { .said = said, .kernel_path = conf->npass > 0 };
	int i, all = 0;

	scan_nftables(&scan);
	scan_iptables(&scan);
	scan_forwarding(conf, &scan);
	sysctl_net_conf("ipv4", "all", "rp_filter", &all);
	for (i = 0; i < conf->niface; i++) {
		const struct conf_iface *c = &conf->iface[i];
		int v = 0;

		if (c->attach == ATTACH_TC_EGRESS || sysctl_net_conf("ipv4", c->name, "rp_filter", &v))
			continue;
		if ((v > all ? v : all) > 0) {
			bypass_say(scan.said, "interface %s: rp_filter is on (%d), but frames forwarded by XDP skip the reverse-path check",
				c->name, v > all ? v : all);
			scan.warned++;
		}
	}
	return scan.warned;
}

int bypass_said_before(const char *list, const char *text)
{
	size_t len = strlen(text);
	const char *p = list;

	while (p && (p = strstr(p, text))) {
		if ((p == list || p[-1] == '\n') && p[len] == '\n')
			return 1;
		p += len;
	}
	return 0;
}

void bypass_said_add(struct bypass_said *said, const char *text)
{
	size_t len = strlen(text);

	if (said->len + len + 2 > said->cap) {
		size_t cap = (said->cap + len + 2) * 2;
		char *grown = realloc(said->s, cap);

		if (!grown)
			return;
		said->s = grown;
		said->cap = cap;
	}
	memcpy(said->s + said->len, text, len);
	said->len += len;
	said->s[said->len++] = '\n';
	said->s[said->len] = 0;
}

void bypass_say(struct bypass_said *said, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pr_warn("%s", text);
	if (said)
		bypass_said_add(said, text);
}
