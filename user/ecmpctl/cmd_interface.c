// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpctl interface show [-s]: where the programs are attached, read from
 * the kernel (or through ecmpd for a user without root).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/hook.h"
#include "lib/json.h"
#include "lib/print.h"

/* -s: an interface's counters as the kernel keeps them (64-bit, from
 * /proc/net/dev of this network namespace, which ip -s link shows). */
static void print_dev_stats(const char *ifname)
{
	static const char *const keys[] = { "rx_bytes", "rx_packets", "rx_errors", "rx_dropped",
					    "tx_bytes", "tx_packets", "tx_errors", "tx_dropped" };
	/* Their columns in /proc/net/dev after "IFNAME:". */
	static const int col[] = { 0, 1, 2, 3, 8, 9, 10, 11 };
	unsigned long long v[16] = { 0 };
	char line[512];
	FILE *f = fopen("/proc/net/dev", "r");
	int found = 0;
	unsigned i;

	while (f && !found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name = line;

		if (!colon)
			continue;
		*colon = 0;
		while (*name == ' ')
			name++;
		if (strcmp(name, ifname))
			continue;
		found = sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
			       &v[10], &v[11]) == 12;
	}
	if (f)
		fclose(f);
	for (i = 0; found && i < sizeof(keys) / sizeof(keys[0]); i++)
		print_u64(PRINT_ANY, keys[i], v[col[i]]);
}

/* One hook; the program's tag tells builds apart (ecmpd logs the tag of
 * each one it attaches). */
static void print_hook(const struct hook_entry *h)
{
	print_open_object(PRINT_JSON, NULL);
	print_str(PRINT_VALUE, "interface", h->ifname);
	print_str(PRINT_VALUE, "hook", h->hook);
	print_str(PRINT_VALUE, "mode", h->mode);
	print_u64(PRINT_ANY, "prog_id", h->prog_id);
	if (h->tag[0])
		print_str(PRINT_ANY, "tag", h->tag);
	else
		print_null(PRINT_ANY, "tag");	/* detached meanwhile */
	if (args.stats)
		print_dev_stats(h->ifname);
	print_close_object();
	print_nl();
}

/* The hooks as ecmpd sees them (a reader cannot read programs). The
 * count, or -ECANCELED when the failure was reported already. */
static int hooks_from_daemon(struct hook_entry **out)
{
	const struct json_value *v;
	struct json_value *reply;
	struct hook_entry *h;
	uint64_t id;
	int n = 0, k = 0;

	if (cmd_ask("hooks", &reply))
		return -ECANCELED;
	for (v = json_get(reply, "hooks"), v = v ? v->child : NULL; v; v = v->next)
		n++;
	h = calloc(n ? n : 1, sizeof(*h));
	for (v = json_get(reply, "hooks"), v = v ? v->child : NULL; h && v; v = v->next, k++) {
		const char *tag = json_get_str(v, "tag");

		snprintf(h[k].ifname, sizeof(h[k].ifname), "%s", json_get_str(v, "interface") ?: "?");
		snprintf(h[k].hook, sizeof(h[k].hook), "%s", json_get_str(v, "hook") ?: "?");
		snprintf(h[k].mode, sizeof(h[k].mode), "%s", json_get_str(v, "mode") ?: "?");
		h[k].prog_id = json_u64_of(json_get(v, "prog_id"), &id) ? 0 : id;
		snprintf(h[k].tag, sizeof(h[k].tag), "%s", tag ? tag : "");
	}
	json_free(reply);
	if (!h)
		return -ENOMEM;
	*out = h;
	return n;
}

/* Where the programs are attached, read from the kernel (XDP through
 * libxdp, TC by our filter's handle and priority). */
int do_interface_show(const char *only)
{
	struct hook_entry *h = NULL;
	int n, i;

	if (only && !if_nametoindex(only))
		return cmd_fail("interface %s: no such interface here", only);
	n = geteuid() ? hooks_from_daemon(&h) : hook_list(&h);
	if (n < 0)
		return n == -ECANCELED ? 1 : cmd_fail("Failed to list the hooks: %s", strerror(-n));
	print_open_array(PRINT_JSON, NULL);
	for (i = 0; i < n; i++)
		if (!only || !strcmp(only, h[i].ifname))
			print_hook(&h[i]);
	print_close_array();
	free(h);
	return 0;
}
