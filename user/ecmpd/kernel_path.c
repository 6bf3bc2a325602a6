// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The config's kernel-path rules into ecmp_pass_rules: the half not in
 * force is written, then ecmp_config.pass_rules flips to it in one store
 * (include/ecmp_shared.h), so a frame meets the old rule set or the new
 * one. Unchanged rules write nothing (a restart adopts them as they are).
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "plane.h"
#include "lib/log.h"

static void prefix_words(const uint8_t *addr, uint8_t len, uint32_t net[4],
			 uint32_t mask[4])
{
	uint8_t m[16] = { 0 }, a[16];
	int i;

	for (i = 0; i < 16; i++) {
		int bits = len - 8 * i;

		m[i] = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		a[i] = addr[i] & m[i];
	}
	memcpy(net, a, 16);
	memcpy(mask, m, 16);
}

/* The map entries of the config's rules; returns how many. */
static int build(const struct ecmp_conf *conf,
		 struct ecmp_pass_rule out[ECMP_MAX_PASS_RULES])
{
	static const uint8_t both[] = { ECMP_AF_INET, ECMP_AF_INET6 };
	int i, f, n = 0;

	for (i = 0; i < conf->npass; i++) {
		const struct conf_pass *c = &conf->pass[i];

		for (f = 0; f < 2 && n < ECMP_MAX_PASS_RULES; f++) {
			struct ecmp_pass_rule *r = &out[n];

			if (c->family && c->family != both[f])
				continue;
			memset(r, 0, sizeof(*r));
			r->family = both[f];
			r->proto = c->proto;
			prefix_words(c->src, c->src_len, r->src, r->src_mask);
			prefix_words(c->dst, c->dst_len, r->dst, r->dst_mask);
			r->sport_lo = c->sport_lo;
			r->sport_hi = c->sport_hi;
			r->dport_lo = c->dport_lo;
			r->dport_hi = c->dport_hi;
			n++;
		}
	}
	return n;
}

/* The rules in force, read back from the map. */
static int in_force(const struct plane *p, struct ecmp_pass_rule out[ECMP_MAX_PASS_RULES])
{
	uint32_t word = __atomic_load_n(&p->dp.config->pass_rules, __ATOMIC_ACQUIRE);
	uint32_t n = ECMP_PASS_RULES_COUNT(word), base, i;

	if (n > ECMP_MAX_PASS_RULES)
		return -1;
	base = ECMP_PASS_RULES_HALF(word) * ECMP_MAX_PASS_RULES;
	for (i = 0; i < n; i++) {
		uint32_t key = base + i;

		if (bpf_map_lookup_elem(p->dp.fd[DP_PASS_RULES], &key, &out[i]))
			return -1;
	}
	return n;
}

int kpath_sync(struct plane *p, const struct ecmp_conf *conf)
{
	struct ecmp_pass_rule want[ECMP_MAX_PASS_RULES], have[ECMP_MAX_PASS_RULES];
	uint32_t word = __atomic_load_n(&p->dp.config->pass_rules, __ATOMIC_ACQUIRE);
	uint32_t half = !ECMP_PASS_RULES_HALF(word), i;
	int n = build(conf, want), had = in_force(p, have);

	if (had == n && !memcmp(want, have, n * sizeof(want[0])))
		return 0;
	for (i = 0; i < (uint32_t)n; i++) {
		uint32_t key = half * ECMP_MAX_PASS_RULES + i;

		if (bpf_map_update_elem(p->dp.fd[DP_PASS_RULES], &key, &want[i], BPF_ANY)) {
			int err = -errno;

			pr_warn("Failed to write kernel-path rule %u: %s; the rules in force are kept",
				i, strerror(-err));
			return err;
		}
	}
	__atomic_store_n(&p->dp.config->pass_rules, half << 16 | n, __ATOMIC_RELEASE);
	pr_info("kernel-path: %d rule%s in force (%d before)", n, n == 1 ? "" : "s",
		had < 0 ? 0 : had);
	return 0;
}
