/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The ABI shared by the BPF programs and user space: map names, map key and
 * value structs, limits, flags and the reasons a frame is forwarded or passed.
 * Everything here is defined once; both sides include this file.
 *
 * Rules for the structs: fixed-width types only, explicit padding, no bool,
 * no pointers, and a size assertion so a change on one side cannot go unseen.
 */
#ifndef ECMP_SHARED_H
#define ECMP_SHARED_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* ---- limits (defaults; the map sizes can be changed at load time) ---- */

#ifndef ECMP_MAX_NEXTHOPS
#define ECMP_MAX_NEXTHOPS	1024
#endif
#ifndef ECMP_MAX_GROUPS
#define ECMP_MAX_GROUPS		1024
#endif
/* Bucket slots shared by all groups' tables: 1024 groups of 4096 buckets,
 * plus slot 0, where unused groups point. */
#ifndef ECMP_MAX_BUCKET_SLOTS
#define ECMP_MAX_BUCKET_SLOTS	((1u << 22) + 1)
#endif
/* 256-entry trie chunks shared by IPv4 and IPv6 (1 KiB each). */
#ifndef ECMP_MAX_LPM_CHUNKS
#define ECMP_MAX_LPM_CHUNKS	16384
#endif
#ifndef ECMP_MAX_ROUTES
#define ECMP_MAX_ROUTES		262144
#endif
/* Egress interfaces nexthops go out of (ecmp_tx_ports), by default, and
 * the most `limits egress` allows (a devmap hash takes 8 bytes a slot up
 * front, its entries as they come). */
#ifndef ECMP_MAX_TX_PORTS
#define ECMP_MAX_TX_PORTS	256
#endif
#define ECMP_TX_PORTS_LIMIT	65536

#define ECMP_MIN_BUCKETS	1u
#define ECMP_MAX_BUCKETS	(1u << 16)
#define ECMP_DEFAULT_BUCKETS	4096u

/* Alternative buckets tried, derived from the same hash, when the bucket's
 * owner is not usable (down before its buckets were rewritten). */
#ifndef ECMP_FALLBACK_PROBES
#define ECMP_FALLBACK_PROBES	4
#endif

/* Parser limits: VLAN tags and IPv6 extension headers we walk through. */
#define ECMP_MAX_VLAN_TAGS	2
#ifndef ECMP_MAX_EXT_HDRS
#define ECMP_MAX_EXT_HDRS	6
#endif

/* ---- map names: one place, so pins, bpftool and ecmpctl agree ---- */

#define ECMP_PIN_ROOT_DEFAULT	"/sys/fs/bpf/ecmp"

#define ECMP_MAP_CONFIG		"ecmp_config"
#define ECMP_MAP_LPM_ROOT	"ecmp_lpm_root"
#define ECMP_MAP_LPM_NODE	"ecmp_lpm_node"
#define ECMP_MAP_ROUTES		"ecmp_routes"
#define ECMP_MAP_GROUPS		"ecmp_groups"
#define ECMP_MAP_BUCKETS	"ecmp_buckets"
#define ECMP_MAP_NEXTHOPS	"ecmp_nexthops"
#define ECMP_MAP_TX_PORTS	"ecmp_tx_ports"
#define ECMP_MAP_STATS		"ecmp_stats"
#define ECMP_MAP_NH_STATS	"ecmp_nh_stats"
#define ECMP_MAP_GRP_STATS	"ecmp_grp_stats"
#define ECMP_MAP_NH_META	"ecmp_nh_meta"
#define ECMP_MAP_GRP_META	"ecmp_grp_meta"
#define ECMP_MAP_PASS_RULES	"ecmp_pass_rules"
#define ECMP_MAP_IFACES		"ecmp_ifaces"
#define ECMP_MAP_VLANS		"ecmp_vlans"
#define ECMP_MAP_ONLINK		"ecmp_onlink"

/* ---- ecmp_config: array, one entry (key 0), mmapable, written by ecmpd ---- */

enum ecmp_hash_flags {
	ECMP_HASH_L4		= 1u << 0,	/* ports too; else l3 only */
	ECMP_HASH_SYMMETRIC	= 1u << 1,	/* A->B hashes like B->A */
	ECMP_HASH_FLOWLABEL	= 1u << 2,	/* IPv6 flow label in l3 hashing */
	ECMP_HASH_INNER		= 1u << 3,	/* VXLAN/GENEVE: hash inner headers */
};

enum ecmp_config_flags {
	/* Cleared until ecmpd has filled every map: frames pass untouched. */
	ECMP_CFG_READY		= 1u << 0,
};

struct ecmp_config {
	__u64 seed[2];		/* SipHash key k0, k1: the per-node secret */
	__u32 hash_flags;	/* enum ecmp_hash_flags */
	__u32 flags;		/* enum ecmp_config_flags */
	/* CLOCK_MONOTONIC >> ECMP_SEEN_SHIFT, advanced by ecmpd with one
	 * 32-bit store per tick; the data path stamps buckets with it
	 * instead of reading a clock per packet. */
	__u32 epoch;
	/* The kernel-path rules in force (ecmp_pass_rules): bits 0-15 how
	 * many, bit 16 which half of the map. ecmpd writes the other half,
	 * then flips this word with one store: a frame meets the old rules
	 * or the new ones, never a mix. */
	__u32 pass_rules;
};
_Static_assert(sizeof(struct ecmp_config) == 32, "ecmp_config ABI");

#define ECMP_PASS_RULES_COUNT(w)	((w) & 0xffff)
#define ECMP_PASS_RULES_HALF(w)		(((w) >> 16) & 1)

/* ---- ecmp_ifaces: array by ingress ifindex, mmapable, written by ecmpd ----
 *
 * The interfaces the XDP and tc ingress programs run on. A frame
 * whose destination MAC is not its ingress interface's was not sent to
 * this router (a bridge or a promiscuous NIC hands over other stations'
 * frames, Linux marks them PACKET_OTHERHOST): it goes to the kernel, as
 * does every frame of an interface with no entry. ECMP_IFACE_CSUM_FINISH:
 * frames come from local senders (veth, tap), whose checksums may be left
 * to offload, and XDP finishes those (docs/DATAPATH.md); frames from a
 * wire never get a checksum made for them.
 * An array, not a hash: every frame reads it, and the verifier turns an
 * array lookup into an address computation (a hash lookup cost ~16 % of
 * the program). An interface whose ifindex is past it is not served
 * (ecmpd says so). ecmpd clears ECMP_IFACE_VALID before changing an entry
 * and sets it last.
 */
#define ECMP_MAX_IFINDEX	65536

enum ecmp_iface_flags {
	ECMP_IFACE_VALID	= 1u << 0,
	ECMP_IFACE_CSUM_FINISH	= 1u << 1,
	/* ecmp_onlink holds subnets of this interface (or its VLANs): only
	 * then is it read for a frame that would leave the way it came. */
	ECMP_IFACE_REDIRECTS	= 1u << 2,
};

struct ecmp_iface {
	__u8  mac[6];
	__u16 flags;		/* enum ecmp_iface_flags */
};
_Static_assert(sizeof(struct ecmp_iface) == 8, "ecmp_iface ABI");

/* ---- ecmp_vlans: hash, written by ecmpd ----
 *
 * The VLANs a tagged frame may arrive on: those of the router's L3 VLAN
 * subinterfaces on an ingress interface (ip link add link eth0 name
 * eth0.100 type vlan id 100; for 802.1ad/QinQ, one stacked on another).
 * A frame whose tags name no such subinterface belongs to an L2-only VLAN
 * or to someone else, and goes to the kernel. Key: the ingress ifindex,
 * the outer VID and the inner one (0 for a single tag); value: the
 * subinterface's ifindex.
 */
#define ECMP_MAX_VLANS		4096

struct ecmp_vlan_key {
	__u32 ifindex;
	__u16 outer;
	__u16 inner;
};
_Static_assert(sizeof(struct ecmp_vlan_key) == 8, "ecmp_vlan_key ABI");

/* ---- ecmp_onlink: LPM trie, written by ecmpd ----
 *
 * The subnets of the router's own addresses whose hosts the kernel would
 * send an ICMP redirect (RFC 1812 5.2.7.2, RFC 4861 8.2), keyed by where
 * their frames arrive: the ingress interface and the VLAN tags that
 * ecmp_vlans names for the address's subinterface (0, 0: untagged). A
 * frame from one of them that the data path would send back out where it
 * came in (same interface, same tags) goes to the kernel instead, which
 * forwards it and tells the host of the better first hop. ecmpd keeps an
 * entry only where the kernel sends redirects (IPv4: send_redirects of
 * the device or "all"). IPv4 subnets as IPv4-mapped IPv6 (::ffff:0:0/96),
 * so one trie holds both families. Value: the address's ifindex.
 */
#define ECMP_MAX_ONLINK		1024
/* The key's ifindex and VLAN IDs, always matched whole. */
#define ECMP_ONLINK_PLEN_BASE	64
#define ECMP_ONLINK_PLEN_V4	(ECMP_ONLINK_PLEN_BASE + 96)

struct ecmp_onlink_key {
	__u32 prefixlen;	/* ECMP_ONLINK_PLEN_BASE + the address's bits */
	__u32 ifindex;		/* ingress */
	__u16 outer;		/* VLAN IDs as in ecmp_vlan_key; 0: no tag */
	__u16 inner;
	__u32 addr[4];		/* wire order; IPv4 mapped */
};
_Static_assert(sizeof(struct ecmp_onlink_key) == 28, "ecmp_onlink_key ABI");

/* ---- ecmp_pass_rules: array of 2 x ECMP_MAX_PASS_RULES, written by ecmpd ----
 *
 * Traffic the operator keeps on the kernel's path (config `kernel-path`,
 * where a firewall, conntrack or NAT applies): a frame that would be
 * forwarded and matches any rule goes to the kernel instead, counted as
 * ECMP_PASS_KERNEL_PATH. Addresses and masks are network-order words,
 * masked; ports host order, inclusive ranges (0-65535: any). A fragment
 * matches a rule on its addresses and protocol alone: non-first fragments
 * carry no ports, and a rule must never let part of a datagram past the
 * firewall.
 */
#define ECMP_MAX_PASS_RULES	64

struct ecmp_pass_rule {
	__u32 src[4], src_mask[4];
	__u32 dst[4], dst_mask[4];
	__u16 sport_lo, sport_hi;
	__u16 dport_lo, dport_hi;
	__u8  family;		/* ECMP_AF_INET or ECMP_AF_INET6 */
	__u8  proto;		/* 0: any */
	__u8  pad[6];
};
_Static_assert(sizeof(struct ecmp_pass_rule) == 80, "ecmp_pass_rule ABI");

/* ---- route lookup: a multibit trie (16-bit root stride, then 8 bits) ----
 *
 * Both maps are mmapable arrays of struct ecmp_lpm_chunk (1 KiB):
 * ecmp_lpm_root: 512 chunks; chunk (family index * 256 + address byte 0),
 *   entry address byte 1. IPv4 is family index 0, IPv6 is 1.
 * ecmp_lpm_node: ECMP_MAX_LPM_CHUNKS chunks; a child chunk is indexed by the
 *   next address byte, or holds ECMP_LPM_TAILS_PER_CHUNK tails.
 *
 * Each entry is a leaf, a child pointer or a tail. A child chunk is
 * complete before it is linked, so a walk always ends on the longest
 * match (controlled prefix expansion). A tail holds the few routes (at
 * most ECMP_LPM_TAIL_ROUTES) below an entry where a chain of chunks would
 * hold them sparsely (an IPv6 /48 alone under its /40): longest first, each
 * with its mask; an address that matches none takes the cover, the leaf
 * the entry would hold without them. IPv4 takes at most 3 array reads and
 * a tail, IPv6 at most 15 and a tail, whatever the number of routes.
 * A chunk whose entries would all be leaves, in at most ECMP_LPM_RUNS_MAX
 * runs of one value, is a run list instead: 64 to 160 bytes in a chunk
 * divided into slots of its size (the last chunk of most paths, so a full
 * table's trie comes near to fitting in the caches and the TLB that a
 * spread of lookups goes through).
 * Written only by user space (user/lib/lpm.c): subtrees and tails are
 * complete before the single aligned 32-bit store that links them.
 */
#define ECMP_LPM_ROOT_BITS	16
#define ECMP_LPM_CHUNK		256u
#define ECMP_LPM_ROOT_CHUNKS	(2 * ECMP_LPM_CHUNK)

#define ECMP_LPM_NONE		0u		/* no route */
#define ECMP_LPM_CHILD		0x80000000u	/* low bits: chunk index */
/* With ECMP_LPM_CHILD: a tail; low bits chunk index << 3 | slot. */
#define ECMP_LPM_TAIL		0x40000000u
/* With ECMP_LPM_CHILD | ECMP_LPM_TAIL: a run list, not a tail. */
#define ECMP_LPM_RUNS		0x20000000u
/* A tail's chunk << 3 | slot. */
#define ECMP_LPM_SLOT(v)	((v) & ~(ECMP_LPM_CHILD | ECMP_LPM_TAIL | ECMP_LPM_RUNS))
#define ECMP_LPM_LOCAL		0x7fffffffu	/* the router's own address */
/* A subnet of the router's own interfaces (with its broadcast and
 * subnet-router anycast addresses): the kernel delivers to it, never
 * an ECMP route that happens to cover it (RFC 1812 5.2.4.3). */
#define ECMP_LPM_CONNECTED	0x7ffffffeu
/* Any other value: group id + 1. */
#define ECMP_LPM_LEAF(group)	((__u32)(group) + 1)
#define ECMP_LPM_GROUP(leaf)	((__u32)(leaf) - 1)

#define ECMP_LPM_TAIL_ROUTES	4
#define ECMP_LPM_TAILS_PER_CHUNK 6

struct ecmp_lpm_tail_route {
	__u32 addr[4];		/* network order, masked; IPv4 in addr[0] */
	__u32 mask[4];
	__u32 leaf;
};

struct ecmp_lpm_tail {
	__u32 cover;
	__u32 n;		/* routes in r[], longest first */
	struct ecmp_lpm_tail_route r[ECMP_LPM_TAIL_ROUTES];
};
_Static_assert(sizeof(struct ecmp_lpm_tail) == 152, "ecmp_lpm_tail ABI");

/* A run list: a chunk of leaves as runs. Its link holds its size class
 * (bits 27-28), ECMP_LPM_RUNS_BITMAP and chunk << 4 | slot: it starts
 * ECMP_LPM_RUNS_SIZE(class) * slot bytes into that chunk. Its bytes: a
 * bitmap of the 256 entries as eight 32-bit words, host order, bit b & 31
 * of word b >> 5 set where a run starts (bit 0 always); at byte 32, for
 * each word, the runs starting before it; from byte 40, each run's leaf in
 * 16 bits, host order: ECMP_LPM_RUN_LOCAL and _CONNECTED for those two,
 * any other the leaf itself (so only groups below 65,533; a chunk with
 * others stays a chunk). Entry b of the chunk it stands for is the leaf of
 * run (runs before word b >> 5) + (bits of that word up to b) - 1: a
 * count, no search. The classes hold 12, 28, 44 and 60 runs.
 *
 * A list whose leaves all fit in 8 bits (groups below 253, and the two
 * of the router's own: ECMP_LPM_RUN8_LOCAL and _CONNECTED) holds them in
 * one byte each, and its link carries ECMP_LPM_RUNS_LEAF8: the classes
 * then hold 24, 56, 88 and 120 runs. Why: spread over a full table a
 * lookup pays the memory it misses, and 8-bit leaves take the IPv4 part
 * of scripts/gen-table.py's table from 6,566 chunks to 5,246; most lists
 * fit one 64-byte line, where with 16-bit leaves a third of the lookups
 * read their leaf in a line after the bitmap's (docs/DATAPATH.md).
 *
 * ECMP_LPM_RUNS_BITMAP marks the bitmap layout. A link without it is a
 * list of the layout before (run starts searched); to a reader of either
 * layout the other's link names a chunk past the pool (the chunks limit
 * is 2^21) and reads as no route, so a program and a trie of two versions
 * never send a frame by the wrong list: the kernel gets it. The same
 * holds for ECMP_LPM_RUNS_LEAF8 and a program from before it, which reads
 * the bit as part of the chunk index; a list of 16-bit leaves is linked
 * as before.
 */
#define ECMP_LPM_RUNS_BITMAP	0x04000000u
#define ECMP_LPM_RUNS_LEAF8	0x02000000u
/* The most chunks `limits` allows: a run list link's chunk stays below
 * the layout bits, and any layout's link read by another's decoder
 * lands past the pool. */
#define ECMP_LPM_CHUNKS_LIMIT	(1u << 21)
_Static_assert((ECMP_LPM_CHUNKS_LIMIT << 4) <= ECMP_LPM_RUNS_LEAF8 &&
	       (ECMP_LPM_RUNS_LEAF8 >> 4) >= ECMP_LPM_CHUNKS_LIMIT,
	       "run list links: the chunks limit and the layout bits");
#define ECMP_LPM_RUNS_CLASS(v)	(((v) >> 27) & 3)
#define ECMP_LPM_RUNS_CHUNK(v)	((((v) ^ ECMP_LPM_RUNS_BITMAP) & 0x05ffffffu) >> 4)
#define ECMP_LPM_RUNS_SLOT(v)	((v) & 15)
#define ECMP_LPM_RUNS_SIZE(class) (64 + 32 * (class))
#define ECMP_LPM_RUNS_PER_CHUNK(class) (ECMP_LPM_CHUNK * 4 / ECMP_LPM_RUNS_SIZE(class))
/* Where a run list's parts start. */
#define ECMP_LPM_RUNS_BEFORE	32
#define ECMP_LPM_RUNS_LEAVES	40
/* The runs a class holds: the bitmap, the counts and 2 bytes a run, or
 * 1 with 8-bit leaves. */
#define ECMP_LPM_RUNS_HOLDS(class) ((ECMP_LPM_RUNS_SIZE(class) - ECMP_LPM_RUNS_LEAVES) / 2)
#define ECMP_LPM_RUNS8_HOLDS(class) (ECMP_LPM_RUNS_SIZE(class) - ECMP_LPM_RUNS_LEAVES)
#define ECMP_LPM_RUNS_MAX	ECMP_LPM_RUNS8_HOLDS(3)
/* The furthest a valid run list starts into its chunk: the last of the
 * smallest (960; every list's 63 bytes after it stay in the chunk). */
#define ECMP_LPM_RUNS_OFF_MAX	((ECMP_LPM_RUNS_PER_CHUNK(0) - 1) * ECMP_LPM_RUNS_SIZE(0))
#define ECMP_LPM_RUNS_LINK(class, chunk, slot) \
	(ECMP_LPM_CHILD | ECMP_LPM_TAIL | ECMP_LPM_RUNS | ECMP_LPM_RUNS_BITMAP | \
	 (__u32)(class) << 27 | (__u32)(chunk) << 4 | (slot))
#define ECMP_LPM_RUN_CONNECTED	0xfffeu
#define ECMP_LPM_RUN_LOCAL	0xffffu
#define ECMP_LPM_RUN8_CONNECTED	0xfeu
#define ECMP_LPM_RUN8_LOCAL	0xffu

/* The run of entry b in a run list: the runs before b's word of the
 * bitmap (before) plus that word's bits up to b, minus one. BPF has no
 * population count, so the bits are summed in pairs, nibbles and bytes,
 * then by a multiply: a dozen instructions and no branch. The caller
 * reads word and before, each in its own way (the data path from the
 * map, user space from its copy). */
static inline __attribute__((always_inline)) __u32 ecmp_lpm_run_index(__u32 word, __u8 before,
								       __u32 b)
{
	__u32 x = word & (0xffffffffu >> (31 - (b & 31)));

	x = x - ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0fu;
	return before + ((x * 0x01010101u) >> 24) - 1;
}

/* A run value as the leaf it stands for: 16 bits, or 8. */
static inline __attribute__((always_inline)) __u32 ecmp_lpm_run_leaf(__u16 v)
{
	return v >= ECMP_LPM_RUN_CONNECTED ? 0x7fff0000u | v : v;
}

static inline __attribute__((always_inline)) __u32 ecmp_lpm_run8_leaf(__u8 v)
{
	return v >= ECMP_LPM_RUN8_CONNECTED ? 0x7fffff00u | v : v;
}

struct ecmp_lpm_chunk {
	union {
		__u32 entry[ECMP_LPM_CHUNK];
		struct ecmp_lpm_tail tail[ECMP_LPM_TAILS_PER_CHUNK];
		__u8 bytes[ECMP_LPM_CHUNK * 4];	/* run lists */
	};
};
_Static_assert(sizeof(struct ecmp_lpm_chunk) == 1024, "ecmp_lpm_chunk ABI");

enum ecmp_family {
	ECMP_AF_INET	= 4,
	ECMP_AF_INET6	= 6,
};

/* ---- ecmp_routes: hash, the configured routes, for show and rebuild ---- */

struct ecmp_route_key {
	__u8 family;		/* enum ecmp_family */
	__u8 prefixlen;
	__u8 pad[2];
	__u8 addr[16];		/* network order; IPv4 in the first 4 bytes */
};
_Static_assert(sizeof(struct ecmp_route_key) == 20, "ecmp_route_key ABI");

struct ecmp_route {
	__u32 leaf;		/* ECMP_LPM_LEAF(group), ECMP_LPM_LOCAL or _CONNECTED */
};
_Static_assert(sizeof(struct ecmp_route) == 4, "ecmp_route ABI");

/* Every mmapable map's value size is a multiple of 8: the kernel stores
 * array elements at round_up(value_size, 8), and user space indexes the mmap
 * as a C array of the struct. */

/* ---- ecmp_groups: array by group id, mmapable, written by ecmpd ----
 *
 * A group names a table of (bucket_mask + 1) buckets in ecmp_buckets,
 * starting at table_base. The two fields form one 64-bit word that ecmpd
 * writes with a single store, so a table can be swapped whole: the data
 * path sees the old table or the new one, never a mix.
 * bucket_mask 0 with table_base 0 and no slot owned means "group unused":
 * ecmpd never gives out slot 0 (it is a guard).
 */
struct ecmp_group {
	__u32 table_base;
	__u32 bucket_mask;	/* buckets - 1; buckets is a power of two */
} __attribute__((aligned(8)));
_Static_assert(sizeof(struct ecmp_group) == 8, "ecmp_group ABI");

/* The group's table as the one 64-bit word that is stored and loaded
 * whole: base in the low half, mask in the high half. Every reader and
 * writer goes through these three, never through the struct's fields
 * (whose place in the word depends on the byte order). The mask read back
 * is bounded, so a hostile word never spans more than one table's worth
 * of buckets. */
static inline __attribute__((always_inline)) __u64
ecmp_group_word(__u32 table_base, __u32 buckets)
{
	return (__u64)table_base | (__u64)(buckets - 1) << 32;
}

static inline __attribute__((always_inline)) __u32 ecmp_group_base(__u64 word)
{
	return (__u32)word;
}

static inline __attribute__((always_inline)) __u32 ecmp_group_mask(__u64 word)
{
	return (__u32)(word >> 32) & (ECMP_MAX_BUCKETS - 1);
}

/* ---- ecmp_buckets: array of slots, mmapable ----
 * nexthop: written by ecmpd, one aligned 32-bit store per change.
 * last_seen: written by the data path, the config epoch (units of
 * 2^ECMP_SEEN_SHIFT ns of CLOCK_MONOTONIC) when the bucket last carried a
 * packet; written only when it changes, so busy buckets do not bounce a
 * cache line between CPUs on every packet. ecmpd prefers buckets
 * with an old last_seen when it has to move some (idle buckets).
 */
#define ECMP_SEEN_SHIFT		26	/* ~67 ms */
#define ECMP_BUCKET_EMPTY	0xffffffffu

struct ecmp_bucket {
	__u32 nexthop;		/* nexthop id, or ECMP_BUCKET_EMPTY */
	__u32 last_seen;
};
_Static_assert(sizeof(struct ecmp_bucket) == 8, "ecmp_bucket ABI");

/* ---- ecmp_nexthops: array by nexthop id, written by ecmpd ---- */

enum ecmp_nexthop_flags {
	/* Set only while link, neighbour and BFD are all good and the nexthop
	 * is not drained. Cleared first on failure, before any bucket moves. */
	ECMP_NH_USABLE		= 1u << 0,
	/* The egress device cannot transmit XDP frames (its xdp-features
	 * lack ndo-xmit: a bridge, a VXLAN device, a bond without XDP): a
	 * redirect there would be dropped after the program returned, so
	 * XDP hands the frame on instead (ECMP_PASS_NO_XDP_XMIT) and the tc
	 * ingress hook, or else the kernel, forwards it. */
	ECMP_NH_NO_XDP_XMIT	= 1u << 1,
	/* The kernel would send no ICMP redirect naming this nexthop: an
	 * IPv6 one whose address is not link-local (RFC 4861 8: a redirect's
	 * target is), so a frame sent back out by it stays in XDP. */
	ECMP_NH_NO_REDIRECT	= 1u << 2,
};

struct ecmp_nexthop {
	__u8  dmac[6];		/* the nexthop's MAC */
	__u8  smac[6];		/* the egress interface's MAC */
	__u32 ifindex;		/* egress; key into ecmp_tx_ports */
	__u16 vlan_tci;		/* network order; 0 = send untagged */
	__u16 flags;		/* enum ecmp_nexthop_flags */
	/* The egress link's MTU (L3 bytes, 0: not known, not checked): a
	 * longer datagram goes to the kernel (ECMP_PASS_TOO_BIG), which
	 * fragments it or answers "fragmentation needed"/"packet too big". */
	__u16 mtu;
	__u16 pad;		/* array maps store values 8-byte aligned */
};
_Static_assert(sizeof(struct ecmp_nexthop) == 24, "ecmp_nexthop ABI");

/* ---- metadata: names and configuration, for ecmpctl and restarts ----
 * Arrays by nexthop / group id, written by ecmpd, never read by the data
 * path. They make the pinned state self-describing: ecmpctl shows names
 * without ecmpd running, and a restarted ecmpd adopts ids, tables and drain
 * state from them without moving a bucket.
 */
#define ECMP_NAME_MAX		32
/* Groups ecmpd made for routes mirrored from the kernel or streamed by
 * zebra (user/ecmpd/mirror.c) are named with these prefixes, which config
 * names cannot contain (':'); ecmpctl tells a route's source by them. */
#define ECMP_MIRROR_GROUP_PREFIX	"kernel:"
#define ECMP_FPM_GROUP_PREFIX		"fpm:"
#define ECMP_MAX_GROUP_MEMBERS	64

enum ecmp_nh_state {
	ECMP_NH_STATE_UNUSED = 0,	/* slot free */
	ECMP_NH_STATE_UP,
	ECMP_NH_STATE_DOWN,		/* link down or neighbour failed */
	ECMP_NH_STATE_DRAIN,		/* ecmpctl nexthop set NAME drain */
	ECMP_NH_STATE_UNRESOLVED,	/* no MAC yet */
};

enum ecmp_nh_meta_flags {
	ECMP_NH_META_DRAINED	= 1u << 0,	/* admin drain, survives restarts */
	ECMP_NH_META_BFD	= 1u << 1,
	ECMP_NH_META_LINK_UP	= 1u << 2,
	ECMP_NH_META_BFD_UP	= 1u << 3,	/* its BFD session is Up */
	ECMP_NH_META_NO_XDP_XMIT = 1u << 4,	/* its device cannot send XDP frames */
};

struct ecmp_nh_meta {
	char  name[ECMP_NAME_MAX];
	__u8  via[16];
	__u8  family;		/* 0: slot unused */
	__u8  state;		/* enum ecmp_nh_state */
	__u16 vlan;
	__u32 weight;
	__u32 ifindex;
	__u32 flags;		/* enum ecmp_nh_meta_flags */
};
_Static_assert(sizeof(struct ecmp_nh_meta) == 64, "ecmp_nh_meta ABI");

struct ecmp_grp_member {
	__u32 nexthop;
	__u32 weight;
};

struct ecmp_grp_meta {
	char  name[ECMP_NAME_MAX];
	__u32 in_use;
	__u32 buckets;
	__u32 nmembers;
	__u32 idle_timer_ms;
	__u32 unbalanced_timer_ms;
	__u32 pad;
	struct ecmp_grp_member member[ECMP_MAX_GROUP_MEMBERS];
};
_Static_assert(sizeof(struct ecmp_grp_meta) == 568, "ecmp_grp_meta ABI");

/* ---- counters: per-CPU arrays ---- */

/* Why a frame left the program the way it did. Index into ecmp_stats. */
enum ecmp_reason {
	ECMP_FORWARDED = 0,
	ECMP_PASS_NOT_READY,		/* ecmpd has not finished configuring */
	ECMP_PASS_NOT_IP,		/* ARP, LLDP, other ethertypes */
	ECMP_PASS_NOT_UNICAST,		/* multicast/broadcast MAC or address */
	ECMP_PASS_UNSUPPORTED,		/* >2 VLAN tags, long IPv6 ext chain, jumbogram */
	ECMP_PASS_MALFORMED,		/* truncated or invalid header, bad checksum */
	ECMP_PASS_NO_ROUTE,
	ECMP_PASS_LOCAL,		/* addressed to the router itself */
	ECMP_PASS_TTL,			/* TTL/hop limit <= 1: kernel sends ICMP */
	ECMP_PASS_NO_NEXTHOP,		/* no usable nexthop in the group */
	ECMP_PASS_NO_EGRESS,		/* egress interface not in ecmp_tx_ports */
	ECMP_PASS_ADJUST_FAILED,	/* could not resize the L2 header */
	ECMP_PASS_CSUM_PARTIAL,		/* XDP: L4 checksum left to offload, too long to finish */
	ECMP_PASS_KERNEL_PATH,		/* a kernel-path rule of the config */
	ECMP_PASS_CONNECTED,		/* to a subnet of the router's own interfaces */
	ECMP_PASS_IP_OPTIONS,		/* IPv4 options, IPv6 Hop-by-Hop: the kernel's */
	ECMP_PASS_OTHER_HOST,		/* not addressed to the ingress interface's MAC */
	ECMP_PASS_VLAN,			/* a VLAN that is no L3 interface of this router */
	ECMP_PASS_TOO_BIG,		/* longer than the egress link's MTU */
	ECMP_PASS_NO_XDP_XMIT,		/* XDP: the egress device cannot send XDP frames */
	ECMP_PASS_REDIRECT,		/* back out its way in, from an on-link host: the
					 * kernel forwards it and sends an ICMP redirect */
	ECMP_REASON_MAX,
};

/* ecmp_stats has room for reasons to come, so adding one keeps the map's
 * layout (and the pins) of a running instance. */
#define ECMP_MAX_REASONS	32
_Static_assert(ECMP_REASON_MAX <= ECMP_MAX_REASONS, "ecmp_stats too small");

struct ecmp_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct ecmp_counter) == 16, "ecmp_counter ABI");

#endif /* ECMP_SHARED_H */
