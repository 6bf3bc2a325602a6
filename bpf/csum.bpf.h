/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * TTL and hop-limit decrement. The IPv4 header checksum is updated
 * incrementally (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')), which is exact
 * for any input checksum, so a frame that arrives with a valid header leaves
 * with one. The caller has checked that the header is inside the frame and
 * that the TTL is greater than 1.
 */
#ifndef ECMP_CSUM_BPF_H
#define ECMP_CSUM_BPF_H

static __always_inline __u16 csum16_add(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* Sets the TTL and updates the header checksum for it. */
static __always_inline void ipv4_set_ttl(struct iphdr *iph, __u8 ttl)
{
	/* The 16-bit word that holds TTL (high byte) and protocol. */
	__u16 old_word = ((__u16)iph->ttl << 8) | iph->protocol;
	__u16 new_word = ((__u16)ttl << 8) | iph->protocol;
	__u32 sum = (__u16)~bpf_ntohs(iph->check);

	sum += (__u16)~old_word;
	sum += new_word;
	iph->check = bpf_htons((__u16)~csum16_add(sum));
	iph->ttl = ttl;
}

/*
 * One less TTL: eqn. 3 with m' = m - 0x0100 is HC' = HC + 0x0100 in ones'
 * complement arithmetic, an add and its end-around carry (as the kernel's
 * ip_decrease_ttl), a third of ipv4_set_ttl's work. The sum is
 * byte-order free (RFC 1071), so the field is added to as loaded. A
 * result of 0xffff (-0) becomes 0 (+0), the only form a header's real
 * checksum can take (~ of a sum of non-zero words, never +0): exact for
 * a valid input checksum, which the parser has checked.
 */
static __always_inline void ipv4_decrement_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xffff));
	iph->ttl -= 1;
}

static __always_inline void ipv6_decrement_hop_limit(struct ipv6hdr *ip6)
{
	ip6->hop_limit -= 1;
}

#endif /* ECMP_CSUM_BPF_H */
