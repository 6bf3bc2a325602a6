/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Growing arrays of the control plane: a full table's arrays are sized
 * once for what is coming, not grown by doubling (a million routes were
 * copied twenty times over).
 */
#ifndef ECMP_ARRAY_H
#define ECMP_ARRAY_H

#include <stddef.h>
#include <stdint.h>

/* Room for n elements of elem bytes in *arrp (capacity *cap). 0, or
 * -ENOMEM with the array as it was. */
int array_reserve(void *arrp, int *cap, int n, size_t elem);

/* v[0..n) sorted, each value once: returns how many remain. */
uint32_t array_set_u32(uint32_t *v, uint32_t n);
/* Whether x is in the set v[0..n) (array_set_u32). */
int array_set_has_u32(const uint32_t *v, uint32_t n, uint32_t x);
/* A sorted set of u32 that says "too many to tell" (full) rather than
 * grow past a bound, or when memory runs out: a caller then answers as if
 * every value were in it. Zeroed: empty. */
struct u32_set {
	uint32_t *v;
	int n, cap;
	int last;		/* where the last note found or put its value */
	int full;
};
/* x into s, unless s is full or would pass max values. */
void u32_set_note(struct u32_set *s, uint32_t x, int max);
/* Whether x is in s; 1 for any x once s is full. */
int u32_set_has(const struct u32_set *s, uint32_t x);

#endif /* ECMP_ARRAY_H */
