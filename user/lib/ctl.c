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

#include "clock.h"
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
	s->made_dir = 0;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		s->client[i].fd = -1;
	err = make_addr(path, &sa);
	if (err)
		return err;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (!mkdir(dir, 0700))
			s->made_dir = 1;
		else if (errno != EEXIST)
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

int ctl_set_readers(struct ctl_server *s, const char *path, int gid)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (gid < 0) {
		s->readers = 0;
		if (chown(path, 0, 0) || chmod(path, 0600))
			return -errno;
		return 0;
	}
	if (chown(path, 0, gid) || chmod(path, 0660))
		return -errno;
	/* The directory ctl_listen() made (0700) lets nobody reach the
	 * socket; any other (/run/ecmp by systemd, 0755; /tmp; one of the
	 * operator's) is theirs and left as it is. */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (s->made_dir && slash && slash != dir) {
		*slash = 0;
		if (!stat(dir, &st) && !(st.st_mode & 011) &&
		    (chown(dir, 0, gid) || chmod(dir, (st.st_mode & 0700) | 0010)))
			return -errno;
	}
	s->readers = 1;
	return 0;
}

int ctl_req_reads(enum ctl_cmd cmd)
{
	switch (cmd) {
	case CTL_PING:
	case CTL_STATUS:
	case CTL_BFD_SHOW:
	case CTL_MONITOR:
	case CTL_MAPS:
	case CTL_HOOKS:
	case CTL_KERNEL_ROUTES:
		return 1;
	case CTL_RELOAD:
	case CTL_NEXTHOP_SET:
	case CTL_SHUTDOWN:
	case CTL_CMD_COUNT:
		break;
	}
	return 0;
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
	/* Past the socket's mode, a peer other than root is a member of
	 * the reader group (or was let in by hand): reads only. */
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) ||
	    (cred.uid && !s->readers)) {
		ctl_reply_error(cfd, "permission denied: ecmpd accepts requests from root only "
				"(a `control group` in its config lets that group read)");
		return -EAGAIN;
	}
	for (i = 0; i < CTL_MAX_CLIENTS && s->client[i].fd >= 0; i++)
		;
	if (i == CTL_MAX_CLIENTS) {
		ctl_reply_error(cfd, "busy: too many clients at once; try again");
		return -EAGAIN;
	}
	s->client[i].fd = cfd;
	s->client[i].root = cred.uid == 0;
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

int ctl_read(struct ctl_server *s, int fd, char *req, size_t len, int *root)
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
	*root = c->root;
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
	} else if (!strcmp(w[0], "monitor") && n == 1) {
		r->cmd = CTL_MONITOR;
	} else if (!strcmp(w[0], "maps") && n == 1) {
		r->cmd = CTL_MAPS;
	} else if (!strcmp(w[0], "hooks") && n == 1) {
		r->cmd = CTL_HOOKS;
	} else if (!strcmp(w[0], "kernel-routes") && n <= 2) {
		r->cmd = CTL_KERNEL_ROUTES;
		r->arg = n == 2 ? w[1] : NULL;	/* a prefix: the routes inside it */
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

int ctl_send_line(int cfd, const char *json)
{
	size_t n = strlen(json), off = 0;

	while (off <= n) {
		struct pollfd pfd = { .fd = cfd, .events = POLLOUT };
		const char *part = off < n ? json + off : "\n";
		ssize_t w;

		if (poll(&pfd, 1, CTL_TIMEOUT_MS) <= 0)
			return -ETIMEDOUT;
		w = send(cfd, part, off < n ? n - off : 1, MSG_NOSIGNAL);
		if (w <= 0)
			return w ? -errno : -EPIPE;
		off += w;
	}
	return 0;
}

void ctl_reply(int cfd, const char *json)
{
	ctl_send_line(cfd, json);
	close(cfd);
}

void ctl_reply_fds(int cfd, const char *json, const int *fds, int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * CTL_MAX_FDS)] = { 0 };
	struct iovec iov = { (void *)json, strlen(json) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t w;

	if (nfds > CTL_MAX_FDS || !iov.iov_len) {
		ctl_reply_error(cfd, "internal: too many fds for one reply");
		return;
	}
	/* The fds ride on the first part of the line; the rest follows as
	 * any reply's does. */
	mh.msg_control = cbuf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	w = sendmsg(cfd, &mh, MSG_NOSIGNAL);
	if (w <= 0) {
		close(cfd);
		return;
	}
	ctl_reply(cfd, json + w);	/* what is left of the line, and its end */
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

int ctl_open_stream(const char *path, const char *req)
{
	int fd = connect_to(path), err;

	if (fd < 0)
		return fd;
	if (write(fd, req, strlen(req)) < 0 || write(fd, "\n", 1) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* One read of the reply; fds that come with it are kept (up to max) or
 * closed. */
static ssize_t read_part(int fd, char *buf, size_t len, int *fds, int max,
			 int *nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * CTL_MAX_FDS)];
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

	for (cm = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm)) {
		int k, cnt, got;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < cnt; k++) {
			memcpy(&got, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
			if (nfds && *nfds < max)
				fds[(*nfds)++] = got;
			else
				close(got);
		}
	}
	return n;
}

/* Reads until the server closes fd, for up to wait_ms: 0, or -ETIME. */
static int wait_closed(int fd, int wait_ms)
{
	uint64_t end = clock_mono_ms() + wait_ms;
	char sink[256];

	for (;;) {
		int64_t left = (int64_t)(end - clock_mono_ms());
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -ETIME;
		if (read(fd, sink, sizeof(sink)) <= 0)
			return 0;	/* closed (or reset): gone */
	}
}

/* ctl_request_fds(), then, with wait_ms, the wait for the close. */
static int request(const char *path, const char *req, char **reply, int *fds, int max,
		   int *nfds, int timeout_ms, int wait_ms)
{
	size_t got = 0, cap = 4096;
	char *buf, *nl = NULL;
	int fd, err = 0;

	*reply = NULL;
	if (nfds)
		*nfds = 0;
	fd = ctl_open_stream(path, req);
	if (fd < 0)
		return fd;
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
		n = read_part(fd, buf + got, cap - 1 - got, fds, max, nfds);
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
	if (wait_ms)
		err = wait_closed(fd, wait_ms);
out:
	free(buf);
	close(fd);
	if (err && nfds) {
		while (*nfds)
			close(fds[--*nfds]);
	}
	return err;
}

int ctl_request_fds(const char *path, const char *req, char **reply,
		    int *fds, int max, int *nfds, int timeout_ms)
{
	return request(path, req, reply, fds, max, nfds, timeout_ms, 0);
}

int ctl_request(const char *path, const char *req, char **reply,
		int timeout_ms)
{
	return request(path, req, reply, NULL, 0, NULL, timeout_ms, 0);
}

int ctl_request_until_closed(const char *path, const char *req, char **reply,
			     int timeout_ms, int wait_ms)
{
	return request(path, req, reply, NULL, 0, NULL, timeout_ms, wait_ms);
}
