/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The control socket between ecmpctl and ecmpd: a Unix stream socket, mode
 * 0600, root peers only (SO_PEERCRED); with a reader group (`control
 * group`), mode 0660 and that group, whose members may send the requests
 * that change nothing (ctl_req_reads()). A request is one line of words, at
 * most CTL_MAX_REQUEST bytes; the reply one line of JSON, built with the
 * JSON writer and read with the JSON reader (never searched as text):
 * {"ok":true,...} or {"error":"..."}. Requests:
 *   ping | status | reload | nexthop NAME drain | nexthop NAME up |
 *   bfd show | monitor | maps | hooks | kernel-routes | shutdown |
 *   shutdown detach
 * "maps" answers {"ok":true,"maps":[NAME...]} with a read-only fd of each
 * map (SCM_RIGHTS, in that order): how ecmpctl reads the data path for
 * a reader that cannot open the pins.
 * Show requests answer data ({"ok":true,"sessions":[...]}); ecmpctl
 * renders it as text or JSON.
 *
 * The server never blocks on a client: requests are read as they arrive
 * from the daemon's epoll loop, a client has CTL_TIMEOUT_MS to send its
 * line, and at most CTL_MAX_CLIENTS are served at once.
 */
#ifndef ECMP_CTL_H
#define ECMP_CTL_H

#include <stddef.h>
#include <stdint.h>

#define CTL_SOCKET_DEFAULT	"/run/ecmp/ecmpd.sock"
#define CTL_MAX_REQUEST		1024
/* A reply holds every session at the documented maxima (1,024 BFD
 * sessions take ~1 MiB of JSON) with room to spare. */
#define CTL_MAX_REPLY		(16u << 20)
#define CTL_TIMEOUT_MS		1000

#define CTL_MAX_CLIENTS		16
/* fds one reply may carry ("maps"). */
#define CTL_MAX_FDS		32

/* ---- requests ---- */

enum ctl_cmd {
	CTL_PING,
	CTL_RELOAD,
	CTL_NEXTHOP_SET,	/* arg = NAME, drain = 1 for drain, 0 for up */
	CTL_BFD_SHOW,
	CTL_SHUTDOWN,		/* detach */
	CTL_STATUS,		/* pid, memory, sessions */
	CTL_MONITOR,		/* {"ok":true}, then events (events.h) */
	CTL_MAPS,		/* read-only map fds */
	CTL_HOOKS,		/* {"ok":true,"hooks":[...]}: interface show */
	CTL_KERNEL_ROUTES,	/* [PREFIX]: {"ok":true,"kept_only":B,
				 * "routes":[{prefix, protocol, metric[,
				 * reason]}]} */
	CTL_CMD_COUNT
};

/* Whether a request only reads (a reader group member may send it). */
int ctl_req_reads(enum ctl_cmd cmd);

struct ctl_req {
	enum ctl_cmd cmd;
	const char *arg;	/* points into the parsed line */
	int drain, detach;
};

/* Parses one request line (modified in place). Returns 0, or -EINVAL
 * with err set to a message for the client. */
int ctl_parse(char *line, struct ctl_req *r, const char **err);

/* ---- server ---- */

struct ctl_client {
	int fd;			/* -1: free */
	int root;		/* peer uid 0: may change things */
	size_t got;
	uint64_t deadline_ms;
	char buf[CTL_MAX_REQUEST];
};

struct ctl_server {
	int lfd;
	int readers;		/* a reader group may connect */
	int made_dir;		/* ctl_listen() created the socket's directory */
	struct ctl_client client[CTL_MAX_CLIENTS];
};

int ctl_listen(struct ctl_server *s, const char *path);
/* Opens the socket at path to members of group gid (mode 0660; its
 * directory made passable to them if it was root's alone), or, with
 * gid -1, to root alone again. 0 or -errno. */
int ctl_set_readers(struct ctl_server *s, const char *path, int gid);
void ctl_server_close(struct ctl_server *s);
/* Accepts one waiting client: returns its fd (watch it for input), or
 * -EAGAIN when none is waiting or it was refused (not root, too many:
 * answered and closed). */
int ctl_accept(struct ctl_server *s, uint64_t now_ms);
int ctl_is_client(const struct ctl_server *s, int fd);
/* Reads what client fd sent. Returns 1 when its request line is complete,
 * copied to req, *root set for a root peer (the fd is then the caller's:
 * answer with ctl_reply()),
 * 0 when more is to come, -1 when the client is gone (it closed, or sent
 * too much: answered and closed). */
int ctl_read(struct ctl_server *s, int fd, char *req, size_t len, int *root);
/* Answers and closes clients past their deadline. */
void ctl_expire(struct ctl_server *s, uint64_t now_ms);
/* Sends one JSON document and its newline; the client stays open (a
 * monitor). 0 or -errno. */
int ctl_send_line(int cfd, const char *json);
/* Sends reply (a JSON document on one line) and closes the client. */
void ctl_reply(int cfd, const char *json);
/* {"ok":true, ...} (ok) or {...}: fill writes the members into the open
 * object; sent as one line, then the client is closed. */
struct json;
void ctl_reply_doc(int cfd, int ok, void (*fill)(struct json *j, void *arg),
		   void *arg);
/* Sends reply with fds attached (SCM_RIGHTS) and closes the client. */
void ctl_reply_fds(int cfd, const char *json, const int *fds, int nfds);
/* {"ok":true} with "message" when message is not NULL. */
void ctl_reply_ok(int cfd, const char *message);
void ctl_reply_error(int cfd, const char *message);

/* Client: the pid of the ecmpd serving path (its socket's peer
 * credentials), without a request. 0 or -errno. */
int ctl_server_pid(const char *path, int *pid);

/* Client: sends req, waits up to timeout_ms for each part of the reply
 * line. *reply (malloc'ed, the caller frees it) gets the line without
 * its newline. 0 or -errno (-EMSGSIZE past CTL_MAX_REPLY). */
int ctl_request(const char *path, const char *req, char **reply,
		int timeout_ms);

/* Client: as ctl_request(), then waits up to wait_ms for the server to
 * close the connection: ecmpd answers a shutdown at once and the
 * connection closes when its process is gone. 0, or -ETIME when it was
 * still open (*reply is set all the same), or as ctl_request(). */
int ctl_request_until_closed(const char *path, const char *req, char **reply,
			     int timeout_ms, int wait_ms);

/* Client: as ctl_request(), and the fds attached to the reply (at most
 * max; *nfds of them, the caller closes them). */
int ctl_request_fds(const char *path, const char *req, char **reply,
		    int *fds, int max, int *nfds, int timeout_ms);

/* Client: sends req and returns the connected socket (the caller reads
 * the answer line and what follows: monitor), or -errno. */
int ctl_open_stream(const char *path, const char *req);

#endif /* ECMP_CTL_H */
