// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: zebra's FPM stream as ecmpd takes it (user/ecmpd/fpm.c),
 * in chunks of the sizes the input's first bytes choose (frames split
 * anywhere), then the table fed to the mirror. Whatever zebra, or a
 * fuzzer, sends: no crash, no read past the buffer, a broken stream ends
 * cleanly, and what reaches the mirror is well formed.
 */
#include <assert.h>
#include <string.h>

#include "ecmp_shared.h"
#include "ecmpd/fpm.h"
#include "ecmpd/mirror.h"
#include "ecmpd/netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The mirror's side of fpm_feed(), checking what it would take. */
void mirror_take_fpm_nexthop(struct mirror *m, const struct nl_nexthop *n)
{
	(void)m;
	assert(n->id && !n->deleted);
	assert(n->ngroup >= 0 && n->ngroup <= NL_ROUTE_MAX_NH);
}

void mirror_take_fpm(struct mirror *m, const struct nl_route *r)
{
	int i;

	(void)m;
	assert(r->family == ECMP_AF_INET || r->family == ECMP_AF_INET6);
	assert(r->prefixlen <= (r->family == ECMP_AF_INET ? 32 : 128));
	assert(r->nnh >= 0 && r->nnh <= NL_ROUTE_MAX_NH && !r->deleted);
	for (i = 0; i < r->nnh; i++)
		assert(r->nh[i].weight >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fpm *f = fpm_new();
	size_t chunk = size ? 1 + data[0] * 7 : 1;
	int changed;

	if (!f)
		return 0;
	if (size) {
		data++;
		size--;
	}
	while (size) {
		size_t n = size < chunk ? size : chunk;

		if (fpm_input(f, data, n, 1000, &changed))
			break;
		data += n;
		size -= n;
	}
	assert(fpm_stats(f)->routes <= 1u << 20);
	fpm_feed(f, NULL);
	fpm_free(f);
	return 0;
}
