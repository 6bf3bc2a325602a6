// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>

#include "cli.h"
#include "ecmp_shared.h"
#include "lib/text.h"

static int matches(const char *word, const char *cmd)
{
	return *word && !strncmp(word, cmd, strlen(word));
}

const char cli_usage[] =
"Usage: ecmpctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
"where  OBJECT := { nexthop | group | route | interface | bfd | stats | lookup |\n"
"                   monitor | reload | shutdown | help }\n"
"       OPTIONS := { -j[son] | -p[retty] | -s[tatistics] | -V[ersion] | -n[etns] NAME |\n"
"                    --pin-root DIR | --socket PATH }\n"
"\n"
"       ecmpctl nexthop show [ NAME ]\n"
"       ecmpctl nexthop set NAME { drain | up }\n"
"       ecmpctl group show [ NAME ]\n"
"       ecmpctl route show [ all ] [ PREFIX ]   (the routes inside PREFIX; all: and\n"
"                               the kernel's routes left to the kernel, with why)\n"
"       ecmpctl [ -s ] interface show [ IFNAME ]   (-s: each interface's counters)\n"
"       ecmpctl bfd show\n"
"       ecmpctl stats [ --format prometheus ]   (for node_exporter's textfile collector)\n"
"       ecmpctl lookup SRC DST [ PROTO SPORT DPORT ]\n"
"       ecmpctl lookup DST from SRC [ ipproto PROTO ] [ sport N ] [ dport N ]\n"
"                               (the same, worded like ip route get)\n"
"       ecmpctl lookup SRC DST icmp-error QSRC QDST [ PROTO SPORT DPORT ]\n"
"                               (an ICMP error from SRC to DST quoting a packet\n"
"                                QSRC -> QDST: where it goes)\n"
"       ecmpctl lookup -        (one such flow per line of stdin,\n"
"                                one answer or error per line, in order)\n"
"       ecmpctl monitor [ all | EVENT ... ]   (events as they happen, like ip monitor)\n"
"                               EVENT := { nexthop | bfd | group | reload | route }\n"
"       ecmpctl reload\n"
"       ecmpctl shutdown [ --detach ]\n"
"\n"
"       PROTO := { tcp | udp | sctp | icmp | icmp6 | NUMBER }\n"
"Objects and commands may be abbreviated: 'ecmpctl n s' is 'nexthop show'.\n";

const char *const cli_event_kinds[CLI_EVENT_KINDS] = {
	"nexthop", "bfd", "group", "reload", "route",
};

int cli_event_kind(const char *word)
{
	int i;

	for (i = 0; i < CLI_EVENT_KINDS; i++)
		if (matches(word, cli_event_kinds[i]))
			return i;
	return -1;
}

static int say(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}


static int parse_proto(const char *s, uint8_t *proto)
{
	static const struct { const char *name; uint8_t num; } known[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "sctp", 132 }, { "icmp", 1 },
		{ "icmp6", 58 }, { "ipv6-icmp", 58 },
	};
	struct protoent *pe;
	unsigned i;
	char *end;
	long v;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(s, known[i].name)) {
			*proto = known[i].num;
			return 0;
		}
	v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0 && v <= 255) {
		*proto = v;
		return 0;
	}
	pe = getprotobyname(s);
	if (pe) {
		*proto = pe->p_proto;
		return 0;
	}
	return -EINVAL;
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > 65535)
		return -EINVAL;
	*port = htons(v);
	return 0;
}

static int parse_flow(int argc, char **argv, struct ecmp_flow *f, char *err,
		      size_t errlen)
{
	int same;

	memset(f, 0, sizeof(*f));
	if (argc != 2 && argc != 5)
		return say(err, errlen, "Usage: ecmpctl lookup SRC DST [ PROTO SPORT DPORT ]");
	if (inet_pton(AF_INET, argv[0], f->saddr) == 1) {
		f->family = ECMP_AF_INET;
		same = inet_pton(AF_INET, argv[1], f->daddr) == 1;
	} else if (inet_pton(AF_INET6, argv[0], f->saddr) == 1) {
		f->family = ECMP_AF_INET6;
		same = inet_pton(AF_INET6, argv[1], f->daddr) == 1;
	} else {
		return say(err, errlen, "lookup: '%s' is not an IPv4 or IPv6 address", argv[0]);
	}
	if (!same)
		return say(err, errlen, "lookup: '%s' is not an address of the same family as '%s'",
			   argv[1], argv[0]);
	if (argc == 5) {
		if (parse_proto(argv[2], &f->proto))
			return say(err, errlen, "lookup: unknown protocol '%s'", argv[2]);
		if (parse_port(argv[3], &f->sport) || parse_port(argv[4], &f->dport))
			return say(err, errlen, "lookup: ports are numbers from 0 to 65535");
		if (f->proto != 6 && f->proto != 17 && f->proto != 132)
			f->sport = f->dport = 0;	/* the data path sees none */
	}
	return 0;
}

/* `ip route get` words: DST from SRC [ ipproto PROTO ] [ sport N ]
 * [ dport N ], in any order after DST, rewritten as the positional form
 * (SRC DST [ PROTO SPORT DPORT ]). 1 when argv is not of that form. */
static int parse_route_get(int argc, char **argv, struct ecmp_flow *f, char *err,
			   size_t errlen)
{
	const char *src = NULL, *proto = NULL, *sport = "0", *dport = "0";
	char *pos[5];
	int i;

	if (argc < 3 || (strcmp(argv[1], "from") && strcmp(argv[1], "ipproto") &&
			 strcmp(argv[1], "sport") && strcmp(argv[1], "dport")))
		return 1;
	for (i = 1; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return say(err, errlen, "lookup: '%s' needs a value", k);
		if (!strcmp(k, "from"))
			src = v;
		else if (!strcmp(k, "ipproto"))
			proto = v;
		else if (!strcmp(k, "sport"))
			sport = v;
		else if (!strcmp(k, "dport"))
			dport = v;
		else
			return say(err, errlen, "lookup: '%s' is not one of from, ipproto, sport, dport", k);
	}
	if (!src)
		return say(err, errlen, "lookup %s: 'from SRC' is needed: the flow's hash covers its source",
			   argv[0]);
	if (!proto && (strcmp(sport, "0") || strcmp(dport, "0")))
		return say(err, errlen, "lookup: ports need 'ipproto tcp', 'udp' or 'sctp'");
	pos[0] = (char *)src;
	pos[1] = argv[0];
	pos[2] = (char *)proto;
	pos[3] = (char *)sport;
	pos[4] = (char *)dport;
	return parse_flow(proto ? 5 : 2, pos, f, err, errlen);
}

int cli_parse_probe(int argc, char **argv, struct cli_probe *p, char *err,
		    size_t errlen)
{
	int ret;

	memset(p, 0, sizeof(*p));
	ret = parse_route_get(argc, argv, &p->flow, err, errlen);
	if (ret <= 0)
		return ret;
	if (argc < 3 || strcmp(argv[2], "icmp-error"))
		return parse_flow(argc, argv, &p->flow, err, errlen);
	if (argc != 5 && argc != 8)
		return say(err, errlen, "Usage: ecmpctl lookup SRC DST icmp-error QSRC QDST "
			   "[ PROTO SPORT DPORT ]");
	ret = parse_flow(2, argv, &p->flow, err, errlen);
	if (!ret)
		ret = parse_flow(argc - 3, argv + 3, &p->quoted, err, errlen);
	if (ret)
		return ret;
	if (p->quoted.family != p->flow.family)
		return say(err, errlen, "lookup: the quoted packet (%s) is not of the error's "
			   "family (%s)", argv[3], argv[0]);
	p->flow.proto = p->flow.family == ECMP_AF_INET ? 1 : 58;
	p->icmp_error = 1;
	return 0;
}

int cli_parse_prefix(const char *s, struct cli_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (text_parse_prefix(s, &p->family, &p->len, p->addr)) {
		p->family = 0;
		return -EINVAL;
	}
	return 0;
}

/* "OBJECT show [ ARG ]": the command word (optional, a prefix of "show")
 * and at most one argument. */
static int show_args(int argc, char **argv, const char *object,
		     const char *arg_name, const char **arg, char *err, size_t errlen)
{
	*arg = NULL;
	if (argc && !matches(argv[0], "show") && !matches(argv[0], "list"))
		return say(err, errlen, "Command \"%s\" is unknown, try \"ecmpctl help\".",
			   argv[0]);
	if (argc > 2 || (argc == 2 && !arg_name))
		return say(err, errlen, "Usage: ecmpctl %s show%s%s%s", object,
			   arg_name ? " [ " : "", arg_name ? arg_name : "",
			   arg_name ? " ]" : "");
	if (argc == 2)
		*arg = argv[1];
	return 0;
}

static int parse_object(int argc, char **argv, struct cli_cmd *c, char *err,
			size_t errlen)
{
	const char *obj = argv[0], *arg;

	argc--;
	argv++;
	/* `ecmpctl OBJECT help`, at any level, as in ip. */
	if (argc && !strcmp(argv[argc - 1], "help")) {
		c->cmd = CLI_HELP;
		c->help_object = obj;
		return 0;
	}
	if (matches(obj, "nexthop")) {
		if (argc && matches(argv[0], "set")) {
			if (argc != 3 || (strcmp(argv[2], "drain") && strcmp(argv[2], "up")))
				return say(err, errlen, "Usage: ecmpctl nexthop set NAME { drain | up }");
			if (strlen(argv[1]) >= ECMP_NAME_MAX || !*argv[1] ||
			    strpbrk(argv[1], " \t\n"))
				return say(err, errlen, "nexthop %s: not a nexthop name", argv[1]);
			c->cmd = CLI_NEXTHOP_SET;
			c->name = argv[1];
			c->drain = !strcmp(argv[2], "drain");
			return 0;
		}
		c->cmd = CLI_NEXTHOP_SHOW;
		if (show_args(argc, argv, "nexthop", "NAME", &c->name, err, errlen))
			return -EINVAL;
	} else if (matches(obj, "group")) {
		c->cmd = CLI_GROUP_SHOW;
		if (show_args(argc, argv, "group", "NAME", &c->name, err, errlen))
			return -EINVAL;
	} else if (matches(obj, "route")) {
		c->cmd = CLI_ROUTE_SHOW;
		/* `route show all [PREFIX]`: the kernel's kept routes too. */
		if (argc >= 2 && !strcmp(argv[1], "all") &&
		    (matches(argv[0], "show") || matches(argv[0], "list"))) {
			c->all = 1;
			argv[1] = argv[0];
			argc--;
			argv++;
		}
		if (show_args(argc, argv, "route", "[ all ] PREFIX", &arg, err, errlen))
			return -EINVAL;
		if (arg && cli_parse_prefix(arg, &c->prefix))
			return say(err, errlen, "route show: '%s' is not an IPv4 or IPv6 prefix", arg);
	} else if (matches(obj, "interface")) {
		c->cmd = CLI_INTERFACE_SHOW;
		if (show_args(argc, argv, "interface", "IFNAME", &c->name, err, errlen))
			return -EINVAL;
		if (c->name && strlen(c->name) >= IF_NAMESIZE)
			return say(err, errlen, "interface show: '%s' is not an interface name", c->name);
	} else if (matches(obj, "bfd")) {
		c->cmd = CLI_BFD_SHOW;
		if (show_args(argc, argv, "bfd", NULL, &arg, err, errlen))
			return -EINVAL;
	} else if (matches(obj, "stats")) {
		c->cmd = CLI_STATS;
		if (argc == 2 && !strcmp(argv[0], "--format") && !strcmp(argv[1], "prometheus"))
			c->prometheus = 1;
		else if (argc == 2 && !strcmp(argv[0], "--format"))
			return say(err, errlen, "stats --format: '%s' is not a format; the one there is "
				   "is prometheus", argv[1]);
		else if (argc)
			return say(err, errlen, "stats takes no arguments but --format prometheus "
				   "(got '%s'); try \"ecmpctl help\".", argv[0]);
	} else if (matches(obj, "lookup")) {
		if (argc == 1 && !strcmp(argv[0], "-")) {
			c->cmd = CLI_LOOKUP_BATCH;
			return 0;
		}
		c->cmd = CLI_LOOKUP;
		return cli_parse_probe(argc, argv, &c->probe, err, errlen);
	} else if (matches(obj, "monitor")) {
		int i;

		c->cmd = CLI_MONITOR;
		for (i = 0; i < argc; i++) {
			int k = cli_event_kind(argv[i]);

			if (!strcmp(argv[i], "all"))
				c->events = ~0u;
			else if (k < 0)
				return say(err, errlen, "monitor: '%s' is not an event kind; use all, "
					   "nexthop, bfd, group, reload or route", argv[i]);
			else
				c->events |= 1u << k;
		}
		if (!c->events)
			c->events = ~0u;
	} else if (matches(obj, "reload")) {
		c->cmd = CLI_RELOAD;
		if (argc)
			return say(err, errlen, "reload takes no arguments (got '%s')", argv[0]);
	} else if (matches(obj, "shutdown")) {
		c->cmd = CLI_SHUTDOWN;
		if (argc > 1 || (argc == 1 && strcmp(argv[0], "--detach")))
			return say(err, errlen, "Usage: ecmpctl shutdown [ --detach ]");
		c->detach = argc == 1;
	} else if (matches(obj, "help")) {
		c->cmd = CLI_HELP;
	} else {
		return say(err, errlen, "Object \"%s\" is unknown, try \"ecmpctl help\".", obj);
	}
	return 0;
}

int cli_parse(int argc, char **argv, struct cli_cmd *c, char *err, size_t errlen)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "pin-root", required_argument, NULL, 'P' },
		{ "socket", required_argument, NULL, 'S' },
		{ "netns", required_argument, NULL, 'n' },
		{ "stats", no_argument, NULL, 's' + 256 },
		{ "statistics", no_argument, NULL, 's' + 256 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int opt;

	c->cmd = CLI_HELP;
	optind = 0;		/* getopt_long starts over on every call */
	opterr = 0;		/* errors are ours to word */
	while ((opt = getopt_long_only(argc, argv, "+jphVn:s", opts, NULL)) != -1) {
		switch (opt) {
		case 'j': c->json = 1; break;
		case 'p': c->pretty = 1; break;
		case 'P': c->pin_root = optarg; break;
		case 's' + 256:
		case 's': c->stats = 1; break;
		case 'S': c->socket = optarg; break;
		case 'n': c->netns = optarg; break;
		case 'h': return 0;
		case 'V':
			c->cmd = CLI_VERSION;
			return 0;
		default:
			return say(err, errlen, "Option \"%s\" is unknown or lacks its argument, try \"ecmpctl help\".",
				   optind > 0 && optind <= argc ? argv[optind - 1] : "?");
		}
	}
	if (optind >= argc)
		return say(err, errlen, "%s", "No OBJECT given, try \"ecmpctl help\".");
	return parse_object(argc - optind, argv + optind, c, err, errlen);
}
