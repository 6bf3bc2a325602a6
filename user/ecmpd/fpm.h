/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Routes from FRR zebra's Forwarding Plane Manager (`routes fpm listen`,
 * docs/CONFIG.md): zebra (module dplane_fpm_nl) connects over TCP and
 * streams its FIB as netlink messages in FPM frames:
 *   version 1 | type 1 (netlink) | length, 16 bits big-endian, header
 *   included | one or more netlink messages (routes, nexthop groups).
 * The stream is kept as a table (prefix -> route as zebra last sent it,
 * id -> nexthop group) that the mirror reads like the kernel's
 * (mirror_take_fpm): the routes of a frame are applied together, so a
 * DEL and NEW of one prefix in one frame is one replace. Between replays
 * the changes go to the data path one by one (fpm_set_patcher).
 * On every (re)connect zebra replays its whole FIB, and its daemons give
 * theirs back as they reconnect to it, a route often path by path. Over
 * routes held, the replay is gathered in a table apart while the data
 * path keeps the held ones; once the config's sweep time has passed since
 * the connect and the stream has been quiet for FPM_REPLAY_QUIET_MS, it
 * replaces them in one step: a route that comes back as it was moves no
 * flow, whatever steps it took, and routes not sent again are gone. A
 * lost stream's routes
 * stay for the config's hold time, waiting for zebra to come back; so do
 * the fpm routes a restarted ecmpd finds in the data path (fpm_adopt).
 */
#ifndef ECMP_FPM_H
#define ECMP_FPM_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct mirror;
struct plane;

#define FPM_REPLAY_QUIET_MS	2000
#define FPM_CHALLENGE_MS	10000
#define FPM_HEADER_LEN		4
#define FPM_VERSION		1
#define FPM_TYPE_NETLINK	1

struct fpm_stats {
	uint64_t connections;		/* accepted */
	uint64_t frames, messages;
	uint64_t malformed;		/* messages or frames refused */
	uint64_t nomem;			/* messages lost to a failed allocation */
	uint64_t ignored;		/* other message types, other tables */
	uint64_t broken;		/* connections ended: stream unreadable */
	uint64_t refused;		/* connections made while zebra's was up that
					 * never sent an FPM frame (probes, strays) */
	uint64_t sweeps, swept;		/* replays completed, routes removed */
	uint32_t routes, groups;	/* held now (the mirror's) */
	uint32_t replayed;		/* gathered by a replay in progress */
	int replaying;			/* gathering a replay, or taking the first stream */
};

struct fpm;

struct fpm *fpm_new(void);
void fpm_free(struct fpm *f);
/* Listens where c says (reopened when that changed; closed, and the
 * routes dropped, when c is not enabled). 1 when a new listener opened
 * (the loop must add it), 0 when nothing to add, -errno with err filled
 * (then nothing listens). */
int fpm_configure(struct fpm *f, const struct conf_fpm *c, uint64_t now_ms,
		  char *err, size_t errlen);
/* The descriptors for the loop; -1 when there is none. */
int fpm_listen_fd(const struct fpm *f);
int fpm_conn_fd(const struct fpm *f);
/* Takes a waiting connection. With none up it is zebra's, and the
 * replay starts; while zebra's is up it waits, and takes over only when
 * its first bytes are an FPM frame (zebra came back before its old socket
 * timed out): a port probe or a stray client never ends zebra's stream
 * (fpm_tick() decides, and refuses one that sends anything else, closes,
 * or stays silent FPM_CHALLENGE_MS). */
void fpm_accept(struct fpm *f, uint64_t now_ms);
/* Reads what zebra sent. Returns 1 when the routes changed. The
 * connection may end here (fpm_conn_fd() then says -1). */
int fpm_read(struct fpm *f, uint64_t now_ms);
/* The stream parser fpm_read() feeds (tests feed it bytes): whole frames
 * are applied, a partial one kept for the next call. 0, or -EPROTO when
 * the stream cannot be followed (the connection must end). *changed is
 * set when the routes changed. */
int fpm_input(struct fpm *f, const void *buf, size_t len, uint64_t now_ms,
	      int *changed);
/* The connection's end (EOF, error, a broken stream): the hold starts. */
void fpm_close_conn(struct fpm *f, uint64_t now_ms, const char *why);
/* Timers: a waiting connection's turn (fpm_accept), the sweep after a
 * replay, the hold after a loss. Returns 1 when the routes changed; the
 * connection may have changed (fpm_conn_fd()). */
int fpm_tick(struct fpm *f, uint64_t now_ms);
/* Takes the fpm routes the data path holds (a restarted ecmpd) as stale
 * routes of a lost stream: kept until zebra's replay or the hold. */
int fpm_adopt(struct fpm *f, const struct plane *p, uint64_t now_ms);
/* Feeds the groups and routes held now into a mirror read. */
void fpm_feed(const struct fpm *f, struct mirror *m);

/* Changes applied one by one, instead of a read of the whole table
 * (mirror_patch.c), once a stream's first table or replay is taken (a
 * million routes merge faster whole): each nexthop group as it comes,
 * and after each frame each prefix it named, as the table then holds it
 * (so a DEL and NEW in one frame are one replace). A hook returns 0 when
 * it took the change; otherwise fpm_read() and fpm_input() say the
 * routes changed, and the mirror reads the whole table. */
struct nl_route;
struct nl_nexthop;
struct fpm_patcher {
	int (*route)(void *ctx, const struct nl_route *r);
	/* unused: no route of the stream names the group. */
	int (*nexthop)(void *ctx, const struct nl_nexthop *n, int unused);
	void *ctx;
};
void fpm_set_patcher(struct fpm *f, const struct fpm_patcher *p);
const struct fpm_stats *fpm_stats(const struct fpm *f);
/* Whether a stream's first table is still arriving (no replay over held
 * routes; a message within FPM_STREAM_QUIET_MS, or bytes not read yet):
 * merging each part as it comes would merge a million routes many times
 * over. */
#define FPM_STREAM_QUIET_MS	200
int fpm_first_streaming(const struct fpm *f, uint64_t now_ms);
/* "listening", "connected", "replaying", "lost" or "off". */
const char *fpm_state(const struct fpm *f);

#endif /* ECMP_FPM_H */
