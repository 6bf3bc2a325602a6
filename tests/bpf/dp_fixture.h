/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Test fixture around the real build/ecmp_xdp.bpf.o: loads it without
 * pinning, maps its arrays, fills nexthops, groups, buckets and routes, runs
 * frames through BPF_PROG_TEST_RUN and describes the state to the model.
 */
#ifndef ECMP_DP_FIXTURE_H
#define ECMP_DP_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/dp_maps.h"
#include "lib/lpm.h"
#include "frame_model.h"

struct fixture {
	struct bpf_object *obj;
	int prog_fd;
	struct ecmp_dp dp;
	struct lpm *lpm;
	struct ecmp_config cfg;
	uint32_t tx[16];
	int n_tx;
	const struct model_kpath *kpath;
	int nkpath;
	struct ecmp_iface iface;	/* of iface_ifindex, when has_iface */
	int has_iface;
	uint16_t vlans[16][2];		/* in ecmp_vlans, for the model */
	int nvlans;
	uint32_t iface_ifindex;
	struct model_onlink onlink[8];	/* in ecmp_onlink, for the model */
	int nonlink;
};

/* The first buffer BPF_PROG_TEST_RUN gives an XDP program: a page less
 * XDP_PACKET_HEADROOM (256) and the aligned skb_shared_info (320); the
 * rest of a longer frame arrives in further buffers (xdp.frags). */
#define FIXTURE_XDP_LINEAR	3520

/* Loads obj_path (e.g. build/ecmp_xdp.bpf.o) and picks program prog. */
int fixture_open(struct fixture *f, const char *obj_path, const char *prog,
		 const struct dp_sizes *sizes);
void fixture_close(struct fixture *f);

int fixture_set_config(struct fixture *f, uint64_t k0, uint64_t k1,
		       uint32_t hash_flags, int ready);
/* Adds an interface to ecmp_tx_ports. */
int fixture_add_tx(struct fixture *f, uint32_t ifindex);
/* Nexthop id with MAC 02:00:00:00:(id>>8):(id&0xff), smac 02:00:00:00:ee:01. */
void fixture_set_nexthop(struct fixture *f, uint32_t id, uint32_t ifindex,
			 uint16_t vlan_id, int usable);
/* Its egress link: MTU (0: unchecked), and whether it takes XDP frames. */
void fixture_set_nexthop_link(struct fixture *f, uint32_t id, uint16_t mtu,
			      int xdp_xmit);
void fixture_set_group(struct fixture *f, uint32_t group, uint32_t base,
		       uint32_t nbuckets);
void fixture_set_bucket(struct fixture *f, uint32_t slot, uint32_t nexthop);
int fixture_add_route(struct fixture *f, uint8_t family, const char *prefix,
		      uint32_t leaf);

/* Runs one frame; returns 0 with the verdict and output, or -errno. */
int fixture_run(struct fixture *f, const void *in, size_t len, void *out,
		size_t *out_len, uint32_t *retval);

/* Describes the ingress interface of the test runs (lo) in ecmp_ifaces;
 * mac NULL removes it. */
int fixture_set_iface(struct fixture *f, uint32_t ifindex, const uint8_t *mac,
		      uint16_t flags);

/* Adds the VLAN (outer, inner or 0) of an L3 subinterface on ifindex. */
int fixture_add_vlan(struct fixture *f, uint32_t ifindex, uint16_t outer,
		     uint16_t inner);

/* Adds a subnet ("198.18.0.0/24", family 4 or 6) of ifindex's hosts, with
 * the tags they come with, to ecmp_onlink, and flags ifindex
 * ECMP_IFACE_REDIRECTS; prefix NULL empties the map and clears the flag. */
int fixture_set_onlink(struct fixture *f, uint32_t ifindex, uint8_t family,
		       const char *prefix, uint16_t outer, uint16_t inner);

/* Puts rules in force in ecmp_pass_rules (into the other half, then the
 * config word flips) and tells the model; n = 0 removes them. */
int fixture_set_kernel_path(struct fixture *f, const struct model_kpath *rules,
			    int n);

void fixture_model_state(const struct fixture *f, struct model_state *st);

/* Summed per-CPU reason counter. */
uint64_t fixture_reason_count(struct fixture *f, int reason);

#endif /* ECMP_DP_FIXTURE_H */
