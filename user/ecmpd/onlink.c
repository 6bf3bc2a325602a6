// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmp_onlink: the subnets of the router's own addresses on its ingress
 * interfaces (and their VLAN subinterfaces) whose hosts the kernel would
 * send an ICMP redirect (RFC 1812 5.2.7.2, RFC 4861 8.2). A frame from one
 * of those hosts that the data path would send back out where it came in
 * is left to the kernel, which forwards it and tells the host of the
 * better first hop (docs/DATAPATH.md).
 *
 * IPv4 follows the kernel's switch, net.ipv4.conf.{all,DEV}.send_redirects
 * (either on: on), read again every few seconds since no event says it
 * changed; IPv6 redirects have no switch in Linux, so IPv6 subnets are
 * always in. The map is small (a few subnets an interface) and is made
 * to match the whole wanted set on every change.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "plane.h"
#include "lib/log.h"
#include "lib/lpm.h"
#include "lib/sysctl.h"
#include "lib/text.h"

#define ONLINK_REREAD_MS	5000

static int is_ingress(const struct plane *p, int ifindex)
{
	int i;

	for (i = 0; i < p->niface; i++)
		if (p->iface[i].ifindex && p->iface[i].ifindex == (uint32_t)ifindex)
			return 1;
	return 0;
}

static const struct link_state *vlan_link(const struct plane *p, int ifindex)
{
	const struct link_state *l = plane_link(p, ifindex);

	return l && !strcmp(l->kind, "vlan") && l->vlan_id ? l : NULL;
}

/* Where frames from the link of device ifindex arrive, as ecmp_vlans
 * names it: an ingress interface itself, or the one its VLAN device (one
 * tag, or two stacked) sits on. 0 when none of them. */
static int arrival_of(const struct plane *p, int ifindex, struct ecmp_onlink_key *k)
{
	const struct link_state *l, *up;

	memset(k, 0, sizeof(*k));
	if (is_ingress(p, ifindex)) {
		k->ifindex = ifindex;
		return 1;
	}
	l = vlan_link(p, ifindex);
	if (!l)
		return 0;
	if (is_ingress(p, l->parent)) {
		k->ifindex = l->parent;
		k->outer = l->vlan_id;
		return 1;
	}
	up = vlan_link(p, l->parent);
	if (!up || !is_ingress(p, up->parent))
		return 0;
	k->ifindex = up->parent;
	k->outer = up->vlan_id;
	k->inner = l->vlan_id;
	return 1;
}

/* Whether the kernel sends IPv4 redirects from device ifindex
 * (IN_DEV_TX_REDIRECTS: "all" or the device). */
static int ipv4_redirects(int ifindex, int all)
{
	char name[IF_NAMESIZE];
	int v = 0;

	if (all)
		return 1;
	return if_indextoname(ifindex, name) &&
	       !sysctl_net_conf("ipv4", name, "send_redirects", &v) && v;
}

/* The key of a's subnet, or 0 when it has no other host (/32, /128), no
 * arrival, or no redirects. */
static int key_of(const struct plane *p, const struct local_addr *a, int all4,
		  struct ecmp_onlink_key *k)
{
	int v4 = a->family == ECMP_AF_INET;
	uint8_t subnet[16];

	if (a->prefixlen >= (v4 ? 32 : 128) || !arrival_of(p, a->ifindex, k))
		return 0;
	if (v4 && !ipv4_redirects(a->ifindex, all4))
		return 0;
	memcpy(subnet, a->addr, 16);
	lpm_mask(subnet, a->family, a->prefixlen);
	if (v4) {
		k->addr[2] = htonl(0xffff);
		memcpy(&k->addr[3], subnet, 4);
		k->prefixlen = ECMP_ONLINK_PLEN_V4 + a->prefixlen;
	} else {
		memcpy(k->addr, subnet, 16);
		k->prefixlen = ECMP_ONLINK_PLEN_BASE + a->prefixlen;
	}
	return 1;
}

static void say(const struct ecmp_onlink_key *k, uint32_t dev, int added)
{
	char prefix[TEXT_PREFIX_LEN], name[IF_NAMESIZE + 16];
	int v4 = k->prefixlen >= ECMP_ONLINK_PLEN_V4 &&
		 !k->addr[0] && !k->addr[1] && k->addr[2] == htonl(0xffff);

	if (v4)
		text_prefix(ECMP_AF_INET, (const uint8_t *)&k->addr[3],
			    k->prefixlen - ECMP_ONLINK_PLEN_V4, prefix, sizeof(prefix));
	else
		text_prefix(ECMP_AF_INET6, (const uint8_t *)k->addr,
			    k->prefixlen - ECMP_ONLINK_PLEN_BASE, prefix, sizeof(prefix));
	if (!if_indextoname(dev, name))
		snprintf(name, sizeof(name), "ifindex %u", dev);
	if (added)
		pr_info("interface %s: hosts of %s get ICMP redirects (their frames that would leave the way they came go to the kernel)",
			name, prefix);
	else
		pr_info("interface %s: hosts of %s get no ICMP redirects (the fast path forwards all their frames)",
			name, prefix);
}

/* ECMP_IFACE_REDIRECTS on each described ingress interface with subnets
 * in want[0..n), off on the others: one store of the flags word, so the
 * entry never reads as invalid. */
static void flag_ifaces(struct plane *p, const struct ecmp_onlink_key *want, int n)
{
	int i, j;

	for (j = 0; j < p->niface; j++) {
		uint32_t ifindex = p->iface[j].ifindex;
		struct ecmp_iface *e = ifindex ? &p->dp.ifaces[ifindex] : NULL;
		uint16_t flags, to;
		int has = 0;

		if (!e)
			continue;
		for (i = 0; i < n && !has; i++)
			has = want[i].ifindex == ifindex;
		flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
		to = has ? flags | ECMP_IFACE_REDIRECTS : flags & ~ECMP_IFACE_REDIRECTS;
		if ((flags & ECMP_IFACE_VALID) && to != flags)
			__atomic_store_n(&e->flags, to, __ATOMIC_RELEASE);
	}
}

void onlink_sync(struct plane *p)
{
	static struct ecmp_onlink_key want[ECMP_MAX_ONLINK];
	static uint32_t dev[ECMP_MAX_ONLINK];
	struct ecmp_onlink_key key, next, *cur = NULL;
	int fd = p->dp.fd[DP_ONLINK], i, n = 0, all4 = 0;
	uint32_t have;

	if (!p->ifaces_known || fd < 0)
		return;
	p->onlink_read_ms = p->now_ms;
	sysctl_net_conf("ipv4", "all", "send_redirects", &all4);
	for (i = 0; i < p->nlocal && n < ECMP_MAX_ONLINK; i++) {
		int j;

		if (!key_of(p, &p->local[i], all4, &want[n]))
			continue;
		for (j = 0; j < n && memcmp(&want[j], &want[n], sizeof(key)); j++)
			;
		if (j == n)	/* two addresses of one subnet: one entry */
			dev[n++] = p->local[i].ifindex;
	}
	if (n == ECMP_MAX_ONLINK && !p->onlink_full_said) {
		pr_warn("%d subnets or more on the ingress interfaces: hosts of any past the first %d get no ICMP redirect",
			ECMP_MAX_ONLINK, ECMP_MAX_ONLINK);
		p->onlink_full_said = 1;
	}
	while (!bpf_map_get_next_key(fd, cur, &next)) {
		key = next;
		cur = &key;
		for (i = 0; i < n && memcmp(&want[i], &key, sizeof(key)); i++)
			;
		if (i < n)
			continue;
		if (bpf_map_lookup_elem(fd, &key, &have))
			have = 0;
		if (!bpf_map_delete_elem(fd, &key)) {
			say(&key, have, 0);
			cur = NULL;	/* the walk starts over past a deletion */
		}
	}
	for (i = 0; i < n; i++) {
		/* A trie's lookup is by longest prefix: a shorter subnet of the
		 * same arrival may answer for this one, and then holds all of
		 * its hosts anyway. */
		if (!bpf_map_lookup_elem(fd, &want[i], &have) && have == dev[i])
			continue;
		if (bpf_map_update_elem(fd, &want[i], &dev[i], BPF_ANY))
			pr_warn("Failed to add a subnet to ecmp_onlink: %s; its hosts get no ICMP redirect",
				strerror(errno));
		else
			say(&want[i], dev[i], 1);
	}
	flag_ifaces(p, want, n);
}

void onlink_on_addr(struct plane *p, int ifindex)
{
	struct ecmp_onlink_key k;

	if (arrival_of(p, ifindex, &k))
		onlink_sync(p);
}

void onlink_tick(struct plane *p)
{
	if (p->now_ms - p->onlink_read_ms >= ONLINK_REREAD_MS)
		onlink_sync(p);
}
