// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * One kernel route event applied alone (mirror.h): a routing daemon's
 * churn is mostly prefixes moving between nexthop sets the table already
 * has, and reading a million routes again for each would take seconds.
 * A patch is taken only when the event says everything about its prefix;
 * anything else is refused with -EAGAIN and the whole table is read, which
 * stays the reference: a patch must give what that read would.
 */
#include <errno.h>
#include <string.h>
#include <linux/netlink.h>

#include "mirror.h"

static struct mroute *slot_of(struct mirror *m, const struct lpm_route *k, int *idx)
{
	const struct lpm_route *hit = route_set_get(m->index, k);

	*idx = hit ? (int)hit->leaf : -1;
	return hit ? &m->cur.r[hit->leaf] : NULL;
}

static int set_index(const struct table *t, const struct mset *s)
{
	int i;

	for (i = 0; i < t->nset; i++)
		if (mirror_same_set(&t->set[i], s))
			return i;
	return -1;
}

int mirror_patch_plan(struct mirror *m, const struct conf_kernel_routes *k,
		      const struct nl_route *r, struct mirror_patch *p)
{
	static struct mset s;	/* 1.5 KiB; the main thread's alone */
	struct lpm_route key = { .family = r->family, .prefixlen = r->prefixlen };
	const struct mroute *x;
	enum mirror_skip skip;
	int idx;

	memset(p, 0, sizeof(*p));
	if (!m->index || !mirror_wants(k, r))
		return -EAGAIN;
	memcpy(key.addr, r->addr, 16);
	/* A prefix of the config file, or one zebra streams, or with routes
	 * of several metrics (the next best would take over) is not a
	 * one-event matter. */
	if (route_set_get(m->cfg, &key))
		return -EAGAIN;
	x = slot_of(m, &key, &idx);
	if (x && (x->source != MIRROR_SRC_KERNEL || x->others || x->metric != r->metric))
		return -EAGAIN;
	p->slot = idx;
	p->route.family = r->family;
	p->route.prefixlen = r->prefixlen;
	memcpy(p->route.addr, r->addr, 16);
	p->route.group = -1;
	p->metric = r->metric;
	p->set = -1;
	skip = mirror_route_set(k, &m->obj, r, &s);
	if (skip == MIRROR_OK) {
		s.source = MIRROR_SRC_KERNEL;
		p->set = set_index(&m->cur, &s);
		/* A set no group has yet is built by a read (its group may
		 * start from the table of the set it replaces). */
		if (p->set < 0 || m->gidx[p->set] < 0)
			return -EAGAIN;
		p->route.group = m->gidx[p->set];
	}
	p->skip = skip;
	if (r->deleted) {
		if (!x) {
			p->noop = 1;	/* never taken: nothing to undo */
			return 0;
		}
		/* IPv6 deletes one path of a multipath route by naming it
		 * alone: what remains is not in the message. */
		if (skip != x->skip || (skip == MIRROR_OK && p->set != x->set))
			return -EAGAIN;
		p->removed = 1;
		return 0;
	}
	/* An IPv4 append is a second route the kernel does not use; an
	 * IPv6 route added over an existing one (no NLM_F_REPLACE) adds a
	 * path to it: both need the table. */
	if (r->nlflags & NLM_F_APPEND)
		return -EAGAIN;
	if (x && !(r->nlflags & NLM_F_REPLACE))
		return -EAGAIN;
	p->added = !x;
	if (x && x->outcome == skip && (skip != MIRROR_OK || x->set == p->set))
		p->noop = 1;	/* replaced by the same */
	return 0;
}

static void count(struct mirror_stats *st, enum mirror_skip outcome, int n)
{
	st->routes += n;
	if (outcome == MIRROR_OK)
		st->mirrored += n;
	else
		st->skipped[outcome] += n;
}

/* Drops cur.r[idx] and its route in eff: the last of each takes its place. */
static int remove_slot(struct mirror *m, struct ecmp_conf *eff, int idx)
{
	struct mroute *x = &m->cur.r[idx];
	int last = m->cur.n - 1, e = x->eff, elast = eff->nroute - 1, moved;
	struct lpm_route k = { .family = x->family, .prefixlen = x->prefixlen };

	memcpy(k.addr, x->addr, 16);
	route_set_del(m->index, &k);
	if (e != elast) {
		/* Mirrored routes follow the file's in eff: the last one is a
		 * mirrored route, found by its prefix. */
		struct lpm_route ke = { .family = eff->route[elast].family,
					.prefixlen = eff->route[elast].prefixlen };
		struct mroute *y;

		memcpy(ke.addr, eff->route[elast].addr, 16);
		y = slot_of(m, &ke, &moved);
		if (!y)
			return -ENOENT;
		eff->route[e] = eff->route[elast];
		y->eff = e;
	}
	eff->nroute--;
	if (idx != last) {
		struct lpm_route kl = { .family = m->cur.r[last].family,
					.prefixlen = m->cur.r[last].prefixlen, .leaf = idx };

		memcpy(kl.addr, m->cur.r[last].addr, 16);
		m->cur.r[idx] = m->cur.r[last];
		if (route_set_put(m->index, &kl))
			return -ENOMEM;
	}
	m->cur.n--;
	return 0;
}

static int add_slot(struct mirror *m, struct ecmp_conf *eff, const struct mirror_patch *p)
{
	struct lpm_route k = { .family = p->route.family, .prefixlen = p->route.prefixlen,
			       .leaf = m->cur.n };
	struct conf_route *e;
	struct mroute *x;

	/* Half done on ENOMEM is fine: the caller then reads the table. */
	memcpy(k.addr, p->route.addr, 16);
	if (route_set_put(m->index, &k))
		return -ENOMEM;
	x = mirror_append(&m->cur.r, &m->cur.n, &m->cur.cap, sizeof(*x));
	e = x ? mirror_append(&eff->route, &eff->nroute, &eff->cap_route, sizeof(*e)) : NULL;
	if (!e)
		return -ENOMEM;
	x->family = p->route.family;
	x->prefixlen = p->route.prefixlen;
	memcpy(x->addr, p->route.addr, 16);
	x->source = MIRROR_SRC_KERNEL;
	x->eff = eff->nroute - 1;
	*e = p->route;
	return 0;
}

int mirror_patch_commit(struct mirror *m, struct ecmp_conf *eff,
			const struct mirror_patch *p)
{
	struct mroute *x;
	int ret;

	if (p->noop)
		return 0;
	if (p->removed) {
		count(&m->st, m->cur.r[p->slot].outcome, -1);
		ret = remove_slot(m, eff, p->slot);
		goto out;
	}
	if (p->added) {
		ret = add_slot(m, eff, p);
		if (ret)
			goto out;
		x = &m->cur.r[m->cur.n - 1];
	} else {
		x = &m->cur.r[p->slot];
		count(&m->st, x->outcome, -1);
		eff->route[x->eff] = p->route;
	}
	x->skip = x->outcome = p->skip;
	x->set = p->set;
	x->metric = p->metric;
	count(&m->st, p->skip, 1);
	ret = 0;
out:
	if (ret) {	/* the index no longer matches: reads only */
		route_set_free(m->index);
		m->index = NULL;
	}
	m->st.patches++;
	return ret;
}
