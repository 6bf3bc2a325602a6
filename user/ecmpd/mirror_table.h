/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The mirror's types and tables, shared by the whole-table read (mirror.c)
 * and the one-route patches (mirror_patch.c); mirror.h is the interface.
 */
#ifndef ECMP_MIRROR_TABLE_H
#define ECMP_MIRROR_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "netlink.h"
#include "lib/array.h"
#include "lib/route_set.h"

/* Why a kernel route stays the kernel's. */
enum mirror_skip {
	MIRROR_OK = 0,
	MIRROR_SKIP_PROTOCOL,		/* not one of the protocols mirrored */
	MIRROR_SKIP_TYPE,		/* blackhole, unreachable, local... */
	MIRROR_SKIP_NH_OBJECT,		/* an object not known or not a path's */
	MIRROR_SKIP_ENCAP,		/* lightweight tunnel */
	MIRROR_SKIP_NO_GATEWAY,		/* through the link: the kernel resolves */
	MIRROR_SKIP_DEAD,		/* every nexthop dead */
	MIRROR_SKIP_TOO_MANY,		/* more nexthops than a group holds */
	MIRROR_SKIP_NO_LINK,		/* its device is gone */
	MIRROR_SKIP_CONFIG,		/* the config routes this prefix */
	/* It selects by TOS or source prefix too, which the data path does
	 * not look at: its prefix is the kernel's, whatever else routes it. */
	MIRROR_SKIP_SELECTOR,
	/* An MTU of its own (`ip route ... mtu`): the kernel fragments or
	 * answers "too big" at it, the data path knows only its links'. */
	MIRROR_SKIP_ROUTE_MTU,
	MIRROR_SKIP_COUNT
};

const char *mirror_skip_name(enum mirror_skip s);

/* Where a mirrored route comes from; its group is named "kernel:N" or
 * "fpm:N" after it. */
enum mirror_source {
	MIRROR_SRC_KERNEL,
	MIRROR_SRC_FPM,
	MIRROR_SOURCES
};

struct mirror_stats {
	uint32_t routes;		/* prefixes in the table (best metric) */
	uint32_t mirrored;
	uint32_t groups;
	uint32_t skipped[MIRROR_SKIP_COUNT];
	uint32_t fpm_routes;		/* of routes, those zebra streamed */
	uint32_t fpm_mirrored;
	uint64_t reads;			/* whole-table reads */
	uint64_t patches;		/* route events applied alone */
	uint64_t merges;		/* tables merged whole (a read, zebra's stream) */
	uint64_t fpm_patches;		/* of patches, zebra's */
	uint64_t regroups;		/* objects replaced in place, taken alone */
	uint64_t fpm_regroups;		/* of regroups, zebra's groups */
};

struct mnh {
	uint8_t family;
	uint8_t via[16];
	int ifindex;
	uint32_t weight;
};

/* A resilient nexthop object's bucket count and timers (all 0: the
 * mirror's defaults). */
struct mres {
	uint32_t buckets, idle_ms, unbalanced_ms;
};

/* A distinct nexthop set, sorted so equal sets compare equal. Routes
 * over a nexthop object have a set per object: when the object is
 * replaced in place, their group follows it in place (mirror_object.c). */
struct mset {
	int n;
	uint8_t source;		/* enum mirror_source: groups are per source */
	uint32_t obj;		/* the object the routes name, 0: their own paths */
	struct mres res;
	struct mnh nh[NL_ROUTE_MAX_NH];
};

struct mroute {
	uint8_t family, prefixlen;
	uint8_t source;		/* enum mirror_source */
	uint8_t addr[16];
	uint8_t skip;		/* enum mirror_skip */
	uint8_t outcome;	/* the last merge's: skip, or no_link/config_route */
	uint8_t others;		/* more routes of the prefix (other metrics) */
	uint8_t protocol;	/* its rtm_protocol (zebra's, for the stream) */
	uint32_t metric;
	uint32_t nh_id;		/* the nexthop object it names, 0: none */
	int set;		/* index into sets, when not skipped */
	int eff;		/* its route in the last merge's output, or -1 */
};

struct table {
	struct mroute *r;
	int n, cap;
	struct mset *set;
	int nset, capset;
	int last_set;		/* routes in a dump often share one */
	int failed;		/* out of memory while reading */
	/* Its IPv4 routes' source addresses (mirror_src.c) and the devices
	 * its routes' paths go through (mirror_dev.c). */
	struct u32_set src, dev;
};

/* The kernel's nexthop objects at the last read, by id (routes that name
 * one alone, nexthop_compat_mode 0). */
struct objects {
	struct nl_nexthop *v;
	int n, cap;
	int failed;
};

struct mirror {
	struct table cur, next;
	struct objects obj;		/* the kernel's */
	struct objects fpm_obj;		/* zebra's, fed with each build */
	int fpm_obj_sorted;
	struct mirror_stats st;
	/* From the last merge, for patches (mirror_patch.c): cur's routes
	 * by prefix (leaf: index in cur.r), the file's prefixes, and each
	 * set's group in the merge's output (-1: none, -2: device gone). */
	struct pos_index *index;	/* by mirror_same_key(), over &cur */
	struct route_set *cfg;
	int *gidx;
	int *nref;			/* each set's routes in the data path */
	int file_routes, file_nexthops;	/* the merge's output begins with the file's */
	int nempty;			/* sets patches left without routes (or fewer) */
	/* The nexthop set of the patch planned last, when cur has no such
	 * set yet: the commit adds it. */
	struct mset pending;
	/* Groups left with members no group may name (an object replaced
	 * in place): mirror_drop_unused() looks for them. */
	int nh_loose;
	/* An object replaced or removed, between mirror_object_event() and
	 * mirror_regroup_done(): the objects as they will be, which of the
	 * mirror's they replace, and the sets' new paths. */
	struct objects regroup_next;
	struct objects *regroup_objs;
	int nregroup;
	int *regroup_set;
	struct mset *regroup_new;
};

/* What a route is, as the mirror takes it: MIRROR_OK and its nexthop set
 * in s (sorted; a resilient object's table), or why it stays the kernel's.
 * k: the kernel's protocols, NULL for zebra's stream; objs: the objects
 * its nexthop ids name. */
enum mirror_skip mirror_route_set(const struct conf_kernel_routes *k,
				  const struct objects *objs,
				  const struct nl_route *r, struct mset *s);
/* The objects (mirror_object.c): one by id, or NULL; a route naming one
 * alone (nexthop_compat_mode 0, zebra's groups) with its paths filled in
 * as the kernel would expand it, or why it stays the kernel's. */
const struct nl_nexthop *mirror_obj_find(const struct objects *o, uint32_t id);
enum mirror_skip mirror_expand(const struct objects *o, const struct nl_route *r,
			       struct nl_route *x);
void mirror_objects_free(struct objects *o);
void mirror_objects_add(struct objects *o, const struct nl_nexthop *n);
void mirror_objects_sort(struct objects *o);
/* The set's nexthops into c, named as a read names them (names: one per
 * path): 0, -EAGAIN when a device is gone, or -ENOMEM. */
int mirror_set_nexthops(struct ecmp_conf *c, const struct mset *s,
			char names[][ECMP_NAME_MAX]);
/* A group's bucket count and timers for a set of n paths. */
void mirror_group_table(struct conf_group *g, const struct mres *res, int n);
/* A zeroed new element at the end of a doubling array (*arrp, *n, *cap),
 * or NULL. */
void *mirror_append(void *arrp, int *n, int *cap, size_t elem);
int mirror_same_set(const struct mset *a, const struct mset *b);
/* Whether the route at pos of the table ctx has key's prefix (the
 * index's pos_same_fn). */
int mirror_same_key(const void *ctx, uint32_t pos, const struct lpm_route *key);
/* Notes r's source address in t (mirror_src.c). */
void mirror_src_note(struct table *t, const struct nl_route *r);
/* Notes the devices of r's paths in t (mirror_dev.c). */
void mirror_dev_note(struct table *t, const struct nl_route *r);
/* zebra's groups in id order, as routes naming one look it up. */
void mirror_fpm_objects_sort(struct mirror *m);

#endif /* ECMP_MIRROR_TABLE_H */
