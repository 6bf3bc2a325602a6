// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpd: loads and pins the data path, applies the config, follows the
 * kernel's links, neighbours and addresses, and keeps bucket tables right
 * as nexthops fail and recover. The main thread runs one epoll loop:
 * netlink events, the control socket, signals, BFD state changes and a
 * 50 ms timer (epoch for idle buckets, neighbour probes, settling
 * unbalanced groups). BFD sessions run in a thread of their own (bfd.c).
 *
 * Leaving never stops forwarding: programs and maps stay pinned, and the
 * next ecmpd adopts them. Only --detach (or `ecmpctl shutdown --detach`)
 * removes them.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>
#include <linux/rtnetlink.h>

#include "bfd/bfd.h"
#include "config.h"
#include "lib/ctl.h"
#include "lib/hook.h"
#include "lib/json.h"
#include "lib/log.h"
#include "attach.h"
#include "bypass.h"
#include "events.h"
#include "fib.h"
#include "pin.h"
#include "plane.h"
#include "lib/clock.h"
#include "lib/text.h"
#include "lib/version.h"
#include "metrics.h"
#include "mirror.h"
#include "fpm.h"
#include "seed.h"
#include "xdp_features.h"

#define TICK_MS 50
/* The least time between two reads of the kernel's table (mirror.h). */
#define MIRROR_GAP_MS 20

struct daemon {
	const char *conf_path;
	const char *state_dir;
	const char *socket_path;
	char obj_path[PATH_MAX];
	char tc_obj_path[PATH_MAX];
	unsigned char xdp_tag[BPF_TAG_SIZE];	/* of obj_path's program */
	struct ecmp_conf conf;	/* the file */
	/* What the plane holds: the file plus mirrored kernel routes. */
	struct ecmp_conf eff;
	struct mirror *mirror;		/* with `routes kernel` or `routes fpm` */
	/* The main table as the mirror's read before sync_fib showed it
	 * (fib_gather), so sync_fib does not read it again; or NULL. */
	struct fib_dump *fib_seen;
	struct fpm *fpm;		/* with `routes fpm` */
	int fpm_epoll_fd;		/* the connection in the loop, or -1 */
	uint64_t fpm_conns_seen;	/* connections the loop has added */
	struct metrics *metrics;	/* with `metrics listen` */
	int mirror_dirty;		/* a route or link event since the read */
	int watching_routes;		/* subscribed to the kernel's route events */
	uint64_t mirror_read_ms;	/* when the table was last read */
	uint64_t mirror_done_ms;	/* when the last merge was applied */
	/* Lag from the first event of a burst to the data path holding it,
	 * and the time one read-and-apply takes: for ecmpctl stats. */
	uint64_t mirror_dirty_us;
	uint64_t mirror_lag_us, mirror_lag_max_us, mirror_sync_us;
	char mirror_err[512];		/* the last failure, said once */
	/* The mirror's last merge is what the plane holds (d->eff): route
	 * events may be applied alone (mirror_patch.c). */
	int mirror_in_step;
	uint64_t patch_us, patch_max_us;	/* the last patch, the longest */
	struct plane plane;
	struct nl nl;
	struct xdpf xdpf;
	struct bfd_rt *bfd;
	struct ctl_server ctl;
	struct events events;		/* ecmpctl monitor */
	int sig_fd, timer_fd, ep_fd;
	sigset_t signals;		/* read from sig_fd, blocked everywhere */
	int stop, detach;
	uint64_t pins_checked_ms;
	int applied;		/* d->conf is in the maps */
	int applied_once;	/* attach_all() ran once */
	/* Interfaces the config names came, came back or went (links_back()):
	 * an attach interface under a new ifindex lost its programs; a
	 * nexthop's, the config routes the kernel dropped with it. */
	uint64_t reattach;		/* bit i: d->conf.iface[i] */
	int fib_relink, bfd_relink;
	uint64_t fib_relinked_ms, fib_relink_cost_ms;
	uint32_t neigh_reconfirm_ms;	/* --neigh-reconfirm; 0: the default */
	uint32_t nl_rcvbuf;		/* --netlink-rcvbuf; 0: NL_EVENT_RCVBUF */
	uint32_t fail_route_update;	/* --fail-route-update; 0: never */
	uint32_t monitor_queue;		/* --monitor-queue; 0: EVENTS_MAX_QUEUE */
};

_Static_assert(CONF_MAX_IFACES <= 64, "struct daemon's reattach: a bit per interface");

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ecmpd [-c FILE] [OPTIONS]\n"
"       ecmpd [-c FILE] --check [ --offline ]\n"
"       ecmpd [-c FILE | --pin-root DIR] --detach\n"
"\n"
"  -c, --config FILE     configuration (default %s; ecmpd.conf(5))\n"
"      --check           validate FILE and exit: 0 valid, 1 with FILE:LINE errors\n"
"      --offline         with --check: grammar, names and limits only; interfaces\n"
"                        and secret files are not looked up (check in CI)\n"
"      --detach          remove ecmp programs, maps and pins, and exit\n"
"      --pin-root DIR    where --detach looks when there is no config\n"
"      --state-dir DIR   where 'seed auto' keeps the seed (default /var/lib/ecmp)\n"
"      --socket PATH     control socket (default " CTL_SOCKET_DEFAULT ")\n"
"      --bpf-obj FILE    the XDP object (default: next to ecmpd, then\n"
"                        %s/ecmp_xdp.bpf.o)\n"
"      --syslog          log to syslog instead of stderr\n"
"      --neigh-reconfirm MS  re-confirm resolved neighbours every MS (default\n"
"                        15000; tests shorten it)\n"
"      --netlink-rcvbuf BYTES  the kernel event socket's buffer (default 32 MiB;\n"
"                        tests shrink it to force overruns)\n"
"      --monitor-queue BYTES  how far behind an ecmpctl monitor may fall before\n"
"                        it is dropped (default 16 MiB)\n"
"      --fail-route-update N  for tests: the Nth route table update (the start's\n"
"                        is the first) fails after changing the trie, as running\n"
"                        out of memory would; ecmpd undoes it\n"
"  -v, --verbose         debug output, libbpf/libxdp included\n"
"  -V, --version         the release\n"
"  -h, --help            this text\n"
"Under systemd (Type=notify) ecmpd says READY=1 once the config is applied\n"
"and the programs attached, RELOADING=1 and READY=1 around a reload,\n"
"STOPPING=1 when it leaves.\n", ecmp_conf_default, ecmp_libdir);
}

static void find_tc_object(struct daemon *d)
{
	char dir[PATH_MAX - 32], *slash;

	/* The TC object sits next to the XDP one. */
	memcpy(dir, d->obj_path, sizeof(dir) - 1);
	dir[sizeof(dir) - 1] = 0;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(dir, sizeof(dir), ".");
	snprintf(d->tc_obj_path, sizeof(d->tc_obj_path), "%s/%s", dir, ATTACH_TC_OBJECT);
}

static void find_object(struct daemon *d, const char *given)
{
	char exe[PATH_MAX - 32], *slash;
	ssize_t n;

	if (given) {
		snprintf(d->obj_path, sizeof(d->obj_path), "%s", given);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(d->obj_path, sizeof(d->obj_path), "%s/ecmp_xdp.bpf.o", exe);
			if (!access(d->obj_path, R_OK))
				return;
		}
	}
	snprintf(d->obj_path, sizeof(d->obj_path), "%s/ecmp_xdp.bpf.o", ecmp_libdir);
}

/* ---- clsact qdiscs ecmpd created: removed by --detach, others never ---- */

static void qdisc_file(const char *state_dir, char *path, size_t len)
{
	snprintf(path, len, "%s/tc-qdiscs", state_dir);
}

/* The config routes this instance put in the kernel's FIB (fib.h). */
static void sync_fib(struct daemon *d)
{
	char path[PATH_MAX];

	if (mkdir(d->state_dir, 0700) && errno != EEXIST)
		pr_warn("Failed to create %s: %s", d->state_dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/fib-routes", d->state_dir);
	d->fib_relink = 0;	/* what a link event asked for (links_back()) */
	fib_sync(&d->conf, path, d->fib_seen);
	fib_dump_free(d->fib_seen);
	d->fib_seen = NULL;
}

/* A start or reload with c: the whole-table read of `routes kernel`, when
 * of the main table, also gathers what sync_fib needs of it (a second
 * dump of a full table took 1.5 s). */
static void fib_gather(struct daemon *d, const struct ecmp_conf *c)
{
	fib_dump_free(d->fib_seen);
	d->fib_seen = NULL;
	if (c->kernel_routes.enabled && c->kernel_routes.table == RT_TABLE_MAIN)
		d->fib_seen = fib_dump_new(c);
}

/* A reload that read no table (mirror_stands): what sync_fib needs of
 * the main table but ecmpd's own routes (other protocols' at c's
 * prefixes) from the mirror, which route events keep current; fib_sync
 * then dumps ecmpd's own alone. Not with zebra's stream, whose routes
 * would hide the kernel's: the table is dumped then, as before. */
static void fib_gather_mirror(struct daemon *d, const struct ecmp_conf *c)
{
	static struct nl_route r;	/* large; the main thread's alone */
	struct fib_dump *seen;
	int i, got = 0;

	fib_dump_free(d->fib_seen);
	d->fib_seen = NULL;
	if (!c->kernel_routes.enabled || c->kernel_routes.table != RT_TABLE_MAIN ||
	    c->fpm.enabled || !d->mirror)
		return;
	seen = fib_dump_new(c);
	for (i = 0; seen && i < c->nroute && got >= 0; i++) {
		struct lpm_route k = { .family = c->route[i].family,
				       .prefixlen = c->route[i].prefixlen };
		struct mroute x;

		memcpy(k.addr, c->route[i].addr, 16);
		got = mirror_route_at(d->mirror, &k, &x);
		if (got <= 0)
			continue;
		memset(&r, 0, sizeof(r));
		r.family = x.family;
		r.prefixlen = x.prefixlen;
		memcpy(r.addr, x.addr, 16);
		r.table = RT_TABLE_MAIN;
		r.protocol = x.protocol;
		fib_dump_route(seen, &r);
	}
	if (got < 0) {
		fib_dump_free(seen);
		return;
	}
	fib_dump_others_done(seen);
	d->fib_seen = seen;
}

static void on_fib_route(void *ctx, const struct nl_route *r)
{
	fib_dump_route(ctx, r);
}

static void record_qdisc(const char *state_dir, const char *ifname)
{
	char path[PATH_MAX], line[IF_NAMESIZE + 2];
	FILE *f;

	qdisc_file(state_dir, path, sizeof(path));
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line, ifname)) {
			fclose(f);
			return;
		}
	}
	if (f)
		fclose(f);
	mkdir(state_dir, 0700);
	f = fopen(path, "a");
	if (!f) {
		pr_warn("Failed to record the clsact qdisc of %s in %s: %s; --detach will leave it",
			ifname, path, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", ifname);
	fclose(f);
}

static char *read_qdiscs(const char *state_dir)
{
	char path[PATH_MAX], *buf = calloc(1, 65536);
	FILE *f;

	qdisc_file(state_dir, path, sizeof(path));
	f = fopen(path, "r");
	if (f && buf) {
		size_t n = fread(buf, 1, 65535, f);

		buf[n] = 0;
	}
	if (f)
		fclose(f);
	return buf;
}

/* ---- config ---- */

static int load_conf(struct daemon *d, struct ecmp_conf *c)
{
	int err;

	memset(c, 0, sizeof(*c));
	err = config_load(c, d->conf_path);
	if (!err)
		err = config_check_host(c);
	if (!err && c->seed_auto) {
		err = seed_load_or_create(d->state_dir, c->seed);
		if (err) {
			/* Already logged; make it the caller's error too. */
			char msg[512];

			snprintf(msg, sizeof(msg), "seed auto: cannot use %s/seed: %s",
				 d->state_dir, strerror(-err));
			if (c->nerror < CONF_MAX_ERRORS)
				c->error[c->nerror++] = strdup(msg);
		}
	}
	return err;
}

/* Our program on f (adopted when there already); *tc_obj is the TC
 * object, opened by the first interface that needs it. */
static int attach_one(struct daemon *d, const struct ecmp_conf *c,
		      const struct conf_iface *f, struct bpf_object **tc_obj)
{
	int created = 0, err;

	if (f->attach == ATTACH_NONE)
		return 0;
	if (f->attach == ATTACH_TC_INGRESS || f->attach == ATTACH_TC_EGRESS) {
		if (!*tc_obj)	/* one load (and one verification) for all */
			*tc_obj = attach_tc_open(d->tc_obj_path, c->pin_root, &d->plane.dp);
		err = *tc_obj ? attach_tc(*tc_obj, f->name, f->attach == ATTACH_TC_EGRESS,
					  &created) : -errno;
		if (created)
			record_qdisc(d->state_dir, f->name);
		return err;
	}
	return attach_xdp(d->obj_path, c->pin_root, &d->plane.dp, f->name,
			  f->attach == ATTACH_XDP_GENERIC, d->xdp_tag);
}

static int attach_all(struct daemon *d, const struct ecmp_conf *c)
{
	struct bpf_object *tc_obj = NULL;
	int i, err = 0;

	for (i = 0; i < c->niface; i++) {
		int e = attach_one(d, c, &c->iface[i], &tc_obj);

		err = err ? err : e;
	}
	bpf_object__close(tc_obj);
	d->applied_once = 1;
	d->reattach = 0;
	return err;
}

static void detach_removed(struct daemon *d, const struct ecmp_conf *old,
			   const struct ecmp_conf *new)
{
	int i, j;

	for (i = 0; i < old->niface; i++) {
		const struct conf_iface *o = &old->iface[i];

		if (o->attach == ATTACH_NONE)
			continue;
		for (j = 0; j < new->niface; j++)
			if (!strcmp(o->name, new->iface[j].name) &&
			    new->iface[j].attach == o->attach)
				break;
		if (j < new->niface)
			continue;
		if (o->attach == ATTACH_TC_INGRESS || o->attach == ATTACH_TC_EGRESS)
			attach_tc_remove(o->name, o->attach == ATTACH_TC_EGRESS, 0);
		else
			attach_xdp_remove(o->name);
	}
}

/* ---- BFD ---- */

/* The sessions c asks for, with the nexthop ids the plane gave them. */
static int bfd_peers(struct daemon *d, const struct ecmp_conf *c,
		     struct bfd_peer **out)
{
	struct bfd_peer *v = calloc(c->nnexthop ? c->nnexthop : 1, sizeof(*v));
	int i, n = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < c->nnexthop; i++) {
		const struct conf_nexthop *nh = &c->nexthop[i];
		struct bfd_peer *b = &v[n];
		int id = nh_find(&d->plane, nh->name);

		if (!nh->bfd)
			continue;
		b->nh_id = id < 0 ? 0 : id;
		snprintf(b->name, sizeof(b->name), "%s", nh->name);
		b->family = nh->family;
		memcpy(b->addr, nh->via, 16);
		snprintf(b->dev, sizeof(b->dev), "%s", nh->dev);
		b->interval_ms = nh->bfd_interval_ms ? nh->bfd_interval_ms : c->bfd_interval_ms;
		b->multiplier = nh->bfd_multiplier ? nh->bfd_multiplier : c->bfd_multiplier;
		b->key = nh->bfd_key;
		b->admin_down = id >= 0 && d->plane.nh[id].drained;
		n++;
	}
	*out = v;
	return n;
}

/* Makes the BFD sessions follow c (after plane_apply gave ids out), or
 * with prepare_only, checks before the apply that they will be able to. */
static int bfd_apply(struct daemon *d, const struct ecmp_conf *c,
		     int prepare_only, char *err, size_t errlen)
{
	struct bfd_peer *peers;
	int n = bfd_peers(d, c, &peers), ret;

	if (n < 0) {
		snprintf(err, errlen, "bfd: out of memory");
		return n;
	}
	ret = prepare_only ? bfd_prepare(d->bfd, peers, n, err, errlen) :
			     bfd_sync(d->bfd, peers, n, err, errlen);
	memset(peers, 0, n * sizeof(*peers));	/* secrets */
	free(peers);
	return ret;
}

static void bfd_event(void *daemon, const char *nexthop, const char *state,
		      const char *diag)
{
	struct daemon *d = daemon;

	events_bfd(&d->events, nexthop, state, diag);
}

static void on_bfd(struct daemon *d)
{
	uint64_t v;

	if (read(bfd_notify_fd(d->bfd), &v, sizeof(v)) < 0)
		return;
	d->plane.now_ms = clock_mono_ms();
	bfd_each_change(d->bfd, bfd_event, d);
	nh_on_bfd(&d->plane);
}

/* ---- routes mirrored from the kernel (mirror.h) ---- */

static int dump_kernel(struct daemon *d);
static void dump_neighbours(struct daemon *d);
static void fpm_apply_conf(struct daemon *d, const struct ecmp_conf *c);

/* out = file, plus the kernel's routes when it asks for them (read again
 * when reread). 0 or -errno with err set; out is then empty. */
static int build_eff(struct daemon *d, const struct ecmp_conf *file, int reread,
		     struct ecmp_conf *out, char *err, size_t errlen)
{
	uint64_t t_read, t_merge;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!file->kernel_routes.enabled && !file->fpm.enabled) {
		ret = config_copy(out, file);
		if (ret)
			snprintf(err, errlen, "out of memory");
		return ret;
	}
	if (!d->mirror) {
		d->mirror = mirror_new();
		if (!d->mirror) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		reread = 1;
	}
	if (file->kernel_routes.enabled && !d->watching_routes) {
		ret = nl_watch_routes(&d->nl);
		if (ret) {
			snprintf(err, errlen, "routes kernel: cannot follow the kernel's routes: %s",
				 strerror(-ret));
			return ret;
		}
		d->watching_routes = 1;
		reread = 1;
	}
	t_read = clock_mono_us();
	if (reread) {
		d->mirror_dirty = 0;
		mirror_begin(d->mirror);
		if (file->kernel_routes.enabled) {
			struct nl_handlers fib = { .ctx = d->fib_seen, .route = on_fib_route };

			ret = mirror_read_kernel(d->mirror, &d->nl, &file->kernel_routes,
						 d->fib_seen ? &fib : NULL);
			if (!ret)
				fib_dump_done(d->fib_seen);
			if (ret) {
				snprintf(err, errlen, "routes kernel: cannot read table %u: %s",
					 file->kernel_routes.table, strerror(-ret));
				return ret;
			}
		}
		if (file->fpm.enabled && d->fpm)
			fpm_feed(d->fpm, d->mirror);
		ret = mirror_finish(d->mirror);
		if (ret) {
			snprintf(err, errlen, "mirrored routes: out of memory");
			return ret;
		}
	}
	d->mirror_in_step = 0;	/* until the plane holds this merge */
	t_merge = clock_mono_us();
	ret = mirror_merge(d->mirror, file, &d->plane, out);
	if (ret)
		snprintf(err, errlen, "routes kernel: out of memory");
	if (reread)
		pr_debug("mirrored routes: read in %llu us, merged with the config in %llu us",
			 (unsigned long long)(t_merge - t_read),
			 (unsigned long long)(clock_mono_us() - t_merge));
	else
		pr_debug("mirrored routes: not read (kept current by route events), merged with the config in %llu us",
			 (unsigned long long)(clock_mono_us() - t_merge));
	return ret;
}

static void log_mirror(struct daemon *d, int always)
{
	static struct mirror_stats last;
	const struct mirror_stats *st = mirror_stats(d->mirror);
	char skipped[512] = "";
	size_t off = 0;
	int i;

	if (!always && !memcmp(st, &last, offsetof(struct mirror_stats, reads)))
		return;
	last = *st;
	for (i = 1; i < MIRROR_SKIP_COUNT; i++)
		if (st->skipped[i])
			off += snprintf(skipped + off, sizeof(skipped) - off, ", %u %s",
					st->skipped[i], mirror_skip_name(i));
	if (d->conf.kernel_routes.enabled)
		pr_info("routes kernel: table %u: %u prefixes, %u mirrored; %u groups in all%s%s",
			d->conf.kernel_routes.table, st->routes - st->fpm_routes,
			st->mirrored - st->fpm_mirrored, st->groups,
			off ? "; the kernel's" : "", skipped);
	if (d->conf.fpm.enabled)
		pr_info("routes fpm: %u prefixes from zebra, %u in the data path",
			st->fpm_routes, st->fpm_mirrored);
}

/* Two messages that differ in their figures only ("20028 routes need
 * more than..." then "20513 routes..."): one cause. */
static int same_cause(const char *a, const char *b)
{
	for (;;) {
		while (*a >= '0' && *a <= '9')
			a++;
		while (*b >= '0' && *b <= '9')
			b++;
		if (*a != *b)
			return 0;
		if (!*a)
			return 1;
		a++;
		b++;
	}
}

/* A whole table applied (at start, a reload, a read of the kernel's
 * table or a replay of zebra's) frees about what it took: the table
 * read, the routes wanted, the trie builder's merges. glibc keeps what is
 * freed in the middle of its heap; given back, ecmpd holds 198 MB at a
 * full table, not 232 (the next whole apply takes it again for a while). */
static void give_back_memory(void)
{
	uint64_t t0 = clock_mono_us();
	int some = malloc_trim(0);

	pr_debug("memory freed by the apply %s in %llu us", some ? "given back" : "none to give back",
		 (unsigned long long)(clock_mono_us() - t0));
}

/* The kernel's table changed: read it again and apply the difference.
 * On failure the data path keeps the last mirrored state. */
static void mirror_sync(struct daemon *d)
{
	struct ecmp_conf next;
	char err[512];
	uint64_t moved = d->plane.buckets_moved, t0 = clock_mono_us(), t1, tm;
	uint64_t since = d->mirror_dirty_us ? d->mirror_dirty_us : t0;
	int i, fresh = 0, ret;

	if ((!d->conf.kernel_routes.enabled && !d->conf.fpm.enabled) || !d->applied)
		return;
	d->plane.now_ms = clock_mono_ms();
	d->mirror_read_ms = d->plane.now_ms;
	ret = build_eff(d, &d->conf, 1, &next, err, sizeof(err));
	tm = clock_mono_us();
	if (!ret)
		ret = plane_apply(&d->plane, &next, &d->eff, err, sizeof(err));
	pr_debug("routes kernel: read and merged in %llu us, applied in %llu us",
		 (unsigned long long)(tm - t0), (unsigned long long)(clock_mono_us() - tm));
	if (ret) {
		/* Said once per cause, not at every event of a churn. */
		if (!same_cause(err, d->mirror_err))
			pr_warn("Mirrored routes (kernel, fpm) not applied, %s: %s",
				d->plane.apply_partial ? "the data path holds part of them" :
				"the data path keeps the last ones", err);
		snprintf(d->mirror_err, sizeof(d->mirror_err), "%s", err);
		config_free(&next);
		return;
	}
	d->mirror_err[0] = 0;
	for (i = 0; i < next.nnexthop; i++)
		fresh += config_find_nexthop(&d->eff, next.nexthop[i].name) < 0;
	events_routes(&d->events, &d->eff, &next);
	config_free(&d->eff);
	d->eff = next;
	d->mirror_in_step = 1;
	if (d->conf.nbfd_dev && bfd_apply(d, &d->eff, 0, err, sizeof(err)))
		pr_warn("routes kernel: BFD sessions of the mirrored nexthops could not follow: %s", err);
	t1 = clock_mono_us();
	d->mirror_done_ms = t1 / 1000;
	d->mirror_sync_us = t1 - t0;
	d->mirror_lag_us = t1 - since;
	if (d->mirror_lag_us > d->mirror_lag_max_us)
		d->mirror_lag_max_us = d->mirror_lag_us;
	d->mirror_dirty_us = 0;
	if (d->plane.buckets_moved != moved)
		pr_info("routes kernel: %llu buckets moved",
			(unsigned long long)(d->plane.buckets_moved - moved));
	log_mirror(d, 0);
	if (fresh)
		dump_kernel(d);	/* the neighbours of new nexthops */
	nh_probe(&d->plane);
	give_back_memory();
}

/* ---- kernel events ---- */

/* An event the mirror must read; the first of a burst starts the lag. */
static void mirror_mark(struct daemon *d, int dirty)
{
	if (dirty && !d->mirror_dirty)
		d->mirror_dirty_us = clock_mono_us();
	d->mirror_dirty |= dirty;
}

/* The config routes into the kernel's FIB again (links_back()) when a
 * config nexthop goes through interface name. */
static void relink_if_nexthop_dev(struct daemon *d, const char *name)
{
	int i;

	for (i = 0; i < d->conf.nnexthop; i++)
		if (!strcmp(d->conf.nexthop[i].dev, name)) {
			d->fib_relink = 1;
			return;
		}
}

static void on_link(void *ctx, const struct nl_link *l)
{
	struct daemon *d = ctx;
	const struct link_state *was = plane_link(&d->plane, l->ifindex);
	/* The kernel flushes IPv4 routes with their link unannounced, when
	 * it goes down or away. Other link messages (an XDP program
	 * attached, a new MTU or address) change no route: a whole read for
	 * each would cost seconds with a full table (ecmpd's own attach at
	 * start read it twice). */
	int routes_may_change = !was || l->deleted || was->up != l->up;
	/* Read before nh_on_link(), which rewrites what was points to. */
	int came = !was && !l->deleted, came_up = was && !was->up && l->up;
	int i;

	nh_on_link(&d->plane, l);
	mirror_mark(d, d->conf.kernel_routes.enabled && routes_may_change);
	if (!d->applied_once || !l->name[0])
		return;	/* the start's own dump: attach_all() and sync_fib() follow */
	/* A device deleted and made again under its name (a driver reload, a
	 * tap or veth recreated) comes without our programs, and BFD's
	 * sockets are bound to the old one. */
	d->bfd_relink |= came;
	for (i = 0; came && i < d->conf.niface; i++)
		if (d->conf.iface[i].attach != ATTACH_NONE && !strcmp(d->conf.iface[i].name, l->name))
			d->reattach |= 1ULL << i;
	/* The kernel drops an IPv4 route with any of its nexthops' devices,
	 * with its last live path when one goes down, and an IPv6 route's
	 * path with its device: the config routes are put back (with the
	 * paths that can be) when one comes, comes up or goes. A device
	 * going down asks nothing: a route through it could not be added. */
	if (came || came_up || l->deleted)
		relink_if_nexthop_dev(d, l->name);
}

/* Nexthops a patch brought into eff (from index nn on), in the data path
 * already: their BFD sessions and neighbours, as after a read (the links
 * are known: no link dump, which costs milliseconds). */
static void patch_nexthops(struct daemon *d, int nn)
{
	char err[256];

	if (d->eff.nnexthop == nn)
		return;
	if (d->conf.nbfd_dev && bfd_apply(d, &d->eff, 0, err, sizeof(err)))
		pr_warn("routes kernel: BFD sessions of the mirrored nexthops could not follow: %s", err);
	dump_neighbours(d);
	nh_probe(&d->plane);
}

/* A patch's new group (a nexthop set the table did not have) into eff and
 * the data path, with the nexthops it brings: as a read would make them,
 * without reading the table. 0, or -EAGAIN and friends: read it. */
static int patch_group(struct daemon *d, struct mirror_patch *mp)
{
	int nn = d->eff.nnexthop, ng = d->eff.ngroup, ret;
	char err[256];

	ret = mirror_patch_group(d->mirror, &d->eff, &d->plane, mp);
	if (ret)
		return ret;
	ret = plane_add(&d->plane, &d->eff, nn, ng, err, sizeof(err));
	if (ret) {	/* no room: a read may free some (groups left unused) */
		pr_debug("routes kernel: a new group by itself: %s; reading the table", err);
		d->eff.nnexthop = nn;
		d->eff.ngroup = ng;
		return -EAGAIN;
	}
	patch_nexthops(d, nn);
	return 0;
}

/* Groups that patches left without routes go, as a read would drop them
 * (a nexthop coming back later then takes idle buckets of the table in
 * use, not its old ones): at the tick, not at each event, as the data
 * path's readers are waited for before their buckets are free. */
static void drop_unused_groups(struct daemon *d)
{
	char err[256];
	int ret;

	if (!d->mirror || !d->applied || !d->mirror_in_step)
		return;
	ret = mirror_drop_unused(d->mirror, &d->eff);
	if (ret)
		plane_drop(&d->plane, &d->eff);
	if ((ret & MIRROR_DROPPED_NEXTHOPS) && d->conf.nbfd_dev &&
	    bfd_apply(d, &d->eff, 0, err, sizeof(err)))
		pr_warn("routes kernel: BFD sessions of the mirrored nexthops could not follow: %s", err);
}

/* A planned patch into the data path, then the mirror: 0, or -EAGAIN and
 * friends when the table must be read. t0: when its event came. */
static int patch_apply(struct daemon *d, struct mirror_patch *mp, uint64_t t0)
{
	struct lpm_route lr = { .family = mp->route.family, .prefixlen = mp->route.prefixlen };
	int ret, gid = -1;

	if (mp->noop)	/* the data path as it is; the mirror notes the protocol */
		return mirror_patch_commit(d->mirror, &d->eff, mp);
	if (mp->new_group) {
		ret = patch_group(d, mp);
		if (ret)
			return ret;
	}
	if (mp->route.group >= 0) {
		gid = grp_find(&d->plane, d->eff.group[mp->route.group].name);
		if (gid < 0)
			return -EAGAIN;
	}
	memcpy(lr.addr, mp->route.addr, 16);
	lr.leaf = gid < 0 ? ECMP_LPM_CONNECTED : ECMP_LPM_LEAF(gid);
	ret = route_patch(&d->plane, &lr, mp->removed);
	if (ret)
		return ret;
	if (mp->removed)
		events_route(&d->events, "removed", &d->eff, &mp->route);
	ret = mirror_patch_commit(d->mirror, &d->eff, mp);
	if (ret) {
		d->mirror_in_step = 0;	/* the next read puts it right */
		mirror_mark(d, 1);
		return 0;
	}
	if (!mp->removed)
		events_route(&d->events, mp->added ? "added" : "changed", &d->eff, &mp->route);

	d->patch_us = clock_mono_us() - t0;
	if (d->patch_us > d->patch_max_us)
		d->patch_max_us = d->patch_us;
	return 0;
}

/* Whether route events can be applied alone now: the data path holds
 * the last merge. */
static int patches_ok(const struct daemon *d)
{
	return d->applied && d->mirror_in_step && !d->mirror_dirty && !d->mirror_err[0];
}

/* A route event applied alone, when the mirror can (mirror.h): 0, or
 * -EAGAIN and friends when the table must be read. */
static int mirror_patch(struct daemon *d, const struct nl_route *r, enum mirror_source src)
{
	struct mirror_patch mp;
	uint64_t t0 = clock_mono_us();
	int ret;

	if (!patches_ok(d))
		return -EAGAIN;
	ret = src == MIRROR_SRC_FPM ? mirror_patch_plan_fpm(d->mirror, r, &mp) :
	      mirror_patch_plan(d->mirror, &d->conf.kernel_routes, r, &mp);
	return ret ? ret : patch_apply(d, &mp, t0);
}

/* The routes a kernel nexthop object being removed took along with it,
 * unannounced (mirror_object_orphans()): removed alone, each as if the
 * kernel had said so, before the object's own event. 0, or -EAGAIN and
 * friends: read the table (the routes removed so far are gone in the
 * kernel too, so the read finds them gone). */
static int remove_orphans(struct daemon *d, const struct nl_nexthop *n)
{
	struct lpm_route *gone;
	struct mirror_patch mp;
	uint64_t t0 = clock_mono_us();
	int cnt, i, ret = 0;

	cnt = mirror_object_orphans(d->mirror, n, &gone);
	if (cnt <= 0)
		return cnt;
	if (!patches_ok(d)) {
		free(gone);
		return -EAGAIN;
	}
	for (i = 0; !ret && i < cnt; i++) {
		ret = mirror_patch_plan_gone(d->mirror, &gone[i], &mp);
		if (!ret)
			ret = patch_apply(d, &mp, t0);
	}
	free(gone);
	if (!ret)
		pr_info("routes kernel: nexthop object %u removed: the %d routes naming it (or a group it emptied) went with it",
			n->id, cnt);
	return ret;
}

/* A nexthop object event, the kernel's or zebra's (mirror.h), taken alone
 * when it can be: a new object; one replaced in place (the groups of the
 * routes through it change in place, no route touched); one removed (the
 * kernel's routes naming it go first, as patches; the groups holding it
 * shrink in place). 0, or -EAGAIN and friends: read the table. */
static int mirror_object(struct daemon *d, enum mirror_source src, const struct nl_nexthop *n,
			 int unused)
{
	struct mirror_regroup rg;
	uint64_t t0 = clock_mono_us();
	char err[256];
	int ret;

	if (!d->mirror || !d->mirror_in_step || d->mirror_dirty)
		return -EAGAIN;
	if (src == MIRROR_SRC_KERNEL && n->deleted) {
		ret = remove_orphans(d, n);
		if (ret)
			return ret;
	}
	/* Without the data path in step, only what needs no group change. */
	ret = mirror_object_event(d->mirror, src, n, unused,
				  d->applied && !d->mirror_err[0] ? &d->eff : NULL, &rg);
	if (ret != MIRROR_REGROUP)
		return ret;
	ret = plane_regroup(&d->plane, &d->eff, rg.nh_from, rg.group, rg.n, err, sizeof(err));
	mirror_regroup_done(d->mirror, &d->eff, &rg, !ret);
	if (ret) {
		pr_debug("routes %s: nexthop object %u replaced: %s; reading the table",
			 src == MIRROR_SRC_FPM ? "fpm" : "kernel", n->id, err);
		return -EAGAIN;
	}
	pr_info("routes %s: nexthop object %u replaced: %d groups changed in place, their routes kept",
		src == MIRROR_SRC_FPM ? "fpm" : "kernel", n->id, rg.n);
	patch_nexthops(d, rg.nh_from);
	d->patch_us = clock_mono_us() - t0;
	if (d->patch_us > d->patch_max_us)
		d->patch_max_us = d->patch_us;
	return 0;
}

static void on_route(void *ctx, const struct nl_route *r)
{
	struct daemon *d = ctx;

	/* A route gone at a config route's prefix: another protocol's that
	 * had taken the prefix (fib.h), or ecmpd's own deleted by hand. The
	 * config route goes back into the kernel's FIB, as when a link comes
	 * back (links_back()), or frames passed to the kernel would find
	 * no route. */
	if (r->deleted && r->table == RT_TABLE_MAIN && !r->cloned &&
	    mirror_config_prefix(d->mirror, r))
		d->fib_relink = 1;
	if (!mirror_wants(&d->conf.kernel_routes, r))
		return;
	if (mirror_patch(d, r, MIRROR_SRC_KERNEL))
		mirror_mark(d, 1);
}

/* A nexthop object changed: with nexthop_compat_mode 0 the kernel says so
 * in this message alone, not in the routes over it. */
static void on_nexthop(void *ctx, const struct nl_nexthop *n)
{
	struct daemon *d = ctx;

	/* A new object (a routing daemon's next nexthop group) changes no
	 * route yet: the routes that name it next can be patches. One
	 * replaced changes its routes' groups in place. */
	if (d->conf.kernel_routes.enabled && mirror_object(d, MIRROR_SRC_KERNEL, n, 0))
		mirror_mark(d, 1);
}

static void on_neigh(void *ctx, const struct nl_neigh *n)
{
	nh_on_neigh(&((struct daemon *)ctx)->plane, n);
}

static void on_addr(void *ctx, const struct nl_addr *a)
{
	struct daemon *d = ctx;

	/* Before the first apply only remember it: the groups its local
	 * route needs do not exist yet. */
	int news = route_on_addr(&d->plane, a, d->applied ? &d->eff : NULL);
	char name[IF_NAMESIZE];

	/* An IPv4 address gone takes the routes through it along, unannounced
	 * (its prefsrc routes, and all of its link's when it was the last). */
	if (a->deleted && a->family == ECMP_AF_INET)
		mirror_mark(d, d->conf.kernel_routes.enabled);
	/* A new address on a nexthop's device: its gateway may be reachable
	 * only now, and the config routes through it could not be added
	 * before. */
	if (news && !a->deleted && d->applied_once && if_indextoname(a->ifindex, name))
		relink_if_nexthop_dev(d, name);
}

static int dump_kernel(struct daemon *d)
{
	struct nl_handlers h = { on_link, on_neigh, on_addr, d, on_route, on_nexthop };
	int err;

	int dirty = d->mirror_dirty;

	d->plane.now_ms = clock_mono_ms();
	err = nl_dump_all(&d->nl, &h);
	d->mirror_dirty = dirty;	/* a dump's links are no news */
	if (err)
		pr_warn("Failed to read interfaces and neighbours from the kernel: %s",
			strerror(-err));
	return err;
}

static void dump_neighbours(struct daemon *d)
{
	struct nl_handlers h = { .neigh = on_neigh, .ctx = d };
	int err;

	d->plane.now_ms = clock_mono_ms();
	err = nl_dump_neighbours(&d->nl, &h);
	if (err)
		pr_warn("Failed to read neighbours from the kernel: %s", strerror(-err));
}

/* ---- control requests ---- */

/* systemd (Type=notify): "ready", with what runs, after a start or a
 * reload. Without NOTIFY_SOCKET sd_notify does nothing. */
static void notify_ready(struct daemon *d)
{
	sd_notifyf(0, "READY=1\nSTATUS=%d nexthops, %d groups, %d routes",
		   d->eff.nnexthop, d->eff.ngroup, d->eff.nroute);
}

/* `control group`: who besides root may read through the socket. */
static void set_readers(struct daemon *d, const struct ecmp_conf *old,
			const struct ecmp_conf *c)
{
	const char *g = c->control.group;
	int err;

	if (old && !strcmp(old->control.group, g))
		return;
	if (!old && !*g)
		return;		/* ctl_listen() made it root's */
	err = ctl_set_readers(&d->ctl, d->socket_path, *g ? (int)c->control.gid : -1);
	if (err)
		pr_warn("control group %s: cannot set %s's owner and mode: %s; the socket stays as it was",
			*g ? g : "(none)", d->socket_path, strerror(-err));
	else if (*g)
		pr_info("control socket %s: group %s may read (show, stats, lookup, monitor)",
			d->socket_path, g);
}

/* Whether a reload to next can merge the mirrored routes as they stand,
 * without reading them again (over a second for a full table): route
 * events kept them current, the data path holds their last merge, no
 * event waits for a read, and next mirrors the same table, protocols and
 * stream. The config's own part (routes, nexthops, BFD) is merged anew. */
static int mirror_stands(const struct daemon *d, const struct ecmp_conf *next)
{
	const struct conf_kernel_routes *was = &d->conf.kernel_routes, *now = &next->kernel_routes;

	return d->mirror && patches_ok(d) && was->enabled == now->enabled &&
	       was->table == now->table && !memcmp(was->proto, now->proto, sizeof(was->proto)) &&
	       d->conf.fpm.enabled == next->fpm.enabled;
}

/* Reload: the new file is checked completely before anything changes. */
static void do_reload(struct daemon *d, int cfd)
{
	struct ecmp_conf next, eff = { 0 };
	char err[512], msg[256];
	uint64_t moved = d->plane.buckets_moved;
	int ret, i;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)clock_mono_ms() * 1000);
	ret = load_conf(d, &next);
	if (!ret && strcmp(next.pin_root, d->conf.pin_root)) {
		snprintf(err, sizeof(err), "%s: pin-root cannot change while ecmpd runs (%s -> %s); restart ecmpd",
			 d->conf_path, d->conf.pin_root, next.pin_root);
		ret = -EINVAL;
	} else if (!ret && memcmp(&next.limits, &d->conf.limits,
				  offsetof(struct conf_limits, line))) {
		snprintf(err, sizeof(err), "%s: limits cannot change while ecmpd runs (the maps are made at their size); put them back, or run 'ecmpctl shutdown --detach' and start ecmpd with the new limits (forwarding stops meanwhile)",
			 d->conf_path);
		ret = -EINVAL;
	} else if (ret) {
		size_t off = 0;

		err[0] = 0;
		for (i = 0; i < next.nerror && off < sizeof(err) - 1; i++)
			off += snprintf(err + off, sizeof(err) - off, "%s%s",
					i ? "\n" : "", next.error[i]);
	} else {
		int reread = !mirror_stands(d, &next);

		d->plane.now_ms = clock_mono_ms();
		/* BFD follows the effective config: mirrored nexthops on a
		 * `bfd dev` interface have sessions too. */
		if (reread)
			fib_gather(d, &next);
		ret = build_eff(d, &next, reread, &eff, err, sizeof(err));
		if (!ret && !reread)
			fib_gather_mirror(d, &next);
		if (!ret)
			ret = bfd_apply(d, &eff, 1, err, sizeof(err));
		if (!ret)
			ret = plane_apply(&d->plane, &eff, &d->eff, err, sizeof(err));
	}
	if (ret) {
		pr_warn("Reload rejected, %s: %s",
			d->plane.apply_partial ? "partly applied" : "nothing changed", err);
		events_reload(&d->events, d->conf_path, 0, 0, err);
		if (cfd >= 0)
			ctl_reply_error(cfd, err);
		config_free(&next);
		config_free(&eff);
		fib_dump_free(d->fib_seen);
		d->fib_seen = NULL;
		notify_ready(d);	/* the old config still runs */
		return;
	}
	events_routes(&d->events, &d->eff, &eff);
	config_free(&d->eff);
	d->eff = eff;
	d->mirror_in_step = 1;
	/* Neither source any more: the mirror goes, and with it what points
	 * into the merged config just replaced (the groups patches left
	 * empty, dropped at the tick). Either source on again reads anew. */
	if (!next.kernel_routes.enabled && !next.fpm.enabled) {
		mirror_free(d->mirror);
		d->mirror = NULL;
	}
	if (bfd_apply(d, &d->eff, 0, err, sizeof(err)))
		pr_warn("Reload applied, but BFD sessions could not follow: %s", err);
	detach_removed(d, &d->conf, &next);
	set_readers(d, &d->conf, &next);
	fpm_apply_conf(d, &next);
	if (!metrics_same(d->metrics, &next.metrics)) {
		metrics_stop(d->metrics);
		metrics_start(&d->metrics, &next.metrics, &d->plane.dp, d->socket_path);
	}
	config_free(&d->conf);
	d->conf = next;
	attach_all(d, &d->conf);
	sync_fib(d);
	dump_kernel(d);		/* neighbours of new nexthops */
	nh_probe(&d->plane);
	snprintf(msg, sizeof(msg), "reloaded %s: %llu buckets moved", d->conf_path,
		 (unsigned long long)(d->plane.buckets_moved - moved));
	pr_info("%s", msg);
	events_reload(&d->events, d->conf_path, 1, d->plane.buckets_moved - moved, NULL);
	bypass_warn(&d->conf);
	if (d->conf.kernel_routes.enabled || d->conf.fpm.enabled)
		log_mirror(d, 1);
	notify_ready(d);
	if (cfd >= 0)
		ctl_reply_ok(cfd, msg);
	give_back_memory();	/* after the reply: no one waits for it */
}

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

static void handle_request(struct daemon *d, int cfd, char *line, int root)
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

/* ---- the loop ---- */

static int add_fd(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* ---- routes from zebra's FPM stream (fpm.h) ---- */

/* A new connection joins the loop (a closed one left it with its close;
 * the new one may have the old one's number). */
static void fpm_loop_sync(struct daemon *d)
{
	int fd = d->fpm ? fpm_conn_fd(d->fpm) : -1;
	uint64_t n = d->fpm ? fpm_stats(d->fpm)->connections : 0;

	if (fd >= 0 && d->ep_fd >= 0 && (fd != d->fpm_epoll_fd || n != d->fpm_conns_seen))
		add_fd(d->ep_fd, fd);
	d->fpm_epoll_fd = fd;
	d->fpm_conns_seen = n;
}

/* zebra's changes between replays, one by one (fpm.h): 0 when taken. */
static int fpm_patch_route(void *ctx, const struct nl_route *r)
{
	return mirror_patch(ctx, r, MIRROR_SRC_FPM);
}

static int fpm_patch_nexthop(void *ctx, const struct nl_nexthop *n, int unused)
{
	return mirror_object(ctx, MIRROR_SRC_FPM, n, unused);
}

/* `routes fpm` of c: the listener opened, moved or closed. A port that
 * cannot be had is said; forwarding goes on without zebra's routes. */
static void fpm_apply_conf(struct daemon *d, const struct ecmp_conf *c)
{
	char err[256];
	int ret;

	if (!c->fpm.enabled && !d->fpm)
		return;
	if (!d->fpm) {
		struct fpm_patcher patcher = { fpm_patch_route, fpm_patch_nexthop, d };

		d->fpm = fpm_new();
		if (!d->fpm) {
			pr_warn("routes fpm: out of memory; zebra's routes are not taken");
			return;
		}
		fpm_set_patcher(d->fpm, &patcher);
	}
	ret = fpm_configure(d->fpm, &c->fpm, clock_mono_ms(), err, sizeof(err));
	if (ret < 0)
		pr_warn("%s; zebra's routes do not arrive until a reload can listen", err);
	else if (ret > 0 && d->ep_fd >= 0)
		add_fd(d->ep_fd, fpm_listen_fd(d->fpm));
	fpm_loop_sync(d);
}

/* Whether to merge now what marked the mirror dirty: not while zebra's
 * first table is still streaming in, unless the last merge ended
 * FPM_FIRST_MERGE_GAP_MS ago (so a long stream still shows progress). */
#define FPM_FIRST_MERGE_GAP_MS	5000

static int mirror_due(struct daemon *d)
{
	uint64_t now = d->plane.now_ms;

	if (!d->mirror_dirty)
		return 0;
	return !d->fpm || !fpm_first_streaming(d->fpm, now) ||
	       now - d->mirror_done_ms >= FPM_FIRST_MERGE_GAP_MS;
}

static void on_fpm(struct daemon *d, int fd)
{
	d->plane.now_ms = clock_mono_ms();
	if (fd == fpm_listen_fd(d->fpm))
		fpm_accept(d->fpm, d->plane.now_ms);
	else
		mirror_mark(d, fpm_read(d->fpm, d->plane.now_ms));
	fpm_loop_sync(d);
	/* The same pace as the kernel's events (on_netlink). */
	if (mirror_due(d) && d->plane.now_ms - d->mirror_read_ms >= MIRROR_GAP_MS)
		mirror_sync(d);
}

/* The signals the loop reads from its signalfd, blocked in every thread:
 * called before the BFD thread starts, which inherits the mask (a thread
 * started earlier would take SIGTERM's default action and end the
 * process with no goodbye to BFD peers or to systemd). */
static void block_signals(struct daemon *d)
{
	sigemptyset(&d->signals);
	sigaddset(&d->signals, SIGHUP);
	sigaddset(&d->signals, SIGTERM);
	sigaddset(&d->signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &d->signals, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int setup_loop(struct daemon *d)
{
	struct itimerspec its = { .it_interval = { 0, TICK_MS * 1000000 },
				  .it_value = { 0, TICK_MS * 1000000 } };
	int err;

	d->sig_fd = signalfd(-1, &d->signals, SFD_CLOEXEC | SFD_NONBLOCK);
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	d->events.ep_fd = d->ep_fd;
	if (d->sig_fd < 0 || d->timer_fd < 0 || d->ep_fd < 0 ||
	    timerfd_settime(d->timer_fd, 0, &its, NULL))
		return -errno;
	err = ctl_listen(&d->ctl, d->socket_path);
	if (err < 0) {
		pr_warn("Failed to listen on %s: %s%s", d->socket_path, strerror(-err),
			err == -EADDRINUSE ? " (another ecmpd runs; stop it first)" : "");
		return err;
	}
	if ((err = add_fd(d->ep_fd, d->sig_fd)) || (err = add_fd(d->ep_fd, d->timer_fd)) ||
	    (err = add_fd(d->ep_fd, d->ctl.lfd)) ||
	    (err = add_fd(d->ep_fd, nl_event_fd(&d->nl))) ||
	    (err = add_fd(d->ep_fd, bfd_notify_fd(d->bfd))))
		return err;
	/* Opened before the loop existed (start-up). */
	if (d->fpm && fpm_listen_fd(d->fpm) >= 0 &&
	    (err = add_fd(d->ep_fd, fpm_listen_fd(d->fpm))))
		return err;
	return 0;
}

/* Pins removed under a running ecmpd (rm -rf of the pin root): the data
 * path keeps running on the maps ecmpd holds; pin them again so ecmpctl,
 * restarts and xdp-loader find them. Checked once a second. */
static void check_pins(struct daemon *d)
{
	int n;

	if (d->plane.now_ms - d->pins_checked_ms < 1000)
		return;
	d->pins_checked_ms = d->plane.now_ms;
	n = pin_restore_maps(d->conf.pin_root, d->plane.dp.fd, dp_map_names, DP_MAP_COUNT);
	if (n > 0)
		pr_warn("%d map pins under %s were removed while ecmpd ran; pinned them again",
			n, d->conf.pin_root);
	else if (n < 0)
		pr_warn("Map pins under %s are gone and cannot be restored: %s; forwarding continues, restart ecmpd to recreate them",
			d->conf.pin_root, strerror(-n));
}

/* What on_link() left for the tick: our programs on an interface that
 * came back, BFD's sessions on it, and the kernel's copy of the config
 * routes. The FIB's part after the mirror's read of the same event, whose
 * table it then takes (mirror_stands), else it reads the main table
 * itself: for a link flapping, at most once a second, and no more than
 * a tenth of the time (a full table's read takes a second or more). */
static void links_back(struct daemon *d)
{
	struct bpf_object *tc_obj = NULL;
	int i;

	for (i = 0; d->reattach && i < d->conf.niface; i++) {
		const struct conf_iface *f = &d->conf.iface[i];

		if (!(d->reattach & 1ULL << i))
			continue;
		d->reattach &= ~(1ULL << i);
		if (if_nametoindex(f->name) && attach_one(d, &d->conf, f, &tc_obj))
			pr_warn("interface %s came back, and our program could not be attached to it again; 'ecmpctl reload' tries again",
				f->name);
	}
	bpf_object__close(tc_obj);
	if (d->bfd_relink && d->bfd)
		bfd_relink(d->bfd);
	d->bfd_relink = 0;
	if (!d->fib_relink || d->mirror_dirty ||
	    d->plane.now_ms - d->fib_relinked_ms < 1000 ||
	    d->plane.now_ms - d->fib_relinked_ms < 10 * d->fib_relink_cost_ms)
		return;
	if (mirror_stands(d, &d->conf))
		fib_gather_mirror(d, &d->conf);
	sync_fib(d);
	d->fib_relinked_ms = clock_mono_ms();
	d->fib_relink_cost_ms = d->fib_relinked_ms - d->plane.now_ms;
}

static void on_tick(struct daemon *d)
{
	uint64_t expirations;

	if (read(d->timer_fd, &expirations, sizeof(expirations)) < 0)
		return;
	d->plane.now_ms = clock_mono_ms();
	if (d->fpm) {
		mirror_mark(d, fpm_tick(d->fpm, d->plane.now_ms));
		fpm_loop_sync(d);	/* a waiting connection took over */
	}
	if (mirror_due(d))
		mirror_sync(d);
	drop_unused_groups(d);
	links_back(d);
	check_pins(d);
	plane_tick_epoch(&d->plane);
	nh_probe(&d->plane);
	nh_bfd_grace_tick(&d->plane);
	grp_tick(&d->plane);
	ctl_expire(&d->ctl, d->plane.now_ms);
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			pr_info("SIGHUP: reloading %s", d->conf_path);
			do_reload(d, -1);
		} else {
			pr_info("Signal %d: stopping; forwarding continues", si.ssi_signo);
			d->stop = 1;
		}
	}
}

static void on_netlink(struct daemon *d)
{
	struct nl_handlers h = { on_link, on_neigh, on_addr, d, on_route, on_nexthop };
	int err;

	d->plane.now_ms = clock_mono_ms();
	err = nl_read_events(&d->nl, &h);
	if (err == -ENOBUFS) {
		pr_info("Netlink events were lost; reading the kernel state again");
		/* While events queued before the loss are unread, the kernel
		 * drops more without saying so again (it reports a loss once
		 * per congestion, cleared when the queue is read empty): read
		 * it empty, no patches meanwhile, then read the state. */
		mirror_mark(d, d->conf.kernel_routes.enabled);
		while ((err = nl_read_events(&d->nl, &h)) == -ENOBUFS)
			;
		dump_kernel(d);
		d->mirror_dirty |= d->conf.kernel_routes.enabled;
	} else if (err) {
		pr_warn("Failed to read netlink events: %s", strerror(-err));
	}
	/* Under churn the table is read at most every MIRROR_GAP_MS; the
	 * events between are taken by the next read (from the tick). */
	if (mirror_due(d) && d->plane.now_ms - d->mirror_read_ms >= MIRROR_GAP_MS)
		mirror_sync(d);
}

static int run_loop(struct daemon *d)
{
	while (!d->stop) {
		struct epoll_event ev[8];
		int n = epoll_wait(d->ep_fd, ev, 8, -1), i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n && !d->stop; i++) {
			int fd = ev[i].data.fd;

			if (fd == d->timer_fd) {
				on_tick(d);
			} else if (fd == d->sig_fd) {
				on_signal(d);
			} else if (fd == bfd_notify_fd(d->bfd)) {
				on_bfd(d);
			} else if (fd == nl_event_fd(&d->nl)) {
				on_netlink(d);
			} else if (d->fpm && (fd == fpm_listen_fd(d->fpm) ||
					      fd == fpm_conn_fd(d->fpm))) {
				on_fpm(d, fd);
			} else if (fd == d->ctl.lfd) {
				int cfd;

				while ((cfd = ctl_accept(&d->ctl, clock_mono_ms())) >= 0)
					add_fd(d->ep_fd, cfd);
			} else if (events_is_subscriber(&d->events, fd)) {
				events_on_ready(&d->events, fd, ev[i].events);
			} else if (ctl_is_client(&d->ctl, fd)) {
				char req[CTL_MAX_REQUEST];
				int root;

				if (ctl_read(&d->ctl, fd, req, sizeof(req), &root) == 1)
					handle_request(d, fd, req, root);
			}
		}
	}
	return 0;
}

/* What --detach removes: the programs of the instance pinned under
 * pin_root (told by its maps, so another instance in the namespace keeps
 * its own), the qdiscs it created, its pins. Nothing at all when no
 * instance is pinned there. */
static int detach_everything(const char *pin_root, const char *state_dir)
{
	char *qdiscs, path[PATH_MAX];
	uint32_t map_id;
	int hooks, maps;

	if (pin_map_id(pin_root, DP_CONFIG, &map_id)) {
		pr_warn("No xdp-ecmp maps under %s: nothing detached or removed. Pass the pin root ecmpd runs with (pin-root in its config, default %s).",
			pin_root, ECMP_PIN_ROOT_DEFAULT);
		return -ENOENT;
	}
	qdiscs = read_qdiscs(state_dir);
	hooks = attach_remove_all(qdiscs, map_id);
	maps = pin_remove(pin_root);
	snprintf(path, sizeof(path), "%s/fib-routes", state_dir);
	if (fib_remove(path) > 0)
		pr_info("Removed the routes it had put in the kernel's FIB");
	free(qdiscs);
	qdisc_file(state_dir, path, sizeof(path));
	unlink(path);
	if (hooks >= 0 && maps >= 0)
		pr_info("Detached the programs of %s from %d hooks and removed its %d pinned maps",
			pin_root, hooks, maps);
	return hooks < 0 ? hooks : maps < 0 ? maps : 0;
}

/* The map sizes `limits` asks for. */
static void limit_sizes(const struct conf_limits *l, struct dp_sizes *s)
{
	s->nexthops = l->nexthops;
	s->groups = l->groups;
	s->bucket_slots = l->buckets + 1;	/* and slot 0, the guard */
	s->routes = l->routes;
	s->lpm_chunks = l->chunks;
}

static int start(struct daemon *d)
{
	char err[512];
	int ret;

	ret = pin_prepare(d->conf.pin_root);
	if (!ret) {
		struct dp_sizes sizes;

		limit_sizes(&d->conf.limits, &sizes);
		ret = pin_create_maps(d->obj_path, d->conf.pin_root, &sizes, d->xdp_tag);
	}
	if (!ret) {
		ret = plane_open(&d->plane, d->conf.pin_root);
		if (ret)
			pr_warn("Failed to open the maps pinned under %s: %s",
				d->conf.pin_root, strerror(-ret));
		else if (d->neigh_reconfirm_ms)
			d->plane.neigh_reconfirm_ms = d->neigh_reconfirm_ms;
		d->plane.fail_route_update = d->fail_route_update;
		d->plane.events = &d->events;
	}
	if (ret)
		return ret;
	ret = nl_open(&d->nl);
	if (ret) {
		pr_warn("Failed to open rtnetlink: %s", strerror(-ret));
		return ret;
	}
	d->plane.nl = &d->nl;
	if (d->nl_rcvbuf && nl_set_rcvbuf(&d->nl, d->nl_rcvbuf))
		pr_warn("--netlink-rcvbuf %u: not set", d->nl_rcvbuf);
	d->plane.xdpf = &d->xdpf;
	dump_kernel(d);
	/* zebra's routes in the pins stay until its replay (or the hold). */
	fpm_apply_conf(d, &d->conf);
	if (d->fpm && d->conf.fpm.enabled &&
	    fpm_adopt(d->fpm, &d->plane, clock_mono_ms()))
		pr_warn("routes fpm: out of memory adopting the routes zebra streamed before the restart");
	fib_gather(d, &d->conf);
	ret = build_eff(d, &d->conf, 1, &d->eff, err, sizeof(err));
	if (!ret)
		ret = plane_apply(&d->plane, &d->eff, NULL, err, sizeof(err));
	d->mirror_in_step = !ret;
	if (ret && (d->conf.kernel_routes.enabled || d->conf.fpm.enabled)) {
		/* The config's own routes still go in; the kernel forwards
		 * the rest, and every change of its table tries again. */
		pr_warn("Mirrored routes (kernel, fpm) not applied, the kernel forwards them: %s", err);
		snprintf(d->mirror_err, sizeof(d->mirror_err), "%s", err);
		config_free(&d->eff);
		ret = config_copy(&d->eff, &d->conf);
		if (!ret)
			ret = plane_apply(&d->plane, &d->eff, NULL, err, sizeof(err));
	}
	if (ret) {
		pr_warn("Failed to apply %s: %s", d->conf_path, err);
		return ret;
	}
	d->applied = 1;
	sync_fib(d);
	ret = bfd_start(&d->bfd, d->plane.nh_bfd, d->plane.bfd_changed,
			d->plane.dp.nexthops, d->plane.dp.max_entries[DP_NEXTHOPS]);
	if (!ret)
		ret = bfd_apply(d, &d->eff, 0, err, sizeof(err));
	if (ret) {
		pr_warn("Failed to start BFD: %s", d->bfd ? err : strerror(-ret));
		return ret;
	}
	dump_kernel(d);
	d->plane.now_ms = clock_mono_ms();
	plane_tick_epoch(&d->plane);
	nh_probe(&d->plane);
	ret = attach_all(d, &d->conf);
	if (ret)
		return ret;
	ret = setup_loop(d);
	if (ret)
		return ret;
	set_readers(d, NULL, &d->conf);
	/* Forwarding does not wait for an endpoint that cannot open. */
	metrics_start(&d->metrics, &d->conf.metrics, &d->plane.dp, d->socket_path);
	pr_info("ecmpd running: %d nexthops, %d groups, %d routes; control socket %s",
		d->eff.nnexthop, d->eff.ngroup, d->eff.nroute, d->socket_path);
	if (d->conf.kernel_routes.enabled || d->conf.fpm.enabled)
		log_mirror(d, 1);
	bypass_warn(&d->conf);
	notify_ready(d);
	give_back_memory();
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "offline", no_argument, NULL, 'O' },
		{ "detach", no_argument, NULL, 'D' },
		{ "pin-root", required_argument, NULL, 'P' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "socket", required_argument, NULL, 's' },
		{ "bpf-obj", required_argument, NULL, 'o' },
		{ "syslog", no_argument, NULL, 'L' },
		{ "neigh-reconfirm", required_argument, NULL, 'N' },
		{ "netlink-rcvbuf", required_argument, NULL, 'B' },
		{ "monitor-queue", required_argument, NULL, 'M' },
		{ "fail-route-update", required_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct daemon d = { .state_dir = "/var/lib/ecmp",
			    .socket_path = CTL_SOCKET_DEFAULT, .ctl.lfd = -1,
			    .sig_fd = -1, .timer_fd = -1, .ep_fd = -1, .fpm_epoll_fd = -1 };
	const char *pin_root = NULL, *obj = NULL;
	char *end;
	int check = 0, offline = 0, detach = 0, use_syslog = 0, verbose = 0, c, ret;

	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': d.conf_path = optarg; break;
		case 'C': check = 1; break;
		case 'O': offline = 1; break;
		case 'D': detach = 1; break;
		case 'P': pin_root = optarg; break;
		case 'S': d.state_dir = optarg; break;
		case 's': d.socket_path = optarg; break;
		case 'o': obj = optarg; break;
		case 'L': use_syslog = 1; break;
		case 'B':
			d.nl_rcvbuf = strtoul(optarg, &end, 10);
			if (*end || !*optarg || d.nl_rcvbuf < 1024 || d.nl_rcvbuf > (1 << 30)) {
				fprintf(stderr, "ecmpd: --netlink-rcvbuf %s: give bytes from 1024 to 1073741824\n",
					optarg);
				return 2;
			}
			break;
		case 'M':
			d.monitor_queue = strtoul(optarg, &end, 10);
			if (*end || !*optarg || d.monitor_queue < 4096 || d.monitor_queue > (1 << 30)) {
				fprintf(stderr, "ecmpd: --monitor-queue %s: give bytes from 4096 to 1073741824\n",
					optarg);
				return 2;
			}
			break;
		case 'F':
			d.fail_route_update = strtoul(optarg, &end, 10);
			if (*end || !*optarg || !d.fail_route_update || d.fail_route_update > 1000000) {
				fprintf(stderr, "ecmpd: --fail-route-update %s: give a count from 1 to 1000000\n",
					optarg);
				return 2;
			}
			break;
		case 'N':
			d.neigh_reconfirm_ms = strtoul(optarg, &end, 10);
			if (*end || !*optarg || d.neigh_reconfirm_ms < 100 ||
			    d.neigh_reconfirm_ms > 3600000) {
				fprintf(stderr, "ecmpd: --neigh-reconfirm %s: give milliseconds from 100 to 3600000\n",
					optarg);
				return 2;
			}
			break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ecmpd (xdp-ecmp) %s\n", ecmp_version); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (offline && !check) {
		fputs("ecmpd: --offline goes with --check\n", stderr);
		return 2;
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!d.conf_path && !(detach && pin_root))
		d.conf_path = ecmp_conf_default;
	log_init("ecmpd", verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO, use_syslog,
		 !check);
	find_object(&d, obj);
	find_tc_object(&d);

	if (check) {
		struct ecmp_conf conf = { 0 };

		ret = config_load(&conf, d.conf_path);
		if (!ret && !offline)
			ret = config_check_host(&conf);
		config_print_errors(&conf, stderr);
		if (!ret)
			printf("%s: valid%s\n", d.conf_path,
			       offline ? " (offline: interfaces and secret files not looked up)" : "");
		config_free(&conf);
		return ret ? 1 : 0;
	}
	if (detach) {
		struct ecmp_conf conf = { 0 };
		char root[128];

		if (!pin_root) {
			if (config_load(&conf, d.conf_path)) {
				config_print_errors(&conf, stderr);
				return 1;
			}
			pin_root = conf.pin_root;
		}
		snprintf(root, sizeof(root), "%s", pin_root);
		config_free(&conf);
		return detach_everything(root, d.state_dir) ? 1 : 0;
	}

	if (load_conf(&d, &d.conf)) {
		config_print_errors(&d.conf, stderr);
		config_free(&d.conf);
		return 1;
	}
	block_signals(&d);
	events_init(&d.events, -1);	/* the loop's epoll: setup_loop() */
	if (d.monitor_queue)
		d.events.max_queue = d.monitor_queue;
	ret = start(&d);
	if (!ret)
		ret = run_loop(&d);
	sd_notify(0, "STOPPING=1");
	metrics_stop(d.metrics);
	events_close(&d.events);
	if (d.ctl.lfd >= 0) {
		ctl_server_close(&d.ctl);
		unlink(d.socket_path);
	}
	/* Peers hear AdminDown when asked for, or when everything goes. */
	bfd_stop(d.bfd, d.conf.bfd_admin_down_on_exit || d.detach);
	if (d.detach) {
		char root[128];

		snprintf(root, sizeof(root), "%s", d.conf.pin_root);
		plane_close(&d.plane);
		ret = detach_everything(root, d.state_dir);
	} else {
		plane_close(&d.plane);
	}
	nl_close(&d.nl);
	xdpf_close(&d.xdpf);
	mirror_free(d.mirror);
	fib_dump_free(d.fib_seen);
	fpm_free(d.fpm);
	config_free(&d.eff);
	config_free(&d.conf);
	return ret ? 1 : 0;
}
