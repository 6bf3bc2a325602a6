// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: control socket requests. Any line either parses into a
 * request whose argument lies inside the line, or is refused with a
 * message; never a crash.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	const char *err = NULL;
	struct ctl_req r;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	if (ctl_parse(line, &r, &err)) {
		assert(err && *err);
	} else {
		assert(r.cmd < CTL_CMD_COUNT);
		/* Every request is either a read or one of the changes. */
		assert(ctl_req_reads(r.cmd) || r.cmd == CTL_RELOAD ||
		       r.cmd == CTL_NEXTHOP_SET || r.cmd == CTL_SHUTDOWN);
		if (r.cmd == CTL_NEXTHOP_SET)
			assert(r.arg >= line && r.arg < line + size + 1);
	}
	free(line);
	return 0;
}
