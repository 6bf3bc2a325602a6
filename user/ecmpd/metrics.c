// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>

#include "metrics.h"
#include "lib/log.h"
#include "lib/prometheus.h"
#include "lib/text.h"

struct metrics {
	struct MHD_Daemon *httpd;
	struct conf_metrics conf;
	const struct ecmp_dp *dp;
	char socket[108];
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code,
			     char *body, size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body,
								 MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned code, const char *msg)
{
	char *body = strdup(msg);

	return body ? reply(c, code, body, strlen(body), "text/plain") : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **state)
{
	struct metrics *m = cls;
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n");
	if (strcmp(url, "/metrics"))
		return text(c, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
	f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	prom_write(f, m->dp, m->socket);
	if (fclose(f))
		return MHD_NO;
	return reply(c, MHD_HTTP_OK, body, len, "text/plain; version=0.0.4; charset=utf-8");
}

int metrics_same(const struct metrics *m, const struct conf_metrics *c)
{
	if (!m || !c->enabled)
		return !m && !c->enabled;
	return m->conf.family == c->family && m->conf.port == c->port &&
	       !memcmp(m->conf.addr, c->addr, 16);
}

int metrics_start(struct metrics **out, const struct conf_metrics *c,
		  const struct ecmp_dp *dp, const char *socket)
{
	struct sockaddr_storage ss = { 0 };
	struct metrics *m;
	char a[INET6_ADDRSTRLEN];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	*out = NULL;
	if (!c->enabled)
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->conf = *c;
	m->dp = dp;
	snprintf(m->socket, sizeof(m->socket), "%s", socket);
	if (c->family == ECMP_AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(c->port);
		memcpy(&sin->sin_addr, c->addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(c->port);
		memcpy(&sin6->sin6_addr, c->addr, 16);
		flags |= MHD_USE_IPv6;
	}
	m->httpd = MHD_start_daemon(flags, c->port, NULL, NULL, on_request, m,
				    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				    MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
				    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				    MHD_OPTION_END);
	text_addr(c->family, c->addr, a, sizeof(a));
	if (!m->httpd) {
		int err = errno ? errno : EADDRNOTAVAIL;

		pr_warn("metrics listen %s%s%s:%u: cannot serve there: %s (an address of this host, a free port)",
			c->family == ECMP_AF_INET6 ? "[" : "", a,
			c->family == ECMP_AF_INET6 ? "]" : "", c->port, strerror(err));
		free(m);
		return -err;
	}
	pr_info("metrics: http://%s%s%s:%u/metrics", c->family == ECMP_AF_INET6 ? "[" : "", a,
		c->family == ECMP_AF_INET6 ? "]" : "", c->port);
	*out = m;
	return 0;
}

void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->httpd);
	free(m);
}
