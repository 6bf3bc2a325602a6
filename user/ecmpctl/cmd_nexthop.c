// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpctl nexthop show / set, group show: read from the maps, so they
 * work while ecmpd is stopped; `nexthop set` asks ecmpd.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "cmd.h"
#include "lib/ctl.h"
#include "lib/print.h"
#include "lib/text.h"

static void print_nexthop(const struct ecmp_dp *dp, uint32_t id,
			  const struct ecmp_nh_meta *m)
{
	const struct ecmp_nexthop *n = &dp->nexthops[id];
	char via[INET6_ADDRSTRLEN], dev[IF_NAMESIZE] = "?", mac[TEXT_MAC_LEN];
	struct ecmp_counter c = { 0 };

	dp_read_counter(dp, DP_NH_STATS, id, &c);
	text_addr(m->family, m->via, via, sizeof(via));
	if (!if_indextoname(m->ifindex, dev))
		snprintf(dev, sizeof(dev), "if%u", m->ifindex);
	text_mac(n->dmac, mac);
	if (!(n->flags & ECMP_NH_USABLE) && m->state == ECMP_NH_STATE_UNRESOLVED)
		snprintf(mac, sizeof(mac), "-");
	print_open_object(PRINT_JSON, NULL);
	print_str(PRINT_VALUE, "name", m->name);
	print_str(PRINT_ANY, "via", via);
	print_str(PRINT_ANY, "dev", dev);
	print_str(PRINT_ANY, "mac", mac);
	print_u64(PRINT_ANY, "weight", m->weight);
	print_str(PRINT_ANY, "state", text_nh_state(m->state));
	print_flag(PRINT_JSON, "usable", n->flags & ECMP_NH_USABLE);
	if (m->vlan)
		print_u64(PRINT_ANY, "vlan", m->vlan);
	/* The session's state as ecmpd last wrote it into the metadata. */
	if (m->flags & ECMP_NH_META_BFD)
		print_str(PRINT_ANY, "bfd", m->flags & ECMP_NH_META_BFD_UP ? "up" : "down");
	else
		print_null(PRINT_ANY, "bfd");
	if (n->mtu)
		print_u64(PRINT_ANY, "mtu", n->mtu);
	/* Its frames leave through the tc hook or the kernel, not XDP. */
	if (m->flags & ECMP_NH_META_NO_XDP_XMIT)
		print_str(PRINT_ANY, "xdp_xmit", "no");
	print_u64(PRINT_JSON, "id", id);
	print_u64(PRINT_ANY, "packets", c.packets);
	print_u64(PRINT_ANY, "bytes", c.bytes);
	print_close_object();
	print_nl();
}

int do_nexthop_show(const char *only)
{
	struct ecmp_dp dp;
	uint32_t id;
	int shown = 0;

	if (cmd_open_maps(&dp))
		return 1;
	print_open_array(PRINT_JSON, NULL);
	for (id = 0; id < dp.max_entries[DP_NH_META]; id++) {
		struct ecmp_nh_meta m;

		if (cmd_nh_meta(&dp, id, &m))
			continue;
		if (only && strncmp(m.name, only, sizeof(m.name)))
			continue;
		print_nexthop(&dp, id, &m);
		shown++;
	}
	print_close_array();
	dp_close(&dp, 1);
	if (only && !shown)
		return cmd_fail("nexthop %s: not configured", only);
	return 0;
}

int do_nexthop_set(void)
{
	char req[CTL_MAX_REQUEST];

	snprintf(req, sizeof(req), "nexthop %s %s", args.name, args.drain ? "drain" : "up");
	return cmd_request(req, 0);
}

static void print_group(const struct ecmp_dp *dp, uint32_t gid,
			const struct ecmp_grp_meta *m)
{
	uint32_t base = ecmp_group_base(dp_group_word(dp, gid)), i, b;
	struct ecmp_counter c = { 0 };

	dp_read_counter(dp, DP_GRP_STATS, gid, &c);
	print_open_object(PRINT_JSON, NULL);
	print_str(PRINT_VALUE, "name", m->name);
	print_u64(PRINT_ANY, "buckets", m->buckets);
	print_u64(PRINT_ANY, "idle_timer_ms", m->idle_timer_ms);
	print_u64(PRINT_ANY, "unbalanced_timer_ms", m->unbalanced_timer_ms);
	print_u64(PRINT_ANY, "packets", c.packets);
	print_u64(PRINT_ANY, "bytes", c.bytes);
	print_open_array(PRINT_JSON, "members");
	for (i = 0; i < m->nmembers && i < ECMP_MAX_GROUP_MEMBERS; i++) {
		struct ecmp_nh_meta nm;
		uint32_t owned = 0;

		for (b = 0; b < m->buckets && base + b < dp->max_entries[DP_BUCKETS]; b++)
			owned += dp->buckets[base + b].nexthop == m->member[i].nexthop;
		if (cmd_nh_meta(dp, m->member[i].nexthop, &nm))
			snprintf(nm.name, sizeof(nm.name), "#%u", m->member[i].nexthop);
		print_indent(4);
		print_open_object(PRINT_JSON, NULL);
		print_str(PRINT_VALUE, "nexthop", nm.name);
		print_u64(PRINT_ANY, "weight", m->member[i].weight);
		print_u64(PRINT_ANY, "buckets", owned);
		print_close_object();
	}
	print_close_array();
	print_close_object();
	print_nl();
}

int do_group_show(const char *only)
{
	struct ecmp_dp dp;
	uint32_t gid;
	int shown = 0;

	if (cmd_open_maps(&dp))
		return 1;
	print_open_array(PRINT_JSON, NULL);
	for (gid = 0; gid < dp.max_entries[DP_GRP_META]; gid++) {
		struct ecmp_grp_meta m;

		if (bpf_map_lookup_elem(dp.fd[DP_GRP_META], &gid, &m) || !m.in_use)
			continue;
		if (only && strncmp(m.name, only, sizeof(m.name)))
			continue;
		print_group(&dp, gid, &m);
		shown++;
	}
	print_close_array();
	dp_close(&dp, 1);
	if (only && !shown)
		return cmd_fail("group %s: not configured", only);
	return 0;
}
