// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A config applied as a difference from what the maps hold, in an order the
 * data path can follow packet by packet: nexthops first (new ones unusable
 * until resolved), then group tables (written, then published), then
 * routes, and only then removals: routes before the groups they point to,
 * groups before their nexthops. Everything that can fail for lack of room
 * (ids, bucket slots, trie chunks) is checked before the first write, so a
 * config that does not fit changes nothing.
 *
 * Opening the plane adopts the pinned state: ids, tables, routes, drain
 * flags and the seed come back from the maps, so a restarted ecmpd with an
 * unchanged config writes nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/neighbour.h>
#include <bpf/bpf.h>

#include "plane.h"
#include "lib/clock.h"
#include "lib/route_set.h"
#include "lib/rcu.h"
#include "lib/log.h"

/* The index of ifindex in p->link, or where it would go. */
int plane_link_pos(const struct plane *p, int ifindex)
{
	int lo = 0, hi = p->nlinks;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (p->link[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct link_state *plane_link(const struct plane *p, int ifindex)
{
	int i = plane_link_pos(p, ifindex);

	return i < p->nlinks && p->link[i].ifindex == ifindex ? &p->link[i] : NULL;
}

static void adopt_nexthops(struct plane *p)
{
	uint32_t id;

	for (id = 0; id < p->dp.max_entries[DP_NEXTHOPS]; id++) {
		struct ecmp_nh_meta m;
		struct nh *n = &p->nh[id];
		const struct ecmp_nexthop *d = &p->dp.nexthops[id];

		if (bpf_map_lookup_elem(p->dp.fd[DP_NH_META], &id, &m) || !m.family)
			continue;
		n->in_use = 1;
		snprintf(n->c.name, sizeof(n->c.name), "%.*s",
			 (int)sizeof(m.name), m.name);
		memcpy(n->c.via, m.via, 16);
		n->c.family = m.family;
		n->c.weight = m.weight;
		n->c.vlan = m.vlan;
		n->c.bfd = !!(m.flags & ECMP_NH_META_BFD);
		n->ifindex = m.ifindex;
		if (!if_indextoname(m.ifindex, n->c.dev))
			n->c.dev[0] = 0;
		n->drained = !!(m.flags & ECMP_NH_META_DRAINED);
		n->usable = !!(d->flags & ECMP_NH_USABLE);
		/* Trust what the data path uses until the kernel's neighbour
		 * table (dumped next) says otherwise. */
		if (n->usable && n->c.bfd)
			n->bfd_grace_until_ms = clock_mono_ms() + NH_BFD_GRACE_MS;
		if (n->usable) {
			memcpy(n->mac, d->dmac, 6);
			n->has_mac = 1;
			n->nud = NUD_REACHABLE;
		}
	}
}

static void adopt_groups(struct plane *p)
{
	uint32_t gid;
	int i;

	for (gid = 0; gid < p->dp.max_entries[DP_GROUPS]; gid++) {
		struct ecmp_grp_meta m;
		struct grp *g = &p->grp[gid];
		uint64_t table = dp_group_word(&p->dp, gid);

		if (bpf_map_lookup_elem(p->dp.fd[DP_GRP_META], &gid, &m) || !m.in_use)
			continue;
		if (ecmp_group_mask(table) + 1 != m.buckets ||
		    (uint64_t)ecmp_group_base(table) + m.buckets >
		    p->dp.max_entries[DP_BUCKETS]) {
			pr_warn("group %.*s: pinned table does not match its metadata; it will be rebuilt",
				(int)sizeof(m.name), m.name);
			continue;
		}
		g->in_use = 1;
		snprintf(g->name, sizeof(g->name), "%.*s", (int)sizeof(m.name), m.name);
		g->base = ecmp_group_base(table);
		g->nbuckets = m.buckets;
		g->nmembers = m.nmembers > ECMP_MAX_GROUP_MEMBERS ? ECMP_MAX_GROUP_MEMBERS : m.nmembers;
		for (i = 0; i < g->nmembers; i++) {
			g->member[i] = m.member[i].nexthop;
			g->weight[i] = m.member[i].weight;
		}
		g->idle_timer_ms = m.idle_timer_ms;
		g->unbalanced_timer_ms = m.unbalanced_timer_ms;
		memset(p->slot_used + g->base, 1, g->nbuckets);
		grp_index_refresh(p, gid);
	}
}

struct route_list {
	struct lpm_route *r;
	uint32_t n, cap;
	int failed;
};

static void take_route(const struct ecmp_route_key *k, const struct ecmp_route *v, void *arg)
{
	struct route_list *l = arg;

	if (l->failed)
		return;
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 256;
		struct lpm_route *x = realloc(l->r, sizeof(*x) * cap);

		if (!x) {
			l->failed = 1;
			return;
		}
		l->r = x;
		l->cap = cap;
	}
	memset(&l->r[l->n], 0, sizeof(l->r[0]));
	l->r[l->n].family = k->family;
	l->r[l->n].prefixlen = k->prefixlen;
	memcpy(l->r[l->n].addr, k->addr, 16);
	l->r[l->n].leaf = v->leaf;
	l->n++;
}

static int adopt_routes(struct plane *p)
{
	struct route_list l = { 0 };
	struct lpm_route *r;
	uint32_t n, repaired;
	int err = dp_each_route(p->dp.fd[DP_ROUTES], take_route, &l);

	if (err || l.failed) {
		free(l.r);
		return err ? err : -ENOMEM;
	}
	r = l.r;
	n = l.n;
	p->lpm = lpm_attach(p->dp.root, p->dp.node, p->dp.max_entries[DP_LPM_NODE],
			    r, n, &repaired);
	free(r);
	if (!p->lpm)
		return -EINVAL;
	if (repaired)
		pr_warn("Route table: %u trie entries disagreed with %s and were corrected",
			repaired, ECMP_MAP_ROUTES);
	return 0;
}

int plane_open(struct plane *p, const char *pin_root)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->neigh_reconfirm_ms = PLANE_NEIGH_RECONFIRM_MS;
	err = dp_open_pinned(&p->dp, pin_root, 1);
	if (err)
		return err;
	p->nh = calloc(p->dp.max_entries[DP_NEXTHOPS], sizeof(*p->nh));
	p->grp = calloc(p->dp.max_entries[DP_GROUPS], sizeof(*p->grp));
	p->slot_used = calloc(p->dp.max_entries[DP_BUCKETS], 1);
	p->ix_pos = calloc(p->dp.max_entries[DP_BUCKETS], sizeof(*p->ix_pos));
	p->nh_bfd = calloc(p->dp.max_entries[DP_NEXTHOPS], 1);
	p->bfd_changed = calloc(p->dp.max_entries[DP_NEXTHOPS], 1);
	if (!p->nh || !p->grp || !p->slot_used || !p->ix_pos || !p->nh_bfd ||
	    !p->bfd_changed) {
		plane_close(p);
		return -ENOMEM;
	}
	adopt_nexthops(p);
	adopt_groups(p);
	err = adopt_routes(p);
	if (err) {
		pr_warn("Failed to take over the route trie under %s: %s", pin_root,
			strerror(-err));
		plane_close(p);
		return err;
	}
	/* Slot 0: where unused groups point; never owned. */
	p->slot_used[0] = 1;
	grp_slots_count(p);	/* counted once; kept by alloc and free */
	p->dp.buckets[0].nexthop = ECMP_BUCKET_EMPTY;
	p->seed[0] = p->dp.config->seed[0];
	p->seed[1] = p->dp.config->seed[1];
	p->hash_flags = p->dp.config->hash_flags;
	return 0;
}

void plane_close(struct plane *p)
{
	lpm_free(p->lpm);
	free(p->nh);
	free(p->grp);
	free(p->slot_used);
	free(p->ix_pos);
	free(p->nh_bfd);
	free(p->bfd_changed);
	free(p->link);
	free(p->local);
	free(p->unrouted);
	route_set_free(p->under);
	route_set_free(p->subnets);
	dp_close(&p->dp, 1);
	memset(p, 0, sizeof(*p));
}

void plane_tick_epoch(struct plane *p)
{
	__atomic_store_n(&p->dp.config->epoch,
			 (uint32_t)(clock_mono_ns() >> ECMP_SEEN_SHIFT),
			 __ATOMIC_RELAXED);
}

/* ---- capacity, checked before anything is written ---- */

/* Every table a change takes needs one run of free slots, not just
 * enough free slots: the steps in the order the change takes them. First
 * the new groups of conf from new_from on (as add_groups()), then the
 * tables resized (as update_group()): of the groups resized[], or with
 * resized NULL of every group from new_from on. */
static int check_runs(struct plane *p, const struct ecmp_conf *conf, int new_from,
		      const int *resized, int nresized, char *err, size_t errlen)
{
	struct slot_step *s = calloc(conf->ngroup ? conf->ngroup : 1, sizeof(*s));
	uint32_t biggest = 0;
	int n = 0, k, i, ret = -ENOMEM;

	if (!resized)
		nresized = conf->ngroup - new_from;
	for (k = new_from; s && k < conf->ngroup; k++)
		if (grp_find(p, conf->group[k].name) < 0)
			s[n++] = (struct slot_step){ .n = conf->group[k].buckets, .resized = -1 };
	for (i = 0; s && i < nresized; i++) {
		const struct conf_group *cg = &conf->group[resized ? resized[i] : new_from + i];
		int g = grp_find(p, cg->name);

		if (g >= 0 && p->grp[g].nbuckets != cg->buckets)
			s[n++] = (struct slot_step){ .n = cg->buckets, .resized = g };
	}
	for (i = 0; i < n; i++)
		if (s[i].n > biggest)
			biggest = s[i].n;
	if (s)
		ret = grp_slots_make_room(p, s, n);
	free(s);
	if (ret == -ENOSPC)
		snprintf(err, errlen,
			 "new and resized groups need tables of up to %u buckets, each in one piece; %s has %u free, in pieces of at most %u, and moving tables in use would not make one; use fewer buckets, apply in two steps, or raise 'limits buckets N'",
			 biggest, ECMP_MAP_BUCKETS, grp_slots_free_count(p),
			 grp_slots_largest_run(p));
	else if (ret)
		snprintf(err, errlen, "out of memory");
	return ret;
}

/* Room for conf's new nexthops, new groups and their bucket tables, of
 * those from index nh_from and grp_from on (earlier ones: known). */
static int check_object_room(struct plane *p, const struct ecmp_conf *conf, int nh_from,
			     int grp_from, char *err, size_t errlen)
{
	uint32_t free_nh = 0, free_grp = 0, need_nh = 0, need_grp = 0, i;
	uint64_t need_slots = 0;
	int k;

	for (i = 0; i < p->dp.max_entries[DP_NEXTHOPS]; i++)
		free_nh += !p->nh[i].in_use;
	for (i = 0; i < p->dp.max_entries[DP_GROUPS]; i++)
		free_grp += !p->grp[i].in_use;
	for (k = nh_from; k < conf->nnexthop; k++)
		need_nh += nh_find(p, conf->nexthop[k].name) < 0;
	for (k = grp_from; k < conf->ngroup; k++) {
		int g = grp_find(p, conf->group[k].name);

		need_grp += g < 0;
		if (g < 0 || p->grp[g].nbuckets != conf->group[k].buckets)
			need_slots += conf->group[k].buckets;
	}
	if (need_nh > free_nh) {
		snprintf(err, errlen, "%u new nexthops, room for %u (%s holds %u; 'limits nexthops N')",
			 need_nh, free_nh, ECMP_MAP_NEXTHOPS,
			 p->dp.max_entries[DP_NEXTHOPS]);
		return -ENOSPC;
	}
	if (need_grp > free_grp) {
		snprintf(err, errlen, "%u new groups, room for %u (%s holds %u; 'limits groups N')",
			 need_grp, free_grp, ECMP_MAP_GROUPS,
			 p->dp.max_entries[DP_GROUPS]);
		return -ENOSPC;
	}
	if (need_slots > grp_slots_free_count(p)) {
		snprintf(err, errlen,
			 "new and resized groups need %llu buckets, %u are free in %s; use fewer buckets, apply in two steps, or raise 'limits buckets N'",
			 (unsigned long long)need_slots, grp_slots_free_count(p),
			 ECMP_MAP_BUCKETS);
		return -ENOSPC;
	}
	return check_runs(p, conf, grp_from, NULL, 0, err, errlen);
}

static int check_room(struct plane *p, const struct ecmp_conf *conf, char *err,
		      size_t errlen)
{
	int ret = check_object_room(p, conf, 0, 0, err, errlen);

	return ret ? ret : route_sync(p, conf, 1, err, errlen);
}

/* ---- the steps ---- */

static int same_address(const struct conf_nexthop *a, const struct conf_nexthop *b)
{
	return a->family == b->family && !memcmp(a->via, b->via, 16) &&
	       !strcmp(a->dev, b->dev) && a->vlan == b->vlan;
}

/* The config's nexthops that are new (from index `from` on): ids of their
 * own, which nothing in the data path uses until a group does. */
static void add_nexthops(struct plane *p, const struct ecmp_conf *conf, int from)
{
	int k;

	for (k = from; k < conf->nnexthop; k++) {
		const struct conf_nexthop *c = &conf->nexthop[k];
		int id;
		struct nh *n;

		if (nh_find(p, c->name) >= 0)
			continue;
		id = nh_alloc(p);	/* room checked */
		n = &p->nh[id];
		memset(n, 0, sizeof(*n));
		n->in_use = 1;
		n->c = *c;
		n->ifindex = if_nametoindex(c->dev);
		pr_info("nexthop %s: added (id %d)", c->name, id);
		nh_write_meta(p, id);
	}
}

static void update_nexthops(struct plane *p, const struct ecmp_conf *conf)
{
	int k;

	for (k = 0; k < conf->nnexthop; k++) {
		const struct conf_nexthop *c = &conf->nexthop[k];
		int id = nh_find(p, c->name);
		struct nh *n = &p->nh[id];	/* added before */

		if (!same_address(&n->c, c)) {
			/* A different neighbour: forget the old one first. */
			n->c = *c;
			n->ifindex = if_nametoindex(c->dev);
			n->has_mac = 0;
			n->nud = 0;
			n->probe_ms = 0;
			pr_info("nexthop %s: address changed", c->name);
			nh_refresh(p, id);
		} else {
			int had_bfd = n->c.bfd;

			n->c = *c;
			/* Liveness added to a nexthop in use: it keeps its place
			 * while the session comes up. */
			if (c->bfd && !had_bfd && n->usable)
				n->bfd_grace_until_ms = p->now_ms + NH_BFD_GRACE_MS;
			nh_refresh(p, id);
		}
	}
}

static void set_members(struct plane *p, struct grp *g,
			const struct ecmp_conf *conf, const struct conf_group *cg)
{
	int i;

	g->nmembers = cg->nmembers;
	for (i = 0; i < cg->nmembers; i++) {
		const struct conf_nexthop *c = &conf->nexthop[cg->member[i]];

		g->member[i] = nh_find(p, c->name);
		g->weight[i] = c->weight;
	}
	g->idle_timer_ms = cg->idle_timer_ms;
	g->unbalanced_timer_ms = cg->unbalanced_timer_ms;
}

static int members_differ(const struct grp *a, const struct grp *b)
{
	int i;

	if (a->nmembers != b->nmembers)
		return 1;
	for (i = 0; i < a->nmembers; i++)
		if (a->member[i] != b->member[i] || a->weight[i] != b->weight[i])
			return 1;
	return 0;
}

/* A new table for a group whose bucket count changed. Growing keeps every
 * flow where it was (new bucket b takes old bucket b mod old size, which is
 * where its flows hashed before); shrinking keeps the lower half. */
static void resize_group(struct plane *p, uint32_t gid, uint32_t nbuckets)
{
	struct grp *g = &p->grp[gid];
	uint32_t old_base = g->base, old_n = g->nbuckets, b;
	int64_t base = grp_slots_alloc(p, nbuckets);	/* a run checked */

	if (base < 0) {		/* cannot be (check_runs): the old table stays */
		pr_warn("group %s: no run of %u bucket slots; kept at %u buckets",
			g->name, nbuckets, old_n);
		return;
	}
	for (b = 0; b < nbuckets; b++) {
		const struct ecmp_bucket *o = &p->dp.buckets[old_base + (b & (old_n - 1))];

		p->dp.buckets[base + b].nexthop = o->nexthop;
		p->dp.buckets[base + b].last_seen = o->last_seen;
	}
	g->base = base;
	g->nbuckets = nbuckets;
	grp_rebalance(p, gid, GRP_FORCE);
	grp_publish(p, gid);
	rcu_wait_readers();
	grp_slots_free(p, old_base, old_n);
	pr_info("group %s: %u buckets (was %u)", g->name, nbuckets, old_n);
}

/* The config's groups that are new: tables of their own (a derived one
 * copies its source's table as the flows follow it now), which no route
 * uses yet. */
static void add_groups(struct plane *p, const struct ecmp_conf *conf, int from)
{
	int k;

	for (k = from; k < conf->ngroup; k++) {
		const struct conf_group *cg = &conf->group[k];
		int gid, from;
		struct grp *g;
		int64_t base;
		uint32_t b;

		if (grp_find(p, cg->name) >= 0)
			continue;
		from = cg->derive[0] ? grp_find(p, cg->derive) : -1;
		if (from >= 0 && p->grp[from].nbuckets != cg->buckets)
			from = -1;
		gid = grp_alloc(p);	/* room checked */
		g = &p->grp[gid];
		memset(g, 0, sizeof(*g));
		base = grp_slots_alloc(p, cg->buckets);	/* a run checked */
		if (base < 0) {	/* cannot be: its routes then fail, undone */
			pr_warn("group %s: no run of %u bucket slots", cg->name, cg->buckets);
			continue;
		}
		g->in_use = 1;
		snprintf(g->name, sizeof(g->name), "%s", cg->name);
		g->nbuckets = cg->buckets;
		g->base = base;
		for (b = 0; b < g->nbuckets; b++) {
			const struct ecmp_bucket *o = from < 0 ? NULL :
				&p->dp.buckets[p->grp[from].base + b];

			p->dp.buckets[g->base + b].nexthop = o ? o->nexthop : ECMP_BUCKET_EMPTY;
			p->dp.buckets[g->base + b].last_seen = o ? o->last_seen : 0;
		}
		set_members(p, g, conf, cg);
		/* A copy keeps its flows: departed members' buckets move
		 * now, newcomers take idle ones first. */
		grp_rebalance(p, gid, from < 0 ? GRP_FORCE : GRP_SETTLE);
		grp_publish(p, gid);
		grp_write_meta(p, gid);
		if (from >= 0)
			pr_info("group %s: added (id %d, %u buckets, from %s's table)",
				g->name, gid, g->nbuckets, p->grp[from].name);
		else
			pr_info("group %s: added (id %d, %u buckets)", g->name, gid,
				g->nbuckets);
	}
}

/* conf's group k, which the plane has, as conf says now. */
static void update_group(struct plane *p, const struct ecmp_conf *conf, int k)
{
	const struct conf_group *cg = &conf->group[k];
	int gid = grp_find(p, cg->name);	/* added before */
	struct grp *g = &p->grp[gid], before = *g;

	set_members(p, g, conf, cg);
	if (g->nbuckets != cg->buckets)
		resize_group(p, gid, cg->buckets);
	else if (members_differ(&before, g))
		/* Removed members' buckets move now, gains idle first. */
		grp_rebalance(p, gid, GRP_SETTLE);
	grp_write_meta(p, gid);
}

static void update_groups(struct plane *p, const struct ecmp_conf *conf)
{
	int k;

	for (k = 0; k < conf->ngroup; k++)
		update_group(p, conf, k);
}

/* Every group conf lacks points at the guard first; then one wait for the
 * data path's readers (milliseconds) frees all their buckets. */
static void remove_groups(struct plane *p, const struct ecmp_conf *conf)
{
	uint32_t gid, n = 0;

	for (gid = 0; gid < p->dp.max_entries[DP_GROUPS]; gid++) {
		struct grp *g = &p->grp[gid];

		if (!g->in_use || config_find_group(conf, g->name) >= 0)
			continue;
		g->in_use = 0;		/* its table still held: nbuckets */
		grp_publish(p, gid);	/* now points at the guard */
		grp_write_meta(p, gid);
		n++;
	}
	if (!n)
		return;
	rcu_wait_readers();
	for (gid = 0; gid < p->dp.max_entries[DP_GROUPS]; gid++) {
		struct grp *g = &p->grp[gid];

		if (g->in_use || !g->nbuckets)
			continue;
		grp_slots_free(p, g->base, g->nbuckets);
		pr_info("group %s: removed", g->name);
		memset(g, 0, sizeof(*g));
	}
}

static void remove_nexthops(struct plane *p, const struct ecmp_conf *conf)
{
	uint32_t id;

	for (id = 0; id < p->dp.max_entries[DP_NEXTHOPS]; id++) {
		struct nh *n = &p->nh[id];

		if (!n->in_use || config_find_nexthop(conf, n->c.name) >= 0)
			continue;
		__atomic_store_n(&p->dp.nexthops[id].flags, 0, __ATOMIC_RELEASE);
		pr_info("nexthop %s: removed", n->c.name);
		memset(n, 0, sizeof(*n));
		nh_write_meta(p, id);
		memset(&p->dp.nexthops[id], 0, sizeof(p->dp.nexthops[id]));
	}
}

static void apply_hash(struct plane *p, const struct ecmp_conf *conf)
{
	struct ecmp_config *c = p->dp.config;

	if (c->seed[0] != conf->seed[0] || c->seed[1] != conf->seed[1]) {
		if (c->flags & ECMP_CFG_READY)
			pr_warn("Hash seed changed: every flow may move to another nexthop");
		c->seed[0] = conf->seed[0];
		c->seed[1] = conf->seed[1];
	}
	if (c->hash_flags != conf->hash_flags) {
		if (c->flags & ECMP_CFG_READY)
			pr_info("Hash policy changed: flows may move");
		c->hash_flags = conf->hash_flags;
	}
	p->seed[0] = conf->seed[0];
	p->seed[1] = conf->seed[1];
	p->hash_flags = conf->hash_flags;
	__atomic_store_n(&c->flags, ECMP_CFG_READY, __ATOMIC_RELEASE);
}

/* A route update failed after its dry run: the previous config again
 * (only additions were made before the routes, so nothing in use moves). */
static void undo_apply(struct plane *p, const struct ecmp_conf *undo, char *err,
		       size_t errlen)
{
	size_t n = strlen(err);
	char why[256];

	if (!plane_apply(p, undo, NULL, why, sizeof(why))) {
		snprintf(err + n, errlen - n, "; undone: the previous routes, groups and nexthops are back");
		return;
	}
	p->apply_partial = 1;
	snprintf(err + n, errlen - n,
		 "; undoing it failed too (%s): the data path holds part of the new routes until an update succeeds",
		 why);
}

int plane_apply(struct plane *p, const struct ecmp_conf *conf,
		const struct ecmp_conf *undo, char *err, size_t errlen)
{
	int ret;

	p->apply_partial = 0;
	p->now_ms = clock_mono_ms();
	/* Idle means "not seen for idle_timer": that needs a current epoch,
	 * or on a fresh start no bucket would count as idle yet. */
	plane_tick_epoch(p);
	ret = check_room(p, conf, err, errlen);
	if (ret)
		return ret;
	/* What is new first, then the routes, then what changes in place:
	 * if the routes fail, what is in use has not changed yet. */
	add_nexthops(p, conf, 0);
	add_groups(p, conf, 0);
	ret = route_sync(p, conf, 0, err, errlen);
	/* --fail-route-update N: the Nth fails after the trie changed, as
	 * running out of memory part way would. */
	if (!ret && p->fail_route_update && !--p->fail_route_update) {
		ret = -ENOMEM;
		snprintf(err, errlen, "route table update failed: %s (--fail-route-update)",
			 strerror(ENOMEM));
	}
	if (ret) {	/* the dry run passed: a kernel or memory failure */
		if (undo)
			undo_apply(p, undo, err, errlen);
		else
			p->apply_partial = 1;
		return ret;
	}
	update_nexthops(p, conf);
	update_groups(p, conf);
	remove_groups(p, conf);
	remove_nexthops(p, conf);
	nh_sync_tx_ports(p);
	nh_refresh_all(p);
	iface_set(p, conf);
	iface_sync(p);
	kpath_sync(p, conf);
	apply_hash(p, conf);
	return 0;
}

int plane_add(struct plane *p, const struct ecmp_conf *conf, int nh_from, int grp_from,
	      char *err, size_t errlen)
{
	int ret, k;

	p->now_ms = clock_mono_ms();
	plane_tick_epoch(p);	/* idle buckets, as in plane_apply() */
	ret = check_object_room(p, conf, nh_from, grp_from, err, errlen);
	if (ret)
		return ret;
	add_nexthops(p, conf, nh_from);
	add_groups(p, conf, grp_from);
	nh_sync_tx_ports(p);
	for (k = nh_from; k < conf->nnexthop; k++)
		nh_refresh(p, nh_find(p, conf->nexthop[k].name));
	return 0;
}

int plane_regroup(struct plane *p, const struct ecmp_conf *conf, int nh_from,
		  const int *group, int n, char *err, size_t errlen)
{
	uint64_t slots = 0;
	int ret, k;

	p->now_ms = clock_mono_ms();
	plane_tick_epoch(p);	/* idle buckets, as in plane_apply() */
	for (k = 0; k < n; k++) {
		int gid = grp_find(p, conf->group[group[k]].name);

		if (gid < 0) {
			snprintf(err, errlen, "group %s is not in the data path",
				 conf->group[group[k]].name);
			return -ENOENT;
		}
		if (p->grp[gid].nbuckets != conf->group[group[k]].buckets)
			slots += conf->group[group[k]].buckets;
	}
	/* The new nexthops' room (no new group); then the resized tables'. */
	ret = check_object_room(p, conf, nh_from, conf->ngroup, err, errlen);
	if (ret)
		return ret;
	if (slots > grp_slots_free_count(p)) {
		snprintf(err, errlen,
			 "resized groups need %llu buckets, %u are free in %s; raise 'limits buckets N'",
			 (unsigned long long)slots, grp_slots_free_count(p), ECMP_MAP_BUCKETS);
		return -ENOSPC;
	}
	ret = check_runs(p, conf, conf->ngroup, group, n, err, errlen);
	if (ret)
		return ret;
	add_nexthops(p, conf, nh_from);
	nh_sync_tx_ports(p);
	for (k = nh_from; k < conf->nnexthop; k++)
		nh_refresh(p, nh_find(p, conf->nexthop[k].name));
	for (k = 0; k < n; k++)
		update_group(p, conf, group[k]);
	return 0;
}

void plane_drop(struct plane *p, const struct ecmp_conf *conf)
{
	remove_groups(p, conf);
	remove_nexthops(p, conf);
	nh_sync_tx_ports(p);
}
