/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The TC (clsact) way of sending a frame after the shared decision
 * (fwd.bpf.h). Two hooks:
 *  - ingress: forwards exactly as the XDP program does (TTL - 1, MACs,
 *    VLAN), for interfaces without native XDP; bpf_redirect() to the
 *    nexthop's interface.
 *  - egress: re-targets traffic the router itself sends toward an ECMP
 *    prefix to the nexthop the hash picks. The router is the origin, so
 *    the TTL is left alone; only the L2 header changes, so partial
 *    checksums (CHECKSUM_PARTIAL from the socket) stay valid. A frame
 *    redirected to another interface meets that interface's egress hook,
 *    which makes the same decision, finds itself on the right interface
 *    and lets it go: no loop.
 * Returns the TC action; every frame is counted under exactly one reason.
 */
#ifndef ECMP_TC_FWD_BPF_H
#define ECMP_TC_FWD_BPF_H

#include "fwd.bpf.h"

#define TC_ACT_OK_		0
#define TC_ACT_SHOT_		2
#define TC_ACT_REDIRECT_	7

/* Headers deeper than this are not looked at by the TC path (the pull
 * below makes them linear). */
#define ECMP_TC_PULL		512

/* Removes every VLAN tag, accelerated or in the data: bpf_skb_vlan_pop()
 * clears an accelerated tag, or pops one from the data and moves the next
 * one, if any, into the accelerated slot. Returns 0 or -1. */
static __always_inline int tc_strip_vlans(struct __sk_buff *skb)
{
	int i;

#pragma unroll
	for (i = 0; i < ECMP_MAX_VLAN_TAGS + 1; i++) {
		if (!skb->vlan_present && skb->protocol != bpf_htons(ETHP_8021Q) &&
		    skb->protocol != bpf_htons(ETHP_8021AD))
			return 0;
		if (bpf_skb_vlan_pop(skb))
			return -1;
	}
	return skb->vlan_present ? -1 : 0;
}

static __always_inline int ecmp_tc_forward(struct __sk_buff *skb, int egress)
{
	struct ecmp_decision dec;
	struct ecmp_iface *iface = NULL;
	void *data, *data_end;
	__u64 bytes = skb->len;
	int reason;

	/* Headers must be linear for direct access; a GSO frame from a local
	 * socket can keep most of its data in fragments. */
	bpf_skb_pull_data(skb, skb->len < ECMP_TC_PULL ? skb->len : ECMP_TC_PULL);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;

	/* An accelerated tag is one more tag the parser cannot see. */
	if (skb->vlan_present) {
		struct ethhdr *eth = data;
		int tags = 0;

		if ((void *)(eth + 1) <= data_end &&
		    (eth->h_proto == bpf_htons(ETHP_8021Q) ||
		     eth->h_proto == bpf_htons(ETHP_8021AD)))
			tags = 1;
		if (tags + 1 > ECMP_MAX_VLAN_TAGS) {
			reason = ECMP_PASS_UNSUPPORTED;
			goto pass;
		}
	}
	/* Lengths against the whole skb: after GRO or from a GSO socket the
	 * payload is mostly outside the linear part. */
	/* Ingress: another station's frame is not forwarded, as in XDP
	 * (ecmp_ifaces); egress frames are the router's own. */
	if (!egress) {
		__u32 ifindex = skb->ifindex;

		iface = bpf_map_lookup_elem(&ecmp_ifaces, &ifindex);
		if (!iface || !(iface->flags & ECMP_IFACE_VALID)) {
			reason = ECMP_PASS_OTHER_HOST;
			goto pass;
		}
	}
	{
		struct ecmp_ingress in = {
			.mac = iface ? iface->mac : NULL,
			.ifindex = skb->ifindex,
			.accel_vid = skb->vlan_present ? skb->vlan_tci & 0xfff : 0,
		};

		reason = ecmp_decide(data, data_end, skb->len, iface ? &in : NULL, &dec);
	}
	if (reason != ECMP_FORWARDED)
		goto pass;
	if (!egress && ecmp_redirect_due(skb->ifindex,
					 skb->vlan_present ? skb->vlan_tci & 0xfff : 0, &dec)) {
		reason = ECMP_PASS_REDIRECT;
		goto pass;
	}
	{
		__u32 ifindex = dec.nh->ifindex;

		/* Same rule as the XDP path: ecmpd lists every egress. */
		if (!bpf_map_lookup_elem(&ecmp_tx_ports, &ifindex)) {
			reason = ECMP_PASS_NO_EGRESS;
			goto pass;
		}
	}
	/* Longer than the egress link takes: the kernel's own check, which
	 * knows a GSO packet leaves as segments (each one is checked), and
	 * the kernel then fragments or answers with ICMP, as for XDP. */
	{
		__u32 l3_len = dec.pkt.l3_end - dec.pkt.l3_off;
		__u32 mtu_len = skb->gso_size ? 0 : l3_len;
		__u64 flags = skb->gso_size ? BPF_MTU_CHK_SEGS : 0;

		if (bpf_check_mtu(skb, dec.nh->ifindex, &mtu_len, 0, flags) > 0) {
			reason = ECMP_PASS_TOO_BIG;
			goto pass;
		}
	}
	if (tc_strip_vlans(skb)) {
		reason = ECMP_PASS_ADJUST_FAILED;
		goto pass;
	}
	if (dec.nh->vlan_tci &&
	    bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_MAC, 0)) {
		reason = ECMP_PASS_ADJUST_FAILED;
		goto pass;
	}
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	dec.pkt.l3_off = ecmp_l2_len(dec.nh);
	if ((!egress && ecmp_rewrite_l3(data, data_end, &dec.pkt)) ||
	    ecmp_write_l2(data, data_end, dec.nh, dec.pkt.flow.family))
		return TC_ACT_SHOT_;	/* cannot happen: the frame only grew */

	ecmp_count_forward(&dec, bytes);
	if (egress && dec.nh->ifindex == skb->ifindex)
		return TC_ACT_OK_;	/* already on its way out here */
	return bpf_redirect(dec.nh->ifindex, 0);

pass:
	ecmp_count(reason, bytes);
	return TC_ACT_OK_;
}

#endif /* ECMP_TC_FWD_BPF_H */
