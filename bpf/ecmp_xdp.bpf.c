// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * XDP entry point of xdp-ecmp. The work is in xdp_fwd.bpf.h (sending) and
 * fwd.bpf.h (the decision shared with the TC programs).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdp_fwd.bpf.h"

/* xdp.frags: multi-buffer frames (jumbo MTUs) are ours too; a program
 * without it cannot attach to a device whose MTU exceeds a page. */
SEC("xdp.frags")
int ecmp_xdp(struct xdp_md *ctx)
{
	return ecmp_xdp_forward(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
