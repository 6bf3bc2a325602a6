// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpctl lookup FLOW and lookup -: where the data path sends a flow
 * (lookup.h computes it from the live maps), one answer per flow.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "cmd.h"
#include "lookup.h"
#include "lib/print.h"
#include "lib/text.h"

static void print_lookup(const struct ecmp_dp *dp, const struct cli_probe *p)
{
	char route[TEXT_PREFIX_LEN] = "", grp[ECMP_NAME_MAX + 8] = "", nhname[ECMP_NAME_MAX] = "";
	char via[INET6_ADDRSTRLEN] = "", dev[IF_NAMESIZE] = "";
	struct ecmp_flow hashed = p->icmp_error ? p->quoted : p->flow;
	struct lookup_result r;

	if (p->icmp_error)
		ecmp_flow_turn_round(&hashed);
	lookup_flow(dp, &p->flow, &hashed, &r);
	if (r.route_found)
		text_prefix(r.route.family, r.route.addr, r.route.prefixlen, route, sizeof(route));
	if (r.reason == ECMP_FORWARDED || r.reason == ECMP_PASS_NO_NEXTHOP ||
	    r.reason == ECMP_PASS_NO_EGRESS)
		cmd_group_name(dp, r.group, grp, sizeof(grp));
	if (r.reason == ECMP_FORWARDED || r.reason == ECMP_PASS_NO_EGRESS) {
		struct ecmp_nh_meta m;

		if (!cmd_nh_meta(dp, r.nexthop, &m)) {
			snprintf(nhname, sizeof(nhname), "%.*s", (int)sizeof(m.name), m.name);
			text_addr(m.family, m.via, via, sizeof(via));
			if (!if_indextoname(m.ifindex, dev))
				snprintf(dev, sizeof(dev), "if%u", m.ifindex);
		}
	}
	print_open_object(PRINT_JSON, NULL);
	print_str(PRINT_VALUE, "result", text_reason(r.reason));
	if (*route)
		print_str(PRINT_ANY, "route", route);
	else
		print_null(PRINT_ANY, "route");
	if (*grp) {
		print_str(PRINT_ANY, "group", grp);
		print_hex64(PRINT_ANY, "hash", r.hash);
		/* The error goes where the flow it reports on goes. */
		if (p->icmp_error) {
			char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

			text_addr(hashed.family, hashed.saddr, s, sizeof(s));
			text_addr(hashed.family, hashed.daddr, d, sizeof(d));
			print_open_object(PRINT_JSON, "hashed_as");
			print_text("hashed_as");
			print_str(PRINT_ANY, "src", s);
			print_str(PRINT_ANY, "dst", d);
			print_u64(PRINT_ANY, "proto", hashed.proto);
			print_u64(PRINT_ANY, "sport", ntohs(hashed.sport));
			print_u64(PRINT_ANY, "dport", ntohs(hashed.dport));
			print_close_object();
		}
		print_u64(PRINT_ANY, "bucket", r.bucket);
	}
	if (*nhname) {
		print_str(PRINT_ANY, "nexthop", nhname);
		/* As ip route get says it. */
		print_str(PRINT_ANY, "via", via);
		print_str(PRINT_ANY, "dev", dev);
		print_u64(PRINT_ANY, "probe", r.probe);
		if (r.probe)
			print_text("(bucket owner unusable)");
	}
	if (r.reason != ECMP_FORWARDED)
		print_text("(passed to the kernel)");
	print_close_object();
	print_nl();
}

/* An error in the place of an answer (lookup -): one line either way. */
static void print_line_error(const char *msg)
{
	print_open_object(PRINT_JSON, NULL);
	print_str(PRINT_ANY, "error", msg);
	print_close_object();
	print_nl();
}

/* `ecmpctl lookup -`: one flow per line of stdin, one answer per line, in
 * order, so scripts can zip input and output. */
int do_lookup(void)
{
	struct ecmp_dp dp;
	char line[512];
	int ret = 0;

	if (cmd_open_maps(&dp))
		return 1;
	if (args.cmd == CLI_LOOKUP) {
		print_lookup(&dp, &args.probe);
		dp_close(&dp, 1);
		return 0;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *w[9], *save = NULL, *tok, err[256];
		struct cli_probe f;
		int n = 0;

		if (!strchr(line, '\n') && !feof(stdin)) {
			int c;

			while ((c = getchar()) != EOF && c != '\n')
				;
			print_line_error("line too long");
			ret = 1;
			continue;
		}
		for (tok = strtok_r(line, " \t\r\n", &save); tok && n < 9;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			w[n++] = tok;
		print_start(stdout, args.json, 0);	/* one document per line */
		if (cli_parse_probe(n, w, &f, err, sizeof(err))) {
			print_line_error(n ? err : "empty line");
			ret = 1;
		} else {
			print_lookup(&dp, &f);
		}
		print_end();
	}
	dp_close(&dp, 1);
	return ret;
}
