// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: ecmpctl's command line. The fuzzer's bytes become argv
 * (split at NUL and newline) and go through cli_parse(), the function
 * ecmpctl's main() calls: options, objects, abbreviations, names,
 * prefixes and lookup flows. It opens and prints nothing, so no stub is
 * needed; what it returns is checked for the promises of cli.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecmpctl/cli.h"
#include "ecmp_shared.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *args[32] = { "ecmpctl" }, err[512];
	struct cli_cmd c = { .pin_root = "/sys/fs/bpf/ecmp", .socket = "/run/ecmp/ecmpd.sock" };
	int argc = 1, ret;
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
	err[0] = 0;
	ret = cli_parse(argc, args, &c, err, sizeof(err));
	if (ret && (ret != -EINVAL || !err[0]))
		abort();	/* a refusal always says why */
	if (!ret && c.cmd == CLI_NEXTHOP_SET &&
	    (!c.name || !*c.name || strlen(c.name) >= ECMP_NAME_MAX || strchr(c.name, ' ')))
		abort();	/* would reach ecmpd as a malformed request */
	if (!ret && c.cmd == CLI_LOOKUP &&
	    c.probe.flow.family != ECMP_AF_INET && c.probe.flow.family != ECMP_AF_INET6)
		abort();
	free(buf);
	return 0;
}
