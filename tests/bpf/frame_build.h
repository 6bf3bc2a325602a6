/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Builds test frames from a description: Ethernet, 0-3 VLAN tags, IPv4 with
 * options or IPv6 with extension headers, fragments, TCP/UDP/SCTP/ICMP, and
 * VXLAN/GENEVE tunnels around an inner frame. Headers come out well formed
 * (lengths, IPv4 checksum) unless the test mutates them afterwards.
 */
#ifndef ECMP_FRAME_BUILD_H
#define ECMP_FRAME_BUILD_H

#include <stddef.h>
#include <stdint.h>

enum { FRAG_NONE, FRAG_FIRST, FRAG_LATER };
/* TUN_ICMP_ERROR: an ICMP/ICMPv6 error (icmp_type, icmp_code) quoting
 * inner's IP packet, cut to quote_len bytes when that is set. */
enum { TUN_NONE, TUN_VXLAN, TUN_GENEVE, TUN_ICMP_ERROR };

struct frame_spec {
	uint8_t dmac[6], smac[6];
	int vlans;			/* 0..3 */
	uint16_t vlan_tpid[3];		/* 0 -> 0x8100 */
	uint16_t vlan_tci[3];
	uint16_t ethertype;		/* 0 -> from family */
	uint8_t family;			/* 4 or 6 */
	uint8_t src[16], dst[16];
	uint8_t proto;
	uint16_t sport, dport;		/* host order */
	uint8_t ttl;
	uint32_t flowlabel;
	int ip_opt_len;			/* IPv4 options, multiple of 4, <= 40 */
	int n_ext;			/* IPv6 extension headers, in order */
	uint8_t ext[8];			/* 0, 43, 60 or 44 */
	int ext_len[8];			/* bytes, multiple of 8; 0 -> 8 */
	int frag;			/* FRAG_* */
	int payload;			/* L4 payload bytes */
	int tunnel;			/* TUN_*: this frame carries inner */
	int geneve_opt_len;		/* multiple of 4 */
	int tunnel_no_eth;		/* GENEVE: IP directly, no inner Ethernet */
	uint8_t icmp_type, icmp_code;	/* TUN_ICMP_ERROR */
	int quote_len;			/* TUN_ICMP_ERROR: 0 = all of it */
	const struct frame_spec *inner;
};

/* A valid UDP frame to route (198.18.0.1 -> dst) with defaults filled. */
void frame_spec_default(struct frame_spec *s, uint8_t family);

/* err becomes the ICMP error a router at reporter (flow's family) sends
 * to the flow's destination about the flow's reply (addresses and ports
 * swapped, as *quote): "fragmentation needed" for IPv4, "packet too big"
 * for IPv6, the quote cut to quote_len bytes (0: whole) and ending the
 * packet. quote must outlive err. */
void frame_spec_icmp_error(struct frame_spec *err, struct frame_spec *quote,
			   const struct frame_spec *flow, const uint8_t *reporter,
			   int quote_len);

/* Writes the frame into buf; returns its length, 0 if cap is too small. */
size_t frame_build(const struct frame_spec *s, uint8_t *buf, size_t cap);

/* Offsets a builder produced, for tests that mutate specific fields. */
struct frame_layout {
	size_t l3, l4, end;
};
size_t frame_build_layout(const struct frame_spec *s, uint8_t *buf, size_t cap,
			  struct frame_layout *lay);

/* Internet checksum helpers. */
uint16_t csum_fold(uint32_t sum);
uint32_t csum_add(uint32_t sum, const void *p, size_t len);

#endif /* ECMP_FRAME_BUILD_H */
