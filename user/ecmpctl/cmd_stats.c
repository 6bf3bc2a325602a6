// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpctl stats [--format prometheus]: the data path's counters, the
 * egress devices' XDP transmit, what the config uses of each map, and
 * ecmpd's own status when it answers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "cmd.h"
#include "xmit_stats.h"
#include "lib/ctl.h"
#include "lib/json.h"
#include "lib/print.h"
#include "lib/prometheus.h"
#include "lib/text.h"

/* What the config uses of each map, against its size (the limits); nhm
 * is ecmp_nh_meta read whole, or NULL. */
static void print_capacity(const struct ecmp_dp *dp, const struct ecmp_nh_meta *nhm)
{
	uint32_t i, nh = 0, grp = 0, egress = 0, left_out = 0;
	uint32_t *dev = calloc(dp->max_entries[DP_NEXTHOPS] + 1, sizeof(*dev));
	uint64_t buckets = 0;

	for (i = 0; nhm && i < dp->max_entries[DP_NH_META]; i++) {
		if (nhm[i].family) {
			if (dev)
				dev[nh] = nhm[i].ifindex;
			nh++;
		}
	}
	if (dev)
		dp_egress_count(dp, dev, nh, &egress, &left_out);
	free(dev);
	/* One lookup a group: a batch of these large values into a fresh
	 * buffer took longer here (a page fault a few groups). */
	for (i = 0; i < dp->max_entries[DP_GRP_META]; i++) {
		struct ecmp_grp_meta m;

		if (!bpf_map_lookup_elem(dp->fd[DP_GRP_META], &i, &m) && m.in_use) {
			grp++;
			buckets += m.buckets;
		}
	}
	print_open_object(PRINT_ANY, "capacity");
	print_u64(PRINT_ANY, "nexthops", nh);
	print_u64(PRINT_ANY, "nexthops_max", dp->max_entries[DP_NEXTHOPS]);
	print_u64(PRINT_ANY, "groups", grp);
	print_u64(PRINT_ANY, "groups_max", dp->max_entries[DP_GROUPS]);
	print_u64(PRINT_ANY, "buckets", buckets);
	print_u64(PRINT_ANY, "buckets_max", dp->max_entries[DP_BUCKETS] - 1);
	/* Egress interfaces in ecmp_tx_ports, and those its size left out
	 * (their nexthops' frames go through the kernel). */
	print_u64(PRINT_ANY, "egress", egress);
	print_u64(PRINT_ANY, "egress_max", dp->max_entries[DP_TX_PORTS]);
	print_u64(PRINT_ANY, "egress_left_out", left_out);
	print_close_object();
	print_nl();
}

/* Kernel memory of the maps, and ecmpd's own when it answers. */
static void print_memory(const struct ecmp_dp *dp, const struct json_value *status)
{
	uint64_t total = 0, rss = 0, peak = 0;
	int i, have_rss;

	for (i = 0; i < DP_MAP_COUNT; i++)
		total += dp_map_memlock(dp, i);
	have_rss = !json_u64_of(json_get(status, "rss_bytes"), &rss) &&
		   !json_u64_of(json_get(status, "rss_peak_bytes"), &peak);
	print_open_object(PRINT_ANY, "memory");
	print_size(PRINT_ANY, "maps_bytes", total);
	print_open_object(PRINT_ANY, "maps");
	for (i = 0; i < DP_MAP_COUNT; i++)
		print_size(PRINT_ANY, dp_map_names[i], dp_map_memlock(dp, i));
	print_close_object();
	if (have_rss) {
		print_size(PRINT_ANY, "ecmpd_rss_bytes", rss);
		print_size(PRINT_ANY, "ecmpd_rss_peak_bytes", peak);
	} else {
		print_null(PRINT_ANY, "ecmpd_rss_bytes");
		print_text("(ecmpd not running)");
	}
	print_close_object();
	print_nl();
}

/* The fields of an object of ecmpd's status that it has, in this order:
 * numbers as numbers, strings as strings, truth as "yes" or "no" (as the
 * other yes/no fields of ecmpctl's output). */
static void print_fields(const struct json_value *o, const char *const *fields, unsigned n)
{
	const struct json_value *v;
	uint64_t x;
	unsigned i;

	for (i = 0; i < n; i++) {
		v = json_get(o, fields[i]);
		if (!json_u64_of(v, &x))
			print_u64(PRINT_ANY, fields[i], x);
		else if (v && v->type == JSON_BOOL)
			print_str(PRINT_ANY, fields[i], v->boolean ? "yes" : "no");
		else if (json_get_str(o, fields[i]))
			print_str(PRINT_ANY, fields[i], json_get_str(o, fields[i]));
	}
}

/* The counts of o's object KEY that are not 0, after LABEL. */
static void print_counts(const struct json_value *o, const char *key, const char *label)
{
	const struct json_value *v = json_get(o, key);
	int first = 1;
	uint64_t x;

	print_open_object(PRINT_JSON, key);
	for (v = v ? v->child : NULL; v; v = v->next)
		if (v->key && !json_u64_of(v, &x) && x) {
			if (first)
				print_text("%s", label);
			first = 0;
			print_u64(PRINT_ANY, v->key, x);
		}
	print_close_object();
}

/* What `routes kernel` mirrors (ecmpd's status), when it is on. */
static void print_mirror(const struct json_value *status)
{
	const struct json_value *kr = json_get(status, "kernel_routes");
	static const char *const fields[] = { "table", "prefixes", "mirrored", "groups", "reads",
					      "patches", "regroups", "netlink_overruns",
					      "last_read_apply_us",
					      "last_lag_us", "max_lag_us", "last_patch_us",
					      "max_patch_us", "in_data_path" };

	if (!kr)
		return;
	print_open_object(PRINT_JSON, "kernel_routes");
	print_text("kernel routes");
	print_fields(kr, fields, sizeof(fields) / sizeof(fields[0]));
	if (json_get_str(kr, "error"))
		print_str(PRINT_ANY, "error", json_get_str(kr, "error"));
	print_counts(kr, "skipped", "the kernel's:");
	print_counts(kr, "read_causes", "read for:");
	print_close_object();
	print_nl();
}

/* One object of ecmpd's status as a line: LABEL and its fields (the JSON
 * object KEY), when ecmpd has it. */
static void print_status_line(const struct json_value *status, const char *key,
			      const char *label, const char *const *fields, unsigned n)
{
	const struct json_value *o = json_get(status, key);

	if (!o)
		return;
	print_open_object(PRINT_JSON, key);
	print_text("%s", label);
	print_fields(o, fields, n);
	print_close_object();
	print_nl();
}

/* The route trie's chunks (ecmpd's status): in use, the pool, and the
 * pages of tails and run lists that a whole read's compaction would give
 * back (a page frees only when all its slots do). */
static void print_trie(const struct json_value *status)
{
	static const char *const fields[] = { "chunks", "chunks_max", "spare_pages",
					      "compactions", "chunks_given_back" };

	print_status_line(status, "trie", "trie", fields, sizeof(fields) / sizeof(fields[0]));
}

/* The router's own addresses (ecmpd's status): how many, and how their
 * events inside routed prefixes were applied (patches: their own entries
 * alone; rebuilds: the whole table, when a patch could not be made). */
static void print_addresses(const struct json_value *status)
{
	static const char *const fields[] = { "local", "unrouted", "patches", "rebuilds" };

	print_status_line(status, "addresses", "addresses", fields,
			  sizeof(fields) / sizeof(fields[0]));
}

/* ecmpctl monitor's subscribers (ecmpd's status): those dropped stopped
 * reading for longer than their queue holds. */
static void print_monitors(const struct json_value *status)
{
	static const char *const fields[] = { "subscribers", "lines", "dropped" };

	print_status_line(status, "monitors", "monitors", fields, sizeof(fields) / sizeof(fields[0]));
}

/* What the fast path bypasses (ecmpd's status; its log said each when it
 * found it): netfilter, rp_filter, routing-policy rules, IPsec policies,
 * traffic control, a kernel that does not forward. One line each. */
static void print_bypassed(const struct json_value *status)
{
	const struct json_value *a = json_get(status, "bypassed"), *w;

	if (!a || a->type != JSON_ARRAY)
		return;
	print_open_array(PRINT_JSON, "bypassed");
	for (w = a->child; w; w = w->next) {
		if (w->type != JSON_STRING)
			continue;
		print_text("bypassed");
		print_str(PRINT_ANY, NULL, w->str);
		print_nl();
	}
	print_close_array();
}

/* zebra's FPM stream (`routes fpm`), when it is on. */
static void print_fpm(const struct json_value *status)
{
	static const char *const fields[] = {
		"listen", "table", "state", "peer", "routes", "nexthop_groups", "replayed", "mirrored",
		"in_data_path", "connections", "frames", "messages", "malformed", "ignored", "out_of_memory", "broken",
		"refused", "sweeps", "swept", "patches", "whole_merges", "regroups", "last_lag_us", "max_lag_us",
		"error"
	};

	print_status_line(status, "fpm_routes", "fpm routes", fields, sizeof(fields) / sizeof(fields[0]));
}

/* The egress devices of the nexthops (nhm: ecmp_nh_meta read whole, or
 * NULL), with what their drivers count of XDP transmit: "forwarded"
 * checked against what left. */
static void print_egress(const struct ecmp_dp *dp, const struct ecmp_nh_meta *nhm)
{
	uint32_t seen[256], nseen = 0, id, k;

	print_open_array(PRINT_JSON, "egress");
	for (id = 0; nhm && id < dp->max_entries[DP_NH_META]; id++) {
		const struct ecmp_nh_meta *m = &nhm[id];
		struct xmit_stats x;
		char dev[IF_NAMESIZE];

		if (!m->family)
			continue;
		for (k = 0; k < nseen && seen[k] != m->ifindex; k++)
			;
		if (k < nseen || nseen == sizeof(seen) / sizeof(seen[0]))
			continue;
		seen[nseen++] = m->ifindex;
		if (!if_indextoname(m->ifindex, dev))
			continue;
		print_open_object(PRINT_JSON, NULL);
		print_text("egress");
		print_str(PRINT_ANY, "dev", dev);
		print_str(PRINT_ANY, "xdp_xmit_capable",
			  m->flags & ECMP_NH_META_NO_XDP_XMIT ? "no" : "yes");
		if (xmit_stats_read(dev, &x) || (!x.has_sent && !x.has_errors)) {
			print_null(PRINT_JSON, "xdp_xmit");
			print_null(PRINT_JSON, "xdp_xmit_errors");
			print_text("(its driver counts no XDP transmit)");
		} else {
			if (x.has_sent)
				print_u64(PRINT_ANY, "xdp_xmit", x.sent);
			else
				print_null(PRINT_ANY, "xdp_xmit");
			if (x.has_errors)
				print_u64(PRINT_ANY, "xdp_xmit_errors", x.errors);
			else
				print_null(PRINT_ANY, "xdp_xmit_errors");
		}
		print_close_object();
		print_nl();
	}
	print_close_array();
}

int do_stats(void)
{
	struct json_value *status = NULL;
	char *text = NULL;
	struct ecmp_nh_meta *nhm;
	struct ecmp_counter c;
	struct ecmp_dp dp;
	int r;

	if (cmd_open_maps(&dp))
		return 1;
	if (args.prometheus) {
		prom_write(stdout, &dp, args.socket);
		dp_close(&dp, 1);
		fflush(stdout);
		return 0;
	}
	print_open_object(PRINT_JSON, NULL);
	for (r = 0; r < ECMP_REASON_MAX; r++) {
		dp_read_counter(&dp, DP_STATS, r, &c);
		if (r == ECMP_FORWARDED) {
			print_open_object(PRINT_ANY, text_reason(r));
		} else {
			if (r == 1)
				print_open_object(PRINT_JSON, "passed");
			print_text("passed");
			print_open_object(PRINT_ANY, text_reason(r));
		}
		print_u64(PRINT_ANY, "packets", c.packets);
		print_u64(PRINT_ANY, "bytes", c.bytes);
		print_close_object();
		print_nl();
	}
	print_close_object();	/* passed */
	/* Read once for both, in one system call (not one a nexthop). */
	nhm = dp_read_whole(&dp, DP_NH_META, sizeof(*nhm));
	if (!nhm)
		fprintf(stderr, "ecmpctl: reading %s failed: %s; egress and capacity leave the nexthops out\n",
			ECMP_MAP_NH_META, strerror(errno));
	print_egress(&dp, nhm);
	print_capacity(&dp, nhm);
	free(nhm);
	if (!ctl_request(args.socket, "status", &text, 10000))
		status = json_parse(text, NULL);
	print_memory(&dp, status);
	print_trie(status);
	print_addresses(status);
	print_mirror(status);
	print_fpm(status);
	print_monitors(status);
	print_bypassed(status);
	print_close_object();
	json_free(status);
	free(text);
	dp_close(&dp, 1);
	return 0;
}
