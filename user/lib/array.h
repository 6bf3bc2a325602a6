/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Growing arrays of the control plane: a full table's arrays are sized
 * once for what is coming, not grown by doubling (a million routes were
 * copied twenty times over).
 */
#ifndef ECMP_ARRAY_H
#define ECMP_ARRAY_H

#include <stddef.h>

/* Room for n elements of elem bytes in *arrp (capacity *cap). 0, or
 * -ENOMEM with the array as it was. */
int array_reserve(void *arrp, int *cap, int n, size_t elem);

#endif /* ECMP_ARRAY_H */
