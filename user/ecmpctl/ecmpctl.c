// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpctl: shows and drives xdp-ecmp. This file reads the command line
 * and hands it to the command's handler (cmd.h lists them).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "monitor.h"
#include "lib/ctl.h"
#include "lib/log.h"
#include "lib/print.h"
#include "lib/version.h"

/* How long `shutdown` waits for ecmpd to be gone once it has answered:
 * a full table's maps, its hooks and BFD's AdminDown take a few seconds
 * at most. */
#define SHUTDOWN_WAIT_MS	60000

/* The usage, or with OBJECT only its lines (those naming a command of an
 * object that OBJECT abbreviates, with their continuation lines). */
static void print_help(const char *object)
{
	const char *line = cli_usage, *end;
	int keep = 0;

	if (!object) {
		fputs(cli_usage, stdout);
		return;
	}
	for (; *line; line = *end ? end + 1 : end) {
		const char *cmd = line + strspn(line, " ");
		size_t n;

		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (cmd > line && !strncmp(cmd, "ecmpctl ", 8)) {
			cmd += strlen("ecmpctl ");
			n = strcspn(cmd, " \n");
			keep = n >= strlen(object) && !strncmp(cmd, object, strlen(object)) &&
			       cmd[0] != '[';
		} else if (!(line[0] == ' ' && strspn(line, " ") > 20)) {
			keep = 0;	/* a continuation line stays with its command */
		}
		if (keep)
			printf("%.*s\n", (int)(end - line), line);
	}
}

int main(int argc, char **argv)
{
	char err[512];
	int ret;

	args.pin_root = ECMP_PIN_ROOT_DEFAULT;
	args.socket = CTL_SOCKET_DEFAULT;
	if (argc < 2) {
		fputs(cli_usage, stderr);
		return 2;
	}
	if (cli_parse(argc, argv, &args, err, sizeof(err)))
		return cmd_fail("%s", err);
	if (args.netns && cmd_enter_netns(args.netns))
		return 1;
	/* libbpf/libxdp chatter (e.args. "no qdisc" while looking for tc
	 * filters) is not for the user of a show command. */
	log_init("ecmpctl", LOG_LEVEL_WARN, 0, 0);
	print_start(stdout, args.json, args.pretty);
	switch (args.cmd) {
	case CLI_NEXTHOP_SHOW:
	case CLI_GROUP_SHOW:
	case CLI_ROUTE_SHOW:
	case CLI_INTERFACE_SHOW:
	case CLI_STATS:
	case CLI_LOOKUP:
	case CLI_LOOKUP_BATCH:
		cmd_join_daemon();
		break;
	default:
		break;
	}
	switch (args.cmd) {
	case CLI_HELP:
		print_help(args.help_object);
		return 0;
	case CLI_VERSION:
		printf("ecmpctl (xdp-ecmp) %s\n", ecmp_version);
		return 0;
	case CLI_NEXTHOP_SHOW:
		ret = do_nexthop_show(args.name);
		break;
	case CLI_NEXTHOP_SET:
		ret = do_nexthop_set();
		break;
	case CLI_GROUP_SHOW:
		ret = do_group_show(args.name);
		break;
	case CLI_ROUTE_SHOW:
		ret = do_route_show(&args.prefix);
		break;
	case CLI_INTERFACE_SHOW:
		ret = do_interface_show(args.name);
		break;
	case CLI_BFD_SHOW:
		ret = do_bfd_show();
		break;
	case CLI_STATS:
		ret = do_stats();
		break;
	case CLI_LOOKUP:
	case CLI_LOOKUP_BATCH:
		ret = do_lookup();
		break;
	case CLI_MONITOR:
		return monitor_run(args.socket, args.events, args.json);
	case CLI_RELOAD:
		ret = cmd_request("reload", 0);
		break;
	case CLI_SHUTDOWN:
		/* Back once ecmpd is gone: a start right after finds the
		 * hooks and pins as the shutdown left them. */
		ret = cmd_request(args.detach ? "shutdown detach" : "shutdown", SHUTDOWN_WAIT_MS);
		break;
	default:
		ret = cmd_fail("internal: command %d has no handler", args.cmd);
	}
	if (!ret)
		print_end();
	return ret;
}
