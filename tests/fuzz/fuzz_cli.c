// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: ecmpctl's command line. The fuzzer's bytes become argv
 * (split at NUL and newline); ecmpctl's own main() parses them. The maps
 * and the daemon are stubbed out: opening the pins fails as on a host
 * without ecmpd, and no request reaches a real ecmpd, so every command
 * runs its argument handling and its error path, and nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define main ecmpctl_main
#include "../../user/ecmpctl.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ---- stubs: no maps, no daemon ---- */

int dp_open_pinned(struct ecmp_dp *dp, const char *pin_root, int writable)
{
	memset(dp, 0, sizeof(*dp));
	return -ENOENT;
}

void dp_close(struct ecmp_dp *dp, int close_fds) { }

int dp_read_counter(const struct ecmp_dp *dp, enum dp_map map, uint32_t key,
		    struct ecmp_counter *out)
{
	memset(out, 0, sizeof(*out));
	return -ENOENT;
}

uint64_t dp_map_memlock(const struct ecmp_dp *dp, enum dp_map map) { return 0; }
const char *dp_reason_name(int reason) { return "reason"; }
const char *const dp_map_names[DP_MAP_COUNT];
uint32_t pin_tc_query(int ifindex, int egress) { return 0; }
int pin_xdp_mode(int ifindex, uint32_t *prog_id) { return 0; }
int pin_prog_tag(uint32_t id, char *hex) { return -ENOENT; }

int ctl_request(const char *path, const char *req, char *reply, size_t len,
		int timeout_ms)
{
	return -ECONNREFUSED;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Show commands print; keep the fuzzer's output readable. */
	if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "r", stdin))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *args[32] = { "ecmpctl" };
	int argc = 1;
	size_t i, start = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (i = 0; i <= size && argc < 31; i++) {
		if (i < size && buf[i] != '\n' && buf[i])
			continue;
		buf[i] = 0;
		args[argc++] = buf + start;
		start = i + 1;
	}
	args[argc] = NULL;
	memset(&g, 0, sizeof(g));
	g.pin_root = "/nonexistent/ecmp-fuzz";
	g.socket = "/nonexistent/ecmp-fuzz.sock";
	optind = 0;		/* getopt_long starts over */
	opterr = 0;
	ecmpctl_main(argc, args);
	free(buf);
	return 0;
}
