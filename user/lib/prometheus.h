/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `ecmpctl stats --format prometheus`: the counters and states of the
 * pinned maps, and what ecmpd says of itself (bucket moves, BFD sessions,
 * memory), in the Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector. Every metric has # HELP and # TYPE;
 * counters end in _total, units are base units (bytes, seconds).
 */
#ifndef ECMP_PROMETHEUS_H
#define ECMP_PROMETHEUS_H

#include <stdio.h>
#include "dp_maps.h"

/* socket: ecmpd's control socket; without ecmpd the daemon's metrics are
 * left out (ecmp_daemon_up 0). */
void prom_write(FILE *f, const struct ecmp_dp *dp, const char *socket);

#endif /* ECMP_PROMETHEUS_H */
