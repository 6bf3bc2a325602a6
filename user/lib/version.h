/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The release, from the VERSION file at the top of the tree (the one place
 * it is written); `ecmpd --version` and `ecmpctl -V` print it. And where
 * `make install` puts things: ecmpd finds its objects and config there.
 */
#ifndef ECMP_VERSION_H
#define ECMP_VERSION_H

extern const char ecmp_version[];
extern const char ecmp_libdir[];	/* the BPF objects, PREFIX/lib/xdp-ecmp */
extern const char ecmp_conf_default[];	/* SYSCONFDIR/ecmp/ecmpd.conf */

#endif /* ECMP_VERSION_H */
