// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "mirror.h"
#include "mirror_table.h"
#include "fib.h"
#include "plane.h"
#include "lib/array.h"
#include "lib/route_set.h"
#include "lib/text.h"

/* A group's name says where its routes come from (ecmpctl route show). */
static const char *const group_prefix[MIRROR_SOURCES] = {
	[MIRROR_SRC_KERNEL] = ECMP_MIRROR_GROUP_PREFIX,
	[MIRROR_SRC_FPM] = ECMP_FPM_GROUP_PREFIX,
};

static const char *const skip_names[MIRROR_SKIP_COUNT] = {
	[MIRROR_OK] = "mirrored",
	[MIRROR_SKIP_PROTOCOL] = "protocol",
	[MIRROR_SKIP_TYPE] = "type",
	[MIRROR_SKIP_NH_OBJECT] = "nexthop_object",
	[MIRROR_SKIP_ENCAP] = "encap",
	[MIRROR_SKIP_NO_GATEWAY] = "no_gateway",
	[MIRROR_SKIP_DEAD] = "nexthops_dead",
	[MIRROR_SKIP_TOO_MANY] = "too_many_nexthops",
	[MIRROR_SKIP_NO_LINK] = "no_link",
	[MIRROR_SKIP_CONFIG] = "config_route",
	[MIRROR_SKIP_SELECTOR] = "selector",
	[MIRROR_SKIP_ROUTE_MTU] = "route_mtu",
};

const char *mirror_skip_name(enum mirror_skip s)
{
	return s < MIRROR_SKIP_COUNT ? skip_names[s] : "?";
}

/* (mirror_table.h) */
void *mirror_append(void *arrp, int *n, int *cap, size_t elem)
{
	void **arr = arrp;
	char *e;

	if (*n == *cap) {
		int c = *cap ? 2 * *cap : 64;
		void *more = realloc(*arr, elem * c);

		if (!more)
			return NULL;
		*arr = more;
		*cap = c;
	}
	e = (char *)*arr + elem * (*n)++;
	memset(e, 0, elem);
	return e;
}

static void table_free(struct table *t)
{
	free(t->r);
	free(t->set);
	free(t->src.v);
	free(t->dev.v);
	memset(t, 0, sizeof(*t));
}

struct mirror *mirror_new(void)
{
	return calloc(1, sizeof(struct mirror));
}

void mirror_free(struct mirror *m)
{
	if (!m)
		return;
	table_free(&m->cur);
	table_free(&m->next);
	pos_index_free(m->index);
	route_set_free(m->cfg);
	free(m->gidx);
	free(m->nref);
	mirror_objects_free(&m->obj);
	mirror_objects_free(&m->fpm_obj);
	free(m->regroup_set);
	free(m->regroup_new);
	mirror_objects_free(&m->regroup_next);
	free(m);
}

const struct mirror_stats *mirror_stats(const struct mirror *m)
{
	return &m->st;
}

int mirror_wants(const struct conf_kernel_routes *k, const struct nl_route *r)
{
	/* Any protocol: a route of another one may now win a prefix by its
	 * metric. Not ecmpd's own routes (fib.c), nor cache entries. */
	return k->enabled && r->table == k->table && !r->cloned &&
	       r->protocol != FIB_PROTO;
}

static int nh_cmp(const void *a, const void *b)
{
	const struct mnh *x = a, *y = b;
	int d = (int)x->family - y->family;

	if (!d)
		d = memcmp(x->via, y->via, 16);
	if (!d)
		d = x->ifindex - y->ifindex;
	if (!d)
		d = x->weight < y->weight ? -1 : x->weight > y->weight;
	return d;
}

int mirror_same_set(const struct mset *a, const struct mset *b)
{
	return a->n == b->n && a->source == b->source && a->obj == b->obj &&
	       !memcmp(&a->res, &b->res, sizeof(a->res)) &&
	       !memcmp(a->nh, b->nh, sizeof(a->nh[0]) * a->n);
}

static int set_find_or_add(struct table *t, const struct mset *s)
{
	struct mset *n;
	int i;

	if (t->last_set < t->nset && mirror_same_set(&t->set[t->last_set], s))
		return t->last_set;
	for (i = 0; i < t->nset; i++)
		if (mirror_same_set(&t->set[i], s))
			return t->last_set = i;
	n = mirror_append(&t->set, &t->nset, &t->capset, sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = *s;
	return t->last_set = t->nset - 1;
}

/* k: the kernel's protocols; NULL for zebra's stream, whose routes are
 * the daemon's choice whatever their protocol. */
static enum mirror_skip classify(const struct conf_kernel_routes *k,
				 const struct nl_route *r, struct mset *s)
{
	int i;

	/* Before the protocol: the kernel prefers such a route for the
	 * frames it selects whatever its protocol or metric (route_cmp). */
	if (r->tos || r->src_len)
		return MIRROR_SKIP_SELECTOR;
	if (k && !conf_kernel_proto(k, r->protocol))
		return MIRROR_SKIP_PROTOCOL;
	if (r->type != RTN_UNICAST)
		return MIRROR_SKIP_TYPE;
	/* A route over a nexthop object carries the object expanded too
	 * while net.ipv4.nexthop_compat_mode is 1 (the default), and each
	 * change of the object is announced as a route change. */
	if (r->nh_id && !r->nnh)
		return MIRROR_SKIP_NH_OBJECT;
	if (r->encap)
		return MIRROR_SKIP_ENCAP;
	/* The data path checks a frame against its egress link's MTU, not
	 * a route's: such a route forwards by the kernel, which keeps it. */
	if (r->mtu)
		return MIRROR_SKIP_ROUTE_MTU;
	if (r->nh_truncated)
		return MIRROR_SKIP_TOO_MANY;
	memset(s, 0, sizeof(*s));
	for (i = 0; i < r->nnh; i++) {
		const struct nl_route_nh *h = &r->nh[i];

		if (!h->family)
			return MIRROR_SKIP_NO_GATEWAY;
		if (h->flags & RTNH_F_DEAD)
			continue;
		s->nh[s->n].family = h->family;
		memcpy(s->nh[s->n].via, h->via, 16);
		s->nh[s->n].ifindex = h->ifindex;
		s->nh[s->n].weight = h->weight;
		s->n++;
	}
	if (!r->nnh)
		return MIRROR_SKIP_NO_GATEWAY;
	if (!s->n)
		return MIRROR_SKIP_DEAD;
	qsort(s->nh, s->n, sizeof(s->nh[0]), nh_cmp);
	return MIRROR_OK;
}

/* A route over a resilient group object (either compat mode) brings the
 * object's bucket count and timers; its bucket table stays the kernel's. */
static void take_resilient(const struct objects *o, const struct nl_route *r,
			   struct mset *s)
{
	const struct nl_nexthop *obj = r->nh_id ? mirror_obj_find(o, r->nh_id) : NULL;

	if (!obj || !obj->resilient)
		return;
	s->res.buckets = obj->res_buckets;
	s->res.idle_ms = obj->res_idle_ms;
	s->res.unbalanced_ms = obj->res_unbalanced_ms;
}

/* (mirror_table.h) */
enum mirror_skip mirror_route_set(const struct conf_kernel_routes *k,
				  const struct objects *objs,
				  const struct nl_route *r, struct mset *s)
{
	static struct nl_route expanded;	/* the main thread's alone */
	enum mirror_skip skip = MIRROR_OK;

	/* A route over an object takes its paths from the objects taken
	 * before the routes, in either compat mode: with 0 (and zebra's
	 * groups) the route names the object alone; with 1 it carries the
	 * paths too, but a one-member group's without its weight, which
	 * would rename that member when the group grows or shrinks to one.
	 * An object not (yet) known: the paths the route carries, if any. */
	if (r->nh_id && (!k || conf_kernel_proto(k, r->protocol)) && r->type == RTN_UNICAST &&
	    (!r->nnh || mirror_obj_find(objs, r->nh_id))) {
		skip = mirror_expand(objs, r, &expanded);
		if (skip == MIRROR_OK)
			r = &expanded;
	}
	if (skip == MIRROR_OK)
		skip = classify(k, r, s);
	if (skip == MIRROR_OK) {
		take_resilient(objs, r, s);
		s->obj = r->nh_id;
	}
	return skip;
}

/* One route of a source into the read in progress. */
static void take(struct mirror *m, enum mirror_source src, const struct conf_kernel_routes *k,
		 const struct objects *objs, const struct nl_route *r)
{
	struct table *t = &m->next;
	struct mroute x = { .family = r->family, .prefixlen = r->prefixlen, .source = src,
			    .protocol = r->protocol, .metric = r->metric, .nh_id = r->nh_id,
			    .eff = -1 }, *slot;
	static struct mset s;	/* 1.5 KiB; the main thread's alone */

	if (t->failed)
		return;
	memcpy(x.addr, r->addr, 16);
	/* One key per prefix everywhere (the dedup below, the trie's set):
	 * a peer's stray host bits do not make a second one. */
	lpm_mask(x.addr, x.family, x.prefixlen);
	x.skip = mirror_route_set(k, objs, r, &s);
	if (x.skip == MIRROR_OK) {
		s.source = src;
		x.set = set_find_or_add(t, &s);
		if (x.set < 0) {
			t->failed = 1;
			return;
		}
	}
	slot = mirror_append(&t->r, &t->n, &t->cap, sizeof(*slot));
	if (!slot) {
		t->failed = 1;
		return;
	}
	*slot = x;
}

void mirror_take(struct mirror *m, const struct conf_kernel_routes *k,
		 const struct nl_route *r)
{
	if (!r->deleted && mirror_wants(k, r)) {
		take(m, MIRROR_SRC_KERNEL, k, &m->obj, r);
		mirror_src_note(&m->next, r);
		mirror_dev_note(&m->next, r);
	}
}

void mirror_begin(struct mirror *m)
{
	table_free(&m->next);
	/* A read again is about as long as the last one; if memory is
	 * short, the appends will say so. */
	array_reserve(&m->next.r, &m->next.cap, m->cur.n + m->cur.n / 16, sizeof(*m->next.r));
	mirror_objects_free(&m->fpm_obj);
	m->fpm_obj_sorted = 0;
}

void mirror_take_fpm_nexthop(struct mirror *m, const struct nl_nexthop *n)
{
	mirror_objects_add(&m->fpm_obj, n);
	m->fpm_obj_sorted = 0;
}

void mirror_fpm_objects_sort(struct mirror *m)
{
	if (!m->fpm_obj_sorted) {
		mirror_objects_sort(&m->fpm_obj);
		m->fpm_obj_sorted = 1;
	}
}

void mirror_take_fpm(struct mirror *m, const struct nl_route *r)
{
	mirror_fpm_objects_sort(m);
	if (!r->deleted && !r->cloned)
		take(m, MIRROR_SRC_FPM, NULL, &m->fpm_obj, r);
}

/* By address first, then longer prefixes first: the order the kernel
 * dumps IPv4 in (and nearly IPv6's), so sorting a dump of a full table
 * finds it almost sorted already (at 1,250,000 routes 0.2 s instead
 * of 0.5). */
static int route_cmp(const void *a, const void *b)
{
	const struct mroute *x = a, *y = b;
	int d = (int)x->family - y->family;

	if (!d)
		d = memcmp(x->addr, y->addr, 16);
	if (!d)
		d = (int)y->prefixlen - x->prefixlen;
	/* A route selecting by TOS or source first: the kernel takes it
	 * for the frames it selects, before any other of the prefix, so the
	 * prefix must stay the kernel's. */
	if (!d)
		d = (y->skip == MIRROR_SKIP_SELECTOR) - (x->skip == MIRROR_SKIP_SELECTOR);
	if (!d)		/* zebra's stream first: the daemon's own choice */
		d = (int)y->source - x->source;
	if (!d)
		d = x->metric < y->metric ? -1 : x->metric > y->metric;
	return d;
}

/* A read arrives in that order for IPv4 (most of a full table): only
 * what follows its sorted start is sorted, then merged with it. */
static void sort_routes(struct mroute *r, int n)
{
	struct mroute *first;
	int k = 1, i, j, out;

	while (k < n && route_cmp(&r[k - 1], &r[k]) <= 0)
		k++;
	if (k >= n)
		return;
	qsort(r + k, n - k, sizeof(*r), route_cmp);
	if (route_cmp(&r[k - 1], &r[k]) <= 0)
		return;		/* IPv4, then IPv6 */
	first = malloc(sizeof(*r) * k);
	if (!first) {
		qsort(r, n, sizeof(*r), route_cmp);
		return;
	}
	memcpy(first, r, sizeof(*r) * k);
	/* out = i + (j - k) <= j: the output never passes the run it reads. */
	for (i = 0, j = k, out = 0; i < k; out++)
		r[out] = j == n || route_cmp(&first[i], &r[j]) <= 0 ? first[i++] : r[j++];
	free(first);
}

int mirror_finish(struct mirror *m)
{
	struct table *t = &m->next;
	int i, n = 0;

	if (t->failed) {
		table_free(t);
		return -ENOMEM;
	}

	sort_routes(t->r, t->n);
	/* The kernel forwards on a prefix's lowest metric only: the first
	 * of each prefix in this order (a route zebra streams wins over the
	 * kernel's copy of it). */
	for (i = 0; i < t->n; i++) {
		if (n && t->r[n - 1].family == t->r[i].family &&
		    t->r[n - 1].prefixlen == t->r[i].prefixlen &&
		    !memcmp(t->r[n - 1].addr, t->r[i].addr, 16)) {
			t->r[n - 1].others += t->r[n - 1].others < UINT8_MAX;
			continue;
		}
		t->r[n++] = t->r[i];
	}
	t->n = n;
	table_free(&m->cur);
	m->cur = *t;
	memset(t, 0, sizeof(*t));
	return 0;
}

struct read_ctx {
	struct mirror *m;
	const struct conf_kernel_routes *k;
	const struct nl_handlers *also;
};

static void on_route(void *ctx, const struct nl_route *r)
{
	struct read_ctx *c = ctx;

	mirror_take(c->m, c->k, r);
	if (c->also)
		c->also->route(c->also->ctx, r);
}

static void on_nexthop(void *ctx, const struct nl_nexthop *n)
{
	struct read_ctx *c = ctx;

	mirror_take_nexthop(c->m, n);
}

/* The objects first, sorted by id, so routes naming one find it. */
static int read_objects(struct mirror *m, struct nl *nl, struct read_ctx *c)
{
	struct nl_handlers h = { .ctx = c, .nexthop = on_nexthop };
	int err;

	mirror_objects_free(&m->obj);
	err = nl_dump_nexthops(nl, &h);
	/* A kernel without nexthop objects (before 5.3) has none to read. */
	if (err == -EOPNOTSUPP || err == -EINVAL)
		err = 0;
	if (!err && m->obj.failed)
		err = -ENOMEM;
	if (!err)
		mirror_objects_sort(&m->obj);
	return err;
}

int mirror_read_kernel(struct mirror *m, struct nl *nl, const struct conf_kernel_routes *k,
		       const struct nl_handlers *also)
{
	struct read_ctx c = { m, k, also };
	struct nl_handlers h = { .ctx = &c, .route = on_route };
	int err;

	err = read_objects(m, nl, &c);
	if (!err)
		err = nl_dump_routes(nl, k->table, &h);
	if (!err && m->next.failed)
		err = -ENOMEM;
	if (err) {
		table_free(&m->next);
		return err;
	}
	m->st.reads++;
	return 0;
}

/* GATEWAY@DEVICE[*WEIGHT], or a hash of it when that is too long. */
static void nh_name(const struct mnh *h, const char *dev, char *out)
{
	char a[48], full[96];
	uint32_t hash = 2166136261u;
	size_t i;

	text_addr(h->family, h->via, a, sizeof(a));
	if (h->weight == 1)
		snprintf(full, sizeof(full), "%s@%s", a, dev);
	else
		snprintf(full, sizeof(full), "%s@%s*%u", a, dev, h->weight);
	if (strlen(full) < ECMP_NAME_MAX) {
		memcpy(out, full, strlen(full) + 1);
		return;
	}
	for (i = 0; full[i]; i++)
		hash = (hash ^ (uint8_t)full[i]) * 16777619u;
	snprintf(out, ECMP_NAME_MAX, "#%08x@%s", hash, dev);
}

/* `bfd dev` for a mirrored nexthop: BFD to its gateway when a rule names
 * its device, unless another nexthop (a configured one, or the same
 * gateway mirrored with another weight) watches that path already: one
 * session per neighbour, as the peer expects. */
static void set_bfd(struct ecmp_conf *c, struct conf_nexthop *n)
{
	int i;

	for (i = 0; i < c->nbfd_dev && strcmp(c->bfd_dev[i].dev, n->dev); i++)
		;
	if (i == c->nbfd_dev)
		return;
	for (int k = 0; k < c->nnexthop; k++) {
		const struct conf_nexthop *o = &c->nexthop[k];

		if (o != n && o->bfd && o->family == n->family &&
		    !memcmp(o->via, n->via, 16) && !strcmp(o->dev, n->dev))
			return;
	}
	n->bfd = 1;
	n->bfd_interval_ms = c->bfd_dev[i].interval_ms;
	n->bfd_multiplier = c->bfd_dev[i].multiplier;
}

static int add_nexthop(struct ecmp_conf *c, const struct mnh *h, const char *dev,
		       const char *name)
{
	struct conf_nexthop *n;

	if (config_find_nexthop(c, name) >= 0)
		return 0;
	n = mirror_append(&c->nexthop, &c->nnexthop, &c->cap_nexthop, sizeof(*n));
	if (!n)
		return -ENOMEM;
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->family = h->family;
	memcpy(n->via, h->via, 16);
	snprintf(n->dev, sizeof(n->dev), "%s", dev);
	n->weight = h->weight;
	set_bfd(c, n);
	return 0;
}

static int is_source_group(const char *name, enum mirror_source src)
{
	return !strncmp(name, group_prefix[src], strlen(group_prefix[src]));
}

static int is_mirror_group(const char *name)
{
	return is_source_group(name, MIRROR_SRC_KERNEL) || is_source_group(name, MIRROR_SRC_FPM);
}

/* Whether the plane's group g is of this source, with exactly these
 * members (names say weights too). */
static int group_has(const struct plane *p, uint32_t g, enum mirror_source src,
		     char names[][ECMP_NAME_MAX], int n)
{
	const struct grp *x = &p->grp[g];
	int i, j;

	if (!x->in_use || x->nmembers != n || !is_source_group(x->name, src))
		return 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n && strcmp(p->nh[x->member[i]].c.name, names[j]); j++)
			;
		if (j == n)
			return 0;
	}
	return 1;
}

/* The plane's group a set with these members keeps, unless c gives it to
 * another set already (two sets may have the same members: routes over
 * two objects, or over an object and their own paths): the group its
 * routes use now (now) when it has them, so that a group changed in
 * place keeps its flows where they are, else any with them, else -1. */
static int plane_group_of(const struct plane *p, const struct ecmp_conf *c,
			  enum mirror_source src, char names[][ECMP_NAME_MAX], int n, int now)
{
	uint32_t g;

	if (now >= 0 && group_has(p, now, src, names, n) &&
	    config_find_group(c, p->grp[now].name) < 0)
		return now;
	for (g = 0; g < p->dp.max_entries[DP_GROUPS]; g++)
		if (group_has(p, g, src, names, n) && config_find_group(c, p->grp[g].name) < 0)
			return g;
	return -1;
}

/* The mirrored group a prefix is routed through now, or -1. */
static int plane_group_now(const struct plane *p, const struct mroute *r)
{
	struct lpm_route cur;
	uint32_t g;

	if (!p->lpm || lpm_get(p->lpm, r->family, r->addr, r->prefixlen, &cur) ||
	    cur.leaf == ECMP_LPM_LOCAL || cur.leaf == ECMP_LPM_CONNECTED)
		return -1;
	g = ECMP_LPM_GROUP(cur.leaf);
	if (g >= p->dp.max_entries[DP_GROUPS] || !p->grp[g].in_use ||
	    !is_mirror_group(p->grp[g].name))
		return -1;
	return g;
}

/* (mirror_table.h) The mirror's defaults, or a resilient object's count
 * rounded up to the power of two the data path indexes by (at least one
 * bucket per member) and its timers as they are. */
void mirror_group_table(struct conf_group *g, const struct mres *res, int n)
{
	g->buckets = ECMP_DEFAULT_BUCKETS;
	g->idle_timer_ms = 1000;
	g->unbalanced_timer_ms = 10000;
	if (!res->buckets)
		return;
	for (g->buckets = ECMP_MIN_BUCKETS;
	     g->buckets < ECMP_MAX_BUCKETS && (g->buckets < res->buckets || g->buckets < (uint32_t)n);
	     g->buckets <<= 1)
		;
	g->idle_timer_ms = res->idle_ms;
	g->unbalanced_timer_ms = res->unbalanced_ms;
}

/* (mirror_table.h) */
int mirror_set_nexthops(struct ecmp_conf *c, const struct mset *s,
			char names[][ECMP_NAME_MAX])
{
	int i;

	for (i = 0; i < s->n; i++) {
		char dev[IF_NAMESIZE];

		if (!if_indextoname(s->nh[i].ifindex, dev))
			return -EAGAIN;
		nh_name(&s->nh[i], dev, names[i]);
		if (add_nexthop(c, &s->nh[i], dev, names[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* now: the plane's group the set's routes use now, or -1. */
static int add_group(struct ecmp_conf *c, const struct plane *p, int *next_id,
		     char names[][ECMP_NAME_MAX], const struct mset *s, int now)
{
	struct conf_group *g;
	int i, n = s->n, pg = plane_group_of(p, c, s->source, names, n, now);

	g = mirror_append(&c->group, &c->ngroup, &c->cap_group, sizeof(*g));
	if (!g)
		return -ENOMEM;
	if (pg >= 0) {
		snprintf(g->name, sizeof(g->name), "%s", p->grp[pg].name);
	} else {
		do
			snprintf(g->name, sizeof(g->name), "%s%d", group_prefix[s->source],
				 next_id[s->source]++);
		while (grp_find(p, g->name) >= 0 || config_find_group(c, g->name) != c->ngroup - 1);
		if (now >= 0)
			snprintf(g->derive, sizeof(g->derive), "%s", p->grp[now].name);
	}
	mirror_group_table(g, &s->res, n);
	g->nmembers = n;
	for (i = 0; i < n; i++)
		g->member[i] = config_find_nexthop(c, names[i]);
	return c->ngroup - 1;
}

static int add_route(struct ecmp_conf *c, const struct mroute *r, int group)
{
	struct conf_route *x;

	x = mirror_append(&c->route, &c->nroute, &c->cap_route, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->family = r->family;
	x->prefixlen = r->prefixlen;
	memcpy(x->addr, r->addr, 16);
	x->group = group;
	return 0;
}

/* Each set's group index in out: -1 not built yet, -2 its device is gone. */
static int set_group(struct ecmp_conf *out, const struct plane *p,
		     const struct table *t, const struct mroute *r, int *gidx,
		     int *next_id)
{
	static char names[NL_ROUTE_MAX_NH][ECMP_NAME_MAX];
	const struct mset *s = &t->set[r->set];
	int ret;

	if (gidx[r->set] != -1)
		return gidx[r->set];
	ret = mirror_set_nexthops(out, s, names);
	if (ret == -EAGAIN)
		return gidx[r->set] = -2;
	if (ret)
		return ret;
	gidx[r->set] = add_group(out, p, next_id, names, s, plane_group_now(p, r));
	return gidx[r->set];
}

/* (mirror.h) The group set_group() would give the patch's set in a read. */
int mirror_patch_group(struct mirror *m, struct ecmp_conf *eff, const struct plane *pl,
		       struct mirror_patch *p)
{
	static char names[NL_ROUTE_MAX_NH][ECMP_NAME_MAX];
	const struct mset *s = p->set >= 0 ? &m->cur.set[p->set] : &m->pending;
	struct mroute r = { .family = p->route.family, .prefixlen = p->route.prefixlen };
	int g, nn = eff->nnexthop, ng = eff->ngroup, next_id[MIRROR_SOURCES] = { 1, 1 };

	g = mirror_set_nexthops(eff, s, names);
	if (!g) {
		memcpy(r.addr, p->route.addr, 16);
		g = add_group(eff, pl, next_id, names, s, plane_group_now(pl, &r));
	}
	if (g < 0) {
		eff->nnexthop = nn;
		eff->ngroup = ng;
		return g;
	}
	p->route.group = g;
	return 0;
}

void mirror_each_route(const struct mirror *m,
		       void (*fn)(void *arg, const struct mirror_route_info *r), void *arg)
{
	int i;

	for (i = 0; i < m->cur.n; i++) {
		const struct mroute *x = &m->cur.r[i];
		struct mirror_route_info r = {
			.family = x->family, .prefixlen = x->prefixlen, .addr = x->addr,
			.source = x->source, .protocol = x->protocol, .metric = x->metric,
			.outcome = x->outcome,
		};

		fn(arg, &r);
	}
}

int mirror_config_prefix(const struct mirror *m, const struct nl_route *r)
{
	struct lpm_route key = { .family = r->family, .prefixlen = r->prefixlen };

	if (!m || !m->cfg)
		return 0;
	memcpy(key.addr, r->addr, 16);
	lpm_mask(key.addr, key.family, key.prefixlen);
	return route_set_get(m->cfg, &key) != NULL;
}

int mirror_route_at(const struct mirror *m, const struct lpm_route *k, struct mroute *out)
{
	struct lpm_route key = *k;
	uint32_t pos;

	if (!m->index)
		return -EAGAIN;
	lpm_mask(key.addr, key.family, key.prefixlen);
	key.leaf = 0;
	if (!pos_index_get(m->index, &key, mirror_same_key, &m->cur, &pos))
		return 0;
	*out = m->cur.r[pos];
	return 1;
}

int mirror_same_key(const void *ctx, uint32_t pos, const struct lpm_route *key)
{
	const struct table *t = ctx;
	const struct mroute *r;

	if (pos >= (uint32_t)t->n)
		return 0;
	r = &t->r[pos];
	return r->family == key->family && r->prefixlen == key->prefixlen &&
	       !memcmp(r->addr, key->addr, 16);
}

static void prefetch_route(const struct pos_index *index, const struct mroute *r)
{
	struct lpm_route k = { .family = r->family, .prefixlen = r->prefixlen };

	memcpy(k.addr, r->addr, 16);
	pos_index_prefetch(index, &k);
}

/* Keeps what patches need from a merge (mirror_patch.c): cur's routes by
 * prefix, the file's prefixes and each set's group. */
static int keep_for_patches(struct mirror *m, const struct ecmp_conf *file,
			    struct route_set *cfg, int *gidx)
{
	/* The last merge's index emptied, unless the table shrank by half:
	 * its memory is the process's already (the reserve below grows it
	 * if need be). */
	int reuse = m->index && pos_index_count(m->index) / 2 <= (uint32_t)m->cur.n;
	struct pos_index *index = reuse ? m->index : pos_index_new();
	int *nref = calloc(m->cur.nset ? m->cur.nset : 1, sizeof(int));
	int i;

	if (reuse) {
		pos_index_clear(index);
		m->index = NULL;
	}
	if (index && (!nref || pos_index_reserve(index, m->cur.n))) {
		pos_index_free(index);
		index = NULL;
	}
	for (i = 0; index && i < m->cur.n; i++) {
		struct lpm_route k = { .family = m->cur.r[i].family,
				       .prefixlen = m->cur.r[i].prefixlen };

		if (i + 16 < m->cur.n)	/* a full table's misses overlap */
			prefetch_route(index, &m->cur.r[i + 16]);
		memcpy(k.addr, m->cur.r[i].addr, 16);
		if (pos_index_put(index, &k, i, mirror_same_key, &m->cur)) {
			pos_index_free(index);
			index = NULL;
		}
		if (m->cur.r[i].outcome == MIRROR_OK)
			nref[m->cur.r[i].set]++;
	}
	pos_index_free(m->index);
	route_set_free(m->cfg);
	free(m->gidx);
	free(m->nref);
	m->index = index;	/* NULL: no patches until the next merge */
	m->cfg = cfg;
	m->gidx = gidx;
	m->nref = nref;
	m->file_routes = file->nroute;
	m->file_nexthops = file->nnexthop;
	m->nempty = 0;
	return index ? 0 : -ENOMEM;
}

int mirror_merge(struct mirror *m, const struct ecmp_conf *file,
		 const struct plane *p, struct ecmp_conf *out)
{
	struct table *t = &m->cur;
	struct route_set *cfg = route_set_new();
	int *gidx = malloc(sizeof(int) * (t->nset ? t->nset : 1));
	int i, next_id[MIRROR_SOURCES] = { 1, 1 }, err = -ENOMEM;

	if (!cfg || !gidx || config_copy(out, file) ||
	    array_reserve(&out->route, &out->cap_route, file->nroute + t->n, sizeof(*out->route)))
		goto out;
	memset(&m->st, 0, offsetof(struct mirror_stats, reads));
	for (i = 0; i < t->nset; i++)
		gidx[i] = -1;
	for (i = 0; i < file->nroute; i++) {
		struct lpm_route k = { .family = file->route[i].family,
				       .prefixlen = file->route[i].prefixlen };

		memcpy(k.addr, file->route[i].addr, 16);
		if (route_set_put(cfg, &k))
			goto fail;
	}
	for (i = 0; i < t->n; i++) {
		struct mroute *r = &t->r[i];
		struct lpm_route k = { .family = r->family, .prefixlen = r->prefixlen };
		enum mirror_skip skip = r->skip;
		int g = -1;

		memcpy(k.addr, r->addr, 16);
		m->st.routes++;
		r->eff = -1;
		if (route_set_get(cfg, &k)) {
			m->st.skipped[MIRROR_SKIP_CONFIG]++;
			r->outcome = MIRROR_SKIP_CONFIG;
			continue;
		}
		if (skip == MIRROR_OK) {
			g = set_group(out, p, t, r, gidx, next_id);
			if (g == -ENOMEM)
				goto fail;
			if (g == -2) {
				skip = MIRROR_SKIP_NO_LINK;
				g = -1;
			}
		}
		r->outcome = skip;
		if (skip)
			m->st.skipped[skip]++;
		else
			m->st.mirrored++;
		if (r->source == MIRROR_SRC_FPM) {
			m->st.fpm_routes++;
			m->st.fpm_mirrored += !skip;
		}
		r->eff = out->nroute;
		if (add_route(out, r, g))
			goto fail;
	}
	for (i = 0; i < t->nset; i++)
		m->st.groups += gidx[i] >= 0;
	m->st.merges++;
	/* Without its index a patch is refused and the table read whole:
	 * slower, never wrong. */
	keep_for_patches(m, file, cfg, gidx);
	return 0;
fail:
	config_free(out);
out:
	route_set_free(cfg);
	free(gidx);
	return err;
}
