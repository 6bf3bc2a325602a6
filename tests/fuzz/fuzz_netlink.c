// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: rtnetlink messages as ecmpd parses them (links,
 * neighbours, addresses, routes, nexthop objects, policy rules) and IPsec policies as
 * xfrm_policies.c parses and words them. Whatever the kernel, or a fuzzer, hands over:
 * no crash, no read past the buffer, and what reaches the handlers is
 * well formed (a known family, a terminated name).
 */
#include <assert.h>
#include <string.h>
#include <linux/netlink.h>

#include "ecmp_shared.h"
#include "ecmpd/netlink.h"
#include "ecmpd/xfrm_policies.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_link(void *ctx, const struct nl_link *l)
{
	assert(memchr(l->name, 0, sizeof(l->name)));
}

static void on_neigh(void *ctx, const struct nl_neigh *n)
{
	assert(n->family == ECMP_AF_INET || n->family == ECMP_AF_INET6);
}

static void on_addr(void *ctx, const struct nl_addr *a)
{
	assert(a->family == ECMP_AF_INET || a->family == ECMP_AF_INET6);
}

static void on_route(void *ctx, const struct nl_route *r)
{
	int i;

	assert(r->family == ECMP_AF_INET || r->family == ECMP_AF_INET6);
	assert(r->prefixlen <= (r->family == ECMP_AF_INET ? 32 : 128));
	assert(r->nnh >= 0 && r->nnh <= NL_ROUTE_MAX_NH);
	for (i = 0; i < r->nnh; i++)
		assert((r->nh[i].family == 0 || r->nh[i].family == ECMP_AF_INET ||
			r->nh[i].family == ECMP_AF_INET6) && r->nh[i].weight >= 1);
}

static void on_nexthop(void *ctx, const struct nl_nexthop *n)
{
	int i;

	assert(n->family == 0 || n->family == ECMP_AF_INET || n->family == ECMP_AF_INET6);
	assert(n->ngroup >= 0 && n->ngroup <= NL_ROUTE_MAX_NH);
	for (i = 0; i < n->ngroup; i++)
		assert(n->group[i].weight >= 1 && n->group[i].weight <= 65536);
}

static void on_rule(void *ctx, const struct nl_rule *r)
{
	assert(r->family == ECMP_AF_INET || r->family == ECMP_AF_INET6);
	assert(r->src_len <= (r->family == ECMP_AF_INET ? 32 : 128));
	assert(r->dst_len <= (r->family == ECMP_AF_INET ? 32 : 128));
	assert(memchr(r->iif, 0, sizeof(r->iif)) && memchr(r->oif, 0, sizeof(r->oif)));
}

/* The same bytes as NETLINK_XFRM messages, framed as nl_parse frames
 * them: whatever parses is worded, and the words are a string. */
static void xfrm_each(const uint8_t *buf, size_t len)
{
	static const struct ecmp_conf conf;
	size_t off, l;

	for (off = 0; off + sizeof(struct nlmsghdr) <= len; off += NLMSG_ALIGN(l)) {
		const struct nlmsghdr *nlh = (const void *)(buf + off);
		struct xfrm_pol p;
		char msg[768];

		l = nlh->nlmsg_len;
		if (l < sizeof(*nlh) || l > len - off)
			break;
		if (xfrm_pol_parse(nlh, &p))
			continue;
		assert(p.sel.family == 0 || p.sel.family == ECMP_AF_INET ||
		       p.sel.family == ECMP_AF_INET6);
		assert(p.sel.src_len <= (p.sel.family == ECMP_AF_INET6 ? 128 : 32));
		if (xfrm_pol_check(&p, &conf, msg, sizeof(msg)))
			assert(memchr(msg, 0, sizeof(msg)) && msg[0]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[65536] __attribute__((aligned(8)));
	struct nl_handlers h = { on_link, on_neigh, on_addr, NULL, on_route, on_nexthop,
				 on_rule };
	struct nl nl = { 0 };

	/* The kernel hands netlink buffers over aligned. */
	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	nl_parse(&nl, buf, size, &h);
	xfrm_each(buf, size);
	return 0;
}
