/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `metrics listen ADDR:PORT`: GET /metrics over HTTP (libmicrohttpd, its
 * own thread), answering what `ecmpctl stats --format prometheus` prints
 * (lib/prometheus.c), read from the pinned maps and ecmpd's status on its
 * control socket. Anything else: 404, 405 for other methods.
 */
#ifndef ECMP_METRICS_H
#define ECMP_METRICS_H

#include "config.h"
#include "lib/dp_maps.h"

struct metrics;

/* Starts serving; *out stays NULL when c is not enabled. 0 or -errno
 * (logged: the address and why). */
int metrics_start(struct metrics **out, const struct conf_metrics *c,
		  const struct ecmp_dp *dp, const char *socket);
void metrics_stop(struct metrics *m);
/* Whether a running endpoint already serves what c asks for. */
int metrics_same(const struct metrics *m, const struct conf_metrics *c);

#endif /* ECMP_METRICS_H */
