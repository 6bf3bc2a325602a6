/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What zebra's FPM stream holds (fpm.h): each prefix's route as zebra last
 * sent it, and its nexthop groups by id. The mirror reads it like the
 * kernel's table; a replay fills a second one (fpm.c).
 */
#ifndef ECMP_FPM_TABLE_H
#define ECMP_FPM_TABLE_H

#include <stdint.h>

struct fpm_table;
struct mirror;
struct nlmsghdr;
struct plane;

/* What one message did. */
enum fpm_take {
	FPM_TAKE_SAME,		/* nothing changed (a DEL of a prefix not held) */
	FPM_TAKE_CHANGED,
	FPM_TAKE_IGNORED,	/* another type, family or table */
	FPM_TAKE_MALFORMED,
	FPM_TAKE_NOMEM,
};

struct fpm_table *fpm_table_new(void);
void fpm_table_free(struct fpm_table *t);
void fpm_table_clear(struct fpm_table *t);
/* One RTM_{NEW,DEL}{ROUTE,NEXTHOP} message. Routes of kernel table
 * `table` only (`routes fpm ... table`, main by default). */
enum fpm_take fpm_table_take(struct fpm_table *t, const struct nlmsghdr *nlh, uint32_t table);
/* The routes of old whose prefix now does not have. */
uint32_t fpm_table_missing(const struct fpm_table *old, const struct fpm_table *now);
/* Takes the routes of the plane's fpm: groups (a restarted ecmpd's pins),
 * when the table is empty. 0 or -ENOMEM. */
int fpm_table_adopt(struct fpm_table *t, const struct plane *p);
/* r = the route the table holds for the prefix (family, prefixlen, addr
 * of key), as zebra sent it, or r->deleted set when it holds none; for a
 * patch (fpm.h). */
struct lpm_route;
struct nl_route;
void fpm_table_route(const struct fpm_table *t, const struct lpm_route *key, struct nl_route *r);
/* Whether a route held names nexthop group id. */
int fpm_table_names(const struct fpm_table *t, uint32_t id);
/* The groups, then the routes, into a mirror read. */
void fpm_table_feed(const struct fpm_table *t, struct mirror *m);
uint32_t fpm_table_routes(const struct fpm_table *t);
uint32_t fpm_table_groups(const struct fpm_table *t);
/* The distinct lists of inline paths the routes hold, each held once. */
uint32_t fpm_table_lists(const struct fpm_table *t);

#endif /* ECMP_FPM_TABLE_H */
