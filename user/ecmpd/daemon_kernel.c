// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The kernel's news: links, neighbours, addresses, routes and nexthop
 * objects, from the dumps and from the event socket. Nexthops follow
 * their links and neighbours here (nexthop.c); routes and objects go to
 * the mirror (daemon_mirror.c); what needs the config routes put back in
 * the kernel's FIB or our programs attached again is left for the tick
 * (links_back() in ecmpd.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "bypass.h"
#include "daemon.h"
#include "policy_rules.h"
#include "tc_bypass.h"
#include "xfrm_policies.h"

/* The config routes into the kernel's FIB again (links_back()) when a
 * config nexthop goes through interface name. */
static void relink_if_nexthop_dev(struct daemon *d, const char *name)
{
	int i;

	for (i = 0; i < d->conf.nnexthop; i++)
		if (!strcmp(d->conf.nexthop[i].dev, name)) {
			d->fib_relink = 1;
			return;
		}
}

static void on_link(void *ctx, const struct nl_link *l)
{
	struct daemon *d = ctx;
	const struct link_state *was = plane_link(&d->plane, l->ifindex);
	/* The kernel flushes IPv4 routes with their link unannounced, when
	 * it goes down or away, and marks paths dead or alive. Other link
	 * messages (an XDP program attached, a new MTU or address) change no
	 * route: a whole read for each would cost seconds with a full table
	 * (ecmpd's own attach at start read it twice). Nor does a change of
	 * a link no route goes through (mirror_dev.c): a pod's veth. */
	int routes_may_change = (!was || l->deleted || was->up != l->up) &&
				mirror_link_takes_routes(d->mirror, l->ifindex);
	/* Read before nh_on_link(), which rewrites what was points to. */
	int came = !was && !l->deleted, came_up = was && !was->up && l->up;
	int i;

	nh_on_link(&d->plane, l);
	mirror_mark(d, d->conf.kernel_routes.enabled && routes_may_change, READ_LINK);
	if (!d->applied_once || !l->name[0])
		return;	/* the start's own dump: attach_all() and sync_fib() follow */
	/* A device deleted and made again under its name (a driver reload, a
	 * tap or veth recreated) comes without our programs, and BFD's
	 * sockets are bound to the old one. */
	d->bfd_relink |= came;
	for (i = 0; came && i < d->conf.niface; i++)
		if (d->conf.iface[i].attach != ATTACH_NONE && !strcmp(d->conf.iface[i].name, l->name))
			d->reattach |= 1ULL << i;
	/* The kernel drops an IPv4 route with any of its nexthops' devices,
	 * with its last live path when one goes down, and an IPv6 route's
	 * path with its device: the config routes are put back (with the
	 * paths that can be) when one comes, comes up or goes. A device
	 * going down asks nothing: a route through it could not be added. */
	if (came || came_up || l->deleted)
		relink_if_nexthop_dev(d, l->name);
}

static void on_route(void *ctx, const struct nl_route *r)
{
	struct daemon *d = ctx;

	/* A route gone at a config route's prefix: another protocol's that
	 * had taken the prefix (fib.h), or ecmpd's own deleted by hand. The
	 * config route goes back into the kernel's FIB, as when a link comes
	 * back (links_back()), or frames passed to the kernel would find
	 * no route. */
	if (r->deleted && r->table == RT_TABLE_MAIN && !r->cloned &&
	    mirror_config_prefix(d->mirror, r))
		d->fib_relink = 1;
	if (!mirror_wants(&d->conf.kernel_routes, r))
		return;
	mirror_note_route(d->mirror, r);
	if (mirror_patch(d, r, MIRROR_SRC_KERNEL))
		mirror_mark(d, 1, READ_ROUTE);
}

/* A nexthop object changed: with nexthop_compat_mode 0 the kernel says so
 * in this message alone, not in the routes over it. */
static void on_nexthop(void *ctx, const struct nl_nexthop *n)
{
	struct daemon *d = ctx;

	/* A new object (a routing daemon's next nexthop group) changes no
	 * route yet: the routes that name it next can be patches. One
	 * replaced changes its routes' groups in place. */
	if (d->conf.kernel_routes.enabled && mirror_object(d, MIRROR_SRC_KERNEL, n, 0))
		mirror_mark(d, 1, READ_OBJECT);
}

static void on_neigh(void *ctx, const struct nl_neigh *n)
{
	nh_on_neigh(&((struct daemon *)ctx)->plane, n);
}

static void on_addr(void *ctx, const struct nl_addr *a)
{
	struct daemon *d = ctx;

	/* Before the first apply only remember it: the groups its local
	 * route needs do not exist yet. */
	int news = route_on_addr(&d->plane, a, d->applied ? &d->eff : NULL);
	char name[IF_NAMESIZE];

	if (news > 0)
		onlink_on_addr(&d->plane, a->ifindex);

	/* An IPv4 address gone may take routes along unannounced: those
	 * whose source it was, and all of its link's when it was the last
	 * (mirror_src.c). Any other (a service address, a VIP) reads
	 * nothing. */
	if (a->deleted && d->conf.kernel_routes.enabled &&
	    mirror_addr_takes_routes(d->mirror, &d->plane, a))
		mirror_mark(d, 1, READ_ADDRESS);
	/* A new address on a nexthop's device: its gateway may be reachable
	 * only now, and the config routes through it could not be added
	 * before. */
	if (news && !a->deleted && d->applied_once && if_indextoname(a->ifindex, name))
		relink_if_nexthop_dev(d, name);
}

/* A rule added or removed: read them all once the events are read. */
static void on_rule(void *ctx, const struct nl_rule *r)
{
	struct daemon *d = ctx;

	(void)r;
	d->rules_changed = 1;
}

/* A new list of what was said replaces the old; on a failed read the
 * old stays the reference. */
static void said_now(char **said, char *now, int n, const char *what)
{
	if (n < 0) {
		if (n != -EPROTONOSUPPORT)
			pr_warn("Failed to read the %s: %s", what, strerror(-n));
		return;
	}
	free(*said);
	*said = now;
}

void warn_bypassed(struct daemon *d, int only_new)
{
	char *now = NULL;
	int n;

	if (!only_new) {
		struct bypass_said said = { 0 };

		bypass_warn(&d->conf, &said);
		n = tc_bypass_warn(&d->nl, &d->conf, d->applied ? &d->eff : &d->conf, &said);
		if (n < 0)
			pr_warn("Failed to read the interfaces' qdiscs: %s", strerror(-n));
		free(d->static_warned);
		d->static_warned = said.s;
	}
	d->rules_changed = 0;
	n = policy_rules_warn(&d->nl, &d->conf, only_new ? d->rules_warned : NULL, &now);
	said_now(&d->rules_warned, now, n, "routing-policy rules");
	now = NULL;
	n = xfrm_policies_warn(&d->conf, only_new ? d->xfrm_warned : NULL, &now);
	said_now(&d->xfrm_warned, now, n, "IPsec policies");
}

int dump_kernel(struct daemon *d)
{
	struct nl_handlers h = { on_link, on_neigh, on_addr, d, on_route, on_nexthop, NULL };
	int err;

	int dirty = d->mirror_dirty;
	unsigned why = d->read_why;

	d->plane.now_ms = clock_mono_ms();
	err = nl_dump_all(&d->nl, &h);
	d->mirror_dirty = dirty;	/* a dump's links are no news */
	d->read_why = why;
	if (err)
		pr_warn("Failed to read interfaces and neighbours from the kernel: %s",
			strerror(-err));
	return err;
}

void dump_neighbours(struct daemon *d)
{
	struct nl_handlers h = { .neigh = on_neigh, .ctx = d };
	int err;

	d->plane.now_ms = clock_mono_ms();
	err = nl_dump_neighbours(&d->nl, &h);
	if (err)
		pr_warn("Failed to read neighbours from the kernel: %s", strerror(-err));
}

void on_netlink(struct daemon *d)
{
	struct nl_handlers h = { on_link, on_neigh, on_addr, d, on_route, on_nexthop,
				 on_rule };
	int err;

	d->plane.now_ms = clock_mono_ms();
	err = nl_read_events(&d->nl, &h);
	if (err == -ENOBUFS) {
		pr_info("Netlink events were lost; reading the kernel state again");
		/* While events queued before the loss are unread, the kernel
		 * drops more without saying so again (it reports a loss once
		 * per congestion, cleared when the queue is read empty): read
		 * it empty, no patches meanwhile, then read the state. */
		mirror_mark(d, d->conf.kernel_routes.enabled, READ_LOST);
		while ((err = nl_read_events(&d->nl, &h)) == -ENOBUFS)
			;
		dump_kernel(d);
		d->mirror_dirty |= d->conf.kernel_routes.enabled;
		d->rules_changed = 1;	/* a rule event may be among the lost */
	} else if (err) {
		pr_warn("Failed to read netlink events: %s", strerror(-err));
	}
	if (d->rules_changed && d->applied_once)
		warn_bypassed(d, 1);
	/* Under churn the table is read at most every MIRROR_GAP_MS; the
	 * events between are taken by the next read (from the tick). */
	if (mirror_due(d) && d->plane.now_ms - d->mirror_read_ms >= MIRROR_GAP_MS)
		mirror_sync(d);
}
