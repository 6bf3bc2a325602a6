/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Kernel-path rules (config `kernel-path`, map ecmp_pass_rules): whether a
 * flow is one the operator keeps on the kernel's path. Plain C for the
 * data path and for ecmpctl lookup, so the two cannot disagree.
 *
 * Promise: ecmp_pass_rule_match() reads only the rule and the flow.
 */
#ifndef ECMP_PASS_H
#define ECMP_PASS_H

#include "ecmp_hash.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ECMP_PASS_NTOHS(x)	__builtin_bswap16(x)
#else
#define ECMP_PASS_NTOHS(x)	(x)
#endif

ECMP_HASH_INLINE int ecmp_pass_addr_in(const __u32 *addr, const __u32 *net,
				       const __u32 *mask)
{
	return !(((addr[0] & mask[0]) ^ net[0]) | ((addr[1] & mask[1]) ^ net[1]) |
		 ((addr[2] & mask[2]) ^ net[2]) | ((addr[3] & mask[3]) ^ net[3]));
}

/* 1 when the flow (the outer headers, as a firewall sees them) matches. */
ECMP_HASH_INLINE int ecmp_pass_rule_match(const struct ecmp_pass_rule *r,
					  const struct ecmp_flow *f)
{
	__u16 sport, dport;

	if (r->family != f->family || (r->proto && r->proto != f->proto))
		return 0;
	if (!ecmp_pass_addr_in(f->saddr, r->src, r->src_mask) ||
	    !ecmp_pass_addr_in(f->daddr, r->dst, r->dst_mask))
		return 0;
	if (f->fragment)
		return 1;	/* no ports to look at: the kernel decides */
	sport = ECMP_PASS_NTOHS(f->sport);
	dport = ECMP_PASS_NTOHS(f->dport);
	return sport >= r->sport_lo && sport <= r->sport_hi &&
	       dport >= r->dport_lo && dport <= r->dport_hi;
}

#endif /* ECMP_PASS_H */
