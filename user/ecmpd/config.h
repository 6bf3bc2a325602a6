/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The ecmpd configuration file: parsed and validated into struct
 * ecmp_conf, with every error reported as "FILE:LINE: message". The grammar
 * is in docs/CONFIG.md. Parsing never touches the system; config_check_host()
 * adds the checks that need the kernel (interfaces exist).
 */
#ifndef ECMP_CONFIG_H
#define ECMP_CONFIG_H

#include <stdint.h>
#include <net/if.h>
#include "bfd/bfd_packet.h"
#include "ecmp_shared.h"

#define CONF_MAX_WEIGHT		1000
#define CONF_MAX_IFACES		64
#define CONF_MAX_ERRORS		64

enum conf_attach {
	ATTACH_XDP_NATIVE,
	ATTACH_XDP_GENERIC,
	ATTACH_NONE,		/* programs attached by someone else (xdp-loader) */
	ATTACH_TC_INGRESS,
	ATTACH_TC_EGRESS,
};

struct conf_iface {
	char name[IF_NAMESIZE];
	enum conf_attach attach;
	int line;
};

struct conf_nexthop {
	char name[ECMP_NAME_MAX];
	uint8_t family;			/* ECMP_AF_INET / ECMP_AF_INET6 */
	uint8_t via[16];
	char dev[IF_NAMESIZE];
	uint32_t weight;
	uint16_t vlan;			/* egress 802.1Q VID, 0 = untagged */
	int bfd;			/* BFD liveness wanted */
	uint32_t bfd_interval_ms;	/* 0 = the global default */
	uint32_t bfd_multiplier;
	/* Keyed SHA1: type and key id from the file, the secret read from
	 * bfd_secret_path by config_check_host(). */
	struct bfd_auth_key bfd_key;
	char bfd_secret_path[128];
	int line;
};

struct conf_group {
	char name[ECMP_NAME_MAX];
	/* A new group whose table starts as a copy of this existing one's
	 * (the same bucket count), so only departed members' flows move
	 * (mirrored routes whose nexthop set changed). "" for none. */
	char derive[ECMP_NAME_MAX];
	uint32_t buckets;
	int nmembers;
	int member[ECMP_MAX_GROUP_MEMBERS];	/* indexes into conf.nexthop */
	uint32_t idle_timer_ms;		/* a bucket idle this long may move */
	uint32_t unbalanced_timer_ms;	/* then balance regardless */
	int line;
};

struct conf_route {
	uint8_t family;
	uint8_t prefixlen;
	uint8_t addr[16];
	int group;			/* index into conf.group; -1: the
					 * kernel's (a mirrored route that
					 * cannot be forwarded here) */
	int line;
};

/* Traffic kept on the kernel's path (`kernel-path`): each rule becomes one
 * struct ecmp_pass_rule per family it covers. */
struct conf_pass {
	uint8_t family;			/* 0: both (no prefix given) */
	uint8_t proto;			/* 0: any */
	uint8_t src_len, dst_len;
	uint8_t src[16], dst[16];	/* masked; len 0 = any */
	uint16_t sport_lo, sport_hi;	/* 0-65535: any */
	uint16_t dport_lo, dport_hi;
	int line;
};

/* `routes kernel`: routes mirrored from one table of the kernel's FIB
 * (mirror.c), of the protocols in the bitmap. */
struct conf_kernel_routes {
	int enabled;
	uint32_t table;
	uint8_t proto[32];		/* bit p: RTPROT p is mirrored */
	int line;
};

static inline int conf_kernel_proto(const struct conf_kernel_routes *k,
				    uint8_t proto)
{
	return k->proto[proto / 8] >> (proto % 8) & 1;
}

/* `routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC]
 * [from ADDR[/LEN] ...]`: routes streamed by FRR zebra's Forwarding Plane
 * Manager (fpm.c). */
#define CONF_FPM_PORT		2620
#define CONF_FPM_HOLD_MS	120000
#define CONF_FPM_SWEEP_MS	30000
#define CONF_FPM_MAX_FROM	8

/* A prefix zebra may connect from (`from`). */
struct conf_from {
	uint8_t family, len;
	uint8_t addr[16];
};

struct conf_fpm {
	int enabled;
	uint8_t family;			/* ECMP_AF_* */
	uint8_t addr[16];
	uint16_t port;
	uint32_t table;			/* the kernel table zebra's routes name */
	uint32_t hold_ms;		/* keep a lost stream's routes this long */
	uint32_t sweep_ms;		/* after a connect, then sweep the stale */
	struct conf_from from[CONF_FPM_MAX_FROM];	/* none: any address */
	int nfrom;
	int line;
};

/* `limits`: the sizes of the maps (their kernel memory), fixed when ecmpd
 * creates them; defaults from ecmp_shared.h. */
struct conf_limits {
	uint32_t nexthops, groups;
	uint32_t buckets;		/* bucket slots of all groups together */
	uint32_t routes;		/* ecmp_routes: routes and own addresses */
	uint32_t chunks;		/* trie chunks (ecmp_lpm_node) */
	uint32_t egress;		/* egress interfaces (ecmp_tx_ports) */
	int line;
};

/* `metrics listen ADDR:PORT`: ecmpd serves /metrics over HTTP. */
struct conf_metrics {
	int enabled;
	uint8_t family;			/* ECMP_AF_* */
	uint8_t addr[16];
	uint16_t port;
	int line;
};

/* `bfd dev IFNAME [interval MS] [multiplier N]`: BFD for the nexthops
 * mirrored from the kernel (routes kernel) out of IFNAME. */
struct conf_bfd_dev {
	char dev[16];
	uint32_t interval_ms;		/* 0: the global default */
	uint32_t multiplier;
	int line;
};

#define CONF_MAX_BFD_DEVS	64

/* `control group NAME`: members may read through the control socket
 * (show, stats, lookup, monitor); changes stay root's. */
struct conf_control {
	char group[64];			/* "": the socket is root's alone */
	uint32_t gid;			/* looked up by config_check_host() */
	int line;
};

struct ecmp_conf {
	char path[256];
	int seed_auto;
	uint64_t seed[2];
	int seed_set;
	uint32_t hash_flags;		/* enum ecmp_hash_flags */
	uint32_t bfd_interval_ms;
	uint32_t bfd_multiplier;
	int bfd_admin_down_on_exit;	/* tell peers on orderly shutdown */
	char pin_root[128];

	struct conf_iface iface[CONF_MAX_IFACES];
	int niface;
	struct conf_nexthop *nexthop;
	int nnexthop, cap_nexthop;
	struct conf_group *group;
	int ngroup, cap_group;
	struct conf_route *route;
	int nroute, cap_route;
	struct conf_kernel_routes kernel_routes;
	struct conf_fpm fpm;
	struct conf_limits limits;
	struct conf_metrics metrics;
	struct conf_control control;
	struct conf_bfd_dev bfd_dev[CONF_MAX_BFD_DEVS];
	int nbfd_dev;
	struct conf_pass pass[ECMP_MAX_PASS_RULES];
	int npass;
	int npass_slots;		/* map slots they take (both families: 2) */

	/* Errors, "FILE:LINE: message", in line order (errors of the whole
	 * file, line 0, last). */
	char *error[CONF_MAX_ERRORS];
	int error_line[CONF_MAX_ERRORS];
	int nerror;
};

/* Parses path into conf (which must be zeroed or freed). Returns 0 when the
 * file is valid, -EINVAL with conf->error[] filled, or -errno when it cannot
 * be read (also reported in conf->error[0]). */
int config_load(struct ecmp_conf *conf, const char *path);
/* The same from a string (tests, fuzzing). name is used in messages. */
int config_parse(struct ecmp_conf *conf, const char *name, const char *text);
/* Checks what needs the running system: every interface named exists,
 * BFD secret files are root's alone and are read into the keys, the
 * control group exists.
 * Adds errors like config_load(). Returns 0 or -EINVAL. */
int config_check_host(struct ecmp_conf *conf);
void config_free(struct ecmp_conf *conf);
/* A deep copy of a valid config (without its errors), for adding the
 * mirrored routes to. 0 or -ENOMEM (dst is then empty). */
int config_copy(struct ecmp_conf *dst, const struct ecmp_conf *src);

int config_find_nexthop(const struct ecmp_conf *conf, const char *name);
/* The name of routing protocol num (rtm_protocol) as `routes kernel
 * protocol` takes it ("ospf"), or NULL for a number without one. */
const char *config_proto_name(unsigned num);
int config_find_group(const struct ecmp_conf *conf, const char *name);

/* ---- config_pass.c: kernel-path lines as selectors ---- */
/* The word kernel-path takes for IP protocol p ("tcp"), or NULL. */
const char *conf_ip_proto_name(unsigned p);
/* The kernel-path line that selects what sel selects (its ports 0-65535
 * when any), e.g. "kernel-path from 198.18.0.0/24 proto tcp dport 22";
 * what the parser reads back as sel. */
void conf_pass_format(const struct conf_pass *sel, char *buf, size_t n);
/* 1 when a kernel-path line of conf keeps every frame sel selects on the
 * kernel's path. */
int conf_pass_keeps(const struct ecmp_conf *conf, const struct conf_pass *sel);

/* Prints the errors to f, one per line. */
void config_print_errors(const struct ecmp_conf *conf, void *f);

#endif /* ECMP_CONFIG_H */
