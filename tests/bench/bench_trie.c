// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The route trie's builder alone, in plain memory (nothing is sent): a
 * synthetic full table, half of it removed one route at a time as a
 * routing daemon withdraws a peer's routes, then the compaction a whole
 * read starts with. Prints the chunks used against what a fresh build of
 * the same routes takes, before and after, and how long compaction takes.
 * Then a crowded root entry: a /16 of 65,536 host routes (a Kubernetes
 * cluster's pods announced over BGP), changed one route at a time.
 *
 *   bench_trie [IPV4-ROUTES [IPV6-ROUTES]]   (default 1000000 250000)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/lpm.h"

static unsigned long long rng = 0x7e1e;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* About 60 % /24 and the rest /16-/23 for IPv4; mostly /48 and /32-/44
 * for IPv6 (as scripts/gen-table.py), 15 leaves. */
static void random_route(struct lpm_route *r, int v6)
{
	static const uint8_t len4[] = { 24, 24, 24, 24, 24, 24, 24, 24, 24, 23, 22, 22, 21, 20, 16 };
	static const uint8_t len6[] = { 48, 48, 48, 48, 48, 48, 48, 48, 44, 40, 36, 32, 32, 29, 46 };
	uint64_t x = next(), y = next();

	memset(r, 0, sizeof(*r));
	if (!v6) {
		r->family = ECMP_AF_INET;
		r->prefixlen = len4[x % 15];
		memcpy(r->addr, &y, 4);
		r->addr[0] = 1 + (x >> 8) % 223;
	} else {
		r->family = ECMP_AF_INET6;
		r->prefixlen = len6[x % 15];
		memcpy(r->addr, &y, 8);
		r->addr[0] = 0x20 | ((x >> 16) & 1);
		r->addr[1] = (x >> 8) & 0xff;
	}
	lpm_mask(r->addr, r->family, r->prefixlen);
	r->leaf = ECMP_LPM_LEAF((x >> 20) % 15);
}

struct collect {
	struct lpm_route *r;
	uint32_t n;
};

static int collect(const struct lpm_route *r, void *arg)
{
	struct collect *c = arg;

	c->r[c->n++] = *r;
	return 0;
}

static double us_per(double t0, int n)
{
	return (now_ms() - t0) * 1e3 / n;
}

/* One change at a time in 10.244.0.0/16 full of /32s: a leaf replaced, a
 * /32 removed and added back, a /24 over 256 of them added and removed.
 * What each costs should be what lies under the part it changes, not
 * what lies under the /16. */
static int crowded_changes(void)
{
	uint32_t nchunks = 4096, i;
	struct ecmp_lpm_chunk *root = calloc(ECMP_LPM_ROOT_CHUNKS, sizeof(*root));
	struct ecmp_lpm_chunk *node = calloc(nchunks, sizeof(*node));
	struct lpm *t = root && node ? lpm_new(root, node, nchunks) : NULL;
	struct lpm_route r = { .family = ECMP_AF_INET, .prefixlen = 32, .addr = { 10, 244 } };
	double t0, leaf, host, agg;
	int err = 0, k, n = 2000;

	if (!t)
		return -ENOMEM;
	lpm_bulk_begin(t);
	for (i = 0; i < 65536; i++) {
		r.addr[2] = i >> 8;
		r.addr[3] = i;
		r.leaf = ECMP_LPM_LEAF(i % 15);
		lpm_add(t, &r);
	}
	err = lpm_bulk_end(t);
	t0 = now_ms();
	for (k = 0; k < n && !err; k++) {
		r.addr[2] = next();
		r.addr[3] = next();
		r.leaf = ECMP_LPM_LEAF(next() % 15);
		err = lpm_add(t, &r);
	}
	leaf = us_per(t0, n);
	t0 = now_ms();
	for (k = 0; k < n && !err; k++) {
		r.addr[2] = next();
		r.addr[3] = next();
		err = lpm_del(t, r.family, r.addr, 32);
		if (!err)
			err = lpm_add(t, &r);
	}
	host = us_per(t0, n);
	r.prefixlen = 24;
	r.addr[3] = 0;
	t0 = now_ms();
	for (k = 0; k < n / 10 && !err; k++) {
		r.addr[2] = next();
		err = lpm_add(t, &r);
		if (!err)
			err = lpm_del(t, r.family, r.addr, 24);
	}
	agg = us_per(t0, n / 10);
	if (!err)
		printf("  a /16 of 65,536 host routes, one change at a time: a /32's leaf %.1f us, a /32 removed and added back %.1f us, a /24 over 256 of them added and removed %.1f us\n",
		       leaf, host, agg);
	lpm_free(t);
	free(root);
	free(node);
	return err;
}

int main(int argc, char **argv)
{
	uint32_t n4 = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	uint32_t n6 = argc > 2 ? strtoul(argv[2], NULL, 10) : 250000;
	uint32_t n = n4 + n6, nchunks = n / 10 + 4096, fresh, back, i, kept = 0, used;
	struct ecmp_lpm_chunk *root = calloc(ECMP_LPM_ROOT_CHUNKS, sizeof(*root));
	struct ecmp_lpm_chunk *node = calloc(nchunks, sizeof(*node));
	struct lpm_route *r = calloc(n, sizeof(*r));
	struct collect left = { calloc(n, sizeof(*r)), 0 };
	uint32_t *before = calloc(n, sizeof(*before));
	struct lpm *t = root && node ? lpm_new(root, node, nchunks) : NULL;
	double t0, t1;
	int err;

	if (!t || !r || !left.r || !before) {
		fprintf(stderr, "bench_trie: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		random_route(&r[i], i >= n4);
	t0 = now_ms();
	lpm_bulk_begin(t);
	for (i = 0; i < n; i++)
		lpm_add(t, &r[i]);
	err = lpm_bulk_end(t);
	t1 = now_ms();
	if (err) {
		fprintf(stderr, "bench_trie: the build failed: %s\n", strerror(-err));
		return 1;
	}
	printf("  %u IPv4 + %u IPv6 prefixes (%u distinct) built in %.0f ms: %u chunks of %u\n",
	       n4, n6, lpm_route_count(t), t1 - t0, lpm_chunks_used(t), nchunks);
	/* Half withdrawn, one route at a time. */
	t0 = now_ms();
	for (i = 0; i < n; i++)
		if (next() & 1)
			lpm_del(t, r[i].family, r[i].addr, r[i].prefixlen);
	t1 = now_ms();
	lpm_for_each(t, collect, &left);
	if (lpm_chunks_for(left.r, left.n, &fresh))
		return 1;
	printf("  half removed one by one (%.1f s): %u prefixes left, %u chunks in use, a fresh build of them takes %u (%.2fx); %u pages to give back\n",
	       (t1 - t0) / 1e3, left.n, lpm_chunks_used(t), fresh,
	       (double)lpm_chunks_used(t) / fresh, lpm_pages_spare(t));
	for (i = 0; i < left.n; i++)
		before[i] = lpm_walk(root, node, nchunks, left.r[i].family, left.r[i].addr);
	t0 = now_ms();
	err = lpm_compact(t, &back);
	t1 = now_ms();
	used = lpm_chunks_used(t);
	for (i = 0; i < left.n; i++)
		kept += lpm_walk(root, node, nchunks, left.r[i].family, left.r[i].addr) == before[i];
	printf("  compaction: %s, %u chunks back in %.1f ms (one grace period included); %u chunks in use, a fresh build %u\n",
	       err ? strerror(-err) : "done", back, t1 - t0, used, fresh);
	printf("  lookups of the %u prefixes left: %u the same after compaction\n", left.n, kept);
	lpm_free(t);
	if (crowded_changes()) {
		fprintf(stderr, "bench_trie: changes in a crowded /16 failed\n");
		return 1;
	}
	return kept == left.n && !err && used == fresh ? 0 : 1;
}
