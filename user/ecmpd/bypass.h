/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the fast path bypasses, said out loud: frames forwarded by XDP (or
 * the tc ingress program) never meet netfilter's forward hook, conntrack,
 * NAT or rp_filter. At start and on every reload ecmpd looks, read-only,
 * for what would be bypassed and warns, naming the `kernel-path` line
 * that keeps such traffic on the kernel's path (docs/CONFIG.md). The
 * kernel's routing-policy rules, bypassed too, are policy_rules.h's.
 */
#ifndef ECMP_BYPASS_H
#define ECMP_BYPASS_H

#include "config.h"

/* The warnings of one look, kept to say only new ones next time (a rule
 * or policy added while ecmpd runs): their texts, one per line. */
struct bypass_said {
	char *s;
	size_t len, cap;
};
/* 1 when list (a bypass_said's text, or NULL) holds the line text. */
int bypass_said_before(const char *list, const char *text);
/* Adds a line; on no memory it is left out (and said again next time). */
void bypass_said_add(struct bypass_said *said, const char *text);
/* Logs a warning and adds it to said (when not NULL): what `ecmpctl
 * stats` lists as bypassed. */
void bypass_say(struct bypass_said *said, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Logs one warning per nftables chain on the forward hook (ip, ip6,
 * inet), for legacy iptables tables, per forwarding interface with
 * rp_filter on, and where the kernel itself does not forward (the
 * frames ecmpd passes to it would be dropped), each also into said.
 * Returns how many warnings it gave. */
int bypass_warn(const struct ecmp_conf *conf, struct bypass_said *said);

#endif /* ECMP_BYPASS_H */
