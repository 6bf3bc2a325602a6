// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * zebra's FPM stream in the daemon's loop (fpm.h reads it): the listener
 * as `routes fpm` says, each connection joining the loop, and zebra's
 * changes between replays handed to the mirror one by one
 * (daemon_mirror.c).
 */
#include <errno.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "daemon.h"

/* A new connection joins the loop (a closed one left it with its close;
 * the new one may have the old one's number). */
void fpm_loop_sync(struct daemon *d)
{
	int fd = d->fpm ? fpm_conn_fd(d->fpm) : -1;
	uint64_t n = d->fpm ? fpm_stats(d->fpm)->connections : 0;

	if (fd >= 0 && d->ep_fd >= 0 && (fd != d->fpm_epoll_fd || n != d->fpm_conns_seen))
		loop_add_fd(d->ep_fd, fd);
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
void fpm_apply_conf(struct daemon *d, const struct ecmp_conf *c)
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
		loop_add_fd(d->ep_fd, fpm_listen_fd(d->fpm));
	fpm_loop_sync(d);
}

void on_fpm(struct daemon *d, int fd)
{
	d->plane.now_ms = clock_mono_ms();
	if (fd == fpm_listen_fd(d->fpm))
		fpm_accept(d->fpm, d->plane.now_ms);
	else
		mirror_mark(d, fpm_read(d->fpm, d->plane.now_ms), READ_FPM);
	fpm_loop_sync(d);
	/* The same pace as the kernel's events (on_netlink). */
	if (mirror_due(d) && d->plane.now_ms - d->mirror_read_ms >= MIRROR_GAP_MS)
		mirror_sync(d);
}
