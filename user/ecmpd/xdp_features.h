/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Whether a device can transmit redirected XDP frames: the netdev generic
 * netlink family's xdp-features (kernel 6.3+), the same answer
 * `ynl --family netdev --do dev-get` prints. A redirect to a device without
 * ndo-xmit (a bridge, a VXLAN device, a bond of non-XDP slaves) fails after
 * the program returned and the frame is dropped, so ecmpd marks such
 * nexthops and the data path hands their frames on instead.
 */
#ifndef ECMP_XDP_FEATURES_H
#define ECMP_XDP_FEATURES_H

#include <stdint.h>

/* enum netdev_xdp_act of the kernel's uapi linux/netdev.h (Debian 12's
 * headers predate it). */
#define XDPF_ACT_NDO_XMIT	(1ull << 2)
#define XDPF_ACT_NDO_XMIT_SG	(1ull << 6)

struct mnl_socket;

struct xdpf {
	struct mnl_socket *sk;
	uint16_t family;	/* genl id of "netdev"; 0 until resolved */
	int missing;		/* the kernel has no such family */
	unsigned int seq;
};

/* The device's NETDEV_XDP_ACT_* bits, or -errno: -EOPNOTSUPP when the
 * kernel has no netdev family (before 6.3), -ENODEV when it has no such
 * device. Opens its socket on first use. */
int64_t xdpf_get(struct xdpf *x, int ifindex);
void xdpf_close(struct xdpf *x);

#endif /* ECMP_XDP_FEATURES_H */
