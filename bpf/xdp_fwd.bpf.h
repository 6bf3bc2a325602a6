/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The XDP way of sending a frame after the shared decision (fwd.bpf.h):
 * redirect through the devmap, rewrite in place, resize the L2 header with
 * bpf_xdp_adjust_head() when the number of VLAN tags changes. Returns the
 * XDP action; every frame is counted under exactly one reason.
 *
 * Multi-buffer frames (xdp.frags, jumbo MTUs): the headers are read from
 * the first buffer, which the kernel makes at least a few KiB; lengths
 * are the whole frame's (bpf_xdp_get_buff_len), and the checksum finishing
 * reads the segment across buffers with bpf_xdp_load_bytes.
 */
#ifndef ECMP_XDP_FWD_BPF_H
#define ECMP_XDP_FWD_BPF_H

#include "fwd.bpf.h"

/*
 * The frame's length as the checks need it: all buffers of a multi-buffer
 * frame. The helper that says so is a call, and a call is several ns a
 * packet where returns are mitigated (AMD's SRSO: 5 ns of 84 here). So
 * the first buffer's own length serves whenever the IPv4 or IPv6 packet
 * (under up to two VLAN tags) ends inside it: no check reads past the
 * packet's end (its lengths come from its header, and bytes in further
 * buffers, past it, would be no part of it). Anything else asks the
 * helper. l2_err, proto and l3_off: the frame's L2 part, parsed once for
 * this and the decision (ecmp_parse_l2). Built with
 * ECMP_XDP_SINGLE_BUFFER (the benchmark's reference only): always the
 * pointers, as before multi-buffer support.
 */
static __always_inline __u32 ecmp_xdp_frame_len(struct xdp_md *ctx, int l2_err,
						__u16 proto, __u32 l3_off)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 linear = (__u32)(data_end - data);
#ifndef ECMP_XDP_SINGLE_BUFFER
	__u32 l3 = 0;

	if (l2_err)
		return (__u32)bpf_xdp_get_buff_len(ctx);
	if (proto == ETHP_IPV4) {
		struct iphdr *iph = hdr_at(data, data_end, l3_off, sizeof(*iph));

		if (iph)
			l3 = bpf_ntohs(iph->tot_len);
	} else if (proto == ETHP_IPV6) {
		struct ipv6hdr *ip6 = hdr_at(data, data_end, l3_off, sizeof(*ip6));

		if (ip6)
			l3 = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	}
	if (!l3 || l3_off + l3 > linear)
		return (__u32)bpf_xdp_get_buff_len(ctx);
#endif
	return linear;
}

#define ECMP_CSUM_CHUNK		256
/* Where byte i of a 32-bit word loaded from the frame lands in the
 * register: the tail bytes are summed as if the word had been loaded. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ECMP_BYTE_SHIFT(i)	(8 * (i))
#else
#define ECMP_BYTE_SHIFT(i)	(8 * (3 - (i)))
#endif
#define ECMP_CSUM_MAX_CHUNKS	16	/* a single-buffer frame: one page */
/* A multi-buffer frame: segments up to 16 KiB (jumbo MTUs are 9000-9216),
 * copied out in chunks small enough for the stack the decision leaves. */
#define ECMP_CSUM_FRAG_CHUNK		128
#define ECMP_CSUM_MAX_FRAG_CHUNKS	128

/*
 * The ones' complement sum of the TCP/UDP segment at l4_off, folded to 16
 * bits in the frame's byte order, or -1 when it cannot be read (longer than
 * any frame XDP is given). A global function: the verifier checks it once,
 * on its own, instead of inside every path of the decision. 256-byte
 * chunks are summed by bpf_csum_diff(), the rest word by word.
 */
__noinline int ecmp_xdp_l4_sum(struct xdp_md *ctx, __u32 l4_off, __u32 l4_len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 sum = 0;
	__u32 i, done = 0;

	if (l4_len > ECMP_CSUM_CHUNK * ECMP_CSUM_MAX_CHUNKS)
		return -1;
	for (i = 0; i < ECMP_CSUM_MAX_CHUNKS; i++) {
		void *c;

		if (done + ECMP_CSUM_CHUNK > l4_len)
			break;
		c = hdr_at(data, data_end, l4_off + done, ECMP_CSUM_CHUNK);
		if (!c)
			return -1;
		sum += (__u32)bpf_csum_diff(NULL, 0, c, ECMP_CSUM_CHUNK, 0);
		done += ECMP_CSUM_CHUNK;
	}
	for (i = 0; i < ECMP_CSUM_CHUNK / 4; i++) {
		__u32 *w;

		if (done + 4 > l4_len)
			break;
		w = hdr_at(data, data_end, l4_off + done, 4);
		if (!w)
			return -1;
		sum += *w;
		done += 4;
	}
	for (i = 0; i < 3; i++) {
		__u8 *b;

		if (done >= l4_len)
			break;
		b = hdr_at(data, data_end, l4_off + done, 1);
		if (!b)
			return -1;
		sum += (__u64)*b << ECMP_BYTE_SHIFT(done & 3);
		done++;
	}
	return csum_fold64(sum);
}

/*
 * ecmp_xdp_l4_sum() for a segment that does not lie in the first buffer:
 * chunks copied out with bpf_xdp_load_bytes(), which reads across
 * buffers. The copy is zero-padded to whole 32-bit words; the segment
 * starts word-aligned in the chunks, so the padding adds nothing.
 */
__noinline int ecmp_xdp_l4_sum_frags(struct xdp_md *ctx, __u32 l4_off, __u32 l4_len)
{
	__u8 buf[ECMP_CSUM_FRAG_CHUNK];
	__u64 sum = 0;
	__u32 i, done = 0, rest;

	if (!ctx || l4_len > ECMP_CSUM_FRAG_CHUNK * ECMP_CSUM_MAX_FRAG_CHUNKS)
		return -1;
	for (i = 0; i < ECMP_CSUM_MAX_FRAG_CHUNKS; i++) {
		if (done + ECMP_CSUM_FRAG_CHUNK > l4_len)
			break;
		if (bpf_xdp_load_bytes(ctx, l4_off + done, buf, ECMP_CSUM_FRAG_CHUNK))
			return -1;
		sum += (__u32)bpf_csum_diff(NULL, 0, (void *)buf, ECMP_CSUM_FRAG_CHUNK, 0);
		done += ECMP_CSUM_FRAG_CHUNK;
	}
	rest = l4_len - done;
	if (rest >= ECMP_CSUM_FRAG_CHUNK)
		return -1;
	/* A no-op after the check, which the verifier may lose track of
	 * (the -mcpu=v2 build does): it bounds the copy's length itself.
	 * The empty asm keeps clang from dropping the mask as redundant. */
	asm volatile("" : "+r"(rest));
	rest &= ECMP_CSUM_FRAG_CHUNK - 1;
	if (rest) {
		__u32 padded = (rest + 3) & ~3u;

		if (padded > ECMP_CSUM_FRAG_CHUNK)	/* cannot be: for the verifier */
			return -1;
		/* Zeroed where the copy does not reach (whole, not just the
		 * last word: a store at a variable stack offset is refused). */
		__builtin_memset(buf, 0, sizeof(buf));
		if (bpf_xdp_load_bytes(ctx, l4_off + done, buf, rest))
			return -1;
		sum += (__u32)bpf_csum_diff(NULL, 0, (void *)buf, padded, 0);
	}
	return csum_fold64(sum);
}

/*
 * The segment's checksum field holds only the pseudo-header sum. If the
 * whole segment verifies, that is its real checksum (once in 65,536
 * frames); otherwise the sender left it to offload, and it becomes
 * ~(sum of the segment as it is): the field already carries the
 * pseudo-header's share. Returns 0, or the reason to pass the frame.
 */
static __always_inline int ecmp_xdp_finish_csum(struct xdp_md *ctx,
						const struct ecmp_pkt *pkt,
						__u32 pseudo)
{
	__u32 off = pkt->l4_off + (pkt->flow.proto == IPP_TCP ? 16 : 6);
	__u32 l4_len = pkt->l3_end - pkt->l4_off;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u16 *check, c;
	int sum;

	if (pkt->l3_end <= data_end - data)
		sum = ecmp_xdp_l4_sum(ctx, pkt->l4_off, l4_len);
	else
		sum = ecmp_xdp_l4_sum_frags(ctx, pkt->l4_off, l4_len);

	if (sum < 0)
		return ECMP_PASS_CSUM_PARTIAL;
	if (csum_fold64((__u64)pseudo + (__u32)sum) == 0xffff)
		return 0;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	check = hdr_at(data, data_end, off, 2);
	if (!check)
		return ECMP_PASS_CSUM_PARTIAL;
	c = ~(__u16)sum;
	/* UDP sends a computed 0 as all ones (RFC 768; RFC 8200 8.1). */
	*check = c || pkt->flow.proto == IPP_TCP ? c : 0xffff;
	return 0;
}

static __always_inline int ecmp_xdp_forward(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ecmp_decision dec;
	__u32 new_l2, ifindex = ctx->ingress_ifindex;
	struct ecmp_iface *iface = bpf_map_lookup_elem(&ecmp_ifaces, &ifindex);
	__u16 proto = 0;
	int l2_err = ecmp_parse_l2(data, data_end, &dec.pkt, &proto);
	__u32 frame_len = ecmp_xdp_frame_len(ctx, l2_err, proto, dec.pkt.l3_off);
	int reason, delta;

	/* An interface ecmpd has not described: the kernel's. */
	if (!iface || !(iface->flags & ECMP_IFACE_VALID)) {
		reason = ECMP_PASS_OTHER_HOST;
		goto pass;
	}
	{
		struct ecmp_ingress in = { .mac = iface->mac, .ifindex = ifindex };

		reason = ecmp_decide_after_l2(data, data_end, frame_len, l2_err,
					      proto, &in, &dec);
	}
	/* Read again rather than kept: every register held across the
	 * decision is one the flow hash has to spill on each round. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (reason != ECMP_FORWARDED)
		goto pass;
	if (ecmp_redirect_due(ctx->ingress_ifindex, 0, &dec)) {
		reason = ECMP_PASS_REDIRECT;
		goto pass;
	}
	/* Longer than the egress link takes: the kernel fragments it or
	 * answers "fragmentation needed" / "packet too big" (PMTUD). */
	if (dec.pkt.l3_end - dec.pkt.l3_off > dec.nh->mtu && dec.nh->mtu) {
		reason = ECMP_PASS_TOO_BIG;
		goto pass;
	}
	/* A redirect there would be dropped after we return: the tc hook
	 * (or the kernel) sends it instead. */
	if (dec.nh->flags & ECMP_NH_NO_XDP_XMIT) {
		reason = ECMP_PASS_NO_XDP_XMIT;
		goto pass;
	}
	/* Only records the target; nothing is sent until we return XDP_REDIRECT,
	 * and nothing of the frame is written before, so a frame passed
	 * from here on leaves as it came. */
	if (bpf_redirect_map(&ecmp_tx_ports, dec.nh->ifindex, 0) != XDP_REDIRECT) {
		reason = ECMP_PASS_NO_EGRESS;
		goto pass;
	}
	{
		__u32 pseudo;
		int err;

		/* A checksum left to offload (fwd.bpf.h): no hardware will
		 * finish it after a redirect, so XDP does. */
		if ((iface->flags & ECMP_IFACE_CSUM_FINISH) &&
		    ecmp_csum_field_is_pseudo(data, data_end, &dec.pkt, &pseudo)) {
			err = ecmp_xdp_finish_csum(ctx, &dec.pkt, pseudo);
			if (err) {
				reason = err;
				goto pass;
			}
			data = (void *)(long)ctx->data;
			data_end = (void *)(long)ctx->data_end;
		}
	}

	new_l2 = ecmp_l2_len(dec.nh);
	delta = (int)dec.pkt.l3_off - (int)new_l2;
	if (delta) {
		if (bpf_xdp_adjust_head(ctx, delta)) {
			reason = ECMP_PASS_ADJUST_FAILED;
			goto pass;
		}
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		dec.pkt.l3_off = new_l2;
	}
	/* Both fail only if the frame shrank under us, which XDP cannot do;
	 * the frame is then dropped rather than sent half rewritten. */
	if (ecmp_rewrite_l3(data, data_end, &dec.pkt) ||
	    ecmp_write_l2(data, data_end, dec.nh, dec.pkt.flow.family))
		return XDP_ABORTED;

	ecmp_count_forward(&dec, dec.pkt.frame_len);
	return XDP_REDIRECT;

pass:	/* Nothing on the way here resized the frame. */
	ecmp_count(reason, frame_len);
	return XDP_PASS;
}

#endif /* ECMP_XDP_FWD_BPF_H */
