/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The config parser's parts, and what they share; nothing here is for
 * the rest of ecmpd (config.h is). One file a family of statements:
 *
 *   config.c          lines into words, the statements' table, references
 *                     resolved once the file is read, load, copy, errors
 *   config_node.c     the node: seed, hash, interface, bfd, pin-root,
 *                     metrics, control, limits
 *   config_forward.c  what is forwarded: nexthop, group, route, kernel-path
 *   config_routes.c   routes from the routing daemon: routes kernel,
 *                     routes fpm
 *
 * A statement's function reads p->w[0..nw-1] and reports every error
 * with perr() (FILE:LINE: message); it never stops the parse.
 */
#ifndef ECMP_CONFIG_PARSE_H
#define ECMP_CONFIG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ecmp_shared.h"

/* Defined in config.h, which each part includes beside this header:
 * kept out of here, so no include cycle runs through config.c. */
struct ecmp_conf;
struct conf_nexthop;

#define CONF_MAX_WORDS 96

/* References resolved once the whole file is read. */
struct pending_member {
	int group;
	char name[ECMP_NAME_MAX];
	int line;
};

struct pending_route {
	int route;
	char group[ECMP_NAME_MAX];
};

struct parser {
	struct ecmp_conf *conf;
	const char *file;
	int line;
	char *w[CONF_MAX_WORDS];
	int nw;
	struct pending_member *pending;
	int npending, cap_pending;
	struct pending_route *proutes;
	int nproutes, cap_proutes;
	/* Nexthops and groups whose line was refused: a reference to one is
	 * not reported again as unknown (the first cause only). */
	struct failed_name {
		char kind;	/* 'n' nexthop, 'g' group */
		char name[ECMP_NAME_MAX];
	} *failed;
	int nfailed, cap_failed;
};

void conf_error(struct ecmp_conf *conf, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define perr(p, ...) conf_error((p)->conf, (p)->file, (p)->line, __VA_ARGS__)

/* Decimal in [min, max]. 0 or -EINVAL. */
int conf_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* Seconds, fractions allowed ("0.5"), into milliseconds. 0 or -EINVAL. */
int conf_parse_seconds(const char *s, uint32_t *ms);
/* 1 for a name of letters, digits and _.- that fits ECMP_NAME_MAX. */
int conf_valid_name(const char *s);
/* "ADDR" into family + bytes. 0 or -EINVAL. */
int conf_parse_addr(const char *s, uint8_t *family, uint8_t *addr);
/* "ADDR/LEN" with no host bits set; errors name the statement (what).
 * 0 or -1. */
int conf_parse_prefix(struct parser *p, const char *what, const char *word,
		      uint8_t *family, uint8_t *addr, uint8_t *len);
/* ADDR:PORT, [ADDR]:PORT, or the address alone when default_port is not
 * 0. 0 or -1. */
int conf_parse_listen(const char *s, uint16_t default_port, uint8_t *family,
		      uint8_t *addr, uint16_t *port);
/* The line's words from index from on, for a message (a static buffer). */
const char *conf_words_after(struct parser *p, int from);
/* arr with room for need elements (the new ones zeroed), or NULL with
 * arr left as it was. */
void *conf_grow(void *arr, int *cap, int need, size_t elem);

/* The options after 'bfd' from word i on: timers everywhere, auth on a
 * nexthop (nh != NULL), admin-down-on-exit globally. Returns the index of
 * the first word that is not a bfd option, or -1 after an error. */
int conf_parse_bfd_options(struct parser *p, int i, uint32_t *interval,
			   uint32_t *mult, struct conf_nexthop *nh);

/* config_node.c */
void st_seed(struct parser *p);
void st_hash(struct parser *p);
void st_interface(struct parser *p);
void st_bfd(struct parser *p);
void st_pin_root(struct parser *p);
void st_metrics(struct parser *p);
void st_control(struct parser *p);
void st_limits(struct parser *p);
/* config_forward.c */
void st_nexthop(struct parser *p);
void st_group(struct parser *p);
void st_route(struct parser *p);
void st_kernel_path(struct parser *p);
/* config_routes.c */
void st_routes(struct parser *p);

#endif /* ECMP_CONFIG_PARSE_H */
