// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
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

int ctl_listen(struct ctl_server *s, const char *path)
{
	struct sockaddr_un sa;
	char dir[PATH_MAX], *slash;
	int fd, err, i;
	mode_t old;

	s->lfd = -1;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		s->client[i].fd = -1;
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
	s->lfd = fd;
	return fd;
}

void ctl_server_close(struct ctl_server *s)
{
	int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->client[i].fd >= 0)
			close(s->client[i].fd);
	if (s->lfd >= 0)
		close(s->lfd);
	s->lfd = -1;
}

int ctl_accept(struct ctl_server *s, uint64_t now_ms)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int cfd, i;

	cfd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) || cred.uid) {
		ctl_reply_error(cfd, "permission denied: ecmpd accepts requests from root only");
		return -EAGAIN;
	}
	for (i = 0; i < CTL_MAX_CLIENTS && s->client[i].fd >= 0; i++)
		;
	if (i == CTL_MAX_CLIENTS) {
		ctl_reply_error(cfd, "busy: too many clients at once; try again");
		return -EAGAIN;
	}
	s->client[i].fd = cfd;
	s->client[i].got = 0;
	s->client[i].deadline_ms = now_ms + CTL_TIMEOUT_MS;
	return cfd;
}

static struct ctl_client *find_client(struct ctl_server *s, int fd)
{
	int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->client[i].fd == fd)
			return &s->client[i];
	return NULL;
}

int ctl_is_client(const struct ctl_server *s, int fd)
{
	return fd >= 0 && find_client((struct ctl_server *)s, fd) != NULL;
}

int ctl_read(struct ctl_server *s, int fd, char *req, size_t len)
{
	struct ctl_client *c = find_client(s, fd);
	char *nl;
	ssize_t n;

	if (!c)
		return -1;
	n = read(fd, c->buf + c->got, sizeof(c->buf) - 1 - c->got);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		close(fd);
		c->fd = -1;
		return -1;
	}
	c->got += n;
	c->buf[c->got] = 0;
	nl = memchr(c->buf, '\n', c->got);
	if (!nl && c->got == sizeof(c->buf) - 1) {
		c->fd = -1;
		ctl_reply_error(fd, "request too long");
		return -1;
	}
	if (!nl)
		return 0;
	*nl = 0;
	snprintf(req, len, "%s", c->buf);
	c->fd = -1;
	return 1;
}

void ctl_expire(struct ctl_server *s, uint64_t now_ms)
{
	int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->client[i];

		if (c->fd >= 0 && now_ms >= c->deadline_ms) {
			int fd = c->fd;

			c->fd = -1;
			ctl_reply_error(fd, "request timed out");
		}
	}
}

int ctl_parse(char *line, struct ctl_req *r, const char **err)
{
	char *w[5] = { 0 }, *save = NULL, *tok;
	int n = 0;

	memset(r, 0, sizeof(*r));
	for (tok = strtok_r(line, " \t\r", &save); tok;
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (n == 4) {
			*err = "too many words; see ecmpctl help";
			return -EINVAL;
		}
		w[n++] = tok;
	}
	*err = "unknown request; see ecmpctl help";
	if (!n) {
		*err = "empty request";
		return -EINVAL;
	}
	if (!strcmp(w[0], "ping") && n == 1) {
		r->cmd = CTL_PING;
	} else if (!strcmp(w[0], "status") && n == 1) {
		r->cmd = CTL_STATUS;
	} else if (!strcmp(w[0], "reload") && n == 1) {
		r->cmd = CTL_RELOAD;
	} else if (!strcmp(w[0], "nexthop") && n == 3) {
		if (strcmp(w[2], "drain") && strcmp(w[2], "up")) {
			*err = "nexthop set: use 'drain' or 'up'";
			return -EINVAL;
		}
		r->cmd = CTL_NEXTHOP_SET;
		r->arg = w[1];
		r->drain = !strcmp(w[2], "drain");
	} else if (!strcmp(w[0], "bfd") && n == 2 && !strcmp(w[1], "show")) {
		r->cmd = CTL_BFD_SHOW;
	} else if (!strcmp(w[0], "shutdown") &&
		   (n == 1 || (n == 2 && !strcmp(w[1], "detach")))) {
		r->cmd = CTL_SHUTDOWN;
		r->detach = n == 2;
	} else {
		return -EINVAL;
	}
	return 0;
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

void ctl_reply_doc(int cfd, int ok, void (*fill)(struct json *j, void *arg),
		   void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	if (!f) {
		ctl_reply(cfd, "{\"error\":\"out of memory\"}");
		return;
	}
	json_init(&j, f, 0);
	json_obj_open(&j, NULL);
	if (ok)
		json_bool(&j, "ok", 1);
	fill(&j, arg);
	json_obj_close(&j);
	if (fclose(f) || !buf) {
		ctl_reply(cfd, "{\"error\":\"out of memory\"}");
	} else {
		buf[strcspn(buf, "\n")] = 0;	/* the writer ends a document with one */
		ctl_reply(cfd, buf);
	}
	free(buf);
}

static void fill_message(struct json *j, void *msg)
{
	if (msg)
		json_str(j, "message", msg);
}

static void fill_error(struct json *j, void *msg)
{
	json_str(j, "error", msg);
}

void ctl_reply_ok(int cfd, const char *message)
{
	ctl_reply_doc(cfd, 1, fill_message, (void *)message);
}

void ctl_reply_error(int cfd, const char *message)
{
	ctl_reply_doc(cfd, 0, fill_error, (void *)message);
}

/* A client socket connected to path: the fd, or -errno. */
static int connect_to(const char *path)
{
	struct sockaddr_un sa;
	int fd, err = make_addr(path, &sa);

	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int ctl_server_pid(const char *path, int *pid)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int fd = connect_to(path), err;

	if (fd < 0)
		return fd;
	err = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) ? -errno : 0;
	close(fd);
	if (!err)
		*pid = cred.pid;
	return err;
}

int ctl_request(const char *path, const char *req, char **reply,
		int timeout_ms)
{
	size_t got = 0, cap = 4096;
	char *buf, *nl = NULL;
	int fd, err = 0;

	*reply = NULL;
	fd = connect_to(path);
	if (fd < 0)
		return fd;
	if (write(fd, req, strlen(req)) < 0 || write(fd, "\n", 1) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	buf = malloc(cap);
	while (buf && !nl) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (got + 1 == cap) {
			char *more = cap >= CTL_MAX_REPLY ? NULL : realloc(buf, 2 * cap);

			if (!more) {
				err = cap >= CTL_MAX_REPLY ? -EMSGSIZE : -ENOMEM;
				goto out;
			}
			buf = more;
			cap *= 2;
		}
		if (poll(&pfd, 1, timeout_ms) <= 0) {
			err = -ETIMEDOUT;
			goto out;
		}
		n = read(fd, buf + got, cap - 1 - got);
		if (n <= 0)
			break;
		nl = memchr(buf + got, '\n', n);
		got += n;
	}
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	if (!got) {
		err = -EPIPE;
		goto out;
	}
	buf[got] = 0;
	buf[strcspn(buf, "\n")] = 0;
	*reply = buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return err;
}
