/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The config's routes in the kernel's FIB, so that every frame the data
 * path passes to the kernel (TTL expired, kernel-path, no usable nexthop,
 * options, too big) meets a kernel that knows the route: ICMP time
 * exceeded from this hop (traceroute), the firewall's forward chain, PMTU.
 *
 * Each config route becomes a multipath route in the main table with the
 * group's nexthops and weights (weight W: rtnh_hops W - 1), protocol
 * FIB_PROTO ("xdp-ecmp"), so ecmpd's routes are told from everyone else's
 * and never read back as input. A prefix the kernel already routes with
 * another protocol is left alone, and ecmpd says so. Nexthops of the
 * other family and VLAN nexthops (their L3 interface is not in the
 * config) are left out of the kernel route.
 */
#ifndef ECMP_FIB_H
#define ECMP_FIB_H

#include "config.h"
#include "netlink.h"

/* The rt_protos number of ecmpd's routes (unassigned; `ip route show
 * proto 236`). */
#define FIB_PROTO	236

/* What fib_sync reads of the main table: ecmpd's own routes, and the
 * others' at conf's prefixes. A dump of a full table takes seconds, so
 * a dump ecmpd makes anyway (`routes kernel` reading the main table)
 * hands its routes here too (fib_dump_route), and fib_sync reads nothing
 * itself. */
struct fib_dump;

struct fib_dump *fib_dump_new(const struct ecmp_conf *conf);
void fib_dump_route(struct fib_dump *d, const struct nl_route *r);
/* The dump ended: every route of the main table has been handed in. */
void fib_dump_done(struct fib_dump *d);
/* Every route of another protocol at conf's prefixes has been handed in,
 * and only those (from the mirror's table, which route events keep
 * current: a reload that reads no table); fib_sync then reads ecmpd's own
 * alone, with a dump the kernel filters by protocol. */
void fib_dump_others_done(struct fib_dump *d);
void fib_dump_free(struct fib_dump *d);

/* Makes the main table hold conf's routes as FIB_PROTO routes: adds,
 * replaces what changed, deletes those this instance installed that the
 * config no longer has; writes nothing when they already match (a
 * restart). What this instance owns is listed in the file record (one
 * prefix a line, in the state dir), so two instances in one namespace
 * leave each other's routes alone. seen: the main table as a dump just
 * showed it, made for this conf (fib_dump_new), or the others' part of
 * it (fib_dump_others_done: ecmpd's own are added to it here); NULL, or
 * not done: the table is read here, unless conf has no route and the
 * record none (then there is nothing to do). Returns how many routes it
 * changed, or -errno (netlink unavailable). Each failure is logged and
 * skipped. */
int fib_sync(const struct ecmp_conf *conf, const char *record, struct fib_dump *seen);
/* Deletes the routes listed in record (--detach), and the record. */
int fib_remove(const char *record);

#endif /* ECMP_FIB_H */
