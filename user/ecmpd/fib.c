// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "fib.h"
#include "netlink.h"
#include "lib/log.h"
#include "lib/lpm.h"
#include "lib/route_set.h"
#include "lib/text.h"

#define FIB_NH_KEY	(ECMP_MAX_GROUP_MEMBERS * 64)

/* A route of the main table as the kernel dumps it (or as ecmpd wants
 * it): its prefix, protocol and nexthops in a canonical text form. */
struct fib_route {
	uint8_t family;		/* AF_INET / AF_INET6 */
	uint8_t len;
	uint8_t dst[16];
	uint8_t proto;
	const char *nh;		/* "ifindex gateway hops;" sorted */
};

/* The nexthop keys of a dump, each held once: a table's routes share a
 * few nexthop sets, and a key of up to 4 KiB in every route made a reload
 * of 100,000 config routes peak at 538 MB. Open addressing. */
struct key_set {
	char **k;
	uint32_t *hash;
	uint32_t cap, n;	/* cap: a power of two, or 0 */
};

struct fib_dump {
	struct fib_route *r;
	int n, cap;
	struct key_set keys;
	/* Of the other protocols' routes only these prefixes are kept (a
	 * mirrored table has a million routes, of which only those sharing
	 * a config route's prefix matter); NULL: none. ecmpd's own are
	 * always kept. */
	struct route_set *prefixes;
	int failed;		/* out of memory: a route is missing */
	int done;		/* the whole table was handed in */
	/* Only the others' were (fib_dump_others_done): ecmpd's own are
	 * still to be read, by a dump the kernel filters. */
	int own_unread;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Joins the nexthop entries in sorted order, so equal sets compare equal. */
static void nh_key(char *out, char entries[][64], int n)
{
	char *p[ECMP_MAX_GROUP_MEMBERS];
	int i;

	for (i = 0; i < n; i++)
		p[i] = entries[i];
	qsort(p, n, sizeof(p[0]), cmp_str);
	out[0] = 0;
	for (i = 0; i < n; i++)
		strncat(out, p[i], FIB_NH_KEY - strlen(out) - 1);
}

static void nh_entry(char *out, int ifindex, int family, const void *gw, int hops)
{
	char a[INET6_ADDRSTRLEN] = "-";

	if (gw)
		text_addr(family == AF_INET ? ECMP_AF_INET : ECMP_AF_INET6, gw, a, sizeof(a));
	snprintf(out, 64, "%d %s %d;", ifindex, a, hops);
}

static uint32_t key_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (uint8_t)*key) * 16777619u;
	return h;
}

static int keys_grow(struct key_set *s)
{
	uint32_t cap = s->cap ? 2 * s->cap : 64, i, j;
	char **k = calloc(cap, sizeof(*k));
	uint32_t *hash = calloc(cap, sizeof(*hash));

	if (!k || !hash) {
		free(k);
		free(hash);
		return -ENOMEM;
	}
	for (i = 0; i < s->cap; i++) {
		if (!s->k[i])
			continue;
		for (j = s->hash[i] & (cap - 1); k[j]; j = (j + 1) & (cap - 1))
			;
		k[j] = s->k[i];
		hash[j] = s->hash[i];
	}
	free(s->k);
	free(s->hash);
	s->k = k;
	s->hash = hash;
	s->cap = cap;
	return 0;
}

/* The set's copy of key, added if new; NULL on ENOMEM. */
static const char *key_intern(struct key_set *s, const char *key)
{
	uint32_t h = key_hash(key), j;

	if (2 * (s->n + 1) > s->cap && keys_grow(s))
		return NULL;
	for (j = h & (s->cap - 1); s->k[j]; j = (j + 1) & (s->cap - 1))
		if (s->hash[j] == h && !strcmp(s->k[j], key))
			return s->k[j];
	s->k[j] = strdup(key);
	if (!s->k[j])
		return NULL;
	s->hash[j] = h;
	s->n++;
	return s->k[j];
}

static void keys_free(struct key_set *s)
{
	uint32_t i;

	for (i = 0; i < s->cap; i++)
		free(s->k[i]);
	free(s->k);
	free(s->hash);
	memset(s, 0, sizeof(*s));
}

void fib_dump_route(struct fib_dump *d, const struct nl_route *k)
{
	char entries[ECMP_MAX_GROUP_MEMBERS][64], key[FIB_NH_KEY];
	struct fib_route *r;
	int i;

	if (k->deleted || k->table != RT_TABLE_MAIN)
		return;
	if (k->protocol != FIB_PROTO) {
		struct lpm_route key = { .family = k->family, .prefixlen = k->prefixlen };

		memcpy(key.addr, k->addr, 16);
		if (!d->prefixes || !route_set_get(d->prefixes, &key))
			return;
	}
	if (d->n == d->cap) {
		struct fib_route *more = realloc(d->r, (d->cap ? 2 * d->cap : 64) * sizeof(*more));

		if (!more) {
			d->failed = 1;
			return;
		}
		d->r = more;
		d->cap = d->cap ? 2 * d->cap : 64;
	}
	r = &d->r[d->n++];
	memset(r, 0, sizeof(*r));
	r->family = k->family == ECMP_AF_INET ? AF_INET : AF_INET6;
	r->len = k->prefixlen;
	r->proto = k->protocol;
	memcpy(r->dst, k->addr, sizeof(r->dst));
	for (i = 0; i < k->nnh && i < ECMP_MAX_GROUP_MEMBERS; i++)
		nh_entry(entries[i], k->nh[i].ifindex,
			 k->nh[i].family == ECMP_AF_INET6 ? AF_INET6 : AF_INET,
			 k->nh[i].family ? k->nh[i].via : NULL, k->nh[i].weight - 1);
	if (!k->nnh)	/* no path at all (blackhole...): one empty entry */
		nh_entry(entries[i++], 0, r->family, NULL, 0);
	nh_key(key, entries, i);
	r->nh = key_intern(&d->keys, key);
	if (!r->nh) {
		d->n--;
		d->failed = 1;
	}
}

static int on_route(const struct nlmsghdr *nlh, void *data)
{
	struct fib_dump *d = data;
	struct nl_route k;

	/* The one route parser (nl_route.c); what it refuses is skipped. */
	if (nlh->nlmsg_type == RTM_NEWROUTE && !nl_route_parse(nlh, &k) &&
	    (!d->own_unread || k.protocol == FIB_PROTO))
		fib_dump_route(d, &k);
	return d->failed ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Sends nlh and reads until its answer (a dump's end, or the ack).
 * Returns 0 or the kernel's -errno. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned port = mnl_socket_get_portid(nl), seq = nlh->nlmsg_seq;
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, n, seq, port, cb, data);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *route_msg(char *buf, int type, int flags, uint8_t family,
				  uint8_t len, const uint8_t *dst)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = time(NULL) ^ getpid() ^ (len << 16);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = FIB_PROTO;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (dst)
		mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, dst);
	return nlh;
}

/* The main table into d; with d->own_unread (the others' routes handed
 * in already) ecmpd's own alone: a dump of a full table for a few of them
 * costs a second of messages, so the kernel filters it by table, protocol
 * and type (route_msg sets them) with strict checking on, and sends only
 * those after a walk of its own trie. on_route keeps nothing else, should
 * a kernel not filter. */
static int dump_main(struct mnl_socket *nl, struct fib_dump *d)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int fd = mnl_socket_get_fd(nl), on = 1, off = 0, err = 0;
	unsigned i;

	if (d->own_unread &&
	    setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof(on)))
		return -errno;
	for (i = 0; i < 2 && !err; i++)
		err = talk(nl, route_msg(buf, RTM_GETROUTE, NLM_F_DUMP, families[i], 0, NULL),
			   on_route, d);
	if (d->own_unread)
		setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &off, sizeof(off));
	return err;
}

/* The nexthop key of the last config group and family wanted() made:
 * a config's routes come a group at a time, and a key is four
 * formatted addresses and a sort. */
struct wanted_key {
	int group;		/* -1: none yet */
	uint8_t family;
	char key[FIB_NH_KEY];
};

/* The route ecmpd wants for config route r: its nexthops, or an empty
 * key when no member can be used by the kernel (r->nh points into
 * last). */
static void wanted(const struct ecmp_conf *conf, const int *ifx,
		   const struct conf_route *cr, struct fib_route *r,
		   struct wanted_key *last)
{
	const struct conf_group *g = &conf->group[cr->group];
	char entries[ECMP_MAX_GROUP_MEMBERS][64];
	int i, n = 0;

	memset(r, 0, sizeof(*r));
	r->family = cr->family == ECMP_AF_INET ? AF_INET : AF_INET6;
	r->len = cr->prefixlen;
	memcpy(r->dst, cr->addr, 16);
	r->proto = FIB_PROTO;
	r->nh = last->key;
	if (last->group == cr->group && last->family == cr->family)
		return;
	for (i = 0; i < g->nmembers; i++) {
		const struct conf_nexthop *nh = &conf->nexthop[g->member[i]];
		int ifindex = ifx[g->member[i]];

		if (nh->family != cr->family || nh->vlan || !ifindex)
			continue;
		nh_entry(entries[n++], ifindex, r->family, nh->via, nh->weight - 1);
	}
	nh_key(last->key, entries, n);
	last->group = cr->group;
	last->family = cr->family;
}

/* Routes by prefix (a hash, not a scan: a table can hold a million), the
 * leaf being the index in the dump. */
static struct lpm_route set_key(uint8_t family, uint8_t len, const uint8_t *dst)
{
	struct lpm_route k = { .family = family == AF_INET ? ECMP_AF_INET : ECMP_AF_INET6,
			       .prefixlen = len };

	memcpy(k.addr, dst, 16);
	return k;
}

static const struct fib_route *find(const struct fib_dump *d,
				    const struct route_set *set, const struct fib_route *w)
{
	struct lpm_route k = set_key(w->family, w->len, w->dst);
	const struct lpm_route *hit = set ? route_set_get(set, &k) : NULL;

	return hit ? &d->r[hit->leaf] : NULL;
}

/* ours: the FIB_PROTO routes, others: the rest. */
static int index_dump(const struct fib_dump *d, struct route_set **ours,
		      struct route_set **others)
{
	int i, err = 0;

	*ours = route_set_new();
	*others = route_set_new();
	if (!*ours || !*others)
		return -ENOMEM;
	for (i = 0; i < d->n && !err; i++) {
		struct lpm_route k = set_key(d->r[i].family, d->r[i].len, d->r[i].dst);

		k.leaf = i;
		err = route_set_put(d->r[i].proto == FIB_PROTO ? *ours : *others, &k);
	}
	return err;
}

/* The prefixes of the record ("ADDR/LEN" lines) as a set. */
static struct route_set *record_set(const char *rec)
{
	struct route_set *set = route_set_new();
	const char *line = rec;

	while (set && line && *line) {
		const char *end = strchr(line, '\n');
		char buf[64], *slash;
		uint8_t addr[16] = { 0 };
		size_t n = end ? (size_t)(end - line) : strlen(line);

		if (n < sizeof(buf)) {
			memcpy(buf, line, n);
			buf[n] = 0;
			slash = strchr(buf, '/');
			if (slash) {
				int fam = strchr(buf, ':') ? AF_INET6 : AF_INET;

				*slash = 0;
				if (inet_pton(fam, buf, addr) == 1) {
					struct lpm_route k = set_key(fam, atoi(slash + 1), addr);

					route_set_put(set, &k);
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	return set;
}

/*
 * Route requests go in batches: many messages in one send, then their
 * acks, read by sequence number. One request and one wait per route would
 * make a table of 100,000 routes take seconds the control socket waits.
 */
#define BATCH_BYTES	(64 * 1024)
#define BATCH_MAX	1024		/* messages in flight */
/*
 * Every request's ack waits in the socket's receive buffer until the
 * batch is read back, and the kernel drops the acks past it (ENOBUFS):
 * the batch's fate is then unknown. An ack is a buffer of its own, under
 * 1 KiB of the socket's budget however small the message (NETLINK_CAP_ACK
 * keeps the request out of it); the buffer is asked to hold a full batch
 * of them, and a batch is cut to what it really got.
 */
#define ACK_COST	1024
#define ACK_RCVBUF	(2 * BATCH_MAX * ACK_COST)

struct batch {
	struct mnl_socket *nl;
	size_t len;
	uint32_t seq0, n, max;
	int done, refused;
	char what[BATCH_MAX][64];	/* the route of each message, for errors */
	int tolerate[BATCH_MAX];	/* an errno that is no failure (-ESRCH) */
	char buf[BATCH_BYTES];
};

static int batch_flush(struct batch *b)
{
	char rx[MNL_SOCKET_BUFFER_SIZE];
	uint32_t answered = 0;

	if (!b->n)
		return 0;
	if (mnl_socket_sendto(b->nl, b->buf, b->len) < 0)
		return -errno;
	while (answered < b->n) {
		ssize_t got = mnl_socket_recvfrom(b->nl, rx, sizeof(rx));
		const struct nlmsghdr *h = (const void *)rx;
		int left = got;

		if (got < 0)
			return -errno;
		for (; mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			uint32_t i = h->nlmsg_seq - b->seq0;

			if (h->nlmsg_type != NLMSG_ERROR || i >= b->n)
				continue;
			answered++;
			if (!e->error || e->error == b->tolerate[i]) {
				b->done++;
			} else if (b->refused++ < 5) {
				pr_warn("kernel FIB: %s: %s", b->what[i], strerror(-e->error));
			}
		}
	}
	b->seq0 += b->n;
	b->n = 0;
	b->len = 0;
	return 0;
}

/* A message at the end of the batch (flushed first when full). */
static struct nlmsghdr *batch_msg(struct batch *b, int type, int flags, uint8_t family,
				  uint8_t len, const uint8_t *dst)
{
	struct nlmsghdr *nlh;

	if ((b->len + 4096 > BATCH_BYTES || b->n == b->max) && batch_flush(b))
		return NULL;
	nlh = route_msg(b->buf + b->len, type, flags | NLM_F_ACK, family, len, dst);
	nlh->nlmsg_seq = b->seq0 + b->n;
	return nlh;
}

static void batch_commit(struct batch *b, const struct nlmsghdr *nlh, const char *what,
			 int tolerate)
{
	snprintf(b->what[b->n], sizeof(b->what[0]), "%s", what);
	b->tolerate[b->n] = tolerate;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	b->n++;
}

static int install(struct batch *b, const struct ecmp_conf *conf, const int *ifx,
		   const struct conf_route *cr, const struct fib_route *w, int replace,
		   const char *what)
{
	const struct conf_group *g = &conf->group[cr->group];
	struct nlmsghdr *nlh = batch_msg(b, RTM_NEWROUTE, NLM_F_CREATE |
					 (replace ? NLM_F_REPLACE : NLM_F_EXCL),
					 w->family, w->len, w->dst);
	struct nlattr *mp;
	int i;

	if (!nlh)
		return -EIO;
	mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	for (i = 0; i < g->nmembers; i++) {
		const struct conf_nexthop *nh = &conf->nexthop[g->member[i]];
		int ifindex = ifx[g->member[i]];
		struct rtnexthop *rtnh;

		if (nh->family != cr->family || nh->vlan || !ifindex)
			continue;
		rtnh = mnl_nlmsg_get_payload_tail(nlh);
		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*rtnh));
		memset(rtnh, 0, sizeof(*rtnh));
		rtnh->rtnh_hops = nh->weight - 1;
		rtnh->rtnh_ifindex = ifindex;
		mnl_attr_put(nlh, RTA_GATEWAY, w->family == AF_INET ? 4 : 16, nh->via);
		rtnh->rtnh_len = (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)rtnh;
	}
	mnl_attr_nest_end(nlh, mp);
	batch_commit(b, nlh, what, 0);
	return 0;
}

static int delete(struct batch *b, const struct fib_route *r, const char *what)
{
	struct nlmsghdr *nlh = batch_msg(b, RTM_DELROUTE, 0, r->family, r->len, r->dst);

	if (!nlh)
		return -EIO;
	batch_commit(b, nlh, what, -ESRCH);	/* gone already: fine */
	return 0;
}

static struct batch *batch_new(struct mnl_socket *nl)
{
	struct batch *b = calloc(1, sizeof(*b));
	int rcvbuf = 0;
	socklen_t len = sizeof(rcvbuf);

	if (!b)
		return NULL;
	b->nl = nl;
	b->seq0 = time(NULL) ^ getpid() << 8;
	b->max = BATCH_MAX;
	if (!getsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len) &&
	    rcvbuf / ACK_COST < BATCH_MAX)
		b->max = rcvbuf / ACK_COST > 16 ? rcvbuf / ACK_COST : 16;
	return b;
}

static void prefix_text(const struct fib_route *r, char *buf, size_t len)
{
	text_prefix(r->family == AF_INET ? ECMP_AF_INET : ECMP_AF_INET6, r->dst, r->len, buf, len);
}

static char *read_record(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&text, &len, 0, f) < 0) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

/* A socket for batches of requests: room for their acks (batch_new()
 * cuts a batch to what it got), acks without the requests in them. */
static struct mnl_socket *open_rtnl(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int fd, on = 1;

	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	if (!nl)
		return NULL;
	fd = mnl_socket_get_fd(nl);
	nl_fd_set_rcvbuf(fd, ACK_RCVBUF);	/* batch_new() takes what it got */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(on));
	return nl;
}

/* The config's routed prefixes, keyed as set_key() keys the dump. */
static struct route_set *config_prefixes(const struct ecmp_conf *conf)
{
	struct route_set *set = route_set_new();
	int i;

	for (i = 0; set && i < conf->nroute; i++) {
		struct lpm_route k = { .family = conf->route[i].family,
				       .prefixlen = conf->route[i].prefixlen };

		memcpy(k.addr, conf->route[i].addr, 16);
		if (route_set_put(set, &k)) {
			route_set_free(set);
			return NULL;
		}
	}
	return set;
}

struct fib_dump *fib_dump_new(const struct ecmp_conf *conf)
{
	struct fib_dump *d = calloc(1, sizeof(*d));

	if (d && !(d->prefixes = config_prefixes(conf))) {
		free(d);
		return NULL;
	}
	return d;
}

void fib_dump_done(struct fib_dump *d)
{
	if (d)
		d->done = !d->failed;
}

void fib_dump_others_done(struct fib_dump *d)
{
	if (d) {
		d->done = !d->failed;
		d->own_unread = 1;
	}
}

/* What a dump holds, not the dump itself. */
static void dump_release(struct fib_dump *d)
{
	route_set_free(d->prefixes);
	keys_free(&d->keys);
	free(d->r);
}

void fib_dump_free(struct fib_dump *d)
{
	if (!d)
		return;
	dump_release(d);
	free(d);
}

/* Whether conf has a route for the kernel's FIB (one with a group). */
static int wants_any(const struct ecmp_conf *conf)
{
	int i;

	for (i = 0; i < conf->nroute; i++)
		if (conf->route[i].group >= 0)
			return 1;
	return 0;
}

/* Whether the record (read_record's text, or NULL) lists a prefix. */
static int record_names_any(const char *rec)
{
	return rec && rec[strspn(rec, " \t\n")];
}

int fib_sync(const struct ecmp_conf *conf, const char *record, struct fib_dump *seen)
{
	struct mnl_socket *nl = open_rtnl();
	struct fib_dump *own = NULL, *d = seen;
	struct route_set *ours = NULL, *others = NULL, *owned_before = NULL;
	struct batch *b = NULL;
	char *rec = read_record(record), *owned = NULL, *keep = NULL, first_bad[64] = "";
	int *ifx = calloc(conf->nnexthop ? conf->nnexthop : 1, sizeof(*ifx));
	struct wanted_key *last = malloc(sizeof(*last));
	size_t owned_len = 0;
	FILE *out = NULL;
	int i, err = 0, changed = 0, bad = 0, left = 0;

	if (last)
		last->group = -1;
	if (!nl || !ifx || !last) {
		err = nl ? -ENOMEM : -errno;
		goto out;
	}
	if (!wants_any(conf) && !record_names_any(rec)) {
		/* Nothing to install, nothing of ours to remove: a dump
		 * of a full table (seconds) would find nothing to do. */
		pr_debug("kernel FIB: no config routes and none recorded in %s: the main table not read",
			 record);
		goto out;
	}
	for (i = 0; i < conf->nnexthop; i++)
		ifx[i] = if_nametoindex(conf->nexthop[i].dev);
	if (seen && seen->done && seen->own_unread) {
		int others = seen->n;

		err = dump_main(nl, seen);
		if (!err && !seen->failed)
			pr_debug("kernel FIB: %d routes of other protocols at config prefixes as the mirror holds them, %d of ecmpd's read (a dump the kernel filters)",
				 others, seen->n - others);
		else
			pr_debug("kernel FIB: ecmpd's own routes not read alone (%s): the main table read",
				 err ? strerror(-err) : "out of memory");
		if (err || seen->failed)
			seen = NULL;	/* the whole table below */
		err = 0;
	}
	if (!seen || !seen->done) {
		own = fib_dump_new(conf);
		err = own ? dump_main(nl, own) : -ENOMEM;
		d = own;
	} else if (!seen->own_unread) {
		pr_debug("kernel FIB: the main table as the routes kernel read saw it (%d routes ecmpd's or at config prefixes); not read again",
			 d->n);
	}
	if (err) {
		pr_warn("Failed to read the kernel's routes: %s; config routes not installed in the FIB",
			strerror(-err));
		goto out;
	}
	keep = calloc(d->n ? d->n : 1, 1);
	out = open_memstream(&owned, &owned_len);
	b = batch_new(nl);
	err = keep && out && b ? index_dump(d, &ours, &others) : -ENOMEM;
	if (!err && !(owned_before = record_set(rec)))
		err = -ENOMEM;
	if (err)
		goto out;
	for (i = 0; i < conf->nroute; i++) {
		const struct conf_route *cr = &conf->route[i];
		const struct fib_route *have, *other;
		struct fib_route w;
		char p[64];

		if (cr->group < 0)
			continue;
		wanted(conf, ifx, cr, &w, last);
		other = find(d, others, &w);
		have = find(d, ours, &w);
		if (have)
			keep[have - d->r] = 1;
		if (other) {
			if (!left++) {
				prefix_text(&w, p, sizeof(p));
				pr_info("route %s: the kernel routes it already (protocol %u, not ecmpd's): left as it is",
					p, other->proto);
			}
			continue;
		}
		if (!w.nh[0]) {
			if (!bad++)
				prefix_text(&w, first_bad, sizeof(first_bad));
			continue;
		}
		prefix_text(&w, p, sizeof(p));
		fprintf(out, "%s\n", p);
		if (have && !strcmp(have->nh, w.nh))
			continue;
		err = install(b, conf, ifx, cr, &w, have != NULL, p);
		if (err)
			break;
	}
	if (left > 1)
		pr_info("%d more config routes the kernel routes already: left as they are", left - 1);
	if (bad)
		pr_warn("%d config routes (%s first) have no nexthop the kernel's route can use (other family, VLAN): frames passed to the kernel will not find them",
			bad, first_bad);
	for (i = 0; i < d->n; i++) {
		struct lpm_route k = set_key(d->r[i].family, d->r[i].len, d->r[i].dst);
		char p[64];

		if (d->r[i].proto != FIB_PROTO || keep[i] || !route_set_get(owned_before, &k))
			continue;	/* wanted, or another instance's */
		prefix_text(&d->r[i], p, sizeof(p));
		if (!err)
			err = delete(b, &d->r[i], p);
	}
	if (!err)
		err = batch_flush(b);
	if (err)
		pr_warn("kernel FIB: requests failed: %s; the routes may be partly installed",
			strerror(-err));
	changed = b->done;
	if (b->refused)
		pr_warn("kernel FIB: %d requests refused (the first ones logged above)", b->refused);
	err = 0;
	if (changed)
		pr_info("kernel FIB: %d routes of protocol %d changed", changed, FIB_PROTO);
out:
	if (out) {
		fclose(out);
		if (!err) {
			FILE *f = fopen(record, "w");

			if (!f || fputs(owned ? owned : "", f) < 0)
				pr_warn("Failed to write %s: %s; --detach will not know this instance's kernel routes",
					record, strerror(errno));
			if (f)
				fclose(f);
		}
	}
	route_set_free(ours);
	route_set_free(others);
	route_set_free(owned_before);
	fib_dump_free(own);
	free(owned);
	free(keep);
	free(rec);
	free(ifx);
	free(last);
	free(b);
	if (nl)
		mnl_socket_close(nl);
	return err ? err : changed;
}

int fib_remove(const char *record)
{
	struct mnl_socket *nl;
	struct fib_dump d = { 0 };
	char *rec = read_record(record);
	struct route_set *owned;
	struct batch *b = NULL;
	int i, err, removed = 0;

	if (!rec)
		return 0;	/* nothing installed */
	owned = record_set(rec);
	nl = open_rtnl();
	b = nl ? batch_new(nl) : NULL;
	if (!nl || !owned || !b) {
		err = nl ? -ENOMEM : -errno;
		goto out;
	}
	err = dump_main(nl, &d);
	for (i = 0; !err && i < d.n; i++) {
		struct lpm_route k = set_key(d.r[i].family, d.r[i].len, d.r[i].dst);
		char p[64];

		if (d.r[i].proto != FIB_PROTO || !route_set_get(owned, &k))
			continue;
		prefix_text(&d.r[i], p, sizeof(p));
		err = delete(b, &d.r[i], p);
	}
	if (!err)
		err = batch_flush(b);
	removed = b->done;
	if (!err)
		unlink(record);
out:
	route_set_free(owned);
	free(b);
	free(rec);
	dump_release(&d);
	if (nl)
		mnl_socket_close(nl);
	return err ? err : removed;
}
