// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The trie tests' reference table (lpm_ref.h). */
#include <string.h>

#include "lpm_ref.h"
#include "../test.h"

/* Left out of a fuzzer's coverage (fuzz_lpm): the reference is no part
 * of what it explores. */
#if defined(__clang__)
#define REF_CODE __attribute__((no_sanitize("coverage")))
#else
#define REF_CODE
#endif

int lpm_ref_alen(uint8_t family)
{
	return family == ECMP_AF_INET ? 4 : 16;
}

REF_CODE static int prefix_match(const struct lpm_route *r, const uint8_t *addr)
{
	uint8_t a[16];

	memcpy(a, addr, 16);
	lpm_mask(a, r->family, r->prefixlen);
	return !memcmp(a, r->addr, lpm_ref_alen(r->family));
}

REF_CODE uint32_t lpm_ref_lookup(const struct lpm_ref *ref, uint8_t family, const uint8_t *addr)
{
	int best = -1, i;

	for (i = 0; i < ref->n; i++) {
		const struct lpm_route *r = &ref->r[i];

		if (r->family != family || !prefix_match(r, addr))
			continue;
		if (best < 0 || r->prefixlen > ref->r[best].prefixlen)
			best = i;
	}
	return best < 0 ? ECMP_LPM_NONE : ref->r[best].leaf;
}

REF_CODE int lpm_ref_find(const struct lpm_ref *ref, const struct lpm_route *k)
{
	int i;

	for (i = 0; i < ref->n; i++)
		if (ref->r[i].family == k->family &&
		    ref->r[i].prefixlen == k->prefixlen &&
		    !memcmp(ref->r[i].addr, k->addr, 16))
			return i;
	return -1;
}

int lpm_ref_put(struct lpm_ref *ref, const struct lpm_route *r)
{
	int at = lpm_ref_find(ref, r);

	if (at < 0) {
		if (ref->n == LPM_REF_MAX)
			return -1;
		at = ref->n++;
	}
	ref->r[at] = *r;
	return 0;
}

void lpm_ref_remove(struct lpm_ref *ref, int at)
{
	ref->r[at] = ref->r[--ref->n];
}

void lpm_ref_random_addr(unsigned long long *s, uint8_t family, uint8_t *a)
{
	static const uint8_t sites4[4][4] = {
		{ 198, 18, 0, 0 }, { 198, 19, 128, 0 }, { 198, 18, 255, 0 },
		{ 10, 0, 0, 0 } };
	uint64_t x = test_rand(s);
	int i, keep = x % 5;

	memset(a, 0, 16);
	if (family == ECMP_AF_INET) {
		memcpy(a, sites4[(x >> 8) % 4], 4);
		for (i = keep; i < 4; i++)
			a[i] = test_rand(s);
	} else {
		a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8;
		for (i = 4 + keep; i < 16; i++)
			a[i] = test_rand(s);
		if ((x >> 16) % 3 == 0)
			a[5] = 1;
	}
}

void lpm_ref_random_route(unsigned long long *s, struct lpm_route *r)
{
	uint64_t x = test_rand(s);

	memset(r, 0, sizeof(*r));
	r->family = (x & 1) ? ECMP_AF_INET6 : ECMP_AF_INET;
	lpm_ref_random_addr(s, r->family, r->addr);
	r->prefixlen = (x >> 8) % (lpm_ref_alen(r->family) * 8 + 1);
	lpm_mask(r->addr, r->family, r->prefixlen);
	r->leaf = ECMP_LPM_LEAF((x >> 20) % 64);
}

void lpm_ref_addr_in(unsigned long long *s, const struct lpm_route *r, int ones,
		     uint8_t *a)
{
	int bit;

	memcpy(a, r->addr, 16);
	for (bit = r->prefixlen; bit < lpm_ref_alen(r->family) * 8; bit++)
		if (ones || test_rand(s) & 1)
			a[bit / 8] |= 0x80 >> (bit % 8);
}
