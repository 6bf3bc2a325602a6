/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What an egress device says it transmitted of the frames XDP redirected
 * to it, from its driver's statistics (`ethtool -S`): the check of
 * "forwarded" against what left. Drivers name these counters their own
 * way; read here: veth's tx_queue_N_xdp_xmit and _xdp_xmit_errors, and
 * the common *xdp_xmit / *xdp_xmit_err(ors) / tx_xdp_err forms.
 */
#ifndef ECMP_XMIT_STATS_H
#define ECMP_XMIT_STATS_H

#include <stdint.h>

struct xmit_stats {
	uint64_t sent;		/* frames the device took */
	uint64_t errors;	/* frames it refused or dropped */
	int has_sent, has_errors;	/* the driver counts them */
};

/* 0 with s filled (possibly with neither counter), or -errno. */
int xmit_stats_read(const char *ifname, struct xmit_stats *s);

#endif /* ECMP_XMIT_STATS_H */
