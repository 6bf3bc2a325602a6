/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `ecmpctl monitor`: ecmpd's events (user/ecmpd/events.h) as they come,
 * one line each, until interrupted or ecmpd goes. Text, or with -j the
 * JSON lines as ecmpd sent them.
 */
#ifndef ECMP_MONITOR_H
#define ECMP_MONITOR_H

/* kinds: a mask of 1 << cli_event_kind(). Returns the exit status. */
int monitor_run(const char *socket, unsigned kinds, int json);

#endif /* ECMP_MONITOR_H */
