// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The routes and nexthop groups zebra's FPM stream holds now
 * (fpm_table.h): a prefix index over route slots, groups sorted by id.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "fpm_table.h"
#include "mirror.h"
#include "netlink.h"
#include "plane.h"
#include "lib/lpm.h"
#include "lib/route_set.h"
#include "lib/text.h"

/* A prefix's route as zebra last sent it; its nexthops (zebra's inline
 * paths, without `fpm use-next-hop-groups`) in the table's shared lists. */
struct froute {
	uint8_t family, prefixlen, protocol, type;
	uint8_t addr[16];
	uint8_t in_use, encap;
	uint16_t nnh;
	uint32_t metric, nh_id;
	uint32_t list;			/* in lists[], 0: no paths */
};

/* A list of nexthops, held once for all the routes that have it: a full
 * table has about a hundred distinct ones for a million routes, and a
 * list of its own per route cost about 100 MB (ecmpd's RSS with zebra's
 * full table: 802 MB). */
struct nhlist {
	struct nl_route_nh *nh;
	uint32_t refs;			/* routes on it; 0: a free slot */
	uint32_t hash;
	uint32_t chain;			/* the next list in its hash bucket, 0: none */
	uint16_t n;
};

struct fobj {
	struct nl_nexthop n;
};
_Static_assert(offsetof(struct fobj, n.id) == 0, "id_pos() reads the id at the start");

/* How many held routes name a group id (RTA_NH_ID), the group held or
 * not yet: whether zebra's removal of a group leaves routes on it is then
 * a lookup, not a scan of the whole table for each group it removes. */
struct idref {
	uint32_t id, refs;	/* id first: id_pos() */
};
_Static_assert(offsetof(struct idref, id) == 0, "id_pos() reads the id at the start");

struct fpm_table {
	struct pos_index *index;	/* prefix -> slot in r[] (same_route) */
	struct froute *r;
	uint32_t nr, capr;
	uint32_t *free_slots;
	uint32_t nfree;
	struct nhlist *lists;		/* [0] unused: "no paths" */
	uint32_t nlists, caplists;
	uint32_t *list_bucket;		/* hash -> first list; a power of two */
	uint32_t nbuckets;
	uint32_t free_list;		/* a slot of lists[] to reuse (chain), 0: none */
	struct fobj *obj;		/* sorted by id */
	int nobj, capobj;
	struct idref *named;		/* sorted by id; refs > 0 */
	uint32_t nnamed, capnamed;
	uint32_t nroutes, ngroups;
};

/* Where id is, or would go, in n elements of size bytes sorted by a
 * uint32_t id at their start (the groups, the named ids); *found says
 * whether it is there. */
static uint32_t id_pos(const void *base, uint32_t n, size_t size, uint32_t id, int *found)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, at;

		memcpy(&at, (const char *)base + mid * size, sizeof(at));
		if (at < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n) {
		uint32_t at;

		memcpy(&at, (const char *)base + lo * size, sizeof(at));
		*found = at == id;
	} else {
		*found = 0;
	}
	return lo;
}

static uint32_t named_pos(const struct fpm_table *t, uint32_t id, int *found)
{
	return id_pos(t->named, t->nnamed, sizeof(*t->named), id, found);
}

/* One more route names id (0: none). 0 or -ENOMEM. */
static int named_add(struct fpm_table *t, uint32_t id)
{
	int found;
	uint32_t i;

	if (!id)
		return 0;
	i = named_pos(t, id, &found);
	if (found) {
		t->named[i].refs++;
		return 0;
	}
	if (t->nnamed == t->capnamed) {
		uint32_t cap = t->capnamed ? 2 * t->capnamed : 64;
		struct idref *m = realloc(t->named, sizeof(*m) * cap);

		if (!m)
			return -ENOMEM;
		t->named = m;
		t->capnamed = cap;
	}
	memmove(&t->named[i + 1], &t->named[i], sizeof(*t->named) * (t->nnamed - i));
	t->named[i] = (struct idref){ id, 1 };
	t->nnamed++;
	return 0;
}

static void named_drop(struct fpm_table *t, uint32_t id)
{
	int found;
	uint32_t i;

	if (!id)
		return;
	i = named_pos(t, id, &found);
	if (!found || --t->named[i].refs)
		return;
	memmove(&t->named[i], &t->named[i + 1], sizeof(*t->named) * (t->nnamed - i - 1));
	t->nnamed--;
}

/* FNV-1a over the fields (not the padding, which the parser need not
 * clear). */
static uint32_t nh_hash(const struct nl_route_nh *nh, int n)
{
	uint32_t h = 2166136261u;
	int i, k;

	for (i = 0; i < n; i++) {
		uint32_t w[7] = { (uint32_t)nh[i].ifindex, nh[i].family | (uint32_t)nh[i].flags << 8,
				  nh[i].weight };

		memcpy(&w[3], nh[i].via, 16);
		for (k = 0; k < 7; k++)
			h = (h ^ w[k]) * 16777619u;
	}
	return h;
}

static int nh_same(const struct nl_route_nh *a, const struct nl_route_nh *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i].ifindex != b[i].ifindex || a[i].family != b[i].family ||
		    a[i].weight != b[i].weight || a[i].flags != b[i].flags ||
		    memcmp(a[i].via, b[i].via, 16))
			return 0;
	return 1;
}

/* The buckets twice as many as the lists in use (after the first 64),
 * the lists rehashed into them. 0 or -ENOMEM. */
static int lists_rehash(struct fpm_table *t, uint32_t want)
{
	uint32_t nb = t->nbuckets ? t->nbuckets : 64, i, *b;

	while (nb < 2 * want)
		nb *= 2;
	if (nb == t->nbuckets)
		return 0;
	b = calloc(nb, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (i = 1; i < t->nlists; i++) {
		struct nhlist *l = &t->lists[i];

		if (!l->refs)
			continue;
		l->chain = b[l->hash & (nb - 1)];
		b[l->hash & (nb - 1)] = i;
	}
	free(t->list_bucket);
	t->list_bucket = b;
	t->nbuckets = nb;
	return 0;
}

/* The list of these n nexthops, held once more: its index, or 0 when
 * there is no memory for a new one. */
static uint32_t list_get(struct fpm_table *t, const struct nl_route_nh *nh, int n)
{
	uint32_t h = nh_hash(nh, n), i;
	struct nhlist *l;

	for (i = t->nbuckets ? t->list_bucket[h & (t->nbuckets - 1)] : 0; i; i = t->lists[i].chain) {
		l = &t->lists[i];
		if (l->hash == h && l->n == n && nh_same(l->nh, nh, n)) {
			l->refs++;
			return i;
		}
	}
	if (lists_rehash(t, t->nlists + 1))
		return 0;
	if (t->free_list) {
		i = t->free_list;
		t->free_list = t->lists[i].chain;
	} else {
		if (t->nlists + 1 > t->caplists) {
			uint32_t cap = t->caplists ? 2 * t->caplists : 64;
			struct nhlist *more = realloc(t->lists, sizeof(*more) * cap);

			if (!more)
				return 0;
			t->lists = more;
			t->caplists = cap;
		}
		if (!t->nlists)
			t->nlists = 1;	/* 0 means none */
		i = t->nlists++;
	}
	l = &t->lists[i];
	memset(l, 0, sizeof(*l));
	l->nh = malloc(sizeof(*nh) * n);
	if (!l->nh) {
		l->chain = t->free_list;
		t->free_list = i;
		return 0;
	}
	memcpy(l->nh, nh, sizeof(*nh) * n);
	l->n = n;
	l->hash = h;
	l->refs = 1;
	l->chain = t->list_bucket[h & (t->nbuckets - 1)];
	t->list_bucket[h & (t->nbuckets - 1)] = i;
	return i;
}

/* A route leaves list i: the last one frees it. */
static void list_put(struct fpm_table *t, uint32_t i)
{
	struct nhlist *l;
	uint32_t *p;

	if (!i)
		return;	/* no paths: no list (and maybe no lists at all) */
	l = &t->lists[i];
	if (--l->refs)
		return;
	for (p = &t->list_bucket[l->hash & (t->nbuckets - 1)]; *p != i; p = &t->lists[*p].chain)
		;
	*p = l->chain;
	free(l->nh);
	l->nh = NULL;
	l->chain = t->free_list;
	t->free_list = i;
}

struct fpm_table *fpm_table_new(void)
{
	struct fpm_table *t = calloc(1, sizeof(*t));

	if (t && !(t->index = pos_index_new())) {
		free(t);
		t = NULL;
	}
	return t;
}

void fpm_table_free(struct fpm_table *t)
{
	if (!t)
		return;
	fpm_table_clear(t);
	pos_index_free(t->index);
	free(t);
}

uint32_t fpm_table_routes(const struct fpm_table *t)
{
	return t->nroutes;
}

uint32_t fpm_table_groups(const struct fpm_table *t)
{
	return t->ngroups;
}

uint32_t fpm_table_lists(const struct fpm_table *t)
{
	uint32_t i, n = 0;

	for (i = 1; i < t->nlists; i++)
		n += t->lists[i].refs > 0;
	return n;
}

static struct lpm_route key_of(uint8_t family, uint8_t prefixlen, const uint8_t *addr)
{
	struct lpm_route k = { .family = family, .prefixlen = prefixlen };

	memcpy(k.addr, addr, 16);
	lpm_mask(k.addr, family, prefixlen);
	return k;
}

/* Whether slot pos holds key's prefix (the index's pos_same_fn). */
static int same_route(const void *ctx, uint32_t pos, const struct lpm_route *key)
{
	const struct fpm_table *t = ctx;
	const struct froute *x;

	if (pos >= t->nr)
		return 0;
	x = &t->r[pos];
	return x->in_use && x->family == key->family && x->prefixlen == key->prefixlen &&
	       !memcmp(x->addr, key->addr, 16);
}

/* The slot of key's prefix, or -1. */
static int64_t slot_of(const struct fpm_table *t, const struct lpm_route *k)
{
	uint32_t pos;

	return pos_index_get(t->index, k, same_route, t, &pos) ? (int64_t)pos : -1;
}

static void route_del(struct fpm_table *t, const struct lpm_route *k)
{
	int64_t slot = slot_of(t, k);
	struct froute *x;

	if (slot < 0)
		return;
	pos_index_del(t->index, k, same_route, t);	/* while the slot still says k */
	x = &t->r[slot];
	list_put(t, x->list);
	named_drop(t, x->nh_id);
	memset(x, 0, sizeof(*x));
	t->free_slots[t->nfree++] = slot;
	t->nroutes--;
}

void fpm_table_clear(struct fpm_table *t)
{
	uint32_t i;

	for (i = 0; i < t->nr; i++)
		if (t->r[i].in_use) {
			struct lpm_route k = key_of(t->r[i].family, t->r[i].prefixlen, t->r[i].addr);

			route_del(t, &k);
		}
	free(t->r);
	free(t->free_slots);
	t->r = NULL;
	t->free_slots = NULL;
	t->nr = t->capr = t->nfree = 0;
	free(t->lists);		/* each list went with its last route */
	free(t->list_bucket);
	t->lists = NULL;
	t->list_bucket = NULL;
	t->nlists = t->caplists = t->nbuckets = t->free_list = 0;
	free(t->obj);
	t->obj = NULL;
	t->nobj = t->capobj = 0;
	t->ngroups = 0;
	free(t->named);		/* each id went with its last route */
	t->named = NULL;
	t->nnamed = t->capnamed = 0;
}

/* A slot for a new route, or -ENOMEM. */
static int64_t slot_alloc(struct fpm_table *t)
{
	if (t->nfree)
		return t->free_slots[--t->nfree];
	if (t->nr == t->capr) {
		uint32_t cap = t->capr ? 2 * t->capr : 1024;
		struct froute *r = realloc(t->r, sizeof(*r) * cap);
		uint32_t *fs;

		if (!r)
			return -ENOMEM;
		t->r = r;
		fs = realloc(t->free_slots, sizeof(*fs) * cap);
		if (!fs)
			return -ENOMEM;
		t->free_slots = fs;
		t->capr = cap;
	}
	memset(&t->r[t->nr], 0, sizeof(t->r[0]));
	return t->nr++;
}

static int route_put(struct fpm_table *t, const struct nl_route *r)
{
	struct lpm_route k = key_of(r->family, r->prefixlen, r->addr);
	int64_t slot = slot_of(t, &k);
	uint32_t list = 0;
	struct froute *x;

	if (r->nnh && !(list = list_get(t, r->nh, r->nnh)))
		return -ENOMEM;
	if (named_add(t, r->nh_id)) {
		list_put(t, list);
		return -ENOMEM;
	}
	if (slot < 0) {
		slot = slot_alloc(t);
		if (slot < 0 || pos_index_put(t->index, &k, slot, same_route, t)) {
			if (slot >= 0)
				t->free_slots[t->nfree++] = slot;
			named_drop(t, r->nh_id);
			list_put(t, list);
			return -ENOMEM;
		}
		t->nroutes++;
	}
	x = &t->r[slot];
	list_put(t, x->list);
	named_drop(t, x->nh_id);
	x->family = r->family;
	x->prefixlen = r->prefixlen;
	memcpy(x->addr, k.addr, 16);
	x->protocol = r->protocol;
	x->type = r->type;
	x->in_use = 1;
	/* More paths than a group holds: kept as the kernel's. */
	x->encap = r->encap || r->nh_truncated;
	x->nnh = r->nnh;
	x->metric = r->metric;
	x->nh_id = r->nh_id;
	x->list = list;
	return 0;
}

static int obj_pos(const struct fpm_table *t, uint32_t id, int *found)
{
	return (int)id_pos(t->obj, (uint32_t)t->nobj, sizeof(*t->obj), id, found);
}

static int obj_put(struct fpm_table *t, const struct nl_nexthop *n)
{
	int found, i = obj_pos(t, n->id, &found);

	if (!found) {
		if (t->nobj == t->capobj) {
			int cap = t->capobj ? 2 * t->capobj : 64;
			struct fobj *o = realloc(t->obj, sizeof(*o) * cap);

			if (!o)
				return -ENOMEM;
			t->obj = o;
			t->capobj = cap;
		}
		memmove(&t->obj[i + 1], &t->obj[i], sizeof(*t->obj) * (t->nobj - i));
		t->nobj++;
		t->ngroups++;
	}
	t->obj[i].n = *n;
	return 0;
}

static void obj_del(struct fpm_table *t, uint32_t id)
{
	int found, i = obj_pos(t, id, &found);

	if (!found)
		return;
	memmove(&t->obj[i], &t->obj[i + 1], sizeof(*t->obj) * (t->nobj - i - 1));
	t->nobj--;
	t->ngroups--;
}

/* A held route as the message it came in (its nexthops, not the rest of
 * the array). */
static void to_route(const struct fpm_table *t, const struct froute *x, struct nl_route *r)
{
	memset(r, 0, offsetof(struct nl_route, nh));
	r->family = x->family;
	r->prefixlen = x->prefixlen;
	memcpy(r->addr, x->addr, 16);
	r->protocol = x->protocol;
	r->type = x->type;
	r->table = RT_TABLE_MAIN;
	r->metric = x->metric;
	r->nh_id = x->nh_id;
	r->encap = x->encap;
	r->nnh = x->nnh;
	r->deleted = 0;
	if (x->nnh)
		memcpy(r->nh, t->lists[x->list].nh, sizeof(r->nh[0]) * x->nnh);
}

void fpm_table_route(const struct fpm_table *t, const struct lpm_route *key, struct nl_route *r)
{
	int64_t slot = slot_of(t, key);

	if (slot >= 0) {
		to_route(t, &t->r[slot], r);
	} else {
		memset(r, 0, offsetof(struct nl_route, nh));
		r->family = key->family;
		r->prefixlen = key->prefixlen;
		memcpy(r->addr, key->addr, 16);
		r->table = RT_TABLE_MAIN;
		r->deleted = 1;
	}
	/* "The prefix is now this": the stream's own DEL, NEW and replace
	 * are settled in the table. */
	r->nlflags = NLM_F_REPLACE;
}

int fpm_table_names(const struct fpm_table *t, uint32_t id)
{
	int found;

	named_pos(t, id, &found);
	return found;
}

uint32_t fpm_table_missing(const struct fpm_table *old, const struct fpm_table *now)
{
	uint32_t i, n = 0;

	for (i = 0; i < old->nr; i++) {
		const struct froute *x = &old->r[i];
		struct lpm_route k;

		if (!x->in_use)
			continue;
		k = key_of(x->family, x->prefixlen, x->addr);
		n += slot_of(now, &k) < 0;
	}
	return n;
}

enum fpm_take fpm_table_take(struct fpm_table *t, const struct nlmsghdr *nlh, uint32_t table)
{
	static struct nl_route r;	/* 2 KiB; the main thread's alone */
	struct nl_nexthop n;
	struct lpm_route k;

	switch (nlh->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		if (nl_route_parse(nlh, &r) < 0)
			return FPM_TAKE_MALFORMED;
		/* Another family, or another table (a VRF's, or main when
		 * the config names another): not ours. Held as main's, the
		 * table the mirror reads. */
		if (!r.family || r.table != table || r.cloned)
			return FPM_TAKE_IGNORED;
		if (r.deleted) {
			k = key_of(r.family, r.prefixlen, r.addr);
			if (slot_of(t, &k) < 0)
				return FPM_TAKE_SAME;
			route_del(t, &k);
			return FPM_TAKE_CHANGED;
		}
		return route_put(t, &r) ? FPM_TAKE_NOMEM : FPM_TAKE_CHANGED;
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		if (nl_nexthop_parse(nlh, &n))
			return FPM_TAKE_MALFORMED;
		if (n.deleted) {
			obj_del(t, n.id);
			return FPM_TAKE_CHANGED;
		}
		return obj_put(t, &n) ? FPM_TAKE_NOMEM : FPM_TAKE_CHANGED;
	default:
		return FPM_TAKE_IGNORED;
	}
}

/* ---- a restarted ecmpd's pins ---- */

struct adopt_ctx {
	struct fpm_table *t;
	const struct plane *p;
	int err;
};

static int adopt_one(const struct lpm_route *lr, void *arg)
{
	struct adopt_ctx *c = arg;
	static struct nl_route r;
	const struct grp *g;
	uint32_t gid;
	int i;

	if (lr->leaf == ECMP_LPM_NONE || lr->leaf == ECMP_LPM_LOCAL ||
	    lr->leaf == ECMP_LPM_CONNECTED)
		return 0;
	gid = ECMP_LPM_GROUP(lr->leaf);
	if (gid >= c->p->dp.max_entries[DP_GROUPS])
		return 0;
	g = &c->p->grp[gid];
	if (!g->in_use || strcmp(text_route_source(g->name), "fpm"))
		return 0;
	memset(&r, 0, sizeof(r));
	r.family = lr->family;
	r.prefixlen = lr->prefixlen;
	memcpy(r.addr, lr->addr, 16);
	r.protocol = RTPROT_ZEBRA;
	r.type = RTN_UNICAST;
	r.table = RT_TABLE_MAIN;
	for (i = 0; i < g->nmembers && i < NL_ROUTE_MAX_NH; i++) {
		const struct conf_nexthop *n = &c->p->nh[g->member[i]].c;
		struct nl_route_nh *h = &r.nh[r.nnh++];

		h->family = n->family;
		memcpy(h->via, n->via, 16);
		h->ifindex = if_nametoindex(n->dev);
		h->weight = n->weight;
	}
	if (route_put(c->t, &r)) {
		c->err = -ENOMEM;
		return 1;
	}
	return 0;
}

int fpm_table_adopt(struct fpm_table *t, const struct plane *p)
{
	struct adopt_ctx c = { t, p, 0 };

	if (!p->lpm || t->nroutes)
		return 0;
	lpm_for_each(p->lpm, adopt_one, &c);
	return c.err;
}

/* ---- into the mirror ---- */

void fpm_table_feed(const struct fpm_table *t, struct mirror *m)
{
	static struct nl_route r;
	uint32_t i;
	int j;

	for (j = 0; j < t->nobj; j++)
		mirror_take_fpm_nexthop(m, &t->obj[j].n);
	for (i = 0; i < t->nr; i++) {
		if (!t->r[i].in_use)
			continue;
		to_route(t, &t->r[i], &r);
		mirror_take_fpm(m, &r);
	}
}
