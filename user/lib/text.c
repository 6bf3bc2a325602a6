// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ecmp_shared.h"
#include "text.h"

const char *text_reason(int reason)
{
	static const char *const names[ECMP_REASON_MAX] = {
		[ECMP_FORWARDED]		= "forwarded",
		[ECMP_PASS_NOT_READY]		= "not_ready",
		[ECMP_PASS_NOT_IP]		= "not_ip",
		[ECMP_PASS_NOT_UNICAST]		= "not_unicast",
		[ECMP_PASS_UNSUPPORTED]		= "unsupported",
		[ECMP_PASS_MALFORMED]		= "malformed",
		[ECMP_PASS_NO_ROUTE]		= "no_route",
		[ECMP_PASS_LOCAL]		= "local",
		[ECMP_PASS_TTL]			= "ttl",
		[ECMP_PASS_NO_NEXTHOP]		= "no_nexthop",
		[ECMP_PASS_NO_EGRESS]		= "no_egress",
		[ECMP_PASS_ADJUST_FAILED]	= "adjust_failed",
		[ECMP_PASS_CSUM_PARTIAL]	= "csum_partial",
		[ECMP_PASS_KERNEL_PATH]		= "kernel_path",
		[ECMP_PASS_CONNECTED]		= "connected",
		[ECMP_PASS_IP_OPTIONS]		= "ip_options",
		[ECMP_PASS_OTHER_HOST]		= "other_host",
		[ECMP_PASS_VLAN]		= "vlan",
		[ECMP_PASS_TOO_BIG]		= "too_big",
		[ECMP_PASS_NO_XDP_XMIT]		= "no_xdp_xmit",
		[ECMP_PASS_REDIRECT]		= "redirect",
	};

	return reason >= 0 && reason < ECMP_REASON_MAX && names[reason] ?
	       names[reason] : "unknown";
}

const char *text_route_source(const char *group)
{
	if (!*group || !strncmp(group, ECMP_MIRROR_GROUP_PREFIX, strlen(ECMP_MIRROR_GROUP_PREFIX)))
		return "kernel";
	if (!strncmp(group, ECMP_FPM_GROUP_PREFIX, strlen(ECMP_FPM_GROUP_PREFIX)))
		return "fpm";
	return "config";
}

const char *text_nh_state(int state)
{
	static const char *const names[] = {
		[ECMP_NH_STATE_UNUSED]		= "unused",
		[ECMP_NH_STATE_UP]		= "up",
		[ECMP_NH_STATE_DOWN]		= "down",
		[ECMP_NH_STATE_DRAIN]		= "drain",
		[ECMP_NH_STATE_UNRESOLVED]	= "unresolved",
	};

	return state >= 0 && state < (int)(sizeof(names) / sizeof(names[0])) &&
	       names[state] ? names[state] : "unknown";
}

char *text_mac(const uint8_t mac[6], char buf[TEXT_MAC_LEN])
{
	snprintf(buf, TEXT_MAC_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

char *text_addr(uint8_t family, const void *addr, char *buf, size_t len)
{
	if (!inet_ntop(family == ECMP_AF_INET ? AF_INET : AF_INET6, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

int text_parse_prefix(const char *s, uint8_t *family, uint8_t *len, uint8_t addr[16])
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long n;
	int max, i;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1)
		*family = ECMP_AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*family = ECMP_AF_INET6;
	else
		return -EINVAL;
	max = *family == ECMP_AF_INET ? 32 : 128;
	n = max;
	if (slash) {
		n = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || n < 0 || n > max)
			return -EINVAL;
	}
	*len = n;
	for (i = 0; i < 16; i++) {
		int keep = n - 8 * i;

		addr[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
	return 0;
}

char *text_prefix(uint8_t family, const void *addr, unsigned int len, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, size, "%s/%u", text_addr(family, addr, a, sizeof(a)), len);
	return buf;
}

void text_put(struct text_buf *b, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (!b->size || b->len >= b->size - 1)
		return;
	va_start(ap, fmt);
	w = vsnprintf(b->s + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		b->len = b->len + w < b->size ? b->len + w : b->size - 1;
}

void text_put_ports(struct text_buf *b, const char *what, unsigned lo, unsigned hi)
{
	if (lo == hi)
		text_put(b, " %s %u", what, lo);
	else
		text_put(b, " %s %u-%u", what, lo, hi);
}
