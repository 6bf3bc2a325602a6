// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The config's statements of what is forwarded: nexthop, group, route and
 * kernel-path (docs/CONFIG.md). Names between them are resolved once the
 * whole file is read (config.c), so they may come in any order.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "config.h"
#include "config_parse.h"
#include "lib/lpm.h"
#include "lib/text.h"

void st_nexthop(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	struct conf_nexthop nh = { .weight = 1, .line = p->line };
	int i, have_via = 0, have_dev = 0;

	if (p->nw < 2 || !conf_valid_name(p->w[1])) {
		perr(p, "nexthop: expected 'nexthop NAME via ADDR dev IFNAME [weight N] [vlan VID] [bfd ...]'; NAME is 1-31 of A-Z a-z 0-9 _ . -");
		return;
	}
	snprintf(nh.name, sizeof(nh.name), "%s", p->w[1]);
	for (i = 2; i < p->nw; i++) {
		const char *k = p->w[i], *v = i + 1 < p->nw ? p->w[i + 1] : NULL;

		if (!strcmp(k, "bfd")) {
			int end = conf_parse_bfd_options(p, i + 1, &nh.bfd_interval_ms,
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
			if (conf_parse_addr(v, &nh.family, nh.via)) {
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
			if (conf_parse_u32(v, 1, CONF_MAX_WEIGHT, &nh.weight)) {
				perr(p, "nexthop %s: weight '%s' is not from 1 to %d", nh.name, v,
				     CONF_MAX_WEIGHT);
				return;
			}
		} else if (!strcmp(k, "vlan")) {
			uint32_t vid;

			if (conf_parse_u32(v, 1, 4094, &vid)) {
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
	c->nexthop = conf_grow(c->nexthop, &c->cap_nexthop, c->nnexthop + 1, sizeof(nh));
	if (!c->nexthop) {
		perr(p, "out of memory");
		return;
	}
	c->nexthop[c->nnexthop++] = nh;
}

void st_group(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	struct conf_group g = { .buckets = ECMP_DEFAULT_BUCKETS,
				.idle_timer_ms = 1000,
				.unbalanced_timer_ms = 10000, .line = p->line };
	int i, in_list = 0, gi;

	if (p->nw < 2 || !conf_valid_name(p->w[1])) {
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
			p->pending = conf_grow(p->pending, &p->cap_pending,
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
			if (conf_parse_u32(v, ECMP_MIN_BUCKETS, ECMP_MAX_BUCKETS, &g.buckets) ||
			    (g.buckets & (g.buckets - 1))) {
				perr(p, "group %s: buckets '%s' is not a power of two from 1 to %u",
				     g.name, v, ECMP_MAX_BUCKETS);
				return;
			}
		} else if (!strcmp(k, "idle_timer") || !strcmp(k, "idle-timer")) {
			if (conf_parse_seconds(v, &g.idle_timer_ms)) {
				perr(p, "group %s: idle_timer '%s' is not a number of seconds", g.name, v);
				return;
			}
		} else if (!strcmp(k, "unbalanced_timer") ||
			   !strcmp(k, "unbalanced-timer")) {
			if (conf_parse_seconds(v, &g.unbalanced_timer_ms)) {
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
	c->group = conf_grow(c->group, &c->cap_group, c->ngroup + 1, sizeof(g));
	if (!c->group) {
		perr(p, "out of memory");
		return;
	}
	c->group[c->ngroup++] = g;
}

/* "ADDR/LEN" with no host bits set; errors name the statement. 0 or -1. */
int conf_parse_prefix(struct parser *p, const char *what, const char *word,
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
	if (conf_parse_addr(buf, family, addr) ||
	    conf_parse_u32(slash + 1, 0, *family == ECMP_AF_INET ? 32 : 128, &plen)) {
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
	if (conf_parse_u32(buf, 0, 65535, &a) ||
	    (dash ? conf_parse_u32(dash + 1, 0, 65535, &b) : (b = a, 0)) || b < a)
		return -1;
	*lo = a;
	*hi = b;
	return 0;
}

void st_kernel_path(struct parser *p)
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
			if (conf_parse_prefix(p, "kernel-path", v, &fam, addr, len))
				return;
			if (r.family && r.family != fam) {
				perr(p, "kernel-path: 'from' and 'to' are of different families");
				return;
			}
			r.family = fam;
		} else if (!strcmp(k, "proto")) {
			unsigned j;

			for (j = 1; j < 256; j++)
				if (conf_ip_proto_name(j) && !strcmp(v, conf_ip_proto_name(j)))
					r.proto = j;
			if (!r.proto && (conf_parse_u32(v, 1, 255, &num) || !(r.proto = num))) {
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

void st_route(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	struct conf_route r = { .line = p->line, .group = -1 };

	if (p->nw != 4 || strcmp(p->w[2], "group")) {
		perr(p, "route: expected 'route PREFIX group NAME'");
		return;
	}
	if (conf_parse_prefix(p, "route", p->w[1], &r.family, r.addr, &r.prefixlen))
		return;
	/* Duplicates are found after the whole file is read (a sort, not
	 * a pairwise scan: route tables can be 100,000 lines). */
	c->route = conf_grow(c->route, &c->cap_route, c->nroute + 1, sizeof(r));
	p->proutes = conf_grow(p->proutes, &p->cap_proutes, p->nproutes + 1,
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
