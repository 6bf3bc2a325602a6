/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A benchmark frame's IPv4 destination replaced, for the rows that walk
 * over many destinations (bench_rewrite.bpf.h's spread rows,
 * bench_live.bpf.h's full-table live rows). The header checksum follows
 * (RFC 1624, eqn. 3, over the address's two 16-bit words): ecmp_xdp
 * checks it.
 */
#ifndef BENCH_DADDR_BPF_H
#define BENCH_DADDR_BPF_H

#include <bpf/bpf_endian.h>
#include "csum.bpf.h"

/* Sets the header's destination to daddr (network order). Returns the
 * change as a ones' complement sum of 16-bit words, for a checksum over
 * a pseudo-header that holds the address too (UDP, TCP). */
static __always_inline __u32 bench_set_daddr(struct iphdr *iph, __u32 daddr)
{
	__u32 old = bpf_ntohl(iph->daddr), new = bpf_ntohl(daddr), delta;

	delta = (__u16)~(old >> 16) + (__u16)~(old & 0xffff) + (new >> 16) + (new & 0xffff);
	iph->check = bpf_htons((__u16)~csum16_add((__u16)~bpf_ntohs(iph->check) + delta));
	iph->daddr = daddr;
	return delta;
}

#endif /* BENCH_DADDR_BPF_H */
