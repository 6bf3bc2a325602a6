/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel's per-interface network settings, read (never written) from
 * /proc/sys/net/FAMILY/conf/DEV/KNOB: what ecmpd warns about and what it
 * follows for the data path (rp_filter, forwarding, send_redirects).
 */
#ifndef ECMP_SYSCTL_H
#define ECMP_SYSCTL_H

/* net.FAMILY.conf.DEV.KNOB ("ipv4", "r0" or "all", "rp_filter"): 0 with
 * *val, or -1 when it cannot be read. */
int sysctl_net_conf(const char *family, const char *dev, const char *knob, int *val);

#endif /* ECMP_SYSCTL_H */
