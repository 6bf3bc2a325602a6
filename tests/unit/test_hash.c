// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The flow hash (include/ecmp_hash.h) in user space:
 *  - it is SipHash: a byte-oriented SipHash-c-d written here from the paper
 *    matches the published SipHash-2-4 vector, and its 1-3 variant equals
 *    ecmp_flow_hash() on the documented packing;
 *  - spread: 1,000,000 random flows over 16 equal members pass a
 *    chi-square test (p > 0.001) for each of 4 seeds;
 *  - no polarisation: flows that share a member under seed A spread evenly
 *    under seed B (per member, and as a 16x16 contingency table);
 *  - policy: l3 ignores ports, fragments ignore ports, symmetric orders the
 *    endpoints, the flow label only counts where documented.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecmp_hash.h"
#include "../test.h"

TEST_STATE_DEFINE;

/* ---- reference SipHash over bytes ---- */

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define ROT(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROT(v1, 13); v1 ^= v0; v0 = ROT(v0, 32); \
	v2 += v3; v3 = ROT(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROT(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROT(v1, 17); v1 ^= v2; v2 = ROT(v2, 32); \
} while (0)

static uint64_t ref_siphash(int c, int d, const uint8_t key[16],
			    const uint8_t *m, size_t len)
{
	uint64_t k0 = rd64(key), k1 = rd64(key + 8);
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t b = (uint64_t)len << 56, mi;
	size_t i, left = len & 7;
	int r;

	for (i = 0; i + 8 <= len; i += 8) {
		mi = rd64(m + i);
		v3 ^= mi;
		for (r = 0; r < c; r++)
			SIPROUND;
		v0 ^= mi;
	}
	for (r = 0; r < (int)left; r++)
		b |= (uint64_t)m[len - left + r] << (8 * r);
	v3 ^= b;
	for (r = 0; r < c; r++)
		SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	for (r = 0; r < d; r++)
		SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static void test_siphash_reference_vector(void)
{
	uint8_t key[16], msg[15];
	int i;

	for (i = 0; i < 16; i++)
		key[i] = i;
	for (i = 0; i < 15; i++)
		msg[i] = i;
	/* SipHash-2-4 paper, appendix A. */
	ASSERT_EQ(ref_siphash(2, 4, key, msg, 15), 0xa129ca6149be45e5ULL,
		  "siphash-2-4 vector");
}

static void wr64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

/* ecmp_flow_hash() is SipHash-1-3 of the packing documented in its header. */
static void test_flow_hash_is_siphash13_of_packing(void)
{
	static const __u32 policies[] = {
		ECMP_HASH_L4, 0, ECMP_HASH_FLOWLABEL
	};
	unsigned long long rs = 1;
	long bad = 0;
	int n;

	for (n = 0; n < 100000; n++) {
		struct ecmp_flow f = { 0 };
		__u32 flags;
		__u64 seed[2] = { test_rand(&rs), test_rand(&rs) };
		uint8_t key[16], msg[40];
		size_t len, words;

		f.family = n & 1 ? ECMP_AF_INET6 : ECMP_AF_INET;
		words = f.family == ECMP_AF_INET6 ? 4 : 1;
		f.saddr[0] = test_rand(&rs);
		f.daddr[0] = test_rand(&rs);
		if (f.family == ECMP_AF_INET6) {
			f.saddr[1] = test_rand(&rs); f.saddr[2] = test_rand(&rs);
			f.saddr[3] = test_rand(&rs); f.daddr[1] = test_rand(&rs);
			f.daddr[2] = test_rand(&rs); f.daddr[3] = test_rand(&rs);
		}
		f.sport = test_rand(&rs);
		f.dport = test_rand(&rs);
		f.proto = test_rand(&rs);
		f.flowlabel = test_rand(&rs);	/* only 20 bits count */
		flags = policies[(n >> 1) % 3];
		wr64(key, seed[0]);
		wr64(key + 8, seed[1]);
		/* Two addresses, then sport, dport (or the IPv6 flow label,
		 * or zeros), proto: 13 or 37 bytes. */
		memcpy(msg, f.saddr, words * 4);
		memcpy(msg + words * 4, f.daddr, words * 4);
		memset(msg + words * 8, 0, 4);
		if (flags & ECMP_HASH_L4) {
			memcpy(msg + words * 8, &f.sport, 2);
			memcpy(msg + words * 8 + 2, &f.dport, 2);
		} else if ((flags & ECMP_HASH_FLOWLABEL) && words == 4) {
			msg[32] = f.flowlabel;
			msg[33] = f.flowlabel >> 8;
			msg[34] = (f.flowlabel >> 16) & 0xf;
		}
		msg[words * 8 + 4] = f.proto;
		len = words * 8 + 5;
		if (ecmp_flow_hash(&f, flags, seed) !=
		    ref_siphash(1, 3, key, msg, len))
			bad++;
	}
	ASSERT_EQ(bad, 0, "flow hash differs from SipHash-1-3 of the packing");
}

/* ---- chi-square ---- */

/* Regularised upper incomplete gamma Q(a, x), for the chi-square p-value. */
static double gamma_q(double a, double x)
{
	double sum, term, b, c, d, h, an;
	int i;

	if (x < a + 1) {	/* series for P, then Q = 1 - P */
		sum = term = 1.0 / a;
		for (i = 1; i < 10000; i++) {
			term *= x / (a + i);
			sum += term;
			if (term < sum * 1e-15)
				break;
		}
		return 1.0 - sum * exp(-x + a * log(x) - lgamma(a));
	}
	/* Continued fraction (modified Lentz). */
	b = x + 1 - a;
	c = 1e300;
	d = 1 / b;
	h = d;
	for (i = 1; i < 10000; i++) {
		an = -i * (i - a);
		b += 2;
		d = an * d + b;
		d = fabs(d) < 1e-300 ? 1e-300 : d;
		c = b + an / c;
		c = fabs(c) < 1e-300 ? 1e-300 : c;
		d = 1 / d;
		h *= d * c;
		if (fabs(d * c - 1) < 1e-15)
			break;
	}
	return exp(-x + a * log(x) - lgamma(a)) * h;
}

static double chi2_p(const long *obs, int k, double expected)
{
	double chi = 0;
	int i;

	for (i = 0; i < k; i++)
		chi += (obs[i] - expected) * (obs[i] - expected) / expected;
	return gamma_q((k - 1) / 2.0, chi / 2.0);
}

static void test_chi2_pvalue_sane(void)
{
	/* chi2(15) = 37.697 is the p = 0.001 point; 8.547 is p = 0.9. */
	long obs[2];

	(void)obs;
	CHECK(fabs(gamma_q(7.5, 37.697 / 2) - 0.001) < 1e-5, "p(37.697, 15)");
	CHECK(fabs(gamma_q(7.5, 8.547 / 2) - 0.9) < 1e-3, "p(8.547, 15)");
}

/* Member of a 4096-bucket table split evenly over 16 members. */
static int member(uint64_t h)
{
	return ecmp_hash_bucket(h, 4095, 0) % 16;
}

static void random_flow(unsigned long long *rs, struct ecmp_flow *f, int v6)
{
	memset(f, 0, sizeof(*f));
	f->family = v6 ? ECMP_AF_INET6 : ECMP_AF_INET;
	/* Realistic: clients in one /16 talking to few servers. */
	f->saddr[0] = 0x0000c612 | (uint32_t)(test_rand(rs) & 0xffff) << 16;
	f->daddr[0] = 0x0100c613 | (uint32_t)(test_rand(rs) & 0x3) << 24;
	if (v6) {
		f->saddr[3] = test_rand(rs);
		f->daddr[3] = test_rand(rs) & 7;
	}
	f->sport = test_rand(rs);
	f->dport = (test_rand(rs) & 1) ? 0xbb01 : 0x5000;	/* 443 / 80 */
	f->proto = 6;
}

static const __u64 seeds[4][2] = {
	{ 0x0011223344556677ULL, 0x8899aabbccddeeffULL },
	{ 1, 0 },
	{ 0xdeadbeefcafef00dULL, 0x0123456789abcdefULL },
	{ 0, 0 },
};

static void test_spread_chi_square_16_members(void)
{
	int s;

	for (s = 0; s < 4; s++) {
		unsigned long long rs = 77 + s;
		long obs[16] = { 0 };
		double p;
		int n;

		for (n = 0; n < 1000000; n++) {
			struct ecmp_flow f;

			random_flow(&rs, &f, n & 1);
			obs[member(ecmp_flow_hash(&f, ECMP_HASH_L4, seeds[s]))]++;
		}
		p = chi2_p(obs, 16, 1000000 / 16.0);
		CHECK(p > 0.001, "seed %d: chi-square p = %g", s, p);
		printf("  seed %d: chi-square p = %.3f\n", s, p);
	}
}

static void test_two_seeds_do_not_polarise(void)
{
	static long table[16][16];
	unsigned long long rs = 4242;
	double chi = 0, p, worst = 1;
	long row[16] = { 0 }, col[16] = { 0 };
	int n, i, j;

	memset(table, 0, sizeof(table));
	for (n = 0; n < 1000000; n++) {
		struct ecmp_flow f;

		random_flow(&rs, &f, n & 1);
		i = member(ecmp_flow_hash(&f, ECMP_HASH_L4, seeds[0]));
		j = member(ecmp_flow_hash(&f, ECMP_HASH_L4, seeds[2]));
		table[i][j]++;
		row[i]++;
		col[j]++;
	}
	/* Tier-2 spread of each tier-1 member's flows. */
	for (i = 0; i < 16; i++) {
		p = chi2_p(table[i], 16, row[i] / 16.0);
		worst = p < worst ? p : worst;
		CHECK(p > 0.001, "member %d's flows under seed B: p = %g", i, p);
	}
	/* Independence of the two choices as a whole. */
	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++) {
			double e = (double)row[i] * col[j] / 1000000.0;

			chi += (table[i][j] - e) * (table[i][j] - e) / e;
		}
	p = gamma_q(225 / 2.0, chi / 2.0);
	CHECK(p > 0.001, "16x16 contingency: p = %g", p);
	printf("  independence p = %.3f, worst member p = %.3f\n", p, worst);
}

static void test_policy_fields(void)
{
	unsigned long long rs = 99;
	long bad = 0;
	int n;

	for (n = 0; n < 20000; n++) {
		struct ecmp_flow f, g;
		__u64 seed[2] = { test_rand(&rs), test_rand(&rs) };
		uint64_t h;

		random_flow(&rs, &f, n & 1);
		f.flowlabel = test_rand(&rs) & 0xfffff;
		g = f;
		g.sport ^= 0x1111;
		g.dport ^= 0x2222;
		/* l3 and fragments: ports do not count. */
		bad += ecmp_flow_hash(&f, 0, seed) != ecmp_flow_hash(&g, 0, seed);
		f.fragment = g.fragment = 1;
		bad += ecmp_flow_hash(&f, ECMP_HASH_L4, seed) !=
		       ecmp_flow_hash(&g, ECMP_HASH_L4, seed);
		f.fragment = g.fragment = 0;
		/* l4: ports count. */
		bad += ecmp_flow_hash(&f, ECMP_HASH_L4, seed) ==
		       ecmp_flow_hash(&g, ECMP_HASH_L4, seed);
		/* Symmetric: swapped endpoints hash alike. */
		g = f;
		memcpy(g.saddr, f.daddr, 16);
		memcpy(g.daddr, f.saddr, 16);
		g.sport = f.dport;
		g.dport = f.sport;
		h = ecmp_flow_hash(&f, ECMP_HASH_L4 | ECMP_HASH_SYMMETRIC, seed);
		bad += h != ecmp_flow_hash(&g, ECMP_HASH_L4 | ECMP_HASH_SYMMETRIC, seed);
		/* Flow label: counts for IPv6 l3 with the flag only. */
		g = f;
		g.flowlabel ^= 0x80001;
		if (f.family == ECMP_AF_INET6)
			bad += ecmp_flow_hash(&f, ECMP_HASH_FLOWLABEL, seed) ==
			       ecmp_flow_hash(&g, ECMP_HASH_FLOWLABEL, seed);
		bad += ecmp_flow_hash(&f, ECMP_HASH_L4 | ECMP_HASH_FLOWLABEL, seed) !=
		       ecmp_flow_hash(&g, ECMP_HASH_L4 | ECMP_HASH_FLOWLABEL, seed);
		bad += ecmp_flow_hash(&f, 0, seed) != ecmp_flow_hash(&g, 0, seed);
		/* The seed matters. */
		seed[1] ^= 1;
		bad += h == ecmp_flow_hash(&f, ECMP_HASH_L4 | ECMP_HASH_SYMMETRIC, seed);
	}
	ASSERT_EQ(bad, 0, "policy field violations");
}

static void test_probe_windows(void)
{
	uint64_t h = 0x1234567890abcdefULL;

	ASSERT_EQ(ecmp_hash_bucket(h, 0xffff, 0), 0xcdef, "probe 0");
	ASSERT_EQ(ecmp_hash_bucket(h, 0xffff, 1), 0x90ab, "probe 1");
	ASSERT_EQ(ecmp_hash_bucket(h, 0xff, 3), 0x34, "probe 3");
	ASSERT_EQ(ecmp_hash_bucket(h, 0, 2), 0, "one bucket");
}

int main(void)
{
	RUN_TEST(test_siphash_reference_vector);
	RUN_TEST(test_flow_hash_is_siphash13_of_packing);
	RUN_TEST(test_chi2_pvalue_sane);
	RUN_TEST(test_spread_chi_square_16_members);
	RUN_TEST(test_two_seeds_do_not_polarise);
	RUN_TEST(test_policy_fields);
	RUN_TEST(test_probe_windows);
	return test_summary();
}
