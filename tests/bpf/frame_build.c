// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>
#include <arpa/inet.h>

#include "frame_build.h"

uint32_t csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void frame_spec_default(struct frame_spec *s, uint8_t family)
{
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 0xfe };
	static const uint8_t smac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	memset(s, 0, sizeof(*s));
	memcpy(s->dmac, dmac, 6);
	memcpy(s->smac, smac, 6);
	s->family = family;
	if (family == 4) {
		uint8_t src[4] = { 198, 18, 0, 1 }, dst[4] = { 198, 19, 1, 2 };

		memcpy(s->src, src, 4);
		memcpy(s->dst, dst, 4);
	} else {
		uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
		uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, 0, [15] = 2 };

		memcpy(s->src, src, 16);
		memcpy(s->dst, dst, 16);
	}
	s->proto = 17;
	s->sport = 40000;
	s->dport = 5001;
	s->ttl = 64;
	s->payload = 18;
}

static size_t l4_header_len(const struct frame_spec *s)
{
	if (s->frag == FRAG_LATER)
		return 0;
	switch (s->proto) {
	case 6:
		return 20;
	case 17:
		return 8;
	case 132:
		return 12;
	case 1:
	case 58:
		return 8;
	default:
		return 0;
	}
}

/* L4 header and payload (and a tunnel's inner frame) at p. */
static size_t build_l4(const struct frame_spec *s, uint8_t *p, size_t cap)
{
	size_t hl = l4_header_len(s), n = hl, inner_len = 0;
	uint8_t inner[2048];

	if (s->tunnel == TUN_ICMP_ERROR && s->inner) {
		/* The quoted packet: inner's IP header and on, cut short. */
		size_t l = frame_build(s->inner, inner, sizeof(inner));

		if (l < 14)
			return 0;
		inner_len = l - 14;
		if (s->quote_len && (size_t)s->quote_len < inner_len)
			inner_len = s->quote_len;
		if (hl + inner_len > cap)
			return 0;
		memcpy(p + hl, inner + 14, inner_len);
		n += inner_len;
	} else if (s->tunnel && s->inner) {
		size_t th = 8 + (s->tunnel == TUN_GENEVE ? s->geneve_opt_len : 0);

		if (s->tunnel == TUN_GENEVE && s->tunnel_no_eth) {
			/* Inner IP only: build the frame, drop its Ethernet. */
			size_t l = frame_build(s->inner, inner, sizeof(inner));

			if (l < 14)
				return 0;
			memmove(inner, inner + 14, l - 14);
			inner_len = l - 14;
		} else {
			inner_len = frame_build(s->inner, inner, sizeof(inner));
		}
		if (hl + th + inner_len > cap)
			return 0;
		memset(p + hl, 0, th);
		if (s->tunnel == TUN_VXLAN) {
			p[hl] = 0x08;
			p[hl + 6] = 0x42;	/* VNI */
		} else {
			uint16_t pt = 0x6558;

			if (s->tunnel_no_eth)
				pt = s->inner->family == 4 ? 0x0800 : 0x86dd;
			p[hl] = s->geneve_opt_len / 4;
			p[hl + 2] = pt >> 8;
			p[hl + 3] = pt & 0xff;
			p[hl + 6] = 0x42;
		}
		memcpy(p + hl + th, inner, inner_len);
		n += th + inner_len;
	}
	if (n + s->payload > cap)
		return 0;
	memset(p, 0, hl);
	if (hl && (s->proto == 6 || s->proto == 17 || s->proto == 132)) {
		uint16_t sp = htons(s->sport), dp = htons(s->dport);

		memcpy(p, &sp, 2);
		memcpy(p + 2, &dp, 2);
	}
	if (hl && s->proto == 6)
		p[12] = 5 << 4;
	if (hl && s->proto == 17) {
		uint16_t ul = htons(n + s->payload);

		memcpy(p + 4, &ul, 2);
	}
	if (hl && (s->proto == 1 || s->proto == 58)) {
		p[0] = s->proto == 1 ? 8 : 128;		/* echo request */
		if (s->tunnel == TUN_ICMP_ERROR) {
			p[0] = s->icmp_type;
			p[1] = s->icmp_code;
		}
	}
	memset(p + n, 0xa5, s->payload);
	return n + s->payload;
}

size_t frame_build_layout(const struct frame_spec *s, uint8_t *buf, size_t cap,
			  struct frame_layout *lay)
{
	size_t off = 12, l4_len, i;
	uint16_t et = s->ethertype ? s->ethertype :
		      (s->family == 4 ? 0x0800 : 0x86dd);

	if (cap < (size_t)(14 + 4 * s->vlans + 60 + 8 * 8 * 8))
		return 0;
	memcpy(buf, s->dmac, 6);
	memcpy(buf + 6, s->smac, 6);
	for (i = 0; i < (size_t)s->vlans; i++) {
		uint16_t tpid = s->vlan_tpid[i] ? s->vlan_tpid[i] : 0x8100;

		buf[off] = tpid >> 8;
		buf[off + 1] = tpid & 0xff;
		buf[off + 2] = s->vlan_tci[i] >> 8;
		buf[off + 3] = s->vlan_tci[i] & 0xff;
		off += 4;
	}
	buf[off] = et >> 8;
	buf[off + 1] = et & 0xff;
	off += 2;
	lay->l3 = off;

	if (s->family == 4) {
		uint8_t *ip = buf + off;
		size_t hl = 20 + s->ip_opt_len;
		uint16_t fo = 0, tot;

		memset(ip, 0, hl);
		ip[0] = 0x40 | (hl / 4);
		if (s->frag == FRAG_FIRST)
			fo = 0x2000;
		else if (s->frag == FRAG_LATER)
			fo = 185;	/* offset 1480 bytes, last fragment */
		ip[4] = 0x12;
		ip[5] = 0x34;
		ip[6] = fo >> 8;
		ip[7] = fo & 0xff;
		ip[8] = s->ttl;
		ip[9] = s->proto;
		memcpy(ip + 12, s->src, 4);
		memcpy(ip + 16, s->dst, 4);
		for (i = 20; i < hl; i++)
			ip[i] = 1;	/* NOP options */
		lay->l4 = off + hl;
		l4_len = build_l4(s, buf + off + hl, cap - off - hl);
		tot = hl + l4_len;
		ip[2] = tot >> 8;
		ip[3] = tot & 0xff;
		i = csum_fold(csum_add(0, ip, hl));
		ip[10] = i >> 8;
		ip[11] = i & 0xff;
		lay->end = off + tot;
		return off + tot;
	} else {
		uint8_t *ip = buf + off;
		size_t pos = 40, k;
		uint8_t *prev_nh = ip + 6;
		uint16_t plen;

		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[1] = (s->flowlabel >> 16) & 0x0f;
		ip[2] = (s->flowlabel >> 8) & 0xff;
		ip[3] = s->flowlabel & 0xff;
		ip[7] = s->ttl;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, s->dst, 16);
		for (k = 0; k < (size_t)s->n_ext; k++) {
			int len = s->ext_len[k] ? s->ext_len[k] : 8;
			uint8_t *x = ip + pos;

			*prev_nh = s->ext[k];
			memset(x, 0, len);
			if (s->ext[k] == 44) {
				len = 8;
				if (s->frag == FRAG_FIRST)
					x[3] = 1;		/* M */
				else if (s->frag == FRAG_LATER)
					x[2] = 0x05, x[3] = 0xc8;	/* 1480 */
				x[7] = 0x77;		/* identification */
			} else {
				x[1] = len / 8 - 1;
				if (len > 2) {
					x[2] = 1;	/* PadN filling the rest */
					x[3] = len - 4;
				}
			}
			prev_nh = x;
			pos += len;
		}
		*prev_nh = s->proto;
		lay->l4 = off + pos;
		l4_len = build_l4(s, ip + pos, cap - off - pos);
		plen = pos - 40 + l4_len;
		ip[4] = plen >> 8;
		ip[5] = plen & 0xff;
		lay->end = off + 40 + plen;
		return off + 40 + plen;
	}
}

void frame_spec_icmp_error(struct frame_spec *err, struct frame_spec *quote,
			   const struct frame_spec *flow, const uint8_t *reporter,
			   int quote_len)
{
	int v4 = flow->family == 4;

	*quote = *flow;
	memcpy(quote->src, flow->dst, 16);
	memcpy(quote->dst, flow->src, 16);
	quote->sport = flow->dport;
	quote->dport = flow->sport;
	frame_spec_default(err, flow->family);
	memcpy(err->dmac, flow->dmac, 6);
	memcpy(err->smac, flow->smac, 6);
	memcpy(err->src, reporter, v4 ? 4 : 16);
	memcpy(err->dst, flow->dst, 16);
	err->proto = v4 ? 1 : 58;
	err->tunnel = TUN_ICMP_ERROR;
	err->icmp_type = v4 ? 3 : 2;
	err->icmp_code = v4 ? 4 : 0;
	err->inner = quote;
	err->quote_len = quote_len;
	err->payload = 0;
}

size_t frame_build(const struct frame_spec *s, uint8_t *buf, size_t cap)
{
	struct frame_layout lay;

	return frame_build_layout(s, buf, cap, &lay);
}
