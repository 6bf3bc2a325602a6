/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ecmpctl's command line: argv parsed into one struct cli_cmd, with no
 * side effect (nothing opened, nothing printed), so the libFuzzer target
 * calls exactly what ecmpctl runs. ecmpctl.c then carries it out.
 */
#ifndef ECMP_CLI_H
#define ECMP_CLI_H

#include <stddef.h>
#include <stdint.h>
#include "ecmp_hash.h"

enum cli_command {
	CLI_HELP,
	CLI_NEXTHOP_SHOW,	/* name: only that one */
	CLI_NEXTHOP_SET,	/* name, drain */
	CLI_GROUP_SHOW,		/* name: only that one */
	CLI_ROUTE_SHOW,		/* prefix: only routes inside it */
	CLI_INTERFACE_SHOW,	/* name: only that interface */
	CLI_BFD_SHOW,
	CLI_STATS,
	CLI_LOOKUP,		/* flow */
	CLI_LOOKUP_BATCH,	/* flows from stdin, one per line */
	CLI_RELOAD,
	CLI_SHUTDOWN,		/* detach */
};

struct cli_prefix {
	uint8_t family;		/* ECMP_AF_*; 0: none given */
	uint8_t len;
	uint8_t addr[16];	/* host bits cleared */
};

struct cli_cmd {
	enum cli_command cmd;
	int json, pretty;
	const char *pin_root, *socket;
	const char *name;
	int drain, detach;
	struct cli_prefix prefix;
	struct ecmp_flow flow;
};

extern const char cli_usage[];

/* Parses argv[1..] (options, OBJECT, COMMAND, ARGS) into c, whose
 * pin_root and socket start as the defaults. Returns 0, or -EINVAL with
 * err set to a message naming the word and the fix. */
int cli_parse(int argc, char **argv, struct cli_cmd *c, char *err, size_t errlen);
/* `SRC DST [ PROTO SPORT DPORT ]`, as lookup takes it (and each line of
 * `lookup -`). 0 or -EINVAL with err set. */
int cli_parse_flow(int argc, char **argv, struct ecmp_flow *f, char *err,
		   size_t errlen);

#endif /* ECMP_CLI_H */
