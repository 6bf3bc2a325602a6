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
#include <string.h>

#include "ecmp_martian.h"
#include "mirror.h"
#include "mirror_table.h"
#include "lib/array.h"

#define MIRROR_DEV_MAX	4096

static void dev_add(struct table *t, int ifindex)
{
	int i;

	if (ifindex <= 0)
		return;		/* no device: a blackhole, an object's route */
	if (t->ndev && t->dev[t->last_dev] == (uint32_t)ifindex)
		return;		/* a table's routes mostly share a few */
	if (t->ndev == MIRROR_DEV_MAX &&
	    !array_set_has_u32(t->dev, t->ndev, (uint32_t)ifindex)) {
		t->dev_many = 1;
		return;
	}
	i = array_set_add_u32(&t->dev, &t->ndev, &t->capdev, (uint32_t)ifindex);
	if (i < 0)
		t->dev_many = 1;
	else
		t->last_dev = i;
}

/* (mirror_table.h) */
void mirror_dev_note(struct table *t, const struct nl_route *r)
{
	int i;

	if (t->dev_many || ecmp_prefix_martian(r->family, r->addr, r->prefixlen))
		return;
	if (r->nh_truncated) {
		t->dev_many = 1;	/* paths not kept: any device may be one */
		return;
	}
	for (i = 0; i < r->nnh; i++)
		dev_add(t, r->nh[i].ifindex);
}

int mirror_link_takes_routes(const struct mirror *m, int ifindex)
{
	const struct table *t = m ? &m->cur : NULL;
	int i;

	/* No mirror yet: nothing known of the table's devices. */
	if (!t || t->dev_many || ifindex <= 0)
		return 1;
	if (array_set_has_u32(t->dev, t->ndev, (uint32_t)ifindex))
		return 1;
	/* The objects routes may name alone (nexthop_compat_mode 0): a few
	 * thousand at most, looked through only when a link changes. */
	for (i = 0; i < m->obj.n; i++)
		if (m->obj.v[i].ifindex == ifindex)
			return 1;
	return 0;
}
