// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The router's own addresses, and their entries in the route table as
 * they come and go. An address inside a routed prefix takes a host entry
 * (ECMP_LPM_LOCAL) and, when a route covers its whole subnet, a subnet
 * entry (ECMP_LPM_CONNECTED): route.c's build_want() says which, for a
 * whole table. One address's event changes those two entries alone, as
 * that build would: a node adds service addresses by the thousand, and a
 * full table takes half a second to build and compare.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ecmp_martian.h"
#include "plane.h"
#include "lib/array.h"
#include "lib/log.h"
#include "lib/route_set.h"
#include "lib/text.h"

/* Orders addresses by family, then as numbers (network order compares
 * as bytes). */
static int addr_cmp(uint8_t family, const uint8_t *addr, const struct local_addr *a)
{
	return family != a->family ? (family < a->family ? -1 : 1) : memcmp(addr, a->addr, 16);
}

/* Orders the router's addresses: by address, then interface and prefix
 * length. One address may be on several interfaces (a router's loopback
 * address on its unnumbered links), or twice on one with two prefix
 * lengths (IPv4): each is one element, and the address is the router's
 * while one of them is there. */
static int local_cmp(const struct local_addr *k, const struct local_addr *a)
{
	int c = addr_cmp(k->family, k->addr, a);

	if (c)
		return c;
	if (k->ifindex != a->ifindex)
		return k->ifindex < a->ifindex ? -1 : 1;
	return k->prefixlen == a->prefixlen ? 0 : k->prefixlen < a->prefixlen ? -1 : 1;
}

/* The index of the first element of v[0..n) (sorted) at or after
 * (family, addr): its first on any interface. */
static int addr_pos(const struct local_addr *v, int n, uint8_t family, const uint8_t *addr)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (addr_cmp(family, addr, &v[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct local_addr local_of(const struct nl_addr *a)
{
	struct local_addr k = { .family = a->family, .prefixlen = a->prefixlen,
				.ifindex = a->ifindex };

	memcpy(k.addr, a->addr, 16);
	return k;
}

/* a added to or removed from the sorted set *v (n of cap): 1 when that
 * changed it, 0 when it held a so already, -ENOMEM. *at: where a is (or
 * was). */
static int addr_set_change(struct local_addr **v, int *n, int *cap, const struct nl_addr *a,
			   int *at)
{
	struct local_addr k = local_of(a), *l;
	int i = addr_pos(*v, *n, a->family, a->addr), known;

	while (i < *n && local_cmp(&k, &(*v)[i]) > 0)
		i++;	/* past the address's other interfaces: a few */
	known = i < *n && !local_cmp(&k, &(*v)[i]);
	*at = i;
	if (a->deleted) {
		if (!known)
			return 0;
		memmove(&(*v)[i], &(*v)[i + 1], (--*n - i) * sizeof(*l));
		return 1;
	}
	if (known)
		return 0;
	if (*n == *cap && array_reserve(v, cap, 2 * *n + 64, sizeof(*l)))
		return -ENOMEM;
	l = &(*v)[i];
	memmove(l + 1, l, (*n - i) * sizeof(*l));
	(*n)++;
	*l = k;
	return 1;
}

/* The first address at or after the prefix's start is at or before its
 * end. */
int route_holds_local(const struct plane *p, uint8_t family, const uint8_t *addr,
		      uint8_t prefixlen)
{
	int bits = family == ECMP_AF_INET ? 32 : 128, i, b;
	uint8_t last[16];

	i = addr_pos(p->local, p->nlocal, family, addr);
	if (i == p->nlocal || p->local[i].family != family)
		return 0;
	memcpy(last, addr, 16);
	for (b = prefixlen; b < bits; b++)
		last[b / 8] |= 0x80 >> (b % 8);
	return memcmp(p->local[i].addr, last, 16) <= 0;
}

/* The shortest length at which the trie has an entry covering the
 * address, or -1. Each such entry is a config route, or the subnet entry
 * of another address, which a config route as short covers (build_want()
 * adds no other), so this is the config's shortest route over it. */
static int covered_from(const struct plane *p, uint8_t family, const uint8_t *addr)
{
	int bits = family == ECMP_AF_INET ? 32 : 128, len;
	struct lpm_route cur;

	for (len = 0; len <= bits; len++)
		if (!lpm_get(p->lpm, family, addr, len, &cur))
			return len;
	return -1;
}

/* Whether an element of p->local other than p->local[self] (self -1:
 * none) has the subnet s: the entry is shared, and stays while one does. */
static int subnet_shared(const struct plane *p, const struct lpm_route *s, int self)
{
	int bits = s->family == ECMP_AF_INET ? 32 : 128, i;

	for (i = addr_pos(p->local, p->nlocal, s->family, s->addr); i < p->nlocal; i++) {
		const struct local_addr *b = &p->local[i];

		if (!lpm_inside(b->family, b->addr, bits, s->family, s->addr, s->prefixlen))
			break;
		if (b->prefixlen == s->prefixlen && i != self)
			return 1;
	}
	return 0;
}

/* Whether the address is on another interface too (or with another
 * prefix length), an element other than self: its host entry is shared. */
static int host_shared(const struct plane *p, const struct lpm_route *h, int self)
{
	int i;

	for (i = addr_pos(p->local, p->nlocal, h->family, h->addr);
	     i < p->nlocal && !addr_cmp(h->family, h->addr, &p->local[i]); i++)
		if (i != self)
			return 1;
	return 0;
}

/* An address's entry e set. What the trie holds there already is a config
 * route of that prefix (no other address's entry has it): kept in
 * p->under, unless already there, for when the address goes. A subnet
 * entry leaves a config route that goes to the kernel (group -1) as it
 * is; a host entry takes the prefix whatever the route. */
static int entry_take(struct plane *p, const struct lpm_route *e)
{
	struct lpm_route cur;

	if (lpm_get(p->lpm, e->family, e->addr, e->prefixlen, &cur))
		return route_write(p, e, 0);
	if (!route_set_get(p->under, &cur) && route_set_put(p->under, &cur))
		return -ENOMEM;
	if (cur.leaf == e->leaf || (e->leaf == ECMP_LPM_CONNECTED && cur.leaf == ECMP_LPM_LOCAL))
		return 0;
	return route_write(p, e, 0);
}

/* An address's entry e given back to the config route it overrode, or
 * removed. None there: the address was outside every route. */
static int entry_give_back(struct plane *p, const struct lpm_route *e)
{
	const struct lpm_route *u;
	struct lpm_route cur;
	int ret;

	if (lpm_get(p->lpm, e->family, e->addr, e->prefixlen, &cur))
		return 0;
	u = route_set_get(p->under, e);
	if (!u)
		return route_write(p, e, 1);
	cur = *u;
	ret = route_write(p, &cur, 0);
	if (!ret)
		route_set_del(p->under, &cur);
	return ret;
}

/* The entries of address a (already added to p->local, at self, or
 * removed from it: self -1) changed alone. 0, or -EAGAIN and friends:
 * build the whole table. The host entry comes first, so the address is
 * the router's as soon as it can be. */
static int addr_patch(struct plane *p, const struct nl_addr *a, int self)
{
	int bits = a->family == ECMP_AF_INET ? 32 : 128, from, ret;
	struct lpm_route h = { .family = a->family, .prefixlen = bits,
			       .leaf = ECMP_LPM_LOCAL };
	struct lpm_route s = { .family = a->family, .prefixlen = a->prefixlen,
			       .leaf = ECMP_LPM_CONNECTED };
	int subnet, host;

	if (!p->lpm || !p->under)
		return -EAGAIN;
	memcpy(h.addr, a->addr, 16);
	memcpy(s.addr, a->addr, 16);
	lpm_mask(s.addr, s.family, s.prefixlen);
	subnet = s.prefixlen < bits && !subnet_shared(p, &s, self);
	host = !host_shared(p, &h, self);
	if (a->deleted) {
		ret = host ? entry_give_back(p, &h) : 0;
		return ret || !subnet ? ret : entry_give_back(p, &s);
	}
	from = covered_from(p, a->family, a->addr);
	if (from < 0)
		return 0;
	ret = host ? entry_take(p, &h) : 0;
	return ret || !subnet || from > s.prefixlen ? ret : entry_take(p, &s);
}

int route_on_addr(struct plane *p, const struct nl_addr *a,
		  const struct ecmp_conf *conf)
{
	char err[256];
	uint32_t w[4];
	int martian, ret, at;

	/* No frame to it is ever forwarded (ecmp_martian.h): it needs no
	 * entry, and the rebuild it would cost comes with every pod veth's
	 * fe80:: address. Kept apart, to tell news (a gateway may be
	 * reachable through it now) from a dump's repeat. */
	memcpy(w, a->addr, sizeof(w));
	martian = a->family == ECMP_AF_INET ? ecmp_ipv4_martian(a->addr) : ecmp_ipv6_martian(w);
	ret = martian ? addr_set_change(&p->unrouted, &p->nunrouted, &p->unrouted_cap, a, &at) :
			addr_set_change(&p->local, &p->nlocal, &p->local_cap, a, &at);
	if (ret == -ENOMEM) {
		char s[INET6_ADDRSTRLEN];

		text_addr(a->family, a->addr, s, sizeof(s));
		pr_warn("Out of memory keeping local address %s%s", s,
			martian ? "" : ": inside a routed prefix, frames to it are forwarded, not delivered");
		return 0;
	}
	if (ret <= 0 || martian)
		return ret;
	/* Outside every routed prefix an address takes no entry, and has
	 * none to remove (a removed one's own entry is still there to be
	 * found): one walk says so. */
	if (conf && p->dp.root &&
	    lpm_walk(p->dp.root, p->dp.node, p->dp.max_entries[DP_LPM_NODE], a->family,
		     a->addr) == ECMP_LPM_NONE)
		return 1;
	if (!conf)
		return 1;
	if (!addr_patch(p, a, a->deleted ? -1 : at)) {
		p->addr_patches++;
		return 1;
	}
	p->addr_rebuilds++;
	if (route_sync(p, conf, 0, err, sizeof(err)))
		pr_warn("Failed to update local routes: %s", err);
	return 1;
}
