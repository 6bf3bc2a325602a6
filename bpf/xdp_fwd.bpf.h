/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The XDP way of sending a frame after the shared decision (fwd.bpf.h):
 * redirect through the devmap, rewrite in place, resize the L2 header with
 * bpf_xdp_adjust_head() when the number of VLAN tags changes. Returns the
 * XDP action; every frame is counted under exactly one reason.
 */
#ifndef ECMP_XDP_FWD_BPF_H
#define ECMP_XDP_FWD_BPF_H

#include "fwd.bpf.h"

static __always_inline int ecmp_xdp_forward(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	struct ecmp_decision dec;
	__u32 new_l2;
	int reason, delta;

	reason = ecmp_decide(data, data_end, bytes, 1, &dec);
	if (reason != ECMP_FORWARDED)
		goto pass;

	/* Only records the target; nothing is sent until we return. */
	if (bpf_redirect_map(&ecmp_tx_ports, dec.nh->ifindex, 0) != XDP_REDIRECT) {
		reason = ECMP_PASS_NO_EGRESS;
		goto pass;
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

	ecmp_count_forward(&dec, bytes);
	return XDP_REDIRECT;

pass:
	ecmp_count(reason, bytes);
	return XDP_PASS;
}

#endif /* ECMP_XDP_FWD_BPF_H */
