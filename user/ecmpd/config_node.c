// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The config's statements about the node itself: seed, hash, interface,
 * bfd, pin-root, metrics, control, limits (docs/CONFIG.md).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_parse.h"

void st_seed(struct parser *p)
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

void st_hash(struct parser *p)
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

void st_interface(struct parser *p)
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
		     p->w[1], conf_words_after(p, 2));
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
int conf_parse_bfd_options(struct parser *p, int i, uint32_t *interval,
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
			if (conf_parse_u32(v, 10, 60000, interval)) {
				perr(p, "bfd: interval '%s' is not a number of milliseconds from 10 to 60000", v);
				return -1;
			}
		} else if (!strcmp(k, "multiplier")) {
			if (conf_parse_u32(v, 1, 255, mult)) {
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

			if (conf_parse_u32(v, 0, 255, &id)) {
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
void st_bfd_dev(struct parser *p)
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
	end = conf_parse_bfd_options(p, 3, &r.interval_ms, &r.multiplier, NULL);
	if (end < 0)
		return;
	if (end != p->nw) {
		perr(p, "bfd dev %s: expected [interval MS] [multiplier N], got '%s'", r.dev,
		     conf_words_after(p, end));
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

void st_bfd(struct parser *p)
{
	int end;

	if (p->nw >= 2 && !strcmp(p->w[1], "dev")) {
		st_bfd_dev(p);
		return;
	}
	end = conf_parse_bfd_options(p, 1, &p->conf->bfd_interval_ms, &p->conf->bfd_multiplier, NULL);
	if (end >= 0 && end != p->nw)
		perr(p, "bfd: expected 'bfd [interval MS] [multiplier N] [admin-down-on-exit]' or "
		     "'bfd dev IFNAME [interval MS] [multiplier N]', got '%s'", conf_words_after(p, end));
}

void st_pin_root(struct parser *p)
{
	if (p->nw != 2 || p->w[1][0] != '/' ||
	    strlen(p->w[1]) >= sizeof(p->conf->pin_root)) {
		perr(p, "pin-root: expected an absolute path under a bpffs mount, e.g. /sys/fs/bpf/ecmp");
		return;
	}
	snprintf(p->conf->pin_root, sizeof(p->conf->pin_root), "%s", p->w[1]);
}

/* metrics listen ADDR:PORT ([ADDR]:PORT for IPv6) */
void st_metrics(struct parser *p)
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
	if (conf_parse_listen(p->w[2], 0, &m.family, m.addr, &m.port)) {
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
void st_control(struct parser *p)
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
void st_limits(struct parser *p)
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
		if (conf_parse_u32(p->w[i + 1], keys[k].min, keys[k].max, keys[k].v)) {
			perr(p, "limits: %s '%s' is not from %u to %u", keys[k].key, p->w[i + 1],
			     keys[k].min, keys[k].max);
			return;
		}
	}
	l->line = p->line;
}
