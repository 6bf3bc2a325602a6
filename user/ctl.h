/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The control socket between ecmpctl and ecmpd: a Unix stream socket, mode
 * 0600, root peers only (SO_PEERCRED). A request is one line of words, at
 * most CTL_MAX_REQUEST bytes; the reply one line of JSON: {"ok":true,...}
 * or {"error":"..."}. Requests:
 *   ping | reload | nexthop NAME drain | nexthop NAME up |
 *   shutdown | shutdown detach
 */
#ifndef ECMP_CTL_H
#define ECMP_CTL_H

#include <stddef.h>

#define CTL_SOCKET_DEFAULT	"/run/ecmp/ecmpd.sock"
#define CTL_MAX_REQUEST		1024
#define CTL_MAX_REPLY		65536
#define CTL_TIMEOUT_MS		1000

/* Server. */
int ctl_listen(const char *path);
/* Accepts one client and reads its request line. Returns the client fd
 * (the caller replies and closes), -EAGAIN for nothing to do (a client that
 * was refused or sent nothing valid has been answered and closed), or
 * another -errno. */
int ctl_accept(int lfd, char *req, size_t len);
/* Sends reply (a JSON line) and closes the client. */
void ctl_reply(int cfd, const char *json);

/* Client: sends req, waits up to timeout_ms for the reply line. */
int ctl_request(const char *path, const char *req, char *reply, size_t len,
		int timeout_ms);

#endif /* ECMP_CTL_H */
