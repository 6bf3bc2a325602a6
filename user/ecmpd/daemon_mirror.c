// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Routes from the kernel's table and zebra's stream into the data path
 * (mirror.h does the bookkeeping, this the daemon's part): the whole
 * table read and merged with the config, or one event applied alone (a
 * patch) while the data path holds the last merge; and the config routes'
 * copy in the kernel's FIB (fib.h), which the read of the main table
 * also gathers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/rtnetlink.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "daemon.h"

/* ---- the config routes in the kernel's FIB (fib.h) ---- */

/* The config routes this instance put in the kernel's FIB (fib.h). */
void sync_fib(struct daemon *d)
{
	char path[PATH_MAX];

	if (mkdir(d->state_dir, 0700) && errno != EEXIST)
		pr_warn("Failed to create %s: %s", d->state_dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/fib-routes", d->state_dir);
	d->fib_relink = 0;	/* what a link event asked for (links_back()) */
	fib_sync(&d->conf, path, d->fib_seen);
	fib_dump_free(d->fib_seen);
	d->fib_seen = NULL;
}

/* A start or reload with c: the whole-table read of `routes kernel`, when
 * of the main table, also gathers what sync_fib needs of it (a second
 * dump of a full table took 1.5 s). */
void fib_gather(struct daemon *d, const struct ecmp_conf *c)
{
	fib_dump_free(d->fib_seen);
	d->fib_seen = NULL;
	if (c->kernel_routes.enabled && c->kernel_routes.table == RT_TABLE_MAIN)
		d->fib_seen = fib_dump_new(c);
}

/* A reload that read no table (mirror_stands): what sync_fib needs of
 * the main table but ecmpd's own routes (other protocols' at c's
 * prefixes) from the mirror, which route events keep current; fib_sync
 * then dumps ecmpd's own alone. Not with zebra's stream, whose routes
 * would hide the kernel's: the table is dumped then, as before. */
void fib_gather_mirror(struct daemon *d, const struct ecmp_conf *c)
{
	static struct nl_route r;	/* large; the main thread's alone */
	struct fib_dump *seen;
	int i, got = 0;

	fib_dump_free(d->fib_seen);
	d->fib_seen = NULL;
	if (!c->kernel_routes.enabled || c->kernel_routes.table != RT_TABLE_MAIN ||
	    c->fpm.enabled || !d->mirror)
		return;
	seen = fib_dump_new(c);
	for (i = 0; seen && i < c->nroute && got >= 0; i++) {
		struct lpm_route k = { .family = c->route[i].family,
				       .prefixlen = c->route[i].prefixlen };
		struct mroute x;

		memcpy(k.addr, c->route[i].addr, 16);
		got = mirror_route_at(d->mirror, &k, &x);
		if (got <= 0)
			continue;
		memset(&r, 0, sizeof(r));
		r.family = x.family;
		r.prefixlen = x.prefixlen;
		memcpy(r.addr, x.addr, 16);
		r.table = RT_TABLE_MAIN;
		r.protocol = x.protocol;
		fib_dump_route(seen, &r);
	}
	if (got < 0) {
		fib_dump_free(seen);
		return;
	}
	fib_dump_others_done(seen);
	d->fib_seen = seen;
}

static void on_fib_route(void *ctx, const struct nl_route *r)
{
	fib_dump_route(ctx, r);
}

/* ---- whole reads ---- */

static const char *const read_cause_names[READ_CAUSES] = {
	[READ_START] = "start",
	[READ_RELOAD] = "reload",
	[READ_LINK] = "link",
	[READ_ADDRESS] = "address",
	[READ_ROUTE] = "route",
	[READ_OBJECT] = "nexthop_object",
	[READ_PATCH] = "patch_failed",
	[READ_LOST] = "events_lost",
	[READ_FPM] = "fpm",
};

const char *read_cause_name(enum read_cause c)
{
	return c < READ_CAUSES ? read_cause_names[c] : "?";
}

/* A read of the kernel's table done: it counts for each cause marked. */
static void count_read(struct daemon *d)
{
	int c;

	for (c = 0; c < READ_CAUSES; c++)
		d->read_causes[c] += (d->read_why >> c) & 1;
	d->read_why = 0;
}

/* out = file, plus the kernel's routes when it asks for them (read again
 * when reread). 0 or -errno with err set; out is then empty. */
int build_eff(struct daemon *d, const struct ecmp_conf *file, int reread,
	      struct ecmp_conf *out, char *err, size_t errlen)
{
	uint64_t t_read, t_merge;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!file->kernel_routes.enabled && !file->fpm.enabled) {
		ret = config_copy(out, file);
		if (ret)
			snprintf(err, errlen, "out of memory");
		return ret;
	}
	if (!d->mirror) {
		d->mirror = mirror_new();
		if (!d->mirror) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		reread = 1;
	}
	if (file->kernel_routes.enabled && !d->watching_routes) {
		ret = nl_watch_routes(&d->nl);
		if (ret) {
			snprintf(err, errlen, "routes kernel: cannot follow the kernel's routes: %s",
				 strerror(-ret));
			return ret;
		}
		d->watching_routes = 1;
		reread = 1;
	}
	t_read = clock_mono_us();
	if (reread) {
		d->mirror_dirty = 0;
		mirror_begin(d->mirror);
		if (file->kernel_routes.enabled) {
			struct nl_handlers fib = { .ctx = d->fib_seen, .route = on_fib_route };

			ret = mirror_read_kernel(d->mirror, &d->nl, &file->kernel_routes,
						 d->fib_seen ? &fib : NULL);
			count_read(d);
			if (!ret)
				fib_dump_done(d->fib_seen);
			if (ret) {
				snprintf(err, errlen, "routes kernel: cannot read table %u: %s",
					 file->kernel_routes.table, strerror(-ret));
				return ret;
			}
		} else {
			d->read_why = 0;	/* zebra's alone: no table read */
		}
		if (file->fpm.enabled && d->fpm)
			fpm_feed(d->fpm, d->mirror);
		ret = mirror_finish(d->mirror);
		if (ret) {
			snprintf(err, errlen, "mirrored routes: out of memory");
			return ret;
		}
	}
	d->mirror_in_step = 0;	/* until the plane holds this merge */
	t_merge = clock_mono_us();
	ret = mirror_merge(d->mirror, file, &d->plane, out);
	if (ret)
		snprintf(err, errlen, "routes kernel: out of memory");
	if (reread)
		pr_debug("mirrored routes: read in %llu us, merged with the config in %llu us",
			 (unsigned long long)(t_merge - t_read),
			 (unsigned long long)(clock_mono_us() - t_merge));
	else
		pr_debug("mirrored routes: not read (kept current by route events), merged with the config in %llu us",
			 (unsigned long long)(clock_mono_us() - t_merge));
	return ret;
}

void log_mirror(struct daemon *d, int always)
{
	static struct mirror_stats last;
	const struct mirror_stats *st = mirror_stats(d->mirror);
	char skipped[512] = "";
	size_t off = 0;
	int i;

	if (!always && !memcmp(st, &last, offsetof(struct mirror_stats, reads)))
		return;
	last = *st;
	for (i = 1; i < MIRROR_SKIP_COUNT; i++)
		if (st->skipped[i])
			off += snprintf(skipped + off, sizeof(skipped) - off, ", %u %s",
					st->skipped[i], mirror_skip_name(i));
	if (d->conf.kernel_routes.enabled)
		pr_info("routes kernel: table %u: %u prefixes, %u mirrored; %u groups in all%s%s",
			d->conf.kernel_routes.table, st->routes - st->fpm_routes,
			st->mirrored - st->fpm_mirrored, st->groups,
			off ? "; the kernel's" : "", skipped);
	if (d->conf.fpm.enabled)
		pr_info("routes fpm: %u prefixes from zebra, %u in the data path",
			st->fpm_routes, st->fpm_mirrored);
}

/* Two messages that differ in their figures only ("20028 routes need
 * more than..." then "20513 routes..."): one cause. */
static int same_cause(const char *a, const char *b)
{
	for (;;) {
		while (*a >= '0' && *a <= '9')
			a++;
		while (*b >= '0' && *b <= '9')
			b++;
		if (*a != *b)
			return 0;
		if (!*a)
			return 1;
		a++;
		b++;
	}
}

/* The kernel's table changed: read it again and apply the difference.
 * On failure the data path keeps the last mirrored state. */
void mirror_sync(struct daemon *d)
{
	struct ecmp_conf next;
	char err[512];
	uint64_t moved = d->plane.buckets_moved, t0 = clock_mono_us(), t1, tm;
	uint64_t since = d->mirror_dirty_us ? d->mirror_dirty_us : t0;
	int i, fresh = 0, ret;

	if ((!d->conf.kernel_routes.enabled && !d->conf.fpm.enabled) || !d->applied)
		return;
	d->plane.now_ms = clock_mono_ms();
	d->mirror_read_ms = d->plane.now_ms;
	ret = build_eff(d, &d->conf, 1, &next, err, sizeof(err));
	tm = clock_mono_us();
	if (!ret)
		ret = plane_apply(&d->plane, &next, &d->eff, err, sizeof(err));
	pr_debug("routes kernel: read and merged in %llu us, applied in %llu us",
		 (unsigned long long)(tm - t0), (unsigned long long)(clock_mono_us() - tm));
	if (ret) {
		/* Said once per cause, not at every event of a churn. */
		if (!same_cause(err, d->mirror_err))
			pr_warn("Mirrored routes (kernel, fpm) not applied, %s: %s",
				d->plane.apply_partial ? "the data path holds part of them" :
				"the data path keeps the last ones", err);
		snprintf(d->mirror_err, sizeof(d->mirror_err), "%s", err);
		config_free(&next);
		return;
	}
	d->mirror_err[0] = 0;
	for (i = 0; i < next.nnexthop; i++)
		fresh += config_find_nexthop(&d->eff, next.nexthop[i].name) < 0;
	events_routes(&d->events, &d->eff, &next);
	config_free(&d->eff);
	d->eff = next;
	d->mirror_in_step = 1;
	if (d->conf.nbfd_dev && bfd_apply(d, &d->eff, 0, err, sizeof(err)))
		pr_warn("routes kernel: BFD sessions of the mirrored nexthops could not follow: %s", err);
	t1 = clock_mono_us();
	d->mirror_done_ms = t1 / 1000;
	d->mirror_sync_us = t1 - t0;
	d->mirror_lag_us = t1 - since;
	if (d->mirror_lag_us > d->mirror_lag_max_us)
		d->mirror_lag_max_us = d->mirror_lag_us;
	d->mirror_dirty_us = 0;
	if (d->plane.buckets_moved != moved)
		pr_info("routes kernel: %llu buckets moved",
			(unsigned long long)(d->plane.buckets_moved - moved));
	log_mirror(d, 0);
	if (fresh)
		dump_kernel(d);	/* the neighbours of new nexthops */
	nh_probe(&d->plane);
	give_back_memory();
}

/* An event the mirror must read; the first of a burst starts the lag. */
void mirror_mark(struct daemon *d, int dirty, enum read_cause cause)
{
	if (!dirty)
		return;
	if (!d->mirror_dirty)
		d->mirror_dirty_us = clock_mono_us();
	d->mirror_dirty = 1;
	d->read_why |= 1u << cause;
}

/* Whether to merge now what marked the mirror dirty: not while zebra's
 * first table is still streaming in, unless the last merge ended
 * FPM_FIRST_MERGE_GAP_MS ago (so a long stream still shows progress). */
#define FPM_FIRST_MERGE_GAP_MS	5000

int mirror_due(struct daemon *d)
{
	uint64_t now = d->plane.now_ms;

	if (!d->mirror_dirty)
		return 0;
	return !d->fpm || !fpm_first_streaming(d->fpm, now) ||
	       now - d->mirror_done_ms >= FPM_FIRST_MERGE_GAP_MS;
}

/* ---- one event alone (patches) ---- */

/* Nexthops a patch brought into eff (from index nn on), in the data path
 * already: their BFD sessions and neighbours, as after a read (the links
 * are known: no link dump, which costs milliseconds). */
static void patch_nexthops(struct daemon *d, int nn)
{
	char err[256];

	if (d->eff.nnexthop == nn)
		return;
	if (d->conf.nbfd_dev && bfd_apply(d, &d->eff, 0, err, sizeof(err)))
		pr_warn("routes kernel: BFD sessions of the mirrored nexthops could not follow: %s", err);
	dump_neighbours(d);
	nh_probe(&d->plane);
}

/* A patch's new group (a nexthop set the table did not have) into eff and
 * the data path, with the nexthops it brings: as a read would make them,
 * without reading the table. 0, or -EAGAIN and friends: read it. */
static int patch_group(struct daemon *d, struct mirror_patch *mp)
{
	int nn = d->eff.nnexthop, ng = d->eff.ngroup, ret;
	char err[256];

	ret = mirror_patch_group(d->mirror, &d->eff, &d->plane, mp);
	if (ret)
		return ret;
	ret = plane_add(&d->plane, &d->eff, nn, ng, err, sizeof(err));
	if (ret) {	/* no room: a read may free some (groups left unused) */
		pr_debug("routes kernel: a new group by itself: %s; reading the table", err);
		d->eff.nnexthop = nn;
		d->eff.ngroup = ng;
		return -EAGAIN;
	}
	patch_nexthops(d, nn);
	return 0;
}

/* Groups that patches left without routes go, as a read would drop them
 * (a nexthop coming back later then takes idle buckets of the table in
 * use, not its old ones): at the tick, not at each event, as the data
 * path's readers are waited for before their buckets are free. */
void drop_unused_groups(struct daemon *d)
{
	char err[256];
	int ret;

	if (!d->mirror || !d->applied || !d->mirror_in_step)
		return;
	ret = mirror_drop_unused(d->mirror, &d->eff);
	if (ret)
		plane_drop(&d->plane, &d->eff);
	if ((ret & MIRROR_DROPPED_NEXTHOPS) && d->conf.nbfd_dev &&
	    bfd_apply(d, &d->eff, 0, err, sizeof(err)))
		pr_warn("routes kernel: BFD sessions of the mirrored nexthops could not follow: %s", err);
}

/* A planned patch into the data path, then the mirror: 0, or -EAGAIN and
 * friends when the table must be read. t0: when its event came. */
static int patch_apply(struct daemon *d, struct mirror_patch *mp, uint64_t t0)
{
	struct lpm_route lr = { .family = mp->route.family, .prefixlen = mp->route.prefixlen };
	int ret, gid = -1;

	if (mp->noop)	/* the data path as it is; the mirror notes the protocol */
		return mirror_patch_commit(d->mirror, &d->eff, mp);
	if (mp->new_group) {
		ret = patch_group(d, mp);
		if (ret)
			return ret;
	}
	if (mp->route.group >= 0) {
		gid = grp_find(&d->plane, d->eff.group[mp->route.group].name);
		if (gid < 0)
			return -EAGAIN;
	}
	memcpy(lr.addr, mp->route.addr, 16);
	lr.leaf = gid < 0 ? ECMP_LPM_CONNECTED : ECMP_LPM_LEAF(gid);
	ret = route_patch(&d->plane, &lr, mp->removed);
	if (ret)
		return ret;
	if (mp->removed)
		events_route(&d->events, "removed", &d->eff, &mp->route);
	ret = mirror_patch_commit(d->mirror, &d->eff, mp);
	if (ret) {
		d->mirror_in_step = 0;	/* the next read puts it right */
		mirror_mark(d, 1, READ_PATCH);
		return 0;
	}
	if (!mp->removed)
		events_route(&d->events, mp->added ? "added" : "changed", &d->eff, &mp->route);

	d->patch_us = clock_mono_us() - t0;
	if (d->patch_us > d->patch_max_us)
		d->patch_max_us = d->patch_us;
	return 0;
}

/* Whether route events can be applied alone now: the data path holds
 * the last merge. */
static int patches_ok(const struct daemon *d)
{
	return d->applied && d->mirror_in_step && !d->mirror_dirty && !d->mirror_err[0];
}

/* A route event applied alone, when the mirror can (mirror.h): 0, or
 * -EAGAIN and friends when the table must be read. */
int mirror_patch(struct daemon *d, const struct nl_route *r, enum mirror_source src)
{
	struct mirror_patch mp;
	uint64_t t0 = clock_mono_us();
	int ret;

	if (!patches_ok(d))
		return -EAGAIN;
	ret = src == MIRROR_SRC_FPM ? mirror_patch_plan_fpm(d->mirror, r, &mp) :
	      mirror_patch_plan(d->mirror, &d->conf.kernel_routes, r, &mp);
	return ret ? ret : patch_apply(d, &mp, t0);
}

/* The routes a kernel nexthop object being removed took along with it,
 * unannounced (mirror_object_orphans()): removed alone, each as if the
 * kernel had said so, before the object's own event. 0, or -EAGAIN and
 * friends: read the table (the routes removed so far are gone in the
 * kernel too, so the read finds them gone). */
static int remove_orphans(struct daemon *d, const struct nl_nexthop *n)
{
	struct lpm_route *gone;
	struct mirror_patch mp;
	uint64_t t0 = clock_mono_us();
	int cnt, i, ret = 0;

	cnt = mirror_object_orphans(d->mirror, n, &gone);
	if (cnt <= 0)
		return cnt;
	if (!patches_ok(d)) {
		free(gone);
		return -EAGAIN;
	}
	for (i = 0; !ret && i < cnt; i++) {
		ret = mirror_patch_plan_gone(d->mirror, &gone[i], &mp);
		if (!ret)
			ret = patch_apply(d, &mp, t0);
	}
	free(gone);
	if (!ret)
		pr_info("routes kernel: nexthop object %u removed: the %d routes naming it (or a group it emptied) went with it",
			n->id, cnt);
	return ret;
}

/* A nexthop object event, the kernel's or zebra's (mirror.h), taken alone
 * when it can be: a new object; one replaced in place (the groups of the
 * routes through it change in place, no route touched); one removed (the
 * kernel's routes naming it go first, as patches; the groups holding it
 * shrink in place). 0, or -EAGAIN and friends: read the table. */
int mirror_object(struct daemon *d, enum mirror_source src, const struct nl_nexthop *n,
		  int unused)
{
	struct mirror_regroup rg;
	uint64_t t0 = clock_mono_us();
	char err[256];
	int ret;

	if (!d->mirror || !d->mirror_in_step || d->mirror_dirty)
		return -EAGAIN;
	if (src == MIRROR_SRC_KERNEL && n->deleted) {
		ret = remove_orphans(d, n);
		if (ret)
			return ret;
	}
	/* Without the data path in step, only what needs no group change. */
	ret = mirror_object_event(d->mirror, src, n, unused,
				  d->applied && !d->mirror_err[0] ? &d->eff : NULL, &rg);
	if (ret != MIRROR_REGROUP)
		return ret;
	ret = plane_regroup(&d->plane, &d->eff, rg.nh_from, rg.group, rg.n, err, sizeof(err));
	mirror_regroup_done(d->mirror, &d->eff, &rg, !ret);
	if (ret) {
		pr_debug("routes %s: nexthop object %u replaced: %s; reading the table",
			 src == MIRROR_SRC_FPM ? "fpm" : "kernel", n->id, err);
		return -EAGAIN;
	}
	pr_info("routes %s: nexthop object %u replaced: %d groups changed in place, their routes kept",
		src == MIRROR_SRC_FPM ? "fpm" : "kernel", n->id, rg.n);
	patch_nexthops(d, rg.nh_from);
	d->patch_us = clock_mono_us() - t0;
	if (d->patch_us > d->patch_max_us)
		d->patch_max_us = d->patch_us;
	return 0;
}

/* Whether a reload to next can merge the mirrored routes as they stand,
 * without reading them again (over a second for a full table): route
 * events kept them current, the data path holds their last merge, no
 * event waits for a read, and next mirrors the same table, protocols and
 * stream. The config's own part (routes, nexthops, BFD) is merged anew. */
int mirror_stands(const struct daemon *d, const struct ecmp_conf *next)
{
	const struct conf_kernel_routes *was = &d->conf.kernel_routes, *now = &next->kernel_routes;

	return d->mirror && patches_ok(d) && was->enabled == now->enabled &&
	       was->table == now->table && !memcmp(was->proto, now->proto, sizeof(was->proto)) &&
	       d->conf.fpm.enabled == next->fpm.enabled;
}
