// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "seed.h"
#include "lib/log.h"

static int read_seed(const char *path, uint64_t seed[2])
{
	char buf[64] = { 0 }, hi[17], lo[17];
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 32)
		return -EINVAL;
	for (i = 0; i < 32; i++)
		if (!strchr("0123456789abcdefABCDEF", buf[i]))
			return -EINVAL;
	memcpy(hi, buf, 16);
	hi[16] = 0;
	memcpy(lo, buf + 16, 16);
	lo[16] = 0;
	seed[0] = strtoull(hi, NULL, 16);
	seed[1] = strtoull(lo, NULL, 16);
	return 0;
}

int seed_load_or_create(const char *dir, uint64_t seed[2])
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], text[40];
	uint8_t raw[16];
	int fd, err;

	snprintf(path, sizeof(path), "%s/seed", dir);
	err = read_seed(path, seed);
	if (!err)
		return 0;
	if (err != -ENOENT) {
		pr_warn("Failed to read seed file %s: %s; fix or remove it (removing it moves every flow)",
			path, err == -EINVAL ? "not 32 hex digits" : strerror(-err));
		return err;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		pr_warn("Failed to create state directory %s: %s", dir, strerror(-err));
		return err;
	}
	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw)) {
		err = -errno;
		pr_warn("Failed to draw a random seed: %s", strerror(-err));
		return err;
	}
	memcpy(&seed[0], raw, 8);
	memcpy(&seed[1], raw + 8, 8);
	snprintf(text, sizeof(text), "%016" PRIx64 "%016" PRIx64 "\n", seed[0],
		 seed[1]);
	/* Written aside and renamed: a crash never leaves half a seed. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, 33) != 33 || fsync(fd) ||
	    rename(tmp, path)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		pr_warn("Failed to write seed file %s: %s", path, strerror(-err));
		return err;
	}
	close(fd);
	pr_info("Created a new hash seed in %s", path);
	return 0;
}
