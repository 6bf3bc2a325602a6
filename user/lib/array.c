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

int array_set_add_u32(uint32_t **v, int *n, int *cap, uint32_t x)
{
	int lo = 0, hi = *n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if ((*v)[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < *n && (*v)[lo] == x)
		return lo;
	if (*n == *cap && array_reserve(v, cap, 2 * *n + 16, sizeof(**v)))
		return -ENOMEM;
	memmove(&(*v)[lo + 1], &(*v)[lo], (size_t)(*n - lo) * sizeof(**v));
	(*v)[lo] = x;
	(*n)++;
	return lo;
}
