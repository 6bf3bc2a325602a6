// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpctl route show [all] [PREFIX]: the routes of the data path, from
 * its maps; with `all`, also those of ecmpd's mirror that the kernel
 * keeps to itself, each with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lib/json.h"
#include "lib/lpm.h"
#include "lib/print.h"
#include "lib/text.h"

/* A route key inside the prefix asked for (or any, when none was). */
static int route_inside(const struct ecmp_route_key *k, const struct cli_prefix *p)
{
	return !p->family || lpm_inside(k->family, k->addr, k->prefixlen, p->family, p->addr, p->len);
}

/* `route show all`: the routes of ecmpd's mirror (its "kernel-routes"
 * answer), from the kernel or zebra's stream, each with its protocol and
 * metric, and the reason when the data path leaves it to the kernel; each
 * marked once printed. */
struct kept {
	char prefix[TEXT_PREFIX_LEN];
	const char *reason;	/* NULL: in the data path */
	const char *protocol;	/* a name, or its number */
	uint64_t metric;
	int has_metric;
	int shown;
};

static int kept_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kept *)a)->prefix, ((const struct kept *)b)->prefix);
}

static struct kept *kept_find(struct kept *v, int n, const char *prefix)
{
	struct kept k;

	snprintf(k.prefix, sizeof(k.prefix), "%s", prefix);
	return n ? bsearch(&k, v, n, sizeof(*v), kept_cmp) : NULL;
}

/* The number member key as written (or a string member), or NULL. */
static const char *member_text(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	return v && (v->type == JSON_NUMBER || v->type == JSON_STRING) ? v->str : NULL;
}

/* The list for the routes inside `inside` (family 0: all), sorted, or -1
 * (said why); *reply holds the strings. */
static int kept_read(const struct cli_prefix *inside, struct json_value **reply,
		     struct kept **out)
{
	char req[32 + TEXT_PREFIX_LEN] = "kernel-routes", net[TEXT_PREFIX_LEN];
	const struct json_value *v;
	struct kept *k;
	int n = 0;

	if (inside->family)
		snprintf(req, sizeof(req), "kernel-routes %s",
			 text_prefix(inside->family, inside->addr, inside->len, net, sizeof(net)));
	if (cmd_ask(req, reply))
		return -1;
	v = json_get(*reply, "kept_only");
	if (v && v->type == JSON_BOOL && v->boolean)
		fprintf(stderr, "ecmpctl: more than ecmpd sends at once inside %s: protocol and metric "
			"only for the routes the kernel keeps; name a longer prefix for the others\n",
			inside->family ? net : "the table");
	for (v = json_get(*reply, "routes"), v = v ? v->child : NULL; v; v = v->next)
		n++;
	k = calloc(n ? n : 1, sizeof(*k));
	if (!k) {
		cmd_fail("out of memory");
		return -1;
	}
	n = 0;
	for (v = json_get(*reply, "routes"), v = v ? v->child : NULL; v; v = v->next) {
		const char *p = json_get_str(v, "prefix");

		if (!p)
			continue;
		snprintf(k[n].prefix, sizeof(k[n].prefix), "%s", p);
		k[n].reason = json_get_str(v, "reason");
		k[n].protocol = member_text(v, "protocol");
		k[n].has_metric = !json_u64_of(json_get(v, "metric"), &k[n].metric);
		n++;
	}
	qsort(k, n, sizeof(*k), kept_cmp);
	*out = k;
	return n;
}

/* One line of `route show`: a route of the data path (has_route), or a
 * route of the kernel's that only the kernel has (kept). */
struct shown_route {
	struct ecmp_route_key key;
	struct ecmp_route route;
	int has_route;
	const struct kept *kept;
};

struct route_list {
	const struct cli_prefix *inside;
	struct shown_route *v;
	size_t n, cap;
	int err;
};

static int route_list_add(struct route_list *l, const struct ecmp_route_key *k)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct shown_route *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->v[l->n].key = *k;
	l->n++;
	return 0;
}

static void collect_route(const struct ecmp_route_key *k, const struct ecmp_route *v, void *arg)
{
	struct route_list *l = arg;

	if (l->err || !route_inside(k, l->inside))
		return;
	if (route_list_add(l, k)) {
		l->err = -ENOMEM;
		return;
	}
	l->v[l->n - 1].route = *v;
	l->v[l->n - 1].has_route = 1;
}

/* As `ip route` lists them: IPv4 before IPv6, then by address, a shorter
 * prefix before the longer ones inside it. */
static int shown_route_cmp(const void *a, const void *b)
{
	const struct ecmp_route_key *x = &((const struct shown_route *)a)->key;
	const struct ecmp_route_key *y = &((const struct shown_route *)b)->key;
	int d = x->family - y->family;

	if (!d)
		d = memcmp(x->addr, y->addr, sizeof(x->addr));
	return d ? d : x->prefixlen - y->prefixlen;
}

/* "ADDR/LEN", as the kernel-routes answer names prefixes too. */
static void key_prefix(const struct ecmp_route_key *k, char *buf, size_t len)
{
	text_prefix(k->family, k->addr, k->prefixlen, buf, len);
}

static void print_shown_route(const struct ecmp_dp *dp, const struct shown_route *r)
{
	char prefix[TEXT_PREFIX_LEN], grp[ECMP_NAME_MAX + 8];

	key_prefix(&r->key, prefix, sizeof(prefix));
	print_open_object(PRINT_JSON, NULL);
	print_str(PRINT_VALUE, "prefix", prefix);
	if (!r->has_route) {
		/* The kernel's table is not in the data path (too large). */
	} else if (r->route.leaf == ECMP_LPM_LOCAL) {
		print_flag(PRINT_ANY, "local", 1);
	} else if (r->route.leaf == ECMP_LPM_CONNECTED) {
		print_flag(PRINT_ANY, "connected", 1);
	} else {
		cmd_group_name(dp, ECMP_LPM_GROUP(r->route.leaf), grp, sizeof(grp));
		print_str(PRINT_ANY, "group", grp);
		print_str(PRINT_ANY, "source", text_route_source(grp));
	}
	if (r->kept && r->kept->protocol)
		print_str(PRINT_ANY, "protocol", r->kept->protocol);
	if (r->kept && r->kept->has_metric)
		print_u64(PRINT_ANY, "metric", r->kept->metric);
	if (r->kept && r->kept->reason)
		print_str(PRINT_ANY, "kernel_route", r->kept->reason);
	if (!r->has_route)
		print_str(PRINT_ANY, "in_data_path", "no");
	print_close_object();
	print_nl();
}

int do_route_show(const struct cli_prefix *inside)
{
	struct json_value *reply = NULL;
	struct route_list l = { inside, NULL, 0, 0, 0 };
	struct kept *kept = NULL;
	struct ecmp_dp dp;
	size_t n, i;
	int nkept = 0, k, e;

	if (args.all && (nkept = kept_read(inside, &reply, &kept)) < 0)
		return 1;
	if (cmd_open_maps(&dp)) {
		json_free(reply);
		free(kept);
		return 1;
	}
	e = dp_each_route(dp.fd[DP_ROUTES], collect_route, &l);
	if (e)
		fprintf(stderr, "ecmpctl: reading %s failed: %s\n", ECMP_MAP_ROUTES, strerror(-e));
	/* Each kept route with its line, or a line of its own when the maps
	 * do not hold it. */
	n = l.n;
	for (i = 0; nkept && i < n; i++) {
		char prefix[TEXT_PREFIX_LEN];
		struct kept *kp;

		key_prefix(&l.v[i].key, prefix, sizeof(prefix));
		kp = kept_find(kept, nkept, prefix);
		if (kp) {
			l.v[i].kept = kp;
			kp->shown = 1;
		}
	}
	for (k = 0; k < nkept && !l.err; k++) {
		struct cli_prefix p;
		struct ecmp_route_key key = { 0 };

		/* A route of the mirror's in the data path that the maps
		 * did not hold when read: added or removed meanwhile. */
		if (kept[k].shown || !kept[k].reason || cli_parse_prefix(kept[k].prefix, &p))
			continue;
		key.family = p.family;
		key.prefixlen = p.len;
		memcpy(key.addr, p.addr, 16);
		if (!route_inside(&key, inside))
			continue;
		if (route_list_add(&l, &key))
			l.err = -ENOMEM;
		else
			l.v[l.n - 1].kept = &kept[k];
	}
	if (l.err)
		fprintf(stderr, "ecmpctl: out of memory listing routes\n");
	if (l.n)	/* qsort's array may not be NULL, even empty */
		qsort(l.v, l.n, sizeof(*l.v), shown_route_cmp);
	print_open_array(PRINT_JSON, NULL);
	for (i = 0; i < l.n; i++)
		print_shown_route(&dp, &l.v[i]);
	print_close_array();
	dp_close(&dp, 1);
	json_free(reply);
	free(kept);
	free(l.v);
	return e || l.err ? 1 : 0;
}
