// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpctl: shows and drives xdp-ecmp. Show commands read the pinned maps
 * directly (they work while ecmpd is stopped); BFD sessions and commands
 * that change state go to ecmpd over its control socket, whose JSON
 * replies are read by key. Text by default, JSON with -j: every field goes
 * through one print call (lib/print.h), so JSON keys are the text words.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <xdp/libxdp.h>

#include "cli.h"
#include "lookup.h"
#include "lib/ctl.h"
#include "lib/dp_maps.h"
#include "lib/hook.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/lpm.h"
#include "lib/print.h"
#include "lib/text.h"

static struct cli_cmd g;

/* One line on stderr (or {"error": ...} on stdout with -j); exit 1. */
static int fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (g.json) {
		print_start(stdout, 1, g.pretty);
		print_open_object(PRINT_JSON, NULL);
		print_str(PRINT_JSON, "error", msg);
		print_close_object();
		print_end();
	} else {
		fprintf(stderr, "%s\n", msg);
	}
	return 1;
}

/*
 * ecmpctl reads maps and hooks as ecmpd sees them. `ip netns exec` gives
 * every command its own mount namespace (and bpffs), and a shell on the
 * host sees ecmpd's pins but not its interfaces: so when ecmpd answers on
 * the socket, ecmpctl joins its network and mount namespaces first (root
 * only, like the pins). When ecmpd is not running, what is here is read.
 */
static void join_daemon_namespaces(void)
{
	static const struct { const char *name; int type; } ns[] = {
		{ "net", CLONE_NEWNET }, { "mnt", CLONE_NEWNS },
	};
	char path[64];
	unsigned i;
	int pid;

	if (ctl_server_pid(g.socket, &pid) || pid <= 0 || pid == getpid())
		return;
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct stat theirs, ours;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns[i].name);
		if (stat(path, &theirs))
			continue;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i].name);
		if (!stat(path, &ours) && ours.st_ino == theirs.st_ino &&
		    ours.st_dev == theirs.st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, ns[i].type))
			fprintf(stderr, "ecmpctl: cannot join the %s namespace of ecmpd (pid %d): %s; showing this one's\n",
				ns[i].name, pid, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
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

/* ---- the control socket ---- */

/* Sends req to ecmpd; *reply gets the parsed answer unless it is an
 * error, which is reported (return 1). */
static int ask(const char *req, struct json_value **reply)
{
	char *text = NULL;
	const char *perr, *msg;
	int err = ctl_request(g.socket, req, &text, 30000);

	*reply = NULL;
	if (err)
		return fail("Failed to reach ecmpd at %s: %s; is ecmpd running (or pass --socket)?",
			    g.socket, strerror(-err));
	*reply = json_parse(text, &perr);
	free(text);
	if (!*reply || (*reply)->type != JSON_OBJECT) {
		const char *why = *reply ? "not an object" : perr;

		json_free(*reply);
		*reply = NULL;
		return fail("ecmpd at %s answered something that is not a reply (%s); is it the same version as ecmpctl?",
			    g.socket, why);
	}
	msg = json_get_str(*reply, "error");
	if (msg || !json_get(*reply, "ok")) {
		err = fail("%s", msg ? msg : "ecmpd's reply has neither \"ok\" nor \"error\"");
		json_free(*reply);
		*reply = NULL;
		return err;
	}
	return 0;
}

/* A command that changes state: ecmpd's message, or its error. */
static int do_request(const char *req)
{
	struct json_value *reply;
	const char *msg;

	if (ask(req, &reply))
		return 1;
	msg = json_get_str(reply, "message");
	print_open_object(PRINT_JSON, NULL);
	print_flag(PRINT_JSON, "ok", 1);
	if (msg)
		print_str(PRINT_VALUE, "message", msg);
	print_close_object();
	json_free(reply);
	return 0;
}

/* ---- nexthop ---- */

static int nh_meta(const struct ecmp_dp *dp, uint32_t id, struct ecmp_nh_meta *m)
{
	return bpf_map_lookup_elem(dp->fd[DP_NH_META], &id, m) || !m->family ?
	       -ENOENT : 0;
}

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
	print_u64(PRINT_JSON, "id", id);
	print_u64(PRINT_ANY, "packets", c.packets);
	print_u64(PRINT_ANY, "bytes", c.bytes);
	print_close_object();
	print_nl();
}

static int do_nexthop_show(const char *only)
{
	struct ecmp_dp dp;
	uint32_t id;
	int shown = 0;

	if (open_maps(&dp))
		return 1;
	print_open_array(PRINT_JSON, NULL);
	for (id = 0; id < dp.max_entries[DP_NH_META]; id++) {
		struct ecmp_nh_meta m;

		if (nh_meta(&dp, id, &m))
			continue;
		if (only && strncmp(m.name, only, sizeof(m.name)))
			continue;
		print_nexthop(&dp, id, &m);
		shown++;
	}
	print_close_array();
	dp_close(&dp, 1);
	if (only && !shown)
		return fail("nexthop %s: not configured", only);
	return 0;
}

static int do_nexthop_set(void)
{
	char req[CTL_MAX_REQUEST];

	snprintf(req, sizeof(req), "nexthop %s %s", g.name, g.drain ? "drain" : "up");
	return do_request(req);
}

/* ---- group ---- */

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
		if (nh_meta(dp, m->member[i].nexthop, &nm))
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

static int do_group_show(const char *only)
{
	struct ecmp_dp dp;
	uint32_t gid;
	int shown = 0;

	if (open_maps(&dp))
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

/* A route key inside the prefix asked for (or any, when none was). */
static int route_inside(const struct ecmp_route_key *k, const struct cli_prefix *p)
{
	uint8_t addr[16];

	if (!p->family)
		return 1;
	if (k->family != p->family || k->prefixlen < p->len)
		return 0;
	memcpy(addr, k->addr, sizeof(addr));
	lpm_mask(addr, k->family, p->len);
	return !memcmp(addr, p->addr, sizeof(addr));
}

static int do_route_show(const struct cli_prefix *inside)
{
	struct ecmp_route_key key, next, *cur = NULL;
	struct ecmp_dp dp;

	if (open_maps(&dp))
		return 1;
	print_open_array(PRINT_JSON, NULL);
	while (!bpf_map_get_next_key(dp.fd[DP_ROUTES], cur, &next)) {
		struct ecmp_route v;
		char a[INET6_ADDRSTRLEN], prefix[64], grp[ECMP_NAME_MAX + 8];

		key = next;
		cur = &key;
		if (!route_inside(&key, inside) ||
		    bpf_map_lookup_elem(dp.fd[DP_ROUTES], &key, &v))
			continue;
		text_addr(key.family, key.addr, a, sizeof(a));
		snprintf(prefix, sizeof(prefix), "%s/%u", a, key.prefixlen);
		print_open_object(PRINT_JSON, NULL);
		print_str(PRINT_VALUE, "prefix", prefix);
		if (v.leaf == ECMP_LPM_LOCAL) {
			print_flag(PRINT_ANY, "local", 1);
		} else if (v.leaf == ECMP_LPM_CONNECTED) {
			print_flag(PRINT_ANY, "connected", 1);
		} else {
			group_name(&dp, ECMP_LPM_GROUP(v.leaf), grp, sizeof(grp));
			print_str(PRINT_ANY, "group", grp);
		}
		print_close_object();
		print_nl();
	}
	print_close_array();
	dp_close(&dp, 1);
	return 0;
}

/* ---- interface ---- */

/* The tag tells builds apart: ecmpd logs the tag of each one it attaches. */
static void print_hook(const char *ifname, const char *hook, const char *mode,
		       uint32_t prog_id)
{
	char tag[2 * BPF_TAG_SIZE + 1] = "";

	if (prog_id && hook_prog_tag(prog_id, tag))
		tag[0] = 0;	/* detached meanwhile */
	print_open_object(PRINT_JSON, NULL);
	print_str(PRINT_VALUE, "interface", ifname);
	print_str(PRINT_VALUE, "hook", hook);
	print_str(PRINT_VALUE, "mode", mode);
	print_u64(PRINT_ANY, "prog_id", prog_id);
	if (tag[0])
		print_str(PRINT_ANY, "tag", tag);
	else
		print_null(PRINT_ANY, "tag");
	print_close_object();
	print_nl();
}

/* Where the programs are attached, read from the kernel (XDP through
 * libxdp, TC by our filter's handle and priority). */
static int do_interface_show(const char *only)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int found = 0;

	if (!ifs)
		return fail("Failed to list interfaces: %s", strerror(errno));
	print_open_array(PRINT_JSON, NULL);
	for (i = ifs; i->if_index; i++) {
		uint32_t xdp_id, in, out;
		int mode;

		if (only && strcmp(only, i->if_name))
			continue;
		found = 1;
		mode = hook_xdp_mode(i->if_index, &xdp_id);
		in = hook_tc_query(i->if_index, 0);
		out = hook_tc_query(i->if_index, 1);
		if (mode)
			print_hook(i->if_name, "xdp",
				   mode == XDP_MODE_SKB ? "generic" :
				   mode == XDP_MODE_HW ? "offload" : "native", xdp_id);
		if (in)
			print_hook(i->if_name, "tc", "ingress", in);
		if (out)
			print_hook(i->if_name, "tc", "egress", out);
	}
	print_close_array();
	if_freenameindex(ifs);
	if (only && !found)
		return fail("interface %s: no such interface here", only);
	return 0;
}

/* ---- bfd ---- */

/* Where a session's fields break into lines of text. */
static int bfd_line_break(const char *key)
{
	return !strcmp(key, "local_discriminator") || !strcmp(key, "detect_mult") ||
	       !strcmp(key, "flaps") || !strcmp(key, "last_change_unix_us");
}

/* A member of ecmpd's reply, printed under its own key. */
static void print_member(enum print_kind kind, const struct json_value *v)
{
	uint64_t u;

	switch (v->type) {
	case JSON_STRING:
		print_str(kind, v->key, v->str);
		break;
	case JSON_NUMBER:
		if (!json_u64_of(v, &u))
			print_u64(kind, v->key, u);
		else
			print_str(kind, v->key, v->str);
		break;
	case JSON_BOOL:
		print_flag(kind, v->key, v->boolean);
		break;
	default:
		print_null(kind, v->key);
	}
}

/* Sessions live in ecmpd (they are protocol state, not map contents); it
 * answers data, rendered here field by field. */
static int do_bfd_show(void)
{
	const struct json_value *sessions, *dropped, *s, *f;
	struct json_value *reply;
	int any = 0;

	if (ask("bfd show", &reply))
		return 1;
	sessions = json_get(reply, "sessions");
	dropped = json_get(reply, "dropped");
	print_open_object(PRINT_JSON, NULL);
	print_open_array(PRINT_JSON, "sessions");
	for (s = sessions ? sessions->child : NULL; s; s = s->next) {
		print_open_object(PRINT_JSON, NULL);
		for (f = s->child; f; f = f->next) {
			if (bfd_line_break(f->key))
				print_indent(4);
			print_member(f == s->child ? PRINT_VALUE : PRINT_ANY, f);
		}
		print_close_object();
		print_nl();
		any = 1;
	}
	print_close_array();
	if (!any)
		print_text("no BFD sessions");
	print_open_object(PRINT_ANY, "dropped");
	for (f = dropped ? dropped->child : NULL; f; f = f->next)
		print_member(PRINT_ANY, f);
	print_close_object();
	print_close_object();
	json_free(reply);
	return 0;
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
	print_open_object(PRINT_ANY, "capacity");
	print_u64(PRINT_ANY, "nexthops", nh);
	print_u64(PRINT_ANY, "nexthops_max", dp->max_entries[DP_NEXTHOPS]);
	print_u64(PRINT_ANY, "groups", grp);
	print_u64(PRINT_ANY, "groups_max", dp->max_entries[DP_GROUPS]);
	print_u64(PRINT_ANY, "buckets", buckets);
	print_u64(PRINT_ANY, "buckets_max", dp->max_entries[DP_BUCKETS] - 1);
	print_close_object();
	print_nl();
}

/* Kernel memory of the maps, and ecmpd's own when it answers. */
static void print_memory(const struct ecmp_dp *dp)
{
	uint64_t total = 0, rss = 0, peak = 0;
	struct json_value *status = NULL;
	char *text = NULL;
	int i, have_rss = 0;

	for (i = 0; i < DP_MAP_COUNT; i++)
		total += dp_map_memlock(dp, i);
	if (!ctl_request(g.socket, "status", &text, 10000)) {
		status = json_parse(text, NULL);
		have_rss = !json_u64_of(json_get(status, "rss_bytes"), &rss) &&
			   !json_u64_of(json_get(status, "rss_peak_bytes"), &peak);
	}
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
	json_free(status);
	free(text);
}

static int do_stats(void)
{
	struct ecmp_counter c;
	struct ecmp_dp dp;
	int r;

	if (open_maps(&dp))
		return 1;
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
	print_capacity(&dp);
	print_memory(&dp);
	print_close_object();
	dp_close(&dp, 1);
	return 0;
}

/* ---- lookup ---- */

static void print_lookup(const struct ecmp_dp *dp, const struct ecmp_flow *f)
{
	char route[64] = "", grp[ECMP_NAME_MAX + 8] = "", nhname[ECMP_NAME_MAX] = "";
	struct lookup_result r;

	lookup_flow(dp, f, &r);
	if (r.route_found) {
		char a[INET6_ADDRSTRLEN];

		text_addr(r.route.family, r.route.addr, a, sizeof(a));
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
	print_open_object(PRINT_JSON, NULL);
	print_str(PRINT_VALUE, "result", text_reason(r.reason));
	if (*route)
		print_str(PRINT_ANY, "route", route);
	else
		print_null(PRINT_ANY, "route");
	if (*grp) {
		print_str(PRINT_ANY, "group", grp);
		print_hex64(PRINT_ANY, "hash", r.hash);
		print_u64(PRINT_ANY, "bucket", r.bucket);
	}
	if (*nhname) {
		print_str(PRINT_ANY, "nexthop", nhname);
		print_u64(PRINT_ANY, "probe", r.probe);
		if (r.probe)
			print_text("(bucket owner unusable)");
	}
	if (r.reason != ECMP_FORWARDED)
		print_text("(passed to the kernel)");
	print_close_object();
	print_nl();
}

/* An error in the place of an answer (lookup -): one line either way. */
static void print_line_error(const char *msg)
{
	print_open_object(PRINT_JSON, NULL);
	print_str(PRINT_ANY, "error", msg);
	print_close_object();
	print_nl();
}

/* `ecmpctl lookup -`: one flow per line of stdin, one answer per line, in
 * order, so scripts can zip input and output. */
static int do_lookup(void)
{
	struct ecmp_dp dp;
	char line[512];
	int ret = 0;

	if (open_maps(&dp))
		return 1;
	if (g.cmd == CLI_LOOKUP) {
		print_lookup(&dp, &g.flow);
		dp_close(&dp, 1);
		return 0;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *w[6], *save = NULL, *tok, err[256];
		struct ecmp_flow f;
		int n = 0;

		if (!strchr(line, '\n') && !feof(stdin)) {
			int c;

			while ((c = getchar()) != EOF && c != '\n')
				;
			print_line_error("line too long");
			ret = 1;
			continue;
		}
		for (tok = strtok_r(line, " \t\r\n", &save); tok && n < 6;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			w[n++] = tok;
		print_start(stdout, g.json, 0);	/* one document per line */
		if (cli_parse_flow(n, w, &f, err, sizeof(err))) {
			print_line_error(n ? err : "empty line");
			ret = 1;
		} else {
			print_lookup(&dp, &f);
		}
		print_end();
	}
	dp_close(&dp, 1);
	return ret;
}

/* ---- dispatch ---- */

int main(int argc, char **argv)
{
	char err[512];
	int ret;

	g.pin_root = ECMP_PIN_ROOT_DEFAULT;
	g.socket = CTL_SOCKET_DEFAULT;
	if (argc < 2) {
		fputs(cli_usage, stderr);
		return 2;
	}
	if (cli_parse(argc, argv, &g, err, sizeof(err)))
		return fail("%s", err);
	/* libbpf/libxdp chatter (e.g. "no qdisc" while looking for tc
	 * filters) is not for the user of a show command. */
	log_init("ecmpctl", LOG_LEVEL_WARN, 0, 0);
	print_start(stdout, g.json, g.pretty);
	switch (g.cmd) {
	case CLI_NEXTHOP_SHOW:
	case CLI_GROUP_SHOW:
	case CLI_ROUTE_SHOW:
	case CLI_INTERFACE_SHOW:
	case CLI_STATS:
	case CLI_LOOKUP:
	case CLI_LOOKUP_BATCH:
		join_daemon_namespaces();
		break;
	default:
		break;
	}
	switch (g.cmd) {
	case CLI_HELP:
		fputs(cli_usage, stdout);
		return 0;
	case CLI_NEXTHOP_SHOW:
		ret = do_nexthop_show(g.name);
		break;
	case CLI_NEXTHOP_SET:
		ret = do_nexthop_set();
		break;
	case CLI_GROUP_SHOW:
		ret = do_group_show(g.name);
		break;
	case CLI_ROUTE_SHOW:
		ret = do_route_show(&g.prefix);
		break;
	case CLI_INTERFACE_SHOW:
		ret = do_interface_show(g.name);
		break;
	case CLI_BFD_SHOW:
		ret = do_bfd_show();
		break;
	case CLI_STATS:
		ret = do_stats();
		break;
	case CLI_LOOKUP:
	case CLI_LOOKUP_BATCH:
		ret = do_lookup();
		break;
	case CLI_RELOAD:
		ret = do_request("reload");
		break;
	case CLI_SHUTDOWN:
		ret = do_request(g.detach ? "shutdown detach" : "shutdown");
		break;
	default:
		ret = fail("internal: command %d has no handler", g.cmd);
	}
	if (!ret)
		print_end();
	return ret;
}
