// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

int array_reserve(void *arrp, int *cap, int n, size_t elem)
{
	void **arr = arrp, *more;

	if (n <= *cap)
		return 0;
	more = realloc(*arr, elem * (size_t)n);
	if (!more)
		return -ENOMEM;
	*arr = more;
	*cap = n;
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t array_set_u32(uint32_t *v, uint32_t n)
{
	uint32_t i, k = 0;

	qsort(v, n, sizeof(*v), u32_cmp);
	for (i = 0; i < n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

int array_set_has_u32(const uint32_t *v, uint32_t n, uint32_t x)
{
	return bsearch(&x, v, n, sizeof(*v), u32_cmp) != NULL;
}

void u32_set_note(struct u32_set *s, uint32_t x, int max)
{
	int lo = 0, hi = s->n;

	if (s->full || (s->n && s->v[s->last] == x))
		return;		/* a table's routes mostly repeat the last value */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (s->v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && s->v[lo] == x) {
		s->last = lo;
		return;
	}
	if (s->n >= max ||
	    (s->n == s->cap && array_reserve(&s->v, &s->cap, 2 * s->n + 16, sizeof(*s->v)))) {
		s->full = 1;
		return;
	}
	memmove(&s->v[lo + 1], &s->v[lo], (size_t)(s->n - lo) * sizeof(*s->v));
	s->v[lo] = x;
	s->n++;
	s->last = lo;
}

int u32_set_has(const struct u32_set *s, uint32_t x)
{
	return s->full || array_set_has_u32(s->v, s->n, x);
}
