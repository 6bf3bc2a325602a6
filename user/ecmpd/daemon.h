/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ecmpd's state, and how its parts hand work to each other. The main
 * thread owns all of it (BFD sessions run in their own thread, behind
 * bfd.h); nothing here is for another program.
 *
 *   ecmpd.c             start, the epoll loop, the tick, signals
 *   daemon_config.c     the config: load, attach, BFD sessions, reload
 *   daemon_kernel.c     the kernel's links, neighbours, addresses, routes
 *   daemon_mirror.c     mirrored routes into the data path
 *   daemon_fpm.c        zebra's FPM connection in the loop
 *   daemon_requests.c   the control socket's requests
 */
#ifndef ECMP_DAEMON_H
#define ECMP_DAEMON_H

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <bpf/libbpf.h>

#include "bfd/bfd.h"
#include "lib/ctl.h"
#include "config.h"
#include "events.h"
#include "fib.h"
#include "fpm.h"
#include "metrics.h"
#include "mirror.h"
#include "netlink.h"
#include "plane.h"
#include "xdp_features.h"

/* The least time between two reads of the kernel's table (mirror.h). */
#define MIRROR_GAP_MS 20

/* What made ecmpd read the kernel's whole table again (ecmpctl stats:
 * each read counts for every cause marked since the one before). A read
 * is seconds at a full table: an operator who sees many asks why. */
enum read_cause {
	READ_START,		/* ecmpd started */
	READ_RELOAD,		/* a reload changed what is mirrored */
	READ_LINK,		/* a link down, up, new or gone */
	READ_ADDRESS,		/* an IPv4 address gone that may take routes */
	READ_ROUTE,		/* a route event no patch can take */
	READ_OBJECT,		/* a nexthop object event no patch can take */
	READ_PATCH,		/* a patch that could not be completed */
	READ_LOST,		/* netlink events lost (ENOBUFS) */
	READ_FPM,		/* zebra's stream merged whole */
	READ_CAUSES
};

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
	unsigned read_why;		/* 1 << enum read_cause, since the read */
	uint64_t read_causes[READ_CAUSES];	/* reads, by what asked */
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
	/* The policy rules last said to be bypassed (policy_rules.h), and
	 * a rule event since: the rules are read again after the events. */
	char *rules_warned;
	int rules_changed;
	/* The rest of what the last full look found bypassed (netfilter,
	 * rp_filter, forwarding off, tc): with the two lists, `ecmpctl
	 * stats`' "bypassed" lines. */
	char *static_warned;
	/* The same for IPsec policies (xfrm_policies.h): a socket told of
	 * their changes (-1: no IPsec in the kernel). */
	int xfrm_fd;
	char *xfrm_warned;
};

_Static_assert(CONF_MAX_IFACES <= 64, "struct daemon's reattach: a bit per interface");

/* ---- ecmpd.c ---- */
int loop_add_fd(int ep, int fd);

/* ---- daemon_config.c ---- */
/* The file into c, checked against the host; 0, or -errno with c's
 * errors set. */
int load_conf(struct daemon *d, struct ecmp_conf *c);
int attach_one(struct daemon *d, const struct ecmp_conf *c,
	       const struct conf_iface *f, struct bpf_object **tc_obj);
int attach_all(struct daemon *d, const struct ecmp_conf *c);
int bfd_apply(struct daemon *d, const struct ecmp_conf *c,
	      int prepare_only, char *err, size_t errlen);
void on_bfd(struct daemon *d);
void give_back_memory(void);
void notify_ready(struct daemon *d);
void set_readers(struct daemon *d, const struct ecmp_conf *old,
		 const struct ecmp_conf *c);
/* cfd: the requester's connection for the answer, or -1 (SIGHUP). */
void do_reload(struct daemon *d, int cfd);
int detach_everything(const char *pin_root, const char *state_dir);

/* ---- daemon_mirror.c ---- */
void sync_fib(struct daemon *d);
void fib_gather(struct daemon *d, const struct ecmp_conf *c);
void fib_gather_mirror(struct daemon *d, const struct ecmp_conf *c);
int build_eff(struct daemon *d, const struct ecmp_conf *file, int reread,
	      struct ecmp_conf *out, char *err, size_t errlen);
void log_mirror(struct daemon *d, int always);
void mirror_sync(struct daemon *d);
/* The table must be read again (when dirty), for cause. */
void mirror_mark(struct daemon *d, int dirty, enum read_cause cause);
const char *read_cause_name(enum read_cause c);
int mirror_due(struct daemon *d);
void drop_unused_groups(struct daemon *d);
int mirror_patch(struct daemon *d, const struct nl_route *r, enum mirror_source src);
int mirror_object(struct daemon *d, enum mirror_source src, const struct nl_nexthop *n,
		  int unused);
int mirror_stands(const struct daemon *d, const struct ecmp_conf *next);

/* ---- daemon_kernel.c ---- */
int dump_kernel(struct daemon *d);
void dump_neighbours(struct daemon *d);
void on_netlink(struct daemon *d);
/* Warns about what the fast path bypasses (bypass.h, policy_rules.h,
 * xfrm_policies.h): all of it at start and on reload; with only_new, the
 * routing-policy rules and IPsec policies not said before (one added
 * while ecmpd runs). */
void warn_bypassed(struct daemon *d, int only_new);

/* ---- daemon_fpm.c ---- */
void fpm_apply_conf(struct daemon *d, const struct ecmp_conf *c);
void fpm_loop_sync(struct daemon *d);
void on_fpm(struct daemon *d, int fd);

/* ---- daemon_requests.c ---- */
void handle_request(struct daemon *d, int cfd, char *line, int root);

#endif /* ECMP_DAEMON_H */
