/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Addresses no router forwards (RFC 1812 5.3.7, RFC 3927 2.7, RFC 4291,
 * RFC 6890), for both sides: the data path hands a frame with one at
 * either end to the kernel, and ecmpd keeps no local entry for a router
 * address among them (no frame to it is forwarded, so none needs
 * protecting; a node has an fe80:: one per pod veth). Addresses in wire
 * order: the tests read the same on any machine.
 */
#ifndef ECMP_MARTIAN_H
#define ECMP_MARTIAN_H

#include "ecmp_shared.h"

/* A 32-bit word as it sits in memory in wire order, e.g. the last word
 * of ::1 is ECMP_WIRE32(1). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ECMP_WIRE32(x)	__builtin_bswap32(x)
#else
#define ECMP_WIRE32(x)	(x)
#endif

/* Multicast, broadcast and class E, loopback, "this network" (0/8),
 * link-local 169.254/16. */
static inline __attribute__((always_inline)) int ecmp_ipv4_martian(const __u8 *a)
{
	return a[0] >= 224 || a[0] == 127 || a[0] == 0 || (a[0] == 169 && a[1] == 254);
}

/* Multicast, link-local (fe80::/10), ::, ::1 and ::ffff:0:0/96 (RFC
 * 4291 2.5.2, 2.5.3, 2.5.5.2); a as four words. */
static inline __attribute__((always_inline)) int ecmp_ipv6_martian(const __u32 *a)
{
	const __u8 *b = (const __u8 *)a;

	return b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
	       (!a[0] && !a[1] &&
		((!a[2] && (!a[3] || a[3] == ECMP_WIRE32(1))) || a[2] == ECMP_WIRE32(0xffff)));
}

/* Whether every address of the prefix (a in wire order, ECMP_AF_*) is
 * one of the above, so the data path never looks a route for it up: the
 * first address is, in a block of the prefix's length or shorter. */
static inline __attribute__((always_inline)) int
ecmp_prefix_martian(__u8 family, const __u8 *a, int prefixlen)
{
	if (family == ECMP_AF_INET)
		return (prefixlen >= 8 && (a[0] == 0 || a[0] == 127)) ||
		       (prefixlen >= 16 && a[0] == 169 && a[1] == 254) ||
		       (prefixlen >= 3 && a[0] >= 224);
	{
		__u32 w[4];

		__builtin_memcpy(w, a, 16);
		return (prefixlen >= 8 && a[0] == 0xff) ||
		       (prefixlen >= 10 && a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
		       (prefixlen >= 96 && !w[0] && !w[1] && w[2] == ECMP_WIRE32(0xffff)) ||
		       (prefixlen == 128 && ecmp_ipv6_martian(w));
	}
}

#endif /* ECMP_MARTIAN_H */
