/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The flow hash: plain C compiled into the BPF programs and into user space,
 * so `ecmpctl lookup` and the data path agree bit for bit.
 *
 * Function: SipHash-1-3 (Aumasson & Bernstein) keyed with the 128-bit node
 * seed, over a fixed packing of the flow (below). Why SipHash:
 *  - it is a keyed PRF: without the seed nobody can predict which bucket a
 *    flow lands in, so flows cannot be crafted to pile onto one nexthop, and
 *    two routers with different seeds make independent choices (no
 *    polarisation between tiers);
 *  - its output is indistinguishable from uniform, so buckets fill evenly;
 *  - it is the cheapest PRF at this size: its cost is its rounds, one per
 *    8-byte message word plus one for the final block and three to finish
 *    (5 for IPv4, 8 for IPv6), all add/rotate/xor.
 * jhash (Katran, Cilium) and CRC/Toeplitz hashes are linear or unkeyed
 * enough that an outsider who sees a few choices can steer flows.
 *
 * Packing: the message is the bytes of the source address, the destination
 * address (raw network-order words, as on the wire) and a 5-byte tail, as
 * a little-endian 40-bit number:
 *   sport | dport << 16 | proto << 32     (ports 0 when not hashed)
 *   flowlabel | proto << 32               (IPv6, L3-only with flowlabel)
 * The ports and the label are never hashed together, so they share the
 * low 32 bits. IPv4 is 13 bytes, IPv6 37: the length tells the families
 * apart, and keeps both one word shorter than a padded packing (a word is
 * a round, ~5 ns of the data path's ~60). This is exactly SipHash-1-3 of
 * that string (tests/unit/test_hash.c checks against a reference).
 *
 * Promise: ecmp_flow_hash() depends only on its arguments and never reads
 * outside the flow struct.
 */
#ifndef ECMP_HASH_H
#define ECMP_HASH_H

#include "ecmp_shared.h"

/* Message lengths in bytes: two addresses and the 5-byte tail. */
#define ECMP_HASH_MSG_LEN_V4	13
#define ECMP_HASH_MSG_LEN_V6	37

#ifndef ECMP_HASH_INLINE
#define ECMP_HASH_INLINE static inline __attribute__((always_inline))
#endif

/* A flow as the parser saw it, before the policy picks fields. */
struct ecmp_flow {
	__u32 saddr[4];		/* raw network-order words; IPv4 in [0] */
	__u32 daddr[4];
	__u16 sport;		/* raw network order; 0 when absent */
	__u16 dport;
	__u32 flowlabel;	/* IPv6 flow label (20 bits, host order) */
	__u8  proto;
	__u8  family;		/* enum ecmp_family */
	__u8  fragment;		/* 1: a fragment, hash on L3 fields only */
	__u8  pad;
};
_Static_assert(sizeof(struct ecmp_flow) == 44, "ecmp_flow ABI");

/* The flow of the reply to f: addresses and ports swapped. An ICMP error
 * quotes a packet going back to the flow's source; turned round, it is
 * the flow (parse.bpf.h hashes errors so, ecmpctl lookup predicts them). */
ECMP_HASH_INLINE void ecmp_flow_turn_round(struct ecmp_flow *f)
{
	__u32 a;
	__u16 p;
	int i;

	for (i = 0; i < 4; i++) {
		a = f->saddr[i];
		f->saddr[i] = f->daddr[i];
		f->daddr[i] = a;
	}
	p = f->sport;
	f->sport = f->dport;
	f->dport = p;
}

#define ECMP_ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

struct ecmp_sip {
	__u64 v0, v1, v2, v3;
};

ECMP_HASH_INLINE void ecmp_sip_round(struct ecmp_sip *s)
{
	s->v0 += s->v1; s->v1 = ECMP_ROTL64(s->v1, 13); s->v1 ^= s->v0;
	s->v0 = ECMP_ROTL64(s->v0, 32);
	s->v2 += s->v3; s->v3 = ECMP_ROTL64(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = ECMP_ROTL64(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = ECMP_ROTL64(s->v1, 17); s->v1 ^= s->v2;
	s->v2 = ECMP_ROTL64(s->v2, 32);
}

ECMP_HASH_INLINE void ecmp_sip_init(struct ecmp_sip *s, const __u64 seed[2])
{
	s->v0 = seed[0] ^ 0x736f6d6570736575ULL;
	s->v1 = seed[1] ^ 0x646f72616e646f6dULL;
	s->v2 = seed[0] ^ 0x6c7967656e657261ULL;
	s->v3 = seed[1] ^ 0x7465646279746573ULL;
}

/* One message word, c = 1 round. */
ECMP_HASH_INLINE void ecmp_sip_word(struct ecmp_sip *s, __u64 m)
{
	s->v3 ^= m;
	ecmp_sip_round(s);
	s->v0 ^= m;
}

/* The final block: the message's last len % 8 bytes (tail) and its length
 * in the top byte, then d = 3 rounds. */
ECMP_HASH_INLINE __u64 ecmp_sip_final(struct ecmp_sip *s, __u64 tail,
				      __u64 nbytes)
{
	ecmp_sip_word(s, tail | nbytes << 56);
	s->v2 ^= 0xff;
	ecmp_sip_round(s);
	ecmp_sip_round(s);
	ecmp_sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

ECMP_HASH_INLINE __u64 ecmp_pair(__u32 lo, __u32 hi)
{
	return (__u64)lo | ((__u64)hi << 32);
}

/* Returns 1 when the (daddr, dport) endpoint sorts before (saddr, sport). */
ECMP_HASH_INLINE int ecmp_flow_reversed(const struct ecmp_flow *f, int words)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i >= words)
			break;
		if (f->saddr[i] != f->daddr[i])
			return f->saddr[i] > f->daddr[i];
	}
	return f->sport > f->dport;
}

/*
 * Hash a flow under the node's policy. hash_flags is enum ecmp_hash_flags:
 *  - ports only with ECMP_HASH_L4 and only for non-fragments;
 *  - the IPv6 flow label only for L3-only hashing with ECMP_HASH_FLOWLABEL,
 *    and never with ECMP_HASH_SYMMETRIC (the two directions carry different
 *    labels, which would break the symmetry);
 *  - ECMP_HASH_SYMMETRIC orders the two endpoints before hashing.
 */
ECMP_HASH_INLINE __u64 ecmp_flow_hash(const struct ecmp_flow *f,
				      __u32 hash_flags, const __u64 seed[2])
{
	int v6 = f->family == ECMP_AF_INET6;
	int use_ports = (hash_flags & ECMP_HASH_L4) && !f->fragment;
	int swap = (hash_flags & ECMP_HASH_SYMMETRIC) &&
		   ecmp_flow_reversed(f, v6 ? 4 : 1);
	struct ecmp_sip s;
	__u64 tail = 0;

	/* The ports, or the flow label where they are not hashed: never both. */
	if (use_ports)
		tail = swap ? (__u64)f->dport | (__u64)f->sport << 16 :
			      (__u64)f->sport | (__u64)f->dport << 16;
	else if (v6 && (hash_flags & ECMP_HASH_FLOWLABEL) &&
		 !(hash_flags & ECMP_HASH_SYMMETRIC))
		tail = f->flowlabel & 0xfffff;
	tail |= (__u64)f->proto << 32;

	ecmp_sip_init(&s, seed);
	/* Each family straight through, its words in registers: the shared
	 * form made the BPF compiler spill the state on every round. */
	if (!v6) {
		__u32 x = f->saddr[0], y = f->daddr[0];

		ecmp_sip_word(&s, swap ? ecmp_pair(y, x) : ecmp_pair(x, y));
		return ecmp_sip_final(&s, tail, ECMP_HASH_MSG_LEN_V4);
	}
	{
		const __u32 *a = swap ? f->daddr : f->saddr;
		const __u32 *b = swap ? f->saddr : f->daddr;

		ecmp_sip_word(&s, ecmp_pair(a[0], a[1]));
		ecmp_sip_word(&s, ecmp_pair(a[2], a[3]));
		ecmp_sip_word(&s, ecmp_pair(b[0], b[1]));
		ecmp_sip_word(&s, ecmp_pair(b[2], b[3]));
		return ecmp_sip_final(&s, tail, ECMP_HASH_MSG_LEN_V6);
	}
}

/*
 * The bucket that probe k (0 = the primary) picks in a table of mask + 1
 * buckets: disjoint 16-bit windows of the hash, so the alternatives are
 * independent of the primary choice. mask < 2^16 (ECMP_MAX_BUCKETS).
 */
ECMP_HASH_INLINE __u32 ecmp_hash_bucket(__u64 hash, __u32 mask, int probe)
{
	return (__u32)(hash >> (16 * probe)) & mask;
}

#endif /* ECMP_HASH_H */
