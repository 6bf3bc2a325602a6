// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TC (clsact) entry points of xdp-ecmp: ingress forwarding for interfaces
 * without native XDP, and egress re-targeting of the router's own traffic.
 * The work is in tc_fwd.bpf.h and the decision shared with XDP (fwd.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tc_fwd.bpf.h"

SEC("tc")
int ecmp_tc_ingress(struct __sk_buff *skb)
{
	return ecmp_tc_forward(skb, 0);
}

SEC("tc")
int ecmp_tc_egress(struct __sk_buff *skb)
{
	return ecmp_tc_forward(skb, 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
