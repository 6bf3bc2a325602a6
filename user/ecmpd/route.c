// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Routes: the config's prefixes, plus one host entry (ECMP_LPM_LOCAL) for
 * every address of the router that falls inside them, so traffic to the
 * router itself always reaches the kernel, and the connected subnet of
 * each (ECMP_LPM_CONNECTED) that a config route covers, so hosts on the
 * router's own links (and their broadcast and anycast addresses) are the
 * kernel's to reach, as in its own FIB. The trie (lpm.c) is what the
 * data path reads; ecmp_routes holds the same set for ecmpctl and restarts.
 * Additions and changes are written before removals, so a prefix that is
 * being replaced by more specific ones is never briefly unrouted. An
 * address's coming and going changes its own entries alone
 * (route_local.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "plane.h"
#include "lib/array.h"
#include "lib/log.h"
#include "lib/route_set.h"

/* Trie chunks a table may not use: a change builds its subtree anew
 * before the old one goes (lpm.h), so the last ones are kept for that. */
static uint32_t trie_reserve(uint32_t nchunks)
{
	return nchunks / 32 + 16 < nchunks / 2 ? nchunks / 32 + 16 : nchunks / 2;
}

struct want {
	struct lpm_route *r;
	int n, cap;
};

static int want_add(struct want *w, const struct lpm_route *r)
{
	if (w->n == w->cap) {
		int cap = w->cap ? w->cap * 2 : 64;
		struct lpm_route *n = realloc(w->r, sizeof(*n) * cap);

		if (!n)
			return -ENOMEM;
		w->r = n;
		w->cap = cap;
	}
	w->r[w->n++] = *r;
	return 0;
}

/* Adds r, or sets its leaf on the same prefix already wanted (a config
 * route of exactly that prefix, at index same, or -1: the kernel's entry
 * wins; without override an entry ecmpd itself added first, e.g. a
 * second address in one subnet, is kept as it is). Only ecmpd's own
 * entries are looked for, in own (prefix -> index in w, as its leaf): a
 * few per address, where the config can hold a million routes and a
 * node thousands of addresses. */
static int want_leaf(struct want *w, struct route_set *own, int same,
		     const struct lpm_route *r, int override)
{
	const struct lpm_route *seen = same < 0 ? route_set_get(own, r) : NULL;
	int i = same >= 0 ? same : seen ? (int)seen->leaf : w->n, err;

	if (i == w->n) {
		struct lpm_route at = *r;

		at.leaf = w->n;
		err = route_set_put(own, &at);
		return err ? err : want_add(w, r);
	}
	if (override || (w->r[i].leaf != ECMP_LPM_LOCAL && w->r[i].leaf != ECMP_LPM_CONNECTED))
		w->r[i].leaf = r->leaf;
	return 0;
}

static int prefix_covers(uint8_t family, const uint8_t *addr, uint8_t prefixlen,
			 const struct local_addr *a)
{
	uint8_t x[16];

	if (family != a->family)
		return 0;
	memcpy(x, a->addr, 16);
	lpm_mask(x, a->family, prefixlen);
	return !memcmp(x, addr, 16);
}

static int covers(const struct conf_route *r, const struct local_addr *a)
{
	return prefix_covers(r->family, r->addr, r->prefixlen, a);
}

/* What the config's routes say of each of the router's addresses: the
 * shortest route covering it (255: none), and the config routes that are
 * exactly its subnet and its host prefix (-1: none). */
struct local_cover {
	uint8_t shortest;
	int subnet, host;
};

/* One pass over the routes, each looked up in a set of every prefix that
 * could cover an address (the address cut at every length): a config of
 * a million routes is read once, not once per address. */
static int cover_locals(const struct plane *p, const struct ecmp_conf *conf,
			struct local_cover *lc)
{
	struct route_set *could = route_set_new();
	int i, j, len, err = could ? 0 : -ENOMEM;

	for (j = 0; j < p->nlocal; j++)
		lc[j] = (struct local_cover){ .shortest = 255, .subnet = -1, .host = -1 };
	for (j = 0; !err && j < p->nlocal; j++) {
		const struct local_addr *a = &p->local[j];

		for (len = 0; !err && len <= (a->family == ECMP_AF_INET ? 32 : 128); len++) {
			struct lpm_route k = { .family = a->family, .prefixlen = len };

			memcpy(k.addr, a->addr, 16);
			lpm_mask(k.addr, a->family, len);
			err = route_set_put(could, &k);
		}
	}
	for (i = 0; !err && i < conf->nroute; i++) {
		const struct conf_route *r = &conf->route[i];
		struct lpm_route k = { .family = r->family, .prefixlen = r->prefixlen };

		memcpy(k.addr, r->addr, 16);
		if (!route_set_get(could, &k))
			continue;
		for (j = 0; j < p->nlocal; j++) {
			const struct local_addr *a = &p->local[j];

			if (!covers(r, a))
				continue;
			if (r->prefixlen < lc[j].shortest)
				lc[j].shortest = r->prefixlen;
			if (r->prefixlen == a->prefixlen)
				lc[j].subnet = i;
			if (r->prefixlen == (a->family == ECMP_AF_INET ? 32 : 128))
				lc[j].host = i;
		}
	}
	route_set_free(could);
	return err;
}

/* Each config group's id in the plane (looked up once: a mirrored table
 * has a million routes over a few dozen groups). NULL on ENOMEM. A dry
 * run comes before new groups have ids: each then gets a stand-in past
 * every real one, as the real run's new ids are unlike every id in use.
 * The dry run's routes then have the leaves the real run's will, as far
 * as the trie can tell: neighbouring routes of one group merge into runs,
 * of two do not (with one stand-in for all groups, a table of many was
 * counted as runs it does not make, and passed a check it then failed). */
static int *group_ids(const struct plane *p, const struct ecmp_conf *conf, int dry_run)
{
	int *gids = malloc(sizeof(*gids) * (conf->ngroup ? conf->ngroup : 1)), k;

	for (k = 0; gids && k < conf->ngroup; k++) {
		gids[k] = grp_find(p, conf->group[k].name);
		if (dry_run && gids[k] < 0)
			gids[k] = (int)p->dp.max_entries[DP_GROUPS] + k;
	}
	return gids;
}

/* The config routes that the addresses' entries will override (their
 * prefix is an address's subnet or host prefix), as the config has them:
 * what a patch gives back when the address goes (route_local.c). Called
 * before the overrides. Without the set (out of memory) an address event
 * takes a whole sync instead, so this never fails a sync. */
static void note_under(struct plane *p, const struct want *w, const struct local_cover *lc)
{
	int j, err = 0;

	if (!p->under)
		p->under = route_set_new();
	if (p->under)
		route_set_clear(p->under);
	for (j = 0; p->under && !err && j < p->nlocal; j++) {
		if (lc[j].subnet >= 0)
			err = route_set_put(p->under, &w->r[lc[j].subnet]);
		if (!err && lc[j].host >= 0)
			err = route_set_put(p->under, &w->r[lc[j].host]);
	}
	if (err) {
		route_set_free(p->under);
		p->under = NULL;
	}
}

/* The full set of routes the trie should hold. */
static int build_want(struct plane *p, const struct ecmp_conf *conf,
		      int dry_run, struct want *w)
{
	int *gids = group_ids(p, conf, dry_run);
	struct route_set *own;
	struct local_cover *lc;
	int i, j, err;

	/* The config's routes, a subnet and a host entry per address. */
	if (!gids || array_reserve(&w->r, &w->cap, conf->nroute + 2 * p->nlocal, sizeof(*w->r))) {
		free(gids);
		return -ENOMEM;
	}
	for (i = 0; i < conf->nroute; i++) {
		const struct conf_route *cr = &conf->route[i];
		struct lpm_route r = { .family = cr->family,
				       .prefixlen = cr->prefixlen };
		int gid = cr->group < 0 ? 0 : gids[cr->group];

		if (gid < 0) {
			free(gids);
			return -ENOENT;
		}
		memcpy(r.addr, cr->addr, 16);
		/* group -1: a kernel route the mirror cannot take (mirror.c);
		 * the kernel's, like a connected subnet. */
		r.leaf = cr->group < 0 ? ECMP_LPM_CONNECTED : ECMP_LPM_LEAF(gid);
		err = want_add(w, &r);
		if (err) {
			free(gids);
			return err;
		}
	}
	free(gids);
	if (!dry_run)
		route_local_reindex(p);
	if (!p->nlocal) {
		if (!dry_run && p->under)
			route_set_clear(p->under);
		return 0;
	}
	lc = malloc(sizeof(*lc) * p->nlocal);
	own = route_set_new();
	err = lc && own ? cover_locals(p, conf, lc) : -ENOMEM;
	if (!err && !dry_run)
		note_under(p, w, lc);
	/* Connected subnets first, then host entries: an address's own /32
	 * or /128 overrides its subnet's entry. */
	for (j = 0; !err && j < p->nlocal; j++) {
		const struct local_addr *a = &p->local[j];
		struct lpm_route r = { .family = a->family,
				       .prefixlen = a->prefixlen,
				       .leaf = ECMP_LPM_CONNECTED };

		memcpy(r.addr, a->addr, 16);
		lpm_mask(r.addr, r.family, r.prefixlen);
		if (lc[j].shortest <= r.prefixlen)
			err = want_leaf(w, own, lc[j].subnet, &r, 0);
	}
	for (j = 0; !err && j < p->nlocal; j++) {
		struct lpm_route r = { .family = p->local[j].family,
				       .leaf = ECMP_LPM_LOCAL };

		if (lc[j].shortest == 255)
			continue;
		r.prefixlen = r.family == ECMP_AF_INET ? 32 : 128;
		memcpy(r.addr, p->local[j].addr, 16);
		/* A host route of the config to our own address: local wins,
		 * the router never forwards its own traffic away. */
		err = want_leaf(w, own, lc[j].host, &r, 1);
	}
	route_set_free(own);
	free(lc);
	return err;
}

/* How far ahead a loop over a whole table starts its next lookups: a
 * full table's sets are far larger than the caches, and a miss at a time
 * made these loops most of a reload. */
#define AHEAD 16

enum installed { ROUTE_NEW, ROUTE_SAME, ROUTE_CHANGED };

/* What the trie holds of each wanted route (state[i]; state may be NULL):
 * returns how many of them it holds at all, and *same how many as they
 * are wanted. */
static uint32_t compare_installed(const struct lpm *t, const struct want *w,
				  uint8_t *state, uint32_t *same)
{
	uint32_t held = 0;
	int i;

	*same = 0;
	for (i = 0; t && i < w->n; i++) {
		struct lpm_route cur;
		uint8_t st = ROUTE_NEW;

		if (i + AHEAD < w->n)
			lpm_prefetch(t, &w->r[i + AHEAD]);
		if (!lpm_get(t, w->r[i].family, w->r[i].addr, w->r[i].prefixlen, &cur))
			st = cur.leaf == w->r[i].leaf ? ROUTE_SAME : ROUTE_CHANGED;
		held += st != ROUTE_NEW;
		*same += st == ROUTE_SAME;
		if (state)
			state[i] = st;
	}
	if (!t && state)
		memset(state, ROUTE_NEW, w->n);
	return held;
}

static int dry_run_fits(struct plane *p, const struct want *w, char *err,
			size_t errlen)
{
	uint32_t n = p->dp.max_entries[DP_LPM_NODE], need;
	uint32_t max = p->dp.max_entries[DP_ROUTES];
	/* ecmp_routes holds old and new routes while a reload swaps them
	 * (new ones go in before old ones come out). */
	uint32_t same, held = compare_installed(p->lpm, w, NULL, &same);
	uint32_t fresh = w->n - held;
	int ret;

	if ((p->lpm ? lpm_route_count(p->lpm) : 0) + fresh > max) {
		snprintf(err, errlen,
			 "%d routes (with the router's own addresses; %u new while %u stay installed during the swap) do not fit the %u of %s ('limits routes N')",
			 w->n, fresh, p->lpm ? lpm_route_count(p->lpm) : 0, max, ECMP_MAP_ROUTES);
		return -ENOSPC;
	}
	/* The trie holds exactly these routes already (a reload that
	 * changes no route): nothing to fit. */
	if (p->lpm && (uint32_t)w->n == same && held == lpm_route_count(p->lpm))
		return 0;
	/* What the table takes built anew, counted without building it (a
	 * scratch build of a full table cost two seconds of every start). */
	ret = lpm_chunks_for(w->r, w->n, &need);
	if (!ret && need > n - trie_reserve(n)) {
		snprintf(err, errlen,
			 "%d routes need more than the %u trie chunks of %s (%u of them kept free for changes); use fewer or shorter prefixes, or raise 'limits chunks N'",
			 w->n, n, ECMP_MAP_LPM_NODE, trie_reserve(n));
		return -ENOSPC;
	}
	if (ret)
		snprintf(err, errlen, "route table check failed: %s", strerror(-ret));
	return ret;
}

static void route_key(const struct lpm_route *r, struct ecmp_route_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = r->family;
	k->prefixlen = r->prefixlen;
	memcpy(k->addr, r->addr, 16);
}

/*
 * ecmp_routes entries written in batches: one bpf() call per ROUTE_BATCH
 * routes instead of one per route (a million routes took a second in
 * syscalls alone). ecmp_routes is not the data path's (the trie is), so
 * the order of its writes does not matter.
 */
#define ROUTE_BATCH 4096

struct route_batch {
	struct ecmp_route_key k[ROUTE_BATCH];
	struct ecmp_route v[ROUTE_BATCH];
	uint32_t n;
	int fd;
};

static void batch_flush(struct route_batch *b)
{
	uint32_t count = b->n, i;

	if (!b->n)
		return;
	/* A kernel without batched hash updates (before 5.6), or a failure
	 * part way: the rest one by one. */
	if (bpf_map_update_batch(b->fd, b->k, b->v, &count, NULL))
		for (i = count < b->n ? count : 0; i < b->n; i++)
			if (bpf_map_update_elem(b->fd, &b->k[i], &b->v[i], 0))
				pr_warn("Failed to record a route in %s: %s",
					ECMP_MAP_ROUTES, strerror(errno));
	b->n = 0;
}

static void batch_add(struct route_batch *b, const struct lpm_route *r)
{
	route_key(r, &b->k[b->n]);
	b->v[b->n].leaf = r->leaf;
	if (++b->n == ROUTE_BATCH)
		batch_flush(b);
}

struct stale {
	struct lpm_route *r;
	int n, cap;
	const struct route_set *wanted;
};

static int find_stale(const struct lpm_route *r, void *arg)
{
	struct stale *s = arg;

	if (route_set_get(s->wanted, r))
		return 0;
	return want_add((struct want *)s, r);
}

/* Every route of the trie that w does not want, into s. */
static int find_all_stale(const struct lpm *t, const struct want *w, struct stale *s)
{
	struct route_set *wanted = route_set_new();
	int i, ret = 0;

	if (!wanted || route_set_reserve(wanted, w->n)) {
		route_set_free(wanted);
		return -ENOMEM;
	}
	for (i = 0; i < w->n && !ret; i++) {
		if (i + AHEAD < w->n)
			route_set_prefetch(wanted, &w->r[i + AHEAD]);
		ret = route_set_put(wanted, &w->r[i]);
	}
	s->wanted = wanted;
	if (!ret)
		ret = lpm_for_each(t, find_stale, s);
	s->wanted = NULL;
	route_set_free(wanted);
	return ret;
}

/* A table that shrank change by change can hold pages of tails and run
 * lists that fewer pages would hold (a page frees only when empty), more
 * chunks than the fit check counts: given back before a whole read needs
 * the room. */
static void compact_trie(struct plane *p)
{
	uint32_t back;
	int ret;

	if (!lpm_pages_spare(p->lpm))
		return;
	ret = lpm_compact(p->lpm, &back);
	p->trie_compactions++;
	p->trie_chunks_back += back;
	if (ret)
		pr_warn("Route trie compaction stopped: %s; the trie stays correct, with fewer chunks free",
			strerror(-ret));
	else
		pr_info("route trie compacted: %u chunks given back, %u in use",
			back, lpm_chunks_used(p->lpm));
}

int route_sync(struct plane *p, const struct ecmp_conf *conf, int dry_run,
	       char *err, size_t errlen)
{
	struct want w = { 0 };
	struct stale s = { 0 };
	struct route_batch *batch = NULL;
	uint8_t *state = NULL;
	uint32_t same;
	int i, ret, end;

	ret = build_want(p, conf, dry_run, &w);
	if (ret) {
		snprintf(err, errlen, "cannot build the route set: %s", strerror(-ret));
		goto out;
	}
	if (dry_run) {
		ret = dry_run_fits(p, &w, err, errlen);
		goto out;
	}
	batch = malloc(sizeof(*batch));
	if (!batch) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	batch->n = 0;
	batch->fd = p->dp.fd[DP_ROUTES];
	state = malloc(w.n ? w.n : 1);
	if (!state) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* What is installed but no longer wanted, looked for only when the
	 * trie holds routes that are not wanted (keys are unique in both):
	 * a reload that removes no route skips a set of the whole table. */
	if (compare_installed(p->lpm, &w, state, &same) < lpm_route_count(p->lpm)) {
		ret = find_all_stale(p->lpm, &w, &s);
		if (ret) {
			snprintf(err, errlen, "route table update failed: %s", strerror(-ret));
			goto out;
		}
	}
	compact_trie(p);
	/* Removals and additions in one pass, each root entry built once at
	 * the end, those that shrink first: the trie never holds the old and
	 * the new table together, only the part of one changing at a time.
	 * The states above stay true meanwhile: a change touches its own
	 * prefix's entry in the trie's set alone. */
	lpm_bulk_begin(p->lpm);
	for (i = 0; i < s.n; i++)
		lpm_del(p->lpm, s.r[i].family, s.r[i].addr, s.r[i].prefixlen);
	for (i = 0; i < w.n; i++) {
		if (i + AHEAD < w.n && state[i + AHEAD] != ROUTE_SAME)
			lpm_prefetch(p->lpm, &w.r[i + AHEAD]);
		if (state[i] == ROUTE_SAME)
			continue;	/* already there */
		ret = lpm_add(p->lpm, &w.r[i]);
		if (ret)
			break;
		batch_add(batch, &w.r[i]);
	}
	end = lpm_bulk_end(p->lpm);	/* what was recorded, even after a failure */
	ret = ret ? ret : end;
	/* ecmp_routes is the table as ecmpd keeps it (the data path reads
	 * the trie): new entries before old ones go, as the limit counts. */
	batch_flush(batch);
	for (i = 0; i < s.n; i++) {
		struct ecmp_route_key k;

		route_key(&s.r[i], &k);
		bpf_map_delete_elem(p->dp.fd[DP_ROUTES], &k);
	}
	if (ret)
		snprintf(err, errlen, "route table update failed: %s", strerror(-ret));
out:
	free(batch);
	free(state);
	free(w.r);
	free(s.r);
	return ret;
}

/* A patch never takes the room kept for changes: compaction may give it
 * back (milliseconds), else a whole read says whether the table fits. */
int route_write(struct plane *p, const struct lpm_route *r, int remove)
{
	struct ecmp_route_key k;
	struct ecmp_route v = { .leaf = r->leaf };
	int ret;

	if (!remove && lpm_chunks_free(p->lpm) < trie_reserve(p->dp.max_entries[DP_LPM_NODE]))
		compact_trie(p);
	if (!remove && lpm_chunks_free(p->lpm) < trie_reserve(p->dp.max_entries[DP_LPM_NODE]))
		return -EAGAIN;
	route_key(r, &k);
	if (remove) {
		ret = lpm_del(p->lpm, r->family, r->addr, r->prefixlen);
		if (ret && ret != -ENOENT)
			return ret;
		bpf_map_delete_elem(p->dp.fd[DP_ROUTES], &k);
		return 0;
	}
	ret = lpm_add(p->lpm, r);
	if (ret)
		return ret;
	if (bpf_map_update_elem(p->dp.fd[DP_ROUTES], &k, &v, 0))
		pr_warn("Failed to record a route in %s: %s", ECMP_MAP_ROUTES,
			strerror(errno));
	return 0;
}

int route_patch(struct plane *p, const struct lpm_route *r, int remove)
{
	if (route_holds_local(p, r->family, r->addr, r->prefixlen))
		return route_patch_local(p, r, remove);
	return route_write(p, r, remove);
}
