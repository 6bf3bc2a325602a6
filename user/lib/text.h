/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The words and notations people read for the data path's values: reason
 * and nexthop state names (the ABI's enums), MACs, addresses of either
 * family. One place, so ecmpd's log, ecmpctl and the tests say the same.
 */
#ifndef ECMP_TEXT_H
#define ECMP_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>	/* INET6_ADDRSTRLEN */

#define TEXT_MAC_LEN	18	/* "xx:xx:xx:xx:xx:xx" and its NUL */

/* snake_case name of an enum ecmp_reason ("no_route"); "unknown" else. */
const char *text_reason(int reason);
/* Name of an enum ecmp_nh_state ("up", "unresolved"); "unknown" else. */
const char *text_nh_state(int state);
/* Where a route through this group comes from, by the group's name:
 * "config", "kernel" or "fpm" (no group: the kernel's own route). */
const char *text_route_source(const char *group);
char *text_mac(const uint8_t mac[6], char buf[TEXT_MAC_LEN]);
/* An address of ECMP_AF_INET or ECMP_AF_INET6 (the ABI's families). */
char *text_addr(uint8_t family, const void *addr, char *buf, size_t len);
/* "ADDR/LEN", a prefix as ip route names it (TEXT_PREFIX_LEN holds any). */
#define TEXT_PREFIX_LEN	(INET6_ADDRSTRLEN + 4)	/* and "/128" */
char *text_prefix(uint8_t family, const void *addr, unsigned int len, char *buf, size_t size);
/* ADDR[/LEN], IPv4 or IPv6 (no LEN: a host): its family (ECMP_AF_*),
 * length and address with the host bits cleared. 0 or -EINVAL. */
int text_parse_prefix(const char *s, uint8_t *family, uint8_t *len, uint8_t addr[16]);

/* A sentence built piece by piece into a fixed buffer: what does not fit
 * is cut, and the buffer stays a string. */
struct text_buf {
	char *s;
	size_t size, len;
};
#define TEXT_BUF(array)	((struct text_buf){ (array), sizeof(array), 0 })
void text_put(struct text_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* " WHAT LO" or " WHAT LO-HI", a port range as ip rule and kernel-path
 * lines write it. */
void text_put_ports(struct text_buf *b, const char *what, unsigned lo, unsigned hi);

#endif /* ECMP_TEXT_H */
