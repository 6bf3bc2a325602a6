// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Which routing-policy rules the fast path does not follow
 * (policy_rules.h). A rule selects frames by its selectors; the fast
 * path sees a forwarded frame as it comes off the wire: on one of
 * ecmpd's interfaces, unmarked, with no socket (uid 0 in the kernel's
 * lookup) and no output interface. Each selector is therefore either
 * decided for every such frame (never, or always) or depends on the
 * frame (addresses, protocol, ports, TOS...), and only the last kind
 * leaves something to select.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "bypass.h"
#include "policy_rules.h"
#include "ecmp_shared.h"
#include "lib/log.h"
#include "lib/lpm.h"
#include "lib/text.h"

static int fam_index(uint8_t family)
{
	return family == ECMP_AF_INET6;
}

static void add_ingress(struct policy_view *v, const char *name)
{
	int i;

	for (i = 0; i < v->ningress; i++)
		if (!strcmp(v->ingress[i], name))
			return;
	if (v->ningress < POLICY_MAX_INGRESS)
		snprintf(v->ingress[v->ningress++], IF_NAMESIZE, "%s", name);
}

/* name's upper devices (VLANs on it, a VRF or bridge over it), from
 * sysfs's upper_* links; its master, if any, into v->master. */
static void read_uppers(struct policy_view *v, const char *name)
{
	char path[64 + IF_NAMESIZE], target[256];
	struct dirent *e;
	DIR *dir;
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/class/net/%s/master", name);
	len = readlink(path, target, sizeof(target) - 1);
	if (len > 0 && !v->enslaved[0]) {
		const char *base;

		target[len] = 0;
		base = strrchr(target, '/');
		snprintf(v->enslaved, IF_NAMESIZE, "%s", name);
		base = base ? base + 1 : target;
		if (strlen(base) < IF_NAMESIZE)
			memcpy(v->master, base, strlen(base) + 1);
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s", name);
	dir = opendir(path);
	while (dir && (e = readdir(dir)))
		if (!strncmp(e->d_name, "upper_", 6) && e->d_name[6])
			add_ingress(v, e->d_name + 6);
	if (dir)
		closedir(dir);
}

static const char *table_name(uint32_t t, char *buf, size_t n)
{
	if (t == RT_TABLE_MAIN)
		return "main";
	if (t == RT_TABLE_LOCAL)
		return "local";
	if (t == RT_TABLE_DEFAULT)
		return "default";
	snprintf(buf, n, "%u", t);
	return buf;
}

void policy_view_init(struct policy_view *v, const struct ecmp_conf *conf)
{
	char a[16], b[16];
	int i, n;

	memset(v, 0, sizeof(*v));
	v->conf = conf;
	if (conf->kernel_routes.enabled)
		v->table[v->ntables++] = conf->kernel_routes.table;
	if (conf->fpm.enabled && (!v->ntables || conf->fpm.table != v->table[0]))
		v->table[v->ntables++] = conf->fpm.table;
	/* Only the config's routes: they win over main's, which the fast
	 * path otherwise leaves to the kernel. */
	if (!v->ntables)
		v->table[v->ntables++] = RT_TABLE_MAIN;
	if (!conf->kernel_routes.enabled && !conf->fpm.enabled)
		snprintf(v->tables_buf, sizeof(v->tables_buf), "its config's routes");
	else if (v->ntables == 1)
		snprintf(v->tables_buf, sizeof(v->tables_buf), "its routes from table %s",
			 table_name(v->table[0], a, sizeof(a)));
	else
		snprintf(v->tables_buf, sizeof(v->tables_buf), "its routes from tables %s and %s",
			 table_name(v->table[0], a, sizeof(a)),
			 table_name(v->table[1], b, sizeof(b)));
	v->tables_said = v->tables_buf;
	for (i = 0; i < conf->niface; i++) {
		if (conf->iface[i].attach == ATTACH_TC_EGRESS)
			v->local_traffic = 1;
		else
			add_ingress(v, conf->iface[i].name);
	}
	for (i = 0, n = v->ningress; i < n; i++)
		read_uppers(v, v->ingress[i]);
}

/* ---- ip rule's words ---- */

static void put_proto(struct text_buf *b, const char *what, uint8_t p)
{
	if (conf_ip_proto_name(p))
		text_put(b, " %s %s", what, conf_ip_proto_name(p));
	else
		text_put(b, " %s %u", what, p);
}

void policy_rule_format(const struct nl_rule *r, char *buf, size_t n)
{
	struct text_buf b = { buf, n, 0 };
	char p[TEXT_PREFIX_LEN], t[16];

	buf[0] = 0;
	text_put(&b, "%u: %sfrom %s", r->priority, r->invert ? "not " : "",
		 r->src_len ? text_prefix(r->family, r->src, r->src_len, p, sizeof(p)) : "all");
	if (r->dst_len)
		text_put(&b, " to %s", text_prefix(r->family, r->dst, r->dst_len, p, sizeof(p)));
	if (r->tos)
		text_put(&b, " tos 0x%02x", r->tos);
	if (r->has_fwmark)
		text_put(&b, " fwmark 0x%x/0x%x", r->fwmark, r->fwmask);
	if (r->iif[0])
		text_put(&b, " iif %s", r->iif);
	if (r->oif[0])
		text_put(&b, " oif %s", r->oif);
	if (r->has_uid)
		text_put(&b, " uidrange %u-%u", r->uid_lo, r->uid_hi);
	if (r->has_tun_id)
		text_put(&b, " tun_id");
	if (r->ip_proto)
		put_proto(&b, "ipproto", r->ip_proto);
	if (r->has_sport)
		text_put_ports(&b, "sport", r->sport_lo, r->sport_hi);
	if (r->has_dport)
		text_put_ports(&b, "dport", r->dport_lo, r->dport_hi);
	if (r->unknown_attr)
		text_put(&b, " (selector attribute %d)", r->unknown_attr);
	switch (r->action) {
	case FR_ACT_TO_TBL:
		if (r->l3mdev)
			text_put(&b, " lookup [l3mdev-table]");
		else
			text_put(&b, " lookup %s", table_name(r->table, t, sizeof(t)));
		break;
	case FR_ACT_GOTO:
		text_put(&b, " goto %u", r->goto_prio);
		break;
	case FR_ACT_NOP:
		text_put(&b, " nop");
		break;
	case FR_ACT_BLACKHOLE:
		text_put(&b, " blackhole");
		break;
	case FR_ACT_UNREACHABLE:
		text_put(&b, " unreachable");
		break;
	case FR_ACT_PROHIBIT:
		text_put(&b, " prohibit");
		break;
	default:
		text_put(&b, " action %u", r->action);
		break;
	}
	if (r->has_suppress && r->suppress_prefixlen != UINT32_MAX)
		text_put(&b, " suppress_prefixlength %u", r->suppress_prefixlen);
	else if (r->has_suppress)
		text_put(&b, " suppress_ifgroup");
}

/* ---- what a rule selects, of the frames the fast path forwards ---- */

struct reach {
	int never;		/* no forwarded frame can match the selectors */
	int some;		/* the selectors depend on the frame */
	const char *unsaid;	/* a selector no kernel-path line has, or NULL */
	char remedy[96];	/* what keeps those frames on the kernel's path */
};

static int is_ingress(const struct policy_view *v, const char *name)
{
	int i;

	for (i = 0; i < v->ningress; i++)
		if (!strcmp(v->ingress[i], name))
			return 1;
	return 0;
}

static void not_sayable(struct reach *x, const char *what)
{
	x->some = 1;
	if (!x->unsaid)
		x->unsaid = what;
}

static void reach_of(const struct policy_view *v, const struct nl_rule *r,
		     struct reach *x)
{
	int own = r->oif[0] || (r->has_uid && r->uid_lo > 0) ||
		  (r->iif[0] && !strcmp(r->iif, "lo"));

	memset(x, 0, sizeof(*x));
	/* Decided for every forwarded frame. */
	if (r->iif_detached || r->has_tun_id || (own && !v->local_traffic) ||
	    (r->iif[0] && strcmp(r->iif, "lo") && !is_ingress(v, r->iif)) ||
	    (r->l3mdev && !v->enslaved[0])) {
		x->never = 1;
		return;
	}
	if (own)
		not_sayable(x, "the box's own traffic (its output interface, its sockets' users), which the tc egress hook routes again");
	/* Depending on the frame. */
	if (r->src_len || r->dst_len || r->ip_proto || r->has_sport || r->has_dport)
		x->some = 1;
	if (r->tos)
		not_sayable(x, "tos");
	/* A frame is unmarked when XDP sees it, but the kernel's path may
	 * have marked it before its route lookup: say so, except where
	 * `not` makes the rule take every unmarked frame (WireGuard's
	 * `not fwmark M lookup T`), which is then what matters. */
	if (r->has_fwmark && (r->fwmark & r->fwmask)) {
		if (r->invert) {
			x->never = 1;
			return;
		}
		not_sayable(x, "a firewall mark the kernel's path would set (nftables, iptables' mangle table, tc), which XDP runs before");
	}
	if (r->unknown_attr)
		not_sayable(x, "a selector this ecmpd does not know");
	if (r->iif[0] && strcmp(r->iif, "lo")) {
		not_sayable(x, "the interface frames arrive on");
		snprintf(x->remedy, sizeof(x->remedy),
			 "leave %s out of ecmpd's interfaces", r->iif);
	}
	if (r->l3mdev) {
		not_sayable(x, "VRF");
		snprintf(x->remedy, sizeof(x->remedy),
			 "leave %s (in %s) out of ecmpd's interfaces", v->enslaved, v->master);
	}
	if ((r->has_sport || r->has_dport) && !r->ip_proto)
		not_sayable(x, "ports of any protocol");
}

static int fast_table(const struct policy_view *v, uint32_t t)
{
	int i;

	for (i = 0; i < v->ntables; i++)
		if (v->table[i] == t)
			return 1;
	return 0;
}

/* The frames r selects by address, protocol and ports, as a kernel-path
 * line would select them. */
static void rule_selector(const struct nl_rule *r, struct conf_pass *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = r->family;
	sel->proto = r->ip_proto;
	sel->src_len = r->src_len;
	sel->dst_len = r->dst_len;
	memcpy(sel->src, r->src, 16);
	memcpy(sel->dst, r->dst, 16);
	lpm_mask(sel->src, sel->family, r->src_len);
	lpm_mask(sel->dst, sel->family, r->dst_len);
	sel->sport_lo = r->has_sport ? r->sport_lo : 0;
	sel->sport_hi = r->has_sport ? r->sport_hi : 65535;
	sel->dport_lo = r->has_dport ? r->dport_lo : 0;
	sel->dport_hi = r->has_dport ? r->dport_hi : 65535;
}

/* ---- the check ---- */

static const char *what_rule_does(const struct nl_rule *r, char *buf, size_t n)
{
	char t[16];

	switch (r->action) {
	case FR_ACT_TO_TBL:
		if (r->l3mdev)
			snprintf(buf, n, "where the kernel routes them by their VRF's table");
		else if (r->has_suppress && r->suppress_prefixlen != UINT32_MAX)
			snprintf(buf, n, "where the kernel refuses table %s's routes of /%u and shorter and goes on to later rules",
				 table_name(r->table, t, sizeof(t)), r->suppress_prefixlen);
		else if (r->has_suppress)
			snprintf(buf, n, "where the kernel refuses table %s's routes out of an interface group and goes on to later rules",
				 table_name(r->table, t, sizeof(t)));
		else
			snprintf(buf, n, "where the kernel routes them by table %s",
				 table_name(r->table, t, sizeof(t)));
		break;
	case FR_ACT_GOTO:
		snprintf(buf, n, "where the kernel goes on at rule %u", r->goto_prio);
		break;
	case FR_ACT_BLACKHOLE:
		snprintf(buf, n, "where the kernel drops them");
		break;
	case FR_ACT_UNREACHABLE:
		snprintf(buf, n, "where the kernel drops them as unreachable");
		break;
	case FR_ACT_PROHIBIT:
		snprintf(buf, n, "where the kernel drops them as prohibited");
		break;
	default:
		snprintf(buf, n, "where the kernel does what action %u says", r->action);
		break;
	}
	return buf;
}

int policy_rule_check(struct policy_view *v, const struct nl_rule *r,
		      char *msg, size_t n)
{
	int f = fam_index(r->family), every, standard;
	struct text_buf o = { msg, n, 0 };
	char text[256], does[128], line[160];
	struct conf_pass sel;
	struct reach x;

	msg[0] = 0;
	if (r->deleted || r->action == FR_ACT_NOP)
		return 0;
	/* A frame the fast path's table has no route for goes to the
	 * kernel, which carries on with the rules after that lookup. */
	if (v->has_cutoff[f] && r->priority >= v->cutoff[f])
		return 0;
	reach_of(v, r, &x);
	/* The rule matches when its selectors do, or with `not` when they
	 * do not: for no forwarded frame, for every one, or for some. */
	if (x.never ? !r->invert : !x.some && r->invert)
		return 0;
	every = x.never || !x.some;
	if (r->action == FR_ACT_TO_TBL && !r->has_suppress) {
		standard = every && (r->table == RT_TABLE_MAIN ||
				     r->table == RT_TABLE_DEFAULT);
		if (r->table == RT_TABLE_LOCAL)
			return 0;	/* the fast path passes the box's own addresses */
		if (fast_table(v, r->table)) {
			if (every && !v->has_cutoff[f]) {
				v->has_cutoff[f] = 1;
				v->cutoff[f] = r->priority;
			}
			return 0;
		}
		/* Every box's rules for main and default: with routes from
		 * another table (zebra's -R), main is the kernel's own. */
		if (standard)
			return 0;
	}
	rule_selector(r, &sel);
	if (!every && !r->invert && !x.unsaid && conf_pass_keeps(v->conf, &sel))
		return 0;

	policy_rule_format(r, text, sizeof(text));
	text_put(&o, "ip rule %s: the fast path forwards %s by %s, %s",
	    text, every ? "every frame" : r->invert ? "the frames it does not select" :
	    "the frames it selects", v->tables_said,
	    what_rule_does(r, does, sizeof(does)));
	if (every) {
		text_put(&o, "; remove the rule, or route by it in ecmpd's config");
	} else if (!r->invert && !x.unsaid) {
		conf_pass_format(&sel, line, sizeof(line));
		text_put(&o, "; keep them on the kernel's path with '%s'", line);
	} else if (x.remedy[0]) {
		text_put(&o, "; %s to keep them on the kernel's path", x.remedy);
	} else {
		text_put(&o, "; no kernel-path line selects by %s: keep those frames on the kernel's path by their addresses, protocol or ports",
		    r->invert ? "what a rule does not select" : x.unsaid);
	}
	return 1;
}

/* ---- the dump ---- */

struct rule_scan {
	struct policy_view view;
	const char *seen;
	struct bypass_said now;
	int reported;
};

static void on_rule(void *ctx, const struct nl_rule *r)
{
	struct rule_scan *s = ctx;
	char msg[768];

	if (!policy_rule_check(&s->view, r, msg, sizeof(msg)))
		return;
	s->reported++;
	bypass_said_add(&s->now, msg);
	if (!bypass_said_before(s->seen, msg))
		pr_warn("%s", msg);
}

int policy_rules_warn(struct nl *nl, const struct ecmp_conf *conf,
		      const char *seen, char **now)
{
	struct rule_scan *s = calloc(1, sizeof(*s));
	struct nl_handlers h = { .rule = on_rule };
	int err;

	if (!s)
		return -ENOMEM;
	policy_view_init(&s->view, conf);
	s->seen = seen;
	h.ctx = s;
	err = nl_dump_rules(nl, &h);
	if (now && !err) {
		*now = s->now.s;
		s->now.s = NULL;
	}
	free(s->now.s);
	err = err ? err : s->reported;
	free(s);
	return err;
}
