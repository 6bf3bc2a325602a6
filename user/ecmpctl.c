// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpctl: shows and drives xdp-ecmp. Show commands read the pinned maps
 * directly (they work while ecmpd is stopped); commands that change state
 * ask ecmpd over its control socket. Text by default, JSON with -j, one
 * print path for both: JSON keys are the text keywords.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <bpf/bpf.h>

#include "ctl.h"
#include "dp_maps.h"
#include "json.h"
#include "lookup.h"
#include "lpm.h"
#include "pin.h"
#include "log.h"
#include <xdp/libxdp.h>

static const char usage[] =
"Usage: ecmpctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
"where  OBJECT := { nexthop | group | route | interface | bfd | stats | lookup |\n"
"                   reload | shutdown | help }\n"
"       OPTIONS := { -j[son] | -p[retty] | --pin-root DIR | --socket PATH }\n"
"\n"
"       ecmpctl nexthop show\n"
"       ecmpctl nexthop set NAME { drain | up }\n"
"       ecmpctl group show [ NAME ]\n"
"       ecmpctl route show\n"
"       ecmpctl interface show\n"
"       ecmpctl bfd show\n"
"       ecmpctl stats\n"
"       ecmpctl lookup SRC DST [ PROTO SPORT DPORT ]\n"
"       ecmpctl lookup -        (one 'SRC DST [PROTO SPORT DPORT]' per line of stdin)\n"
"       ecmpctl reload\n"
"       ecmpctl shutdown [ --detach ]\n"
"\n"
"       PROTO := { tcp | udp | sctp | icmp | NUMBER }\n"
"Objects and commands may be abbreviated: 'ecmpctl n s' is 'nexthop show'.\n";

static struct {
	int json, pretty;
	const char *pin_root, *socket;
	struct json j;
} g = { .pin_root = ECMP_PIN_ROOT_DEFAULT, .socket = CTL_SOCKET_DEFAULT };

/* One line on stderr (or {"error": ...} on stdout with -j); exit 1. */
static int fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (g.json) {
		struct json j;

		json_init(&j, stdout, g.pretty);
		json_obj_open(&j, NULL);
		json_str(&j, "error", msg);
		json_obj_close(&j);
	} else {
		fprintf(stderr, "%s\n", msg);
	}
	return 1;
}

static int matches(const char *word, const char *cmd)
{
	return *word && !strncmp(word, cmd, strlen(word));
}

static int open_maps(struct ecmp_dp *dp)
{
	int err = dp_open_pinned(dp, g.pin_root, 0);

	if (err == -ENOENT)
		return fail("No xdp-ecmp maps under %s: start ecmpd, or pass --pin-root",
			    g.pin_root);
	if (err)
		return fail("Failed to open the maps under %s: %s", g.pin_root,
			    strerror(-err));
	return 0;
}

static void addr_str(uint8_t family, const uint8_t *a, char *buf, size_t len)
{
	inet_ntop(family == ECMP_AF_INET ? AF_INET : AF_INET6, a, buf, len);
}

static void mac_str(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

static const char *state_name(int s)
{
	static const char *const n[] = { "unused", "up", "down", "drain",
					  "unresolved" };

	return s >= 0 && s <= ECMP_NH_STATE_UNRESOLVED ? n[s] : "unknown";
}

/* ---- nexthop ---- */

static int nh_meta(const struct ecmp_dp *dp, uint32_t id, struct ecmp_nh_meta *m)
{
	return bpf_map_lookup_elem(dp->fd[DP_NH_META], &id, m) || !m->family ?
	       -ENOENT : 0;
}

/* The nexthop's BFD session as ecmpd last wrote it into the metadata. */
static const char *bfd_word(uint32_t flags)
{
	return flags & ECMP_NH_META_BFD_UP ? "up" : "down";
}

static int do_nexthop_show(void)
{
	struct ecmp_dp dp;
	uint32_t id;

	if (open_maps(&dp))
		return 1;
	if (g.json)
		json_arr_open(&g.j, NULL);
	for (id = 0; id < dp.max_entries[DP_NH_META]; id++) {
		struct ecmp_nh_meta m;
		struct ecmp_counter c = { 0 };
		char via[INET6_ADDRSTRLEN], dev[IF_NAMESIZE] = "?", mac[18];
		const struct ecmp_nexthop *n = &dp.nexthops[id];

		if (nh_meta(&dp, id, &m))
			continue;
		dp_read_counter(&dp, DP_NH_STATS, id, &c);
		addr_str(m.family, m.via, via, sizeof(via));
		if (!if_indextoname(m.ifindex, dev))
			snprintf(dev, sizeof(dev), "if%u", m.ifindex);
		mac_str(n->dmac, mac, sizeof(mac));
		if (!(n->flags & ECMP_NH_USABLE) && m.state == ECMP_NH_STATE_UNRESOLVED)
			snprintf(mac, sizeof(mac), "-");
		if (g.json) {
			json_obj_open(&g.j, NULL);
			json_str(&g.j, "name", m.name);
			json_str(&g.j, "via", via);
			json_str(&g.j, "dev", dev);
			json_str(&g.j, "mac", mac);
			json_u64(&g.j, "weight", m.weight);
			json_str(&g.j, "state", state_name(m.state));
			json_bool(&g.j, "usable", n->flags & ECMP_NH_USABLE);
			if (m.vlan)
				json_u64(&g.j, "vlan", m.vlan);
			if (m.flags & ECMP_NH_META_BFD)
				json_str(&g.j, "bfd", bfd_word(m.flags));
			else
				json_null(&g.j, "bfd");
			json_u64(&g.j, "id", id);
			json_u64(&g.j, "packets", c.packets);
			json_u64(&g.j, "bytes", c.bytes);
			json_obj_close(&g.j);
		} else {
			printf("%s via %s dev %s mac %s weight %u state %s", m.name, via,
			       dev, mac, m.weight, state_name(m.state));
			if (m.vlan)
				printf(" vlan %u", m.vlan);
			printf(" bfd %s packets %llu bytes %llu\n",
			       m.flags & ECMP_NH_META_BFD ? bfd_word(m.flags) : "-",
			       (unsigned long long)c.packets,
			       (unsigned long long)c.bytes);
		}
	}
	if (g.json)
		json_arr_close(&g.j);
	dp_close(&dp, 1);
	return 0;
}

static int ask_daemon(const char *req)
{
	char reply[CTL_MAX_REPLY], *e, *m;
	int err = ctl_request(g.socket, req, reply, sizeof(reply), 30000);

	if (err)
		return fail("Failed to reach ecmpd at %s: %s; is ecmpd running (or pass --socket)?",
			    g.socket, strerror(-err));
	if (g.json) {
		printf("%s\n", reply);
		return strstr(reply, "\"error\"") ? 1 : 0;
	}
	e = strstr(reply, "\"error\":\"");
	m = strstr(reply, "\"message\":\"");
	if (e || m) {
		/* Unescape the one string field for people. */
		char *s = (e ? e + 9 : m + 11), *o = s;

		for (; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1]) {
				s++;
				*o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
			} else {
				*o++ = *s;
			}
		}
		*o = 0;
		fprintf(e ? stderr : stdout, "%s\n", e ? e + 9 : m + 11);
	}
	return e ? 1 : 0;
}

static int do_nexthop(int argc, char **argv)
{
	char req[CTL_MAX_REQUEST];

	if (argc < 1 || matches(argv[0], "show")) {
		if (argc > 1)
			return fail("nexthop show takes no arguments");
		return do_nexthop_show();
	}
	if (matches(argv[0], "set")) {
		if (argc != 3 || (strcmp(argv[2], "drain") && strcmp(argv[2], "up")))
			return fail("Usage: ecmpctl nexthop set NAME { drain | up }");
		if (strlen(argv[1]) >= ECMP_NAME_MAX || strchr(argv[1], ' '))
			return fail("nexthop %s: not a nexthop name", argv[1]);
		snprintf(req, sizeof(req), "nexthop %s %s", argv[1], argv[2]);
		return ask_daemon(req);
	}
	return fail("Command \"%s\" is unknown, try \"ecmpctl help\".", argv[0]);
}

/* ---- group ---- */

static int do_group_show(const char *only)
{
	struct ecmp_dp dp;
	uint32_t gid;
	int shown = 0;

	if (open_maps(&dp))
		return 1;
	if (g.json)
		json_arr_open(&g.j, NULL);
	for (gid = 0; gid < dp.max_entries[DP_GRP_META]; gid++) {
		struct ecmp_grp_meta m;
		struct ecmp_counter c = { 0 };
		const struct ecmp_group *t = &dp.groups[gid];
		uint32_t i, b;

		if (bpf_map_lookup_elem(dp.fd[DP_GRP_META], &gid, &m) || !m.in_use)
			continue;
		if (only && strncmp(m.name, only, sizeof(m.name)))
			continue;
		shown++;
		dp_read_counter(&dp, DP_GRP_STATS, gid, &c);
		if (g.json) {
			json_obj_open(&g.j, NULL);
			json_str(&g.j, "name", m.name);
			json_u64(&g.j, "buckets", m.buckets);
			json_u64(&g.j, "idle_timer_ms", m.idle_timer_ms);
			json_u64(&g.j, "unbalanced_timer_ms", m.unbalanced_timer_ms);
			json_u64(&g.j, "packets", c.packets);
			json_u64(&g.j, "bytes", c.bytes);
			json_arr_open(&g.j, "members");
		} else {
			printf("%s buckets %u idle_timer %.1f unbalanced_timer %.1f packets %llu\n",
			       m.name, m.buckets, m.idle_timer_ms / 1000.0,
			       m.unbalanced_timer_ms / 1000.0,
			       (unsigned long long)c.packets);
		}
		for (i = 0; i < m.nmembers && i < ECMP_MAX_GROUP_MEMBERS; i++) {
			struct ecmp_nh_meta nm;
			uint32_t owned = 0;

			for (b = 0; b < m.buckets && t->table_base + b < dp.max_entries[DP_BUCKETS]; b++)
				owned += dp.buckets[t->table_base + b].nexthop ==
					 m.member[i].nexthop;
			if (nh_meta(&dp, m.member[i].nexthop, &nm))
				snprintf(nm.name, sizeof(nm.name), "#%u", m.member[i].nexthop);
			if (g.json) {
				json_obj_open(&g.j, NULL);
				json_str(&g.j, "nexthop", nm.name);
				json_u64(&g.j, "weight", m.member[i].weight);
				json_u64(&g.j, "buckets", owned);
				json_obj_close(&g.j);
			} else {
				printf("    %s weight %u buckets %u\n", nm.name,
				       m.member[i].weight, owned);
			}
		}
		if (g.json) {
			json_arr_close(&g.j);
			json_obj_close(&g.j);
		}
	}
	if (g.json)
		json_arr_close(&g.j);
	dp_close(&dp, 1);
	if (only && !shown)
		return fail("group %s: not configured", only);
	return 0;
}

/* ---- route ---- */

static int group_name(const struct ecmp_dp *dp, uint32_t gid, char *buf,
		      size_t len)
{
	struct ecmp_grp_meta m;

	if (bpf_map_lookup_elem(dp->fd[DP_GRP_META], &gid, &m) || !m.in_use) {
		snprintf(buf, len, "#%u", gid);
		return -ENOENT;
	}
	snprintf(buf, len, "%.*s", (int)sizeof(m.name), m.name);
	return 0;
}

static int do_route_show(void)
{
	struct ecmp_route_key key, next, *cur = NULL;
	struct ecmp_dp dp;

	if (open_maps(&dp))
		return 1;
	if (g.json)
		json_arr_open(&g.j, NULL);
	while (!bpf_map_get_next_key(dp.fd[DP_ROUTES], cur, &next)) {
		struct ecmp_route v;
		char a[INET6_ADDRSTRLEN], prefix[64], grp[ECMP_NAME_MAX + 8];

		key = next;
		cur = &key;
		if (bpf_map_lookup_elem(dp.fd[DP_ROUTES], &key, &v))
			continue;
		addr_str(key.family, key.addr, a, sizeof(a));
		snprintf(prefix, sizeof(prefix), "%s/%u", a, key.prefixlen);
		if (v.leaf != ECMP_LPM_LOCAL)
			group_name(&dp, ECMP_LPM_GROUP(v.leaf), grp, sizeof(grp));
		if (g.json) {
			json_obj_open(&g.j, NULL);
			json_str(&g.j, "prefix", prefix);
			if (v.leaf == ECMP_LPM_LOCAL)
				json_bool(&g.j, "local", 1);
			else
				json_str(&g.j, "group", grp);
			json_obj_close(&g.j);
		} else if (v.leaf == ECMP_LPM_LOCAL) {
			printf("%s local\n", prefix);
		} else {
			printf("%s group %s\n", prefix, grp);
		}
	}
	if (g.json)
		json_arr_close(&g.j);
	dp_close(&dp, 1);
	return 0;
}

/* ---- interface ---- */

/* The tag tells builds apart: ecmpd logs the tag of each one it attaches. */
static void print_hook(const char *ifname, const char *hook, const char *mode,
		       uint32_t prog_id)
{
	char tag[2 * BPF_TAG_SIZE + 1] = "";

	if (prog_id && pin_prog_tag(prog_id, tag))
		tag[0] = 0;	/* detached meanwhile */
	if (g.json) {
		json_obj_open(&g.j, NULL);
		json_str(&g.j, "interface", ifname);
		json_str(&g.j, "hook", hook);
		json_str(&g.j, "mode", mode);
		if (prog_id)
			json_u64(&g.j, "prog_id", prog_id);
		if (tag[0])
			json_str(&g.j, "tag", tag);
		json_obj_close(&g.j);
	} else {
		printf("%s %s %s prog %u tag %s\n", ifname, hook, mode, prog_id,
		       tag[0] ? tag : "-");
	}
}

/* Where the programs are attached, read from the kernel (XDP through
 * libxdp, TC by our filter's handle and priority). */
static int do_interface_show(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;

	if (!ifs)
		return fail("Failed to list interfaces: %s", strerror(errno));
	if (g.json)
		json_arr_open(&g.j, NULL);
	for (i = ifs; i->if_index; i++) {
		uint32_t xdp_id;
		int mode = pin_xdp_mode(i->if_index, &xdp_id);
		uint32_t in = pin_tc_query(i->if_index, 0);
		uint32_t out = pin_tc_query(i->if_index, 1);

		if (mode)
			print_hook(i->if_name, "xdp",
				   mode == XDP_MODE_SKB ? "generic" :
				   mode == XDP_MODE_HW ? "offload" : "native", xdp_id);
		if (in)
			print_hook(i->if_name, "tc", "ingress", in);
		if (out)
			print_hook(i->if_name, "tc", "egress", out);
	}
	if (g.json)
		json_arr_close(&g.j);
	if_freenameindex(ifs);
	return 0;
}

/* ---- bfd ---- */

/* Sessions live in ecmpd (they are protocol state, not map contents). */
static int do_bfd_show(void)
{
	return ask_daemon(g.json ? "bfd show json" : "bfd show");
}

/* ---- stats ---- */

/* What the config uses of each map, against its size (the limits). */
static void print_capacity(const struct ecmp_dp *dp)
{
	uint32_t i, nh = 0, grp = 0;
	uint64_t buckets = 0;

	for (i = 0; i < dp->max_entries[DP_NEXTHOPS]; i++) {
		struct ecmp_nh_meta m;

		if (!bpf_map_lookup_elem(dp->fd[DP_NH_META], &i, &m) && m.family)
			nh++;
	}
	for (i = 0; i < dp->max_entries[DP_GROUPS]; i++) {
		struct ecmp_grp_meta m;

		if (!bpf_map_lookup_elem(dp->fd[DP_GRP_META], &i, &m) && m.in_use) {
			grp++;
			buckets += m.buckets;
		}
	}
	if (g.json) {
		json_obj_open(&g.j, "capacity");
		json_u64(&g.j, "nexthops", nh);
		json_u64(&g.j, "nexthops_max", dp->max_entries[DP_NEXTHOPS]);
		json_u64(&g.j, "groups", grp);
		json_u64(&g.j, "groups_max", dp->max_entries[DP_GROUPS]);
		json_u64(&g.j, "buckets", buckets);
		json_u64(&g.j, "buckets_max", dp->max_entries[DP_BUCKETS] - 1);
		json_obj_close(&g.j);
	} else {
		printf("capacity nexthops %u/%u groups %u/%u buckets %llu/%u\n", nh,
		       dp->max_entries[DP_NEXTHOPS], grp, dp->max_entries[DP_GROUPS],
		       (unsigned long long)buckets, dp->max_entries[DP_BUCKETS] - 1);
	}
}

/* Kernel memory of the maps, and ecmpd's own when it answers. */
static void print_memory(const struct ecmp_dp *dp)
{
	unsigned long long rss = 0, peak = 0, total = 0;
	char reply[512], *p;
	int i, have_rss = 0;

	for (i = 0; i < DP_MAP_COUNT; i++)
		total += dp_map_memlock(dp, i);
	if (!ctl_request(g.socket, "status", reply, sizeof(reply), 2000) &&
	    (p = strstr(reply, "\"rss_bytes\":")) && sscanf(p + 12, "%llu", &rss) == 1) {
		have_rss = 1;
		p = strstr(reply, "\"rss_peak_bytes\":");
		if (p)
			sscanf(p + 17, "%llu", &peak);
	}
	if (g.json) {
		json_obj_open(&g.j, "memory");
		json_u64(&g.j, "maps_bytes", total);
		json_obj_open(&g.j, "maps");
		for (i = 0; i < DP_MAP_COUNT; i++)
			json_u64(&g.j, dp_map_names[i], dp_map_memlock(dp, i));
		json_obj_close(&g.j);
		if (have_rss) {
			json_u64(&g.j, "ecmpd_rss_bytes", rss);
			json_u64(&g.j, "ecmpd_rss_peak_bytes", peak);
		} else {
			json_null(&g.j, "ecmpd_rss_bytes");
		}
		json_obj_close(&g.j);
		return;
	}
	printf("memory maps %.1f MiB", total / 1048576.0);
	for (i = 0; i < DP_MAP_COUNT; i++)
		if (dp_map_memlock(dp, i) >= 1048576)
			printf(" (%s %.1f MiB)", dp_map_names[i],
			       dp_map_memlock(dp, i) / 1048576.0);
	if (have_rss)
		printf(" ecmpd rss %.1f MiB peak %.1f MiB\n", rss / 1048576.0,
		       peak / 1048576.0);
	else
		printf(" ecmpd not running\n");
}

static int do_stats(void)
{
	struct ecmp_counter fwd = { 0 }, c;
	struct ecmp_dp dp;
	int r;

	if (open_maps(&dp))
		return 1;
	dp_read_counter(&dp, DP_STATS, ECMP_FORWARDED, &fwd);
	if (g.json) {
		json_obj_open(&g.j, NULL);
		json_obj_open(&g.j, "forwarded");
		json_u64(&g.j, "packets", fwd.packets);
		json_u64(&g.j, "bytes", fwd.bytes);
		json_obj_close(&g.j);
		json_obj_open(&g.j, "passed");
	} else {
		printf("forwarded packets %llu bytes %llu\n",
		       (unsigned long long)fwd.packets, (unsigned long long)fwd.bytes);
	}
	for (r = 1; r < ECMP_REASON_MAX; r++) {
		dp_read_counter(&dp, DP_STATS, r, &c);
		if (g.json) {
			json_obj_open(&g.j, dp_reason_name(r));
			json_u64(&g.j, "packets", c.packets);
			json_u64(&g.j, "bytes", c.bytes);
			json_obj_close(&g.j);
		} else {
			printf("passed %s packets %llu bytes %llu\n", dp_reason_name(r),
			       (unsigned long long)c.packets,
			       (unsigned long long)c.bytes);
		}
	}
	if (g.json)
		json_obj_close(&g.j);
	print_capacity(&dp);
	print_memory(&dp);
	if (g.json)
		json_obj_close(&g.j);
	dp_close(&dp, 1);
	return 0;
}

/* ---- lookup ---- */

static int parse_proto(const char *s, uint8_t *proto)
{
	struct protoent *pe;
	char *end;
	long v;

	if (!strcmp(s, "icmp6") || !strcmp(s, "ipv6-icmp")) {
		*proto = 58;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (!*end && v >= 0 && v <= 255) {
		*proto = v;
		return 0;
	}
	pe = getprotobyname(s);
	if (pe) {
		*proto = pe->p_proto;
		return 0;
	}
	if (!strcmp(s, "tcp") || !strcmp(s, "udp") || !strcmp(s, "sctp") ||
	    !strcmp(s, "icmp")) {
		*proto = !strcmp(s, "tcp") ? 6 : !strcmp(s, "udp") ? 17 :
			 !strcmp(s, "sctp") ? 132 : 1;
		return 0;
	}
	return -EINVAL;
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < 0 || v > 65535)
		return -EINVAL;
	*port = htons(v);
	return 0;
}

static int lookup_one(struct ecmp_dp *dp, int argc, char **argv)
{
	struct ecmp_flow f = { 0 };
	struct lookup_result r;
	uint8_t fam2;
	char route[64] = "", grp[ECMP_NAME_MAX + 8] = "", nhname[ECMP_NAME_MAX] = "";

	if (argc != 2 && argc != 5)
		return fail("Usage: ecmpctl lookup SRC DST [ PROTO SPORT DPORT ]");
	if (inet_pton(AF_INET, argv[0], f.saddr) == 1) {
		f.family = ECMP_AF_INET;
		fam2 = inet_pton(AF_INET, argv[1], f.daddr) == 1;
	} else if (inet_pton(AF_INET6, argv[0], f.saddr) == 1) {
		f.family = ECMP_AF_INET6;
		fam2 = inet_pton(AF_INET6, argv[1], f.daddr) == 1;
	} else {
		return fail("lookup: '%s' is not an IPv4 or IPv6 address", argv[0]);
	}
	if (!fam2)
		return fail("lookup: '%s' is not an address of the same family as '%s'",
			    argv[1], argv[0]);
	if (argc == 5) {
		if (parse_proto(argv[2], &f.proto))
			return fail("lookup: unknown protocol '%s'", argv[2]);
		if (parse_port(argv[3], &f.sport) || parse_port(argv[4], &f.dport))
			return fail("lookup: ports are numbers from 0 to 65535");
		if (f.proto != 6 && f.proto != 17 && f.proto != 132)
			f.sport = f.dport = 0;	/* the data path sees none */
	}
	lookup_flow(dp, &f, &r);
	if (r.route_found) {
		char a[INET6_ADDRSTRLEN];

		addr_str(r.route.family, r.route.addr, a, sizeof(a));
		snprintf(route, sizeof(route), "%s/%u", a, r.route.prefixlen);
	}
	if (r.reason == ECMP_FORWARDED || r.reason == ECMP_PASS_NO_NEXTHOP ||
	    r.reason == ECMP_PASS_NO_EGRESS)
		group_name(dp, r.group, grp, sizeof(grp));
	if (r.reason == ECMP_FORWARDED || r.reason == ECMP_PASS_NO_EGRESS) {
		struct ecmp_nh_meta m;

		if (!nh_meta(dp, r.nexthop, &m))
			snprintf(nhname, sizeof(nhname), "%.*s", (int)sizeof(m.name), m.name);
	}
	if (g.json) {
		json_obj_open(&g.j, NULL);
		json_str(&g.j, "result", dp_reason_name(r.reason));
		if (*route)
			json_str(&g.j, "route", route);
		else
			json_null(&g.j, "route");
		if (*grp) {
			char h[24];

			snprintf(h, sizeof(h), "0x%016llx", (unsigned long long)r.hash);
			json_str(&g.j, "group", grp);
			json_str(&g.j, "hash", h);
			json_u64(&g.j, "bucket", r.bucket);
		}
		if (*nhname) {
			json_str(&g.j, "nexthop", nhname);
			json_u64(&g.j, "probe", r.probe);
		}
		json_obj_close(&g.j);
	} else if (r.reason == ECMP_FORWARDED) {
		printf("route %s group %s hash 0x%016llx bucket %u nexthop %s",
		       route, grp, (unsigned long long)r.hash, r.bucket, nhname);
		if (r.probe)
			printf(" (bucket owner unusable, probe %d)", r.probe);
		printf("\n");
	} else {
		printf("%s%s%s: passed to the kernel\n", dp_reason_name(r.reason),
		       *route ? " route " : "", route);
	}
	return 0;
}

/* `ecmpctl lookup -`: one flow per line of stdin, one answer per line. */
static int do_lookup(int argc, char **argv)
{
	struct ecmp_dp dp;
	char line[512];
	int ret = 0;

	if (open_maps(&dp))
		return 1;
	if (argc != 1 || strcmp(argv[0], "-")) {
		ret = lookup_one(&dp, argc, argv);
		dp_close(&dp, 1);
		return ret;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *w[6], *save = NULL, *tok;
		int n = 0;

		for (tok = strtok_r(line, " \t\n", &save); tok && n < 6;
		     tok = strtok_r(NULL, " \t\n", &save))
			w[n++] = tok;
		if (!n)
			continue;
		json_init(&g.j, stdout, g.pretty);	/* one document per line */
		ret |= lookup_one(&dp, n, w);
		fflush(stdout);
	}
	dp_close(&dp, 1);
	return ret;
}

/* ---- dispatch ---- */

static int do_help(void)
{
	fputs(usage, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "pin-root", required_argument, NULL, 'P' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *obj;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+jph", opts, NULL)) != -1) {
		switch (c) {
		case 'j': g.json = 1; break;
		case 'p': g.pretty = 1; break;
		case 'P': g.pin_root = optarg; break;
		case 's': g.socket = optarg; break;
		case 'h': return do_help();
		default: fputs(usage, stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		fputs(usage, stderr);
		return 2;
	}
	/* libbpf/libxdp chatter (e.g. "no qdisc" while looking for tc
	 * filters) is not for the user of a show command. */
	log_init("ecmpctl", LOG_LEVEL_WARN, 0, 0);
	json_init(&g.j, stdout, g.pretty);
	obj = argv[0];
	argc--;
	argv++;
	if (matches(obj, "nexthop")) {
		ret = do_nexthop(argc, argv);
	} else if (matches(obj, "interface")) {
		if (argc && !matches(argv[0], "show"))
			return fail("Command \"%s\" is unknown, try \"ecmpctl help\".", argv[0]);
		ret = do_interface_show();
	} else if (matches(obj, "group")) {
		if (argc && !matches(argv[0], "show"))
			return fail("Command \"%s\" is unknown, try \"ecmpctl help\".", argv[0]);
		if (argc > 2)
			return fail("Usage: ecmpctl group show [ NAME ]");
		ret = do_group_show(argc == 2 ? argv[1] : NULL);
	} else if (matches(obj, "route")) {
		if (argc && !matches(argv[0], "show"))
			return fail("Command \"%s\" is unknown, try \"ecmpctl help\".", argv[0]);
		ret = do_route_show();
	} else if (matches(obj, "bfd")) {
		if (argc > 1 || (argc && !matches(argv[0], "show")))
			return fail("Usage: ecmpctl bfd show");
		ret = do_bfd_show();
	} else if (matches(obj, "stats")) {
		ret = do_stats();
	} else if (matches(obj, "lookup")) {
		ret = do_lookup(argc, argv);
	} else if (matches(obj, "reload")) {
		ret = ask_daemon("reload");
	} else if (matches(obj, "shutdown")) {
		if (argc > 1 || (argc == 1 && strcmp(argv[0], "--detach")))
			return fail("Usage: ecmpctl shutdown [ --detach ]");
		ret = ask_daemon(argc ? "shutdown detach" : "shutdown");
	} else if (matches(obj, "help")) {
		ret = do_help();
	} else {
		ret = fail("Object \"%s\" is unknown, try \"ecmpctl help\".", obj);
	}
	return ret;
}
