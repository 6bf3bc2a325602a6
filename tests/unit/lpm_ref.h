/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The trie tests' reference: a route table as a plain array, looked up
 * linearly (the longest matching prefix wins), and the random routes the
 * tests feed both it and the trie builder.
 */
#ifndef ECMP_TEST_LPM_REF_H
#define ECMP_TEST_LPM_REF_H

#include <stdint.h>

#include "lib/lpm.h"

#define LPM_REF_MAX 4096

struct lpm_ref {
	struct lpm_route r[LPM_REF_MAX];
	int n;
};

/* 4 or 16: the bytes of an address of the family. */
int lpm_ref_alen(uint8_t family);
/* The leaf of the longest route of ref that holds addr, or ECMP_LPM_NONE. */
uint32_t lpm_ref_lookup(const struct lpm_ref *ref, uint8_t family, const uint8_t *addr);
/* The index of the route with k's prefix, or -1. */
int lpm_ref_find(const struct lpm_ref *ref, const struct lpm_route *k);
/* Adds r, or replaces the route with its prefix. -1 when ref is full. */
int lpm_ref_put(struct lpm_ref *ref, const struct lpm_route *r);
/* Removes ref's route at index at (the last takes its place). */
void lpm_ref_remove(struct lpm_ref *ref, int at);
/* An address of the family near a few "sites", so that prefixes nest and
 * collide: the bytes past the first 0-4 (IPv4) or 4-8 (IPv6) random. */
void lpm_ref_random_addr(unsigned long long *s, uint8_t family, uint8_t *a);
/* A random route of either family, any length, one of 64 leaves. */
void lpm_ref_random_route(unsigned long long *s, struct lpm_route *r);
/* An address inside route r, its host bits random (or all ones when
 * ones). */
void lpm_ref_addr_in(unsigned long long *s, const struct lpm_route *r, int ones,
		     uint8_t *a);

#endif /* ECMP_TEST_LPM_REF_H */
