// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Line-oriented parser: one statement per line, '#' starts a comment, words
 * separated by blanks. Each statement is checked on its own as it is read;
 * references between statements (group -> nexthop, route -> group) and
 * limits are checked once the whole file is read, so statements may come in
 * any order. Errors do not stop the parse: every error is listed. The
 * statements themselves are in config_node.c, config_forward.c and
 * config_routes.c (config_parse.h).
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include "config.h"
#include "config_parse.h"
#include "lib/text.h"

void conf_error(struct ecmp_conf *conf, const char *file, int line,
		const char *fmt, ...)
{
	char msg[512], *out;
	va_list ap;
	int n;

	if (conf->nerror >= CONF_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = line > 0 ? snprintf(NULL, 0, "%s:%d: %s", file, line, msg) :
		       snprintf(NULL, 0, "%s: %s", file, msg);
	out = malloc(n + 1);
	if (!out)
		return;
	if (line > 0)
		snprintf(out, n + 1, "%s:%d: %s", file, line, msg);
	else
		snprintf(out, n + 1, "%s: %s", file, msg);
	conf->error_line[conf->nerror] = line;
	conf->error[conf->nerror++] = out;
}

/* Line order, stable; errors about the whole file (line 0) last. */
static void sort_errors(struct ecmp_conf *conf)
{
	int i, j;

	for (i = 1; i < conf->nerror; i++) {
		char *e = conf->error[i];
		int line = conf->error_line[i];
		unsigned key = line > 0 ? (unsigned)line : ~0u;

		for (j = i; j > 0; j--) {
			int l = conf->error_line[j - 1];

			if ((l > 0 ? (unsigned)l : ~0u) <= key)
				break;
			conf->error[j] = conf->error[j - 1];
			conf->error_line[j] = l;
		}
		conf->error[j] = e;
		conf->error_line[j] = line;
	}
}

int conf_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Seconds, fractions allowed ("0.5"), into milliseconds. */
int conf_parse_seconds(const char *s, uint32_t *ms)
{
	char *end;
	double v;

	if (!s || !(isdigit((unsigned char)*s) || *s == '.'))
		return -EINVAL;
	v = strtod(s, &end);
	if (*end || !isfinite(v) || v < 0 || v > 86400)
		return -EINVAL;
	*ms = (uint32_t)llround(v * 1000);
	return 0;
}

int conf_valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= ECMP_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return 0;
	return 1;
}

/* "ADDR" into family + bytes. Returns 0 or -EINVAL. */
int conf_parse_addr(const char *s, uint8_t *family, uint8_t *addr)
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = ECMP_AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = ECMP_AF_INET6;
		return 0;
	}
	return -EINVAL;
}

const char *conf_words_after(struct parser *p, int from)
{
	static char buf[256];
	size_t off = 0;
	int i;

	/* Cut at the buffer: a message, not the whole line, is the point. */
	buf[0] = 0;
	for (i = from; i < p->nw && off < sizeof(buf) - 1; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s", p->w[i],
				i + 1 < p->nw ? " " : "");
	return buf;
}

void *conf_grow(void *arr, int *cap, int need, size_t elem)
{
	void *n;
	int c = *cap ? *cap : 16;

	if (need <= *cap)
		return arr;
	while (c < need)
		c *= 2;
	n = realloc(arr, (size_t)c * elem);
	if (!n)
		return NULL;
	memset((char *)n + (size_t)*cap * elem, 0, (size_t)(c - *cap) * elem);
	*cap = c;
	return n;
}

static const struct {
	const char *word;
	void (*fn)(struct parser *p);
} statements[] = {
	{ "seed", st_seed },
	{ "hash", st_hash },
	{ "interface", st_interface },
	{ "bfd", st_bfd },
	{ "pin-root", st_pin_root },
	{ "nexthop", st_nexthop },
	{ "group", st_group },
	{ "route", st_route },
	{ "kernel-path", st_kernel_path },
	{ "routes", st_routes },
	{ "metrics", st_metrics },
	{ "control", st_control },
	{ "limits", st_limits },
};

static void note_failed(struct parser *p, char kind, const char *name)
{
	struct failed_name *f;

	p->failed = conf_grow(p->failed, &p->cap_failed, p->nfailed + 1, sizeof(*f));
	if (!p->failed) {
		p->nfailed = p->cap_failed = 0;
		return;
	}
	f = &p->failed[p->nfailed++];
	f->kind = kind;
	snprintf(f->name, sizeof(f->name), "%s", name);
}

static int was_refused(const struct parser *p, char kind, const char *name)
{
	int i;

	for (i = 0; i < p->nfailed; i++)
		if (p->failed[i].kind == kind && !strcmp(p->failed[i].name, name))
			return 1;
	return 0;
}

/* Names the statements from their table, so a new one is never missing
 * from the message. */
static void unknown_statement(struct parser *p)
{
	char list[512];
	size_t i, off = 0;

	list[0] = 0;
	for (i = 0; i < sizeof(statements) / sizeof(statements[0]) && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "",
				statements[i].word);
	perr(p, "unknown keyword '%s'; statements are %s", p->w[0], list);
}

static void parse_line(struct parser *p, char *line)
{
	char *hash = strchr(line, '#'), *tok, *save = NULL;
	size_t i;

	if (hash)
		*hash = 0;
	p->nw = 0;
	for (tok = strtok_r(line, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (p->nw == CONF_MAX_WORDS) {
			perr(p, "line has more than %d words", CONF_MAX_WORDS);
			return;
		}
		p->w[p->nw++] = tok;
	}
	if (!p->nw)
		return;
	for (i = 0; i < sizeof(statements) / sizeof(statements[0]); i++)
		if (!strcmp(p->w[0], statements[i].word)) {
			int before = p->conf->nerror;

			statements[i].fn(p);
			if (p->conf->nerror > before && p->nw >= 2 &&
			    (!strcmp(p->w[0], "nexthop") || !strcmp(p->w[0], "group")))
				note_failed(p, p->w[0][0], p->w[1]);
			return;
		}
	unknown_statement(p);
}

static int route_cmp(const void *a, const void *b)
{
	const struct conf_route *x = *(const struct conf_route *const *)a;
	const struct conf_route *y = *(const struct conf_route *const *)b;
	int d = (int)x->family - y->family;

	if (!d)
		d = (int)x->prefixlen - y->prefixlen;
	if (!d)
		d = memcmp(x->addr, y->addr, 16);
	return d ? d : x->line - y->line;
}

/* Each duplicate route is reported at its later line. */
static void find_duplicate_routes(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	const struct conf_route **v = malloc(sizeof(*v) * (c->nroute ? c->nroute : 1));
	int i;

	if (!v) {
		conf_error(c, p->file, 0, "out of memory");
		return;
	}
	for (i = 0; i < c->nroute; i++)
		v[i] = &c->route[i];
	qsort(v, c->nroute, sizeof(*v), route_cmp);
	for (i = 1; i < c->nroute; i++) {
		char a[INET6_ADDRSTRLEN];

		if (v[i]->family != v[i - 1]->family ||
		    v[i]->prefixlen != v[i - 1]->prefixlen ||
		    memcmp(v[i]->addr, v[i - 1]->addr, 16))
			continue;
		text_addr(v[i]->family, v[i]->addr, a, sizeof(a));
		conf_error(c, p->file, v[i]->line,
			   "route %s/%u: already defined on line %d", a,
			   v[i]->prefixlen, v[i - 1]->line);
	}
	free(v);
}

static int str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* How many interfaces c's nexthops go out of (each takes an entry of
 * ecmp_tx_ports); -ENOMEM. */
static int count_egress(const struct ecmp_conf *c)
{
	const char **dev = malloc((c->nnexthop + 1) * sizeof(*dev));
	int i, n = 0;

	if (!dev)
		return -ENOMEM;
	for (i = 0; i < c->nnexthop; i++)
		dev[i] = c->nexthop[i].dev;
	qsort(dev, c->nnexthop, sizeof(*dev), str_ptr_cmp);
	for (i = 0; i < c->nnexthop; i++)
		n += !i || strcmp(dev[i - 1], dev[i]);
	free(dev);
	return n;
}

/* References and limits, once everything is read. */
static void resolve(struct parser *p)
{
	struct ecmp_conf *c = p->conf;
	const char *file = p->file;
	struct pending_member *pending = p->pending;
	struct pending_route *proutes = p->proutes;
	uint64_t slots = 1;	/* slot 0 is the guard */
	int i, j, egress;

	find_duplicate_routes(p);
	for (i = 0; i < p->npending; i++) {
		struct conf_group *g;
		int nh = config_find_nexthop(c, pending[i].name);

		if (pending[i].group >= c->ngroup)
			continue;	/* its group line failed: already reported */
		g = &c->group[pending[i].group];
		if (nh < 0 && was_refused(p, 'n', pending[i].name))
			continue;	/* defined, but its line was refused */
		if (nh < 0) {
			conf_error(c, file, pending[i].line,
				   "group %s: unknown nexthop '%s'; define it with 'nexthop %s via ADDR dev IFNAME'",
				   g->name, pending[i].name, pending[i].name);
			continue;
		}
		for (j = 0; j < g->nmembers; j++)
			if (g->member[j] == nh) {
				conf_error(c, file, pending[i].line,
					   "group %s: nexthop %s listed twice", g->name,
					   pending[i].name);
				break;
			}
		if (j == g->nmembers)
			g->member[g->nmembers++] = nh;
	}
	for (i = 0; i < p->nproutes; i++) {
		int g = config_find_group(c, proutes[i].group);
		struct conf_route *r = &c->route[proutes[i].route];

		if (g < 0 && !was_refused(p, 'g', proutes[i].group))
			conf_error(c, file, r->line,
				   "route: unknown group '%s'; define it with 'group %s nexthops NAME...'",
				   proutes[i].group, proutes[i].group);
		r->group = g;
	}
	for (i = 0; i < c->ngroup; i++) {
		struct conf_group *g = &c->group[i];

		if (g->nmembers && g->buckets < (uint32_t)g->nmembers)
			conf_error(c, file, g->line,
				   "group %s: %u buckets for %d nexthops; use at least as many buckets as nexthops",
				   g->name, g->buckets, g->nmembers);
		slots += g->buckets;
	}
	if ((uint32_t)c->nnexthop > c->limits.nexthops)
		conf_error(c, file, 0, "%d nexthops, the limit is %u (raise it with 'limits nexthops N')",
			   c->nnexthop, c->limits.nexthops);
	if ((uint32_t)c->ngroup > c->limits.groups)
		conf_error(c, file, 0, "%d groups, the limit is %u (raise it with 'limits groups N')",
			   c->ngroup, c->limits.groups);
	if ((uint32_t)c->nroute > c->limits.routes)
		conf_error(c, file, 0, "%d routes, the limit is %u (raise it with 'limits routes N')",
			   c->nroute, c->limits.routes);
	egress = count_egress(c);
	if (egress < 0)
		conf_error(c, file, 0, "out of memory");
	else if ((uint32_t)egress > c->limits.egress)
		conf_error(c, file, 0,
			   "the nexthops go out of %d interfaces, the limit is %u (raise it with 'limits egress N')",
			   egress, c->limits.egress);
	if (slots - 1 > c->limits.buckets)
		conf_error(c, file, 0,
			   "the groups need %llu buckets in all, the limit is %u; use fewer buckets per group or raise it with 'limits buckets N'",
			   (unsigned long long)slots - 1, c->limits.buckets);
}

int config_parse(struct ecmp_conf *conf, const char *name, const char *text)
{
	struct parser p = { .conf = conf, .file = name };
	char *copy = strdup(text), *line, *next;

	if (!copy)
		return -ENOMEM;
	snprintf(conf->path, sizeof(conf->path), "%s", name);
	conf->hash_flags = ECMP_HASH_L4;
	conf->seed_auto = 1;
	conf->bfd_interval_ms = 300;
	conf->bfd_multiplier = 3;
	snprintf(conf->pin_root, sizeof(conf->pin_root), "%s", ECMP_PIN_ROOT_DEFAULT);
	conf->limits = (struct conf_limits){ .nexthops = ECMP_MAX_NEXTHOPS,
					     .groups = ECMP_MAX_GROUPS,
					     .buckets = ECMP_MAX_BUCKET_SLOTS - 1,
					     .routes = ECMP_MAX_ROUTES,
					     .chunks = ECMP_MAX_LPM_CHUNKS,
					     .egress = ECMP_MAX_TX_PORTS };
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		p.line++;
		parse_line(&p, line);
	}
	resolve(&p);
	sort_errors(conf);
	free(p.pending);
	free(p.proutes);
	free(p.failed);
	free(copy);
	return conf->nerror ? -EINVAL : 0;
}

int config_load(struct ecmp_conf *conf, const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	char buf[4096];
	int err;

	if (!f) {
		err = -errno;
		conf_error(conf, path, 0, "cannot open: %s", strerror(-err));
		return err;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (len + n + 1 > cap) {
			char *t;

			cap = (len + n + 1) * 2;
			t = realloc(text, cap);
			if (!t) {
				free(text);
				fclose(f);
				return -ENOMEM;
			}
			text = t;
		}
		memcpy(text + len, buf, n);
		len += n;
	}
	if (ferror(f)) {
		err = -errno;
		fclose(f);
		free(text);
		conf_error(conf, path, 0, "cannot read: %s", strerror(-err ? -err : EIO));
		return err ? err : -EIO;
	}
	fclose(f);
	if (!text)
		text = strdup("");
	if (!text)
		return -ENOMEM;
	text[len] = 0;
	if (strlen(text) != len) {
		free(text);
		conf_error(conf, path, 0, "contains a NUL byte: not a text file");
		return -EINVAL;
	}
	err = config_parse(conf, path, text);
	free(text);
	return err;
}

/* A BFD secret: a regular file of root's that nobody else can read,
 * holding 1-20 bytes (one trailing newline ignored). */
static void read_secret(struct ecmp_conf *conf, struct conf_nexthop *nh)
{
	const char *path = nh->bfd_secret_path;
	uint8_t buf[64];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		conf_error(conf, conf->path, nh->line, "nexthop %s: cannot read bfd secret %s: %s",
			   nh->name, path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		conf_error(conf, conf->path, nh->line, "nexthop %s: bfd secret %s is not a regular file",
			   nh->name, path);
	} else if (st.st_uid != 0 || (st.st_mode & 077)) {
		conf_error(conf, conf->path, nh->line,
			   "nexthop %s: bfd secret %s must be root's and readable by root only (now uid %u mode %04o); chown root %s && chmod 600 %s",
			   nh->name, path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
			   path, path);
	} else {
		n = read(fd, buf, sizeof(buf));
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		if (n < 1 || n > BFD_SHA1_KEY_MAX) {
			conf_error(conf, conf->path, nh->line,
				   "nexthop %s: bfd secret %s must hold 1 to %d bytes",
				   nh->name, path, BFD_SHA1_KEY_MAX);
		} else {
			memcpy(nh->bfd_key.secret, buf, n);
			nh->bfd_key.len = n;
		}
	}
	memset(buf, 0, sizeof(buf));
	close(fd);
}

int config_check_host(struct ecmp_conf *conf)
{
	int i;

	for (i = 0; i < conf->nnexthop; i++)
		if (conf->nexthop[i].bfd_secret_path[0])
			read_secret(conf, &conf->nexthop[i]);

	for (i = 0; i < conf->niface; i++)
		if (!if_nametoindex(conf->iface[i].name))
			conf_error(conf, conf->path, conf->iface[i].line,
				   "interface %s: no such interface", conf->iface[i].name);

	for (i = 0; i < conf->nnexthop; i++)
		if (!if_nametoindex(conf->nexthop[i].dev))
			conf_error(conf, conf->path, conf->nexthop[i].line,
				   "nexthop %s: no such interface '%s'", conf->nexthop[i].name,
				   conf->nexthop[i].dev);
	if (conf->control.group[0]) {
		struct group *g = getgrnam(conf->control.group);

		if (g)
			conf->control.gid = g->gr_gid;
		else
			conf_error(conf, conf->path, conf->control.line,
				   "control group %s: no such group; create it (groupadd --system %s) "
				   "or name another", conf->control.group, conf->control.group);
	}
	sort_errors(conf);
	return conf->nerror ? -EINVAL : 0;
}

void config_free(struct ecmp_conf *conf)
{
	int i;

	for (i = 0; i < conf->nerror; i++)
		free(conf->error[i]);
	free(conf->nexthop);
	free(conf->group);
	free(conf->route);
	memset(conf, 0, sizeof(*conf));
}

static void *dup_array(const void *src, int n, size_t elem)
{
	void *d = malloc((size_t)(n ? n : 1) * elem);

	if (d && n)
		memcpy(d, src, (size_t)n * elem);
	return d;
}

int config_copy(struct ecmp_conf *dst, const struct ecmp_conf *src)
{
	*dst = *src;
	dst->nerror = 0;
	dst->nexthop = dup_array(src->nexthop, src->nnexthop, sizeof(*src->nexthop));
	dst->group = dup_array(src->group, src->ngroup, sizeof(*src->group));
	dst->route = dup_array(src->route, src->nroute, sizeof(*src->route));
	dst->cap_nexthop = src->nnexthop ? src->nnexthop : 1;
	dst->cap_group = src->ngroup ? src->ngroup : 1;
	dst->cap_route = src->nroute ? src->nroute : 1;
	if (!dst->nexthop || !dst->group || !dst->route) {
		config_free(dst);
		return -ENOMEM;
	}
	return 0;
}

int config_find_nexthop(const struct ecmp_conf *conf, const char *name)
{
	int i;

	for (i = 0; i < conf->nnexthop; i++)
		if (!strcmp(conf->nexthop[i].name, name))
			return i;
	return -1;
}

int config_find_group(const struct ecmp_conf *conf, const char *name)
{
	int i;

	for (i = 0; i < conf->ngroup; i++)
		if (!strcmp(conf->group[i].name, name))
			return i;
	return -1;
}

void config_print_errors(const struct ecmp_conf *conf, void *f)
{
	int i;

	for (i = 0; i < conf->nerror; i++)
		fprintf(f, "%s\n", conf->error[i]);
}
