// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The devices the mirrored table's routes go through, to tell whether a
 * link coming, going, or going down or up can change the table. What the
 * kernel then changes without announcing it are routes through that link
 * alone: IPv4 routes flushed with it (every path's link down or gone),
 * paths marked dead or alive again (RTNH_F_DEAD, RTNH_F_LINKDOWN), and
 * nexthop objects removed with it, their routes along. A link that no
 * route or object goes through (a pod's veth on a Kubernetes node, a
 * management port, a tunnel brought up) changes nothing in the table, and
 * needs no read of it: at a full table a read is seconds of CPU. Nor do
 * routes the data path never looks up count (ecmp_martian.h): the
 * fe80::/64 every IPv6 link has, multicast, loopback. Until the next read
 * `ecmpctl route show all` may list such a route through a link since
 * gone; no frame's path depends on it.
 *
 * As the sources (mirror_src.c), the set only grows between reads (a
 * route that goes leaves its devices in, to be dropped by the next read):
 * it may say "read" needlessly, never the other way. A route with more
 * paths than a message keeps, or past MIRROR_DEV_MAX devices, and every
 * link change reads, as before the set existed.
 */
#include "ecmp_martian.h"
#include "mirror.h"
#include "mirror_table.h"
#include "lib/array.h"

#define MIRROR_DEV_MAX	4096

/* (mirror_table.h) */
void mirror_dev_note(struct table *t, const struct nl_route *r)
{
	int i;

	if (ecmp_prefix_martian(r->family, r->addr, r->prefixlen))
		return;
	if (r->nh_truncated) {
		t->dev.full = 1;	/* paths not kept: any device may be one */
		return;
	}
	/* No device (a blackhole, a route naming an object) adds none. */
	for (i = 0; i < r->nnh; i++)
		if (r->nh[i].ifindex > 0)
			u32_set_note(&t->dev, (uint32_t)r->nh[i].ifindex, MIRROR_DEV_MAX);
}

int mirror_link_takes_routes(const struct mirror *m, int ifindex)
{
	const struct table *t = m ? &m->cur : NULL;
	int i;

	/* No mirror yet: nothing known of the table's devices. */
	if (!t || ifindex <= 0 || u32_set_has(&t->dev, (uint32_t)ifindex))
		return 1;
	/* The objects routes may name alone (nexthop_compat_mode 0): a few
	 * thousand at most, looked through only when a link changes. */
	for (i = 0; i < m->obj.n; i++)
		if (m->obj.v[i].ifindex == ifindex)
			return 1;
	return 0;
}
