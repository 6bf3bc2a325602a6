// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The source addresses (RTA_PREFSRC) of the mirrored table's IPv4 routes,
 * to tell whether an IPv4 address going away can take routes along.
 * The kernel then removes, besides the address's own connected and local
 * routes (announced):
 *  - every route whose source it was (fib_sync_down_addr(): the 6.18
 *    kernel here announces it, older ones may not);
 *  - when it was its link's last IPv4 address, every route through the
 *    link (fib_disable_ip(), never announced).
 * Anything else stays, so most removals need no read of the table: a
 * node's service address on kube-ipvs0, a load balancer's VIP on lo. At
 * a full table a read is seconds of CPU.
 *
 * The set only grows between reads (a route that goes leaves its source
 * in, to be dropped by the next read): it may say "read" needlessly, never
 * the other way. Past MIRROR_SRC_MAX distinct sources it stops counting
 * and every removal reads, as before the set existed.
 */
#include <string.h>

#include "mirror.h"
#include "mirror_table.h"
#include "plane.h"
#include "lib/array.h"

#define MIRROR_SRC_MAX	4096

/* (mirror_table.h) Past MIRROR_SRC_MAX the set is full: every removal
 * reads. */
void mirror_src_note(struct table *t, const struct nl_route *r)
{
	uint32_t a;

	if (!r->has_prefsrc || r->family != ECMP_AF_INET)
		return;
	memcpy(&a, r->prefsrc, 4);
	u32_set_note(&t->src, a, MIRROR_SRC_MAX);
}

void mirror_note_route(struct mirror *m, const struct nl_route *r)
{
	if (m && !r->deleted) {
		mirror_src_note(&m->cur, r);
		mirror_dev_note(&m->cur, r);
	}
}

int mirror_addr_takes_routes(const struct mirror *m, const struct plane *p,
			     const struct nl_addr *a)
{
	const struct table *t = m ? &m->cur : NULL;
	uint32_t v;

	if (a->family != ECMP_AF_INET)
		return 0;	/* IPv6 keeps the routes, less their source */
	/* No mirror yet: nothing known of the table's sources. */
	if (!t || !route_iface_has_ipv4(p, a->ifindex))
		return 1;
	memcpy(&v, a->addr, 4);
	return u32_set_has(&t->src, v);
}
