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
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "ecmp_martian.h"
#include "mirror.h"
#include "lib/lpm.h"

static struct mroute *slot_of(struct mirror *m, const struct lpm_route *k, int *idx)
{
	uint32_t pos;

	if (!pos_index_get(m->index, k, mirror_same_key, &m->cur, &pos)) {
		*idx = -1;
		return NULL;
	}
	*idx = pos;
	return &m->cur.r[pos];
}

static int set_index(const struct table *t, const struct mset *s)
{
	int i;

	for (i = 0; i < t->nset; i++)
		if (mirror_same_set(&t->set[i], s))
			return i;
	return -1;
}

/* The paths of set a that del does not name (by gateway and device:
 * a deletion's weights are not the route's), into out, in a's order.
 * Their number, or -1 when del names a path a does not have. */
static int set_without(const struct mset *a, const struct mset *del, struct mset *out)
{
	static struct mset rest;	/* out may be del */
	int i, j, hit = 0;

	rest = *a;
	rest.n = 0;
	for (i = 0; i < a->n; i++) {
		const struct mnh *h = &a->nh[i];

		for (j = 0; j < del->n; j++)
			if (h->family == del->nh[j].family && h->ifindex == del->nh[j].ifindex &&
			    !memcmp(h->via, del->nh[j].via, 16))
				break;
		if (j < del->n)
			hit++;
		else
			rest.nh[rest.n++] = *h;
	}
	if (hit != del->n)
		return -1;
	/* One path left: the kernel dumps a route of one path without its
	 * weight, so a read would name it weight 1, and so does the patch. */
	if (rest.n == 1)
		rest.nh[0].weight = 1;
	*out = rest;
	return rest.n;
}

/*
 * A prefix no frame is looked up by (ecmp_martian.h) that has routes on
 * several links, as the fe80::/64 every IPv6 link adds when it comes up
 * (a pod's veth, a port brought up): a route of it like the one the table
 * shows (the kernel's, left to the kernel, the same metric and protocol)
 * coming or going, while another stays, changes only how many the prefix
 * has (the table may show a metric that went with it until the next
 * read: nothing forwards by it). 1 with p a no-op saying so; 0 when the
 * event needs more (a read). addr: the prefix, masked.
 */
static int martian_one_more_or_less(const struct conf_kernel_routes *k,
				    const struct objects *objs, const struct nl_route *r,
				    const struct mroute *x, const uint8_t *addr,
				    struct mirror_patch *p)
{
	static struct mset s;	/* 1.5 KiB; the main thread's alone */

	if (!k || x->source != MIRROR_SRC_KERNEL || x->skip == MIRROR_OK ||
	    !ecmp_prefix_martian(r->family, addr, r->prefixlen) ||
	    x->metric != r->metric || x->protocol != r->protocol ||
	    (r->deleted && !x->others) || mirror_route_set(k, objs, r, &s) != x->skip)
		return 0;
	p->noop = 1;
	p->protocol = r->protocol;	/* what a no-op's commit keeps */
	p->others_delta = r->deleted ? -1 : (r->nlflags & NLM_F_REPLACE) ? 0 : 1;
	return 1;
}

/* k, objs: the kernel's protocols and objects, or NULL and zebra's. */
static int plan(struct mirror *m, enum mirror_source src, const struct conf_kernel_routes *k,
		const struct objects *objs, const struct nl_route *r, struct mirror_patch *p)
{
	static struct mset s;	/* 1.5 KiB; the main thread's alone */
	struct lpm_route key = { .family = r->family, .prefixlen = r->prefixlen };
	const struct mroute *x;
	enum mirror_skip skip;
	int idx, deleted = r->deleted, v6_paths;

	memset(p, 0, sizeof(*p));
	p->source = src;
	if (!m->index)
		return -EAGAIN;
	memcpy(key.addr, r->addr, 16);
	lpm_mask(key.addr, key.family, key.prefixlen);
	/* A prefix of the config file, or the other source's, or with routes
	 * of several metrics (the next best would take over) is not a
	 * one-event matter. zebra's stream says a prefix is gone by naming
	 * nothing more of it (fpm_table_route), whatever its metric was. */
	if (route_set_get(m->cfg, &key))
		return -EAGAIN;
	x = slot_of(m, &key, &idx);
	/* A route selecting by TOS or source, coming, going or standing
	 * beside others of its prefix (mirror.c, route_cmp): the table. */
	if (r->tos || r->src_len || (x && x->skip == MIRROR_SKIP_SELECTOR))
		return -EAGAIN;
	if (x && martian_one_more_or_less(k, objs, r, x, key.addr, p)) {
		p->slot = idx;
		return 0;
	}
	if (x && (x->source != src || x->others ||
		  (x->metric != r->metric && !(src == MIRROR_SRC_FPM && r->deleted))))
		return -EAGAIN;
	p->slot = idx;
	p->route.family = r->family;
	p->route.prefixlen = r->prefixlen;
	memcpy(p->route.addr, key.addr, 16);
	p->route.group = -1;
	p->metric = r->metric;
	p->protocol = r->protocol;
	p->nh_id = r->nh_id;
	p->set = -1;
	if (src == MIRROR_SRC_FPM && r->deleted) {
		p->noop = !x;
		p->removed = !!x;
		return 0;
	}
	skip = mirror_route_set(k, objs, r, &s);
	/* The kernel's IPv6 multipath routes are edited path by path, and
	 * its messages say so: a route added over one of the same metric
	 * joins it as a path (`ip -6 route append`, or a create without
	 * NLM_F_EXCL), and the message lists every path the route has now;
	 * a path deleted is named alone, and the route's others stay. */
	v6_paths = src == MIRROR_SRC_KERNEL && r->family == ECMP_AF_INET6 && !r->nh_id && x &&
		   skip == MIRROR_OK && x->skip == MIRROR_OK;
	if (v6_paths && deleted) {
		int left = set_without(&m->cur.set[x->set], &s, &s);

		if (left < 0)
			return -EAGAIN;	/* a path the mirror did not take (dead) */
		if (!left)
			s = m->cur.set[x->set];	/* every path: the route goes */
		else
			deleted = 0;	/* the route, with the paths left */
	}
	if (skip == MIRROR_OK) {
		s.source = src;
		p->set = set_index(&m->cur, &s);
		if (p->set >= 0 && m->gidx[p->set] >= 0) {
			p->route.group = m->gidx[p->set];
		} else {
			/* A set without a group (a path withdrawn or added):
			 * mirror_patch_group() makes it. Not for a set whose
			 * device is gone (-2), nor on a delete, which names
			 * the set the prefix had. */
			if (deleted || (p->set >= 0 && m->gidx[p->set] != -1))
				return -EAGAIN;
			p->new_group = 1;
			if (p->set < 0)
				m->pending = s;
		}
	}
	p->skip = skip;
	if (deleted) {
		if (!x) {
			p->noop = 1;	/* never taken: nothing to undo */
			return 0;
		}
		if (skip != x->skip || (skip == MIRROR_OK && p->set != x->set))
			return -EAGAIN;
		p->removed = 1;
		return 0;
	}
	/* An IPv4 append is a second route the kernel does not use, and a
	 * route added over another of the same metric (no NLM_F_REPLACE)
	 * that is not an IPv6 path of it may be one too: both need the
	 * table. */
	if (!v6_paths && (r->nlflags & NLM_F_APPEND))
		return -EAGAIN;
	if (!v6_paths && x && !(r->nlflags & NLM_F_REPLACE))
		return -EAGAIN;
	p->added = !x;
	if (x && x->outcome == skip && (skip != MIRROR_OK || x->set == p->set))
		p->noop = 1;	/* replaced by the same */
	return 0;
}

int mirror_patch_plan(struct mirror *m, const struct conf_kernel_routes *k,
		      const struct nl_route *r, struct mirror_patch *p)
{
	if (!mirror_wants(k, r)) {
		memset(p, 0, sizeof(*p));
		return -EAGAIN;
	}
	return plan(m, MIRROR_SRC_KERNEL, k, &m->obj, r, p);
}

int mirror_patch_plan_fpm(struct mirror *m, const struct nl_route *r, struct mirror_patch *p)
{
	mirror_fpm_objects_sort(m);
	return plan(m, MIRROR_SRC_FPM, NULL, &m->fpm_obj, r, p);
}

int mirror_patch_plan_gone(struct mirror *m, const struct lpm_route *k, struct mirror_patch *p)
{
	const struct mroute *x;
	int idx;

	memset(p, 0, sizeof(*p));
	p->source = MIRROR_SRC_KERNEL;
	if (!m->index || route_set_get(m->cfg, k))
		return -EAGAIN;
	x = slot_of(m, k, &idx);
	if (!x) {
		p->noop = 1;
		return 0;
	}
	if (x->source != MIRROR_SRC_KERNEL || x->others)
		return -EAGAIN;
	p->slot = idx;
	p->route.family = x->family;
	p->route.prefixlen = x->prefixlen;
	memcpy(p->route.addr, x->addr, 16);
	p->route.group = x->outcome == MIRROR_OK ? m->gidx[x->set] : -1;
	p->skip = x->skip;
	p->metric = x->metric;
	p->protocol = x->protocol;
	p->nh_id = x->nh_id;
	p->set = x->set;
	p->removed = 1;
	return 0;
}

static void count(struct mirror_stats *st, const struct mroute *x, enum mirror_skip outcome,
		  int n)
{
	st->routes += n;
	if (outcome == MIRROR_OK)
		st->mirrored += n;
	else
		st->skipped[outcome] += n;
	if (x->source == MIRROR_SRC_FPM) {
		st->fpm_routes += n;
		st->fpm_mirrored += outcome == MIRROR_OK ? n : 0;
	}
}

/* Drops cur.r[idx] and its route in eff: the last of each takes its place. */
static int remove_slot(struct mirror *m, struct ecmp_conf *eff, int idx)
{
	struct mroute *x = &m->cur.r[idx];
	int last = m->cur.n - 1, e = x->eff, elast = eff->nroute - 1, moved;
	struct lpm_route k = { .family = x->family, .prefixlen = x->prefixlen };

	memcpy(k.addr, x->addr, 16);
	pos_index_del(m->index, &k, mirror_same_key, &m->cur);
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
					.prefixlen = m->cur.r[last].prefixlen };

		memcpy(kl.addr, m->cur.r[last].addr, 16);
		m->cur.r[idx] = m->cur.r[last];
		/* Found at last (still in cur), moved to idx. */
		if (pos_index_put(m->index, &kl, idx, mirror_same_key, &m->cur))
			return -ENOMEM;
	}
	m->cur.n--;
	return 0;
}

static int add_slot(struct mirror *m, struct ecmp_conf *eff, const struct mirror_patch *p)
{
	struct lpm_route k = { .family = p->route.family, .prefixlen = p->route.prefixlen };
	struct conf_route *e;
	struct mroute *x;

	/* Half done on ENOMEM is fine: the caller then reads the table. */
	memcpy(k.addr, p->route.addr, 16);
	if (pos_index_put(m->index, &k, m->cur.n, mirror_same_key, &m->cur))
		return -ENOMEM;
	x = mirror_append(&m->cur.r, &m->cur.n, &m->cur.cap, sizeof(*x));
	e = x ? mirror_append(&eff->route, &eff->nroute, &eff->cap_route, sizeof(*e)) : NULL;
	if (!e)
		return -ENOMEM;
	x->family = p->route.family;
	x->prefixlen = p->route.prefixlen;
	memcpy(x->addr, p->route.addr, 16);
	x->source = p->source;
	x->eff = eff->nroute - 1;
	*e = p->route;
	return 0;
}

/* A route leaves its set: when it was the set's last, the set's group is
 * unused (mirror_drop_unused). */
static void leave_set(struct mirror *m, const struct mroute *x)
{
	if (x->outcome == MIRROR_OK && --m->nref[x->set] == 0 && m->gidx[x->set] >= 0)
		m->nempty++;
}

/* The patch's set and its new group, in cur and gidx: the set's index,
 * or -ENOMEM. */
static int add_set(struct mirror *m, const struct mirror_patch *p)
{
	int set = p->set;

	if (set < 0) {
		struct mset *s = mirror_append(&m->cur.set, &m->cur.nset, &m->cur.capset,
					       sizeof(*s));
		int *g = s ? realloc(m->gidx, sizeof(int) * m->cur.nset) : NULL;
		int *r = g ? realloc(m->nref, sizeof(int) * m->cur.nset) : NULL;

		if (g)
			m->gidx = g;
		if (r)
			m->nref = r;
		if (!r) {
			if (s)
				m->cur.nset--;
			return -ENOMEM;
		}
		*s = m->pending;
		set = m->cur.nset - 1;
		m->nref[set] = 0;
	}
	m->gidx[set] = p->route.group;
	m->st.groups++;
	return set;
}

int mirror_patch_commit(struct mirror *m, struct ecmp_conf *eff,
			const struct mirror_patch *p)
{
	struct mroute *x;
	int ret, set = p->set;

	if (p->noop) {
		/* The same paths, perhaps from another protocol now. */
		if (p->slot >= 0 && !p->removed)
			m->cur.r[p->slot].protocol = p->protocol;
		/* One route more or less of a martian prefix; past UINT8_MAX
		 * the count stays "many" until a read counts again. */
		if (p->slot >= 0 && p->others_delta) {
			x = &m->cur.r[p->slot];
			if (x->others < UINT8_MAX)
				x->others += p->others_delta;
		}
		return 0;
	}
	if (p->new_group) {
		set = add_set(m, p);
		if (set < 0) {
			ret = set;
			goto out;
		}
	}
	if (p->slot >= 0)
		leave_set(m, &m->cur.r[p->slot]);
	if (p->removed) {
		count(&m->st, &m->cur.r[p->slot], m->cur.r[p->slot].outcome, -1);
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
		count(&m->st, x, x->outcome, -1);
		eff->route[x->eff] = p->route;
	}
	x->skip = x->outcome = p->skip;
	x->set = set;
	x->metric = p->metric;
	x->protocol = p->protocol;
	x->nh_id = p->nh_id;
	if (p->skip == MIRROR_OK)
		m->nref[set]++;
	count(&m->st, x, p->skip, 1);
	ret = 0;
out:
	if (ret) {	/* the index no longer matches: reads only */
		pos_index_free(m->index);
		m->index = NULL;
	}
	m->st.patches++;
	m->st.fpm_patches += p->source == MIRROR_SRC_FPM;
	return ret;
}

/* (mirror.h) Groups of sets without routes out of eff, then the mirrored
 * nexthops no group names: each array compacted in one pass, and what
 * points into it renumbered in one pass (a full table's routes are a
 * million). */
int mirror_drop_unused(struct mirror *m, struct ecmp_conf *eff)
{
	int *gmap = NULL, *nmap = NULL, i, k, n, ret = 0;
	uint8_t *named = NULL;

	if ((!m->nempty && !m->nh_loose) || !m->index)
		return 0;
	gmap = malloc(sizeof(int) * (eff->ngroup ? eff->ngroup : 1));
	nmap = malloc(sizeof(int) * (eff->nnexthop ? eff->nnexthop : 1));
	named = calloc(eff->nnexthop ? eff->nnexthop : 1, 1);
	if (!gmap || !nmap || !named)
		goto out;	/* kept until there is memory, or a read */
	for (i = 0; i < eff->ngroup; i++)
		gmap[i] = i;
	for (i = 0; m->nempty && i < m->cur.nset; i++)
		if (m->gidx[i] >= 0 && !m->nref[i]) {
			gmap[m->gidx[i]] = -1;
			m->gidx[i] = -1;
			m->st.groups--;
			ret = MIRROR_DROPPED_GROUP;
		}
	/* Groups changed in place (mirror_object.c) may have left members
	 * no group names. */
	if (!ret && !m->nh_loose)
		goto done;
	m->nh_loose = 0;
	for (i = n = 0; i < eff->ngroup; i++) {
		if (gmap[i] < 0)
			continue;
		eff->group[n] = eff->group[i];
		gmap[i] = n++;
		for (k = 0; k < eff->group[i].nmembers; k++)
			named[eff->group[i].member[k]] = 1;
	}
	eff->ngroup = n;
	for (i = m->file_routes; (ret & MIRROR_DROPPED_GROUP) && i < eff->nroute; i++)
		if (eff->route[i].group >= 0)
			eff->route[i].group = gmap[eff->route[i].group];
	for (i = 0; i < m->cur.nset; i++)
		if (m->gidx[i] >= 0)
			m->gidx[i] = gmap[m->gidx[i]];
	/* The file's nexthops stay, named or not. */
	for (i = n = 0; i < eff->nnexthop; i++) {
		nmap[i] = -1;
		if (i >= m->file_nexthops && !named[i]) {
			ret |= MIRROR_DROPPED_NEXTHOPS;
			continue;
		}
		eff->nexthop[n] = eff->nexthop[i];
		nmap[i] = n++;
	}
	eff->nnexthop = n;
	for (i = 0; i < eff->ngroup; i++)
		for (k = 0; k < eff->group[i].nmembers; k++)
			eff->group[i].member[k] = nmap[eff->group[i].member[k]];
done:
	m->nempty = 0;
out:
	free(gmap);
	free(nmap);
	free(named);
	return ret;
}
