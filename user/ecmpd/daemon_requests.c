// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The control socket's requests (lib/ctl.h has the protocol): each parsed,
 * refused to a reader when it changes ecmpd, and answered with one JSON
 * document; `monitor` turns the connection into an event stream
 * (events.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/hook.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/text.h"
#include "daemon.h"

static void do_nexthop_set(struct daemon *d, int cfd, const char *name,
			   int drain)
{
	int id = nh_find(&d->plane, name);
	char msg[128];

	if (id < 0) {
		snprintf(msg, sizeof(msg), "nexthop %s: not configured", name);
		ctl_reply_error(cfd, msg);
		return;
	}
	d->plane.now_ms = clock_mono_ms();
	d->plane.nh[id].drained = drain;
	/* RFC 5880 AdminDown (diag 7) tells the peer this is on purpose. */
	bfd_set_admin_down(d->bfd, name, drain);
	pr_info("nexthop %s: %s by request", name, drain ? "drained" : "undrained");
	nh_refresh(&d->plane, id);
	snprintf(msg, sizeof(msg), "nexthop %s: %s", name,
		 text_nh_state(nh_state(&d->plane, id)));
	ctl_reply_ok(cfd, msg);
}

static void fill_bfd(struct json *j, void *daemon)
{
	struct daemon *d = daemon;

	if (d->bfd) {
		bfd_show(d->bfd, j);
	} else {
		json_arr_open(j, "sessions");
		json_arr_close(j);
	}
}

/* zebra's stream: where it listens, the connection, what came. */
static void fill_fpm(struct json *j, struct daemon *d)
{
	const struct fpm_stats *f = fpm_stats(d->fpm);
	char a[64], listen[80];

	text_addr(d->conf.fpm.family, d->conf.fpm.addr, a, sizeof(a));
	snprintf(listen, sizeof(listen), d->conf.fpm.family == ECMP_AF_INET6 ? "[%s]:%u" : "%s:%u",
		 a, d->conf.fpm.port);
	json_obj_open(j, "fpm_routes");
	json_str(j, "listen", listen);
	json_u64(j, "table", d->conf.fpm.table);
	json_str(j, "state", fpm_state(d->fpm));
	json_u64(j, "routes", f->routes);
	json_u64(j, "nexthop_groups", f->groups);
	json_u64(j, "replayed", f->replayed);
	json_u64(j, "mirrored", d->mirror ? mirror_stats(d->mirror)->fpm_mirrored : 0);
	json_u64(j, "connections", f->connections);
	json_u64(j, "frames", f->frames);
	json_u64(j, "messages", f->messages);
	json_u64(j, "malformed", f->malformed);
	json_u64(j, "ignored", f->ignored);
	json_u64(j, "out_of_memory", f->nomem);
	json_u64(j, "broken", f->broken);
	json_u64(j, "refused", f->refused);
	json_u64(j, "sweeps", f->sweeps);
	json_u64(j, "swept", f->swept);
	/* zebra's changes applied one by one, and the merges of the whole
	 * table (after a replay, a hold, or what a patch cannot take). */
	json_u64(j, "patches", d->mirror ? mirror_stats(d->mirror)->fpm_patches : 0);
	json_u64(j, "whole_merges", d->mirror ? mirror_stats(d->mirror)->merges : 0);
	json_u64(j, "regroups", d->mirror ? mirror_stats(d->mirror)->fpm_regroups : 0);
	json_u64(j, "last_lag_us", d->mirror_lag_us);
	json_u64(j, "max_lag_us", d->mirror_lag_max_us);
	json_bool(j, "in_data_path", !d->mirror_err[0]);
	if (d->mirror_err[0])
		json_str(j, "error", d->mirror_err);
	json_obj_close(j);
}

/* What ecmpctl stats shows of the daemon itself. */
/* Each line of list (one warning a line, bypass.h) as a string. */
static void put_lines(struct json *j, const char *list)
{
	char line[1024];
	const char *end;

	for (; list && *list; list = end + 1) {
		end = strchr(list, '\n');
		if (!end)
			break;
		snprintf(line, sizeof(line), "%.*s", (int)(end - list), list);
		json_str(j, NULL, line);
	}
}

static void fill_status(struct json *j, void *daemon)
{
	struct daemon *d = daemon;
	unsigned long long rss = 0, hwm = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "VmRSS: %llu", &rss);
		sscanf(line, "VmHWM: %llu", &hwm);
	}
	if (f)
		fclose(f);
	json_u64(j, "pid", getpid());
	json_u64(j, "rss_bytes", rss * 1024);
	json_u64(j, "rss_peak_bytes", hwm * 1024);
	json_u64(j, "nexthops", d->eff.nnexthop);
	json_u64(j, "groups", d->eff.ngroup);
	json_u64(j, "routes", d->eff.nroute);
	json_u64(j, "config_routes", d->conf.nroute);
	if (d->plane.lpm) {
		json_obj_open(j, "trie");
		json_u64(j, "chunks", lpm_chunks_used(d->plane.lpm));
		json_u64(j, "chunks_max", d->plane.dp.max_entries[DP_LPM_NODE]);
		json_u64(j, "spare_pages", lpm_pages_spare(d->plane.lpm));
		json_u64(j, "compactions", d->plane.trie_compactions);
		json_u64(j, "chunks_given_back", d->plane.trie_chunks_back);
		json_obj_close(j);
	}
	/* The router's own addresses: those the data path delivers to the
	 * kernel, those it never forwards to anyway (link-local...), and
	 * how their events inside routed prefixes were applied. */
	json_obj_open(j, "addresses");
	json_u64(j, "local", d->plane.nlocal);
	json_u64(j, "unrouted", d->plane.nunrouted);
	json_u64(j, "patches", d->plane.addr_patches);
	json_u64(j, "rebuilds", d->plane.addr_rebuilds);
	json_obj_close(j);
	if (d->mirror && d->conf.kernel_routes.enabled) {
		const struct mirror_stats *st = mirror_stats(d->mirror);
		int i;

		json_obj_open(j, "kernel_routes");
		json_u64(j, "table", d->conf.kernel_routes.table);
		json_u64(j, "prefixes", st->routes - st->fpm_routes);
		json_u64(j, "mirrored", st->mirrored - st->fpm_mirrored);
		json_u64(j, "groups", st->groups);
		json_u64(j, "reads", st->reads);
		json_u64(j, "patches", st->patches);
		/* Nexthop objects replaced in place, taken without a read. */
		json_u64(j, "regroups", st->regroups - st->fpm_regroups);
		json_u64(j, "last_patch_us", d->patch_us);
		json_u64(j, "max_patch_us", d->patch_max_us);
		json_u64(j, "netlink_overruns", d->nl.overruns);
		/* What the last read found is in the data path, or why not. */
		json_bool(j, "in_data_path", !d->mirror_err[0]);
		if (d->mirror_err[0])
			json_str(j, "error", d->mirror_err);
		json_u64(j, "last_read_apply_us", d->mirror_sync_us);
		json_u64(j, "last_lag_us", d->mirror_lag_us);
		json_u64(j, "max_lag_us", d->mirror_lag_max_us);
		json_obj_open(j, "skipped");
		for (i = 1; i < MIRROR_SKIP_COUNT; i++)
			json_u64(j, mirror_skip_name(i), st->skipped[i]);
		json_obj_close(j);
		/* What asked for the reads: each read counts for every cause
		 * marked since the one before. */
		json_obj_open(j, "read_causes");
		for (i = 0; i < READ_CAUSES; i++)
			json_u64(j, read_cause_name(i), d->read_causes[i]);
		json_obj_close(j);
		json_obj_close(j);
	}
	if (d->fpm && d->conf.fpm.enabled)
		fill_fpm(j, d);
	json_obj_open(j, "monitors");
	json_u64(j, "subscribers", d->events.n);
	json_u64(j, "lines", d->events.sent);
	json_u64(j, "dropped", d->events.dropped);
	json_obj_close(j);
	json_u64(j, "buckets_moved", d->plane.buckets_moved);
	json_u64(j, "netlink_overruns", d->nl.overruns);
	json_u64(j, "tables_written", d->plane.tables_written);
	json_arr_open(j, "bypassed");
	put_lines(j, d->static_warned);
	put_lines(j, d->rules_warned);
	put_lines(j, d->xfrm_warned);
	json_arr_close(j);
}

/* "maps": a read-only fd of each map, for a reader that cannot open the
 * pins (ctl.h). */
static void do_maps(struct daemon *d, int cfd)
{
	int fds[DP_MAP_COUNT], i, n = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	for (i = 0; i < DP_MAP_COUNT; i++) {
		LIBBPF_OPTS(bpf_get_fd_by_id_opts, ro, .open_flags = BPF_F_RDONLY);
		struct bpf_map_info info = { 0 };
		uint32_t ilen = sizeof(info);

		if (bpf_obj_get_info_by_fd(d->plane.dp.fd[i], &info, &ilen))
			break;
		fds[n] = bpf_map_get_fd_by_id_opts(info.id, &ro);
		if (fds[n] < 0)
			break;
		n++;
	}
	if (n < DP_MAP_COUNT || !f) {
		while (n)
			close(fds[--n]);
		if (f)
			fclose(f);
		free(buf);
		ctl_reply_error(cfd, "cannot open the maps read-only");
		return;
	}
	json_init(&j, f, 0);
	json_obj_open(&j, NULL);
	json_bool(&j, "ok", 1);
	json_arr_open(&j, "maps");
	for (i = 0; i < DP_MAP_COUNT; i++)
		json_str(&j, NULL, dp_map_names[i]);
	json_arr_close(&j);
	json_obj_close(&j);
	if (!fclose(f) && buf) {
		buf[strcspn(buf, "\n")] = 0;
		ctl_reply_fds(cfd, buf, fds, n);
	} else {
		ctl_reply_error(cfd, "out of memory");
	}
	free(buf);
	while (n)
		close(fds[--n]);
}

/* "hooks": ecmpctl interface show for a reader (reading programs takes
 * privilege). Interfaces of ecmpd's network namespace. */
static void fill_hooks(struct json *j, void *unused)
{
	struct hook_entry *h;
	int n = hook_list(&h), i;

	(void)unused;
	json_arr_open(j, "hooks");
	for (i = 0; i < n; i++) {
		json_obj_open(j, NULL);
		json_str(j, "interface", h[i].ifname);
		json_str(j, "hook", h[i].hook);
		json_str(j, "mode", h[i].mode);
		json_u64(j, "prog_id", h[i].prog_id);
		if (h[i].tag[0])
			json_str(j, "tag", h[i].tag);
		json_obj_close(j);
	}
	json_arr_close(j);
	if (n > 0)
		free(h);
}

/* "kernel-routes [PREFIX]": the mirror's routes (inside PREFIX), from the
 * kernel or zebra's stream, each with its protocol and metric, and the
 * reason when the data path leaves it to the kernel (ecmpctl route show
 * all). Past KERNEL_ROUTES_DETAIL routes (a full table: ~90 MB of JSON,
 * past CTL_MAX_REPLY) only those the kernel keeps, and "kept_only". */
#define KERNEL_ROUTES_DETAIL	100000

struct routes_ask {
	struct daemon *d;
	struct json *j;
	uint8_t family, len;	/* family 0: every route */
	uint8_t addr[16];
	uint32_t n;		/* routes inside */
	int kept_only;
};

static int ask_covers(const struct routes_ask *a, const struct mirror_route_info *r)
{
	return !a->family || lpm_inside(r->family, r->addr, r->prefixlen, a->family, a->addr, a->len);
}

static void count_route(void *arg, const struct mirror_route_info *r)
{
	struct routes_ask *a = arg;

	a->n += ask_covers(a, r);
}

static void mirror_route(void *arg, const struct mirror_route_info *r)
{
	struct routes_ask *a = arg;
	char prefix[TEXT_PREFIX_LEN];
	const char *proto = config_proto_name(r->protocol);

	if (!ask_covers(a, r) || (a->kept_only && r->outcome == MIRROR_OK))
		return;
	text_prefix(r->family, r->addr, r->prefixlen, prefix, sizeof(prefix));
	json_obj_open(a->j, NULL);
	json_str(a->j, "prefix", prefix);
	if (proto)
		json_str(a->j, "protocol", proto);
	else
		json_u64(a->j, "protocol", r->protocol);
	json_u64(a->j, "metric", r->metric);
	if (r->outcome != MIRROR_OK)
		json_str(a->j, "reason", mirror_skip_name(r->outcome));
	json_obj_close(a->j);
}

static void fill_kernel_routes(struct json *j, void *ask)
{
	struct routes_ask *a = ask;

	a->j = j;
	json_bool(j, "kept_only", a->kept_only);
	json_arr_open(j, "routes");
	if (a->d->mirror)
		mirror_each_route(a->d->mirror, mirror_route, a);
	json_arr_close(j);
}

static void do_kernel_routes(struct daemon *d, int cfd, const char *inside)
{
	struct routes_ask a = { .d = d };
	char msg[128];

	if (inside && text_parse_prefix(inside, &a.family, &a.len, a.addr)) {
		snprintf(msg, sizeof(msg), "kernel-routes: '%.64s' is not an IPv4 or IPv6 prefix",
			 inside);
		ctl_reply_error(cfd, msg);
		return;
	}
	if (d->mirror)
		mirror_each_route(d->mirror, count_route, &a);
	a.kept_only = a.n > KERNEL_ROUTES_DETAIL;
	ctl_reply_doc(cfd, 1, fill_kernel_routes, &a);
}

void handle_request(struct daemon *d, int cfd, char *line, int root)
{
	struct ctl_req r;
	const char *err;
	char msg[256];

	if (ctl_parse(line, &r, &err)) {
		ctl_reply_error(cfd, err);
		return;
	}
	if (!root && !ctl_req_reads(r.cmd)) {
		/* line holds the first word now (parsed in place). */
		snprintf(msg, sizeof(msg), "permission denied: '%.32s' changes ecmpd and is root's; "
			 "members of group %.64s may show, stats, lookup and monitor", line,
			 d->conf.control.group);
		ctl_reply_error(cfd, msg);
		return;
	}
	switch (r.cmd) {
	case CTL_PING:
		ctl_reply_ok(cfd, "pong");
		break;
	case CTL_RELOAD:
		do_reload(d, cfd);
		break;
	case CTL_NEXTHOP_SET:
		do_nexthop_set(d, cfd, r.arg, r.drain);
		break;
	case CTL_BFD_SHOW:
		ctl_reply_doc(cfd, 1, fill_bfd, d);
		break;
	case CTL_STATUS:
		ctl_reply_doc(cfd, 1, fill_status, d);
		break;
	case CTL_MAPS:
		do_maps(d, cfd);
		break;
	case CTL_HOOKS:
		ctl_reply_doc(cfd, 1, fill_hooks, NULL);
		break;
	case CTL_KERNEL_ROUTES:
		do_kernel_routes(d, cfd, r.arg);
		break;
	case CTL_CMD_COUNT:
		break;		/* not a request */
	case CTL_MONITOR:
		if (d->events.n == EVENTS_MAX_SUBSCRIBERS) {
			ctl_reply_error(cfd, "busy: " "too many monitors at once");
			break;
		}
		/* The answer first: then the events, on the same line-per-
		 * document stream, until the client closes. */
		if (ctl_send_line(cfd, "{\"ok\":true}") || events_subscribe(&d->events, cfd))
			close(cfd);
		break;
	case CTL_SHUTDOWN:
		d->detach = r.detach;
		d->stop = 1;
		/* Answered now; the connection stays open until the process
		 * is gone (it is never closed before exit), which is when
		 * ecmpctl shutdown returns: a start right after it finds
		 * the hooks and pins as this stop leaves them. */
		ctl_send_line(cfd, d->detach ?
			      "{\"ok\":true,\"message\":\"ecmpd stops and removes programs and maps\"}" :
			      "{\"ok\":true,\"message\":\"ecmpd stops; forwarding continues\"}");
		break;
	}
}
