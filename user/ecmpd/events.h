/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What `ecmpctl monitor` streams, like `ip monitor`: one JSON object per
 * line for each change ecmpd makes or sees, to every control client that
 * asked for them ("monitor" on the control socket). Every event has
 * "event" (its kind), "time_unix_us", and the fields below.
 *
 * Subscribers never hold ecmpd up: lines are sent without blocking; what
 * the socket does not take waits in the subscriber's queue and goes out
 * as the socket drains (EPOLLOUT), so a burst (a routing table read) is
 * delivered whole to a subscriber that reads. One that stopped reading is
 * dropped when its queue passes max_queue. With no subscriber
 * every call is a no-op.
 */
#ifndef ECMP_EVENTS_H
#define ECMP_EVENTS_H

#include <stdint.h>

struct ecmp_conf;

#define EVENTS_MAX_SUBSCRIBERS	16
/* The default bound of a subscriber's queue (ecmpd --monitor-queue):
 * ~100,000 route events at ~170 bytes each, a large table's worth. */
#define EVENTS_MAX_QUEUE	(16u << 20)

struct events_queue {
	char *buf;
	size_t len, cap;
};

struct events {
	int ep_fd;				/* the daemon's epoll */
	int fd[EVENTS_MAX_SUBSCRIBERS];		/* -1: free */
	struct events_queue q[EVENTS_MAX_SUBSCRIBERS];
	int n;
	size_t max_queue;			/* bytes per subscriber */
	uint64_t sent, dropped;			/* lines; subscribers */
};

/* ep_fd: where subscribers' sockets are watched (ecmpd's loop): events
 * switches EPOLLOUT on while a queue holds lines. */
void events_init(struct events *e, int ep_fd);
void events_close(struct events *e);
/* Takes fd (answered already): 0, or -EBUSY when all slots are taken
 * (fd untouched). */
int events_subscribe(struct events *e, int fd);
int events_is_subscriber(const struct events *e, int fd);
/* fd is ready (epoll's mask in ev): queued lines go out; a subscriber
 * only listens, so it is dropped when it closed, and what it sent is
 * discarded otherwise. */
void events_on_ready(struct events *e, int fd, uint32_t ev);

/* Kinds of event. reason/diag/error may be NULL. */
void events_nexthop(struct events *e, const char *name, const char *state,
		    const char *reason);
void events_bfd(struct events *e, const char *nexthop, const char *state,
		const char *diag);
void events_group(struct events *e, const char *group, uint32_t moved,
		  uint32_t buckets, const char *why);
void events_reload(struct events *e, const char *path, int ok,
		   uint64_t moved, const char *error);
/* One route added, removed or changed (action), of effective config c. */
void events_route(struct events *e, const char *action,
		  const struct ecmp_conf *c, const struct conf_route *r);
/* One "route" event per prefix whose group or source differs between two
 * effective configs ("added", "changed", "removed"). */
void events_routes(struct events *e, const struct ecmp_conf *old,
		   const struct ecmp_conf *new);

#endif /* ECMP_EVENTS_H */
