/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the data path does with a flow, computed in user space from the live
 * maps with the shared hash (include/ecmp_hash.h): route, group, hash,
 * bucket and nexthop, including the fallback probes past unusable
 * nexthops. `ecmpctl lookup` prints it; the namespace tests check it
 * against where each flow really arrives.
 */
#ifndef ECMP_LOOKUP_H
#define ECMP_LOOKUP_H

#include "lib/dp_maps.h"
#include "ecmp_hash.h"

struct lookup_result {
	int reason;		/* ECMP_FORWARDED, or the pass reason */
	int route_found;
	struct ecmp_route_key route;	/* the matched configured prefix */
	uint32_t leaf;
	uint32_t group;
	uint64_t hash;
	uint32_t bucket;	/* primary bucket, within the group */
	uint32_t nexthop;
	int probe;		/* which probe found a usable nexthop */
};

/* f: the packet's headers, which route it; hashed: the flow the data path
 * hashes (f itself, or for an ICMP error the quoted packet turned round). */
int lookup_flow(const struct ecmp_dp *dp, const struct ecmp_flow *f,
		const struct ecmp_flow *hashed, struct lookup_result *r);

#endif /* ECMP_LOOKUP_H */
