// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmp_ifaces: the data path's ingress interfaces. Each gets its MAC (a
 * frame for another MAC is another station's, and goes to the kernel) and,
 * when local senders feed it (a veth or a tap: containers, VMs, test
 * harnesses), ECMP_IFACE_CSUM_FINISH: their checksums may be left to
 * offload, and XDP finishes them. Frames from a wire never are.
 */
#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "plane.h"
#include "lib/log.h"
#include "lib/text.h"

void iface_set(struct plane *p, const struct ecmp_conf *conf)
{
	int i;

	p->niface = 0;
	p->ifaces_known = 1;
	for (i = 0; i < conf->niface; i++) {
		if (conf->iface[i].attach == ATTACH_TC_EGRESS)
			continue;
		snprintf(p->iface[p->niface].name, IF_NAMESIZE, "%s", conf->iface[i].name);
		p->niface++;
	}
}

static int local_senders(const struct link_state *l)
{
	return !strcmp(l->kind, "veth") || !strcmp(l->kind, "tun") ||
	       !strcmp(l->kind, "netkit");
}

static int is_vlan_of(const struct link_state *l, int parent)
{
	return !strcmp(l->kind, "vlan") && l->parent == parent && l->vlan_id;
}

/* ecmp_vlans: (ingress, outer, inner) of every VLAN subinterface on the
 * ingress interfaces want[0..n), one tag deep or two. */
static void vlans_sync(struct plane *p, const uint32_t *want, int n)
{
	struct ecmp_vlan_key keys[ECMP_MAX_VLANS], key, next, *cur = NULL;
	uint32_t subs[ECMP_MAX_VLANS];
	int i, j, k, nk = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < p->nlinks && nk < ECMP_MAX_VLANS; j++) {
			const struct link_state *o = &p->link[j];

			if (!is_vlan_of(o, want[i]))
				continue;
			keys[nk] = (struct ecmp_vlan_key){ want[i], o->vlan_id, 0 };
			subs[nk++] = o->ifindex;
			for (k = 0; k < p->nlinks && nk < ECMP_MAX_VLANS; k++)
				if (is_vlan_of(&p->link[k], o->ifindex)) {
					keys[nk] = (struct ecmp_vlan_key){ want[i], o->vlan_id,
									   p->link[k].vlan_id };
					subs[nk++] = p->link[k].ifindex;
				}
		}
	for (i = 0; i < nk; i++) {
		uint32_t have;

		if (!bpf_map_lookup_elem(p->dp.fd[DP_VLANS], &keys[i], &have) && have == subs[i])
			continue;
		if (bpf_map_update_elem(p->dp.fd[DP_VLANS], &keys[i], &subs[i], BPF_ANY))
			pr_warn("Failed to add VLAN %u/%u of ifindex %u to the data path: %s; its frames go to the kernel",
				keys[i].outer, keys[i].inner, keys[i].ifindex, strerror(errno));
		else
			pr_info("VLAN %u%s%.0u on ifindex %u: routed", keys[i].outer,
				keys[i].inner ? "." : "", keys[i].inner, keys[i].ifindex);
	}
	while (!bpf_map_get_next_key(p->dp.fd[DP_VLANS], cur, &next)) {
		key = next;
		cur = &key;
		for (i = 0; i < nk && memcmp(&keys[i], &key, sizeof(key)); i++)
			;
		if (i == nk && !bpf_map_delete_elem(p->dp.fd[DP_VLANS], &key))
			cur = NULL;
	}
}

/* One entry, written so the data path never reads a half-written one:
 * invalid first, then the MAC, then the flags with VALID. */
static void write_entry(struct ecmp_iface *e, const struct ecmp_iface *v)
{
	__atomic_store_n(&e->flags, 0, __ATOMIC_RELEASE);
	memcpy(e->mac, v->mac, 6);
	__atomic_store_n(&e->flags, v->flags, __ATOMIC_RELEASE);
}

void iface_sync(struct plane *p)
{
	uint32_t want[CONF_MAX_IFACES], i, max = p->dp.max_entries[DP_IFACES];
	int j, n = 0;

	/* Link events of the first dump come before the config is applied:
	 * the pinned entries (a restart) stay as they are until then. */
	if (!p->ifaces_known)
		return;
	for (j = 0; j < p->niface; j++) {
		uint32_t ifindex = if_nametoindex(p->iface[j].name);
		const struct link_state *l = ifindex ? plane_link(p, ifindex) : NULL;
		struct ecmp_iface v = { 0 }, *e;
		char mac[TEXT_MAC_LEN];

		p->iface[j].ifindex = ifindex < max ? ifindex : 0;
		if (ifindex >= max) {
			pr_warn("interface %s: ifindex %u is past the %u the data path serves; its frames go to the kernel",
				p->iface[j].name, ifindex, max);
			continue;
		}
		if (ifindex)
			want[n++] = ifindex;	/* kept, even before its link is known */
		if (!l || !l->has_mac)
			continue;	/* its link event will come */
		memcpy(v.mac, l->mac, 6);
		v.flags = ECMP_IFACE_VALID | (local_senders(l) ? ECMP_IFACE_CSUM_FINISH : 0);
		/* onlink_sync()'s, below. */
		v.flags |= p->dp.ifaces[ifindex].flags & ECMP_IFACE_REDIRECTS;
		e = &p->dp.ifaces[ifindex];
		if (!memcmp(e, &v, sizeof(v)))
			continue;
		write_entry(e, &v);
		pr_info("interface %s: frames to %s are forwarded%s", p->iface[j].name,
			text_mac(v.mac, mac),
			v.flags & ECMP_IFACE_CSUM_FINISH ?
			" (local senders: checksums left to offload are finished)" : "");
	}
	vlans_sync(p, want, n);
	/* Entries of interfaces no longer in the config, or gone. */
	for (i = 1; i < max; i++) {
		static const struct ecmp_iface none;

		if (!(p->dp.ifaces[i].flags & ECMP_IFACE_VALID))
			continue;
		for (j = 0; j < n && want[j] != i; j++)
			;
		if (j == n)
			write_entry(&p->dp.ifaces[i], &none);
	}
	onlink_sync(p);
}
