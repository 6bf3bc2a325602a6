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
	CLI_VERSION,
	CLI_NEXTHOP_SHOW,	/* name: only that one */
	CLI_NEXTHOP_SET,	/* name, drain */
	CLI_GROUP_SHOW,		/* name: only that one */
	CLI_ROUTE_SHOW,		/* prefix: only routes inside it */
	CLI_INTERFACE_SHOW,	/* name: only that interface */
	CLI_BFD_SHOW,
	CLI_STATS,
	CLI_LOOKUP,		/* flow */
	CLI_LOOKUP_BATCH,	/* flows from stdin, one per line */
	CLI_MONITOR,		/* events: a mask of 1 << cli_event_kind() */
	CLI_RELOAD,
	CLI_SHUTDOWN,		/* detach */
};

/* The kinds of event monitor streams, as ecmpd names them (events.h). */
#define CLI_EVENT_KINDS	5
extern const char *const cli_event_kinds[CLI_EVENT_KINDS];
/* The kind a word names (abbreviations allowed), or -1. */
int cli_event_kind(const char *word);

struct cli_prefix {
	uint8_t family;		/* ECMP_AF_*; 0: none given */
	uint8_t len;
	uint8_t addr[16];	/* host bits cleared */
};

/* What lookup is asked about: a packet's own headers (the route key), and
 * for an ICMP error the packet it quotes, whose flow turned round is
 * what the data path hashes. */
struct cli_probe {
	struct ecmp_flow flow;
	int icmp_error;
	struct ecmp_flow quoted;
};

struct cli_cmd {
	enum cli_command cmd;
	int json, pretty;
	const char *pin_root, *socket;
	const char *netns;		/* -n NAME: like ip -n */
	const char *help_object;	/* `ecmpctl OBJECT help`: its lines */
	const char *name;
	int drain, detach;
	int prometheus;		/* stats --format prometheus */
	unsigned events;	/* monitor: kinds wanted */
	int all;		/* route show all */
	int stats;		/* -s: statistics, where ip prints them */
	struct cli_prefix prefix;
	struct cli_probe probe;
};

extern const char cli_usage[];

/* ADDR[/LEN], IPv4 or IPv6, host bits cleared: 0 or -EINVAL. */
int cli_parse_prefix(const char *s, struct cli_prefix *p);

/* Parses argv[1..] (options, OBJECT, COMMAND, ARGS) into c, whose
 * pin_root and socket start as the defaults. Returns 0, or -EINVAL with
 * err set to a message naming the word and the fix. */
int cli_parse(int argc, char **argv, struct cli_cmd *c, char *err, size_t errlen);
/* `SRC DST [ PROTO SPORT DPORT ]` or `SRC DST icmp-error QSRC QDST
 * [ PROTO SPORT DPORT ]`, as lookup takes it (and each line of
 * `lookup -`). 0 or -EINVAL with err set. */
int cli_parse_probe(int argc, char **argv, struct cli_probe *p, char *err,
		    size_t errlen);

#endif /* ECMP_CLI_H */
