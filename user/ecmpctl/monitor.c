// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpctl monitor (monitor.h): reads ecmpd's event lines and renders the
 * kinds asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "monitor.h"
#include "lib/ctl.h"
#include "lib/json.h"

static const char *str(const struct json_value *ev, const char *key)
{
	const char *s = json_get_str(ev, key);

	return s ? s : "?";
}

static unsigned long long num(const struct json_value *ev, const char *key)
{
	uint64_t v = 0;

	json_u64_of(json_get(ev, key), &v);
	return v;
}

/* "HH:MM:SS.mmm " in local time, like ecmpd's log. */
static void stamp(const struct json_value *ev)
{
	uint64_t us = num(ev, "time_unix_us");
	time_t t = us / 1000000;
	struct tm tm;
	char buf[16];

	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	printf("%s.%03u ", buf, (unsigned)(us / 1000 % 1000));
}

static void render(const struct json_value *ev, const char *kind)
{
	const char *extra;
	const struct json_value *ok;

	stamp(ev);
	if (!strcmp(kind, "nexthop")) {
		extra = json_get_str(ev, "reason");
		printf("nexthop %s %s%s%s\n", str(ev, "nexthop"), str(ev, "state"),
		       extra ? ": " : "", extra ? extra : "");
	} else if (!strcmp(kind, "bfd")) {
		extra = json_get_str(ev, "diag");
		printf("bfd %s %s%s%s%s\n", str(ev, "nexthop"), str(ev, "state"),
		       extra ? " (" : "", extra ? extra : "", extra ? ")" : "");
	} else if (!strcmp(kind, "group")) {
		printf("group %s: %llu of %llu buckets moved (%s)\n", str(ev, "group"),
		       num(ev, "buckets_moved"), num(ev, "buckets"), str(ev, "why"));
	} else if (!strcmp(kind, "reload")) {
		ok = json_get(ev, "ok");
		if (ok && ok->type == JSON_BOOL && ok->boolean)
			printf("reload %s: applied, %llu buckets moved\n", str(ev, "config"),
			       num(ev, "buckets_moved"));
		else
			printf("reload %s: rejected, nothing changed: %s\n", str(ev, "config"),
			       str(ev, "error"));
	} else if (!strcmp(kind, "route")) {
		extra = json_get_str(ev, "group");
		printf("route %s %s %s%s (source %s)\n", str(ev, "action"), str(ev, "prefix"),
		       extra ? "group " : "the kernel's", extra ? extra : "", str(ev, "source"));
	} else {
		printf("%s (an event this ecmpctl does not know)\n", kind);
	}
}

int monitor_run(const char *socket, unsigned kinds, int json)
{
	const char *perr, *msg;
	struct json_value *v;
	size_t cap = 0;
	char *line = NULL;
	FILE *f;
	int fd = ctl_open_stream(socket, "monitor"), first = 1, ret = 0;

	if (fd < 0) {
		fprintf(stderr, "Failed to reach ecmpd at %s: %s; is ecmpd running (or pass --socket)?\n",
			socket, strerror(-fd));
		return 1;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return 1;
	}
	while (getline(&line, &cap, f) > 0) {
		const char *kind;
		int k;

		v = json_parse(line, &perr);
		if (!v || v->type != JSON_OBJECT) {
			fprintf(stderr, "ecmpd at %s sent a line that is not an event (%s)\n",
				socket, v ? "not an object" : perr);
			json_free(v);
			ret = 1;
			break;
		}
		if (first) {	/* the answer to "monitor" */
			first = 0;
			msg = json_get_str(v, "error");
			if (msg || !json_get(v, "ok")) {
				fprintf(stderr, "%s\n", msg ? msg : "ecmpd refused the monitor");
				json_free(v);
				ret = 1;
				break;
			}
			json_free(v);
			continue;
		}
		kind = str(v, "event");
		for (k = 0; k < CLI_EVENT_KINDS && strcmp(kind, cli_event_kinds[k]); k++)
			;
		/* Kinds newer than this ecmpctl: shown with "all" only. */
		if (k < CLI_EVENT_KINDS ? kinds & (1u << k) : kinds == ~0u) {
			if (json)
				fputs(line, stdout);
			else
				render(v, kind);
			fflush(stdout);
		}
		json_free(v);
	}
	if (!ret && first) {
		fprintf(stderr, "ecmpd at %s closed the connection before answering\n", socket);
		ret = 1;
	} else if (!ret) {
		fprintf(stderr, "ecmpd at %s closed the monitor (it stopped or restarted)\n", socket);
	}
	free(line);
	fclose(f);
	return ret;
}
