// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>
#include <bpf/bpf.h>

#include "ecmp_pass.h"
#include "lookup.h"
#include "lib/lpm.h"

/* The configured prefix a lookup lands on: longest first. */
static int matched_route(const struct ecmp_dp *dp, const struct ecmp_flow *f,
			 struct ecmp_route_key *out)
{
	int len = f->family == ECMP_AF_INET ? 32 : 128, l;

	for (l = len; l >= 0; l--) {
		struct ecmp_route_key k = { .family = f->family, .prefixlen = l };
		struct ecmp_route v;

		memcpy(k.addr, f->daddr, len / 8);
		lpm_mask(k.addr, f->family, l);
		if (!bpf_map_lookup_elem(dp->fd[DP_ROUTES], &k, &v)) {
			*out = k;
			return 1;
		}
	}
	return 0;
}

/* A kernel-path rule in force claims the flow (as fwd.bpf.h decides). */
static int kernel_path(const struct ecmp_dp *dp, const struct ecmp_flow *f)
{
	uint32_t word = __atomic_load_n(&dp->config->pass_rules, __ATOMIC_ACQUIRE);
	uint32_t n = ECMP_PASS_RULES_COUNT(word), i;

	for (i = 0; i < n && i < ECMP_MAX_PASS_RULES; i++) {
		uint32_t key = ECMP_PASS_RULES_HALF(word) * ECMP_MAX_PASS_RULES + i;
		struct ecmp_pass_rule rule;

		if (!bpf_map_lookup_elem(dp->fd[DP_PASS_RULES], &key, &rule) &&
		    ecmp_pass_rule_match(&rule, f))
			return 1;
	}
	return 0;
}

int lookup_flow(const struct ecmp_dp *dp, const struct ecmp_flow *f,
		const struct ecmp_flow *hashed, struct lookup_result *r)
{
	const struct ecmp_config *cfg = dp->config;
	uint64_t table;
	uint32_t base, mask;
	int probe;

	memset(r, 0, sizeof(*r));
	if (!(cfg->flags & ECMP_CFG_READY)) {
		r->reason = ECMP_PASS_NOT_READY;
		return 0;
	}
	r->leaf = lpm_walk(dp->root, dp->node, dp->max_entries[DP_LPM_NODE],
			   f->family, (const uint8_t *)f->daddr);
	r->route_found = matched_route(dp, f, &r->route);
	if (r->leaf == ECMP_LPM_NONE) {
		r->reason = ECMP_PASS_NO_ROUTE;
		return 0;
	}
	if (r->leaf == ECMP_LPM_CONNECTED) {
		r->reason = ECMP_PASS_CONNECTED;
		return 0;
	}
	if (r->leaf == ECMP_LPM_LOCAL) {
		r->reason = ECMP_PASS_LOCAL;
		return 0;
	}
	if (kernel_path(dp, f)) {
		r->reason = ECMP_PASS_KERNEL_PATH;
		return 0;
	}
	r->group = ECMP_LPM_GROUP(r->leaf);
	r->hash = ecmp_flow_hash(hashed, cfg->hash_flags, cfg->seed);
	r->reason = ECMP_PASS_NO_NEXTHOP;
	if (r->group >= dp->max_entries[DP_GROUPS])
		return 0;
	table = dp_group_word(dp, r->group);
	base = ecmp_group_base(table);
	mask = ecmp_group_mask(table);
	r->bucket = ecmp_hash_bucket(r->hash, mask, 0);
	for (probe = 0; probe < ECMP_FALLBACK_PROBES; probe++) {
		uint32_t idx = base + ecmp_hash_bucket(r->hash, mask, probe), id;

		if (idx >= dp->max_entries[DP_BUCKETS])
			return 0;
		id = __atomic_load_n(&dp->buckets[idx].nexthop, __ATOMIC_ACQUIRE);
		if (id >= dp->max_entries[DP_NEXTHOPS] ||
		    !(dp->nexthops[id].flags & ECMP_NH_USABLE))
			continue;
		r->nexthop = id;
		r->probe = probe;
		r->reason = ECMP_FORWARDED;
		{
			struct bpf_devmap_val v;
			uint32_t ifindex = dp->nexthops[id].ifindex;

			if (bpf_map_lookup_elem(dp->fd[DP_TX_PORTS], &ifindex, &v))
				r->reason = ECMP_PASS_NO_EGRESS;
		}
		return 0;
	}
	return 0;
}
