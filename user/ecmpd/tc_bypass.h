/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Traffic control that frames forwarded by XDP skip. XDP runs before the
 * ingress interface's tc filters, and XDP_REDIRECT hands a frame to the
 * egress interface's driver directly: no qdisc (no shaping, policing,
 * priorities, netem) and no tc egress filter of that interface sees it.
 * The tc ingress hook's redirect goes through the egress interface's
 * qdiscs and filters, so `interface IF tc ingress` is the way to keep
 * them; `kernel-path` lines keep chosen traffic on the kernel's path.
 * ecmpd says so at start and on reload, naming the interface and what it
 * has; the plain queues every interface has (noqueue, mq, pfifo_fast,
 * fq_codel, fq and the FIFOs) shape nothing and are left alone, as are
 * ecmpd's own filters.
 */
#ifndef ECMP_TC_BYPASS_H
#define ECMP_TC_BYPASS_H

#include "config.h"
#include "netlink.h"

/* 1 when a qdisc of this kind only queues (nothing to bypass). */
int tc_qdisc_is_plain(const char *kind);

struct bypass_said;

/*
 * Warns about the qdiscs and tc egress filters of the interfaces the XDP
 * program sends out of (eff's nexthops' devices) and the tc ingress
 * filters of the interfaces it runs on (conf's XDP interfaces), each
 * also into said. Returns how many warnings, or -errno when tc cannot be
 * read.
 */
int tc_bypass_warn(struct nl *nl, const struct ecmp_conf *conf,
		   const struct ecmp_conf *eff, struct bypass_said *said);

#endif /* ECMP_TC_BYPASS_H */
