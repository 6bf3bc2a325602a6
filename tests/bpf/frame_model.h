/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The reference model of the data path, written independently of bpf/: a
 * plain byte-by-byte reading of docs/DATAPATH.md. Given a frame and the
 * map contents it says what ecmp_xdp must do: the reason, and for forwarded
 * frames the nexthop and the exact output frame. The packet tests compare
 * the real object with it frame by frame. It shares only the flow hash
 * (include/ecmp_hash.h, the one source of truth) and the trie walk of
 * user/lib/lpm.c (itself tested against a linear reference).
 */
#ifndef ECMP_FRAME_MODEL_H
#define ECMP_FRAME_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "ecmp_hash.h"

/* A kernel-path rule as the config states it (docs/CONFIG.md): the model
 * reads prefixes bit by bit, not through the data path's masks. */
struct model_kpath {
	uint8_t family;			/* 4 or 6 */
	uint8_t proto;			/* 0: any */
	uint8_t src[16], dst[16];
	uint8_t src_len, dst_len;	/* 0: any */
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
};

/* A subnet of the router's own on the ingress link whose hosts the kernel
 * sends ICMP redirects, with the tags its frames carry (0: none). */
struct model_onlink {
	uint8_t family;			/* 4 or 6 */
	uint8_t prefix[16];
	uint8_t len;
	uint16_t outer, inner;
};

struct model_state {
	struct ecmp_config config;
	const struct ecmp_lpm_chunk *root, *node;
	uint32_t nchunks;
	const struct ecmp_group *groups;
	uint32_t ngroups;
	const struct ecmp_bucket *buckets;
	uint32_t nslots;
	const struct ecmp_nexthop *nexthops;
	uint32_t nnexthops;
	const uint32_t *tx_ifindex;	/* interfaces in ecmp_tx_ports */
	int n_tx;
	int tc;			/* model the TC path: no csum_partial rule */
	const struct model_kpath *kpath;
	int nkpath;
	/* The ingress interface as ecmpd describes it; NULL: none. */
	const struct ecmp_iface *iface;
	/* Its L3 VLAN subinterfaces, as (outer VID, inner VID or 0). */
	const uint16_t (*vlans)[2];
	int nvlans;
	/* Its ifindex, and the subnets of its hosts (ecmp_onlink). */
	uint32_t ifindex;
	const struct model_onlink *onlink;
	int nonlink;
	/* XDP: the first buffer of a longer frame (BPF_PROG_TEST_RUN makes
	 * one of 3,520 bytes); headers are read from it alone. 0: whole. */
	size_t linear_max;
};

struct model_result {
	int reason;			/* enum ecmp_reason */
	uint32_t nh_id, group_id;
	uint64_t hash;
	uint8_t out[16384];
	size_t out_len;
};

void model_run(const struct model_state *st, const uint8_t *frame, size_t len,
	       struct model_result *res);

#endif /* ECMP_FRAME_MODEL_H */
