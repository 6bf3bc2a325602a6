// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * FRR zebra's FPM stream (fpm.h): the listener, the connection, the frame
 * parser, the replay's sweep and the hold; the routes themselves are in
 * fpm_table.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "fpm.h"
#include "fpm_table.h"
#include "netlink.h"
#include "lib/lpm.h"
#include "lib/log.h"
#include "lib/text.h"

/* A connection made while zebra's is up: it takes over only once it
 * proves to be zebra (see fpm_accept()). */
struct challenger {
	int fd;
	uint64_t since_ms;
	uint8_t family, addr[16];
	char peer[64];
};

/* Challengers held at once (the oldest goes for a newer one); one may
 * stay silent FPM_CHALLENGE_MS, where zebra sends its replay the moment
 * it connects. */
#define FPM_CHALLENGERS		4

struct fpm {
	struct conf_fpm conf;		/* what lfd listens on */
	int lfd, cfd;
	uint8_t peer_family, peer_addr[16];
	char peer[64];
	uint64_t refused_said_ms;	/* the last refusal logged (a scan: once in 10 s) */
	struct challenger ch[FPM_CHALLENGERS];
	int nch;
	uint8_t *buf;			/* stream bytes not yet a whole frame */
	size_t len, cap;
	struct fpm_table *table;	/* what the mirror reads */
	struct fpm_table *next;		/* a replay over held routes, gathered */
	uint64_t connect_ms;		/* the replay ends after sweep_ms... */
	uint64_t last_msg_ms;		/* ...once the stream is quiet */
	uint64_t lost_ms;		/* the hold runs from here; 0: none */
	struct fpm_stats st;
	struct fpm_patcher patcher;	/* none: every change is a read */
	struct lpm_route *named;	/* the prefixes of the frame being taken */
	size_t nnamed, capnamed;
};

#define FPM_BUF		(128 * 1024)	/* two frames of the largest size */
#define FPM_READ_BUDGET	64		/* reads per call: the loop stays live */

struct fpm *fpm_new(void)
{
	struct fpm *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->lfd = f->cfd = -1;
	f->table = fpm_table_new();
	f->buf = malloc(FPM_BUF);
	f->cap = FPM_BUF;
	if (!f->table || !f->buf) {
		fpm_free(f);
		return NULL;
	}
	return f;
}

/* One more connection refused: said at most once in 10 s (a port scan,
 * a health check every few seconds). */
static void refused(struct fpm *f, uint64_t now_ms, const char *peer, const char *why)
{
	f->st.refused++;
	if (f->refused_said_ms && now_ms - f->refused_said_ms < 10000)
		return;
	pr_info("routes fpm: a connection from %s refused (%s); %llu refused so far",
		peer, why, (unsigned long long)f->st.refused);
	f->refused_said_ms = now_ms ? now_ms : 1;
}

static void drop_challenger(struct fpm *f, int i, uint64_t now_ms, const char *why)
{
	refused(f, now_ms, f->ch[i].peer, why);
	close(f->ch[i].fd);
	f->ch[i] = f->ch[--f->nch];
}

/* The listener, and the connections it took that have not proved to be
 * zebra's. */
static void close_listener(struct fpm *f, uint64_t now_ms)
{
	if (f->lfd >= 0)
		close(f->lfd);
	f->lfd = -1;
	while (f->nch)
		drop_challenger(f, f->nch - 1, now_ms, "the listener closed");
}

/* Counts kept in step with the table. */
static void counts(struct fpm *f)
{
	f->st.routes = fpm_table_routes(f->table);
	f->st.groups = fpm_table_groups(f->table);
	f->st.replayed = f->next ? fpm_table_routes(f->next) : 0;
}

void fpm_free(struct fpm *f)
{
	if (!f)
		return;
	if (f->cfd >= 0)
		close(f->cfd);
	close_listener(f, 0);
	fpm_table_free(f->table);
	fpm_table_free(f->next);
	free(f->buf);
	free(f->named);
	free(f);
}

void fpm_set_patcher(struct fpm *f, const struct fpm_patcher *p)
{
	f->patcher = *p;
}

const struct fpm_stats *fpm_stats(const struct fpm *f)
{
	return &f->st;
}

const char *fpm_state(const struct fpm *f)
{
	if (f->cfd >= 0)
		return f->st.replaying ? "replaying" : "connected";
	if (f->lost_ms)
		return "lost";
	return f->lfd >= 0 ? "listening" : "off";
}


int fpm_listen_fd(const struct fpm *f)
{
	return f->lfd;
}

int fpm_conn_fd(const struct fpm *f)
{
	return f->cfd;
}

/* ---- the stream ---- */

/* A change of the table the mirror reads, to patch (fpm_set_patcher): a
 * group now, a route's prefix after its frame. 1 when it cannot be. */
static int to_patch(struct fpm *f, const struct nlmsghdr *nlh)
{
	static struct nl_route r;	/* the main thread's alone */
	struct nl_nexthop n;

	if (!f->patcher.route)
		return 1;
	if (nlh->nlmsg_type == RTM_NEWNEXTHOP || nlh->nlmsg_type == RTM_DELNEXTHOP)
		/* zebra removes a group its routes have left (after its keep
		 * time): a scan of the table says so, no merge needed. A
		 * group new to the mirror that routes already name: they
		 * were sent before it, and wait for it (mirror.h). */
		return nl_nexthop_parse(nlh, &n) ||
		       f->patcher.nexthop(f->patcher.ctx, &n, !fpm_table_names(f->table, n.id));
	if (nl_route_parse(nlh, &r) < 0)
		return 1;
	if (f->nnamed == f->capnamed) {
		size_t cap = f->capnamed ? 2 * f->capnamed : 64;
		struct lpm_route *more = realloc(f->named, sizeof(*more) * cap);

		if (!more)
			return 1;
		f->named = more;
		f->capnamed = cap;
	}
	memset(&f->named[f->nnamed], 0, sizeof(f->named[0]));
	f->named[f->nnamed].family = r.family;
	f->named[f->nnamed].prefixlen = r.prefixlen;
	memcpy(f->named[f->nnamed].addr, r.addr, 16);
	lpm_mask(f->named[f->nnamed].addr, r.family, r.prefixlen);
	f->nnamed++;
	return 0;
}

/* The frame's prefixes, each as the table now holds it (a prefix named
 * twice: the second patch finds nothing to do). 1 when one could not be
 * patched. */
static int patch_named(struct fpm *f)
{
	static struct nl_route r;	/* the main thread's alone */
	int changed = 0;
	size_t i;

	for (i = 0; i < f->nnamed; i++) {
		fpm_table_route(f->table, &f->named[i], &r);
		changed |= f->patcher.route(f->patcher.ctx, &r) != 0;
	}
	f->nnamed = 0;
	return changed;
}

/* One netlink message of a frame. 1 when the table the mirror reads
 * changed (not a replay being gathered) and the change was not taken as
 * a patch: a stream's first table comes whole, merged at a pace, not
 * route by route. */
static int take_message(struct fpm *f, const struct nlmsghdr *nlh)
{
	f->st.messages++;
	switch (fpm_table_take(f->next ? f->next : f->table, nlh, f->conf.table)) {
	case FPM_TAKE_CHANGED:
		return !f->next && (f->st.replaying || to_patch(f, nlh));
	case FPM_TAKE_IGNORED:
		f->st.ignored++;
		return 0;
	case FPM_TAKE_MALFORMED:
		f->st.malformed++;
		return 0;
	case FPM_TAKE_NOMEM:
		/* The table now differs from zebra's: said once, counted;
		 * the next replay (zebra reconnecting) sets it right. */
		if (!f->st.nomem++)
			pr_warn("routes fpm: out of memory taking zebra's routes; some are missing until zebra replays its table");
		return 0;
	default:
		return 0;
	}
}

/* One frame's payload: its netlink messages, each checked against what
 * is left of the frame. A message that does not fit ends the frame (the
 * next frame is still found by the frame's own length). */
static int take_frame(struct fpm *f, const uint8_t *p, size_t len)
{
	int changed = 0;

	f->st.frames++;
	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)p;
		size_t step;

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len) {
			f->st.malformed++;
			break;
		}
		changed |= take_message(f, nlh);
		step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	/* A read coming anyway takes the frame's routes too. */
	if (changed)
		f->nnamed = 0;
	return changed | patch_named(f);
}

/* Whether h starts a frame zebra's dplane_fpm_nl would send. */
static int frame_header_ok(const uint8_t *h)
{
	return h[0] == FPM_VERSION && h[1] == FPM_TYPE_NETLINK &&
	       ((size_t)h[2] << 8 | h[3]) >= FPM_HEADER_LEN;
}

/* Applies the whole frames in buf, keeps a partial one. */
static int process(struct fpm *f, uint64_t now_ms, int *changed)
{
	size_t off = 0;

	f->last_msg_ms = now_ms;
	while (f->len - off >= FPM_HEADER_LEN) {
		const uint8_t *h = f->buf + off;
		size_t flen = (size_t)h[2] << 8 | h[3];

		if (!frame_header_ok(h)) {
			f->st.malformed++;
			f->len = 0;
			return -EPROTO;
		}
		if (f->len - off < flen)
			break;
		/* Netlink messages are read in place: 4-byte aligned. */
		if ((uintptr_t)(h + FPM_HEADER_LEN) % 4) {
			memmove(f->buf, f->buf + off, f->len - off);
			f->len -= off;
			off = 0;
			continue;
		}
		*changed |= take_frame(f, h + FPM_HEADER_LEN, flen - FPM_HEADER_LEN);
		off += flen;
	}
	memmove(f->buf, f->buf + off, f->len - off);
	f->len -= off;
	counts(f);
	return 0;
}

int fpm_input(struct fpm *f, const void *buf, size_t len, uint64_t now_ms,
	      int *changed)
{
	*changed = 0;
	while (len) {
		size_t n = len < f->cap - f->len ? len : f->cap - f->len;
		int err;

		memcpy(f->buf + f->len, buf, n);
		f->len += n;
		buf = (const uint8_t *)buf + n;
		len -= n;
		err = process(f, now_ms, changed);
		if (err)
			return err;
	}
	return 0;
}

/* ---- the connection ---- */

void fpm_close_conn(struct fpm *f, uint64_t now_ms, const char *why)
{
	if (f->cfd < 0)
		return;
	close(f->cfd);
	f->cfd = -1;
	f->len = 0;
	/* A replay cut short is no table: the held routes stay. */
	fpm_table_free(f->next);
	f->next = NULL;
	counts(f);
	f->st.replaying = 0;
	f->lost_ms = now_ms ? now_ms : 1;
	pr_warn("routes fpm: zebra's connection from %s ended (%s); its %u routes stay for %u s (hold) or until it comes back",
		f->peer, why, f->st.routes, f->conf.hold_ms / 1000);
}

/* Whether the config's `from` lets the address connect (no `from`: any). */
static int allowed(const struct conf_fpm *c, uint8_t family, const uint8_t *addr)
{
	int i;

	if (!c->nfrom)
		return 1;
	for (i = 0; i < c->nfrom; i++) {
		uint8_t a[16];

		if (c->from[i].family != family)
			continue;
		memcpy(a, addr, 16);
		lpm_mask(a, family, c->from[i].len);
		if (!memcmp(a, c->from[i].addr, 16))
			return 1;
	}
	return 0;
}

static int loopback(const struct conf_fpm *c)
{
	static const uint8_t one6[16] = { [15] = 1 };

	return c->family == ECMP_AF_INET ? c->addr[0] == 127 : !memcmp(c->addr, one6, 16);
}

static int same_listen(const struct conf_fpm *a, const struct conf_fpm *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, 16);
}

int fpm_configure(struct fpm *f, const struct conf_fpm *c, uint64_t now_ms,
		  char *err, size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	char a[64];
	int one = 1, fd;

	if (!c->enabled) {
		close_listener(f, now_ms);
		fpm_close_conn(f, now_ms, "routes fpm removed from the config");
		fpm_table_clear(f->table);
		counts(f);
		f->lost_ms = 0;
		f->conf = *c;
		return 0;
	}
	/* zebra streams every table and only the one named is kept: the
	 * new one's routes come with a replay. Until it ends the data path
	 * keeps the routes held, as over any reconnect. */
	if (f->conf.enabled && c->table != f->conf.table) {
		char why[80];

		snprintf(why, sizeof(why), "the config's table is now %u: zebra reconnects and replays it",
			 c->table);
		fpm_close_conn(f, now_ms, why);
	}
	if (f->lfd >= 0 && same_listen(&f->conf, c)) {
		int i;

		f->conf = *c;	/* table, hold, sweep, from */
		if (f->cfd >= 0 && !allowed(c, f->peer_family, f->peer_addr))
			fpm_close_conn(f, now_ms, "its address is no longer in 'from'");
		for (i = f->nch - 1; i >= 0; i--)
			if (!allowed(c, f->ch[i].family, f->ch[i].addr))
				drop_challenger(f, i, now_ms, "not in 'from'");
		return 0;
	}
	close_listener(f, now_ms);
	text_addr(c->family, c->addr, a, sizeof(a));
	if (c->family == ECMP_AF_INET) {
		struct sockaddr_in *in = (void *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(c->port);
		memcpy(&in->sin_addr, c->addr, 4);
		sl = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (void *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(c->port);
		memcpy(&in6->sin6_addr, c->addr, 16);
		sl = sizeof(*in6);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 4)) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "routes fpm: cannot listen on %s%s%s port %u: %s%s",
			 c->family == ECMP_AF_INET6 ? "[" : "", a,
			 c->family == ECMP_AF_INET6 ? "]" : "", c->port, strerror(e),
			 e == EADDRINUSE ? " (another FPM server, or zebra's old fpm module, holds the port)" :
			 e == EADDRNOTAVAIL ? " (not an address of this host)" : "");
		f->conf = *c;
		return -e;
	}
	f->lfd = fd;
	f->conf = *c;
	pr_info("routes fpm: listening on %s%s%s port %u for zebra (dplane_fpm_nl)",
		c->family == ECMP_AF_INET6 ? "[" : "", a,
		c->family == ECMP_AF_INET6 ? "]" : "", c->port);
	if (!c->nfrom && !loopback(c))
		pr_warn("routes fpm: %s is not a loopback address and no 'from' is given: any host that reaches port %u can send routes; add 'from' with zebra's address",
			a, c->port);
	return 1;
}

/* A dead zebra (power gone, no FIN) is noticed within about 20 s. */
static void set_keepalive(int fd)
{
	int on = 1, idle = 10, intvl = 3, cnt = 3;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* fd becomes zebra's connection; the replay starts. */
static void take_conn(struct fpm *f, int fd, uint8_t family, const uint8_t *addr,
		      const char *peer, uint64_t now_ms)
{
	/* Over routes held (a reconnect, an adopted restart) the replay is
	 * gathered apart and replaces them at its end, in one step. */
	if (f->st.routes || f->st.groups) {
		f->next = fpm_table_new();
		if (!f->next) {
			close(fd);
			pr_warn("routes fpm: out of memory for zebra's replay; its connection closed, it will come again");
			return;
		}
	}
	f->cfd = fd;
	f->len = 0;
	f->connect_ms = f->last_msg_ms = now_ms;
	f->lost_ms = 0;
	f->st.connections++;
	f->st.replaying = 1;
	f->peer_family = family;
	memcpy(f->peer_addr, addr, 16);
	snprintf(f->peer, sizeof(f->peer), "%s", peer);
	pr_info("routes fpm: zebra connected from %s; of the %u routes held, those it does not send again within %u s are removed then",
		peer, f->st.routes, f->conf.sweep_ms / 1000);
}

/* The peer's address as the config holds addresses (an IPv4 peer of an
 * IPv6 listener as IPv4), and as text. */
static void peer_of(const struct sockaddr_storage *ss, uint8_t *family, uint8_t *addr,
		    char *text, size_t len)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(addr, 0, 16);
	*family = 0;
	if (ss->ss_family == AF_INET) {
		*family = ECMP_AF_INET;
		memcpy(addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;

		*family = memcmp(a, v4mapped, 12) ? ECMP_AF_INET6 : ECMP_AF_INET;
		memcpy(addr, *family == ECMP_AF_INET ? a + 12 : a, *family == ECMP_AF_INET ? 4 : 16);
	}
	if (*family)
		text_addr(*family, addr, text, len);
	else
		snprintf(text, len, "?");
}

void fpm_accept(struct fpm *f, uint64_t now_ms)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN];
	int fd = accept4(f->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	uint8_t family, addr[16];
	struct challenger *c;

	if (fd < 0)
		return;
	peer_of(&ss, &family, addr, a, sizeof(a));
	if (!allowed(&f->conf, family, addr)) {
		close(fd);
		refused(f, now_ms, a, "not in 'from'");
		return;
	}
	set_keepalive(fd);
	if (f->cfd < 0) {
		take_conn(f, fd, family, addr, a, now_ms);
		return;
	}
	/* zebra's connection is up. A port probe or a stray client must not
	 * end it (zebra would reconnect and replay its whole table, or, its
	 * reconnect slower than the sweep, an empty replay would remove every
	 * route); a zebra back before its old socket timed out sends its
	 * replay at once, and takes over with its first frame (fpm_tick). */
	if (f->nch == FPM_CHALLENGERS) {
		int i, oldest = 0;

		for (i = 1; i < f->nch; i++)
			if (f->ch[i].since_ms < f->ch[oldest].since_ms)
				oldest = i;
		drop_challenger(f, oldest, now_ms, "newer connections came");
	}
	c = &f->ch[f->nch++];
	c->fd = fd;
	c->since_ms = now_ms;
	c->family = family;
	memcpy(c->addr, addr, 16);
	snprintf(c->peer, sizeof(c->peer), "%s", a);
	pr_debug("routes fpm: a connection from %s while zebra's from %s is up: it takes over with its first FPM frame",
		 a, f->peer);
}

/* The challengers: one that sends an FPM frame takes over (its bytes
 * still unread, for fpm_read()); one that sends anything else, closes or
 * stays silent too long is refused. With zebra's connection gone, the
 * newest one left takes its place as any new connection would. */
static void challengers_tick(struct fpm *f, uint64_t now_ms)
{
	int i;

	for (i = f->nch - 1; i >= 0; i--) {
		struct challenger c = f->ch[i];
		uint8_t h[FPM_HEADER_LEN];
		ssize_t n = recv(c.fd, h, sizeof(h), MSG_PEEK | MSG_DONTWAIT);

		if (n == (ssize_t)sizeof(h) && frame_header_ok(h)) {
			f->ch[i] = f->ch[--f->nch];
			fpm_close_conn(f, now_ms, "a new connection of zebra's replaces it");
			take_conn(f, c.fd, c.family, c.addr, c.peer, now_ms);
		} else if (n == (ssize_t)sizeof(h)) {
			drop_challenger(f, i, now_ms, "not an FPM stream");
		} else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			drop_challenger(f, i, now_ms, n ? strerror(errno) : "closed before sending");
		} else if (now_ms - c.since_ms >= FPM_CHALLENGE_MS) {
			drop_challenger(f, i, now_ms, "silent");
		}
	}
	if (f->cfd < 0 && f->nch) {
		struct challenger c;
		int newest = 0;

		for (i = 1; i < f->nch; i++)
			if (f->ch[i].since_ms >= f->ch[newest].since_ms)
				newest = i;
		c = f->ch[newest];
		f->ch[newest] = f->ch[--f->nch];
		take_conn(f, c.fd, c.family, c.addr, c.peer, now_ms);
	}
}

int fpm_read(struct fpm *f, uint64_t now_ms)
{
	int changed = 0, i;

	for (i = 0; i < FPM_READ_BUDGET && f->cfd >= 0; i++) {
		ssize_t n = read(f->cfd, f->buf + f->len, f->cap - f->len);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			fpm_close_conn(f, now_ms, n ? strerror(errno) : "closed by zebra");
			break;
		}
		f->len += n;
		if (process(f, now_ms, &changed)) {
			f->st.broken++;
			fpm_close_conn(f, now_ms, "a frame that is not FPM version 1 netlink; zebra's module must be dplane_fpm_nl");
		}
	}
	return changed;
}

/* Bytes zebra sent that ecmpd has not read: a stream that seems quiet
 * only because ecmpd was busy (a merge of a million routes takes
 * seconds) is not; sweeping then would remove routes still on their way. */
static int unread(const struct fpm *f)
{
	int n = 0;

	return f->len || (!ioctl(f->cfd, FIONREAD, &n) && n > 0);
}

int fpm_first_streaming(const struct fpm *f, uint64_t now_ms)
{
	return f->cfd >= 0 && f->st.replaying && !f->next &&
	       (now_ms - f->last_msg_ms < FPM_STREAM_QUIET_MS || unread(f));
}

int fpm_tick(struct fpm *f, uint64_t now_ms)
{
	uint32_t n;
	int swapped;

	challengers_tick(f, now_ms);
	/* zebra replays what it has at once, and what its daemons give it
	 * back (staticd, bgpd reconnecting) over the next seconds: the
	 * replay replaces the held routes once sweep_ms has passed and the
	 * stream is quiet. */
	if (f->cfd >= 0 && f->st.replaying && now_ms - f->connect_ms >= f->conf.sweep_ms &&
	    now_ms - f->last_msg_ms >= FPM_REPLAY_QUIET_MS && !unread(f)) {
		f->st.replaying = 0;
		swapped = f->next != NULL;
		n = 0;
		if (swapped) {
			n = fpm_table_missing(f->table, f->next);
			fpm_table_free(f->table);
			f->table = f->next;
			f->next = NULL;
		}
		counts(f);
		f->st.sweeps++;
		f->st.swept += n;
		pr_info("routes fpm: zebra's replay is complete: %u routes, %u nexthop groups; %u routes it did not send again removed",
			f->st.routes, f->st.groups, n);
		return swapped;
	}
	if (f->cfd < 0 && f->lost_ms && now_ms - f->lost_ms >= f->conf.hold_ms) {
		n = f->st.routes;
		f->lost_ms = 0;
		fpm_table_clear(f->table);
		counts(f);
		pr_warn("routes fpm: zebra did not come back within %u s (hold): its %u routes removed, the kernel forwards what it has",
			f->conf.hold_ms / 1000, n);
		return n > 0;
	}
	return 0;
}

/* ---- a restarted ecmpd, the mirror ---- */

int fpm_adopt(struct fpm *f, const struct plane *p, uint64_t now_ms)
{
	int err = fpm_table_adopt(f->table, p);

	counts(f);
	if (err)
		return err;
	if (f->st.routes) {
		f->lost_ms = now_ms ? now_ms : 1;
		pr_info("routes fpm: %u routes zebra streamed before the restart kept until it replays them (hold %u s)",
			f->st.routes, f->conf.hold_ms / 1000);
	}
	return 0;
}

void fpm_feed(const struct fpm *f, struct mirror *m)
{
	fpm_table_feed(f->table, m);
}
