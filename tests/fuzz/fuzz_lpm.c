// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the trie builder (user/lib/lpm*.c) under a sequence
 * of changes the input spells, each watched store by store
 * (tests/unit/lpm_watch.h): at every store, lookups answer the table
 * before the change or after it, and nothing a lookup may be reading
 * changes but by a store; a takeover repairs nothing; at the end the
 * trie holds the input's routes.
 *
 * The input: 5 bytes a change, [what, a, b, c, len]:
 *  what & 7: 0-3 add (or replace) a route, 4-5 remove the route a % n of
 *    the table, 6 compact (a even) or take the trie over as a restarted
 *    ecmpd does (a odd), 7 begin or end bulk mode (the changes between
 *    are one change to the watch);
 *  what & 8: IPv6; what >> 4: the leaf;
 *  a, b, c: the address, near a few sites so that prefixes nest:
 *    198.18+(a & 1).b.c, or 2001:db8:a:b::c;
 *  len: the prefix length, modulo the family's bits + 1.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/lpm.h"
#include "../test.h"
#include "../unit/lpm_watch.h"

TEST_STATE_DEFINE;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CHANGES 48

static struct lpm_ref before, after;

static void route_of(const uint8_t *in, struct lpm_route *r)
{
	memset(r, 0, sizeof(*r));
	if (in[0] & 8) {
		static const uint8_t site6[4] = { 0x20, 0x01, 0x0d, 0xb8 };

		r->family = ECMP_AF_INET6;
		memcpy(r->addr, site6, 4);
		r->addr[5] = in[1];
		r->addr[7] = in[2];
		r->addr[15] = in[3];
		r->prefixlen = in[4] % 129;
	} else {
		r->family = ECMP_AF_INET;
		r->addr[0] = 198;
		r->addr[1] = 18 + (in[1] & 1);
		r->addr[2] = in[2];
		r->addr[3] = in[3];
		r->prefixlen = in[4] % 33;
	}
	lpm_mask(r->addr, r->family, r->prefixlen);
	r->leaf = ECMP_LPM_LEAF(in[0] >> 4);
}

/* The watch's verdict so far: a failed check is a crash for libFuzzer,
 * which keeps the input. */
static void verdict(void)
{
	if (test_state.failures)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long s = 0x1f2e + size;
	struct lpm *t = lpm_watch_new();
	uint32_t repaired = 0, back;
	int bulk = 0, n = 0;

	if (!t)
		return 0;
	before.n = 0;
	after.n = 0;
	for (; t && size >= 5 && n < MAX_CHANGES; data += 5, size -= 5, n++) {
		struct lpm_route r;
		int what = data[0] & 7, err = 0;

		if (what == 7) {	/* bulk mode: begin, or end as one change */
			if (!bulk) {
				lpm_bulk_begin(t);
				bulk = 1;
				continue;
			}
			lpm_watch_begin("a bulk change", &before, &after, &s);
			err = lpm_bulk_end(t);
			lpm_watch_end();
			bulk = 0;
		} else if (what == 6) {
			if (bulk)
				continue;
			if (data[1] & 1) {
				/* A restarted ecmpd takes it over: nothing to
				 * repair, nothing moves. */
				lpm_free(t);
				lpm_watch_begin("taken over", &before, &after, &s);
				t = lpm_watch_attach(before.r, before.n, &repaired);
				lpm_watch_end();
				CHECK(t && !repaired, "taken over: %u entries repaired", repaired);
				verdict();
			} else {
				lpm_watch_begin("compaction", &before, &after, &s);
				err = lpm_compact(t, &back);
				lpm_watch_end();
			}
		} else if (what >= 4) {
			int at;

			if (!after.n)
				continue;
			at = data[1] % after.n;
			r = after.r[at];
			lpm_ref_remove(&after, at);
			if (!bulk)
				lpm_watch_begin("a route removed", &before, &after, &s);
			err = lpm_del(t, r.family, r.addr, r.prefixlen);
			if (!bulk)
				lpm_watch_end();
		} else {
			route_of(data, &r);
			if (lpm_ref_put(&after, &r))
				break;
			if (!bulk)
				lpm_watch_begin("a route added", &before, &after, &s);
			err = lpm_add(t, &r);
			if (!bulk)
				lpm_watch_end();
		}
		CHECK(!err, "change %d: %d", n, err);
		verdict();
		if (!bulk)
			before = after;
	}
	if (!t)
		return 0;
	if (bulk) {
		lpm_watch_begin("a bulk change", &before, &after, &s);
		CHECK(!lpm_bulk_end(t), "the last bulk change");
		lpm_watch_end();
		before = after;
	}
	CHECK(lpm_route_count(t) == (uint32_t)before.n, "routes %u, want %d",
	      lpm_route_count(t), before.n);
	verdict();
	lpm_free(t);
	return 0;
}
