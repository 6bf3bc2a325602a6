/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * User-space view of the data path's maps: file descriptors for all of them
 * and mmap'ed arrays for the ones written in place (trie, groups, buckets,
 * nexthops). Opened from a loaded object (ecmpd, tests) or from the pins
 * (ecmpctl). All functions return 0 or a negative errno.
 */
#ifndef ECMP_DP_MAPS_H
#define ECMP_DP_MAPS_H

#include <stdint.h>
#include <bpf/libbpf.h>
#include "ecmp_shared.h"

enum dp_map {
	DP_CONFIG, DP_LPM_ROOT, DP_LPM_NODE, DP_ROUTES, DP_GROUPS, DP_BUCKETS,
	DP_NEXTHOPS, DP_TX_PORTS, DP_STATS, DP_NH_STATS, DP_GRP_STATS,
	DP_NH_META, DP_GRP_META, DP_PASS_RULES, DP_IFACES, DP_VLANS,
	DP_ONLINK, DP_MAP_COUNT,
};

/* Pin/map names by enum dp_map, from ecmp_shared.h. */
extern const char *const dp_map_names[DP_MAP_COUNT];

struct ecmp_dp {
	int fd[DP_MAP_COUNT];
	uint32_t max_entries[DP_MAP_COUNT];
	struct ecmp_lpm_chunk *root;
	struct ecmp_lpm_chunk *node;
	struct ecmp_group *groups;
	struct ecmp_bucket *buckets;
	struct ecmp_nexthop *nexthops;
	struct ecmp_config *config;
	struct ecmp_iface *ifaces;
	int ncpus;
	/* The arrays above are copies (dp_open_fds(): read-only fds cannot
	 * be mapped shared), taken when opened: freed, not unmapped. */
	int copied;
};

/* Sizes a loader may set before load; 0 keeps the object's default. */
struct dp_sizes {
	uint32_t nexthops, groups, bucket_slots, lpm_chunks, routes, tx_ports;
};

/* dp_sizes of an opened dp, to load more copies of the object that can
 * reuse its pinned maps (libbpf wants max_entries to match). */
void dp_sizes_of(const struct ecmp_dp *dp, struct dp_sizes *sizes);

/* bpf_map__set_max_entries() for each non-zero size. */
int dp_set_sizes(struct bpf_object *obj, const struct dp_sizes *sizes);
/* Drop every map's pin path: the object loads without touching bpffs
 * (tests, benchmarks). */
void dp_unpin_all(struct bpf_object *obj);

/* Takes the maps of a loaded object (fds stay owned by the object). */
int dp_open_object(struct ecmp_dp *dp, struct bpf_object *obj);
/* Opens the maps pinned under pin_root (fds owned by dp). */
int dp_open_pinned(struct ecmp_dp *dp, const char *pin_root, int writable);
/* The same from fds already open (ecmpd's read-only ones, ctl.h "maps"),
 * taken over (closed by dp_close() or on failure); read-only views. */
int dp_open_fds(struct ecmp_dp *dp, const int fd[DP_MAP_COUNT]);
/* The egress interfaces ifindex[0..n) (the nexthops', repeats and 0
 * allowed) against ecmp_tx_ports: *in_map of them have an entry, *left_out
 * have none (more interfaces than 'limits egress' lets in). 0, or -errno. */
int dp_egress_count(const struct ecmp_dp *dp, const uint32_t *ifindex, uint32_t n,
		    uint32_t *in_map, uint32_t *left_out);

/* Unmaps; closes the fds only if dp_open_pinned() opened them. */
void dp_close(struct ecmp_dp *dp, int close_fds);

/* A group's table word (ecmp_group_base/mask), read in one load. */
static inline uint64_t dp_group_word(const struct ecmp_dp *dp, uint32_t gid)
{
	return __atomic_load_n((const uint64_t *)&dp->groups[gid], __ATOMIC_ACQUIRE);
}


/* Bytes the kernel charges for a map (its fdinfo "memlock"), 0 if unknown. */
uint64_t dp_map_memlock(const struct ecmp_dp *dp, enum dp_map map);

/* Calls fn for every entry of ecmp_routes (fd), in batches of one
 * syscall each (a million routes). 0 or -errno. */
int dp_each_route(int fd, void (*fn)(const struct ecmp_route_key *k,
				     const struct ecmp_route *v, void *arg), void *arg);
/* A whole array map (n entries of value_bytes) into out, in batches of
 * one syscall each: 0 or -errno. */
int dp_read_array(int fd, uint32_t n, size_t value_bytes, void *out);
/* The same into a new array of the map's max_entries values (one
 * syscall, not one an entry), which the caller frees; NULL with errno
 * set. */
void *dp_read_whole(const struct ecmp_dp *dp, enum dp_map map, size_t value_bytes);
/* Every key of a per-CPU counter map, summed over CPUs, into out[max
 * entries]: 0 or -errno. */
int dp_read_counters(const struct ecmp_dp *dp, enum dp_map map, struct ecmp_counter *out);
/* Sum of one key of a per-CPU counter over all CPUs. */
int dp_read_counter(const struct ecmp_dp *dp, enum dp_map map, uint32_t key,
		    struct ecmp_counter *out);

#endif /* ECMP_DP_MAPS_H */
