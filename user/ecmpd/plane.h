/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ecmpd's view of the forwarding plane: nexthops, groups and routes as the
 * config and the kernel describe them, kept in step with the pinned maps.
 *  - nexthop.c: per nexthop, link/neighbour/drain state -> usable flag,
 *    MACs and the egress devmap, written in the order that keeps the data
 *    path safe (flag cleared before anything moves, set last).
 *  - group.c:   bucket tables in ecmp_buckets, rebalanced with bucket.c and
 *    written as a diff of single 32-bit stores; slot allocation.
 *  - kernel_path.c: the traffic kept on the kernel's path (firewalls).
 *  - route.c:   configured routes and the router's own addresses in the
 *    trie (lpm.c) and in ecmp_routes.
 *  - plane.c:   a whole config applied as a difference, adoption of the
 *    pinned state after a restart, the links ecmpd follows.
 * Functions return 0 or a negative errno; they log what they change.
 */
#ifndef ECMP_PLANE_H
#define ECMP_PLANE_H

#include <stdint.h>

#include "lib/bucket.h"
#include "config.h"
#include "events.h"
#include "lib/dp_maps.h"
#include "lib/lpm.h"
#include "netlink.h"

struct route_set;

struct nh {
	int in_use;
	struct conf_nexthop c;
	uint32_t ifindex;
	uint8_t mac[6];
	int has_mac;
	uint16_t nud;		/* NUD_*, 0 when no entry */
	int neigh_exists;	/* the kernel has an entry (last event) */
	int neigh_foreign;	/* it is the operator's: read, never asked about */
	int reresolving;	/* flushed while good: asked the kernel again */
	int drained;
	int usable;		/* as written to the data path */
	uint64_t probe_ms;	/* last NTF_USE sent */
	/* A nexthop in the data path when ecmpd (re)started, or when bfd was
	 * added to it, stays there while its session first comes up. */
	uint64_t bfd_grace_until_ms;
};

struct grp {
	int in_use;
	char name[ECMP_NAME_MAX];
	uint32_t base, nbuckets;
	int nmembers;
	uint32_t member[ECMP_MAX_GROUP_MEMBERS];	/* nexthop ids */
	uint32_t weight[ECMP_MAX_GROUP_MEMBERS];
	uint32_t idle_timer_ms, unbalanced_timer_ms;
	uint64_t unbalanced_since_ms;		/* 0: balanced */
	/* Where each member's buckets are (pos[] in plane.ix_pos at the
	 * table's base): a failure re-homes them without a table pass. */
	struct bucket_index ix;
};

struct link_state {
	int ifindex;
	int up;
	uint8_t mac[6];
	int has_mac;
	char kind[16];		/* rtnetlink's link kind, "" for hardware */
	int parent;		/* a VLAN's lower interface */
	uint16_t vlan_id;	/* kind "vlan": its VID */
	uint32_t mtu;		/* L3 bytes; 0: not known */
	int xdp_xmit;		/* enum link_xdp_xmit */
	int tx_refused;		/* ecmp_tx_ports had no room for it (said once) */
};

/* Whether the device takes redirected XDP frames (xdp_features.h). */
enum link_xdp_xmit {
	LINK_XDP_XMIT_UNKNOWN = 0,	/* kernel before 6.3: assumed yes */
	LINK_XDP_XMIT_YES,
	LINK_XDP_XMIT_NO,
};

/* An interface the data path runs on (config `interface`), by name. */
struct plane_iface {
	char name[IF_NAMESIZE];
	uint32_t ifindex;		/* 0: not there (set by iface_sync) */
};

struct local_addr {
	uint8_t family;
	uint8_t addr[16];
	uint8_t prefixlen;	/* of its connected subnet */
	int ifindex;
};

#define PLANE_NEIGH_RECONFIRM_MS	15000

struct plane {
	struct ecmp_dp dp;
	struct lpm *lpm;
	struct nl *nl;			/* for neighbour probes; may be NULL */
	struct xdpf *xdpf;		/* xdp-features queries; may be NULL */
	int xdpf_said;			/* logged that the kernel has none */
	struct nh *nh;			/* dp.max_entries[DP_NEXTHOPS] */
	struct grp *grp;		/* dp.max_entries[DP_GROUPS] */
	uint8_t *slot_used;		/* bucket slot allocation map */
	uint32_t slots_free;		/* its zeros (slot 0 aside) */
	uint16_t *ix_pos;		/* bucket index storage, per slot */
	/* The namespace's interfaces, sorted by ifindex (plane_link()
	 * searches it for every nexthop at each tick); grown as they come:
	 * a router may have thousands (VLANs, a node's pods). */
	struct link_state *link;
	int nlinks, link_cap;
	/* The router's own addresses, one element per address, interface
	 * and prefix length, sorted by family and address (a patch asks
	 * whether its prefix holds one); grown as they come: a node may
	 * have thousands (kube-proxy's IPVS puts each service's). */
	struct local_addr *local;
	int nlocal, local_cap;
	/* Those no frame is forwarded to (ecmp_martian.h: loopback,
	 * link-local...), sorted too: no entry, known only to tell news. */
	struct local_addr *unrouted;
	int nunrouted, unrouted_cap;
	/* The config routes overridden by an address's entry (its subnet
	 * or host prefix), with their own leaves: what the entry goes back
	 * to when the address goes (route_local.c). NULL: every address
	 * event builds the whole table. */
	struct route_set *under;
	/* How many of p->local have each subnet (its leaf: the count). */
	struct route_set *subnets;
	struct plane_iface iface[CONF_MAX_IFACES];
	int niface;
	int ifaces_known;		/* iface[] holds a config's (not yet at start) */
	uint64_t seed[2];
	uint32_t hash_flags;
	uint64_t now_ms;		/* CLOCK_MONOTONIC, set by the caller */
	/* How often a resolved nexthop's neighbour is re-confirmed (an
	 * unresolved one is asked about every second). */
	uint32_t neigh_reconfirm_ms;
	/* Shared with the BFD thread (bfd.h), one byte per nexthop id,
	 * accessed with atomics: enum nh_bfd, and "refresh me" marks. */
	uint8_t *nh_bfd;
	uint8_t *bfd_changed;
	/* Counters for ecmpctl and tests. */
	uint64_t buckets_moved, tables_written;
	uint64_t trie_compactions, trie_chunks_back;	/* lpm_compact() */
	/* Address events inside a routed prefix: their entries changed
	 * alone, or the whole table built (a patch that could not be made). */
	uint64_t addr_patches, addr_rebuilds;
	int apply_partial;		/* the last plane_apply() left part of its config */
	uint32_t fail_route_update;	/* --fail-route-update: countdown; 0 never */
	int quiet_groups;		/* per-group lines at debug level */
	struct events *events;		/* ecmpctl monitor; may be NULL */
	uint64_t onlink_read_ms;	/* send_redirects last read (onlink.c) */
	int onlink_full_said;
};


/* Above this many groups touched by one nexthop change, one summary line. */
#define GRP_LOG_EACH	16

/* ---- nexthop.c ---- */
int nh_find(const struct plane *p, const char *name);
int nh_alloc(struct plane *p);
/* Recomputes one nexthop's usability from its state and writes what
 * changed; reacts in its groups. */
void nh_refresh(struct plane *p, uint32_t id);
void nh_refresh_all(struct plane *p);
/* Writes the metadata entry (name, config, state) of one nexthop. */
void nh_write_meta(struct plane *p, uint32_t id);
/* Kernel events. */
void nh_on_link(struct plane *p, const struct nl_link *l);
void nh_on_neigh(struct plane *p, const struct nl_neigh *n);
/* Periodic: resolve unresolved nexthops, re-confirm the others. */
void nh_probe(struct plane *p);
/* Periodic: nexthops whose BFD start-up grace ran out are re-checked. */
void nh_bfd_grace_tick(struct plane *p);
/* Refreshes the nexthops the BFD thread marked. */
void nh_on_bfd(struct plane *p);
/* How long a nexthop found in the data path keeps its place while its BFD
 * session comes up after a restart (1 s slow-start packets: Down, Init, Up). */
#define NH_BFD_GRACE_MS	5000
/* Keeps ecmp_tx_ports holding exactly the egress interfaces in use, as
 * far as 'limits egress' lets it: 0, or the last -errno (said). */
int nh_sync_tx_ports(struct plane *p);
int nh_state(const struct plane *p, uint32_t id);
/* Why a nexthop is not up, in a few words ("link down", "bfd down"...). */
const char *nh_reason(const struct plane *p, uint32_t id);

/* ---- slots.c: where each group's table lies in ecmp_buckets ---- */
/* Reserves n contiguous bucket slots; returns the base or -ENOSPC. */
int64_t grp_slots_alloc(struct plane *p, uint32_t n);
void grp_slots_free(struct plane *p, uint32_t base, uint32_t n);
uint32_t grp_slots_free_count(const struct plane *p);
uint32_t grp_slots_largest_run(const struct plane *p);
/* Counts the free slots from the map (once, when the plane opens). */
void grp_slots_count(struct plane *p);
/* One table a change takes: n slots in one run, then (a resize) group
 * `resized`'s table where it is then given back; -1 for a new group. By
 * group, not by place: moving the tables together moves that one too. */
struct slot_step {
	uint32_t n;
	int resized;
};
/* 0 when the steps, in order, each find a run; the tables in use are
 * moved together first (no flow moves) if only holes stand in the way.
 * -ENOSPC when they do not fit even so. */
int grp_slots_make_room(struct plane *p, const struct slot_step *s, int n);


/* ---- group.c ---- */
int grp_find(const struct plane *p, const char *name);
int grp_alloc(struct plane *p);
/* Rebalances a group's table from its members' usability. mode: */
enum grp_mode {
	GRP_FAILOVER,		/* re-home orphans only */
	GRP_SETTLE,		/* balance, idle buckets only until the bound */
	GRP_FORCE,		/* balance now */
};
int grp_rebalance(struct plane *p, uint32_t gid, enum grp_mode mode);
/* Builds the group's bucket index from its table (after adoption). */
void grp_index_refresh(struct plane *p, uint32_t gid);
/* Groups with the nexthop as a member. */
void grp_on_nexthop_change(struct plane *p, uint32_t nh_id, int usable);
/* Periodic: settle unbalanced groups, forcing after unbalanced_timer. */
void grp_tick(struct plane *p);
/* Publishes table base/size as one 64-bit store. */
void grp_publish(struct plane *p, uint32_t gid);
void grp_write_meta(struct plane *p, uint32_t gid);
int grp_has_member(const struct grp *g, uint32_t nh_id);

/* ---- route.c ---- */
/* Makes the trie and ecmp_routes hold exactly the config's routes plus a
 * local entry for each own address inside them. With dry_run, only checks
 * that the trie pool is large enough. */
int route_sync(struct plane *p, const struct ecmp_conf *conf, int dry_run,
	       char *err, size_t errlen);
/* One route set (leaf) or removed alone, for a mirror patch; the entries
 * of the router's addresses inside it follow. -EAGAIN when it would take
 * the trie room kept for changes (or the address indexes are missing),
 * -ENOSPC when the trie is full: a whole build then. */
int route_patch(struct plane *p, const struct lpm_route *r, int remove);
/* route_patch() without the address check: the trie and ecmp_routes. */
int route_write(struct plane *p, const struct lpm_route *r, int remove);

/* ---- route_local.c ---- */
/* An address of the router added or removed (its host and subnet
 * entries follow when conf is given): 1 when it is news, 0 when the
 * plane knew it so already. */
int route_on_addr(struct plane *p, const struct nl_addr *a,
		  const struct ecmp_conf *conf);
/* Whether an IPv4 address of the router's is on interface ifindex. */
int route_iface_has_ipv4(const struct plane *p, int ifindex);
/* Whether the prefix (masked) holds one of the router's addresses. */
int route_holds_local(const struct plane *p, uint8_t family, const uint8_t *addr,
		      uint8_t prefixlen);
/* route_patch() of a prefix that holds some: the route, then their
 * entries as the routes over them now say. */
int route_patch_local(struct plane *p, const struct lpm_route *r, int remove);
/* Counts anew, from p->local, what route_patch_local() and the address
 * events read (with each whole build). */
void route_local_reindex(struct plane *p);

/* ---- iface.c ---- */
/* Makes ecmp_ifaces describe exactly the config's ingress interfaces that
 * exist (MAC, and whether local senders feed them), and ecmp_vlans hold
 * the VLANs of their L3 VLAN subinterfaces (one tag, or two stacked),
 * from the links the plane follows. Called after a config is applied and
 * on link events. */
void iface_sync(struct plane *p);
/* Takes the config's ingress interfaces (not tc egress) for iface_sync. */
void iface_set(struct plane *p, const struct ecmp_conf *conf);

/* ---- onlink.c ---- */
/* Makes ecmp_onlink hold the subnets of the router's addresses on the
 * ingress interfaces and their VLAN subinterfaces whose hosts the kernel
 * sends ICMP redirects (IPv4: send_redirects; IPv6: always). Called by
 * iface_sync() and for address events on those devices. */
void onlink_sync(struct plane *p);
/* An address event on device ifindex: onlink_sync() when it matters. */
void onlink_on_addr(struct plane *p, int ifindex);
/* Periodic: send_redirects read again now and then (no event for it). */
void onlink_tick(struct plane *p);

/* ---- kernel_path.c ---- */
/* Makes ecmp_pass_rules hold the config's kernel-path rules, switched in
 * one store; writes nothing when they are unchanged. 0 or -errno (the old
 * rules then stay in force). */
int kpath_sync(struct plane *p, const struct ecmp_conf *conf);

/* ---- plane.c ---- */
/* Opens the plane over the pinned maps; adopts whatever state they hold. */
int plane_open(struct plane *p, const char *pin_root);
void plane_close(struct plane *p);
/* Applies conf as a difference from the current state. conf must have
 * passed config_load() and config_check_host(). On error err says why;
 * nothing the data path can see was changed, unless the route update
 * failed after its checks passed (memory, the kernel): then undo, the
 * config in force, is applied again (moving no flow), and apply_partial
 * says whether that failed too or there was no undo. */
int plane_apply(struct plane *p, const struct ecmp_conf *conf,
		const struct ecmp_conf *undo, char *err,
		size_t errlen);
/* Only what conf adds, for a route patch that needs a group the plane
 * lacks (the mirror's, mirror.h): conf's new nexthops (from index nh_from
 * on) and new groups (from grp_from on; a derived one from its source's
 * table), which no route uses yet. Nothing else is compared or changed.
 * 0, or -ENOSPC with err saying what lacks room (nothing written). */
int plane_add(struct plane *p, const struct ecmp_conf *conf, int nh_from, int grp_from,
	      char *err, size_t errlen);
/* Groups changed in place, for a nexthop object replaced (the mirror's,
 * mirror.h): conf's new nexthops (from index nh_from on), then conf's
 * groups listed (n indices into conf->group), which the plane has, take
 * their members, bucket count and timers as conf says, only the departed
 * members' flows moving. 0, or -ENOSPC / -ENOENT with err saying why
 * (nothing written). */
int plane_regroup(struct plane *p, const struct ecmp_conf *conf, int nh_from,
		  const int *group, int n, char *err, size_t errlen);
/* The groups and nexthops conf no longer has, once no route uses them:
 * out of the data path (a route patch's, as plane_apply() ends). */
void plane_drop(struct plane *p, const struct ecmp_conf *conf);
/* The link ecmpd follows with that ifindex, or NULL. */
const struct link_state *plane_link(const struct plane *p, int ifindex);
/* Where ifindex is in p->link, or would be inserted (nh_on_link()). */
int plane_link_pos(const struct plane *p, int ifindex);
/* Writes the epoch (time for last_seen) into the config map. */
void plane_tick_epoch(struct plane *p);

#endif /* ECMP_PLANE_H */
