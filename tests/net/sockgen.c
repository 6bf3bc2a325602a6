// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Traffic from real sockets, for the TC egress tests (the router's own
 * traffic goes through the kernel stack, checksum offload and all).
 *
 *   sockgen udp DST DPORT BASE N     one datagram from each source port
 *                                    BASE..BASE+N-1
 *   sockgen tcp DST DPORT BASE N     N connections, each sends a line and
 *                                    waits for the echo; prints "ok N failed M"
 *   sockgen serve PORT               TCP echo server (until killed)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int make_addr(const char *ip, int port, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
		return AF_INET6;
	}
	return -1;
}

static int bound_socket(int family, int type, int sport)
{
	struct sockaddr_storage ss = { 0 };
	int fd = socket(family, type, 0), one = 1;
	struct timeval tv = { .tv_sec = 2 };

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* connect() and reads give up after 2 s instead of minutes. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ss.ss_family = family;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(sport);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(sport);
	if (bind(fd, (struct sockaddr *)&ss, family == AF_INET ?
		 sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int tcp_once(int family, const struct sockaddr_storage *dst,
		    socklen_t dlen, int sport)
{
	int fd = bound_socket(family, SOCK_STREAM, sport), ok = 0;
	struct pollfd p;
	char buf[64];

	if (fd < 0)
		return 0;
	if (!connect(fd, (const struct sockaddr *)dst, dlen) &&
	    write(fd, "ping\n", 5) == 5) {
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 2000) == 1 && read(fd, buf, sizeof(buf)) == 5 &&
		    !memcmp(buf, "ping\n", 5))
			ok = 1;
	}
	close(fd);
	return ok;
}

static int serve(int port)
{
	int fd = bound_socket(AF_INET6, SOCK_STREAM, port), c;
	char buf[256];

	if (fd < 0 || listen(fd, 128)) {
		perror("sockgen serve");
		return 1;
	}
	for (;;) {
		ssize_t n;
		struct pollfd p;

		c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		p.fd = c;
		p.events = POLLIN;
		if (poll(&p, 1, 2000) == 1 && (n = read(c, buf, sizeof(buf))) > 0 &&
		    write(c, buf, n) != n)
			perror("sockgen echo");
		close(c);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_storage dst;
	socklen_t dlen;
	int family, base, n, i, ok = 0;

	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]));
	if (argc != 6) {
		fprintf(stderr, "usage: sockgen udp|tcp DST DPORT BASE N | serve PORT\n");
		return 2;
	}
	family = make_addr(argv[2], atoi(argv[3]), &dst, &dlen);
	base = atoi(argv[4]);
	n = atoi(argv[5]);
	if (family < 0) {
		fprintf(stderr, "sockgen: bad address %s\n", argv[2]);
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(argv[1], "tcp")) {
			ok += tcp_once(family, &dst, dlen, base + i);
		} else {
			int fd = bound_socket(family, SOCK_DGRAM, base + i);

			if (fd >= 0 && sendto(fd, "flow", 4, 0, (struct sockaddr *)&dst,
					      dlen) == 4)
				ok++;
			if (fd >= 0)
				close(fd);
		}
	}
	if (!strcmp(argv[1], "tcp"))
		printf("ok %d failed %d\n", ok, n - ok);
	else
		printf("%d\n", ok);
	return 0;
}
