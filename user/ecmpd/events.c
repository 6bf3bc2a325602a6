// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Events for `ecmpctl monitor` (events.h): built with the JSON writer,
 * sent whole or not at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "events.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/text.h"

void events_init(struct events *e, int ep_fd)
{
	int i;

	memset(e, 0, sizeof(*e));
	e->ep_fd = ep_fd;
	e->max_queue = EVENTS_MAX_QUEUE;
	for (i = 0; i < EVENTS_MAX_SUBSCRIBERS; i++)
		e->fd[i] = -1;
}

static void drop(struct events *e, int i)
{
	close(e->fd[i]);	/* leaves the epoll set with it */
	e->fd[i] = -1;
	free(e->q[i].buf);
	memset(&e->q[i], 0, sizeof(e->q[i]));
	e->n--;
}

void events_close(struct events *e)
{
	int i;

	for (i = 0; i < EVENTS_MAX_SUBSCRIBERS; i++)
		if (e->fd[i] >= 0)
			drop(e, i);
}

/* Input always; output while lines wait in the queue. */
static void watch(struct events *e, int i)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLRDHUP | (e->q[i].len ? EPOLLOUT : 0),
		.data.fd = e->fd[i],
	};

	if (e->ep_fd >= 0)
		epoll_ctl(e->ep_fd, EPOLL_CTL_MOD, e->fd[i], &ev);
}

int events_subscribe(struct events *e, int fd)
{
	int i;

	for (i = 0; i < EVENTS_MAX_SUBSCRIBERS && e->fd[i] >= 0; i++)
		;
	if (i == EVENTS_MAX_SUBSCRIBERS)
		return -EBUSY;
	e->fd[i] = fd;
	e->n++;
	return 0;
}

static int slot_of(const struct events *e, int fd)
{
	int i;

	for (i = 0; fd >= 0 && i < EVENTS_MAX_SUBSCRIBERS; i++)
		if (e->fd[i] == fd)
			return i;
	return -1;
}

int events_is_subscriber(const struct events *e, int fd)
{
	return slot_of(e, fd) >= 0;
}

/* Sends what the socket takes of the queue. 0, or -1 when the subscriber
 * is gone. */
static int flush(struct events *e, int i)
{
	struct events_queue *q = &e->q[i];
	size_t off = 0;

	while (off < q->len) {
		ssize_t w = send(e->fd[i], q->buf + off, q->len - off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0)
			return -1;
		off += w;
	}
	memmove(q->buf, q->buf + off, q->len - off);
	q->len -= off;
	return 0;
}

void events_on_ready(struct events *e, int fd, uint32_t ev)
{
	int i = slot_of(e, fd), was;
	char buf[256];
	ssize_t n;

	if (i < 0)
		return;
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			;
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			drop(e, i);
			return;
		}
	}
	was = e->q[i].len != 0;
	if (flush(e, i)) {
		drop(e, i);
		return;
	}
	if (was && !e->q[i].len)
		watch(e, i);
}

/* Appends to subscriber i's queue; 0, or -1 past max_queue. */
static int enqueue(struct events *e, int i, const char *line, size_t len)
{
	struct events_queue *q = &e->q[i];

	if (q->len + len > e->max_queue)
		return -1;
	if (q->len + len > q->cap) {
		size_t cap = q->cap ? q->cap : 65536;
		char *more;

		while (cap < q->len + len)
			cap *= 2;
		more = realloc(q->buf, cap);
		if (!more)
			return -1;
		q->buf = more;
		q->cap = cap;
	}
	memcpy(q->buf + q->len, line, len);
	q->len += len;
	return 0;
}

static void broadcast(struct events *e, const char *line, size_t len)
{
	int i;

	for (i = 0; i < EVENTS_MAX_SUBSCRIBERS; i++) {
		int was;

		if (e->fd[i] < 0)
			continue;
		was = e->q[i].len != 0;
		/* Behind by a whole queue (it stopped reading), or gone. */
		if (enqueue(e, i, line, len) || (!was && flush(e, i))) {
			e->dropped++;
			drop(e, i);
			continue;
		}
		e->sent++;
		if (!was && e->q[i].len)
			watch(e, i);
	}
}

/* The open object of one event: the caller adds its fields, then send(). */
struct event {
	char *buf;
	size_t len;
	FILE *f;
	struct json j;
};

static int begin(struct events *e, struct event *ev, const char *kind)
{
	if (!e || !e->n)
		return 0;
	ev->buf = NULL;
	ev->f = open_memstream(&ev->buf, &ev->len);
	if (!ev->f)
		return 0;
	json_init(&ev->j, ev->f, 0);
	json_obj_open(&ev->j, NULL);
	json_str(&ev->j, "event", kind);
	json_u64(&ev->j, "time_unix_us", clock_unix_us());
	return 1;
}

static void send_event(struct events *e, struct event *ev)
{
	json_obj_close(&ev->j);
	/* The writer ends the document with a newline: one line each. */
	if (!fclose(ev->f) && ev->buf && ev->len)
		broadcast(e, ev->buf, ev->len);
	free(ev->buf);
}

void events_nexthop(struct events *e, const char *name, const char *state,
		    const char *reason)
{
	struct event ev;

	if (!begin(e, &ev, "nexthop"))
		return;
	json_str(&ev.j, "nexthop", name);
	json_str(&ev.j, "state", state);
	if (reason)
		json_str(&ev.j, "reason", reason);
	send_event(e, &ev);
}

void events_bfd(struct events *e, const char *nexthop, const char *state,
		const char *diag)
{
	struct event ev;

	if (!begin(e, &ev, "bfd"))
		return;
	json_str(&ev.j, "nexthop", nexthop);
	json_str(&ev.j, "state", state);
	if (diag)
		json_str(&ev.j, "diag", diag);
	send_event(e, &ev);
}

void events_group(struct events *e, const char *group, uint32_t moved,
		  uint32_t buckets, const char *why)
{
	struct event ev;

	if (!begin(e, &ev, "group"))
		return;
	json_str(&ev.j, "group", group);
	json_u64(&ev.j, "buckets_moved", moved);
	json_u64(&ev.j, "buckets", buckets);
	if (why)
		json_str(&ev.j, "why", why);
	send_event(e, &ev);
}

void events_reload(struct events *e, const char *path, int ok,
		   uint64_t moved, const char *error)
{
	struct event ev;

	if (!begin(e, &ev, "reload"))
		return;
	json_str(&ev.j, "config", path);
	json_bool(&ev.j, "ok", ok);
	if (ok)
		json_u64(&ev.j, "buckets_moved", moved);
	if (error)
		json_str(&ev.j, "error", error);
	send_event(e, &ev);
}

/* ---- route differences ---- */

static int route_cmp(const void *pa, const void *pb)
{
	const struct conf_route *a = *(const struct conf_route *const *)pa;
	const struct conf_route *b = *(const struct conf_route *const *)pb;
	int c;

	if (a->family != b->family)
		return a->family - b->family;
	if (a->prefixlen != b->prefixlen)
		return a->prefixlen - b->prefixlen;
	c = memcmp(a->addr, b->addr, 16);
	return c;
}

static const struct conf_route **sorted(const struct ecmp_conf *c)
{
	const struct conf_route **v = malloc(sizeof(*v) * (c->nroute ? c->nroute : 1));
	int i;

	if (!v)
		return NULL;
	for (i = 0; i < c->nroute; i++)
		v[i] = &c->route[i];
	qsort(v, c->nroute, sizeof(*v), route_cmp);
	return v;
}

/* "" for a route the data path leaves to the kernel. */
static const char *group_of(const struct ecmp_conf *c, const struct conf_route *r)
{
	return r->group >= 0 ? c->group[r->group].name : "";
}

void events_route(struct events *e, const char *action,
			const struct ecmp_conf *c, const struct conf_route *r)
{
	const char *g = group_of(c, r);
	char prefix[TEXT_PREFIX_LEN];
	struct event ev;

	if (!begin(e, &ev, "route"))
		return;
	text_prefix(r->family, r->addr, r->prefixlen, prefix, sizeof(prefix));
	json_str(&ev.j, "action", action);
	json_str(&ev.j, "prefix", prefix);
	if (*g)
		json_str(&ev.j, "group", g);
	else
		json_bool(&ev.j, "kernel", 1);	/* passed, never forwarded */
	json_str(&ev.j, "source", text_route_source(g));
	send_event(e, &ev);
}

void events_routes(struct events *e, const struct ecmp_conf *old,
		   const struct ecmp_conf *new)
{
	const struct conf_route **a, **b;
	int i = 0, k = 0;

	if (!e || !e->n)
		return;
	a = sorted(old);
	b = sorted(new);
	while (a && b && (i < old->nroute || k < new->nroute)) {
		int c = i == old->nroute ? 1 : k == new->nroute ? -1 :
			route_cmp(&a[i], &b[k]);

		if (c < 0) {
			events_route(e, "removed", old, a[i++]);
		} else if (c > 0) {
			events_route(e, "added", new, b[k++]);
		} else {
			if (strcmp(group_of(old, a[i]), group_of(new, b[k])))
				events_route(e, "changed", new, b[k]);
			i++;
			k++;
		}
	}
	free(a);
	free(b);
}
