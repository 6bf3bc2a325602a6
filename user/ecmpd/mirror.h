/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Routes mirrored from the kernel's FIB (`routes kernel`, docs/CONFIG.md):
 * one table, the routing protocols chosen, read whole over rtnetlink and
 * turned into nexthops, groups and routes added to a copy of the config,
 * which plane_apply() then applies as a difference like any reload.
 *  - each distinct set of (gateway, device, weight) is one group,
 *    "kernel:N"; a set already in the data path keeps its group, and a set
 *    that replaces another starts from the old group's table, so only the
 *    departed nexthop's flows move and a newcomer takes idle buckets; a
 *    set routed over a resilient group object takes its bucket count
 *    (rounded up to a power of two) and timers;
 *  - a nexthop is named GATEWAY@DEVICE (with *WEIGHT when not 1), a name
 *    the config cannot use;
 *  - for each prefix the lowest metric wins, as in the kernel; a route
 *    zebra streams (FPM, fpm.c) wins over the kernel's copy; a config
 *    route for the same prefix wins over all;
 *  - a route naming a nexthop object alone (nexthop_compat_mode 0) is
 *    expanded from the objects read before the routes;
 *  - a route the data path cannot forward (blackhole, unreachable, no
 *    gateway, encapsulation, another protocol) is the kernel's: its
 *    prefix goes to the kernel, so a covering route never takes its
 *    traffic away.
 * A route event that says all about its prefix is applied alone (a patch,
 * mirror_patch.c): that is a routing daemon's churn, prefixes moving
 * between nexthop sets, and a path withdrawn or added, which makes a set
 * the table did not have (it gets its group as a read would give it,
 * derived from the prefix's table); and an IPv6 multipath route's path
 * appended or deleted alone (the append lists every path, the deletion
 * names the one that goes). A nexthop object replaced in place changes
 * the groups of the routes through it in place (mirror_object.c); one
 * removed takes the routes naming it along, each removed alone.
 * Anything else (a link changed, lost events, several metrics, zebra's
 * or the config's prefix, an IPv4 append) makes ecmpd read the whole
 * table (and the nexthop objects) again; that read also catches what the
 * kernel does not announce (IPv4 routes flushed with their link) and
 * drops the groups patches left unused.
 */
#ifndef ECMP_MIRROR_H
#define ECMP_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "netlink.h"
#include "mirror_table.h"

struct plane;

struct mirror;

struct mirror *mirror_new(void);
void mirror_free(struct mirror *m);
/* Whether a route event can change what the mirror reads. */
int mirror_wants(const struct conf_kernel_routes *k, const struct nl_route *r);
/* A read: mirror_begin(), then the kernel's table read again
 * (mirror_read_kernel) and/or zebra's routes fed (mirror_take_fpm*), then
 * mirror_finish(). On an error the last read stays. */
void mirror_begin(struct mirror *m);
/* 0 or -errno (the read is then abandoned: begin again). Every route of
 * the table, mirrored or not, also goes to also->route when also is not
 * NULL: what else needs the table reads it from this dump (fib.h). */
int mirror_read_kernel(struct mirror *m, struct nl *nl, const struct conf_kernel_routes *k,
		       const struct nl_handlers *also);
/* Zebra's nexthop groups (before the routes that name them) and routes,
 * as its FPM stream has them now (fpm.c). */
void mirror_take_fpm_nexthop(struct mirror *m, const struct nl_nexthop *n);
void mirror_take_fpm(struct mirror *m, const struct nl_route *r);
/* The nexthop object handler mirror_read() uses (tests feed it too):
 * adds one object to those routes of the next read may name. */
void mirror_take_nexthop(struct mirror *m, const struct nl_nexthop *n);
/* A nexthop object event between reads: the kernel's, or zebra's on its
 * FPM stream (src), with unused saying no route of the stream names it;
 * eff is the merged config the plane holds (NULL: none yet).
 *  - 0: taken alone, nothing for the data path to do: an object the
 *    mirror did not have (no route names it yet; for zebra's, unused:
 *    else -EAGAIN, as its routes came first), the same again, one
 *    replaced that no route of the data path goes through, or one removed
 *    that no route names (for the kernel's, the mirror's table says; for
 *    zebra's, unused);
 *  - MIRROR_REGROUP: an object replaced in place, or removed from the
 *    groups holding it (as the kernel does). The routes through it
 *    (naming it, or a group holding it) keep their groups, whose members,
 *    bucket count and timers became the object's new ones in eff, the
 *    nexthops it brings appended from rg->nh_from on; rg->group lists
 *    those groups. The caller puts them in the data path (plane_regroup)
 *    and then calls mirror_regroup_done() whatever happened;
 *  - -EAGAIN: routes may have changed with it (an object removed that a
 *    route names, or a group it leaves empty, and those routes not
 *    removed first with mirror_object_orphans(); paths the data path
 *    cannot take, a device gone, no merge yet): read the table. */
#define MIRROR_REGROUP	1
struct mirror_regroup {
	int nh_from;			/* eff's nexthops from here on are new */
	int n;				/* groups of eff changed in place */
	int *group;			/* their indices in eff */
	struct conf_group *was;		/* as they were */
};
int mirror_object_event(struct mirror *m, enum mirror_source src, const struct nl_nexthop *n,
			int unused, struct ecmp_conf *eff, struct mirror_regroup *rg);
/* A kernel object removed (n) takes along, unannounced, the routes that
 * name it or a group its removal leaves empty (IPv4 always, IPv6 with
 * nexthop_compat_mode 0). Before n goes to mirror_object_event(): their
 * prefixes into *out (malloc'd, the caller frees it), each then removed
 * alone (mirror_patch_plan_gone). Returns how many, or -EAGAIN when a
 * read is about as fast (more than MIRROR_ORPHANS_MAX: a removal costs
 * about 7 us, 0.7 s for that many; a read of a full table 2.5-4 s) or
 * there is no merge to patch, or -ENOMEM. */
#define MIRROR_ORPHANS_MAX	100000
int mirror_object_orphans(struct mirror *m, const struct nl_nexthop *n,
			  struct lpm_route **out);
/* ok: the data path holds rg's groups; the mirror keeps the object and
 * its routes' new paths. Else eff is put back as it was, and the mirror
 * too: read the table. */
void mirror_regroup_done(struct mirror *m, struct ecmp_conf *eff, struct mirror_regroup *rg,
			 int ok);
/* The route handler mirror_read() uses, for tests that feed messages:
 * adds one route to the read in progress (ctx: the mirror). */
void mirror_take(struct mirror *m, const struct conf_kernel_routes *k,
		 const struct nl_route *r);
/* Sorts what was taken and keeps each prefix's best route. 0, or -ENOMEM
 * when something could not be taken (the last read stays). */
int mirror_finish(struct mirror *m);
/* out = file plus the mirrored nexthops, groups and routes, named and
 * derived against what the plane holds now. 0 or -ENOMEM. */
int mirror_merge(struct mirror *m, const struct ecmp_conf *file,
		 const struct plane *p, struct ecmp_conf *out);
const struct mirror_stats *mirror_stats(const struct mirror *m);
/* The route held for prefix k (family, prefixlen, addr) since the last
 * merge, patches included: the best metric's of the kernel's table (any
 * protocol but ecmpd's own), or zebra's where it streams the prefix. 1
 * and *out, 0 when none is held, -EAGAIN when there is no merge's index
 * to look in. */
int mirror_route_at(const struct mirror *m, const struct lpm_route *k, struct mroute *out);
/* A kernel route event between reads: its source address and its paths'
 * devices are noted (mirror_src.c, mirror_dev.c). */
void mirror_note_route(struct mirror *m, const struct nl_route *r);
/* Whether the kernel may take routes of the table along with IPv4
 * address a, removed (the plane's addresses already without it), without
 * announcing it: the table must be read. 0 for IPv6; 1 while m is NULL
 * (no mirror yet). m NULL is also allowed to mirror_note_route(). */
int mirror_addr_takes_routes(const struct mirror *m, const struct plane *p,
			     const struct nl_addr *a);
/* Whether the kernel may change routes of the table, unannounced, when
 * link ifindex comes, goes, or goes down or up: 1 when a route or a
 * nexthop object of the last read (or a route event since) goes through
 * it, or while m is NULL (no mirror yet). */
int mirror_link_takes_routes(const struct mirror *m, int ifindex);
/* 1 when r's prefix is one of the config file's routes as of the last
 * merge (0 before the first). */
int mirror_config_prefix(const struct mirror *m, const struct nl_route *r);

/* One route event as a patch: what the prefix becomes. */
struct mirror_patch {
	struct conf_route route;	/* group: in the merged config, -1: the kernel's */
	enum mirror_skip skip;		/* why the kernel keeps it, or MIRROR_OK */
	uint32_t metric;
	uint32_t nh_id;			/* the object the route names */
	int slot, set;			/* internal */
	int added, removed;		/* the prefix comes, or goes */
	int noop;			/* nothing changes */
	int others_delta;		/* but the prefix has a route more or less */
	int new_group;			/* its set needs a group first */
	uint8_t source;			/* enum mirror_source */
	uint8_t protocol;		/* the route's rtm_protocol */
};
/* Plans a patch for route event r against the last merge (which must be
 * the one the plane holds). 0: p says what changes; -EAGAIN: the event
 * cannot be taken alone, read the table. Changes nothing. */
int mirror_patch_plan(struct mirror *m, const struct conf_kernel_routes *k,
		      const struct nl_route *r, struct mirror_patch *p);
/* The same for a prefix of zebra's FPM stream, r being all the stream now
 * says of it (deleted: nothing; fpm.h). */
int mirror_patch_plan_fpm(struct mirror *m, const struct nl_route *r, struct mirror_patch *p);
/* The same for a route of the kernel's the mirror has and the kernel
 * removed unannounced (mirror_object_orphans): a patch that removes the
 * prefix, or -EAGAIN when the prefix has routes of other metrics (the
 * next takes over) or is the config's. */
int mirror_patch_plan_gone(struct mirror *m, const struct lpm_route *k, struct mirror_patch *p);
/* For a planned patch with new_group: appends to eff the group of the
 * route's nexthop set, as a read would make it (derived from the table
 * the prefix uses now, so only a departed nexthop's flows move), and the
 * nexthops of the set eff lacks; sets p->route.group. 0, or -EAGAIN (a
 * device gone, a name taken: read the table) or -ENOMEM, eff unchanged.
 * The caller puts the group in the data path before the route. */
int mirror_patch_group(struct mirror *m, struct ecmp_conf *eff, const struct plane *pl,
		       struct mirror_patch *p);
/* Records a planned patch, once the data path holds it, in the mirror's
 * table, its stats and eff (the merged config the plane holds). 0, or
 * -ENOMEM: patches stop until the next read. */
int mirror_patch_commit(struct mirror *m, struct ecmp_conf *eff,
			const struct mirror_patch *p);

/* The groups of sets that patches left without routes, out of eff, with
 * the nexthops no other group names (nor those groups changed in place
 * left), as a read would not make them: done
 * apart from the patches, so that the data path's wait for its readers
 * before their buckets are reused does not hold up the next route event.
 * Returns what went, MIRROR_DROPPED_* bits (0: nothing); the caller then
 * takes them from the data path (plane_drop). */
#define MIRROR_DROPPED_GROUP	1
#define MIRROR_DROPPED_NEXTHOPS	2
int mirror_drop_unused(struct mirror *m, struct ecmp_conf *eff);

/* A route of the mirror's table as the last merge left it: a prefix's
 * route of the lowest metric, from the kernel or zebra's stream. */
struct mirror_route_info {
	uint8_t family, prefixlen;
	const uint8_t *addr;
	uint8_t source;			/* enum mirror_source */
	uint8_t protocol;		/* its rtm_protocol */
	uint32_t metric;
	enum mirror_skip outcome;	/* MIRROR_OK: in the data path */
};

/* Calls fn for each route of the table (ecmpctl route show all: the
 * protocol and metric of each, and why the data path leaves some to the
 * kernel). */
void mirror_each_route(const struct mirror *m,
		       void (*fn)(void *arg, const struct mirror_route_info *r), void *arg);

#endif /* ECMP_MIRROR_H */
