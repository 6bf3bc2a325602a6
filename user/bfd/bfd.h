/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ecmpd's BFD: one session per nexthop configured with `bfd`, run by a
 * thread of its own so that nothing the main loop does (netlink dumps,
 * rewriting large bucket tables, parsing a config, a slow ecmpctl client)
 * delays a packet or a detection. The thread owns the sockets and a
 * timerfd armed for the earliest deadline of any session.
 *
 * When a session leaves Up, the thread itself takes the nexthop out of the
 * data path (one store to its flags in the mmapped nexthop array), then
 * wakes the main loop, which moves the buckets. Coming Up only wakes the
 * main loop: a nexthop goes back in through the usual checks (link,
 * neighbour, drain) and the restore rules.
 */
#ifndef ECMP_BFD_H
#define ECMP_BFD_H

#include <stdint.h>
#include <stdio.h>

#include "bfd_packet.h"
#include "lib/json.h"
#include <net/if.h>
#include "ecmp_shared.h"

/* What ecmpd knows of a nexthop's BFD session (nh_bfd[] in the plane). */
enum nh_bfd {
	NH_BFD_WAIT = 0,	/* not Up yet since the session started */
	NH_BFD_UP = 1,
	NH_BFD_DOWN = 2,	/* was Up, is not */
};

struct bfd_rt;

/* Starts the thread. nh_bfd (one byte per nexthop id) and nexthops (the
 * data path's array) are shared with the main loop; notify_fd is an
 * eventfd the thread writes when nexthop ids in changed[] need a refresh. */
int bfd_start(struct bfd_rt **rt, uint8_t *nh_bfd, uint8_t *changed,
	      struct ecmp_nexthop *nexthops, uint32_t max_nexthops);
/* Stops the thread; with admin_down, first tells every peer (AdminDown,
 * diag 7) so they take this node out gracefully. */
void bfd_stop(struct bfd_rt *rt, int admin_down);
int bfd_notify_fd(const struct bfd_rt *rt);

struct bfd_peer {
	uint32_t nh_id;
	char name[ECMP_NAME_MAX];
	uint8_t family;
	uint8_t addr[16];
	char dev[IF_NAMESIZE];
	uint32_t interval_ms, multiplier;
	struct bfd_auth_key key;
	int admin_down;
};

/* Makes the sessions exactly those of peers[] (matched by nexthop name):
 * new ones start Down, changed timers run a Poll Sequence, removed ones
 * go. Sockets are opened before anything changes; on error nothing did
 * and err says why. */
int bfd_sync(struct bfd_rt *rt, const struct bfd_peer *peers, int npeers,
	     char *err, size_t errlen);
/* Opens the receive sockets peers[] will need (the only step of a sync
 * that can fail for reasons outside the config: UDP 3784 taken), so a
 * reload can be refused before it changes anything. */
int bfd_prepare(struct bfd_rt *rt, const struct bfd_peer *peers, int npeers,
		char *err, size_t errlen);
/* Sessions on a device deleted and made again under its name (bound to
 * the old one by ifindex, they would never hear their peer again): each
 * on a socket of the new device, from the same source port, its state
 * kept. Returns how many moved. bfd_sync() does it too. */
int bfd_relink(struct bfd_rt *rt);
/* Admin down (drain) or back. */
void bfd_set_admin_down(struct bfd_rt *rt, const char *name, int admin_down);
/* Writes "sessions" (an array, one object per session) and "dropped"
 * (counts by reason) into the open object j: ecmpctl bfd show renders
 * them, the keys are its words. */
void bfd_show(struct bfd_rt *rt, struct json *j);
/* Calls fn for each session whose state changed since the last call (its
 * nexthop, the state, the local diagnostic when not Up); for monitors. */
void bfd_each_change(struct bfd_rt *rt,
		     void (*fn)(void *arg, const char *nexthop, const char *state,
				const char *diag),
		     void *arg);

#endif /* ECMP_BFD_H */
