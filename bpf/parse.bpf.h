/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Frame parsing for the forwarding decision. Every function here takes the
 * frame as [data, data_end) plus byte offsets, reads only after a bounds
 * check, and returns 0 on success or the enum ecmp_reason that sends the
 * frame to the kernel. Lengths in headers are checked against frame_len,
 * the whole frame: for XDP that is data_end - data, for TC the skb's length,
 * whose tail (a GSO or GRO payload) need not be in the linear data. A frame is "forwardable" only if its Ethernet, VLAN,
 * IP and (for non-fragments) TCP/UDP/SCTP headers are complete and
 * consistent; docs/DATAPATH.md lists the exact rules, and the packet tests'
 * model (tests/bpf/frame_model.c) implements them independently.
 */
#ifndef ECMP_PARSE_BPF_H
#define ECMP_PARSE_BPF_H

#include "ecmp_hash.h"
#include "ecmp_martian.h"

#define ETH_HLEN_		14
#define ETHP_IPV4		0x0800
#define ETHP_IPV6		0x86DD
#define ETHP_8021Q		0x8100
#define ETHP_8021AD		0x88A8
#define ETHP_TEB		0x6558	/* GENEVE: inner Ethernet */

#define IPP_HOPOPTS		0
#define IPP_ICMP		1
#define IPP_TCP			6
#define IPP_UDP			17
#define IPP_ROUTING		43
#define IPP_FRAGMENT		44
#define IPP_ICMPV6		58
#define IPP_DSTOPTS		60
#define IPP_SCTP		132

#define VXLAN_PORT		4789
#define GENEVE_PORT		6081

/* Headers deeper than this are not looked at; no XDP frame is this long. */
#define ECMP_MAX_HDR_OFF	4096

/* What the parser learned about the outer IP header, for the rewrite. */
struct ecmp_pkt {
	struct ecmp_flow flow;	/* outer: the route key */
	/* What is hashed instead of flow when use_inner is set: a tunnel's
	 * inner flow, or the flow an ICMP error reports on. */
	struct ecmp_flow inner;
	__u32 l3_off;		/* outer IP header */
	__u32 l4_off;		/* outer L4 header (after extension headers) */
	__u32 l3_end;		/* end of the outer IP datagram */
	__u8  vlan_tags;	/* ingress tags, removed on forwarding */
	__u16 vid[ECMP_MAX_VLAN_TAGS];	/* their VIDs, outer first */
	__u32 frame_len;	/* whole frame; may exceed data_end (TC, GSO) */
	__u8  ttl;		/* outer TTL / hop limit */
	__u8  use_inner;	/* hash inner instead of flow */
	__u8  pad;
};

/*
 * Returns a pointer to len readable bytes at off, or NULL. The two empty
 * asm statements keep the checks in the form the verifier can follow,
 * whatever the compiler (tests/bpf/test_compilers.sh): without the first,
 * clang 19 adds a part of off to data before off is bounded (an unbounded
 * packet offset, refused); without the second, it rewrites p + len >
 * data_end as a comparison with data_end + 1 (arithmetic on the packet's
 * end, refused). They cost no instruction.
 */
static __always_inline void *hdr_at(void *data, void *data_end, __u32 off,
				    __u32 len)
{
	void *p, *end;

	asm volatile("" : "+r"(off));
	if (off > ECMP_MAX_HDR_OFF)
		return NULL;
	p = data + off;
	end = p + len;
	asm volatile("" : "+r"(end));
	if (end > data_end)
		return NULL;
	return p;
}

/* Ethernet and up to two VLAN tags from off. Sets *ethertype and moves
 * *off past them. Returns 0 or a reason. */
static __always_inline int parse_l2(void *data, void *data_end, __u32 *off,
				    __u16 *ethertype, __u8 *tags, __u16 *vid)
{
	struct ethhdr *eth = hdr_at(data, data_end, *off, sizeof(*eth));
	__u16 proto;
	int i;

	if (!eth)
		return ECMP_PASS_MALFORMED;
	proto = bpf_ntohs(eth->h_proto);
	*off += sizeof(*eth);
	*tags = 0;

#pragma unroll
	for (i = 0; i <= ECMP_MAX_VLAN_TAGS; i++) {
		__u16 *tag;

		if (proto != ETHP_8021Q && proto != ETHP_8021AD)
			break;
		if (i == ECMP_MAX_VLAN_TAGS)
			return ECMP_PASS_UNSUPPORTED;
		/* TCI then the next ethertype. */
		tag = hdr_at(data, data_end, *off, 4);
		if (!tag)
			return ECMP_PASS_MALFORMED;
		vid[i] = bpf_ntohs(tag[0]) & 0xfff;
		proto = bpf_ntohs(tag[1]);
		*off += 4;
		*tags += 1;
	}
	*ethertype = proto;
	return 0;
}

/* Folds a 64-bit one's complement sum to 16 bits. */
static __always_inline __u16 csum_fold64(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* Returns 1 when the IPv4 header of ihl words at off has a valid checksum.
 * The caller has checked that 20 bytes are there, at iph. */
static __always_inline int ipv4_csum_ok(void *data, void *data_end,
					const struct iphdr *iph, __u32 off,
					__u32 ihl)
{
	const __u32 *w = (const __u32 *)iph;
	__u64 sum = (__u64)w[0] + w[1] + w[2] + w[3] + w[4];
	int i;

	/* Options: rare, so one bounds check per word is fine. */
	for (i = 5; i < 15; i++) {
		__u32 *x;

		if (i >= ihl)
			break;
		x = hdr_at(data, data_end, off + i * 4, 4);
		if (!x)
			return 0;
		sum += *x;
	}
	return csum_fold64(sum) == 0xffff;
}

/* Minimum header a non-fragment needs for its protocol to be well formed;
 * 0 for protocols without ports. */
static __always_inline __u32 l4_min_len(__u8 proto)
{
	switch (proto) {
	case IPP_TCP:
		return 20;
	case IPP_UDP:
		return 8;
	case IPP_SCTP:
		return 12;
	default:
		return 0;
	}
}

/* TCP/UDP/SCTP ports of a non-fragment at l4_off, within the datagram that
 * ends at l3_end (which the caller has checked is inside the frame).
 * Returns 0 or ECMP_PASS_MALFORMED. */
static __always_inline int parse_l4(void *data, void *data_end, __u32 l4_off,
				    __u32 l3_end, struct ecmp_flow *f)
{
	__u32 need = l4_min_len(f->proto);
	__u16 *ports;

	if (!need)
		return 0;
	if (l4_off + need > l3_end)
		return ECMP_PASS_MALFORMED;
	ports = hdr_at(data, data_end, l4_off, 4);
	if (!ports)
		return ECMP_PASS_MALFORMED;
	/* Both ports (adjacent in the flow, as on the wire) in one load, read
	 * while the checked pointer is in hand: clang may otherwise rebuild
	 * it from data + l4_off, which the verifier has not seen checked. */
	__builtin_memcpy(&f->sport, ports, 4);
	if (f->proto == IPP_TCP) {
		__u8 *doff = hdr_at(data, data_end, l4_off + 12, 1);
		__u32 words;

		if (!doff)
			return ECMP_PASS_MALFORMED;
		words = *doff >> 4;
		if (words < 5 || l4_off + words * 4 > l3_end)
			return ECMP_PASS_MALFORMED;
	}
	return 0;
}

/* IPv4 header at off. Fills f and the offsets. */
static __always_inline int parse_ipv4(void *data, void *data_end,
				      __u32 frame_len, __u32 off,
				      struct ecmp_flow *f, __u32 *l4_off,
				      __u32 *l3_end, __u8 *ttl, int outer)
{
	struct iphdr *iph = hdr_at(data, data_end, off, sizeof(*iph));
	__u32 ihl, tot, avail;

	if (!iph || off > frame_len)
		return ECMP_PASS_MALFORMED;
	avail = frame_len - off;
	ihl = iph->ihl;
	tot = bpf_ntohs(iph->tot_len);
	if (iph->version != 4 || ihl < 5 || tot < ihl * 4 || tot > avail)
		return ECMP_PASS_MALFORMED;
	if (!ipv4_csum_ok(data, data_end, iph, off, ihl))
		return ECMP_PASS_MALFORMED;

	f->family = ECMP_AF_INET;
	f->saddr[0] = iph->saddr;
	f->daddr[0] = iph->daddr;
	f->proto = iph->protocol;
	f->fragment = (iph->frag_off & bpf_htons(0x3fff)) != 0;
	if (outer && (ecmp_ipv4_martian((const __u8 *)&iph->daddr) ||
		      ecmp_ipv4_martian((const __u8 *)&iph->saddr)))
		return ECMP_PASS_NOT_UNICAST;
	/* RFC 1812 5.2.4: options (source routes, record route, router
	 * alert) are the kernel's to interpret. */
	if (outer && ihl > 5)
		return ECMP_PASS_IP_OPTIONS;
	*ttl = iph->ttl;
	*l4_off = off + ihl * 4;
	*l3_end = off + tot;
	if (f->fragment)
		return 0;
	return parse_l4(data, data_end, *l4_off, *l3_end, f);
}

/* IPv6 header and extension headers at off. Fills f and the offsets. */
static __always_inline int parse_ipv6(void *data, void *data_end,
				      __u32 frame_len, __u32 off,
				      struct ecmp_flow *f, __u32 *l4_off,
				      __u32 *l3_end, __u8 *ttl, int outer)
{
	struct ipv6hdr *ip6 = hdr_at(data, data_end, off, sizeof(*ip6));
	__u32 plen, pos, end;
	__u8 nh;
	int i;

	if (!ip6 || off + sizeof(*ip6) > frame_len)
		return ECMP_PASS_MALFORMED;
	if (ip6->version != 6)
		return ECMP_PASS_MALFORMED;
	plen = bpf_ntohs(ip6->payload_len);
	if (!plen)
		return ECMP_PASS_UNSUPPORTED;	/* jumbogram */
	if (plen > frame_len - off - sizeof(*ip6))
		return ECMP_PASS_MALFORMED;

	f->family = ECMP_AF_INET6;
	__builtin_memcpy(f->saddr, &ip6->saddr, 16);
	__builtin_memcpy(f->daddr, &ip6->daddr, 16);
	f->flowlabel = bpf_ntohl(*(__u32 *)ip6) & 0xfffff;
	if (outer && (ecmp_ipv6_martian(f->daddr) || ecmp_ipv6_martian(f->saddr)))
		return ECMP_PASS_NOT_UNICAST;
	*ttl = ip6->hop_limit;

	nh = ip6->nexthdr;
	pos = off + sizeof(*ip6);
	end = pos + plen;
	*l3_end = end;

#pragma unroll
	for (i = 0; i <= ECMP_MAX_EXT_HDRS; i++) {
		__u8 *x;

		if (nh != IPP_HOPOPTS && nh != IPP_ROUTING &&
		    nh != IPP_DSTOPTS && nh != IPP_FRAGMENT)
			break;
		if (i == ECMP_MAX_EXT_HDRS)
			return ECMP_PASS_UNSUPPORTED;
		/* RFC 8200 4.3: Hop-by-Hop only right after the IPv6 header;
		 * its options (Router Alert, RFC 2711) are the kernel's. */
		if (nh == IPP_HOPOPTS && i)
			return ECMP_PASS_MALFORMED;
		if (nh == IPP_HOPOPTS && outer)
			return ECMP_PASS_IP_OPTIONS;
		if (pos + 8 > end)
			return ECMP_PASS_MALFORMED;
		x = hdr_at(data, data_end, pos, 8);
		if (!x)
			return ECMP_PASS_MALFORMED;
		if (nh == IPP_FRAGMENT) {
			nh = x[0];
			pos += 8;
			/* RFC 8200 4.5: what follows the Fragment header is
			 * the fragmentable part, in no fragment but the first:
			 * every fragment stops here and hashes on its Next
			 * Header. An atomic fragment (offset 0, M 0, RFC 6946)
			 * is the whole packet and is read on. */
			if (((x[2] << 8) | x[3]) & 0xfff9) {
				f->fragment = 1;
				break;
			}
			continue;
		}
		nh = x[0];
		pos += ((__u32)x[1] + 1) * 8;
		if (pos > end)
			return ECMP_PASS_MALFORMED;
	}
	f->proto = nh;
	*l4_off = pos;
	if (f->fragment)
		return 0;
	return parse_l4(data, data_end, pos, end, f);
}

static __always_inline int parse_l3(void *data, void *data_end,
				    __u32 frame_len, __u16 proto,
				    __u32 off, struct ecmp_flow *f,
				    __u32 *l4_off, __u32 *l3_end, __u8 *ttl,
				    int outer)
{
	if (proto == ETHP_IPV4)
		return parse_ipv4(data, data_end, frame_len, off, f, l4_off,
				  l3_end, ttl, outer);
	if (proto == ETHP_IPV6)
		return parse_ipv6(data, data_end, frame_len, off, f, l4_off,
				  l3_end, ttl, outer);
	return ECMP_PASS_NOT_IP;
}

/*
 * Inner headers of a VXLAN or GENEVE packet, for ECMP_HASH_INNER. Returns 0
 * and fills inner when the tunnel carries a parseable IPv4/IPv6 packet;
 * otherwise non-zero, and the caller hashes the outer headers: a tunnel
 * payload we cannot read is not a reason to refuse a valid outer packet.
 */
static __always_inline int parse_inner(void *data, void *data_end,
				       const struct ecmp_pkt *pkt,
				       struct ecmp_flow *inner)
{
	__u32 off = pkt->l4_off + 8, l4_off, l3_end;
	__u16 dport = bpf_ntohs(pkt->flow.dport), proto;
	__u8 *tun, tags, ttl;
	__u16 vid[ECMP_MAX_VLAN_TAGS];

	tun = hdr_at(data, data_end, off, 8);
	if (!tun || off + 8 > pkt->l3_end)
		return -1;
	if (dport == VXLAN_PORT) {
		if (!(tun[0] & 0x08))		/* I flag: VNI valid */
			return -1;
		off += 8;
		proto = ETHP_TEB;
	} else {
		if (tun[0] >> 6)		/* version 0 only */
			return -1;
		off += 8 + (tun[0] & 0x3f) * 4;
		proto = ((__u16)tun[2] << 8) | tun[3];
	}
	if (proto == ETHP_TEB) {
		if (parse_l2(data, data_end, &off, &proto, &tags, vid))
			return -1;
	}
	if (proto != ETHP_IPV4 && proto != ETHP_IPV6)
		return -1;
	if (parse_l3(data, data_end, pkt->frame_len, proto, off, inner, &l4_off,
		     &l3_end, &ttl, 0))
		return -1;
	/* The inner datagram must fit inside the outer one. */
	if (l3_end > pkt->l3_end)
		return -1;
	return 0;
}

/* ICMP errors that quote the packet they report on (RFC 792, RFC 4443). */
static __always_inline int icmp_is_error(__u8 family, __u8 proto, __u8 type)
{
	if (family == ECMP_AF_INET)
		return proto == IPP_ICMP && (type == 3 || type == 11 || type == 12);
	return proto == IPP_ICMPV6 && type >= 1 && type <= 4;
}

/*
 * The flow an ICMP error reports on, from the header it quotes (RFC 792:
 * the IP header and 64 bits of data; RFC 4443: as much as fits), turned
 * round: the quoted packet went from the flow's far end back to its
 * source, so the error hashes like the flow itself and reaches the
 * nexthop that holds it (a server behind an anycast address hears its
 * "packet too big"). Returns 0 with f filled, or non-zero when the quote
 * is a fragment, carries IPv6 extension headers, is cut short or is of
 * the other family: the error then hashes on its own outer headers.
 */
static __always_inline int parse_icmp_error(void *data, void *data_end,
					    const struct ecmp_pkt *pkt,
					    struct ecmp_flow *f)
{
	__u32 off = pkt->l4_off;
	__u8 *icmp = hdr_at(data, data_end, off, 8);
	__u16 *ports;

	if (!icmp || off + 8 > pkt->l3_end ||
	    !icmp_is_error(pkt->flow.family, pkt->flow.proto, icmp[0]))
		return -1;
	off += 8;
	if (pkt->flow.family == ECMP_AF_INET) {
		struct iphdr *ip = hdr_at(data, data_end, off, sizeof(*ip));

		if (!ip || off + sizeof(*ip) > pkt->l3_end || ip->version != 4 ||
		    ip->ihl < 5 || (ip->frag_off & bpf_htons(0x3fff)))
			return -1;
		f->saddr[0] = ip->saddr;
		f->daddr[0] = ip->daddr;
		f->proto = ip->protocol;
		off += ip->ihl * 4;
	} else {
		struct ipv6hdr *ip6 = hdr_at(data, data_end, off, sizeof(*ip6));

		if (!ip6 || off + sizeof(*ip6) > pkt->l3_end || ip6->version != 6)
			return -1;
		if (ip6->nexthdr == IPP_HOPOPTS || ip6->nexthdr == IPP_ROUTING ||
		    ip6->nexthdr == IPP_DSTOPTS || ip6->nexthdr == IPP_FRAGMENT)
			return -1;
		__builtin_memcpy(f->saddr, &ip6->saddr, 16);
		__builtin_memcpy(f->daddr, &ip6->daddr, 16);
		f->proto = ip6->nexthdr;
		off += sizeof(*ip6);
	}
	f->family = pkt->flow.family;
	/* Only the ports are needed: the quote holds 8 bytes of the TCP,
	 * UDP or SCTP header, never the whole of it. */
	if (l4_min_len(f->proto)) {
		ports = hdr_at(data, data_end, off, 4);
		if (!ports || off + 4 > pkt->l3_end)
			return -1;
		__builtin_memcpy(&f->sport, ports, 4);
	}
	ecmp_flow_turn_round(f);
	return 0;
}

/*
 * The frame's Ethernet header and tags: the part of the parse that the XDP
 * hook also needs before the decision, to know the frame's length without
 * a helper call (xdp_fwd.bpf.h), so it is done once. Returns 0 with
 * *proto (the ethertype after the tags), pkt->l3_off and the tags filled,
 * or the reason to pass.
 */
static __always_inline int ecmp_parse_l2(void *data, void *data_end,
					 struct ecmp_pkt *pkt, __u16 *proto)
{
	struct ethhdr *eth = data;
	__u32 off = 0;
	int err;

	pkt->l3_off = 0;	/* read by the XDP hook even on an error */
	if ((void *)(eth + 1) > data_end)
		return ECMP_PASS_MALFORMED;
	if (eth->h_dest[0] & 1)		/* group bit: multicast/broadcast */
		return ECMP_PASS_NOT_UNICAST;
	err = parse_l2(data, data_end, &off, proto, &pkt->vlan_tags, pkt->vid);
	if (err)
		return err;
	pkt->l3_off = off;
	return 0;
}

/*
 * The rest of the frame after ecmp_parse_l2(): the IP packet of ethertype
 * proto at pkt->l3_off, its ports, and the flow to hash instead when it is
 * an ICMP error or (ECMP_HASH_INNER) a tunnel. Returns 0 with pkt filled,
 * or the reason to pass. Only pkt->flow needs to be zeroed by the caller.
 */
static __always_inline int ecmp_parse_l3(void *data, void *data_end,
					 __u32 frame_len, __u32 hash_flags,
					 __u16 proto, struct ecmp_pkt *pkt)
{
	int err;

	pkt->frame_len = frame_len;
	err = parse_l3(data, data_end, frame_len, proto, pkt->l3_off, &pkt->flow,
		       &pkt->l4_off, &pkt->l3_end, &pkt->ttl, 1);
	if (err)
		return err;

	pkt->use_inner = 0;
	if ((pkt->flow.proto == IPP_ICMP || pkt->flow.proto == IPP_ICMPV6) &&
	    !pkt->flow.fragment) {
		__builtin_memset(&pkt->inner, 0, sizeof(pkt->inner));
		pkt->use_inner = !parse_icmp_error(data, data_end, pkt, &pkt->inner);
	} else if ((hash_flags & ECMP_HASH_INNER) && pkt->flow.proto == IPP_UDP &&
	    !pkt->flow.fragment &&
	    (pkt->flow.dport == bpf_htons(VXLAN_PORT) ||
	     pkt->flow.dport == bpf_htons(GENEVE_PORT))) {
		__builtin_memset(&pkt->inner, 0, sizeof(pkt->inner));
		pkt->use_inner = !parse_inner(data, data_end, pkt, &pkt->inner);
	}
	return 0;
}

#endif /* ECMP_PARSE_BPF_H */
