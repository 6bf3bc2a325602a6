// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Sends one UDP datagram to port 3784 with exactly the bytes given, for
 * the tests of packets ecmpd must ignore (wrong TTL, version, length,
 * discriminator, sender):
 *
 *   bfdinject DEV SRC DST TTL HEX
 *
 * SRC is bound (source port 49999), so the test chooses the sender.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_storage src = { 0 }, dst = { 0 };
	uint8_t buf[512];
	size_t n = 0, i, hl;
	int v6, fd, ttl;
	socklen_t sl;

	if (argc != 6) {
		fprintf(stderr, "usage: bfdinject DEV SRC DST TTL HEX\n");
		return 2;
	}
	v6 = strchr(argv[3], ':') != NULL;
	ttl = atoi(argv[4]);
	hl = strlen(argv[5]);
	for (i = 0; i + 1 < hl && n < sizeof(buf); i += 2)
		sscanf(argv[5] + i, "%2hhx", &buf[n++]);
	if (v6) {
		struct sockaddr_in6 *s = (void *)&src, *d = (void *)&dst;

		s->sin6_family = d->sin6_family = AF_INET6;
		s->sin6_port = htons(49999);
		d->sin6_port = htons(3784);
		if (inet_pton(AF_INET6, argv[2], &s->sin6_addr) != 1 ||
		    inet_pton(AF_INET6, argv[3], &d->sin6_addr) != 1)
			return 2;
		sl = sizeof(*s);
	} else {
		struct sockaddr_in *s = (void *)&src, *d = (void *)&dst;

		s->sin_family = d->sin_family = AF_INET;
		s->sin_port = htons(49999);
		d->sin_port = htons(3784);
		if (inet_pton(AF_INET, argv[2], &s->sin_addr) != 1 ||
		    inet_pton(AF_INET, argv[3], &d->sin_addr) != 1)
			return 2;
		sl = sizeof(*s);
	}
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, argv[1], strlen(argv[1])) ||
	    (v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) :
		  setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl))) ||
	    bind(fd, (struct sockaddr *)&src, sl) ||
	    sendto(fd, buf, n, 0, (struct sockaddr *)&dst, sl) != (ssize_t)n) {
		perror("bfdinject");
		return 1;
	}
	close(fd);
	return 0;
}
