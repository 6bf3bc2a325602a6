/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel's IPsec policies (`ip xfrm policy`, what strongSwan and
 * libreswan install) against the fast path. The kernel applies the
 * forward and output policies to every frame it forwards: a frame an
 * `out` policy selects leaves through ESP or AH, one a required `fwd`
 * policy selects is forwarded only if IPsec protected it, and a `block`
 * policy drops. XDP runs before all of it, so a frame it forwards would
 * leave in clear or unchecked. ecmpd says so for each such policy (at
 * start, on reload, and when one is added while it runs: IKE daemons
 * install them as tunnels come up) and names the kernel-path line that
 * keeps its frames on the kernel's path. Policies that never meet a
 * forwarded frame (inbound, bound to an xfrm interface or a firewall
 * mark, allow without templates) are left alone.
 */
#ifndef ECMP_XFRM_POLICIES_H
#define ECMP_XFRM_POLICIES_H

#include <stddef.h>
#include <stdint.h>

#include "bypass.h"
#include "config.h"

struct nlmsghdr;

/* An IPsec policy as it bears on forwarded frames. */
struct xfrm_pol {
	uint8_t dir;		/* XFRM_POLICY_OUT or XFRM_POLICY_FWD */
	uint8_t block;		/* action block: the kernel drops */
	uint32_t priority;
	struct conf_pass sel;	/* its selector as a kernel-path line's */
	const char *unsaid;	/* a part no kernel-path line has, or NULL */
	int ntmpl;		/* transforms (ESP, AH, IPcomp) */
	int required;		/* one of them not optional */
	uint8_t tmpl_proto, tmpl_mode, tmpl_family;
	uint8_t tmpl_dst[16];	/* the first transform's peer */
};

/*
 * XFRM_MSG_NEWPOLICY/UPDPOLICY (or a dump's): 0 with p filled, 1 for a
 * policy no forwarded frame meets (inbound, a socket's, bound to an xfrm
 * interface or a mark, another family), -1 when malformed.
 */
int xfrm_pol_parse(const struct nlmsghdr *nlh, struct xfrm_pol *p);

/* 1 with a warning in msg when the fast path forwards frames p would
 * have the kernel encrypt, check or drop, and no kernel-path line of
 * conf keeps them on the kernel's path; else 0. */
int xfrm_pol_check(const struct xfrm_pol *p, const struct ecmp_conf *conf,
		   char *msg, size_t n);

/* Dumps the policies and warns as policy_rules_warn() does (seen, now).
 * Returns how many it reports, or -errno (no IPsec in the kernel:
 * -EPROTONOSUPPORT, nothing to warn about). */
int xfrm_policies_warn(const struct ecmp_conf *conf, const char *seen, char **now);

/* A socket told of every policy change (XFRMNLGRP_POLICY), non-blocking;
 * or -errno. */
int xfrm_watch_open(void);
/* Reads what came; 1 when anything did (look again), 0 if not. */
int xfrm_watch_drain(int fd);

#endif /* ECMP_XFRM_POLICIES_H */
