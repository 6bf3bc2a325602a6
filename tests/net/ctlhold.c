// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A stuck control client, times N: connects N times to ecmpd's socket,
 * sends a partial request and nothing more for SECONDS, then prints how
 * many connections ecmpd answered with "timed out".
 *
 *   ctlhold SOCKET N SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n, i, fd[64], timed_out = 0;

	if (argc != 4 || (n = atoi(argv[2])) < 1 || n > 64) {
		fprintf(stderr, "usage: ctlhold SOCKET N(1-64) SECONDS\n");
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	for (i = 0; i < n; i++) {
		fd[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd[i] < 0 || connect(fd[i], (struct sockaddr *)&sa, sizeof(sa)) ||
		    write(fd[i], "bfd sh", 6) != 6) {
			perror("ctlhold");
			return 1;
		}
	}
	sleep(atoi(argv[3]));
	for (i = 0; i < n; i++) {
		char buf[256] = { 0 };

		if (read(fd[i], buf, sizeof(buf) - 1) > 0 && strstr(buf, "timed out"))
			timed_out++;
		close(fd[i]);
	}
	printf("%d\n", timed_out);
	return 0;
}
