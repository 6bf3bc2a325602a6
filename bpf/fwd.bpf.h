/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The forwarding decision, shared by the XDP and TC programs: parse, look the
 * destination up, hash, pick a usable nexthop. ecmp_decide() returns
 * ECMP_FORWARDED with dec filled, or the reason the frame goes to the
 * kernel. It never writes to the frame; the hook's wrapper does the rewrite.
 * dec need not be initialised: everything read is written first.
 * in: the ingress interface (NULL for the router's own traffic): its MAC,
 * which the destination MAC must be, and the VLANs its tags may name.
 */
#ifndef ECMP_FWD_BPF_H
#define ECMP_FWD_BPF_H

#include "ecmp_maps.bpf.h"
#include "parse.bpf.h"
#include "csum.bpf.h"
#include "ecmp_pass.h"

struct ecmp_ingress {
	const __u8 *mac;
	__u32 ifindex;
	__u16 accel_vid;	/* tc: a tag the NIC took off (0: none) */
};

struct ecmp_decision {
	struct ecmp_pkt pkt;
	struct ecmp_nexthop *nh;	/* map value; flags checked usable */
	__u32 nh_id;
	__u32 group_id;
};

/* The frame's destination MAC (checked readable by the parser) is mac.
 * Three 16-bit words a side, not six bytes: both start 2-byte aligned
 * (the frame's start, ecmp_iface's first field), which every
 * architecture's verifier accepts, and it takes half the loads. */
static __always_inline int ecmp_mac_eq(void *data, const __u8 *mac)
{
	const __u16 *d = data, *m = (const __u16 *)mac;

	return !((d[0] ^ m[0]) | (d[1] ^ m[1]) | (d[2] ^ m[2]));
}

/* The frame's tags name an L3 VLAN subinterface of the ingress interface. */
static __always_inline int ecmp_vlan_ok(const struct ecmp_ingress *in,
					const struct ecmp_pkt *pkt)
{
	struct ecmp_vlan_key k = { .ifindex = in->ifindex };

	if (in->accel_vid) {
		k.outer = in->accel_vid;
		k.inner = pkt->vlan_tags ? pkt->vid[0] : 0;
	} else {
		k.outer = pkt->vid[0];
		k.inner = pkt->vlan_tags > 1 ? pkt->vid[1] : 0;
	}
	return bpf_map_lookup_elem(&ecmp_vlans, &k) != NULL;
}

/* The routes of a tail (ecmp_shared.h), longest first: the first whose
 * masked address matches, or the tail's cover. */
static __always_inline __u32 ecmp_tail_lookup(const struct ecmp_flow *f, __u32 v)
{
	__u32 key = ECMP_LPM_SLOT(v) >> 3, slot = v & 7;
	const struct ecmp_lpm_tail *t;
	struct ecmp_lpm_chunk *c;
	int i;

	c = bpf_map_lookup_elem(&ecmp_lpm_node, &key);
	if (!c || slot >= ECMP_LPM_TAILS_PER_CHUNK)
		return ECMP_LPM_NONE;
	t = &c->tail[slot];
	for (i = 0; i < ECMP_LPM_TAIL_ROUTES; i++) {
		const struct ecmp_lpm_tail_route *r = &t->r[i];

		if (i >= t->n)
			break;
		if (!((f->daddr[0] ^ r->addr[0]) & r->mask[0]) &&
		    !((f->daddr[1] ^ r->addr[1]) & r->mask[1]) &&
		    !((f->daddr[2] ^ r->addr[2]) & r->mask[2]) &&
		    !((f->daddr[3] ^ r->addr[3]) & r->mask[3]))
			return r->leaf;
	}
	return t->cover;
}

/* The leaf of address byte b in the run list v links (ecmp_shared.h):
 * counted (ecmp_lpm_run_index), with no read waiting on another but the
 * leaf's. A search of the run starts before took three rounds of reads,
 * each waiting for the last: 6-7 ns cache-hot on one destination
 * (docs/BENCHMARKS.md). A valid link's list starts at most 960 bytes into
 * its chunk (the last of 16 lists of 64 bytes), so the bitmap and counts
 * it reads, 40 bytes, stay in the chunk. A link of the layout before
 * bitmaps (run starts searched) names a chunk past the pool: no route. */
static __always_inline __u32 ecmp_runs_lookup(__u32 v, __u32 b)
{
	__u32 key = ECMP_LPM_RUNS_CHUNK(v), off, w = b >> 5, k;
	struct ecmp_lpm_chunk *c;
	const __u8 *r;

	off = ECMP_LPM_RUNS_SLOT(v) * ECMP_LPM_RUNS_SIZE(ECMP_LPM_RUNS_CLASS(v));
	c = bpf_map_lookup_elem(&ecmp_lpm_node, &key);
	if (!c || off > ECMP_LPM_RUNS_OFF_MAX)
		return ECMP_LPM_NONE;
	r = c->bytes + off;
	k = ecmp_lpm_run_index(*(const __u32 *)(r + 4 * w), r[ECMP_LPM_RUNS_BEFORE + w], b);
	/* The run's leaf: a corrupt count could point it past the chunk,
	 * hence the masks (a valid list's leaves end within it). A table's
	 * lists are nearly all of one width, so the branch is predicted. */
	if (v & ECMP_LPM_RUNS_LEAF8)
		return ecmp_lpm_run8_leaf(c->bytes[(off + ECMP_LPM_RUNS_LEAVES + k) & 1023]);
	off = (off + ECMP_LPM_RUNS_LEAVES + 2 * k) & 1022;
	return ecmp_lpm_run_leaf(*(const __u16 *)(c->bytes + off));
}

/* The walk from entry v, which stands for address byte `from` (2: the
 * root entry's; 3: the entry of byte 2's chunk) on: the leaf value. A
 * global function: the verifier walks the trie's paths once, not once for
 * every path of the parser before it (inlined, with run lists it went past
 * its 1,000,000-instruction limit; with only their search a function, the
 * XDP object took 0.85 s to load on each interface, against 0.32 s). */
__noinline __u32 ecmp_route_walk(const struct ecmp_flow *f, __u32 v, __u32 from)
{
	const __u8 *a;
	struct ecmp_lpm_chunk *c;
	__u32 key;
	int i, len;

	if (!f)		/* a global function's pointer may be NULL */
		return ECMP_LPM_NONE;
	a = (const __u8 *)f->daddr;
	len = f->family == ECMP_AF_INET6 ? 16 : 4;
	for (i = 2; i < 16; i++) {
		if (i >= len)
			break;
		if (i < from)	/* read inline by the caller */
			continue;
		if ((v & (ECMP_LPM_CHILD | ECMP_LPM_TAIL)) != ECMP_LPM_CHILD) {
			/* A run list stands for the chunk of this byte. */
			if ((v & (ECMP_LPM_CHILD | ECMP_LPM_TAIL | ECMP_LPM_RUNS)) ==
			    (ECMP_LPM_CHILD | ECMP_LPM_TAIL | ECMP_LPM_RUNS))
				return ecmp_runs_lookup(v, a[i]);
			break;
		}
		key = v & ~ECMP_LPM_CHILD;
		c = bpf_map_lookup_elem(&ecmp_lpm_node, &key);
		if (!c)	/* a child index past the pool: treat as no route */
			return ECMP_LPM_NONE;
		v = c->entry[a[i]];
	}
	/* A run list past the last address byte is a broken trie. */
	if ((v & (ECMP_LPM_CHILD | ECMP_LPM_TAIL | ECMP_LPM_RUNS)) ==
	    (ECMP_LPM_CHILD | ECMP_LPM_TAIL | ECMP_LPM_RUNS))
		return ECMP_LPM_NONE;
	if ((v & (ECMP_LPM_CHILD | ECMP_LPM_TAIL)) == (ECMP_LPM_CHILD | ECMP_LPM_TAIL))
		return ecmp_tail_lookup(f, v);
	/* A child pointer below the last address byte is a broken trie. */
	return (v & ECMP_LPM_CHILD) ? ECMP_LPM_NONE : v;
}

/* Longest-prefix match of the destination: the leaf value (ECMP_LPM_*).
 * A route of /16 or shorter is in the root entry itself; one of /17../24
 * (an Internet table's most) is one step below it: a chunk's entry, a run
 * list or a tail. Those take no call: on a kernel whose returns go
 * through a thunk the call alone cost ~10-20 ns. Deeper walks (IPv4 /25
 * and longer, most of IPv6) call the global function above, which the
 * verifier checks once however many parser paths lead to it. */
static __always_inline __u32 ecmp_route_lookup(const struct ecmp_flow *f)
{
	const __u8 *a = (const __u8 *)f->daddr;
	__u32 key = (f->family == ECMP_AF_INET6 ? ECMP_LPM_CHUNK : 0) + a[0];
	struct ecmp_lpm_chunk *c;
	__u32 v;

	c = bpf_map_lookup_elem(&ecmp_lpm_root, &key);
	if (!c)		/* cannot happen: the key is below max_entries */
		return ECMP_LPM_NONE;
	v = c->entry[a[1]];
	if (!(v & ECMP_LPM_CHILD))
		return v;
	if (!(v & ECMP_LPM_TAIL)) {	/* a chunk for byte 2 */
		__u32 key2 = v & ~ECMP_LPM_CHILD, w;

		c = bpf_map_lookup_elem(&ecmp_lpm_node, &key2);
		if (!c)
			return ECMP_LPM_NONE;
		w = c->entry[a[2]];
		return (w & ECMP_LPM_CHILD) ? ecmp_route_walk(f, w, 3) : w;
	}
	if (v & ECMP_LPM_RUNS)
		return ecmp_runs_lookup(v, a[2]);
	return ecmp_tail_lookup(f, v);
}

struct ecmp_pass_walk {
	const struct ecmp_flow *flow;
	__u32 base;		/* first slot of the half in force */
	int match;
};

/* bpf_loop callback: one rule; returns 1 (stop) on a match. */
static long ecmp_pass_step(__u32 i, void *arg)
{
	struct ecmp_pass_walk *w = arg;
	__u32 key = w->base + i;
	const struct ecmp_pass_rule *r = bpf_map_lookup_elem(&ecmp_pass_rules, &key);

	if (!r)		/* past the map: no more rules */
		return 1;
	w->match = ecmp_pass_rule_match(r, w->flow);
	return w->match;
}

/* 1 when one of the first n rules of the half at base claims the flow. A
 * global function: the verifier checks it once, apart from the paths of
 * the parser that lead to it. */
__noinline int ecmp_kernel_path_match(const struct ecmp_flow *f, __u32 word)
{
	__u32 n = ECMP_PASS_RULES_COUNT(word);
	struct ecmp_pass_walk w = {
		.flow = f,
		.base = ECMP_PASS_RULES_HALF(word) * ECMP_MAX_PASS_RULES,
	};

	if (!f)
		return 0;
	if (n > ECMP_MAX_PASS_RULES)
		n = ECMP_MAX_PASS_RULES;
	bpf_loop(n, ecmp_pass_step, &w, 0);
	return w.match;
}

/* 1 when a kernel-path rule claims the flow. No rules (the usual case):
 * one load of the config word already in hand, no call. */
static __always_inline int ecmp_kernel_path(const struct ecmp_config *cfg,
					    const struct ecmp_flow *f)
{
	__u32 word = *(volatile __u32 *)&cfg->pass_rules;

	return ECMP_PASS_RULES_COUNT(word) && ecmp_kernel_path_match(f, word);
}

/* 1 when the flow's source is on a subnet of the router's own on the
 * ingress interface and tags (ecmp_onlink), where the kernel sends ICMP
 * redirects. A global function: checked once by the verifier, and called
 * only for a frame that would leave where it came in. */
__noinline int ecmp_onlink_source(const struct ecmp_flow *f, __u32 ifindex,
				  __u32 outer, __u32 inner)
{
	struct ecmp_onlink_key k = {
		.ifindex = ifindex,
		.outer = (__u16)outer,
		.inner = (__u16)inner,
	};

	if (!f)
		return 0;
	if (f->family == ECMP_AF_INET) {
		k.prefixlen = ECMP_ONLINK_PLEN_V4 + 32;
		k.addr[2] = bpf_htonl(0xffff);
		k.addr[3] = f->saddr[0];
	} else {
		k.prefixlen = ECMP_ONLINK_PLEN_BASE + 128;
		__builtin_memcpy(k.addr, f->saddr, 16);
	}
	return bpf_map_lookup_elem(&ecmp_onlink, &k) != NULL;
}

/* Nexthop of the first of ECMP_FALLBACK_PROBES buckets whose owner is
 * usable; NULL when none is. Marks the primary bucket as recently used. */
static __always_inline struct ecmp_nexthop *
ecmp_pick_nexthop(__u32 group_id, __u64 hash, __u32 now, __u32 *nh_id)
{
	struct ecmp_group *grp;
	struct ecmp_bucket *b;
	__u32 base, mask, idx;
	__u64 table;
	int probe;

	grp = bpf_map_lookup_elem(&ecmp_groups, &group_id);
	if (!grp)	/* group id past the map: nothing to forward to */
		return NULL;
	/* One 64-bit load: base and mask of the same table. */
	table = *(volatile __u64 *)grp;
	base = ecmp_group_base(table);
	mask = ecmp_group_mask(table);

	idx = base + ecmp_hash_bucket(hash, mask, 0);
	b = bpf_map_lookup_elem(&ecmp_buckets, &idx);
	if (!b)		/* table past the slot array: nothing to forward to */
		return NULL;
	if (b->last_seen != now)
		b->last_seen = now;

#pragma unroll
	for (probe = 0; probe < ECMP_FALLBACK_PROBES; probe++) {
		struct ecmp_nexthop *nh;
		__u32 id;

		if (probe) {
			idx = base + ecmp_hash_bucket(hash, mask, probe);
			b = bpf_map_lookup_elem(&ecmp_buckets, &idx);
			if (!b)
				return NULL;
		}
		id = *(volatile __u32 *)&b->nexthop;
		nh = bpf_map_lookup_elem(&ecmp_nexthops, &id);
		/* Empty bucket (id past the map) or down: try the next one. */
		if (nh && (nh->flags & ECMP_NH_USABLE)) {
			*nh_id = id;
			return nh;
		}
	}
	return NULL;
}

/*
 * A TCP/UDP frame whose checksum was left to offload: what a local sender
 * with checksum offload hands to a veth (CHECKSUM_PARTIAL), to be finished
 * by "hardware" that never comes when XDP redirects the frame. XDP cannot
 * see the skb's checksum state, but the field gives it away: it holds just
 * the folded pseudo-header sum. Returns that sum (raw byte order, as the
 * field is) through *pseudo and 1 when the field equals it; the caller then
 * checks the whole segment (xdp_fwd.bpf.h), because a complete checksum has
 * that value too, once in 65,536 frames.
 */
static __always_inline int ecmp_csum_field_is_pseudo(void *data, void *data_end,
						     const struct ecmp_pkt *pkt,
						     __u32 *pseudo)
{
	const struct ecmp_flow *f = &pkt->flow;
	__u32 l4_len = pkt->l3_end - pkt->l4_off, off;
	__u64 sum = 0;
	__u16 *check;
	int i;

	if (f->fragment || (f->proto != IPP_TCP && f->proto != IPP_UDP))
		return 0;
	off = pkt->l4_off + (f->proto == IPP_TCP ? 16 : 6);
	check = hdr_at(data, data_end, off, 2);
	if (!check || (f->proto == IPP_UDP && !*check))
		return 0;	/* IPv4 UDP without a checksum */
#pragma unroll
	for (i = 0; i < 4; i++) {
		if (i && f->family == ECMP_AF_INET)
			break;
		sum += (f->saddr[i] & 0xffff) + (f->saddr[i] >> 16);
		sum += (f->daddr[i] & 0xffff) + (f->daddr[i] >> 16);
	}
	sum += bpf_htons((__u16)f->proto) + bpf_htons((__u16)l4_len);
	*pseudo = csum_fold64(sum);
	return *pseudo == *check;
}

/*
 * ecmp_decide() for a frame whose L2 part the hook has parsed already
 * (ecmp_parse_l2: l2_err, and proto when it is 0), as XDP does to learn
 * the frame's length. The readiness check still comes first, so a frame
 * counts under the same reason either way.
 */
static __always_inline int ecmp_decide_after_l2(void *data, void *data_end,
						__u32 frame_len, int l2_err,
						__u16 proto,
						const struct ecmp_ingress *in,
						struct ecmp_decision *dec)
{
	struct ecmp_config *cfg;
	__u32 zero = 0, leaf;
	__u64 hash;
	int err;

	cfg = bpf_map_lookup_elem(&ecmp_config, &zero);
	if (!cfg || !(cfg->flags & ECMP_CFG_READY))
		return ECMP_PASS_NOT_READY;
	if (l2_err)
		return l2_err;

	/* The parser fills the rest; unused address words must be zero. */
	__builtin_memset(&dec->pkt.flow, 0, sizeof(dec->pkt.flow));
	err = ecmp_parse_l3(data, data_end, frame_len, cfg->hash_flags, proto,
			    &dec->pkt);
	if (err)
		return err;
	if (in) {
		/* RFC 1812 5.2.2 / Linux PACKET_OTHERHOST: another
		 * station's frame. */
		if (!ecmp_mac_eq(data, in->mac))
			return ECMP_PASS_OTHER_HOST;
		if ((dec->pkt.vlan_tags || in->accel_vid) && !ecmp_vlan_ok(in, &dec->pkt))
			return ECMP_PASS_VLAN;
	}

	leaf = ecmp_route_lookup(&dec->pkt.flow);
	if (leaf == ECMP_LPM_NONE)
		return ECMP_PASS_NO_ROUTE;
	if (leaf == ECMP_LPM_LOCAL)
		return ECMP_PASS_LOCAL;
	if (leaf == ECMP_LPM_CONNECTED)
		return ECMP_PASS_CONNECTED;
	if (dec->pkt.ttl <= 1)
		return ECMP_PASS_TTL;
	if (ecmp_kernel_path(cfg, &dec->pkt.flow))
		return ECMP_PASS_KERNEL_PATH;

	dec->group_id = ECMP_LPM_GROUP(leaf);
	/* Two inlined calls, not one through a selected pointer: each then
	 * reads its flow at fixed stack offsets, which saves dozens of
	 * spills and selects on the hot path. */
	if (dec->pkt.use_inner)
		hash = ecmp_flow_hash(&dec->pkt.inner, cfg->hash_flags, cfg->seed);
	else
		hash = ecmp_flow_hash(&dec->pkt.flow, cfg->hash_flags, cfg->seed);
	dec->nh = ecmp_pick_nexthop(dec->group_id, hash, cfg->epoch, &dec->nh_id);
	if (!dec->nh)
		return ECMP_PASS_NO_NEXTHOP;
	return ECMP_FORWARDED;
}

static __always_inline int ecmp_decide(void *data, void *data_end,
				       __u32 frame_len, const struct ecmp_ingress *in,
				       struct ecmp_decision *dec)
{
	__u16 proto = 0;
	int l2_err = ecmp_parse_l2(data, data_end, &dec->pkt, &proto);

	return ecmp_decide_after_l2(data, data_end, frame_len, l2_err, proto,
				    in, dec);
}

/*
 * RFC 1812 5.2.7.2, RFC 4861 8.2: a forwarded frame that would leave by
 * the interface and VLAN it came in on (ifindex, and accel_vid: a tag tc
 * saw taken off), from a host of that link, is the kernel's, which
 * forwards it and tells the host of the better first hop (ECMP_PASS_
 * REDIRECT). The nexthop sends untagged or with one tag; the frame's tags
 * as ecmp_vlan_ok() reads them. The hooks ask after the decision rather
 * than inside it: nothing of the ingress stays in a register across the
 * flow hash. ecmp_onlink is read only on an interface ecmpd flags as
 * having subnets there; other frames pay one comparison.
 */
static __always_inline int ecmp_redirect_due(__u32 ifindex, __u32 accel_vid,
					     const struct ecmp_decision *dec)
{
	const struct ecmp_nexthop *nh = dec->nh;
	const struct ecmp_pkt *pkt = &dec->pkt;
	__u32 outer, inner, vid = bpf_ntohs(nh->vlan_tci) & 0xfff;
	struct ecmp_iface *iface;

	if (nh->ifindex != ifindex || (nh->flags & ECMP_NH_NO_REDIRECT))
		return 0;
	iface = bpf_map_lookup_elem(&ecmp_ifaces, &ifindex);
	if (!iface || !(iface->flags & ECMP_IFACE_REDIRECTS))
		return 0;
	if (accel_vid) {
		outer = accel_vid;
		inner = pkt->vlan_tags ? pkt->vid[0] : 0;
	} else {
		outer = pkt->vlan_tags ? pkt->vid[0] : 0;
		inner = pkt->vlan_tags > 1 ? pkt->vid[1] : 0;
	}
	if (outer != (nh->vlan_tci ? vid : 0) || inner)
		return 0;
	return ecmp_onlink_source(&pkt->flow, ifindex, outer, inner);
}

/* Decrement TTL / hop limit of the outer header that ecmp_decide() parsed.
 * Returns 0, or -1 if the header is no longer where it was. */
static __always_inline int ecmp_rewrite_l3(void *data, void *data_end,
					   const struct ecmp_pkt *pkt)
{
	if (pkt->flow.family == ECMP_AF_INET) {
		struct iphdr *iph = hdr_at(data, data_end, pkt->l3_off,
					   sizeof(*iph));

		if (!iph)
			return -1;
		ipv4_decrement_ttl(iph);
	} else {
		struct ipv6hdr *ip6 = hdr_at(data, data_end, pkt->l3_off,
					     sizeof(*ip6));

		if (!ip6)
			return -1;
		ipv6_decrement_hop_limit(ip6);
	}
	return 0;
}

/* Write the outgoing Ethernet header (and 802.1Q tag) at data, which the
 * hook has already sized to ecmp_l2_len(nh). Returns 0 or -1. */
static __always_inline __u32 ecmp_l2_len(const struct ecmp_nexthop *nh)
{
	return ETH_HLEN_ + (nh->vlan_tci ? 4 : 0);
}

static __always_inline int ecmp_write_l2(void *data, void *data_end,
					 const struct ecmp_nexthop *nh,
					 __u8 family)
{
	struct ethhdr *eth = data;
	__be16 proto = bpf_htons(family == ECMP_AF_INET ? ETHP_IPV4 : ETHP_IPV6);

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, nh->dmac, 6);
	__builtin_memcpy(eth->h_source, nh->smac, 6);
	if (nh->vlan_tci) {
		__be16 *tag = (void *)(eth + 1);

		if ((void *)(tag + 2) > data_end)
			return -1;
		eth->h_proto = bpf_htons(ETHP_8021Q);
		tag[0] = nh->vlan_tci;
		tag[1] = proto;
	} else {
		eth->h_proto = proto;
	}
	return 0;
}

static __always_inline void ecmp_count(__u32 reason, __u64 bytes)
{
	struct ecmp_counter *c = bpf_map_lookup_elem(&ecmp_stats, &reason);

	if (c) {	/* NULL only for a reason past the map: not counted */
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void ecmp_count_forward(const struct ecmp_decision *dec,
					       __u64 bytes)
{
	struct ecmp_counter *c;

	ecmp_count(ECMP_FORWARDED, bytes);
	c = bpf_map_lookup_elem(&ecmp_nh_stats, &dec->nh_id);
	if (c) {	/* NULL: the nexthop map is larger than its stats */
		c->packets++;
		c->bytes += bytes;
	}
	c = bpf_map_lookup_elem(&ecmp_grp_stats, &dec->group_id);
	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

#endif /* ECMP_FWD_BPF_H */
