// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Line-oriented parser: one statement per line, '#' starts a comment, words
 * separated by blanks. Each statement is checked on its own as it is read;
 * references between statements (group -> nexthop, route -> group) and
 * limits are checked once the whole file is read, so statements may come in
 * any order. Errors do not stop the parse: every error is listed.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include "config.h"
#include "lib/lpm.h"
#include "lib/text.h"

#define MAX_WORDS 96

/* References resolved once the whole file is read. */
struct pending_member {
	int group;
	char name[ECMP_NAME_MAX];
	int line;
};

struct pending_route {
	int route;
	char group[ECMP_NAME_MAX];
};

struct parser {
	struct ecmp_conf *conf;
	const char *file;
	int line;
	char *w[MAX_WORDS];
	int nw;
	struct pending_member *pending;
	int npending, cap_pending;
	struct pending_route *proutes;
	int nproutes, cap_proutes;
	/* Nexthops and groups whose line was refused: a reference to one is
	 * not reported again as unknown (the first cause only). */
	struct failed_name {
		char kind;	/* 'n' nexthop, 'g' group */
		char name[ECMP_NAME_MAX];
	} *failed;
	int nfailed, cap_failed;
};

static void conf_error(struct ecmp_conf *conf, const char *file, int line,
		       const char *fmt, ...)
{
	char msg[512], *out;
	va_list ap;
	int n;

	if (conf->nerror >= CONF_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = line > 0 ? snprintf(NULL, 0, "%s:%d: %s", file, line, msg) :
		       snprintf(NULL, 0, "%s: %s", file, msg);
	out = malloc(n + 1);
	if (!out)
		return;
	if (line > 0)
		snprintf(out, n + 1, "%s:%d: %s", file, line, msg);
	else
		snprintf(out, n + 1, "%s: %s", file, msg);
	conf->error_line[conf->nerror] = line;
	conf->error[conf->nerror++] = out;
}

/* Line order, stable; errors about the whole file (line 0) last. */
static void sort_errors(struct ecmp_conf *conf)
{
	int i, j;

	for (i = 1; i < conf->nerror; i++) {
		char *e = conf->error[i];
		int line = conf->error_line[i];
		unsigned key = line > 0 ? (unsigned)line : ~0u;

		for (j = i; j > 0; j--) {
			int l = conf->error_line[j - 1];

			if ((l > 0 ? (unsigned)l : ~0u) <= key)
				break;
			conf->error[j] = conf->error[j - 1];
			conf->error_line[j] = l;
		}
		conf->error[j] = e;
		conf->error_line[j] = line;
	}
}

#define perr(p, ...) conf_error((p)->conf, (p)->file, (p)->line, __VA_ARGS__)

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Seconds, fractions allowed ("0.5"), into milliseconds. */
static int parse_seconds(const char *s, uint32_t *ms)
{
	char *end;
	double v;

	if (!s || !(isdigit((unsigned char)*s) || *s == '.'))
		return -EINVAL;
	v = strtod(s, &end);
	if (*end || !isfinite(v) || v < 0 || v > 86400)
		return -EINVAL;
	*ms = (uint32_t)llround(v * 1000);
	return 0;
}

static int valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= ECMP_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return 0;
	return 1;
}

/* "ADDR" into family + bytes. Returns 0 or -EINVAL. */
static int parse_addr(const char *s, uint8_t *family, uint8_t *addr)
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = ECMP_AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = ECMP_AF_INET6;
		return 0;
	}
	return -EINVAL;
}

static const char *words_after(struct parser *p, int from)
{
	static char buf[256];
	size_t off = 0;
	int i;

	/* Cut at the buffer: a message, not the whole line, is the point. */
	buf[0] = 0;
	for (i = from; i < p->nw && off < sizeof(buf) - 1; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s", p->w[i],
				i + 1 < p->nw ? " " : "");
	return buf;
}

static void *grow(void *arr, int *cap, int need, size_t elem)
{
	void *n;
	int c = *cap ? *cap : 16;

	if (need <= *cap)
		return arr;
	while (c < need)
		c *= 2;
	n = realloc(arr, (size_t)c * elem);
	if (!n)
		return NULL;
	memset((char *)n + (size_t)*cap * elem, 0, (size_t)(c - *cap) * elem);
	*cap = c;
	return n;
}

/* ---- statements ---- */

static void st_seed(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	const char *s = p->nw == 2 ? p->w[1] : NULL;
	char hi[17], lo[17];
	int i;

	if (!s) {
		perr(p, "seed: expected 'seed auto' or 'seed 0x' followed by 32 hex digits");
		return;
	}
	c->seed_set = 1;
	if (!strcmp(s, "auto")) {
		c->seed_auto = 1;
		return;
	}
	if (strncmp(s, "0x", 2) || strlen(s) != 34) {
		perr(p, "seed: '%s' is not 0x followed by 32 hex digits (128 bits)", s);
		return;
	}
	for (i = 2; i < 34; i++)
		if (!isxdigit((unsigned char)s[i])) {
			perr(p, "seed: '%c' is not a hex digit", s[i]);
			return;
		}
	memcpy(hi, s + 2, 16);
	hi[16] = 0;
	memcpy(lo, s + 18, 16);
	lo[16] = 0;
	c->seed[0] = strtoull(hi, NULL, 16);
	c->seed[1] = strtoull(lo, NULL, 16);
	c->seed_auto = 0;
}

static void st_hash(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	uint32_t f;
	int i;

	if (p->nw < 2) {
		perr(p, "hash: expected 'hash l3|l4 [symmetric] [flowlabel] [inner]'");
		return;
	}
	if (!strcmp(p->w[1], "l4")) {
		f = ECMP_HASH_L4;
	} else if (!strcmp(p->w[1], "l3")) {
		f = 0;
	} else {
		perr(p, "hash: unknown policy '%s'; use l3 or l4", p->w[1]);
		return;
	}
	for (i = 2; i < p->nw; i++) {
		if (!strcmp(p->w[i], "symmetric"))
			f |= ECMP_HASH_SYMMETRIC;
		else if (!strcmp(p->w[i], "flowlabel"))
			f |= ECMP_HASH_FLOWLABEL;
		else if (!strcmp(p->w[i], "inner"))
			f |= ECMP_HASH_INNER;
		else
			perr(p, "hash: unknown flag '%s'; flags are symmetric, flowlabel, inner",
			     p->w[i]);
	}
	if ((f & ECMP_HASH_SYMMETRIC) && (f & ECMP_HASH_FLOWLABEL))
		perr(p, "hash: symmetric and flowlabel exclude each other (the two directions of a flow carry different labels)");
	c->hash_flags = f;
}

static void st_interface(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	struct conf_iface *ifc;
	const char *mode = p->nw > 2 ? p->w[2] : "xdp";
	const char *sub = p->nw > 3 ? p->w[3] : NULL;
	int i;

	if (p->nw < 2 || p->nw > 4) {
		perr(p, "interface: expected 'interface IFNAME [xdp [native|generic|skb] | tc [ingress|egress] | attach none]'");
		return;
	}
	if (strlen(p->w[1]) >= IF_NAMESIZE) {
		perr(p, "interface: name '%s' is longer than %d characters", p->w[1],
		     IF_NAMESIZE - 1);
		return;
	}
	if (c->niface == CONF_MAX_IFACES) {
		perr(p, "interface: more than %d interfaces", CONF_MAX_IFACES);
		return;
	}
	ifc = &c->iface[c->niface];
	if (!strcmp(mode, "xdp")) {
		if (!sub || !strcmp(sub, "native"))
			ifc->attach = ATTACH_XDP_NATIVE;
		else if (!strcmp(sub, "generic") || !strcmp(sub, "skb"))
			ifc->attach = ATTACH_XDP_GENERIC;
		else {
			perr(p, "interface %s: unknown XDP mode '%s'; use native, generic or skb",
			     p->w[1], sub);
			return;
		}
	} else if (!strcmp(mode, "attach") && sub && !strcmp(sub, "none")) {
		ifc->attach = ATTACH_NONE;
	} else if (!strcmp(mode, "tc")) {
		if (!sub || !strcmp(sub, "ingress"))
			ifc->attach = ATTACH_TC_INGRESS;
		else if (!strcmp(sub, "egress"))
			ifc->attach = ATTACH_TC_EGRESS;
		else {
			perr(p, "interface %s: unknown tc hook '%s'; use ingress or egress",
			     p->w[1], sub);
			return;
		}
	} else {
		perr(p, "interface %s: unknown mode '%s'; use 'xdp [native|generic|skb]' or 'attach none'",
		     p->w[1], words_after(p, 2));
		return;
	}
	/* Each hook once per interface: XDP (or attach none), tc ingress,
	 * tc egress. XDP and tc ingress together is useful: tc forwards what
	 * XDP passes (frames whose checksum a local sender left to offload). */
	for (i = 0; i < c->niface; i++) {
		enum conf_attach a = c->iface[i].attach, b = ifc->attach;
		int xa = a != ATTACH_TC_INGRESS && a != ATTACH_TC_EGRESS;
		int xb = b != ATTACH_TC_INGRESS && b != ATTACH_TC_EGRESS;

		if (strcmp(c->iface[i].name, p->w[1]) || (xa != xb) ||
		    (!xa && a != b))
			continue;
		perr(p, "interface %s: %s already declared on line %d", p->w[1],
		     xb ? "its XDP hook" : b == ATTACH_TC_EGRESS ? "tc egress" :
		     "tc ingress", c->iface[i].line);
		return;
	}
	snprintf(ifc->name, sizeof(ifc->name), "%s", p->w[1]);
	ifc->line = p->line;
	c->niface++;
}

/* The options after 'bfd' from word i on: timers everywhere, auth on a
 * nexthop (nh != NULL), admin-down-on-exit globally. Returns the index of
 * the first word that is not a bfd option, or -1 after an error. */
static int parse_bfd_options(struct parser *p, int i, uint32_t *interval,
			     uint32_t *mult, struct conf_nexthop *nh)
{
	for (; i < p->nw; i += 2) {
		const char *k = p->w[i], *v = i + 1 < p->nw ? p->w[i + 1] : NULL;

		if (!nh && !strcmp(k, "admin-down-on-exit")) {
			p->conf->bfd_admin_down_on_exit = 1;
			i--;
			continue;
		}
		if (strcmp(k, "interval") && strcmp(k, "multiplier") &&
		    (!nh || (strcmp(k, "auth") && strcmp(k, "key-id") && strcmp(k, "secret"))))
			break;
		if (!v) {
			perr(p, "bfd: '%s' needs a value", k);
			return -1;
		}
		if (!strcmp(k, "interval")) {
			if (parse_u32(v, 10, 60000, interval)) {
				perr(p, "bfd: interval '%s' is not a number of milliseconds from 10 to 60000", v);
				return -1;
			}
		} else if (!strcmp(k, "multiplier")) {
			if (parse_u32(v, 1, 255, mult)) {
				perr(p, "bfd: multiplier '%s' is not from 1 to 255", v);
				return -1;
			}
		} else if (!strcmp(k, "auth")) {
			if (!strcmp(v, "sha1")) {
				nh->bfd_key.type = BFD_AUTH_KEYED_SHA1;
			} else if (!strcmp(v, "meticulous-sha1")) {
				nh->bfd_key.type = BFD_AUTH_METICULOUS_SHA1;
			} else {
				perr(p, "bfd: auth '%s' is not sha1 or meticulous-sha1", v);
				return -1;
			}
		} else if (!strcmp(k, "key-id")) {
			uint32_t id;

			if (parse_u32(v, 0, 255, &id)) {
				perr(p, "bfd: key-id '%s' is not from 0 to 255", v);
				return -1;
			}
			nh->bfd_key.key_id = id;
		} else {
			if (v[0] != '/' || strlen(v) >= sizeof(nh->bfd_secret_path)) {
				perr(p, "bfd: secret '%s' must be an absolute path shorter than %zu",
				     v, sizeof(nh->bfd_secret_path));
				return -1;
			}
			snprintf(nh->bfd_secret_path, sizeof(nh->bfd_secret_path), "%s", v);
		}
	}
	return i;
}

/* bfd dev IFNAME [interval MS] [multiplier N] */
static void st_bfd_dev(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	struct conf_bfd_dev r = { .line = p->line };
	int i, end;

	if (p->nw < 3 || strlen(p->w[2]) >= sizeof(r.dev)) {
		perr(p, "bfd dev: expected 'bfd dev IFNAME [interval MS] [multiplier N]'");
		return;
	}
	snprintf(r.dev, sizeof(r.dev), "%s", p->w[2]);
	for (i = 3; i < p->nw; i++)
		if (!strcmp(p->w[i], "admin-down-on-exit")) {
			perr(p, "bfd dev %s: admin-down-on-exit is ecmpd's, on a 'bfd' line of its own",
			     r.dev);
			return;
		}
	end = parse_bfd_options(p, 3, &r.interval_ms, &r.multiplier, NULL);
	if (end < 0)
		return;
	if (end != p->nw) {
		perr(p, "bfd dev %s: expected [interval MS] [multiplier N], got '%s'", r.dev,
		     words_after(p, end));
		return;
	}
	for (i = 0; i < c->nbfd_dev; i++)
		if (!strcmp(c->bfd_dev[i].dev, r.dev)) {
			perr(p, "bfd dev %s: given twice (first at line %d)", r.dev, c->bfd_dev[i].line);
			return;
		}
	if (c->nbfd_dev == CONF_MAX_BFD_DEVS) {
		perr(p, "bfd dev: more than %d interfaces", CONF_MAX_BFD_DEVS);
		return;
	}
	c->bfd_dev[c->nbfd_dev++] = r;
}

static void st_bfd(struct parser *p)
{
	int end;

	if (p->nw >= 2 && !strcmp(p->w[1], "dev")) {
		st_bfd_dev(p);
		return;
	}
	end = parse_bfd_options(p, 1, &p->conf->bfd_interval_ms, &p->conf->bfd_multiplier, NULL);
	if (end >= 0 && end != p->nw)
		perr(p, "bfd: expected 'bfd [interval MS] [multiplier N] [admin-down-on-exit]' or "
		     "'bfd dev IFNAME [interval MS] [multiplier N]', got '%s'", words_after(p, end));
}

static void st_pin_root(struct parser *p)
{
	if (p->nw != 2 || p->w[1][0] != '/' ||
	    strlen(p->w[1]) >= sizeof(p->conf->pin_root)) {
		perr(p, "pin-root: expected an absolute path under a bpffs mount, e.g. /sys/fs/bpf/ecmp");
		return;
	}
	snprintf(p->conf->pin_root, sizeof(p->conf->pin_root), "%s", p->w[1]);
}

static void st_nexthop(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	struct conf_nexthop nh = { .weight = 1, .line = p->line };
	int i, have_via = 0, have_dev = 0;

	if (p->nw < 2 || !valid_name(p->w[1])) {
		perr(p, "nexthop: expected 'nexthop NAME via ADDR dev IFNAME [weight N] [vlan VID] [bfd ...]'; NAME is 1-31 of A-Z a-z 0-9 _ . -");
		return;
	}
	snprintf(nh.name, sizeof(nh.name), "%s", p->w[1]);
	for (i = 2; i < p->nw; i++) {
		const char *k = p->w[i], *v = i + 1 < p->nw ? p->w[i + 1] : NULL;

		if (!strcmp(k, "bfd")) {
			int end = parse_bfd_options(p, i + 1, &nh.bfd_interval_ms,
						    &nh.bfd_multiplier, &nh);

			if (end < 0)
				return;
			nh.bfd = 1;
			i = end - 1;
			continue;
		}
		if (!v) {
			perr(p, "nexthop %s: '%s' needs a value", nh.name, k);
			return;
		}
		if (!strcmp(k, "via")) {
			if (parse_addr(v, &nh.family, nh.via)) {
				perr(p, "nexthop %s: '%s' is not an IPv4 or IPv6 address", nh.name, v);
				return;
			}
			have_via = 1;
		} else if (!strcmp(k, "dev")) {
			if (strlen(v) >= IF_NAMESIZE) {
				perr(p, "nexthop %s: interface name '%s' is too long", nh.name, v);
				return;
			}
			snprintf(nh.dev, sizeof(nh.dev), "%s", v);
			have_dev = 1;
		} else if (!strcmp(k, "weight")) {
			if (parse_u32(v, 1, CONF_MAX_WEIGHT, &nh.weight)) {
				perr(p, "nexthop %s: weight '%s' is not from 1 to %d", nh.name, v,
				     CONF_MAX_WEIGHT);
				return;
			}
		} else if (!strcmp(k, "vlan")) {
			uint32_t vid;

			if (parse_u32(v, 1, 4094, &vid)) {
				perr(p, "nexthop %s: vlan '%s' is not from 1 to 4094", nh.name, v);
				return;
			}
			nh.vlan = vid;
		} else {
			perr(p, "nexthop %s: unknown option '%s'; options are via, dev, weight, vlan, bfd",
			     nh.name, k);
			return;
		}
		i++;
	}
	if (!have_via || !have_dev) {
		perr(p, "nexthop %s: needs both 'via ADDR' and 'dev IFNAME'", nh.name);
		return;
	}
	if (!nh.bfd_key.type != !nh.bfd_secret_path[0]) {
		perr(p, "nexthop %s: bfd auth needs both 'auth sha1|meticulous-sha1' and 'secret FILE'",
		     nh.name);
		return;
	}
	i = config_find_nexthop(c, nh.name);
	if (i >= 0) {
		perr(p, "nexthop %s: already defined on line %d", nh.name, c->nexthop[i].line);
		return;
	}
	c->nexthop = grow(c->nexthop, &c->cap_nexthop, c->nnexthop + 1, sizeof(nh));
	if (!c->nexthop) {
		perr(p, "out of memory");
		return;
	}
	c->nexthop[c->nnexthop++] = nh;
}

static void st_group(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	struct conf_group g = { .buckets = ECMP_DEFAULT_BUCKETS,
				.idle_timer_ms = 1000,
				.unbalanced_timer_ms = 10000, .line = p->line };
	int i, in_list = 0, gi;

	if (p->nw < 2 || !valid_name(p->w[1])) {
		perr(p, "group: expected 'group NAME [buckets N] [idle_timer S] [unbalanced_timer S] nexthops NAME...'");
		return;
	}
	snprintf(g.name, sizeof(g.name), "%s", p->w[1]);
	gi = config_find_group(c, g.name);
	if (gi >= 0) {
		perr(p, "group %s: already defined on line %d", g.name, c->group[gi].line);
		return;
	}
	gi = c->ngroup;
	for (i = 2; i < p->nw; i++) {
		const char *k = p->w[i], *v = i + 1 < p->nw ? p->w[i + 1] : NULL;

		if (in_list) {
			if (g.nmembers == ECMP_MAX_GROUP_MEMBERS) {
				perr(p, "group %s: more than %d nexthops", g.name, ECMP_MAX_GROUP_MEMBERS);
				return;
			}
			p->pending = grow(p->pending, &p->cap_pending,
					  p->npending + 1, sizeof(*p->pending));
			if (!p->pending) {
				perr(p, "out of memory");
				return;
			}
			p->pending[p->npending].group = gi;
			p->pending[p->npending].line = p->line;
			snprintf(p->pending[p->npending].name, ECMP_NAME_MAX, "%s", k);
			p->npending++;
			g.nmembers++;
			continue;
		}
		if (!strcmp(k, "nexthops")) {
			in_list = 1;
			continue;
		}
		if (!v) {
			perr(p, "group %s: '%s' needs a value", g.name, k);
			return;
		}
		if (!strcmp(k, "buckets")) {
			if (parse_u32(v, ECMP_MIN_BUCKETS, ECMP_MAX_BUCKETS, &g.buckets) ||
			    (g.buckets & (g.buckets - 1))) {
				perr(p, "group %s: buckets '%s' is not a power of two from 1 to %u",
				     g.name, v, ECMP_MAX_BUCKETS);
				return;
			}
		} else if (!strcmp(k, "idle_timer") || !strcmp(k, "idle-timer")) {
			if (parse_seconds(v, &g.idle_timer_ms)) {
				perr(p, "group %s: idle_timer '%s' is not a number of seconds", g.name, v);
				return;
			}
		} else if (!strcmp(k, "unbalanced_timer") ||
			   !strcmp(k, "unbalanced-timer")) {
			if (parse_seconds(v, &g.unbalanced_timer_ms)) {
				perr(p, "group %s: unbalanced_timer '%s' is not a number of seconds",
				     g.name, v);
				return;
			}
		} else {
			perr(p, "group %s: unknown option '%s'; options are buckets, idle_timer, unbalanced_timer, nexthops",
			     g.name, k);
			return;
		}
		i++;
	}
	if (!g.nmembers) {
		perr(p, "group %s: no nexthops; add 'nexthops NAME...'", g.name);
		/* Still recorded so routes to it do not also fail. */
	}
	g.nmembers = 0;		/* filled when the pending names resolve */
	c->group = grow(c->group, &c->cap_group, c->ngroup + 1, sizeof(g));
	if (!c->group) {
		perr(p, "out of memory");
		return;
	}
	c->group[c->ngroup++] = g;
}

/* "ADDR/LEN" with no host bits set; errors name the statement. 0 or -1. */
static int parse_prefix(struct parser *p, const char *what, const char *word,
			uint8_t *family, uint8_t *addr, uint8_t *len)
{
	uint8_t masked[16];
	char buf[64], *slash;
	uint32_t plen;

	snprintf(buf, sizeof(buf), "%s", word);
	slash = strchr(buf, '/');
	if (!slash) {
		perr(p, "%s: '%s' has no prefix length; write e.g. 198.19.0.0/16", what, word);
		return -1;
	}
	*slash = 0;
	if (parse_addr(buf, family, addr) ||
	    parse_u32(slash + 1, 0, *family == ECMP_AF_INET ? 32 : 128, &plen)) {
		perr(p, "%s: '%s' is not an IPv4 or IPv6 prefix", what, word);
		return -1;
	}
	*len = plen;
	memcpy(masked, addr, 16);
	lpm_mask(masked, *family, plen);
	if (memcmp(masked, addr, 16)) {
		char good[INET6_ADDRSTRLEN];

		text_addr(*family, masked, good, sizeof(good));
		perr(p, "%s: '%s' has host bits set; did you mean %s/%u?", what, word,
		     good, plen);
		return -1;
	}
	return 0;
}

/* "PORT" or "LO-HI". 0 or -1. */
static int parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	char buf[16], *dash;
	uint32_t a, b;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = 0;
	if (parse_u32(buf, 0, 65535, &a) ||
	    (dash ? parse_u32(dash + 1, 0, 65535, &b) : (b = a, 0)) || b < a)
		return -1;
	*lo = a;
	*hi = b;
	return 0;
}

static void st_kernel_path(struct parser *p)
{
	static const char usage[] = "kernel-path: expected 'kernel-path [from PREFIX] [to PREFIX] [proto tcp|udp|sctp|icmp|icmp6|NUMBER] [sport PORT[-PORT]] [dport PORT[-PORT]]'";
	struct ecmp_conf *c = p->conf;
	struct conf_pass r = { .sport_hi = 65535, .dport_hi = 65535, .line = p->line };
	int i, ports = 0;

	if (p->nw < 3 || (p->nw - 1) % 2) {
		perr(p, "%s", usage);
		return;
	}
	for (i = 1; i < p->nw; i += 2) {
		const char *k = p->w[i], *v = p->w[i + 1];
		uint8_t fam = 0, *addr = NULL, *len = NULL;
		uint32_t num;

		if (!strcmp(k, "from") || !strcmp(k, "to")) {
			addr = k[0] == 'f' ? r.src : r.dst;
			len = k[0] == 'f' ? &r.src_len : &r.dst_len;
			if (parse_prefix(p, "kernel-path", v, &fam, addr, len))
				return;
			if (r.family && r.family != fam) {
				perr(p, "kernel-path: 'from' and 'to' are of different families");
				return;
			}
			r.family = fam;
		} else if (!strcmp(k, "proto")) {
			static const struct { const char *n; uint8_t v; } names[] = {
				{ "tcp", 6 }, { "udp", 17 }, { "sctp", 132 },
				{ "icmp", 1 }, { "icmp6", 58 },
			};
			unsigned j;

			for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
				if (!strcmp(v, names[j].n))
					r.proto = names[j].v;
			if (!r.proto && (parse_u32(v, 1, 255, &num) || !(r.proto = num))) {
				perr(p, "kernel-path: unknown protocol '%s'; use tcp, udp, sctp, icmp, icmp6 or a number from 1 to 255", v);
				return;
			}
		} else if (!strcmp(k, "sport") || !strcmp(k, "dport")) {
			if (parse_port_range(v, k[0] == 's' ? &r.sport_lo : &r.dport_lo,
					     k[0] == 's' ? &r.sport_hi : &r.dport_hi)) {
				perr(p, "kernel-path: %s '%s' is not a port or a range LO-HI of ports 0-65535", k, v);
				return;
			}
			ports = 1;
		} else {
			perr(p, "%s", usage);
			return;
		}
	}
	if (ports && r.proto != 6 && r.proto != 17 && r.proto != 132) {
		perr(p, "kernel-path: ports need 'proto tcp', 'proto udp' or 'proto sctp'");
		return;
	}
	if ((r.proto == 1 && r.family == ECMP_AF_INET6) ||
	    (r.proto == 58 && r.family == ECMP_AF_INET)) {
		perr(p, "kernel-path: %s does not go with %s prefixes",
		     r.proto == 1 ? "icmp" : "icmp6", r.family == ECMP_AF_INET ? "IPv4" : "IPv6");
		return;
	}
	if (r.proto == 1)
		r.family = ECMP_AF_INET;
	else if (r.proto == 58)
		r.family = ECMP_AF_INET6;
	if (c->npass_slots + (r.family ? 1 : 2) > ECMP_MAX_PASS_RULES) {
		perr(p, "kernel-path: more than %d rules (a rule without prefixes takes two, one per family)",
		     ECMP_MAX_PASS_RULES);
		return;
	}
	c->npass_slots += r.family ? 1 : 2;
	c->pass[c->npass++] = r;
}

static void st_route(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	struct conf_route r = { .line = p->line, .group = -1 };

	if (p->nw != 4 || strcmp(p->w[2], "group")) {
		perr(p, "route: expected 'route PREFIX group NAME'");
		return;
	}
	if (parse_prefix(p, "route", p->w[1], &r.family, r.addr, &r.prefixlen))
		return;
	/* Duplicates are found after the whole file is read (a sort, not
	 * a pairwise scan: route tables can be 100,000 lines). */
	c->route = grow(c->route, &c->cap_route, c->nroute + 1, sizeof(r));
	p->proutes = grow(p->proutes, &p->cap_proutes, p->nproutes + 1,
			  sizeof(*p->proutes));
	if (!c->route || !p->proutes) {
		perr(p, "out of memory");
		return;
	}
	p->proutes[p->nproutes].route = c->nroute;
	snprintf(p->proutes[p->nproutes].group, ECMP_NAME_MAX, "%s", p->w[3]);
	p->nproutes++;
	c->route[c->nroute++] = r;
}

/* rt_protos names (iproute2's, and FRR's rt_protos.d/frr.conf: its
 * staticd installs 196, which FRR also calls "static"). */
static const struct {
	const char *name;
	uint8_t num[2];
} rt_protos[] = {
	{ "boot", { 3 } }, { "static", { 4, 196 } }, { "zebra", { 11 } },
	{ "bird", { 12 } }, { "dhcp", { 16 } }, { "keepalived", { 18 } },
	{ "babel", { 42 } }, { "openr", { 99 } }, { "bgp", { 186 } },
	{ "isis", { 187 } }, { "ospf", { 188 } }, { "rip", { 189 } },
	{ "ripng", { 190 } }, { "eigrp", { 192 } }, { "sharp", { 194 } },
	{ "openfabric", { 197 } },
};

const char *config_proto_name(unsigned num)
{
	size_t i;

	for (i = 0; i < sizeof(rt_protos) / sizeof(rt_protos[0]); i++)
		if (rt_protos[i].num[0] == num || (rt_protos[i].num[1] && rt_protos[i].num[1] == num))
			return rt_protos[i].name;
	return NULL;
}

static void set_proto(struct conf_kernel_routes *k, unsigned num)
{
	k->proto[num / 8] |= 1u << (num % 8);
}

/* `table main|ID` of a routes statement: a table routes are looked up
 * in, so not local (255) nor default (253). 0, or -1 (said why). */
static int parse_table(struct parser *p, const char *stmt, const char *word, uint32_t *table)
{
	if (!strcmp(word, "main")) {
		*table = 254;
		return 0;
	}
	if (parse_u32(word, 1, UINT32_MAX, table) || *table == 255 || *table == 253) {
		perr(p, "%s: table '%s' is not 'main' or a number from 1 to 4294967295 (not local 255 or default 253)",
		     stmt, word);
		return -1;
	}
	return 0;
}

/* ADDR:PORT, [ADDR]:PORT, or the address alone when default_port is not
 * 0. 0 or -1. */
static int parse_listen(const char *s, uint16_t default_port, uint8_t *family,
			uint8_t *addr, uint16_t *port)
{
	char buf[64], *colon, *a = buf;
	uint32_t n = default_port;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	colon = strrchr(buf, ':');
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close || (close[1] && close[1] != ':'))
			return -1;
		*close = 0;
		a = buf + 1;
		colon = close[1] ? close + 1 : NULL;
	} else if (colon && strchr(buf, ':') != colon) {
		return -1;	/* IPv6 without [] */
	}
	if (colon) {
		*colon = 0;
		if (parse_u32(colon + 1, 1, 65535, &n))
			return -1;
	}
	if (!n || parse_addr(a, family, addr))
		return -1;
	*port = n;
	return 0;
}

/* `from ADDR[/LEN]`: a host, or a prefix. 0 or -1 (said why). */
static int parse_from(struct parser *p, const char *word, struct conf_from *f)
{
	if (strchr(word, '/'))
		return parse_prefix(p, "routes fpm from", word, &f->family, f->addr, &f->len);
	if (parse_addr(word, &f->family, f->addr)) {
		perr(p, "routes fpm from: '%s' is not an IPv4 or IPv6 address or prefix", word);
		return -1;
	}
	f->len = f->family == ECMP_AF_INET ? 32 : 128;
	return 0;
}

/* routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC]
 * [from ADDR[/LEN]]... */
static void st_routes_fpm(struct parser *p)
{
	static const char usage[] = "routes fpm: expected 'routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC] [from ADDR[/LEN] ...]' (IPv6: [ADDR]:PORT)";
	struct conf_fpm f = { .enabled = 1, .table = 254, .hold_ms = CONF_FPM_HOLD_MS,
			      .sweep_ms = CONF_FPM_SWEEP_MS, .line = p->line };
	int i;

	if (p->nw < 4 || p->nw % 2 || strcmp(p->w[2], "listen")) {
		perr(p, "%s", usage);
		return;
	}
	if (parse_listen(p->w[3], CONF_FPM_PORT, &f.family, f.addr, &f.port)) {
		perr(p, "routes fpm listen: '%s' is not an IPv4 or [IPv6] address with an optional port from 1 to 65535 (default %u)",
		     p->w[3], CONF_FPM_PORT);
		return;
	}
	for (i = 4; i + 1 < p->nw; i += 2) {
		uint32_t *ms = !strcmp(p->w[i], "hold") ? &f.hold_ms :
			       !strcmp(p->w[i], "sweep") ? &f.sweep_ms : NULL;

		if (!strcmp(p->w[i], "table")) {
			if (parse_table(p, "routes fpm", p->w[i + 1], &f.table))
				return;
			continue;
		}
		if (!strcmp(p->w[i], "from")) {
			if (f.nfrom == CONF_FPM_MAX_FROM) {
				perr(p, "routes fpm: at most %d 'from' prefixes; cover zebra's addresses with fewer, wider ones",
				     CONF_FPM_MAX_FROM);
				return;
			}
			if (parse_from(p, p->w[i + 1], &f.from[f.nfrom]))
				return;
			f.nfrom++;
			continue;
		}
		if (!ms) {
			perr(p, "%s", usage);
			return;
		}
		if (parse_seconds(p->w[i + 1], ms)) {
			perr(p, "routes fpm: %s '%s' is not a number of seconds", p->w[i], p->w[i + 1]);
			return;
		}
	}
	if (p->conf->fpm.enabled) {
		perr(p, "routes fpm: given twice (first at line %d)", p->conf->fpm.line);
		return;
	}
	p->conf->fpm = f;
}

/* routes kernel [table main|ID] [protocol NAME|NUM ...], or routes fpm
 * (st_routes_fpm). */
static void st_routes(struct parser *p)
{
	static const char usage[] = "routes: expected 'routes kernel [table main|ID] [protocol NAME|NUMBER ...]' or 'routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC] [from ADDR[/LEN] ...]'";
	static const char *const defaults[] = { "bgp", "ospf", "isis", "zebra", "bird", "static", "boot" };
	struct conf_kernel_routes k = { .enabled = 1, .table = 254, .line = p->line };
	int i = 2, protos = 0;
	unsigned j, d;

	if (p->nw >= 2 && !strcmp(p->w[1], "fpm")) {
		st_routes_fpm(p);
		return;
	}
	if (p->nw < 2 || strcmp(p->w[1], "kernel")) {
		perr(p, "%s", usage);
		return;
	}
	if (p->conf->kernel_routes.enabled) {
		perr(p, "routes kernel: given twice (first at line %d)",
		     p->conf->kernel_routes.line);
		return;
	}
	if (i + 1 < p->nw && !strcmp(p->w[i], "table")) {
		if (parse_table(p, "routes kernel", p->w[i + 1], &k.table))
			return;
		i += 2;
	}
	if (i < p->nw && !strcmp(p->w[i], "protocol")) {
		for (i++; i < p->nw; i++, protos++) {
			uint32_t num;
			int found = 0;

			for (j = 0; j < sizeof(rt_protos) / sizeof(rt_protos[0]); j++)
				if (!strcmp(p->w[i], rt_protos[j].name)) {
					for (d = 0; d < 2 && rt_protos[j].num[d]; d++)
						set_proto(&k, rt_protos[j].num[d]);
					found = 1;
				}
			if (found)
				continue;
			if (parse_u32(p->w[i], 1, 255, &num) || num == 2 || num == 236) {
				perr(p, "routes kernel: protocol '%s' is not a routing protocol name (bgp, ospf, isis, zebra, bird, static, boot, babel, rip...) or a number from 1 to 255 (not 2, kernel's own routes, nor 236, ecmpd's)",
				     p->w[i]);
				return;
			}
			set_proto(&k, num);
		}
		if (!protos) {
			perr(p, "routes kernel: 'protocol' needs at least one name or number");
			return;
		}
	}
	if (i != p->nw) {
		perr(p, "%s", usage);
		return;
	}
	if (!protos)
		for (j = 0; j < sizeof(rt_protos) / sizeof(rt_protos[0]); j++)
			for (d = 0; d < sizeof(defaults) / sizeof(defaults[0]); d++)
				if (!strcmp(rt_protos[j].name, defaults[d])) {
					set_proto(&k, rt_protos[j].num[0]);
					if (rt_protos[j].num[1])
						set_proto(&k, rt_protos[j].num[1]);
				}
	p->conf->kernel_routes = k;
}

/* metrics listen ADDR:PORT ([ADDR]:PORT for IPv6) */
static void st_metrics(struct parser *p)
{
	struct conf_metrics m = { .enabled = 1, .line = p->line };

	if (p->nw != 3 || strcmp(p->w[1], "listen")) {
		perr(p, "metrics: expected 'metrics listen ADDR:PORT' (IPv6: [ADDR]:PORT)");
		return;
	}
	if (!strchr(p->w[2], ':') || (p->w[2][0] == '[' && !strstr(p->w[2], "]:"))) {
		perr(p, "metrics listen: '%s' has no port; write ADDR:PORT, e.g. 198.18.0.254:9469", p->w[2]);
		return;
	}
	if (parse_listen(p->w[2], 0, &m.family, m.addr, &m.port)) {
		perr(p, "metrics listen: '%s' is not ADDR:PORT with an IPv4 or [IPv6] address and a port from 1 to 65535",
		     p->w[2]);
		return;
	}
	if (p->conf->metrics.enabled) {
		perr(p, "metrics: given twice (first at line %d)", p->conf->metrics.line);
		return;
	}
	p->conf->metrics = m;
}

/* control group NAME */
static void st_control(struct parser *p)
{
	struct conf_control *c = &p->conf->control;

	if (p->nw != 3 || strcmp(p->w[1], "group")) {
		perr(p, "control: expected 'control group NAME' (the group whose members may "
		     "read through the control socket)");
		return;
	}
	if (strlen(p->w[2]) >= sizeof(c->group) || strpbrk(p->w[2], ":/")) {
		perr(p, "control group: '%s' is not a group name", p->w[2]);
		return;
	}
	if (c->group[0]) {
		perr(p, "control: given twice (first at line %d)", c->line);
		return;
	}
	snprintf(c->group, sizeof(c->group), "%s", p->w[2]);
	c->line = p->line;
}

/* limits KEY N [KEY N ...] */
static void st_limits(struct parser *p)
{
	static const char usage[] = "limits: expected 'limits [nexthops N] [groups N] [buckets N] [routes N] [chunks N] [egress N]'";
	struct conf_limits *l = &p->conf->limits;
	const struct { const char *key; uint32_t *v, min, max; } keys[] = {
		{ "nexthops", &l->nexthops, 1, 1u << 20 },
		{ "groups", &l->groups, 1, 1u << 20 },
		{ "buckets", &l->buckets, ECMP_MAX_BUCKETS, 1u << 26 },
		{ "routes", &l->routes, 16, 1u << 24 },
		{ "chunks", &l->chunks, 16, ECMP_LPM_CHUNKS_LIMIT },
		{ "egress", &l->egress, 1, ECMP_TX_PORTS_LIMIT },
	};
	unsigned k;
	int i;

	if (p->nw < 3 || p->nw % 2 == 0) {
		perr(p, "%s", usage);
		return;
	}
	if (l->line) {
		perr(p, "limits: given twice (first at line %d)", l->line);
		return;
	}
	for (i = 1; i + 1 < p->nw; i += 2) {
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]) && strcmp(p->w[i], keys[k].key); k++)
			;
		if (k == sizeof(keys) / sizeof(keys[0])) {
			perr(p, "limits: unknown '%s'; limits are nexthops, groups, buckets, routes, chunks, egress",
			     p->w[i]);
			return;
		}
		if (parse_u32(p->w[i + 1], keys[k].min, keys[k].max, keys[k].v)) {
			perr(p, "limits: %s '%s' is not from %u to %u", keys[k].key, p->w[i + 1],
			     keys[k].min, keys[k].max);
			return;
		}
	}
	l->line = p->line;
}

static const struct {
	const char *word;
	void (*fn)(struct parser *p);
} statements[] = {
	{ "seed", st_seed },
	{ "hash", st_hash },
	{ "interface", st_interface },
	{ "bfd", st_bfd },
	{ "pin-root", st_pin_root },
	{ "nexthop", st_nexthop },
	{ "group", st_group },
	{ "route", st_route },
	{ "kernel-path", st_kernel_path },
	{ "routes", st_routes },
	{ "metrics", st_metrics },
	{ "control", st_control },
	{ "limits", st_limits },
};

static void note_failed(struct parser *p, char kind, const char *name)
{
	struct failed_name *f;

	p->failed = grow(p->failed, &p->cap_failed, p->nfailed + 1, sizeof(*f));
	if (!p->failed) {
		p->nfailed = p->cap_failed = 0;
		return;
	}
	f = &p->failed[p->nfailed++];
	f->kind = kind;
	snprintf(f->name, sizeof(f->name), "%s", name);
}

static int was_refused(const struct parser *p, char kind, const char *name)
{
	int i;

	for (i = 0; i < p->nfailed; i++)
		if (p->failed[i].kind == kind && !strcmp(p->failed[i].name, name))
			return 1;
	return 0;
}

/* Names the statements from their table, so a new one is never missing
 * from the message. */
static void unknown_statement(struct parser *p)
{
	char list[512];
	size_t i, off = 0;

	list[0] = 0;
	for (i = 0; i < sizeof(statements) / sizeof(statements[0]) && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "",
				statements[i].word);
	perr(p, "unknown keyword '%s'; statements are %s", p->w[0], list);
}

static void parse_line(struct parser *p, char *line)
{
	char *hash = strchr(line, '#'), *tok, *save = NULL;
	size_t i;

	if (hash)
		*hash = 0;
	p->nw = 0;
	for (tok = strtok_r(line, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (p->nw == MAX_WORDS) {
			perr(p, "line has more than %d words", MAX_WORDS);
			return;
		}
		p->w[p->nw++] = tok;
	}
	if (!p->nw)
		return;
	for (i = 0; i < sizeof(statements) / sizeof(statements[0]); i++)
		if (!strcmp(p->w[0], statements[i].word)) {
			int before = p->conf->nerror;

			statements[i].fn(p);
			if (p->conf->nerror > before && p->nw >= 2 &&
			    (!strcmp(p->w[0], "nexthop") || !strcmp(p->w[0], "group")))
				note_failed(p, p->w[0][0], p->w[1]);
			return;
		}
	unknown_statement(p);
}

static int route_cmp(const void *a, const void *b)
{
	const struct conf_route *x = *(const struct conf_route *const *)a;
	const struct conf_route *y = *(const struct conf_route *const *)b;
	int d = (int)x->family - y->family;

	if (!d)
		d = (int)x->prefixlen - y->prefixlen;
	if (!d)
		d = memcmp(x->addr, y->addr, 16);
	return d ? d : x->line - y->line;
}

/* Each duplicate route is reported at its later line. */
static void find_duplicate_routes(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	const struct conf_route **v = malloc(sizeof(*v) * (c->nroute ? c->nroute : 1));
	int i;

	if (!v) {
		conf_error(c, p->file, 0, "out of memory");
		return;
	}
	for (i = 0; i < c->nroute; i++)
		v[i] = &c->route[i];
	qsort(v, c->nroute, sizeof(*v), route_cmp);
	for (i = 1; i < c->nroute; i++) {
		char a[INET6_ADDRSTRLEN];

		if (v[i]->family != v[i - 1]->family ||
		    v[i]->prefixlen != v[i - 1]->prefixlen ||
		    memcmp(v[i]->addr, v[i - 1]->addr, 16))
			continue;
		text_addr(v[i]->family, v[i]->addr, a, sizeof(a));
		conf_error(c, p->file, v[i]->line,
			   "route %s/%u: already defined on line %d", a,
			   v[i]->prefixlen, v[i - 1]->line);
	}
	free(v);
}

static int str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* How many interfaces c's nexthops go out of (each takes an entry of
 * ecmp_tx_ports); -ENOMEM. */
static int count_egress(const struct ecmp_conf *c)
{
	const char **dev = malloc((c->nnexthop + 1) * sizeof(*dev));
	int i, n = 0;

	if (!dev)
		return -ENOMEM;
	for (i = 0; i < c->nnexthop; i++)
		dev[i] = c->nexthop[i].dev;
	qsort(dev, c->nnexthop, sizeof(*dev), str_ptr_cmp);
	for (i = 0; i < c->nnexthop; i++)
		n += !i || strcmp(dev[i - 1], dev[i]);
	free(dev);
	return n;
}

/* References and limits, once everything is read. */
static void resolve(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	const char *file = p->file;
	struct pending_member *pending = p->pending;
	struct pending_route *proutes = p->proutes;
	uint64_t slots = 1;	/* slot 0 is the guard */
	int i, j, egress;

	find_duplicate_routes(p);
	for (i = 0; i < p->npending; i++) {
		struct conf_group *g;
		int nh = config_find_nexthop(c, pending[i].name);

		if (pending[i].group >= c->ngroup)
			continue;	/* its group line failed: already reported */
		g = &c->group[pending[i].group];
		if (nh < 0 && was_refused(p, 'n', pending[i].name))
			continue;	/* defined, but its line was refused */
		if (nh < 0) {
			conf_error(c, file, pending[i].line,
				   "group %s: unknown nexthop '%s'; define it with 'nexthop %s via ADDR dev IFNAME'",
				   g->name, pending[i].name, pending[i].name);
			continue;
		}
		for (j = 0; j < g->nmembers; j++)
			if (g->member[j] == nh) {
				conf_error(c, file, pending[i].line,
					   "group %s: nexthop %s listed twice", g->name,
					   pending[i].name);
				break;
			}
		if (j == g->nmembers)
			g->member[g->nmembers++] = nh;
	}
	for (i = 0; i < p->nproutes; i++) {
		int g = config_find_group(c, proutes[i].group);
		struct conf_route *r = &c->route[proutes[i].route];

		if (g < 0 && !was_refused(p, 'g', proutes[i].group))
			conf_error(c, file, r->line,
				   "route: unknown group '%s'; define it with 'group %s nexthops NAME...'",
				   proutes[i].group, proutes[i].group);
		r->group = g;
	}
	for (i = 0; i < c->ngroup; i++) {
		struct conf_group *g = &c->group[i];

		if (g->nmembers && g->buckets < (uint32_t)g->nmembers)
			conf_error(c, file, g->line,
				   "group %s: %u buckets for %d nexthops; use at least as many buckets as nexthops",
				   g->name, g->buckets, g->nmembers);
		slots += g->buckets;
	}
	if ((uint32_t)c->nnexthop > c->limits.nexthops)
		conf_error(c, file, 0, "%d nexthops, the limit is %u (raise it with 'limits nexthops N')",
			   c->nnexthop, c->limits.nexthops);
	if ((uint32_t)c->ngroup > c->limits.groups)
		conf_error(c, file, 0, "%d groups, the limit is %u (raise it with 'limits groups N')",
			   c->ngroup, c->limits.groups);
	if ((uint32_t)c->nroute > c->limits.routes)
		conf_error(c, file, 0, "%d routes, the limit is %u (raise it with 'limits routes N')",
			   c->nroute, c->limits.routes);
	egress = count_egress(c);
	if (egress < 0)
		conf_error(c, file, 0, "out of memory");
	else if ((uint32_t)egress > c->limits.egress)
		conf_error(c, file, 0,
			   "the nexthops go out of %d interfaces, the limit is %u (raise it with 'limits egress N')",
			   egress, c->limits.egress);
	if (slots - 1 > c->limits.buckets)
		conf_error(c, file, 0,
			   "the groups need %llu buckets in all, the limit is %u; use fewer buckets per group or raise it with 'limits buckets N'",
			   (unsigned long long)slots - 1, c->limits.buckets);
}

int config_parse(struct ecmp_conf *conf, const char *name, const char *text)
{
	struct parser p = { .conf = conf, .file = name };
	char *copy = strdup(text), *line, *next;

	if (!copy)
		return -ENOMEM;
	snprintf(conf->path, sizeof(conf->path), "%s", name);
	conf->hash_flags = ECMP_HASH_L4;
	conf->seed_auto = 1;
	conf->bfd_interval_ms = 300;
	conf->bfd_multiplier = 3;
	snprintf(conf->pin_root, sizeof(conf->pin_root), "%s", ECMP_PIN_ROOT_DEFAULT);
	conf->limits = (struct conf_limits){ .nexthops = ECMP_MAX_NEXTHOPS,
					     .groups = ECMP_MAX_GROUPS,
					     .buckets = ECMP_MAX_BUCKET_SLOTS - 1,
					     .routes = ECMP_MAX_ROUTES,
					     .chunks = ECMP_MAX_LPM_CHUNKS,
					     .egress = ECMP_MAX_TX_PORTS };
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		p.line++;
		parse_line(&p, line);
	}
	resolve(&p);
	sort_errors(conf);
	free(p.pending);
	free(p.proutes);
	free(p.failed);
	free(copy);
	return conf->nerror ? -EINVAL : 0;
}

int config_load(struct ecmp_conf *conf, const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	char buf[4096];
	int err;

	if (!f) {
		err = -errno;
		conf_error(conf, path, 0, "cannot open: %s", strerror(-err));
		return err;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (len + n + 1 > cap) {
			char *t;

			cap = (len + n + 1) * 2;
			t = realloc(text, cap);
			if (!t) {
				free(text);
				fclose(f);
				return -ENOMEM;
			}
			text = t;
		}
		memcpy(text + len, buf, n);
		len += n;
	}
	if (ferror(f)) {
		err = -errno;
		fclose(f);
		free(text);
		conf_error(conf, path, 0, "cannot read: %s", strerror(-err ? -err : EIO));
		return err ? err : -EIO;
	}
	fclose(f);
	if (!text)
		text = strdup("");
	if (!text)
		return -ENOMEM;
	text[len] = 0;
	if (strlen(text) != len) {
		free(text);
		conf_error(conf, path, 0, "contains a NUL byte: not a text file");
		return -EINVAL;
	}
	err = config_parse(conf, path, text);
	free(text);
	return err;
}

/* A BFD secret: a regular file of root's that nobody else can read,
 * holding 1-20 bytes (one trailing newline ignored). */
static void read_secret(struct ecmp_conf *conf, struct conf_nexthop *nh)
{
	const char *path = nh->bfd_secret_path;
	uint8_t buf[64];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		conf_error(conf, conf->path, nh->line, "nexthop %s: cannot read bfd secret %s: %s",
			   nh->name, path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		conf_error(conf, conf->path, nh->line, "nexthop %s: bfd secret %s is not a regular file",
			   nh->name, path);
	} else if (st.st_uid != 0 || (st.st_mode & 077)) {
		conf_error(conf, conf->path, nh->line,
			   "nexthop %s: bfd secret %s must be root's and readable by root only (now uid %u mode %04o); chown root %s && chmod 600 %s",
			   nh->name, path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
			   path, path);
	} else {
		n = read(fd, buf, sizeof(buf));
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		if (n < 1 || n > BFD_SHA1_KEY_MAX) {
			conf_error(conf, conf->path, nh->line,
				   "nexthop %s: bfd secret %s must hold 1 to %d bytes",
				   nh->name, path, BFD_SHA1_KEY_MAX);
		} else {
			memcpy(nh->bfd_key.secret, buf, n);
			nh->bfd_key.len = n;
		}
	}
	memset(buf, 0, sizeof(buf));
	close(fd);
}

int config_check_host(struct ecmp_conf *conf)
{
	int i;

	for (i = 0; i < conf->nnexthop; i++)
		if (conf->nexthop[i].bfd_secret_path[0])
			read_secret(conf, &conf->nexthop[i]);

	for (i = 0; i < conf->niface; i++)
		if (!if_nametoindex(conf->iface[i].name))
			conf_error(conf, conf->path, conf->iface[i].line,
				   "interface %s: no such interface", conf->iface[i].name);

	for (i = 0; i < conf->nnexthop; i++)
		if (!if_nametoindex(conf->nexthop[i].dev))
			conf_error(conf, conf->path, conf->nexthop[i].line,
				   "nexthop %s: no such interface '%s'", conf->nexthop[i].name,
				   conf->nexthop[i].dev);
	if (conf->control.group[0]) {
		struct group *g = getgrnam(conf->control.group);

		if (g)
			conf->control.gid = g->gr_gid;
		else
			conf_error(conf, conf->path, conf->control.line,
				   "control group %s: no such group; create it (groupadd --system %s) "
				   "or name another", conf->control.group, conf->control.group);
	}
	sort_errors(conf);
	return conf->nerror ? -EINVAL : 0;
}

void config_free(struct ecmp_conf *conf)
{
	int i;

	for (i = 0; i < conf->nerror; i++)
		free(conf->error[i]);
	free(conf->nexthop);
	free(conf->group);
	free(conf->route);
	memset(conf, 0, sizeof(*conf));
}

static void *dup_array(const void *src, int n, size_t elem)
{
	void *d = malloc((size_t)(n ? n : 1) * elem);

	if (d && n)
		memcpy(d, src, (size_t)n * elem);
	return d;
}

int config_copy(struct ecmp_conf *dst, const struct ecmp_conf *src)
{
	*dst = *src;
	dst->nerror = 0;
	dst->nexthop = dup_array(src->nexthop, src->nnexthop, sizeof(*src->nexthop));
	dst->group = dup_array(src->group, src->ngroup, sizeof(*src->group));
	dst->route = dup_array(src->route, src->nroute, sizeof(*src->route));
	dst->cap_nexthop = src->nnexthop ? src->nnexthop : 1;
	dst->cap_group = src->ngroup ? src->ngroup : 1;
	dst->cap_route = src->nroute ? src->nroute : 1;
	if (!dst->nexthop || !dst->group || !dst->route) {
		config_free(dst);
		return -ENOMEM;
	}
	return 0;
}

int config_find_nexthop(const struct ecmp_conf *conf, const char *name)
{
	int i;

	for (i = 0; i < conf->nnexthop; i++)
		if (!strcmp(conf->nexthop[i].name, name))
			return i;
	return -1;
}

int config_find_group(const struct ecmp_conf *conf, const char *name)
{
	int i;

	for (i = 0; i < conf->ngroup; i++)
		if (!strcmp(conf->group[i].name, name))
			return i;
	return -1;
}

void config_print_errors(const struct ecmp_conf *conf, void *f)
{
	int i;

	for (i = 0; i < conf->nerror; i++)
		fprintf(f, "%s\n", conf->error[i]);
}
