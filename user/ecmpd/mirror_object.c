// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Nexthop objects in the mirror (mirror.h): the kernel's, and zebra's
 * nexthop groups on its FPM stream. Routes naming one alone are expanded
 * from them; and one replaced in place (`ip nexthop replace`, a routing
 * daemon repointing every route over a group with one message), or
 * removed from the groups holding it, changes the groups of the routes
 * over it in place, whatever their number: the routes keep their groups,
 * so the data path's trie is not touched, and in each group only the
 * departed paths' flows move, as when a configured group changes. Reading
 * a full table again for it would take seconds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "mirror.h"
#include "mirror_table.h"

void mirror_objects_free(struct objects *o)
{
	free(o->v);
	memset(o, 0, sizeof(*o));
}

static int obj_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct nl_nexthop *)a)->id, y = ((const struct nl_nexthop *)b)->id;

	return x < y ? -1 : x > y;
}

void mirror_objects_sort(struct objects *o)
{
	if (o->n)
		qsort(o->v, o->n, sizeof(*o->v), obj_cmp);
}

const struct nl_nexthop *mirror_obj_find(const struct objects *o, uint32_t id)
{
	struct nl_nexthop k = { .id = id };

	return o->n ? bsearch(&k, o->v, o->n, sizeof(*o->v), obj_cmp) : NULL;
}

void mirror_objects_add(struct objects *o, const struct nl_nexthop *n)
{
	struct nl_nexthop *slot;

	if (n->deleted || o->failed)
		return;
	slot = mirror_append(&o->v, &o->n, &o->cap, sizeof(*slot));
	if (!slot) {
		o->failed = 1;
		return;
	}
	*slot = *n;
}

void mirror_take_nexthop(struct mirror *m, const struct nl_nexthop *n)
{
	mirror_objects_add(&m->obj, n);
}

/* (mirror_table.h) 0, or the reason it stays the kernel's (an object
 * unknown, a blackhole, encapsulation, a group of groups). */
enum mirror_skip mirror_expand(const struct objects *o, const struct nl_route *r,
			       struct nl_route *x)
{
	const struct nl_nexthop *obj = mirror_obj_find(o, r->nh_id);
	int i, n;

	*x = *r;
	x->nnh = 0;
	if (!obj || obj->fdb)
		return MIRROR_SKIP_NH_OBJECT;
	n = obj->ngroup ? obj->ngroup : 1;
	if (obj->group_truncated)
		return MIRROR_SKIP_TOO_MANY;
	for (i = 0; i < n; i++) {
		const struct nl_nexthop *p = obj->ngroup ? mirror_obj_find(o, obj->group[i].id) : obj;
		struct nl_route_nh *h = &x->nh[x->nnh++];

		if (!p || p->ngroup || p->fdb)
			return MIRROR_SKIP_NH_OBJECT;
		if (p->blackhole)
			return MIRROR_SKIP_TYPE;
		if (p->encap)
			return MIRROR_SKIP_ENCAP;
		memset(h, 0, sizeof(*h));
		h->family = p->family;
		memcpy(h->via, p->via, 16);
		h->ifindex = p->ifindex;
		h->weight = obj->ngroup ? obj->group[i].weight : 1;
		h->flags = p->dead ? RTNH_F_DEAD : 0;
	}
	return MIRROR_OK;
}

/* Whether routes over obj go through the object id: obj itself, or a
 * group holding it. */
static int goes_through(const struct nl_nexthop *obj, uint32_t id)
{
	int i;

	if (obj->id == id)
		return 1;
	for (i = 0; i < obj->ngroup; i++)
		if (obj->group[i].id == id)
			return 1;
	return 0;
}

/* Object o->v[at] removed, as the kernel removes it: out of the groups
 * holding it too, and a group left empty goes as well. */
static void forget(struct objects *o, int at)
{
	uint32_t id = o->v[at].id;
	int i, k;

	memmove(&o->v[at], &o->v[at + 1], sizeof(*o->v) * (o->n - at - 1));
	o->n--;
	for (i = 0; i < o->n; i++) {
		struct nl_nexthop *g = &o->v[i];

		for (k = 0; k < g->ngroup; k++)
			if (g->group[k].id == id) {
				memmove(&g->group[k], &g->group[k + 1],
					sizeof(g->group[0]) * (g->ngroup - k - 1));
				memset(&g->group[--g->ngroup], 0, sizeof(g->group[0]));
				k--;
				if (!g->ngroup) {
					forget(o, i);
					i = -1;	/* the array moved: again */
					break;
				}
			}
	}
}

/* The objects as they are after event n, which o has: a copy with n in
 * its place, or without it (removed as the kernel removes it). 0 or
 * -ENOMEM. */
static int objects_after(const struct objects *o, const struct nl_nexthop *n,
			 struct objects *next)
{
	const struct nl_nexthop *was = mirror_obj_find(o, n->id);

	memset(next, 0, sizeof(*next));
	next->v = malloc(sizeof(*o->v) * (o->n ? o->n : 1));
	if (!next->v)
		return -ENOMEM;
	memcpy(next->v, o->v, sizeof(*o->v) * o->n);
	next->n = next->cap = o->n;
	if (n->deleted)
		forget(next, was - o->v);
	else
		next->v[was - o->v] = *n;
	return 0;
}

/* The ids o has and next does not (an object removed, a group it left
 * empty), both in id order: their number, or -1 when more than max. */
static int gone_ids(const struct objects *o, const struct objects *next, uint32_t *gone,
		    int max)
{
	int n = 0, i, j;

	for (i = j = 0; i < o->n; i++) {
		while (j < next->n && next->v[j].id < o->v[i].id)
			j++;
		if (j < next->n && next->v[j].id == o->v[i].id)
			continue;
		if (n == max)
			return -1;
		gone[n++] = o->v[i].id;
	}
	return n;
}

static int is_gone(uint32_t id, const uint32_t *gone, int n)
{
	int k;

	for (k = 0; id && k < n; k++)
		if (id == gone[k])
			return 1;
	return 0;
}

#define GONE_MAX	64	/* more at once: assume routes name them */

/* Whether a route of the table names an object o has and next does not:
 * the kernel took those routes along unannounced. One pass over the
 * table, a few milliseconds at a million routes, where a read would take
 * seconds. */
static int names_gone(const struct mirror *m, const struct objects *o,
		      const struct objects *next)
{
	uint32_t gone[GONE_MAX];
	int n = gone_ids(o, next, gone, GONE_MAX), i;

	for (i = 0; n && i < m->cur.n; i++)
		if (n < 0 || is_gone(m->cur.r[i].nh_id, gone, n))
			return 1;
	return 0;
}

int mirror_object_orphans(struct mirror *m, const struct nl_nexthop *n,
			  struct lpm_route **out)
{
	uint32_t gone[GONE_MAX];
	struct objects next;
	struct lpm_route *k = NULL;
	int ngone, i, cnt = 0, cap = 0;

	*out = NULL;
	if (!n->deleted || !mirror_obj_find(&m->obj, n->id))
		return 0;
	if (!m->index)
		return -EAGAIN;
	if (objects_after(&m->obj, n, &next))
		return -ENOMEM;
	ngone = gone_ids(&m->obj, &next, gone, GONE_MAX);
	mirror_objects_free(&next);
	if (ngone < 0)
		return -EAGAIN;
	for (i = 0; ngone && i < m->cur.n; i++) {
		const struct mroute *x = &m->cur.r[i];
		struct lpm_route *e;

		if (!is_gone(x->nh_id, gone, ngone))
			continue;
		e = cnt < MIRROR_ORPHANS_MAX ? mirror_append(&k, &cnt, &cap, sizeof(*k)) : NULL;
		if (!e) {	/* that many: a read is as fast */
			free(k);
			return cnt < MIRROR_ORPHANS_MAX ? -ENOMEM : -EAGAIN;
		}
		e->family = x->family;
		e->prefixlen = x->prefixlen;
		memcpy(e->addr, x->addr, 16);
	}
	*out = k;
	return cnt;
}

static void regroup_forget(struct mirror *m)
{
	free(m->regroup_set);
	free(m->regroup_new);
	mirror_objects_free(&m->regroup_next);
	m->regroup_set = NULL;
	m->regroup_new = NULL;
	m->nregroup = 0;
	m->regroup_objs = NULL;
}

/* The sets of routes through object id (naming it, or a group holding it,
 * in o) as next makes them: into m->regroup_*, those that change. 0, or
 * -EAGAIN when a route over it would stop being the data path's (a
 * blackhole now, all paths dead, an unknown member, its object gone) or
 * its device is gone: a read sorts that out. */
static int regroup_plan(struct mirror *m, enum mirror_source src, const struct objects *o,
			const struct objects *next, uint32_t id)
{
	static struct mset s;	/* 1.5 KiB; the main thread's alone */
	int i;

	for (i = 0; i < m->cur.nset; i++) {
		const struct mset *old = &m->cur.set[i];
		const struct nl_nexthop *obj;
		struct nl_route r = { .nh_id = old->obj, .type = RTN_UNICAST };
		struct mset *ns;
		int *si;

		/* A set without routes (its group goes at the tick) keeps
		 * what it had: a route that comes to it again names it by
		 * those paths. */
		if (old->source != src || !old->obj || !m->nref[i])
			continue;
		obj = mirror_obj_find(o, old->obj);
		if (!obj || !goes_through(obj, id))
			continue;
		if (mirror_route_set(NULL, next, &r, &s) != MIRROR_OK || m->gidx[i] == -2)
			return -EAGAIN;
		s.source = src;
		s.obj = old->obj;
		if (mirror_same_set(&s, old))
			continue;
		ns = realloc(m->regroup_new, sizeof(*ns) * (m->nregroup + 1));
		if (ns)
			m->regroup_new = ns;
		si = ns ? realloc(m->regroup_set, sizeof(*si) * (m->nregroup + 1)) : NULL;
		if (!si)
			return -EAGAIN;	/* the read then says out of memory */
		m->regroup_set = si;
		m->regroup_new[m->nregroup] = s;
		m->regroup_set[m->nregroup++] = i;
	}
	return 0;
}

/* Puts the planned sets' new paths into their groups in eff. 0, or
 * -EAGAIN / -ENOMEM with eff as it was. */
static int regroup_eff(struct mirror *m, struct ecmp_conf *eff, struct mirror_regroup *rg)
{
	static char names[NL_ROUTE_MAX_NH][ECMP_NAME_MAX];
	int k, j, ret = 0;

	rg->group = calloc(m->nregroup ? m->nregroup : 1, sizeof(*rg->group));
	rg->was = calloc(m->nregroup ? m->nregroup : 1, sizeof(*rg->was));
	if (!rg->group || !rg->was)
		ret = -ENOMEM;
	for (k = 0; !ret && k < m->nregroup; k++) {
		const struct mset *s = &m->regroup_new[k];
		int g = m->gidx[m->regroup_set[k]];
		struct conf_group *cg;

		if (g < 0)
			continue;	/* no group: none of its routes is in */
		ret = mirror_set_nexthops(eff, s, names);
		if (ret)
			break;
		cg = &eff->group[g];
		rg->was[rg->n] = *cg;
		rg->group[rg->n++] = g;
		mirror_group_table(cg, &s->res, s->n);
		cg->nmembers = s->n;
		for (j = 0; j < s->n; j++)
			cg->member[j] = config_find_nexthop(eff, names[j]);
		cg->derive[0] = 0;
	}
	if (ret)
		mirror_regroup_done(m, eff, rg, 0);
	return ret;
}

/* A new object: no route names it yet. Kept in id order, as the routes
 * that will name it look it up. */
static int object_new(struct objects *o, const struct nl_nexthop *n)
{
	int at;

	if (!mirror_append(&o->v, &o->n, &o->cap, sizeof(*o->v)))
		return -EAGAIN;	/* the read then says out of memory */
	for (at = o->n - 1; at > 0 && o->v[at - 1].id > n->id; at--)
		o->v[at] = o->v[at - 1];
	o->v[at] = *n;
	return 0;
}

int mirror_object_event(struct mirror *m, enum mirror_source src, const struct nl_nexthop *n,
			int unused, struct ecmp_conf *eff, struct mirror_regroup *rg)
{
	struct objects *o = src == MIRROR_SRC_FPM ? &m->fpm_obj : &m->obj;
	const struct nl_nexthop *was;
	int ret;

	memset(rg, 0, sizeof(*rg));
	if (src == MIRROR_SRC_FPM)
		mirror_fpm_objects_sort(m);
	was = mirror_obj_find(o, n->id);
	if (!was && n->deleted)
		return 0;
	if (!was) {
		/* zebra's routes sent before their group (either order is
		 * zebra's right) went to the kernel for want of it: read. */
		ret = object_new(o, n);
		return !ret && src == MIRROR_SRC_FPM && !unused ? -EAGAIN : ret;
	}
	if (!n->deleted && !memcmp(was, n, sizeof(*n)))
		return 0;	/* the same again is no news */
	/* Replaced, or removed (out of the groups holding it, a group left
	 * empty with it): the routes through it keep their groups, which
	 * take its new paths in place, when the last merge's bookkeeping is
	 * there to find them. A route naming an object that goes (zebra's
	 * caller may know there is none) went with it, unannounced: read. */
	if (!m->index && !(n->deleted && unused))
		return -EAGAIN;
	if (objects_after(o, n, &m->regroup_next))
		return -EAGAIN;
	m->regroup_objs = o;
	if (n->deleted && !unused && names_gone(m, o, &m->regroup_next)) {
		regroup_forget(m);
		return -EAGAIN;
	}
	ret = m->index ? regroup_plan(m, src, o, &m->regroup_next, n->id) : 0;
	if (!ret && m->nregroup && !eff)
		ret = -EAGAIN;	/* groups to change, no merge to change them in */
	if (ret) {
		regroup_forget(m);
		return ret;
	}
	rg->nh_from = eff ? eff->nnexthop : 0;
	if (m->nregroup && regroup_eff(m, eff, rg))
		return -EAGAIN;
	if (!rg->n) {	/* no group changes: nothing for the data path */
		mirror_regroup_done(m, eff, rg, 1);
		return 0;
	}
	return MIRROR_REGROUP;
}

void mirror_regroup_done(struct mirror *m, struct ecmp_conf *eff, struct mirror_regroup *rg,
			 int ok)
{
	int k;

	if (ok && m->regroup_objs) {
		struct objects *o = m->regroup_objs;

		mirror_objects_free(o);
		*o = m->regroup_next;
		memset(&m->regroup_next, 0, sizeof(m->regroup_next));
		for (k = 0; k < m->nregroup; k++)
			m->cur.set[m->regroup_set[k]] = m->regroup_new[k];
		m->nh_loose |= rg->n > 0;
		if (m->nregroup) {
			m->st.regroups++;
			m->st.fpm_regroups += o == &m->fpm_obj;
		}
	} else {
		for (k = rg->n - 1; k >= 0; k--)
			eff->group[rg->group[k]] = rg->was[k];
		if (eff && eff->nnexthop > rg->nh_from)
			eff->nnexthop = rg->nh_from;
	}
	regroup_forget(m);
	free(rg->group);
	free(rg->was);
	rg->group = NULL;
	rg->was = NULL;
}
