// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "prometheus.h"
#include "ctl.h"
#include "json.h"
#include "text.h"

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *key, const char *val, int first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", key);
	if (!strpbrk(val, "\\\"\n")) {	/* the usual name: as it is */
		fputs(val, f);
		val = "";
	}
	for (; *val; val++) {
		if (*val == '\\' || *val == '"')
			fputc('\\', f);
		if (*val == '\n')
			fputs("\\n", f);
		else
			fputc(*val, f);
	}
	fputc('"', f);
}

static void nh_name(const struct ecmp_nh_meta *m, char *out, size_t len)
{
	snprintf(out, len, "%.*s", (int)sizeof(m->name), m->name);
}

static void write_reasons(FILE *f, const struct ecmp_dp *dp)
{
	static const char *const what[2][3] = {
		{ "ecmp_frames_total", "counter",
		  "Frames the data path handled, by outcome: forwarded, or the reason it passed them to the kernel." },
		{ "ecmp_frame_bytes_total", "counter",
		  "Bytes of those frames, by outcome." },
	};
	int k, r;

	for (k = 0; k < 2; k++) {
		head(f, what[k][0], what[k][1], what[k][2]);
		for (r = 0; r < ECMP_REASON_MAX; r++) {
			struct ecmp_counter c = { 0 };

			dp_read_counter(dp, DP_STATS, r, &c);
			fprintf(f, "%s{", what[k][0]);
			label(f, "outcome", text_reason(r), 1);
			fprintf(f, "} %llu\n", (unsigned long long)(k ? c.bytes : c.packets));
		}
	}
}

/* The tables a scrape reads, each in one batch of syscalls (a scrape at
 * 1,024 nexthops would otherwise take thousands: one lookup per nexthop
 * and metric, one socket per interface name). */
struct snapshot {
	uint32_t nnh, ngrp;
	struct ecmp_nh_meta *nh;
	struct ecmp_counter *nh_stats;
	char (*dev)[IF_NAMESIZE];	/* per nexthop id */
	struct ecmp_grp_meta *grp;
	struct ecmp_counter *grp_stats;
};

static void snapshot_free(struct snapshot *s)
{
	free(s->nh);
	free(s->nh_stats);
	free(s->dev);
	free(s->grp);
	free(s->grp_stats);
}

static int snapshot_read(const struct ecmp_dp *dp, struct snapshot *s)
{
	uint32_t id, k, seen = 0, known[64];
	char names[64][IF_NAMESIZE];

	memset(s, 0, sizeof(*s));
	s->nnh = dp->max_entries[DP_NH_META];
	s->ngrp = dp->max_entries[DP_GRP_META];
	s->nh = dp_read_whole(dp, DP_NH_META, sizeof(*s->nh));
	s->nh_stats = calloc(dp->max_entries[DP_NH_STATS] + 1, sizeof(*s->nh_stats));
	s->dev = calloc(s->nnh + 1, sizeof(*s->dev));
	s->grp = dp_read_whole(dp, DP_GRP_META, sizeof(*s->grp));
	s->grp_stats = calloc(dp->max_entries[DP_GRP_STATS] + 1, sizeof(*s->grp_stats));
	if (!s->nh || !s->nh_stats || !s->dev || !s->grp || !s->grp_stats)
		return -1;
	/* Counters missing read as zero, as a fresh map's would. */
	dp_read_counters(dp, DP_NH_STATS, s->nh_stats);
	dp_read_counters(dp, DP_GRP_STATS, s->grp_stats);
	/* Interface names, once per interface (the first 64 remembered). */
	for (id = 0; id < s->nnh; id++) {
		uint32_t ifi = s->nh[id].ifindex;

		if (!s->nh[id].family)
			continue;
		for (k = 0; k < seen && known[k] != ifi; k++)
			;
		if (k < seen) {
			memcpy(s->dev[id], names[k], IF_NAMESIZE);
			continue;
		}
		if (!if_indextoname(ifi, s->dev[id]))
			snprintf(s->dev[id], IF_NAMESIZE, "if%u", ifi);
		if (seen < 64) {
			known[seen] = ifi;
			memcpy(names[seen++], s->dev[id], IF_NAMESIZE);
		}
	}
	return 0;
}

static void write_nexthops(FILE *f, const struct ecmp_dp *dp, const struct snapshot *snap)
{
	static const char *const names[] = {
		"ecmp_nexthop_frames_total", "ecmp_nexthop_bytes_total", "ecmp_nexthop_up",
		"ecmp_nexthop_state", "ecmp_nexthop_mtu_bytes",
	};
	static const char *const helps[] = {
		"Frames forwarded to the nexthop.", "Bytes forwarded to the nexthop.",
		"1 while the nexthop is in the data path (link, neighbour and BFD good, not drained).",
		"The nexthop's state, one series per state, 1 for the one it is in.",
		"The MTU of the nexthop's egress link (0: not known).",
	};
	static const char *const types[] = { "counter", "counter", "gauge", "gauge", "gauge" };
	static const int states[] = { ECMP_NH_STATE_UP, ECMP_NH_STATE_DOWN, ECMP_NH_STATE_DRAIN,
				      ECMP_NH_STATE_UNRESOLVED };
	unsigned k, s;
	uint32_t id;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		head(f, names[k], types[k], helps[k]);
		for (id = 0; id < snap->nnh; id++) {
			const struct ecmp_nh_meta *m = &snap->nh[id];
			const struct ecmp_counter *c = &snap->nh_stats[id];
			const struct ecmp_nexthop *n = &dp->nexthops[id];
			char name[ECMP_NAME_MAX + 1];

			if (!m->family)
				continue;
			nh_name(m, name, sizeof(name));
			for (s = 0; s < (k == 3 ? sizeof(states) / sizeof(states[0]) : 1); s++) {
				fprintf(f, "%s{", names[k]);
				label(f, "nexthop", name, 1);
				label(f, "dev", snap->dev[id], 0);
				if (k == 3)
					label(f, "state", text_nh_state(states[s]), 0);
				fputs("} ", f);
				switch (k) {
				case 0: fprintf(f, "%llu\n", (unsigned long long)c->packets); break;
				case 1: fprintf(f, "%llu\n", (unsigned long long)c->bytes); break;
				case 2: fprintf(f, "%d\n", !!(n->flags & ECMP_NH_USABLE)); break;
				case 3: fprintf(f, "%d\n", m->state == states[s]); break;
				default: fprintf(f, "%u\n", n->mtu); break;
				}
			}
		}
	}
}

static void write_groups(FILE *f, const struct ecmp_dp *dp, const struct snapshot *snap)
{
	uint32_t nnh = dp->max_entries[DP_NEXTHOPS];
	/* Buckets per nexthop id in one group's table: one pass over it. */
	uint32_t *owned = calloc(nnh ? nnh : 1, sizeof(*owned));
	int k;

	if (!owned)
		return;

	for (k = 0; k < 3; k++) {
		uint32_t gid;

		if (k == 0)
			head(f, "ecmp_group_frames_total", "counter", "Frames forwarded through the group.");
		else if (k == 1)
			head(f, "ecmp_group_bytes_total", "counter", "Bytes forwarded through the group.");
		else
			head(f, "ecmp_group_buckets", "gauge",
			     "Buckets of the group's table each member owns (its share of the flows).");
		for (gid = 0; gid < snap->ngrp; gid++) {
			const struct ecmp_grp_meta *m = &snap->grp[gid];
			const struct ecmp_counter *c = &snap->grp_stats[gid];
			char name[ECMP_NAME_MAX + 1];
			uint32_t base, i, b;

			if (!m->in_use)
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)sizeof(m->name), m->name);
			if (k < 2) {
				fprintf(f, "%s{", k ? "ecmp_group_bytes_total" : "ecmp_group_frames_total");
				label(f, "group", name, 1);
				fprintf(f, "} %llu\n", (unsigned long long)(k ? c->bytes : c->packets));
				continue;
			}
			base = ecmp_group_base(dp_group_word(dp, gid));
			for (b = 0; b < m->buckets && base + b < dp->max_entries[DP_BUCKETS]; b++) {
				uint32_t id = dp->buckets[base + b].nexthop;

				if (id < nnh)
					owned[id]++;
			}
			for (i = 0; i < m->nmembers && i < ECMP_MAX_GROUP_MEMBERS; i++) {
				uint32_t id = m->member[i].nexthop;
				char nh[ECMP_NAME_MAX + 1];

				if (id >= snap->nnh || !snap->nh[id].family)
					snprintf(nh, sizeof(nh), "#%u", id);
				else
					nh_name(&snap->nh[id], nh, sizeof(nh));
				fputs("ecmp_group_buckets{", f);
				label(f, "group", name, 1);
				label(f, "nexthop", nh, 0);
				fprintf(f, "} %u\n", id < nnh ? owned[id] : 0);
			}
			for (i = 0; i < m->nmembers && i < ECMP_MAX_GROUP_MEMBERS; i++)
				if (m->member[i].nexthop < nnh)
					owned[m->member[i].nexthop] = 0;
		}
	}
	free(owned);
}

/* How full each table is: entries in use against the map's size. */
static void write_capacity(FILE *f, const struct ecmp_dp *dp, const struct snapshot *snap)
{
	uint64_t nh = 0, grp = 0, bytes = 0;
	uint32_t i, *dev = calloc(snap->nnh + 1, sizeof(*dev)), egress = 0, left_out = 0;
	int m;

	for (i = 0; i < snap->nnh; i++)
		if (snap->nh[i].family) {
			if (dev)
				dev[nh] = snap->nh[i].ifindex;
			nh++;
		}
	if (dev)
		dp_egress_count(dp, dev, nh, &egress, &left_out);
	free(dev);
	for (i = 0; i < snap->ngrp; i++)
		grp += snap->grp[i].in_use != 0;
	head(f, "ecmp_table_entries", "gauge", "Entries in use, by table.");
	fprintf(f, "ecmp_table_entries{table=\"nexthops\"} %llu\n", (unsigned long long)nh);
	fprintf(f, "ecmp_table_entries{table=\"groups\"} %llu\n", (unsigned long long)grp);
	fprintf(f, "ecmp_table_entries{table=\"egress\"} %u\n", egress);
	head(f, "ecmp_table_entries_max", "gauge", "Entries each table holds at most.");
	fprintf(f, "ecmp_table_entries_max{table=\"nexthops\"} %u\n", dp->max_entries[DP_NEXTHOPS]);
	fprintf(f, "ecmp_table_entries_max{table=\"groups\"} %u\n", dp->max_entries[DP_GROUPS]);
	fprintf(f, "ecmp_table_entries_max{table=\"egress\"} %u\n", dp->max_entries[DP_TX_PORTS]);
	head(f, "ecmp_egress_left_out", "gauge",
	     "Interfaces nexthops go out of that ecmp_tx_ports has no room for ('limits egress'): their frames go through the kernel.");
	fprintf(f, "ecmp_egress_left_out %u\n", left_out);
	for (m = 0; m < DP_MAP_COUNT; m++)
		bytes += dp_map_memlock(dp, m);
	head(f, "ecmp_maps_memory_bytes", "gauge", "Kernel memory of the data path's maps.");
	fprintf(f, "ecmp_maps_memory_bytes %llu\n", (unsigned long long)bytes);
}

/* A number member of a reply, 0 when absent. */
static unsigned long long num(const struct json_value *o, const char *key)
{
	uint64_t v = 0;

	json_u64_of(json_get(o, key), &v);
	return (unsigned long long)v;
}

/* The route trie's chunks, from ecmpd (only it knows which are in use). */
/* One metric without labels per number of a JSON object of ecmpd's. */
struct plain_metric {
	const char *name, *type, *help, *key;
};

static void write_plain(FILE *f, const struct json_value *obj, const struct plain_metric *m,
			unsigned n)
{
	unsigned i;

	for (i = 0; obj && i < n; i++) {
		head(f, m[i].name, m[i].type, m[i].help);
		fprintf(f, "%s %llu\n", m[i].name, num(obj, m[i].key));
	}
}

static void write_trie(FILE *f, const struct json_value *t)
{
	static const struct plain_metric m[] = {
		{ "ecmp_trie_chunks", "gauge", "Route trie chunks in use.", "chunks" },
		{ "ecmp_trie_chunks_max", "gauge", "Route trie chunks in the pool ('limits chunks').",
		  "chunks_max" },
		{ "ecmp_trie_spare_pages", "gauge",
		  "Pages of tails and run lists the next whole read's compaction gives back.",
		  "spare_pages" },
		{ "ecmp_trie_compactions_total", "counter", "Compactions of the route trie.",
		  "compactions" },
	};

	write_plain(f, t, m, sizeof(m) / sizeof(m[0]));
}

static void write_addresses(FILE *f, const struct json_value *a)
{
	static const struct plain_metric m[] = {
		{ "ecmp_local_addresses", "gauge",
		  "The router's own addresses the data path delivers to the kernel.", "local" },
		{ "ecmp_address_patches_total", "counter",
		  "Address events inside a routed prefix applied to their own entries alone.",
		  "patches" },
		{ "ecmp_address_rebuilds_total", "counter",
		  "Address events inside a routed prefix that took a whole route table build.",
		  "rebuilds" },
	};

	write_plain(f, a, m, sizeof(m) / sizeof(m[0]));
}

/* Whether a source's routes are in the data path (ecmpd's status). */
static int in_data_path(const struct json_value *src)
{
	const struct json_value *v = json_get(src, "in_data_path");

	return v && v->type == JSON_BOOL && v->boolean;
}

/* The route sources (`routes kernel`, `routes fpm`): what an alert needs,
 * whether their routes are forwarded, how far behind, and zebra's
 * connection. */
static void write_route_sources(FILE *f, const struct json_value *st)
{
	static const struct plain_metric fpm[] = {
		{ "ecmp_fpm_connections_total", "counter",
		  "Connections zebra made to the FPM listener (each one replays its table).", "connections" },
		{ "ecmp_fpm_refused_total", "counter",
		  "Connections to the FPM listener refused: outside 'from', or never an FPM stream.", "refused" },
		{ "ecmp_fpm_broken_total", "counter",
		  "zebra's connections ended on a stream that is not FPM netlink.", "broken" },
		{ "ecmp_fpm_malformed_total", "counter",
		  "Messages or frames of zebra's stream refused as malformed.", "malformed" },
		{ "ecmp_fpm_swept_total", "counter",
		  "Routes removed because zebra's replay did not send them again.", "swept" },
	};
	const struct json_value *k = json_get(st, "kernel_routes"), *z = json_get(st, "fpm_routes");
	const struct json_value *v;
	uint64_t x;
	const char *state = z ? json_get_str(z, "state") : NULL;

	if (!k && !z)
		return;
	head(f, "ecmp_route_source_in_data_path", "gauge",
	     "1 while the source's routes are in the data path (0: not mirrored, ecmpctl stats says why).");
	if (k)
		fprintf(f, "ecmp_route_source_in_data_path{source=\"kernel\"} %d\n", in_data_path(k));
	if (z)
		fprintf(f, "ecmp_route_source_in_data_path{source=\"fpm\"} %d\n", in_data_path(z));
	head(f, "ecmp_route_source_lag_max_seconds", "gauge",
	     "The longest time from a route change to the data path since ecmpd started.");
	if (k)
		fprintf(f, "ecmp_route_source_lag_max_seconds{source=\"kernel\"} %.6f\n",
			num(k, "max_lag_us") / 1e6);
	if (z)
		fprintf(f, "ecmp_route_source_lag_max_seconds{source=\"fpm\"} %.6f\n",
			num(z, "max_lag_us") / 1e6);
	if (k) {
		head(f, "ecmp_kernel_routes_reads_total", "counter",
		     "Whole reads of the kernel's routing table (start, overruns, what a change alone cannot take).");
		fprintf(f, "ecmp_kernel_routes_reads_total %llu\n", num(k, "reads"));
		head(f, "ecmp_kernel_routes_read_causes_total", "counter",
		     "What asked for the whole reads; a read counts for every cause since the one before.");
		for (v = json_get(k, "read_causes"), v = v ? v->child : NULL; v; v = v->next)
			if (v->key && !json_u64_of(v, &x))
				fprintf(f, "ecmp_kernel_routes_read_causes_total{cause=\"%s\"} %llu\n",
					v->key, (unsigned long long)x);
		head(f, "ecmp_kernel_routes_netlink_overruns_total", "counter",
		     "Route events the kernel dropped (ENOBUFS); each makes a whole read.");
		fprintf(f, "ecmp_kernel_routes_netlink_overruns_total %llu\n", num(k, "netlink_overruns"));
	}
	if (!z)
		return;
	head(f, "ecmp_fpm_connected", "gauge", "1 while zebra is connected to the FPM listener.");
	fprintf(f, "ecmp_fpm_connected %d\n",
		state && (!strcmp(state, "connected") || !strcmp(state, "replaying")));
	write_plain(f, z, fpm, sizeof(fpm) / sizeof(fpm[0]));
}

static void write_daemon(FILE *f, const char *socket)
{
	char *text = NULL, *btext = NULL;
	struct json_value *st = NULL, *bfd = NULL;
	const struct json_value *s, *sessions;

	if (!ctl_request(socket, "status", &text, 10000))
		st = json_parse(text, NULL);
	head(f, "ecmp_daemon_up", "gauge", "1 when ecmpd answered on its control socket.");
	fprintf(f, "ecmp_daemon_up %d\n", st != NULL);
	if (st) {
		head(f, "ecmp_daemon_resident_memory_bytes", "gauge", "ecmpd's resident memory.");
		fprintf(f, "ecmp_daemon_resident_memory_bytes %llu\n", num(st, "rss_bytes"));
		head(f, "ecmp_buckets_moved_total", "counter",
		     "Buckets ecmpd gave to another nexthop (failures, recoveries, weight changes).");
		fprintf(f, "ecmp_buckets_moved_total %llu\n", num(st, "buckets_moved"));
		head(f, "ecmp_routes", "gauge", "Routes in the data path, by where they come from.");
		fprintf(f, "ecmp_routes{source=\"config\"} %llu\n", num(st, "config_routes"));
		if (json_get(st, "kernel_routes"))
			fprintf(f, "ecmp_routes{source=\"kernel\"} %llu\n",
				num(json_get(st, "kernel_routes"), "mirrored"));
		if (json_get(st, "fpm_routes"))
			fprintf(f, "ecmp_routes{source=\"fpm\"} %llu\n",
				num(json_get(st, "fpm_routes"), "mirrored"));
		write_route_sources(f, st);
		write_trie(f, json_get(st, "trie"));
		write_addresses(f, json_get(st, "addresses"));
	}
	if (st && !ctl_request(socket, "bfd show", &btext, 10000))
		bfd = json_parse(btext, NULL);
	sessions = bfd ? json_get(bfd, "sessions") : NULL;
	if (sessions && sessions->child) {
		head(f, "ecmp_bfd_up", "gauge", "1 while the nexthop's BFD session is Up.");
		for (s = sessions->child; s; s = s->next) {
			fputs("ecmp_bfd_up{", f);
			label(f, "nexthop", json_get_str(s, "nexthop") ?: "?", 1);
			fprintf(f, "} %d\n", !strcmp(json_get_str(s, "state") ?: "", "up"));
		}
		head(f, "ecmp_bfd_flaps_total", "counter", "Times the session went down from Up.");
		for (s = sessions->child; s; s = s->next) {
			fputs("ecmp_bfd_flaps_total{", f);
			label(f, "nexthop", json_get_str(s, "nexthop") ?: "?", 1);
			fprintf(f, "} %llu\n", num(s, "flaps"));
		}
		head(f, "ecmp_bfd_detection_time_seconds", "gauge",
		     "The session's detection time (RFC 5880 6.8.4).");
		for (s = sessions->child; s; s = s->next) {
			fputs("ecmp_bfd_detection_time_seconds{", f);
			label(f, "nexthop", json_get_str(s, "nexthop") ?: "?", 1);
			fprintf(f, "} %.6f\n", num(s, "detect_time_us") / 1e6);
		}
	}
	json_free(bfd);
	json_free(st);
	free(btext);
	free(text);
}

void prom_write(FILE *f, const struct ecmp_dp *dp, const char *socket)
{
	struct snapshot snap;

	write_reasons(f, dp);
	if (!snapshot_read(dp, &snap)) {
		write_nexthops(f, dp, &snap);
		write_groups(f, dp, &snap);
		write_capacity(f, dp, &snap);
	}
	snapshot_free(&snap);
	write_daemon(f, socket);
}
