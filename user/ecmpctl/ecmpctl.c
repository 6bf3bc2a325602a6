// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpctl: shows and drives xdp-ecmp. Show commands read the pinned maps
 * directly (they work while ecmpd is stopped); BFD sessions and commands
 * that change state go to ecmpd over its control socket, whose JSON
 * replies are read by key. Text by default, JSON with -j: every field goes
 * through one print call (lib/print.h), so JSON keys are the text words.
 */
#include <errno.h>
#include <limits.h>
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
#include "monitor.h"
#include "lib/prometheus.h"
#include "lib/version.h"
#include "xmit_stats.h"
#include "lib/ctl.h"
#include "lib/dp_maps.h"
#include "lib/hook.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/lpm.h"
#include "lib/print.h"
#include "lib/text.h"

static struct cli_cmd g;

/* One line on stderr ({"error": ...} with -j, so scripts parse it like
 * any answer; stdout stays empty); exit 1. */
static int fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (g.json) {
		fflush(stdout);
		print_start(stderr, 1, g.pretty);
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

	if (geteuid() || ctl_server_pid(g.socket, &pid) || pid <= 0 || pid == getpid())
		return;		/* joining takes root; readers get fds instead */
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

/* -n NAME: the network namespace `ip netns` named (or a path to one), as
 * `ip -n` does; for when ecmpd is not there to be joined. */
static int enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), strchr(name, '/') ? "%s" : "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		err = fail("netns %s: cannot enter %s: %s (`ip netns list` names them)",
			   name, path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * Without root the pins are out of reach (bpffs is root's, and opening a
 * BPF object needs privilege): a member of ecmpd's `control group` gets
 * read-only fds of the maps from ecmpd over the socket instead.
 */
static int maps_from_daemon(struct ecmp_dp *dp)
{
	int fds[CTL_MAX_FDS], byname[DP_MAP_COUNT], nfds, i, k, err;
	const struct json_value *names, *v;
	struct json_value *reply = NULL;
	char *text = NULL;
	const char *msg;

	err = ctl_request_fds(g.socket, "maps", &text, fds, CTL_MAX_FDS, &nfds, 10000);
	if (err == -EACCES || err == -EPERM)
		return fail("Reading xdp-ecmp takes root, or a group ecmpd lets read (`control group` "
			    "in ecmpd.conf): %s is not open to this user", g.socket);
	if (err)
		return fail("Failed to reach ecmpd at %s: %s; without root the maps are read through "
			    "ecmpd, which must be running", g.socket, strerror(-err));
	reply = json_parse(text, NULL);
	free(text);
	msg = reply ? json_get_str(reply, "error") : "not JSON";
	names = reply ? json_get(reply, "maps") : NULL;
	for (i = 0; i < DP_MAP_COUNT; i++)
		byname[i] = -1;
	for (v = names ? names->child : NULL, k = 0; v && k < nfds; v = v->next, k++)
		for (i = 0; i < DP_MAP_COUNT; i++)
			if (v->str && !strcmp(v->str, dp_map_names[i]) && byname[i] < 0)
				byname[i] = fds[k];
	for (i = 0; i < DP_MAP_COUNT && byname[i] >= 0; i++)
		;
	if (msg || i < DP_MAP_COUNT) {
		while (nfds)
			close(fds[--nfds]);
		json_free(reply);
		if (msg)
			return fail("ecmpd at %s: %s", g.socket, msg);
		return fail("ecmpd at %s sent other maps than this ecmpctl knows (%s is missing); "
			    "is it the same version?", g.socket, dp_map_names[i]);
	}
	json_free(reply);
	/* fds ecmpd sent that no name claimed (a newer ecmpd's) */
	for (k = 0; k < nfds; k++) {
		for (i = 0; i < DP_MAP_COUNT && byname[i] != fds[k]; i++)
			;
		if (i == DP_MAP_COUNT)
			close(fds[k]);
	}
	err = dp_open_fds(dp, byname);
	if (err)
		return fail("Failed to read the maps ecmpd sent: %s", strerror(-err));
	return 0;
}

static int open_maps(struct ecmp_dp *dp)
{
	int err;

	if (geteuid())
		return maps_from_daemon(dp);
	err = dp_open_pinned(dp, g.pin_root, 0);

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
/* How long `shutdown` waits for ecmpd to be gone once it has answered:
 * a full table's maps, its hooks and BFD's AdminDown take a few seconds
 * at most. */
#define SHUTDOWN_WAIT_MS	60000

/* req's reply; with wait_ms, once ecmpd has also closed the connection
 * (a shutdown: when its process is gone). */
static int ask_wait(const char *req, struct json_value **reply, int wait_ms)
{
	char *text = NULL;
	const char *perr, *msg;
	int err = wait_ms ? ctl_request_until_closed(g.socket, req, &text, 30000, wait_ms) :
		  ctl_request(g.socket, req, &text, 30000);

	*reply = NULL;
	if (err == -ETIME) {
		free(text);
		return fail("ecmpd at %s said it stops, but was still running %d s later; see its log",
			    g.socket, wait_ms / 1000);
	}
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

static int ask(const char *req, struct json_value **reply)
{
	return ask_wait(req, reply, 0);
}

/* A command that changes state: ecmpd's message, or its error. wait_ms:
 * see ask_wait(). */
static int do_request(const char *req, int wait_ms)
{
	struct json_value *reply;
	const char *msg;

	if (ask_wait(req, &reply, wait_ms))
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
	return do_request(req, 0);
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
	return !p->family || lpm_inside(k->family, k->addr, k->prefixlen, p->family, p->addr, p->len);
}

/* `route show all`: the routes of ecmpd's mirror (its "kernel-routes"
 * answer), from the kernel or zebra's stream, each with its protocol and
 * metric, and the reason when the data path leaves it to the kernel; each
 * marked once printed. */
struct kept {
	char prefix[TEXT_PREFIX_LEN];
	const char *reason;	/* NULL: in the data path */
	const char *protocol;	/* a name, or its number */
	uint64_t metric;
	int has_metric;
	int shown;
};

static int kept_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kept *)a)->prefix, ((const struct kept *)b)->prefix);
}

static struct kept *kept_find(struct kept *v, int n, const char *prefix)
{
	struct kept k;

	snprintf(k.prefix, sizeof(k.prefix), "%s", prefix);
	return n ? bsearch(&k, v, n, sizeof(*v), kept_cmp) : NULL;
}

/* The number member key as written (or a string member), or NULL. */
static const char *member_text(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	return v && (v->type == JSON_NUMBER || v->type == JSON_STRING) ? v->str : NULL;
}

/* The list for the routes inside `inside` (family 0: all), sorted, or -1
 * (said why); *reply holds the strings. */
static int kept_read(const struct cli_prefix *inside, struct json_value **reply,
		     struct kept **out)
{
	char req[32 + TEXT_PREFIX_LEN] = "kernel-routes", net[TEXT_PREFIX_LEN];
	const struct json_value *v;
	struct kept *k;
	int n = 0;

	if (inside->family)
		snprintf(req, sizeof(req), "kernel-routes %s",
			 text_prefix(inside->family, inside->addr, inside->len, net, sizeof(net)));
	if (ask(req, reply))
		return -1;
	v = json_get(*reply, "kept_only");
	if (v && v->type == JSON_BOOL && v->boolean)
		fprintf(stderr, "ecmpctl: more than ecmpd sends at once inside %s: protocol and metric "
			"only for the routes the kernel keeps; name a longer prefix for the others\n",
			inside->family ? net : "the table");
	for (v = json_get(*reply, "routes"), v = v ? v->child : NULL; v; v = v->next)
		n++;
	k = calloc(n ? n : 1, sizeof(*k));
	if (!k) {
		fail("out of memory");
		return -1;
	}
	n = 0;
	for (v = json_get(*reply, "routes"), v = v ? v->child : NULL; v; v = v->next) {
		const char *p = json_get_str(v, "prefix");

		if (!p)
			continue;
		snprintf(k[n].prefix, sizeof(k[n].prefix), "%s", p);
		k[n].reason = json_get_str(v, "reason");
		k[n].protocol = member_text(v, "protocol");
		k[n].has_metric = !json_u64_of(json_get(v, "metric"), &k[n].metric);
		n++;
	}
	qsort(k, n, sizeof(*k), kept_cmp);
	*out = k;
	return n;
}

/* One line of `route show`: a route of the data path (has_route), or a
 * route of the kernel's that only the kernel has (kept). */
struct shown_route {
	struct ecmp_route_key key;
	struct ecmp_route route;
	int has_route;
	const struct kept *kept;
};

struct route_list {
	const struct cli_prefix *inside;
	struct shown_route *v;
	size_t n, cap;
	int err;
};

static int route_list_add(struct route_list *l, const struct ecmp_route_key *k)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct shown_route *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->v[l->n].key = *k;
	l->n++;
	return 0;
}

static void collect_route(const struct ecmp_route_key *k, const struct ecmp_route *v, void *arg)
{
	struct route_list *l = arg;

	if (l->err || !route_inside(k, l->inside))
		return;
	if (route_list_add(l, k)) {
		l->err = -ENOMEM;
		return;
	}
	l->v[l->n - 1].route = *v;
	l->v[l->n - 1].has_route = 1;
}

/* As `ip route` lists them: IPv4 before IPv6, then by address, a shorter
 * prefix before the longer ones inside it. */
static int shown_route_cmp(const void *a, const void *b)
{
	const struct ecmp_route_key *x = &((const struct shown_route *)a)->key;
	const struct ecmp_route_key *y = &((const struct shown_route *)b)->key;
	int d = x->family - y->family;

	if (!d)
		d = memcmp(x->addr, y->addr, sizeof(x->addr));
	return d ? d : x->prefixlen - y->prefixlen;
}

/* "ADDR/LEN", as the kernel-routes answer names prefixes too. */
static void key_prefix(const struct ecmp_route_key *k, char *buf, size_t len)
{
	text_prefix(k->family, k->addr, k->prefixlen, buf, len);
}

static void print_shown_route(const struct ecmp_dp *dp, const struct shown_route *r)
{
	char prefix[TEXT_PREFIX_LEN], grp[ECMP_NAME_MAX + 8];

	key_prefix(&r->key, prefix, sizeof(prefix));
	print_open_object(PRINT_JSON, NULL);
	print_str(PRINT_VALUE, "prefix", prefix);
	if (!r->has_route) {
		/* The kernel's table is not in the data path (too large). */
	} else if (r->route.leaf == ECMP_LPM_LOCAL) {
		print_flag(PRINT_ANY, "local", 1);
	} else if (r->route.leaf == ECMP_LPM_CONNECTED) {
		print_flag(PRINT_ANY, "connected", 1);
	} else {
		group_name(dp, ECMP_LPM_GROUP(r->route.leaf), grp, sizeof(grp));
		print_str(PRINT_ANY, "group", grp);
		print_str(PRINT_ANY, "source", text_route_source(grp));
	}
	if (r->kept && r->kept->protocol)
		print_str(PRINT_ANY, "protocol", r->kept->protocol);
	if (r->kept && r->kept->has_metric)
		print_u64(PRINT_ANY, "metric", r->kept->metric);
	if (r->kept && r->kept->reason)
		print_str(PRINT_ANY, "kernel_route", r->kept->reason);
	if (!r->has_route)
		print_str(PRINT_ANY, "in_data_path", "no");
	print_close_object();
	print_nl();
}

static int do_route_show(const struct cli_prefix *inside)
{
	struct json_value *reply = NULL;
	struct route_list l = { inside, NULL, 0, 0, 0 };
	struct kept *kept = NULL;
	struct ecmp_dp dp;
	size_t n, i;
	int nkept = 0, k, e;

	if (g.all && (nkept = kept_read(inside, &reply, &kept)) < 0)
		return 1;
	if (open_maps(&dp)) {
		json_free(reply);
		free(kept);
		return 1;
	}
	e = dp_each_route(dp.fd[DP_ROUTES], collect_route, &l);
	if (e)
		fprintf(stderr, "ecmpctl: reading %s failed: %s\n", ECMP_MAP_ROUTES, strerror(-e));
	/* Each kept route with its line, or a line of its own when the maps
	 * do not hold it. */
	n = l.n;
	for (i = 0; nkept && i < n; i++) {
		char prefix[TEXT_PREFIX_LEN];
		struct kept *kp;

		key_prefix(&l.v[i].key, prefix, sizeof(prefix));
		kp = kept_find(kept, nkept, prefix);
		if (kp) {
			l.v[i].kept = kp;
			kp->shown = 1;
		}
	}
	for (k = 0; k < nkept && !l.err; k++) {
		struct cli_prefix p;
		struct ecmp_route_key key = { 0 };

		/* A route of the mirror's in the data path that the maps
		 * did not hold when read: added or removed meanwhile. */
		if (kept[k].shown || !kept[k].reason || cli_parse_prefix(kept[k].prefix, &p))
			continue;
		key.family = p.family;
		key.prefixlen = p.len;
		memcpy(key.addr, p.addr, 16);
		if (!route_inside(&key, inside))
			continue;
		if (route_list_add(&l, &key))
			l.err = -ENOMEM;
		else
			l.v[l.n - 1].kept = &kept[k];
	}
	if (l.err)
		fprintf(stderr, "ecmpctl: out of memory listing routes\n");
	if (l.n)	/* qsort's array may not be NULL, even empty */
		qsort(l.v, l.n, sizeof(*l.v), shown_route_cmp);
	print_open_array(PRINT_JSON, NULL);
	for (i = 0; i < l.n; i++)
		print_shown_route(&dp, &l.v[i]);
	print_close_array();
	dp_close(&dp, 1);
	json_free(reply);
	free(kept);
	free(l.v);
	return e || l.err ? 1 : 0;
}

/* ---- interface ---- */

/* The tag tells builds apart: ecmpd logs the tag of each one it attaches. */
/* -s: an interface's counters as the kernel keeps them (64-bit, from
 * /proc/net/dev of this network namespace, which ip -s link shows). */
static void print_dev_stats(const char *ifname)
{
	static const char *const keys[] = { "rx_bytes", "rx_packets", "rx_errors", "rx_dropped",
					    "tx_bytes", "tx_packets", "tx_errors", "tx_dropped" };
	/* Their columns in /proc/net/dev after "IFNAME:". */
	static const int col[] = { 0, 1, 2, 3, 8, 9, 10, 11 };
	unsigned long long v[16] = { 0 };
	char line[512];
	FILE *f = fopen("/proc/net/dev", "r");
	int found = 0;
	unsigned i;

	while (f && !found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name = line;

		if (!colon)
			continue;
		*colon = 0;
		while (*name == ' ')
			name++;
		if (strcmp(name, ifname))
			continue;
		found = sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
			       &v[10], &v[11]) == 12;
	}
	if (f)
		fclose(f);
	for (i = 0; found && i < sizeof(keys) / sizeof(keys[0]); i++)
		print_u64(PRINT_ANY, keys[i], v[col[i]]);
}

static void print_hook(const struct hook_entry *h)
{
	print_open_object(PRINT_JSON, NULL);
	print_str(PRINT_VALUE, "interface", h->ifname);
	print_str(PRINT_VALUE, "hook", h->hook);
	print_str(PRINT_VALUE, "mode", h->mode);
	print_u64(PRINT_ANY, "prog_id", h->prog_id);
	if (h->tag[0])
		print_str(PRINT_ANY, "tag", h->tag);
	else
		print_null(PRINT_ANY, "tag");	/* detached meanwhile */
	if (g.stats)
		print_dev_stats(h->ifname);
	print_close_object();
	print_nl();
}

/* The hooks as ecmpd sees them (a reader cannot read programs). The
 * count, or -ECANCELED when the failure was reported already. */
static int hooks_from_daemon(struct hook_entry **out)
{
	const struct json_value *v;
	struct json_value *reply;
	struct hook_entry *h;
	uint64_t id;
	int n = 0, k = 0;

	if (ask("hooks", &reply))
		return -ECANCELED;
	for (v = json_get(reply, "hooks"), v = v ? v->child : NULL; v; v = v->next)
		n++;
	h = calloc(n ? n : 1, sizeof(*h));
	for (v = json_get(reply, "hooks"), v = v ? v->child : NULL; h && v; v = v->next, k++) {
		const char *tag = json_get_str(v, "tag");

		snprintf(h[k].ifname, sizeof(h[k].ifname), "%s", json_get_str(v, "interface") ?: "?");
		snprintf(h[k].hook, sizeof(h[k].hook), "%s", json_get_str(v, "hook") ?: "?");
		snprintf(h[k].mode, sizeof(h[k].mode), "%s", json_get_str(v, "mode") ?: "?");
		h[k].prog_id = json_u64_of(json_get(v, "prog_id"), &id) ? 0 : id;
		snprintf(h[k].tag, sizeof(h[k].tag), "%s", tag ? tag : "");
	}
	json_free(reply);
	if (!h)
		return -ENOMEM;
	*out = h;
	return n;
}

/* Where the programs are attached, read from the kernel (XDP through
 * libxdp, TC by our filter's handle and priority). */
static int do_interface_show(const char *only)
{
	struct hook_entry *h = NULL;
	int n, i;

	if (only && !if_nametoindex(only))
		return fail("interface %s: no such interface here", only);
	n = geteuid() ? hooks_from_daemon(&h) : hook_list(&h);
	if (n < 0)
		return n == -ECANCELED ? 1 : fail("Failed to list the hooks: %s", strerror(-n));
	print_open_array(PRINT_JSON, NULL);
	for (i = 0; i < n; i++)
		if (!only || !strcmp(only, h[i].ifname))
			print_hook(&h[i]);
	print_close_array();
	free(h);
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
	uint32_t i, nh = 0, grp = 0, egress = 0, left_out = 0;
	uint32_t *dev = calloc(dp->max_entries[DP_NEXTHOPS] + 1, sizeof(*dev));
	uint64_t buckets = 0;

	for (i = 0; i < dp->max_entries[DP_NEXTHOPS]; i++) {
		struct ecmp_nh_meta m;

		if (!bpf_map_lookup_elem(dp->fd[DP_NH_META], &i, &m) && m.family) {
			if (dev)
				dev[nh] = m.ifindex;
			nh++;
		}
	}
	if (dev)
		dp_egress_count(dp, dev, nh, &egress, &left_out);
	free(dev);
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

/* The egress devices of the nexthops, with what their drivers count of
 * XDP transmit: "forwarded" checked against what left. */
static void print_egress(const struct ecmp_dp *dp)
{
	uint32_t seen[256], nseen = 0, id, k;

	print_open_array(PRINT_JSON, "egress");
	for (id = 0; id < dp->max_entries[DP_NH_META]; id++) {
		struct ecmp_nh_meta m;
		struct xmit_stats x;
		char dev[IF_NAMESIZE];

		if (nh_meta(dp, id, &m))
			continue;
		for (k = 0; k < nseen && seen[k] != m.ifindex; k++)
			;
		if (k < nseen || nseen == sizeof(seen) / sizeof(seen[0]))
			continue;
		seen[nseen++] = m.ifindex;
		if (!if_indextoname(m.ifindex, dev))
			continue;
		print_open_object(PRINT_JSON, NULL);
		print_text("egress");
		print_str(PRINT_ANY, "dev", dev);
		print_str(PRINT_ANY, "xdp_xmit_capable",
			  m.flags & ECMP_NH_META_NO_XDP_XMIT ? "no" : "yes");
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

static int do_stats(void)
{
	struct json_value *status = NULL;
	char *text = NULL;
	struct ecmp_counter c;
	struct ecmp_dp dp;
	int r;

	if (open_maps(&dp))
		return 1;
	if (g.prometheus) {
		prom_write(stdout, &dp, g.socket);
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
	print_egress(&dp);
	print_capacity(&dp);
	if (!ctl_request(g.socket, "status", &text, 10000))
		status = json_parse(text, NULL);
	print_memory(&dp, status);
	print_trie(status);
	print_addresses(status);
	print_mirror(status);
	print_fpm(status);
	print_monitors(status);
	print_close_object();
	json_free(status);
	free(text);
	dp_close(&dp, 1);
	return 0;
}

/* ---- lookup ---- */

static void print_lookup(const struct ecmp_dp *dp, const struct cli_probe *p)
{
	char route[TEXT_PREFIX_LEN] = "", grp[ECMP_NAME_MAX + 8] = "", nhname[ECMP_NAME_MAX] = "";
	char via[INET6_ADDRSTRLEN] = "", dev[IF_NAMESIZE] = "";
	struct ecmp_flow hashed = p->icmp_error ? p->quoted : p->flow;
	struct lookup_result r;

	if (p->icmp_error)
		ecmp_flow_turn_round(&hashed);
	lookup_flow(dp, &p->flow, &hashed, &r);
	if (r.route_found)
		text_prefix(r.route.family, r.route.addr, r.route.prefixlen, route, sizeof(route));
	if (r.reason == ECMP_FORWARDED || r.reason == ECMP_PASS_NO_NEXTHOP ||
	    r.reason == ECMP_PASS_NO_EGRESS)
		group_name(dp, r.group, grp, sizeof(grp));
	if (r.reason == ECMP_FORWARDED || r.reason == ECMP_PASS_NO_EGRESS) {
		struct ecmp_nh_meta m;

		if (!nh_meta(dp, r.nexthop, &m)) {
			snprintf(nhname, sizeof(nhname), "%.*s", (int)sizeof(m.name), m.name);
			text_addr(m.family, m.via, via, sizeof(via));
			if (!if_indextoname(m.ifindex, dev))
				snprintf(dev, sizeof(dev), "if%u", m.ifindex);
		}
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
		/* The error goes where the flow it reports on goes. */
		if (p->icmp_error) {
			char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

			text_addr(hashed.family, hashed.saddr, s, sizeof(s));
			text_addr(hashed.family, hashed.daddr, d, sizeof(d));
			print_open_object(PRINT_JSON, "hashed_as");
			print_text("hashed_as");
			print_str(PRINT_ANY, "src", s);
			print_str(PRINT_ANY, "dst", d);
			print_u64(PRINT_ANY, "proto", hashed.proto);
			print_u64(PRINT_ANY, "sport", ntohs(hashed.sport));
			print_u64(PRINT_ANY, "dport", ntohs(hashed.dport));
			print_close_object();
		}
		print_u64(PRINT_ANY, "bucket", r.bucket);
	}
	if (*nhname) {
		print_str(PRINT_ANY, "nexthop", nhname);
		/* As ip route get says it. */
		print_str(PRINT_ANY, "via", via);
		print_str(PRINT_ANY, "dev", dev);
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
		print_lookup(&dp, &g.probe);
		dp_close(&dp, 1);
		return 0;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *w[9], *save = NULL, *tok, err[256];
		struct cli_probe f;
		int n = 0;

		if (!strchr(line, '\n') && !feof(stdin)) {
			int c;

			while ((c = getchar()) != EOF && c != '\n')
				;
			print_line_error("line too long");
			ret = 1;
			continue;
		}
		for (tok = strtok_r(line, " \t\r\n", &save); tok && n < 9;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			w[n++] = tok;
		print_start(stdout, g.json, 0);	/* one document per line */
		if (cli_parse_probe(n, w, &f, err, sizeof(err))) {
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

/* The usage, or with OBJECT only its lines (those naming a command of an
 * object that OBJECT abbreviates, with their continuation lines). */
static void print_help(const char *object)
{
	const char *line = cli_usage, *end;
	int keep = 0;

	if (!object) {
		fputs(cli_usage, stdout);
		return;
	}
	for (; *line; line = *end ? end + 1 : end) {
		const char *cmd = line + strspn(line, " ");
		size_t n;

		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (cmd > line && !strncmp(cmd, "ecmpctl ", 8)) {
			cmd += strlen("ecmpctl ");
			n = strcspn(cmd, " \n");
			keep = n >= strlen(object) && !strncmp(cmd, object, strlen(object)) &&
			       cmd[0] != '[';
		} else if (!(line[0] == ' ' && strspn(line, " ") > 20)) {
			keep = 0;	/* a continuation line stays with its command */
		}
		if (keep)
			printf("%.*s\n", (int)(end - line), line);
	}
}

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
	if (g.netns && enter_netns(g.netns))
		return 1;
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
		print_help(g.help_object);
		return 0;
	case CLI_VERSION:
		printf("ecmpctl (xdp-ecmp) %s\n", ecmp_version);
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
	case CLI_MONITOR:
		return monitor_run(g.socket, g.events, g.json);
	case CLI_RELOAD:
		ret = do_request("reload", 0);
		break;
	case CLI_SHUTDOWN:
		/* Back once ecmpd is gone: a start right after finds the
		 * hooks and pins as the shutdown left them. */
		ret = do_request(g.detach ? "shutdown detach" : "shutdown", SHUTDOWN_WAIT_MS);
		break;
	default:
		ret = fail("internal: command %d has no handler", g.cmd);
	}
	if (!ret)
		print_end();
	return ret;
}
