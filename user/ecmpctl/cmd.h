/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ecmpctl's commands, and what they share; nothing here is for another
 * program. One file an object, as iproute2 and bpftool keep theirs:
 *
 *   ecmpctl.c          arguments, help, dispatch
 *   cmd_access.c       ecmpd's namespaces, the maps, the control socket
 *   cmd_nexthop.c      nexthop show / set, group show
 *   cmd_route.c        route show [all]
 *   cmd_interface.c    interface show
 *   cmd_bfd.c          bfd show
 *   cmd_stats.c        stats
 *   cmd_lookup.c       lookup, lookup -
 *
 * Show commands read the pinned maps directly (they work while ecmpd is
 * stopped); BFD sessions and commands that change state go to ecmpd over
 * its control socket, whose JSON replies are read by key. Every field
 * goes through one print call (lib/print.h), so JSON keys are the text
 * words. Handlers return the exit status: 0, or 1 when they said why.
 */
#ifndef ECMPCTL_CMD_H
#define ECMPCTL_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "lib/dp_maps.h"
#include "lib/json.h"

/* The command line, as cli_parse() read it. */
extern struct cli_cmd args;

/* One line on stderr ({"error": ...} with -j, so scripts parse it like
 * any answer; stdout stays empty). Returns 1, the exit status. */
int cmd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Joins ecmpd's network and mount namespaces when it answers on the
 * socket and they are not this process's (root only; quiet otherwise). */
void cmd_join_daemon(void);
/* -n NAME: the network namespace `ip netns` named, or a path to one. */
int cmd_enter_netns(const char *name);
/* The maps: pinned for root, else as read-only fds from ecmpd. */
int cmd_open_maps(struct ecmp_dp *dp);

/* req's reply from ecmpd in *reply (json_free it); an error answer is
 * reported and returns 1. With wait_ms, the reply counts once ecmpd has
 * closed the connection too (shutdown). */
int cmd_ask_wait(const char *req, struct json_value **reply, int wait_ms);
int cmd_ask(const char *req, struct json_value **reply);
/* A request that changes state: prints ecmpd's message, or its error. */
int cmd_request(const char *req, int wait_ms);

/* Nexthop id's metadata; -ENOENT for an id not in use. */
int cmd_nh_meta(const struct ecmp_dp *dp, uint32_t id, struct ecmp_nh_meta *m);
/* Group gid's name, or "#ID" and -ENOENT for an id not in use. */
int cmd_group_name(const struct ecmp_dp *dp, uint32_t gid, char *buf, size_t len);

int do_nexthop_show(const char *only);
int do_nexthop_set(void);
int do_group_show(const char *only);
int do_route_show(const struct cli_prefix *inside);
int do_interface_show(const char *only);
int do_bfd_show(void);
int do_stats(void);
int do_lookup(void);

#endif /* ECMPCTL_CMD_H */
