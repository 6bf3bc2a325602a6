// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * How ecmpctl reaches xdp-ecmp: ecmpd's namespaces, the maps (pinned, or
 * through ecmpd for a user without root), ecmpd's control socket, and
 * the one way a command reports failing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cmd.h"
#include "lib/ctl.h"
#include "lib/json.h"
#include "lib/print.h"

struct cli_cmd args;

/* One line on stderr ({"error": ...} with -j, so scripts parse it like
 * any answer; stdout stays empty); exit 1. */
int cmd_fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (args.json) {
		fflush(stdout);
		print_start(stderr, 1, args.pretty);
		print_open_object(PRINT_JSON, NULL);
		print_str(PRINT_JSON, "error", msg);
		print_close_object();
		print_end();
	} else {
		fprintf(stderr, "%s\n", msg);
	}
	return 1;
}

/*
 * ecmpctl reads maps and hooks as ecmpd sees them. `ip netns exec` gives
 * every command its own mount namespace (and bpffs), and a shell on the
 * host sees ecmpd's pins but not its interfaces: so when ecmpd answers on
 * the socket, ecmpctl joins its network and mount namespaces first (root
 * only, like the pins). When ecmpd is not running, what is here is read.
 */
void cmd_join_daemon(void)
{
	static const struct { const char *name; int type; } ns[] = {
		{ "net", CLONE_NEWNET }, { "mnt", CLONE_NEWNS },
	};
	char path[64];
	unsigned i;
	int pid;

	if (geteuid() || ctl_server_pid(args.socket, &pid) || pid <= 0 || pid == getpid())
		return;		/* joining takes root; readers get fds instead */
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct stat theirs, ours;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns[i].name);
		if (stat(path, &theirs))
			continue;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i].name);
		if (!stat(path, &ours) && ours.st_ino == theirs.st_ino &&
		    ours.st_dev == theirs.st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, ns[i].type))
			fprintf(stderr, "ecmpctl: cannot join the %s namespace of ecmpd (pid %d): %s; showing this one's\n",
				ns[i].name, pid, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
}

/* -n NAME: the network namespace `ip netns` named (or a path to one), as
 * `ip -n` does; for when ecmpd is not there to be joined. */
int cmd_enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), strchr(name, '/') ? "%s" : "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		err = cmd_fail("netns %s: cannot enter %s: %s (`ip netns list` names them)",
			       name, path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * Without root the pins are out of reach (bpffs is root's, and opening a
 * BPF object needs privilege): a member of ecmpd's `control group` gets
 * read-only fds of the maps from ecmpd over the socket instead.
 */
static int maps_from_daemon(struct ecmp_dp *dp)
{
	int fds[CTL_MAX_FDS], byname[DP_MAP_COUNT], nfds, i, k, err;
	const struct json_value *names, *v;
	struct json_value *reply = NULL;
	char *text = NULL;
	const char *msg;

	err = ctl_request_fds(args.socket, "maps", &text, fds, CTL_MAX_FDS, &nfds, 10000);
	if (err == -EACCES || err == -EPERM)
		return cmd_fail("Reading xdp-ecmp takes root, or a group ecmpd lets read (`control group` "
				"in ecmpd.conf): %s is not open to this user", args.socket);
	if (err)
		return cmd_fail("Failed to reach ecmpd at %s: %s; without root the maps are read through "
				"ecmpd, which must be running", args.socket, strerror(-err));
	reply = json_parse(text, NULL);
	free(text);
	msg = reply ? json_get_str(reply, "error") : "not JSON";
	names = reply ? json_get(reply, "maps") : NULL;
	for (i = 0; i < DP_MAP_COUNT; i++)
		byname[i] = -1;
	for (v = names ? names->child : NULL, k = 0; v && k < nfds; v = v->next, k++)
		for (i = 0; i < DP_MAP_COUNT; i++)
			if (v->str && !strcmp(v->str, dp_map_names[i]) && byname[i] < 0)
				byname[i] = fds[k];
	for (i = 0; i < DP_MAP_COUNT && byname[i] >= 0; i++)
		;
	if (msg || i < DP_MAP_COUNT) {
		while (nfds)
			close(fds[--nfds]);
		json_free(reply);
		if (msg)
			return cmd_fail("ecmpd at %s: %s", args.socket, msg);
		return cmd_fail("ecmpd at %s sent other maps than this ecmpctl knows (%s is missing); "
				"is it the same version?", args.socket, dp_map_names[i]);
	}
	json_free(reply);
	/* fds ecmpd sent that no name claimed (a newer ecmpd's) */
	for (k = 0; k < nfds; k++) {
		for (i = 0; i < DP_MAP_COUNT && byname[i] != fds[k]; i++)
			;
		if (i == DP_MAP_COUNT)
			close(fds[k]);
	}
	err = dp_open_fds(dp, byname);
	if (err)
		return cmd_fail("Failed to read the maps ecmpd sent: %s", strerror(-err));
	return 0;
}

int cmd_open_maps(struct ecmp_dp *dp)
{
	int err;

	if (geteuid())
		return maps_from_daemon(dp);
	err = dp_open_pinned(dp, args.pin_root, 0);

	if (err == -ENOENT)
		return cmd_fail("No xdp-ecmp maps under %s: start ecmpd, or pass --pin-root",
				args.pin_root);
	if (err)
		return cmd_fail("Failed to open the maps under %s: %s", args.pin_root,
				strerror(-err));
	return 0;
}

/* ---- the control socket ---- */

/* Sends req to ecmpd; *reply gets the parsed answer unless it is an
 * error, which is reported (return 1). With wait_ms, the answer counts
 * once ecmpd has also closed the connection (a shutdown: when its
 * process is gone). */
int cmd_ask_wait(const char *req, struct json_value **reply, int wait_ms)
{
	char *text = NULL;
	const char *perr, *msg;
	int err = wait_ms ? ctl_request_until_closed(args.socket, req, &text, 30000, wait_ms) :
		  ctl_request(args.socket, req, &text, 30000);

	*reply = NULL;
	if (err == -ETIME) {
		free(text);
		return cmd_fail("ecmpd at %s said it stops, but was still running %d s later; see its log",
				args.socket, wait_ms / 1000);
	}
	if (err)
		return cmd_fail("Failed to reach ecmpd at %s: %s; is ecmpd running (or pass --socket)?",
				args.socket, strerror(-err));
	*reply = json_parse(text, &perr);
	free(text);
	if (!*reply || (*reply)->type != JSON_OBJECT) {
		const char *why = *reply ? "not an object" : perr;

		json_free(*reply);
		*reply = NULL;
		return cmd_fail("ecmpd at %s answered something that is not a reply (%s); is it the same version as ecmpctl?",
				args.socket, why);
	}
	msg = json_get_str(*reply, "error");
	if (msg || !json_get(*reply, "ok")) {
		err = cmd_fail("%s", msg ? msg : "ecmpd's reply has neither \"ok\" nor \"error\"");
		json_free(*reply);
		*reply = NULL;
		return err;
	}
	return 0;
}

int cmd_ask(const char *req, struct json_value **reply)
{
	return cmd_ask_wait(req, reply, 0);
}

/* A command that changes state: ecmpd's message, or its error. wait_ms:
 * see cmd_ask_wait(). */
int cmd_request(const char *req, int wait_ms)
{
	struct json_value *reply;
	const char *msg;

	if (cmd_ask_wait(req, &reply, wait_ms))
		return 1;
	msg = json_get_str(reply, "message");
	print_open_object(PRINT_JSON, NULL);
	print_flag(PRINT_JSON, "ok", 1);
	if (msg)
		print_str(PRINT_VALUE, "message", msg);
	print_close_object();
	json_free(reply);
	return 0;
}

/* ---- names in the maps ---- */

int cmd_nh_meta(const struct ecmp_dp *dp, uint32_t id, struct ecmp_nh_meta *m)
{
	return bpf_map_lookup_elem(dp->fd[DP_NH_META], &id, m) || !m->family ?
	       -ENOENT : 0;
}

int cmd_group_name(const struct ecmp_dp *dp, uint32_t gid, char *buf,
		   size_t len)
{
	struct ecmp_grp_meta m;

	if (bpf_map_lookup_elem(dp->fd[DP_GRP_META], &gid, &m) || !m.in_use) {
		snprintf(buf, len, "#%u", gid);
		return -ENOENT;
	}
	snprintf(buf, len, "%.*s", (int)sizeof(m.name), m.name);
	return 0;
}
