// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The config's statements of routes from the routing daemon: routes
 * kernel (the kernel's table mirrored) and routes fpm (zebra's stream),
 * docs/CONFIG.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_parse.h"

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
	if (conf_parse_u32(word, 1, UINT32_MAX, table) || *table == 255 || *table == 253) {
		perr(p, "%s: table '%s' is not 'main' or a number from 1 to 4294967295 (not local 255 or default 253)",
		     stmt, word);
		return -1;
	}
	return 0;
}

/* ADDR:PORT, [ADDR]:PORT, or the address alone when default_port is not
 * 0. 0 or -1. */
int conf_parse_listen(const char *s, uint16_t default_port, uint8_t *family,
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
		if (conf_parse_u32(colon + 1, 1, 65535, &n))
			return -1;
	}
	if (!n || conf_parse_addr(a, family, addr))
		return -1;
	*port = n;
	return 0;
}

/* `from ADDR[/LEN]`: a host, or a prefix. 0 or -1 (said why). */
static int parse_from(struct parser *p, const char *word, struct conf_from *f)
{
	if (strchr(word, '/'))
		return conf_parse_prefix(p, "routes fpm from", word, &f->family, f->addr, &f->len);
	if (conf_parse_addr(word, &f->family, f->addr)) {
		perr(p, "routes fpm from: '%s' is not an IPv4 or IPv6 address or prefix", word);
		return -1;
	}
	f->len = f->family == ECMP_AF_INET ? 32 : 128;
	return 0;
}

/* routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC]
 * [from ADDR[/LEN]]... */
void st_routes_fpm(struct parser *p)
{
	static const char usage[] = "routes fpm: expected 'routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC] [from ADDR[/LEN] ...]' (IPv6: [ADDR]:PORT)";
	struct conf_fpm f = { .enabled = 1, .table = 254, .hold_ms = CONF_FPM_HOLD_MS,
			      .sweep_ms = CONF_FPM_SWEEP_MS, .line = p->line };
	int i;

	if (p->nw < 4 || p->nw % 2 || strcmp(p->w[2], "listen")) {
		perr(p, "%s", usage);
		return;
	}
	if (conf_parse_listen(p->w[3], CONF_FPM_PORT, &f.family, f.addr, &f.port)) {
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
		if (conf_parse_seconds(p->w[i + 1], ms)) {
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
void st_routes(struct parser *p)
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
			if (conf_parse_u32(p->w[i], 1, 255, &num) || num == 2 || num == 236) {
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
