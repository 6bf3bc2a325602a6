// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kernel-path lines as selectors of frames: the line that selects what
 * something else selects (a routing-policy rule, an IPsec policy), and
 * whether the config already has one that does (policy_rules.c,
 * xfrm_policies.c). The parser of the lines is config_forward.c.
 */
#include <string.h>

#include "config.h"
#include "lib/lpm.h"
#include "lib/text.h"

const char *conf_ip_proto_name(unsigned p)
{
	switch (p) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "icmp6";
	case 132:
		return "sctp";
	default:
		return NULL;
	}
}

void conf_pass_format(const struct conf_pass *sel, char *buf, size_t n)
{
	struct text_buf b = { buf, n, 0 };
	char p[TEXT_PREFIX_LEN];

	buf[0] = 0;
	text_put(&b, "kernel-path");
	/* One family, every address: "from 0.0.0.0/0" says which. */
	if (sel->src_len || (sel->family && !sel->dst_len && !sel->proto))
		text_put(&b, " from %s", text_prefix(sel->family, sel->src, sel->src_len,
						     p, sizeof(p)));
	if (sel->dst_len)
		text_put(&b, " to %s", text_prefix(sel->family, sel->dst, sel->dst_len,
						   p, sizeof(p)));
	if (sel->proto && conf_ip_proto_name(sel->proto))
		text_put(&b, " proto %s", conf_ip_proto_name(sel->proto));
	else if (sel->proto)
		text_put(&b, " proto %u", sel->proto);
	if (sel->sport_lo || sel->sport_hi != 65535)
		text_put_ports(&b, "sport", sel->sport_lo, sel->sport_hi);
	if (sel->dport_lo || sel->dport_hi != 65535)
		text_put_ports(&b, "dport", sel->dport_lo, sel->dport_hi);
}

/* A line's prefix (len 0: any address) holds the selector's. */
static int covers(uint8_t family, const uint8_t *net, uint8_t net_len,
		  uint8_t sel_family, const uint8_t *addr, uint8_t len)
{
	return !net_len || lpm_inside(sel_family, addr, len, family, net, net_len);
}

int conf_pass_keeps(const struct ecmp_conf *conf, const struct conf_pass *sel)
{
	int i;

	for (i = 0; i < conf->npass; i++) {
		const struct conf_pass *p = &conf->pass[i];

		if ((p->family && p->family != sel->family) ||
		    (p->proto && p->proto != sel->proto) ||
		    !covers(p->family, p->src, p->src_len, sel->family, sel->src, sel->src_len) ||
		    !covers(p->family, p->dst, p->dst_len, sel->family, sel->dst, sel->dst_len) ||
		    p->sport_lo > sel->sport_lo || p->sport_hi < sel->sport_hi ||
		    p->dport_lo > sel->dport_lo || p->dport_hi < sel->dport_hi)
			continue;
		return 1;
	}
	return 0;
}
