/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SHA-1 (FIPS 180-4), only for BFD keyed SHA1 authentication (RFC 5880
 * §6.7.4), which fixes the algorithm. Not for anything that needs a strong
 * hash: SHA-1 is kept here because the protocol requires it.
 */
#ifndef ECMP_SHA1_H
#define ECMP_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN 20

void sha1(const void *data, size_t len, uint8_t digest[SHA1_DIGEST_LEN]);

#endif /* ECMP_SHA1_H */
