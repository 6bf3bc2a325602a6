// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>

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
