// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>

#include "frame_model.h"
#include "lib/lpm.h"

struct view {
	const uint8_t *b;
	size_t len;
	size_t linear;		/* headers are read from here only */
};

/* Headers: inside the first buffer of a multi-buffer frame, and no deeper
 * than 4 KiB. */
static int have(const struct view *v, size_t off, size_t n)
{
	return off <= 4096 && off + n <= v->linear;
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

struct l3 {
	struct ecmp_flow flow;
	size_t off, l4, end;
	uint8_t ttl;
};

/* 0 ok, else reason. */
static int model_l4(const struct view *v, struct l3 *x)
{
	size_t need = x->flow.proto == 6 ? 20 : x->flow.proto == 17 ? 8 :
		      x->flow.proto == 132 ? 12 : 0;

	if (x->flow.fragment || !need)
		return 0;
	if (x->l4 + need > x->end || !have(v, x->l4, need))
		return ECMP_PASS_MALFORMED;
	if (x->flow.proto == 6) {
		size_t doff = v->b[x->l4 + 12] >> 4;

		if (doff < 5 || x->l4 + doff * 4 > x->end)
			return ECMP_PASS_MALFORMED;
	}
	memcpy(&x->flow.sport, v->b + x->l4, 2);
	memcpy(&x->flow.dport, v->b + x->l4 + 2, 2);
	return 0;
}

/* One side of an IPv4 packet no router forwards:
 * RFC 1812 5.3.7: 0/8 ("this network"), 127/8, class D and E (>= 224);
 * RFC 3927 2.7: 169.254/16 link-local, neither as source nor destination. */
static int martian4_one(const uint8_t *a)
{
	return a[0] == 0 || a[0] == 127 || a[0] >= 224 ||
	       (a[0] == 169 && a[1] == 254);
}

static int martian4(const uint8_t *s, const uint8_t *d)
{
	return martian4_one(s) || martian4_one(d);
}

/* RFC 4291: 2.7 multicast ff00::/8, 2.5.6 link-local fe80::/10, 2.5.2
 * unspecified ::, 2.5.3 loopback ::1, 2.5.5.2 IPv4-mapped ::ffff:0:0/96
 * (RFC 6890: not forwardable); any of them, either side. */
static int martian6_one(const uint8_t *a)
{
	static const uint8_t zero[15];
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	       (!memcmp(a, zero, 15) && a[15] <= 1) || !memcmp(a, mapped, 12);
}

static int martian6(const uint8_t *s, const uint8_t *d)
{
	return martian6_one(s) || martian6_one(d);
}

static int model_ipv4(const struct view *v, size_t off, struct l3 *x, int outer)
{
	const uint8_t *ip = v->b + off;
	size_t ihl, tot;
	uint32_t sum = 0;
	size_t i;

	if (!have(v, off, 20))
		return ECMP_PASS_MALFORMED;
	ihl = (ip[0] & 0x0f) * 4;
	tot = be16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl || off + tot > v->len)
		return ECMP_PASS_MALFORMED;
	for (i = 0; i < ihl; i += 2)
		sum += be16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	if (sum != 0xffff)
		return ECMP_PASS_MALFORMED;
	x->flow.family = ECMP_AF_INET;
	memcpy(&x->flow.saddr[0], ip + 12, 4);
	memcpy(&x->flow.daddr[0], ip + 16, 4);
	x->flow.proto = ip[9];
	x->flow.fragment = (be16(ip + 6) & 0x3fff) != 0;
	if (outer && martian4(ip + 12, ip + 16))
		return ECMP_PASS_NOT_UNICAST;
	/* RFC 1812 5.2.4: a router interprets options itself (source
	 * routes, record route, timestamps, router alert): the kernel. */
	if (outer && ihl > 20)
		return ECMP_PASS_IP_OPTIONS;
	x->ttl = ip[8];
	x->off = off;
	x->l4 = off + ihl;
	x->end = off + tot;
	return model_l4(v, x);
}

static int model_ipv6(const struct view *v, size_t off, struct l3 *x, int outer)
{
	const uint8_t *ip = v->b + off;
	size_t plen, pos;
	uint8_t nh;
	int n;

	if (!have(v, off, 40))
		return ECMP_PASS_MALFORMED;
	if ((ip[0] >> 4) != 6)
		return ECMP_PASS_MALFORMED;
	plen = be16(ip + 4);
	if (!plen)
		return ECMP_PASS_UNSUPPORTED;
	if (off + 40 + plen > v->len)
		return ECMP_PASS_MALFORMED;
	x->flow.family = ECMP_AF_INET6;
	memcpy(x->flow.saddr, ip + 8, 16);
	memcpy(x->flow.daddr, ip + 24, 16);
	x->flow.flowlabel = ((uint32_t)(ip[1] & 0x0f) << 16) | be16(ip + 2);
	if (outer && martian6(ip + 8, ip + 24))
		return ECMP_PASS_NOT_UNICAST;
	x->ttl = ip[7];
	x->off = off;
	x->end = off + 40 + plen;
	nh = ip[6];
	pos = off + 40;
	for (n = 0;; n++) {
		if (nh != 0 && nh != 43 && nh != 60 && nh != 44)
			break;
		if (n == ECMP_MAX_EXT_HDRS)
			return ECMP_PASS_UNSUPPORTED;
		if (nh == 0 && n > 0)
			return ECMP_PASS_MALFORMED;
		/* RFC 8200 4.3 / RFC 2711: Hop-by-Hop options (Router Alert)
		 * are examined by every node on the path: the kernel. */
		if (nh == 0 && outer)
			return ECMP_PASS_IP_OPTIONS;
		if (pos + 8 > x->end || !have(v, pos, 8))
			return ECMP_PASS_MALFORMED;
		if (nh == 44) {
			unsigned offm = be16(v->b + pos + 2);

			nh = v->b[pos];
			pos += 8;
			/* RFC 8200 4.5: past the Fragment header lies the
			 * fragmentable part; only an atomic fragment (RFC
			 * 6946: offset 0, M clear) is a whole packet. */
			if ((offm >> 3) || (offm & 1)) {
				x->flow.fragment = 1;
				break;
			}
			continue;
		}
		{
			size_t hl = ((size_t)v->b[pos + 1] + 1) * 8;

			nh = v->b[pos];
			pos += hl;
			if (pos > x->end)
				return ECMP_PASS_MALFORMED;
		}
	}
	x->flow.proto = nh;
	x->l4 = pos;
	return model_l4(v, x);
}

/* Ethernet + VLANs at *off. Returns 0 and the ethertype, or a reason. */
static int model_l2(const struct view *v, size_t *off, unsigned *et, int *tags,
		    unsigned *vid)
{
	if (!have(v, *off, 14))
		return ECMP_PASS_MALFORMED;
	*et = be16(v->b + *off + 12);
	*off += 14;
	*tags = 0;
	while (*et == 0x8100 || *et == 0x88a8) {
		if (*tags == ECMP_MAX_VLAN_TAGS)
			return ECMP_PASS_UNSUPPORTED;
		if (!have(v, *off, 4))
			return ECMP_PASS_MALFORMED;
		vid[*tags] = be16(v->b + *off) & 0xfff;
		*et = be16(v->b + *off + 2);
		*off += 4;
		(*tags)++;
	}
	return 0;
}

static int model_l3(const struct view *v, unsigned et, size_t off,
		    struct l3 *x, int outer)
{
	memset(x, 0, sizeof(*x));
	if (et == 0x0800)
		return model_ipv4(v, off, x, outer);
	if (et == 0x86dd)
		return model_ipv6(v, off, x, outer);
	return ECMP_PASS_NOT_IP;
}

/* The inner flow of a VXLAN/GENEVE packet, or -1 to hash the outer one. */
static int model_inner(const struct view *v, const struct l3 *o,
		       struct ecmp_flow *inner)
{
	size_t off = o->l4 + 8;
	unsigned dport = be16((const uint8_t *)&o->flow.dport), et;
	struct l3 x;
	int tags;
	unsigned vid[ECMP_MAX_VLAN_TAGS];

	if (!have(v, off, 8) || off + 8 > o->end)
		return -1;
	if (dport == 4789) {
		if (!(v->b[off] & 0x08))
			return -1;
		off += 8;
		et = 0x6558;
	} else {
		if (v->b[off] >> 6)
			return -1;
		et = be16(v->b + off + 2);
		off += 8 + (v->b[off] & 0x3f) * 4;
	}
	if (et == 0x6558 && model_l2(v, &off, &et, &tags, vid))
		return -1;
	if (model_l3(v, et, off, &x, 0) || x.end > o->end)
		return -1;
	*inner = x.flow;
	return 0;
}

/* RFC 792 / RFC 4443 errors quote the packet they report on: the flow
 * they belong to is that packet turned round (docs/DATAPATH.md). Returns
 * 0 and the flow, or -1 to hash the error's own headers. */
static int model_icmp_error(const struct view *v, const struct l3 *o,
			    struct ecmp_flow *f)
{
	size_t off = o->l4 + 8;
	unsigned type;
	int v4 = o->flow.family == ECMP_AF_INET;

	if (o->flow.fragment || !have(v, o->l4, 8) || o->l4 + 8 > o->end)
		return -1;
	type = v->b[o->l4];
	if (v4 ? o->flow.proto != 1 || (type != 3 && type != 11 && type != 12) :
		 o->flow.proto != 58 || type < 1 || type > 4)
		return -1;
	memset(f, 0, sizeof(*f));
	if (v4) {
		const uint8_t *ip = v->b + off;

		if (!have(v, off, 20) || off + 20 > o->end || (ip[0] >> 4) != 4 ||
		    (ip[0] & 0x0f) < 5 || (be16(ip + 6) & 0x3fff))
			return -1;
		f->family = ECMP_AF_INET;
		memcpy(f->saddr, ip + 16, 4);
		memcpy(f->daddr, ip + 12, 4);
		f->proto = ip[9];
		off += (ip[0] & 0x0f) * 4;
	} else {
		const uint8_t *ip = v->b + off;

		if (!have(v, off, 40) || off + 40 > o->end || (ip[0] >> 4) != 6 ||
		    ip[6] == 0 || ip[6] == 43 || ip[6] == 44 || ip[6] == 60)
			return -1;
		f->family = ECMP_AF_INET6;
		memcpy(f->saddr, ip + 24, 16);
		memcpy(f->daddr, ip + 8, 16);
		f->proto = ip[6];
		off += 40;
	}
	if (f->proto == 6 || f->proto == 17 || f->proto == 132) {
		if (!have(v, off, 4) || off + 4 > o->end)
			return -1;
		memcpy(&f->sport, v->b + off + 2, 2);
		memcpy(&f->dport, v->b + off, 2);
	}
	return 0;
}

/* Folded ones' complement sums, big-endian words: the TCP/UDP pseudo-
 * header of x (length len), and len bytes at p (an odd last byte padded). */
static uint32_t fold16(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static uint32_t pseudo_sum(const struct l3 *x, uint32_t len)
{
	const uint8_t *s = (const uint8_t *)x->flow.saddr;
	const uint8_t *d = (const uint8_t *)x->flow.daddr;
	size_t alen = x->flow.family == ECMP_AF_INET ? 4 : 16, i;
	uint32_t sum = x->flow.proto + (len & 0xffff);

	for (i = 0; i < alen; i += 2)
		sum += be16(s + i) + be16(d + i);
	return fold16(sum);
}

static uint32_t bytes_sum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += be16(p + i);
	if (len & 1)
		sum += p[len - 1] << 8;
	return fold16(sum);
}

/* XDP only: the TCP/UDP checksum field equals the folded pseudo-header
 * sum, i.e. a sender left it to checksum offload. */
static int model_csum_partial(const struct view *v, const struct l3 *x)
{
	size_t off = x->l4 + (x->flow.proto == 6 ? 16 : 6);
	uint32_t len = x->end - x->l4, pseudo;
	unsigned field;

	if (x->flow.fragment || (x->flow.proto != 6 && x->flow.proto != 17) ||
	    !have(v, off, 2))
		return 0;
	field = be16(v->b + off);
	if (x->flow.proto == 17 && !field)
		return 0;
	pseudo = pseudo_sum(x, len);
	if (pseudo != field)
		return 0;
	/* A complete checksum that happens to equal the pseudo-header sum is
	 * not partial: only one that does not verify is. */
	return fold16(pseudo + bytes_sum(v->b + x->l4, len)) != 0xffff;
}

static int in_tx(const struct model_state *st, uint32_t ifindex)
{
	int i;

	for (i = 0; i < st->n_tx; i++)
		if (st->tx_ifindex[i] == ifindex)
			return 1;
	return 0;
}

/* The longest segment XDP sums (xdp_fwd.bpf.h: 128 chunks of 128 when the
 * frame has more than one buffer; a single buffer is shorter anyway). */
#define MODEL_CSUM_MAX	16384

/* The L4 checksum of the segment in r->out (its L3 header at l3),
 * computed from scratch: what XDP must write for a partial one. */
static void model_finish_csum(const struct l3 *x, struct model_result *r,
			      size_t l3)
{
	size_t l4 = l3 + (x->l4 - x->off), len = x->end - x->l4;
	size_t field = l4 + (x->flow.proto == 6 ? 16 : 6);
	uint8_t *o = r->out;
	uint32_t sum;

	o[field] = o[field + 1] = 0;
	sum = ~fold16(pseudo_sum(x, len) + bytes_sum(o + l4, len)) & 0xffff;
	if (!sum && x->flow.proto == 17)
		sum = 0xffff;	/* UDP: a computed 0 is sent as all ones */
	o[field] = sum >> 8;
	o[field + 1] = sum & 0xff;
}

static void model_output(const struct view *v, const struct l3 *x,
			 const struct ecmp_nexthop *nh, struct model_result *r)
{
	size_t l2 = 14 + (nh->vlan_tci ? 4 : 0), n = v->len - x->off;
	uint8_t *o = r->out;
	uint16_t et = x->flow.family == ECMP_AF_INET ? 0x0800 : 0x86dd;

	memcpy(o, nh->dmac, 6);
	memcpy(o + 6, nh->smac, 6);
	if (nh->vlan_tci) {
		o[12] = 0x81;
		o[13] = 0x00;
		memcpy(o + 14, &nh->vlan_tci, 2);
		o += 4;
	}
	o[12] = et >> 8;
	o[13] = et & 0xff;
	memcpy(r->out + l2, v->b + x->off, n);
	r->out_len = l2 + n;
	o = r->out + l2;
	if (x->flow.family == ECMP_AF_INET) {
		/* TTL - 1, checksum recomputed from scratch. */
		uint32_t sum;

		o[8]--;
		o[10] = o[11] = 0;
		sum = ~bytes_sum(o, (o[0] & 0x0f) * 4) & 0xffff;
		o[10] = sum >> 8;
		o[11] = sum & 0xff;
	} else {
		o[7]--;
	}
}

static int prefix_has(const uint8_t *net, int len, const uint8_t *addr)
{
	int i;

	for (i = 0; i < len; i++)
		if (((net[i / 8] ^ addr[i / 8]) >> (7 - i % 8)) & 1)
			return 0;
	return 1;
}

/* docs/CONFIG.md, kernel-path: addresses, protocol and port ranges of the
 * outer headers; a fragment by its addresses and protocol only. */
static int model_kernel_path(const struct model_state *st, const struct l3 *x)
{
	const struct ecmp_flow *f = &x->flow;
	unsigned sp = be16((const uint8_t *)&f->sport), dp = be16((const uint8_t *)&f->dport);
	int i;

	for (i = 0; i < st->nkpath; i++) {
		const struct model_kpath *k = &st->kpath[i];

		if ((k->family == 4 ? ECMP_AF_INET : ECMP_AF_INET6) != f->family ||
		    (k->proto && k->proto != f->proto) ||
		    !prefix_has(k->src, k->src_len, (const uint8_t *)f->saddr) ||
		    !prefix_has(k->dst, k->dst_len, (const uint8_t *)f->daddr))
			continue;
		if (f->fragment || (sp >= k->sport_lo && sp <= k->sport_hi &&
				    dp >= k->dport_lo && dp <= k->dport_hi))
			return 1;
	}
	return 0;
}

/* RFC 1812 5.2.7.2, RFC 4861 8.2: the frame would go back out by the
 * interface it came in on, on the same VLAN, and its source is a host of
 * that link: the kernel forwards it and tells the host of the better
 * first hop (docs/DATAPATH.md). */
static int model_redirect(const struct model_state *st, const struct l3 *x,
			  int tags, const unsigned *vid, const struct ecmp_nexthop *nh)
{
	unsigned nh_vid = be16((const uint8_t *)&nh->vlan_tci) & 0xfff;
	unsigned outer = tags ? vid[0] : 0, inner = tags > 1 ? vid[1] : 0;
	int i;

	if (nh->ifindex != st->ifindex || !(st->iface->flags & ECMP_IFACE_REDIRECTS) ||
	    (nh->flags & ECMP_NH_NO_REDIRECT))
		return 0;
	if (nh->vlan_tci ? tags != 1 || vid[0] != nh_vid : tags != 0)
		return 0;
	for (i = 0; i < st->nonlink; i++) {
		const struct model_onlink *o = &st->onlink[i];

		if ((o->family == 4 ? ECMP_AF_INET : ECMP_AF_INET6) == x->flow.family &&
		    o->outer == outer && o->inner == inner &&
		    prefix_has(o->prefix, o->len, (const uint8_t *)x->flow.saddr))
			return 1;
	}
	return 0;
}

void model_run(const struct model_state *st, const uint8_t *frame, size_t len,
	       struct model_result *r)
{
	struct view v = { frame, len, len };
	struct ecmp_flow hash_flow;
	const struct ecmp_group *g;
	size_t off = 0;
	uint32_t leaf, base, mask;
	unsigned et, vid[ECMP_MAX_VLAN_TAGS];
	struct l3 x;
	int tags, err, probe, partial;

	memset(r, 0, offsetof(struct model_result, out));
	r->out_len = 0;
	if (st->linear_max && v.linear > st->linear_max)
		v.linear = st->linear_max;
	/* An ingress interface ecmpd has not described is not ours. */
	if (!st->iface) {
		r->reason = ECMP_PASS_OTHER_HOST;
		return;
	}
	if (!(st->config.flags & ECMP_CFG_READY)) {
		r->reason = ECMP_PASS_NOT_READY;
		return;
	}
	if (len < 14) {
		r->reason = ECMP_PASS_MALFORMED;
		return;
	}
	if (frame[0] & 1) {
		r->reason = ECMP_PASS_NOT_UNICAST;
		return;
	}
	err = model_l2(&v, &off, &et, &tags, vid);
	if (!err)
		err = model_l3(&v, et, off, &x, 1);
	if (err) {
		r->reason = err;
		return;
	}
	/* RFC 1812 5.2.2 (link layer): a router forwards what was sent to
	 * it; Linux calls the rest PACKET_OTHERHOST. */
	if (memcmp(frame, st->iface->mac, 6)) {
		r->reason = ECMP_PASS_OTHER_HOST;
		return;
	}
	/* IEEE 802.1Q: a tag names the VLAN, and only a VLAN the router has
	 * an L3 interface on is routed by it (RFC 1812 5.2.2). */
	if (tags) {
		int i, known = 0;

		for (i = 0; i < st->nvlans; i++)
			known |= st->vlans[i][0] == vid[0] &&
				 st->vlans[i][1] == (tags > 1 ? vid[1] : 0);
		if (!known) {
			r->reason = ECMP_PASS_VLAN;
			return;
		}
	}
	hash_flow = x.flow;
	if (x.flow.proto == 1 || x.flow.proto == 58) {
		struct ecmp_flow reported;

		if (!model_icmp_error(&v, &x, &reported))
			hash_flow = reported;
	} else if ((st->config.hash_flags & ECMP_HASH_INNER) && x.flow.proto == 17 &&
	    !x.flow.fragment) {
		unsigned dp = be16((const uint8_t *)&x.flow.dport);
		struct ecmp_flow inner;

		memset(&inner, 0, sizeof(inner));
		if ((dp == 4789 || dp == 6081) && !model_inner(&v, &x, &inner))
			hash_flow = inner;
	}

	leaf = lpm_walk(st->root, st->node, st->nchunks, x.flow.family,
			(const uint8_t *)x.flow.daddr);
	if (leaf == ECMP_LPM_NONE) {
		r->reason = ECMP_PASS_NO_ROUTE;
		return;
	}
	/* RFC 1812 5.2.4.3: a directly connected subnet (its broadcast
	 * address included) is the kernel's to deliver. */
	if (leaf == ECMP_LPM_CONNECTED) {
		r->reason = ECMP_PASS_CONNECTED;
		return;
	}
	if (leaf == ECMP_LPM_LOCAL) {
		r->reason = ECMP_PASS_LOCAL;
		return;
	}
	if (x.ttl <= 1) {
		r->reason = ECMP_PASS_TTL;
		return;
	}
	if (model_kernel_path(st, &x)) {
		r->reason = ECMP_PASS_KERNEL_PATH;
		return;
	}

	r->group_id = ECMP_LPM_GROUP(leaf);
	r->hash = ecmp_flow_hash(&hash_flow, st->config.hash_flags,
				 st->config.seed);
	r->reason = ECMP_PASS_NO_NEXTHOP;
	if (r->group_id >= st->ngroups)
		return;
	g = &st->groups[r->group_id];
	base = g->table_base;
	mask = g->bucket_mask & (ECMP_MAX_BUCKETS - 1);
	for (probe = 0; probe < ECMP_FALLBACK_PROBES; probe++) {
		uint32_t idx = base + ecmp_hash_bucket(r->hash, mask, probe), id;
		const struct ecmp_nexthop *nh;

		if (idx >= st->nslots)
			return;
		id = st->buckets[idx].nexthop;
		if (id >= st->nnexthops)
			continue;
		nh = &st->nexthops[id];
		if (!(nh->flags & ECMP_NH_USABLE))
			continue;
		r->nh_id = id;
		if (model_redirect(st, &x, tags, vid, nh)) {
			r->reason = ECMP_PASS_REDIRECT;
			return;
		}
		/* XDP: the egress link's MTU (the kernel checks it for tc),
		 * and whether the device takes XDP frames at all. */
		if (!st->tc && nh->mtu && x.end - x.off > nh->mtu) {
			r->reason = ECMP_PASS_TOO_BIG;
			return;
		}
		if (!st->tc && (nh->flags & ECMP_NH_NO_XDP_XMIT)) {
			r->reason = ECMP_PASS_NO_XDP_XMIT;
			return;
		}
		if (!in_tx(st, nh->ifindex)) {
			r->reason = ECMP_PASS_NO_EGRESS;
			return;
		}
		partial = !st->tc && (st->iface->flags & ECMP_IFACE_CSUM_FINISH) &&
			  model_csum_partial(&v, &x);
		if (partial && x.end - x.l4 > MODEL_CSUM_MAX) {
			r->reason = ECMP_PASS_CSUM_PARTIAL;
			return;
		}
		r->reason = ECMP_FORWARDED;
		model_output(&v, &x, nh, r);
		/* XDP finishes a checksum left to offload; TC leaves it to
		 * the skb, which knows. */
		if (partial)
			model_finish_csum(&x, r, r->out_len - (v.len - x.off));
		return;
	}
}
