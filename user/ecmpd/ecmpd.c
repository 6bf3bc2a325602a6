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
#include <getopt.h>
#include <limits.h>
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

#include "bfd/bfd.h"
#include "config.h"
#include "lib/ctl.h"
#include "lib/json.h"
#include "lib/log.h"
#include "attach.h"
#include "bypass.h"
#include "fib.h"
#include "pin.h"
#include "plane.h"
#include "lib/clock.h"
#include "lib/text.h"
#include "seed.h"

#define TICK_MS 50

struct daemon {
	const char *conf_path;
	const char *state_dir;
	const char *socket_path;
	char obj_path[PATH_MAX];
	char tc_obj_path[PATH_MAX];
	unsigned char xdp_tag[BPF_TAG_SIZE];	/* of obj_path's program */
	struct ecmp_conf conf;
	struct plane plane;
	struct nl nl;
	struct bfd_rt *bfd;
	struct ctl_server ctl;
	int sig_fd, timer_fd, ep_fd;
	int stop, detach;
	uint64_t pins_checked_ms;
	int applied;		/* d->conf is in the maps */
	int applied_once;	/* attach_all() ran once */
	uint32_t neigh_reconfirm_ms;	/* --neigh-reconfirm; 0: the default */
};

static const char usage[] =
"Usage: ecmpd -c FILE [OPTIONS]\n"
"       ecmpd -c FILE --check [ --offline ]\n"
"       ecmpd [-c FILE | --pin-root DIR] --detach\n"
"\n"
"  -c, --config FILE     configuration (grammar: docs/CONFIG.md)\n"
"      --check           validate FILE and exit: 0 valid, 1 with FILE:LINE errors\n"
"      --offline         with --check: grammar, names and limits only; interfaces\n"
"                        and secret files are not looked up (check in CI)\n"
"      --detach          remove ecmp programs, maps and pins, and exit\n"
"      --pin-root DIR    where --detach looks when there is no config\n"
"      --state-dir DIR   where 'seed auto' keeps the seed (default /var/lib/ecmp)\n"
"      --socket PATH     control socket (default " CTL_SOCKET_DEFAULT ")\n"
"      --bpf-obj FILE    the XDP object (default: next to ecmpd, then\n"
"                        /usr/local/lib/xdp-ecmp/ecmp_xdp.bpf.o)\n"
"      --syslog          log to syslog instead of stderr\n"
"      --neigh-reconfirm MS  re-confirm resolved neighbours every MS (default\n"
"                        15000; tests shorten it)\n"
"  -v, --verbose         debug output, libbpf/libxdp included\n"
"  -h, --help            this text\n";

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
	snprintf(d->obj_path, sizeof(d->obj_path),
		 "/usr/local/lib/xdp-ecmp/ecmp_xdp.bpf.o");
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
	fib_sync(&d->conf, path);
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

static int attach_all(struct daemon *d, const struct ecmp_conf *c)
{
	struct bpf_object *tc_obj = NULL;
	int i, err = 0;

	for (i = 0; i < c->niface; i++) {
		const struct conf_iface *f = &c->iface[i];
		int e, created = 0;

		if (f->attach == ATTACH_NONE)
			continue;
		if (f->attach == ATTACH_TC_INGRESS || f->attach == ATTACH_TC_EGRESS) {
			if (!tc_obj)	/* one load (and one verification) for all */
				tc_obj = attach_tc_open(d->tc_obj_path, c->pin_root,
						     &d->plane.dp);
			e = tc_obj ? attach_tc(tc_obj, f->name,
						   f->attach == ATTACH_TC_EGRESS,
						   &created) : -errno;
			if (created)
				record_qdisc(d->state_dir, f->name);
		} else {
			e = attach_xdp(d->obj_path, c->pin_root, &d->plane.dp, f->name,
				       f->attach == ATTACH_XDP_GENERIC, d->xdp_tag);
		}
		err = err ? err : e;
	}
	bpf_object__close(tc_obj);
	d->applied_once = 1;
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

static void on_bfd(struct daemon *d)
{
	uint64_t v;

	if (read(bfd_notify_fd(d->bfd), &v, sizeof(v)) < 0)
		return;
	d->plane.now_ms = clock_mono_ms();
	nh_on_bfd(&d->plane);
}

/* ---- kernel events ---- */

static void on_link(void *ctx, const struct nl_link *l)
{
	nh_on_link(&((struct daemon *)ctx)->plane, l);
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
	route_on_addr(&d->plane, a, d->applied ? &d->conf : NULL);
}

static int dump_kernel(struct daemon *d)
{
	struct nl_handlers h = { on_link, on_neigh, on_addr, d };
	int err;

	d->plane.now_ms = clock_mono_ms();
	err = nl_dump_all(&d->nl, &h);
	if (err)
		pr_warn("Failed to read interfaces and neighbours from the kernel: %s",
			strerror(-err));
	return err;
}

/* ---- control requests ---- */

/* Reload: the new file is checked completely before anything changes. */
static void do_reload(struct daemon *d, int cfd)
{
	struct ecmp_conf next;
	char err[512], msg[256];
	uint64_t moved = d->plane.buckets_moved;
	int ret, i;

	ret = load_conf(d, &next);
	if (!ret && strcmp(next.pin_root, d->conf.pin_root)) {
		snprintf(err, sizeof(err), "%s: pin-root cannot change while ecmpd runs (%s -> %s); restart ecmpd",
			 d->conf_path, d->conf.pin_root, next.pin_root);
		ret = -EINVAL;
	} else if (ret) {
		size_t off = 0;

		err[0] = 0;
		for (i = 0; i < next.nerror && off < sizeof(err) - 1; i++)
			off += snprintf(err + off, sizeof(err) - off, "%s%s",
					i ? "\n" : "", next.error[i]);
	} else {
		d->plane.now_ms = clock_mono_ms();
		ret = bfd_apply(d, &next, 1, err, sizeof(err));
		if (!ret)
			ret = plane_apply(&d->plane, &next, err, sizeof(err));
	}
	if (ret) {
		pr_warn("Reload rejected, nothing changed: %s", err);
		if (cfd >= 0)
			ctl_reply_error(cfd, err);
		config_free(&next);
		return;
	}
	if (bfd_apply(d, &next, 0, err, sizeof(err)))
		pr_warn("Reload applied, but BFD sessions could not follow: %s", err);
	detach_removed(d, &d->conf, &next);
	config_free(&d->conf);
	d->conf = next;
	attach_all(d, &d->conf);
	sync_fib(d);
	dump_kernel(d);		/* neighbours of new nexthops */
	nh_probe(&d->plane);
	snprintf(msg, sizeof(msg), "reloaded %s: %llu buckets moved", d->conf_path,
		 (unsigned long long)(d->plane.buckets_moved - moved));
	pr_info("%s", msg);
	bypass_warn(&d->conf);
	if (cfd >= 0)
		ctl_reply_ok(cfd, msg);
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
	json_u64(j, "nexthops", d->conf.nnexthop);
	json_u64(j, "groups", d->conf.ngroup);
	json_u64(j, "routes", d->conf.nroute);
}

static void handle_request(struct daemon *d, int cfd, char *line)
{
	struct ctl_req r;
	const char *err;

	if (ctl_parse(line, &r, &err)) {
		ctl_reply_error(cfd, err);
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
	case CTL_SHUTDOWN:
		d->detach = r.detach;
		d->stop = 1;
		ctl_reply_ok(cfd, d->detach ? "ecmpd stops and removes programs and maps" :
			 "ecmpd stops; forwarding continues");
		break;
	}
}

/* ---- the loop ---- */

static int add_fd(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int setup_loop(struct daemon *d)
{
	struct itimerspec its = { .it_interval = { 0, TICK_MS * 1000000 },
				  .it_value = { 0, TICK_MS * 1000000 } };
	sigset_t mask;
	int err;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->ep_fd = epoll_create1(EPOLL_CLOEXEC);
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

static void on_tick(struct daemon *d)
{
	uint64_t expirations;

	if (read(d->timer_fd, &expirations, sizeof(expirations)) < 0)
		return;
	d->plane.now_ms = clock_mono_ms();
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
	struct nl_handlers h = { on_link, on_neigh, on_addr, d };
	int err;

	d->plane.now_ms = clock_mono_ms();
	err = nl_read_events(&d->nl, &h);
	if (err == -ENOBUFS) {
		pr_info("Netlink events were lost; reading the kernel state again");
		dump_kernel(d);
	} else if (err) {
		pr_warn("Failed to read netlink events: %s", strerror(-err));
	}
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
			} else if (fd == d->ctl.lfd) {
				int cfd;

				while ((cfd = ctl_accept(&d->ctl, clock_mono_ms())) >= 0)
					add_fd(d->ep_fd, cfd);
			} else if (ctl_is_client(&d->ctl, fd)) {
				char req[CTL_MAX_REQUEST];

				if (ctl_read(&d->ctl, fd, req, sizeof(req)) == 1)
					handle_request(d, fd, req);
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

static int start(struct daemon *d)
{
	char err[512];
	int ret;

	ret = pin_prepare(d->conf.pin_root);
	if (!ret)
		ret = pin_create_maps(d->obj_path, d->conf.pin_root, d->xdp_tag);
	if (!ret) {
		ret = plane_open(&d->plane, d->conf.pin_root);
		if (ret)
			pr_warn("Failed to open the maps pinned under %s: %s",
				d->conf.pin_root, strerror(-ret));
		else if (d->neigh_reconfirm_ms)
			d->plane.neigh_reconfirm_ms = d->neigh_reconfirm_ms;
	}
	if (ret)
		return ret;
	ret = nl_open(&d->nl);
	if (ret) {
		pr_warn("Failed to open rtnetlink: %s", strerror(-ret));
		return ret;
	}
	d->plane.nl = &d->nl;
	dump_kernel(d);
	ret = plane_apply(&d->plane, &d->conf, err, sizeof(err));
	if (ret) {
		pr_warn("Failed to apply %s: %s", d->conf_path, err);
		return ret;
	}
	d->applied = 1;
	sync_fib(d);
	ret = bfd_start(&d->bfd, d->plane.nh_bfd, d->plane.bfd_changed,
			d->plane.dp.nexthops, d->plane.dp.max_entries[DP_NEXTHOPS]);
	if (!ret)
		ret = bfd_apply(d, &d->conf, 0, err, sizeof(err));
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
	pr_info("ecmpd running: %d nexthops, %d groups, %d routes; control socket %s",
		d->conf.nnexthop, d->conf.ngroup, d->conf.nroute, d->socket_path);
	bypass_warn(&d->conf);
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
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct daemon d = { .state_dir = "/var/lib/ecmp",
			    .socket_path = CTL_SOCKET_DEFAULT, .ctl.lfd = -1,
			    .sig_fd = -1, .timer_fd = -1, .ep_fd = -1 };
	const char *pin_root = NULL, *obj = NULL;
	char *end;
	int check = 0, offline = 0, detach = 0, use_syslog = 0, verbose = 0, c, ret;

	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
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
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (offline && !check) {
		fputs("ecmpd: --offline goes with --check\n", stderr);
		return 2;
	}
	if (optind != argc || (!d.conf_path && !(detach && pin_root))) {
		fputs(usage, stderr);
		return 2;
	}
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
	ret = start(&d);
	if (!ret)
		ret = run_loop(&d);
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
	config_free(&d.conf);
	return ret ? 1 : 0;
}
