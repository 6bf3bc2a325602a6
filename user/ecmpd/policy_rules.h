/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel's routing-policy rules (`ip rule`) against the fast path,
 * which looks every frame up in one table: ecmpd's routes (its config's,
 * and those it mirrors from one kernel table or zebra's stream). A rule
 * that would route some forwarded frames otherwise (another table, a
 * blackhole, a suppressed default route) is bypassed for them, as
 * netfilter is (bypass.c); ecmpd says so, names the frames and, where a
 * `kernel-path` line can select them, that line. Rules that cannot meet
 * a forwarded frame (oif, a uid range without root's, an absent iif, a
 * firewall mark that only unmarked frames would lack) or that decide
 * nothing the fast path does not (its own table, the local table, the
 * rules after the one that looks its table up for every frame, whose
 * frames the fast path passes to the kernel anyway) are left alone.
 */
#ifndef ECMP_POLICY_RULES_H
#define ECMP_POLICY_RULES_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "netlink.h"

#define POLICY_MAX_INGRESS	64

/* What the fast path is, for one pass over the rules in priority order. */
struct policy_view {
	const struct ecmp_conf *conf;	/* its kernel-path lines */
	uint32_t table[2];		/* the tables its routes come from */
	int ntables;
	const char *tables_said;	/* "its routes from table main"... */
	/* Interfaces frames reach it on: the config's (XDP and tc
	 * ingress) and their upper devices (VLANs). */
	char ingress[POLICY_MAX_INGRESS][IF_NAMESIZE];
	int ningress;
	/* The box's own traffic goes through the fast path too (a tc
	 * egress hook): rules on its sockets' users and output interface
	 * can meet it. */
	int local_traffic;
	/* The first of those in a VRF (it has a master), or "". */
	char enslaved[IF_NAMESIZE], master[IF_NAMESIZE];
	/* Per family: past this priority no rule matters (below). */
	int has_cutoff[2];
	uint32_t cutoff[2];
	char tables_buf[64];
};

/* The view of conf's fast path, its interfaces read from sysfs. */
void policy_view_init(struct policy_view *v, const struct ecmp_conf *conf);

/*
 * One rule, fed in the kernel's order (a dump's, by priority): 1 with a
 * warning in msg when the fast path forwards frames the rule would send
 * elsewhere and no kernel-path line of the config keeps them on the
 * kernel's path; 0 when the rule cannot change a forwarded frame's fate.
 */
int policy_rule_check(struct policy_view *v, const struct nl_rule *r,
		      char *msg, size_t n);

/* `ip rule`'s own words for r ("100: from 198.18.0.0/25 lookup 200"). */
void policy_rule_format(const struct nl_rule *r, char *buf, size_t n);

/*
 * Dumps the rules and logs a warning for each that policy_rule_check()
 * reports. With seen (the texts warned about last time, "\n"-separated,
 * or NULL), only rules not among them are logged: a rule added while
 * ecmpd runs is said once. Returns how many rules it reports (and
 * *now, if not NULL, a malloc'ed list of their texts for the next call),
 * or -errno when the rules cannot be read.
 */
int policy_rules_warn(struct nl *nl, const struct ecmp_conf *conf,
		      const char *seen, char **now);

#endif /* ECMP_POLICY_RULES_H */
