// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Benchmark floor: the least an XDP forwarder can do, one
 * bpf_redirect_map() into a devmap of the same type ecmp_xdp uses.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} floor_tx SEC(".maps");

SEC("xdp")
int bench_floor(struct xdp_md *ctx)
{
	return bpf_redirect_map(&floor_tx, 1, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
