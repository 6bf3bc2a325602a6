// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Traffic from real sockets, for the TC egress tests (the router's own
 * traffic goes through the kernel stack, checksum offload and all).
 *
 *   sockgen udp DST DPORT BASE N [SIZE]
 *                                    one datagram (SIZE bytes, default 4)
 *                                    from each source port BASE..BASE+N-1
 *   sockgen tcp DST DPORT BASE N [SIZE]
 *                                    N connections, each sends SIZE bytes
 *                                    (default a 5-byte line) and waits for
 *                                    all of them back; prints "ok N failed M"
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

/* The bytes a connection sends: a pattern that shows any reordering. */
static void fill(char *buf, size_t size, int sport)
{
	size_t i;

	for (i = 0; i < size; i++)
		buf[i] = (char)(i * 7 + sport);
	if (size == 5)
		memcpy(buf, "ping\n", 5);
}

static int tcp_once(int family, const struct sockaddr_storage *dst,
		    socklen_t dlen, int sport, size_t size)
{
	int fd = bound_socket(family, SOCK_STREAM, sport), ok = 0;
	char *out = malloc(size), *in = malloc(size);
	size_t got = 0, sent = 0;
	struct pollfd p;

	if (fd < 0 || !out || !in)
		goto done;
	fill(out, size, sport);
	if (connect(fd, (const struct sockaddr *)dst, dlen))
		goto done;
	while (sent < size) {
		ssize_t n = write(fd, out + sent, size - sent);

		if (n <= 0)
			goto done;
		sent += n;
	}
	shutdown(fd, SHUT_WR);
	p.fd = fd;
	p.events = POLLIN;
	while (got < size && poll(&p, 1, 5000) == 1) {
		ssize_t n = read(fd, in + got, size - got);

		if (n <= 0)
			break;
		got += n;
	}
	ok = got == size && !memcmp(in, out, size);
done:
	if (fd >= 0)
		close(fd);
	free(out);
	free(in);
	return ok;
}

static int serve(int port)
{
	int fd = bound_socket(AF_INET6, SOCK_STREAM, port), c;
	char buf[65536];

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
		/* Echo until the client is done sending. */
		while (poll(&p, 1, 5000) == 1 && (n = read(c, buf, sizeof(buf))) > 0)
			if (write(c, buf, n) != n) {
				perror("sockgen echo");
				break;
			}
		close(c);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_storage dst;
	socklen_t dlen;
	int family, base, n, i, ok = 0;
	size_t size;
	char *payload;

	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]));
	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: sockgen udp|tcp DST DPORT BASE N [SIZE] | serve PORT\n");
		return 2;
	}
	size = argc == 7 ? (size_t)atol(argv[6]) : !strcmp(argv[1], "tcp") ? 5 : 4;
	payload = calloc(1, size + 1);
	if (!size || !payload) {
		fprintf(stderr, "sockgen: bad size\n");
		return 2;
	}
	memcpy(payload, "flow", size < 4 ? size : 4);
	family = make_addr(argv[2], atoi(argv[3]), &dst, &dlen);
	base = atoi(argv[4]);
	n = atoi(argv[5]);
	if (family < 0) {
		fprintf(stderr, "sockgen: bad address %s\n", argv[2]);
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(argv[1], "tcp")) {
			ok += tcp_once(family, &dst, dlen, base + i, size);
		} else {
			int fd = bound_socket(family, SOCK_DGRAM, base + i);

			if (fd >= 0 && sendto(fd, payload, size, 0, (struct sockaddr *)&dst,
					      dlen) == (ssize_t)size)
				ok++;
			if (fd >= 0)
				close(fd);
		}
	}
	if (!strcmp(argv[1], "tcp"))
		printf("ok %d failed %d\n", ok, n - ok);
	else
		printf("%d\n", ok);
	free(payload);
	return 0;
}
