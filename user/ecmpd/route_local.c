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

/* IPv4 sorts first in both sets: a scan of the IPv4 part, which is
 * what an IPv4 address's removal costs anyway. */
static int ipv4_on(const struct local_addr *v, int n, int ifindex)
{
	int i;

	for (i = 0; i < n && v[i].family == ECMP_AF_INET; i++)
		if (v[i].ifindex == ifindex)
			return 1;
	return 0;
}

int route_iface_has_ipv4(const struct plane *p, int ifindex)
{
	return ipv4_on(p->local, p->nlocal, ifindex) ||
	       ipv4_on(p->unrouted, p->nunrouted, ifindex);
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

/* The subnet and host entries of element a (their prefixes). */
static struct lpm_route subnet_of(const struct local_addr *a)
{
	struct lpm_route s = { .family = a->family, .prefixlen = a->prefixlen,
			       .leaf = ECMP_LPM_CONNECTED };

	memcpy(s.addr, a->addr, 16);
	lpm_mask(s.addr, s.family, s.prefixlen);
	return s;
}

static struct lpm_route host_of(const struct local_addr *a)
{
	struct lpm_route h = { .family = a->family, .leaf = ECMP_LPM_LOCAL,
			       .prefixlen = a->family == ECMP_AF_INET ? 32 : 128 };

	memcpy(h.addr, a->addr, 16);
	return h;
}

/* p->subnets counts the elements of p->local with each subnet (shorter
 * than a host prefix). Out of memory, the count is dropped, and patches
 * wait for the next whole build to make it again. */
static void subnet_note(struct plane *p, const struct local_addr *a, int delta)
{
	struct lpm_route s = subnet_of(a);
	const struct lpm_route *c;
	int err;

	if (!p->subnets || s.prefixlen == host_of(a).prefixlen)
		return;
	c = route_set_get(p->subnets, &s);
	s.leaf = (c ? c->leaf : 0) + delta;
	err = s.leaf ? route_set_put(p->subnets, &s) : c ? route_set_del(p->subnets, &s) : 0;
	if (err) {
		route_set_free(p->subnets);
		p->subnets = NULL;
	}
}

void route_local_reindex(struct plane *p)
{
	int i;

	if (!p->subnets)
		p->subnets = route_set_new();
	if (p->subnets)
		route_set_clear(p->subnets);
	for (i = 0; i < p->nlocal; i++)
		subnet_note(p, &p->local[i], 1);
}

/* Whether the prefix q is the subnet or host prefix of an element of
 * p->local other than p->local[self] (self -1: none): an address's own
 * entry, which a config route of that prefix only lies under. */
static int addr_entry(const struct plane *p, const struct lpm_route *q, int self)
{
	int bits = q->family == ECMP_AF_INET ? 32 : 128, i;
	const struct lpm_route *c;
	struct lpm_route mine;

	if (q->prefixlen == bits) {
		for (i = addr_pos(p->local, p->nlocal, q->family, q->addr);
		     i < p->nlocal && !addr_cmp(q->family, q->addr, &p->local[i]); i++)
			if (i != self)
				return 1;
		return 0;
	}
	c = route_set_get(p->subnets, q);
	if (!c)
		return 0;
	if (self < 0)
		return 1;
	mine = subnet_of(&p->local[self]);
	return c->leaf > (uint32_t)(mine.prefixlen == q->prefixlen &&
				    !memcmp(mine.addr, q->addr, 16));
}

/* The shortest config route over the address (its length), or -1: the
 * config routes under the addresses' own entries, and the trie's entries
 * covering it less those own entries (other than self's, not taken yet). */
static int covered_from(const struct plane *p, uint8_t family, const uint8_t *addr, int self)
{
	int bits = family == ECMP_AF_INET ? 32 : 128, len;
	struct lpm_route q = { .family = family }, cur;

	for (len = 0; len <= bits; len++) {
		memcpy(q.addr, addr, 16);
		lpm_mask(q.addr, family, len);
		q.prefixlen = len;
		if (route_set_get(p->under, &q) ||
		    (!lpm_get(p->lpm, family, addr, len, &cur) && !addr_entry(p, &q, self)))
			return len;
	}
	return -1;
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
 * removed (none there: the address was outside every route). */
static int entry_give_back(struct plane *p, const struct lpm_route *e)
{
	const struct lpm_route *u = route_set_get(p->under, e);
	struct lpm_route cur;
	int ret;

	if (!u)
		return lpm_get(p->lpm, e->family, e->addr, e->prefixlen, &cur) ? 0 :
		       route_write(p, e, 1);
	cur = *u;
	ret = route_write(p, &cur, 0);
	if (!ret)
		route_set_del(p->under, &cur);
	return ret;
}

/* The entries of address a (already added to p->local, at self, or
 * removed from it: self -1) changed alone. 0, or -EAGAIN and friends:
 * build the whole table. The host entry comes first, so the address is
 * the router's as soon as it can be. An entry another element shares
 * (the subnet of two addresses, an address on two interfaces) stays as
 * it is. */
static int addr_patch(struct plane *p, const struct nl_addr *a, int self)
{
	struct local_addr l = local_of(a);
	struct lpm_route h = host_of(&l), s = subnet_of(&l);
	int subnet, host, from, ret;

	if (!p->lpm || !p->under || !p->subnets)
		return -EAGAIN;
	subnet = s.prefixlen < h.prefixlen && !addr_entry(p, &s, self);
	host = !addr_entry(p, &h, self);
	if (a->deleted) {
		ret = host ? entry_give_back(p, &h) : 0;
		return ret || !subnet ? ret : entry_give_back(p, &s);
	}
	from = covered_from(p, a->family, a->addr, self);
	if (from < 0)
		return 0;
	ret = host ? entry_take(p, &h) : 0;
	return ret || !subnet || from > s.prefixlen ? ret : entry_take(p, &s);
}

/* An address's entry e there or not (want), as the routes over it say
 * now. What the trie holds there is the address's own: a config route of
 * that prefix would cover the address, and lies under the entry. */
static int entry_want(struct plane *p, const struct lpm_route *e, int want)
{
	struct lpm_route cur;
	int have = !lpm_get(p->lpm, e->family, e->addr, e->prefixlen, &cur);

	return want == have ? 0 : route_write(p, e, !want);
}

/* The entries of the addresses inside r, as the routes over them say now
 * (with r, when it is coming: add it). */
static int resync_inside(struct plane *p, const struct lpm_route *r, int add)
{
	int bits = r->family == ECMP_AF_INET ? 32 : 128, ret = 0, i;

	for (i = addr_pos(p->local, p->nlocal, r->family, r->addr); !ret && i < p->nlocal; i++) {
		const struct local_addr *a = &p->local[i];
		struct lpm_route h = host_of(a), s = subnet_of(a);
		int from;

		if (!lpm_inside(a->family, a->addr, bits, r->family, r->addr, r->prefixlen))
			break;
		from = covered_from(p, a->family, a->addr, -1);
		if (add && (from < 0 || r->prefixlen < from))
			from = r->prefixlen;
		ret = entry_want(p, &h, from >= 0);
		if (!ret && s.prefixlen < bits)
			ret = entry_want(p, &s, from >= 0 && from <= s.prefixlen);
	}
	return ret;
}

/* A route come covers the addresses inside it: their entries go in
 * first. A route gone: theirs go after it. Either way a frame to an
 * address is never forwarded meanwhile, and a patch that stops part way
 * (no room: a whole read follows) leaves no address forwarded. A route's
 * leaf changed covers the same addresses. */
int route_patch_local(struct plane *p, const struct lpm_route *r, int remove)
{
	struct lpm_route cur;
	int own, had, ret;

	if (!p->lpm || !p->under || !p->subnets)
		return -EAGAIN;
	/* Exactly an address's entry: it stays on top, and what it gives
	 * back when the address goes changes. */
	own = addr_entry(p, r, -1);
	had = own ? route_set_get(p->under, r) != NULL :
		    !lpm_get(p->lpm, r->family, r->addr, r->prefixlen, &cur);
	if (!remove && !had) {
		ret = resync_inside(p, r, 1);
		if (ret)
			return ret;
	}
	if (own)
		ret = remove ? (had ? route_set_del(p->under, r) : 0) : route_set_put(p->under, r);
	else
		ret = route_write(p, r, remove);
	return ret || !remove || !had ? ret : resync_inside(p, r, 0);
}

int route_on_addr(struct plane *p, const struct nl_addr *a,
		  const struct ecmp_conf *conf)
{
	char err[256];
	uint32_t w[4];
	struct local_addr l;
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
	l = local_of(a);
	subnet_note(p, &l, a->deleted ? -1 : 1);
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
