// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the config parser. Any text either parses or yields
 * errors, never a crash, a leak or an unterminated message.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "ecmpd/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ecmp_conf conf = { 0 };
	char *text = malloc(size + 1);
	int i, ret;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	ret = config_parse(&conf, "fuzz.conf", text);
	assert(ret == 0 || conf.nerror > 0);
	for (i = 0; i < conf.nerror; i++)
		assert(strlen(conf.error[i]) < 4096);
	config_free(&conf);
	free(text);
	return 0;
}
