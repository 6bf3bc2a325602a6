// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ctl.h"
#include "json.h"
#include "log.h"

static int make_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int ctl_listen(const char *path)
{
	struct sockaddr_un sa;
	char dir[PATH_MAX], *slash;
	int fd, err;
	mode_t old;

	err = make_addr(path, &sa);
	if (err)
		return err;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A socket left by a daemon that was killed: nobody listens. */
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -EADDRINUSE;
	}
	unlink(path);
	old = umask(0077);	/* created 0600: root only */
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (!err && chmod(path, 0600))
		err = -errno;
	if (!err && listen(fd, 16))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static void reply_error(int cfd, const char *msg)
{
	char buf[512], esc[400];

	snprintf(buf, sizeof(buf), "{\"error\":%s}",
		 json_escape(msg, esc, sizeof(esc)));
	ctl_reply(cfd, buf);
}

int ctl_accept(int lfd, char *req, size_t len)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	size_t got = 0;
	int cfd;

	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) || cred.uid) {
		reply_error(cfd, "permission denied: ecmpd accepts requests from root only");
		return -EAGAIN;
	}
	/* Read one line, bounded in size and time, so a slow or stuck
	 * client cannot hold the daemon. */
	while (got < len - 1) {
		struct pollfd pfd = { .fd = cfd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, CTL_TIMEOUT_MS) <= 0) {
			reply_error(cfd, "request timed out");
			return -EAGAIN;
		}
		n = read(cfd, req + got, len - 1 - got);
		if (n <= 0)
			break;
		got += n;
		if (memchr(req, '\n', got))
			break;
	}
	req[got] = 0;
	if (!memchr(req, '\n', got) && got == len - 1) {
		reply_error(cfd, "request too long");
		return -EAGAIN;
	}
	req[strcspn(req, "\n")] = 0;
	return cfd;
}

void ctl_reply(int cfd, const char *json)
{
	size_t n = strlen(json), off = 0;

	while (off < n) {
		struct pollfd pfd = { .fd = cfd, .events = POLLOUT };
		ssize_t w;

		if (poll(&pfd, 1, CTL_TIMEOUT_MS) <= 0)
			break;
		w = send(cfd, json + off, n - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += w;
	}
	send(cfd, "\n", 1, MSG_NOSIGNAL);
	close(cfd);
}

int ctl_request(const char *path, const char *req, char *reply, size_t len,
		int timeout_ms)
{
	struct sockaddr_un sa;
	size_t got = 0;
	int fd, err;

	err = make_addr(path, &sa);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, req, strlen(req)) < 0 || write(fd, "\n", 1) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	while (got < len - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, timeout_ms) <= 0) {
			close(fd);
			return -ETIMEDOUT;
		}
		n = read(fd, reply + got, len - 1 - got);
		if (n <= 0)
			break;
		got += n;
		if (memchr(reply, '\n', got))
			break;
	}
	close(fd);
	reply[got] = 0;
	reply[strcspn(reply, "\n")] = 0;
	return got ? 0 : -EPIPE;
}
