// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "version.h"

/* ECMP_VERSION comes from the Makefile, which reads VERSION; the paths
 * from its PREFIX and SYSCONFDIR (make install). */
const char ecmp_version[] = ECMP_VERSION;
const char ecmp_libdir[] = ECMP_LIBDIR;
const char ecmp_conf_default[] = ECMP_SYSCONFDIR "/ecmp/ecmpd.conf";
