// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Benchmark sink: drops every frame at the far end of a veth, so a
 * redirect into the veth is delivered (veth needs XDP or GRO on the peer)
 * and costs no kernel stack work. It counts what arrives, so bench_xdp can
 * tell that each live row's frames were really forwarded. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_frames SEC(".maps");

SEC("xdp")
int xdp_sink(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&sink_frames, &key);

	if (n)
		*n += 1;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
