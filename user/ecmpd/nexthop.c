// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Nexthops: what makes one usable and the order of writes when that
 * changes. Going down: clear ECMP_NH_USABLE (one store; from the next packet
 * on the data path probes past it), then move its buckets. Coming up: write
 * MACs and egress first, set the flag last (release store), then give it
 * buckets back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <linux/neighbour.h>

#include "bfd/bfd.h"
#include "xdp_features.h"
#include "plane.h"
#include "lib/array.h"
#include "lib/clock.h"
#include "lib/text.h"
#include "lib/log.h"

int nh_find(const struct plane *p, const char *name)
{
	uint32_t i;

	for (i = 0; i < p->dp.max_entries[DP_NEXTHOPS]; i++)
		if (p->nh[i].in_use && !strcmp(p->nh[i].c.name, name))
			return i;
	return -1;
}

int nh_alloc(struct plane *p)
{
	uint32_t i;

	for (i = 0; i < p->dp.max_entries[DP_NEXTHOPS]; i++)
		if (!p->nh[i].in_use)
			return i;
	return -ENOSPC;
}

static uint8_t nh_bfd_state(const struct plane *p, uint32_t id)
{
	return p->nh_bfd ? __atomic_load_n(&p->nh_bfd[id], __ATOMIC_SEQ_CST) : NH_BFD_WAIT;
}

/* BFD agrees to the nexthop being used: Up, or not Up yet but inside the
 * start-up grace of a nexthop that was already in the data path. */
static int nh_bfd_ok(const struct plane *p, uint32_t id)
{
	uint8_t b = nh_bfd_state(p, id);

	return b == NH_BFD_UP ||
	       (b == NH_BFD_WAIT && p->now_ms < p->nh[id].bfd_grace_until_ms);
}

int nh_state(const struct plane *p, uint32_t id)
{
	const struct nh *n = &p->nh[id];
	const struct link_state *l = plane_link(p, n->ifindex);

	if (!n->in_use)
		return ECMP_NH_STATE_UNUSED;
	if (n->drained)
		return ECMP_NH_STATE_DRAIN;
	if (!l || !l->up || (n->nud & NUD_FAILED))
		return ECMP_NH_STATE_DOWN;
	/* INCOMPLETE with a MAC in hand: re-resolving after a flush. */
	if (!n->has_mac || !l->has_mac ||
	    !(nl_is_nud_usable(n->nud) || (n->nud & NUD_INCOMPLETE)))
		return ECMP_NH_STATE_UNRESOLVED;
	if (n->c.bfd && !nh_bfd_ok(p, id))
		return ECMP_NH_STATE_DOWN;
	return ECMP_NH_STATE_UP;
}

const char *nh_reason(const struct plane *p, uint32_t id)
{
	const struct nh *n = &p->nh[id];
	const struct link_state *l = plane_link(p, n->ifindex);

	switch (nh_state(p, id)) {
	case ECMP_NH_STATE_UNUSED:
		return "not configured";
	case ECMP_NH_STATE_DRAIN:
		return "drained by request";
	case ECMP_NH_STATE_UNRESOLVED:
		return !l || !l->has_mac ? "interface has no MAC" : "neighbour unresolved";
	case ECMP_NH_STATE_DOWN:
		if (!l)
			return "interface gone";
		if (!l->up)
			return "link down";
		if (n->nud & NUD_FAILED)
			return "neighbour failed";
		return nh_bfd_state(p, id) == NH_BFD_DOWN ? "bfd down" : "bfd not up yet";
	}
	return "up";
}

void nh_write_meta(struct plane *p, uint32_t id)
{
	const struct nh *n = &p->nh[id];
	const struct link_state *l = plane_link(p, n->ifindex);
	struct ecmp_nh_meta m = { 0 };

	if (n->in_use) {
		snprintf(m.name, sizeof(m.name), "%s", n->c.name);
		memcpy(m.via, n->c.via, 16);
		m.family = n->c.family;
		m.state = nh_state(p, id);
		m.vlan = n->c.vlan;
		m.weight = n->c.weight;
		m.ifindex = n->ifindex;
		m.flags = (n->drained ? ECMP_NH_META_DRAINED : 0) |
			  (n->c.bfd ? ECMP_NH_META_BFD : 0) |
			  (n->c.bfd && nh_bfd_state(p, id) == NH_BFD_UP ?
			   ECMP_NH_META_BFD_UP : 0) |
			  (l && l->up ? ECMP_NH_META_LINK_UP : 0) |
			  (l && l->xdp_xmit == LINK_XDP_XMIT_NO ? ECMP_NH_META_NO_XDP_XMIT : 0);
	}
	if (bpf_map_update_elem(p->dp.fd[DP_NH_META], &id, &m, 0))
		pr_warn("Failed to write metadata of nexthop %s: %s", n->c.name,
			strerror(errno));
}

/* The data path's flags for usable nexthop n on link l. The kernel names
 * only a link-local IPv6 router in a redirect (ndisc_send_redirect). */
static uint16_t nh_dp_flags(const struct nh *n, const struct link_state *l)
{
	int global6 = n->c.family == ECMP_AF_INET6 &&
		      !IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)n->c.via);

	return ECMP_NH_USABLE |
	       (l->xdp_xmit == LINK_XDP_XMIT_NO ? ECMP_NH_NO_XDP_XMIT : 0) |
	       (global6 ? ECMP_NH_NO_REDIRECT : 0);
}

/* The link's MTU as the data path compares it (0: not checked). */
static uint16_t nh_dp_mtu(const struct link_state *l)
{
	return l->mtu > 0xffff ? 0xffff : l->mtu;
}

void nh_refresh(struct plane *p, uint32_t id)
{
	struct nh *n = &p->nh[id];
	struct ecmp_nexthop *d = &p->dp.nexthops[id];
	const struct link_state *l = plane_link(p, n->ifindex);
	int want = nh_state(p, id) == ECMP_NH_STATE_UP;
	uint16_t tci = htons(n->c.vlan);

	if (!want) {
		if (n->usable) {
			__atomic_store_n(&d->flags, 0, __ATOMIC_RELEASE);
			n->usable = 0;
			pr_info("nexthop %s: %s (%s), taken out of the data path",
				n->c.name, text_nh_state(nh_state(p, id)), nh_reason(p, id));
			events_nexthop(p->events, n->c.name, text_nh_state(nh_state(p, id)),
				       nh_reason(p, id));
			grp_on_nexthop_change(p, id, 0);
		}
		nh_write_meta(p, id);
		return;
	}
	/* MTU and XDP transmit change in place: each is one store the data
	 * path reads whole, and either value is safe for a frame. */
	__atomic_store_n(&d->mtu, nh_dp_mtu(l), __ATOMIC_RELAXED);
	if (n->usable && !memcmp(d->dmac, n->mac, 6) &&
	    !memcmp(d->smac, l->mac, 6) && d->ifindex == n->ifindex &&
	    d->vlan_tci == tci) {
		if (d->flags != nh_dp_flags(n, l))
			__atomic_store_n(&d->flags, nh_dp_flags(n, l), __ATOMIC_SEQ_CST);
		nh_write_meta(p, id);
		return;
	}
	/* A change under a usable nexthop (new MAC): out first, so no packet
	 * sees half an address, then back in. */
	if (n->usable)
		__atomic_store_n(&d->flags, 0, __ATOMIC_RELEASE);
	memcpy(d->dmac, n->mac, 6);
	memcpy(d->smac, l->mac, 6);
	d->ifindex = n->ifindex;
	d->vlan_tci = tci;
	__atomic_store_n(&d->flags, nh_dp_flags(n, l), __ATOMIC_SEQ_CST);
	/* The BFD thread stores NH_BFD_DOWN, then clears the flag. Storing
	 * the flag, then loading the BFD state (all sequentially consistent)
	 * means one of us sees the other: a session lost in between never
	 * leaves the flag set. */
	if (n->c.bfd && nh_bfd_state(p, id) == NH_BFD_DOWN) {
		__atomic_store_n(&d->flags, 0, __ATOMIC_SEQ_CST);
		if (n->usable) {
			n->usable = 0;
			pr_info("nexthop %s: down (bfd down), taken out of the data path",
				n->c.name);
			events_nexthop(p->events, n->c.name, "down", "bfd down");
			grp_on_nexthop_change(p, id, 0);
		}
		nh_write_meta(p, id);
		return;
	}
	nh_write_meta(p, id);
	if (!n->usable) {
		char mac[TEXT_MAC_LEN];

		text_mac(n->mac, mac);
		n->usable = 1;
		pr_info("nexthop %s: up (%s)", n->c.name, mac);
		events_nexthop(p->events, n->c.name, "up", NULL);
		if (l->xdp_xmit == LINK_XDP_XMIT_NO)
			pr_warn("nexthop %s: interface %s cannot transmit XDP frames (its "
				"xdp-features lack ndo-xmit): XDP hands its frames to the tc "
				"ingress hook, or else to the kernel (docs/OPERATIONS.md)",
				n->c.name, n->c.dev);
		grp_on_nexthop_change(p, id, 1);
	}
}

void nh_refresh_all(struct plane *p)
{
	uint32_t i;

	for (i = 0; i < p->dp.max_entries[DP_NEXTHOPS]; i++)
		if (p->nh[i].in_use)
			nh_refresh(p, i);
}

/* Asks the kernel whether the link takes redirected XDP frames, and says
 * so when that changes for a link nexthops use. */
static void link_learn_xdp_xmit(struct plane *p, struct link_state *s,
				const char *name)
{
	int64_t f = p->xdpf ? xdpf_get(p->xdpf, s->ifindex) : -EOPNOTSUPP;
	int was = s->xdp_xmit;
	uint32_t i;

	if (f == -EOPNOTSUPP && p->xdpf && !p->xdpf_said) {
		p->xdpf_said = 1;
		pr_info("this kernel has no xdp-features (netdev netlink family, 6.3+): every "
			"egress device is taken to transmit XDP frames; `ecmpctl stats` shows "
			"the devices' XDP transmit errors where drivers count them");
	}
	s->xdp_xmit = f < 0 ? LINK_XDP_XMIT_UNKNOWN :
		      (f & XDPF_ACT_NDO_XMIT) ? LINK_XDP_XMIT_YES : LINK_XDP_XMIT_NO;
	if (s->xdp_xmit == was)
		return;
	for (i = 0; i < p->dp.max_entries[DP_NEXTHOPS]; i++) {
		if (!p->nh[i].in_use || p->nh[i].ifindex != (uint32_t)s->ifindex)
			continue;
		if (s->xdp_xmit == LINK_XDP_XMIT_NO)
			pr_warn("interface %s can no longer transmit XDP frames (its xdp-features "
				"lack ndo-xmit): XDP hands the frames of its nexthops to the tc "
				"ingress hook, or else to the kernel (docs/OPERATIONS.md)", name);
		else if (was == LINK_XDP_XMIT_NO)
			pr_info("interface %s transmits XDP frames again", name);
		break;
	}
}

void nh_on_link(struct plane *p, const struct nl_link *l)
{
	struct link_state *s = (struct link_state *)plane_link(p, l->ifindex);
	int pos = plane_link_pos(p, l->ifindex);
	uint32_t i;

	if (l->deleted) {
		if (s)
			memmove(s, s + 1, (--p->nlinks - pos) * sizeof(*s));
	} else {
		if (!s) {
			if (p->nlinks == p->link_cap &&
			    array_reserve(&p->link, &p->link_cap, 2 * p->nlinks + 64, sizeof(*p->link))) {
				pr_warn("Out of memory for interface %s: its nexthops stay down", l->name);
				return;
			}
			s = &p->link[pos];
			memmove(s + 1, s, (p->nlinks++ - pos) * sizeof(*s));
			memset(s, 0, sizeof(*s));
			s->ifindex = l->ifindex;
		}
		s->up = l->up;
		s->has_mac = l->has_mac;
		memcpy(s->mac, l->mac, 6);
		memcpy(s->kind, l->kind, sizeof(s->kind));
		s->parent = l->parent;
		s->vlan_id = l->vlan_id;
		s->mtu = l->mtu;
		link_learn_xdp_xmit(p, s, l->name);
	}
	for (i = 0; i < p->dp.max_entries[DP_NEXTHOPS]; i++) {
		struct nh *n = &p->nh[i];

		if (!n->in_use)
			continue;
		/* An interface recreated under the same name. */
		if (!l->deleted && l->name[0] && !strcmp(n->c.dev, l->name) &&
		    n->ifindex != (uint32_t)l->ifindex) {
			n->ifindex = l->ifindex;
			n->has_mac = 0;
			n->nud = 0;
		}
		if (n->ifindex == (uint32_t)l->ifindex) {
			/* A link change starts the neighbour story over: the
			 * kernel flushes entries on carrier loss, which is not
			 * the admin flush that reresolving tracks. */
			n->reresolving = 0;
			n->probe_ms = 0;	/* re-confirm the MAC at the next tick */
			nh_refresh(p, i);
		}
	}
	iface_sync(p);
	if (l->deleted || !l->up)
		return;
	nh_sync_tx_ports(p);
}

void nh_on_neigh(struct plane *p, const struct nl_neigh *nb)
{
	size_t alen = nb->family == ECMP_AF_INET ? 4 : 16;
	uint32_t i;

	for (i = 0; i < p->dp.max_entries[DP_NEXTHOPS]; i++) {
		struct nh *n = &p->nh[i];

		if (!n->in_use || n->ifindex != (uint32_t)nb->ifindex ||
		    n->c.family != nb->family || memcmp(n->c.via, nb->addr, alen))
			continue;
		n->neigh_exists = !nb->deleted;
		n->neigh_foreign = !nb->deleted && nl_neigh_is_foreign(nb);
		if (n->has_mac && !n->reresolving &&
		    (nb->deleted || ((nb->state & NUD_FAILED) &&
				     !(n->nud & (NUD_INCOMPLETE | NUD_PROBE))))) {
			/* Deleted, or FAILED straight from a good state: that
			 * is `ip neigh flush/del/change`, never the kernel's
			 * own verdict (it fails an entry only after probing
			 * it). Keep the MAC we know, as the kernel keeps a
			 * STALE one, and re-resolve now: a dead neighbour
			 * then ends FAILED after INCOMPLETE, and goes. */
			n->nud = NUD_STALE;
			n->probe_ms = p->now_ms;
			n->reresolving = 1;
		} else if (nb->deleted) {
			if (!n->reresolving)	/* the flush's own delete */
				n->nud = 0;
		} else {
			n->nud = nb->state;
			/* FAILED/INCOMPLETE entries may carry no (or an old)
			 * address: only a usable state brings a MAC, and only
			 * FAILED takes ours away (INCOMPLETE while we hold
			 * one is the re-resolution above). */
			if (nb->has_mac && nl_is_nud_usable(nb->state)) {
				memcpy(n->mac, nb->mac, 6);
				n->has_mac = 1;
				n->reresolving = 0;
			} else if (nb->state & NUD_FAILED) {
				n->has_mac = 0;
				n->reresolving = 0;
			}
		}
		nh_refresh(p, i);
		/* Deleted or flushed: ask again at once. */
		if (n->probe_ms == p->now_ms && p->nl && !n->neigh_foreign &&
		    nl_neigh_use(p->nl, n->ifindex, n->c.family, n->c.via,
				 n->neigh_exists))
			pr_debug("nexthop %s: neighbour request failed: %s", n->c.name,
				 strerror(errno));
	}
}

void nh_probe(struct plane *p)
{
	uint32_t i;

	if (!p->nl)
		return;
	for (i = 0; i < p->dp.max_entries[DP_NEXTHOPS]; i++) {
		struct nh *n = &p->nh[i];
		const struct link_state *l = plane_link(p, n->ifindex);
		/* Unresolved: every second. Resolved: re-confirm well inside
		 * the kernel's stale-entry garbage collection (60 s), which
		 * also notices a dead nexthop without BFD. */
		uint64_t every = n->has_mac ? p->neigh_reconfirm_ms : 1000;

		if (!n->in_use || !l || !l->up || n->drained || n->neigh_foreign ||
		    p->now_ms - n->probe_ms < every)
			continue;
		n->probe_ms = p->now_ms;
		if (nl_neigh_use(p->nl, n->ifindex, n->c.family, n->c.via,
				 n->neigh_exists))
			pr_debug("nexthop %s: neighbour request failed: %s",
				 n->c.name, strerror(errno));
	}
}

void nh_bfd_grace_tick(struct plane *p)
{
	uint32_t i;

	for (i = 0; i < p->dp.max_entries[DP_NEXTHOPS]; i++) {
		struct nh *n = &p->nh[i];

		if (!n->bfd_grace_until_ms || p->now_ms < n->bfd_grace_until_ms)
			continue;
		n->bfd_grace_until_ms = 0;
		if (n->in_use && n->c.bfd && nh_bfd_state(p, i) != NH_BFD_UP)
			pr_warn("nexthop %s: BFD session not up %d s after start, taking it out",
				n->c.name, NH_BFD_GRACE_MS / 1000);
		if (n->in_use)
			nh_refresh(p, i);
	}
}

void nh_on_bfd(struct plane *p)
{
	uint32_t i;

	for (i = 0; i < p->dp.max_entries[DP_NEXTHOPS]; i++) {
		if (!__atomic_exchange_n(&p->bfd_changed[i], 0, __ATOMIC_SEQ_CST))
			continue;
		/* Up again: the grace is over, the session speaks for itself. */
		p->nh[i].bfd_grace_until_ms = 0;
		if (p->nh[i].in_use)
			nh_refresh(p, i);
	}
}

/* An egress interface that ecmp_tx_ports has no room for ('limits egress'):
 * said once while it lasts. Frames to its nexthops go to the kernel
 * (ECMP_PASS_NO_EGRESS), which forwards them on its own routes. */
static void tx_port_refused(struct plane *p, uint32_t ifindex, int err)
{
	struct link_state *l = (struct link_state *)plane_link(p, ifindex);
	const char *dev = "?";
	uint32_t i;

	if (l && l->tx_refused)
		return;
	if (l)
		l->tx_refused = 1;
	for (i = 0; i < p->dp.max_entries[DP_NEXTHOPS]; i++)
		if (p->nh[i].in_use && p->nh[i].ifindex == ifindex) {
			dev = p->nh[i].c.dev;
			break;
		}
	if (err == -E2BIG)
		pr_warn("egress %s (ifindex %u): %s is full, %u interfaces; its nexthops' frames go through the kernel until one frees up. Raise 'limits egress N' (a restart with 'ecmpctl shutdown --detach' first)",
			dev, ifindex, ECMP_MAP_TX_PORTS, p->dp.max_entries[DP_TX_PORTS]);
	else
		pr_warn("Failed to add egress %s (ifindex %u) to %s: %s; its nexthops' frames go through the kernel",
			dev, ifindex, ECMP_MAP_TX_PORTS, strerror(-err));
}

int nh_sync_tx_ports(struct plane *p)
{
	int fd = p->dp.fd[DP_TX_PORTS], err = 0;
	uint32_t max = p->dp.max_entries[DP_TX_PORTS], nnh = p->dp.max_entries[DP_NEXTHOPS];
	uint32_t *want = malloc((nnh + 1) * sizeof(*want)), *have = malloc((max + 1) * sizeof(*have));
	uint32_t nwant = 0, nhave = 0, i, key, *cur = NULL;

	if (!want || !have) {
		free(want);
		free(have);
		pr_warn("Failed to update %s: out of memory", ECMP_MAP_TX_PORTS);
		return -ENOMEM;
	}
	/* Sets, not a scan per entry: a full table's mirror has thousands of
	 * nexthops, and this runs at each change of them. */
	for (i = 0; i < nnh; i++)
		if (p->nh[i].in_use && p->nh[i].ifindex)
			want[nwant++] = p->nh[i].ifindex;
	nwant = array_set_u32(want, nwant);
	while (nhave < max + 1 && !bpf_map_get_next_key(fd, cur, &key)) {
		have[nhave] = key;
		cur = &have[nhave++];
	}
	nhave = array_set_u32(have, nhave);
	/* What no nexthop uses goes first: a full map may need its room. */
	for (i = 0; i < nhave; i++)
		if (!array_set_has_u32(want, nwant, have[i]) && bpf_map_delete_elem(fd, &have[i]) && errno != ENOENT)
			pr_warn("Failed to remove ifindex %u from %s: %s", have[i],
				ECMP_MAP_TX_PORTS, strerror(errno));
	for (i = 0; i < nwant; i++) {
		struct bpf_devmap_val val = { .ifindex = want[i] };
		struct link_state *l = (struct link_state *)plane_link(p, want[i]);

		if (array_set_has_u32(have, nhave, want[i]))
			continue;
		if (bpf_map_update_elem(fd, &want[i], &val, 0)) {
			err = -errno;
			tx_port_refused(p, want[i], err);
			continue;
		}
		if (l && l->tx_refused) {
			l->tx_refused = 0;
			pr_info("egress ifindex %u: in %s now; its nexthops forward in XDP again",
				want[i], ECMP_MAP_TX_PORTS);
		}
	}
	free(want);
	free(have);
	return err;
}
