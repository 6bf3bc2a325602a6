// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpd: loads and pins the data path, applies the config, follows the
 * kernel's links, neighbours and addresses, and keeps bucket tables right
 * as nexthops fail and recover. The main thread runs one epoll loop:
 * netlink events, the control socket, signals, BFD state changes and a
 * 50 ms timer (epoch for idle buckets, neighbour probes, settling
 * unbalanced groups). BFD sessions run in a thread of their own (bfd.c).
 * This file starts it all and runs the loop; daemon.h lists the parts
 * the loop hands events to.
 *
 * Leaving never stops forwarding: programs and maps stay pinned, and the
 * next ecmpd adopts them. Only --detach (or `ecmpctl shutdown --detach`)
 * removes them.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/version.h"
#include "attach.h"
#include "bypass.h"
#include "xfrm_policies.h"
#include "daemon.h"
#include "pin.h"

#define TICK_MS 50

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

/* ---- the loop ---- */

int loop_add_fd(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
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
	if ((err = loop_add_fd(d->ep_fd, d->sig_fd)) || (err = loop_add_fd(d->ep_fd, d->timer_fd)) ||
	    (err = loop_add_fd(d->ep_fd, d->ctl.lfd)) ||
	    (err = loop_add_fd(d->ep_fd, nl_event_fd(&d->nl))) ||
	    (err = loop_add_fd(d->ep_fd, bfd_notify_fd(d->bfd))))
		return err;
	/* IPsec policies come and go with tunnels (xfrm_policies.h); a
	 * kernel without IPsec has none to say. */
	d->xfrm_fd = xfrm_watch_open();
	if (d->xfrm_fd >= 0 && (err = loop_add_fd(d->ep_fd, d->xfrm_fd)))
		return err;
	/* Opened before the loop existed (start-up). */
	if (d->fpm && fpm_listen_fd(d->fpm) >= 0 &&
	    (err = loop_add_fd(d->ep_fd, fpm_listen_fd(d->fpm))))
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
		mirror_mark(d, fpm_tick(d->fpm, d->plane.now_ms), READ_FPM);
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
	onlink_tick(&d->plane);
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
			} else if (fd == d->xfrm_fd) {
				if (xfrm_watch_drain(fd) && d->applied_once)
					warn_bypassed(d, 1);
			} else if (d->fpm && (fd == fpm_listen_fd(d->fpm) ||
					      fd == fpm_conn_fd(d->fpm))) {
				on_fpm(d, fd);
			} else if (fd == d->ctl.lfd) {
				int cfd;

				while ((cfd = ctl_accept(&d->ctl, clock_mono_ms())) >= 0)
					loop_add_fd(d->ep_fd, cfd);
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

/* The map sizes `limits` asks for. */
static void limit_sizes(const struct conf_limits *l, struct dp_sizes *s)
{
	s->nexthops = l->nexthops;
	s->groups = l->groups;
	s->bucket_slots = l->buckets + 1;	/* and slot 0, the guard */
	s->routes = l->routes;
	s->lpm_chunks = l->chunks;
	s->tx_ports = l->egress;
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
	ret = nl_watch_rules(&d->nl);	/* a rule added later is said too */
	if (ret)
		pr_warn("Not following routing-policy rules: %s", strerror(-ret));
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
	d->read_why |= 1u << READ_START;	/* not mirror_mark(): no lag to time */
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
	warn_bypassed(d, 0);
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
			    .sig_fd = -1, .timer_fd = -1, .ep_fd = -1, .fpm_epoll_fd = -1,
			    .xfrm_fd = -1 };
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
	if (d.xfrm_fd >= 0)
		close(d.xfrm_fd);
	free(d.rules_warned);
	free(d.static_warned);
	free(d.xfrm_warned);
	xdpf_close(&d.xdpf);
	mirror_free(d.mirror);
	fib_dump_free(d.fib_seen);
	fpm_free(d.fpm);
	config_free(&d.eff);
	config_free(&d.conf);
	return ret ? 1 : 0;
}
