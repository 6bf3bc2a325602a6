// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>

#include "sysctl.h"

int sysctl_net_conf(const char *family, const char *dev, const char *knob, int *val)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family, dev, knob);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fscanf(f, "%d", val) == 1;
	fclose(f);
	return ok ? 0 : -1;
}
