/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The BPF maps of xdp-ecmp: the only file with SEC(".maps"). Every program
 * includes it, so XDP and TC share one set of maps. All are pinned by name
 * (libbpf LIBBPF_PIN_BY_NAME) under the pin root, which is how ecmpd,
 * ecmpctl, bpftool and xdp-loader find them. Sizes are defaults: the loader
 * may change max_entries before load (bpf_map__set_max_entries).
 * Key and value structs live in include/ecmp_shared.h.
 */
#ifndef ECMP_MAPS_BPF_H
#define ECMP_MAPS_BPF_H

#include "ecmp_shared.h"

/* Key 0: seed, hash policy, ready flag, epoch. Written by ecmpd at
 * start/reload; the epoch through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ecmp_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_config SEC(".maps");

/* Trie roots, (family * 256 + first address byte) -> chunk. Written by
 * ecmpd (user/lpm.c) through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECMP_LPM_ROOT_CHUNKS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ecmp_lpm_chunk);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_lpm_root SEC(".maps");

/* Trie chunks below the root, chunk index -> chunk. Written by ecmpd
 * (user/lpm.c) through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECMP_MAX_LPM_CHUNKS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ecmp_lpm_chunk);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_lpm_node SEC(".maps");

/* The configured routes (prefix -> leaf), the source of truth for
 * `ecmpctl route show` and for rebuilding the trie. Not read by the data
 * path. Written by ecmpd. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECMP_MAX_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ecmp_route_key);
	__type(value, struct ecmp_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_routes SEC(".maps");

/* Group id -> bucket table (base, mask), one 64-bit word swapped whole.
 * Written by ecmpd through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECMP_MAX_GROUPS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ecmp_group);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_groups SEC(".maps");

/* Bucket slots of all groups: owner nexthop (ecmpd) and last_seen (data
 * path). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECMP_MAX_BUCKET_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ecmp_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_buckets SEC(".maps");

/* Nexthop id -> MACs, egress, usable flag. Written by ecmpd through mmap
 * (flag cleared before the other fields change). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECMP_MAX_NEXTHOPS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ecmp_nexthop);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_nexthops SEC(".maps");

/* Egress interfaces, ifindex -> device, for bpf_redirect_map(). Written by
 * ecmpd for every interface a nexthop uses. (The kernel adds
 * BPF_F_RDONLY_PROG to a devmap's flags, which libbpf 1.1 then finds
 * different from these when it reuses the pin: user/pin.c reuses it by fd.) */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, ECMP_MAX_TX_PORTS);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_tx_ports SEC(".maps");

/* Per-CPU counters by enum ecmp_reason. Written by the data path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ECMP_MAX_REASONS);
	__type(key, __u32);
	__type(value, struct ecmp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_stats SEC(".maps");

/* Per-CPU forwarded packets/bytes by nexthop id. Written by the data path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ECMP_MAX_NEXTHOPS);
	__type(key, __u32);
	__type(value, struct ecmp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_nh_stats SEC(".maps");

/* Per-CPU forwarded packets/bytes by group id. Written by the data path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ECMP_MAX_GROUPS);
	__type(key, __u32);
	__type(value, struct ecmp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_grp_stats SEC(".maps");

/* Names and configuration by nexthop id, for ecmpctl and restarts. Not read
 * by the data path. Written by ecmpd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECMP_MAX_NEXTHOPS);
	__type(key, __u32);
	__type(value, struct ecmp_nh_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_nh_meta SEC(".maps");

/* Names, members and timers by group id. Not read by the data path.
 * Written by ecmpd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECMP_MAX_GROUPS);
	__type(key, __u32);
	__type(value, struct ecmp_grp_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_grp_meta SEC(".maps");

/* Kernel-path rules, two halves of ECMP_MAX_PASS_RULES (ecmp_config's
 * pass_rules says which is in force). Read by the data path before the
 * hash; written by ecmpd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * ECMP_MAX_PASS_RULES);
	__type(key, __u32);
	__type(value, struct ecmp_pass_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_pass_rules SEC(".maps");

/* The ingress interfaces (XDP and tc ingress) by ifindex: MAC, flags. Read by
 * the data path; written by ecmpd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECMP_MAX_IFINDEX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ecmp_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_ifaces SEC(".maps");

/* VLANs of the router's L3 subinterfaces, by (ingress, outer, inner VID).
 * Read by the data path for tagged frames; written by ecmpd. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECMP_MAX_VLANS);
	__type(key, struct ecmp_vlan_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_vlans SEC(".maps");

/* Subnets whose hosts get ICMP redirects (ecmp_shared.h); read only for
 * a frame that would leave where it came in. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, ECMP_MAX_ONLINK);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ecmp_onlink_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ecmp_onlink SEC(".maps");

#endif /* ECMP_MAPS_BPF_H */
