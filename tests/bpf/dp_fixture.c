// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp_fixture.h"

static int quiet_print(enum libbpf_print_level level, const char *fmt,
		       va_list ap)
{
	if (level == LIBBPF_WARN || getenv("ECMP_TEST_VERBOSE"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int fixture_open(struct fixture *f, const char *obj_path, const char *prog,
		 const struct dp_sizes *sizes)
{
	struct bpf_program *p;
	int err;

	memset(f, 0, sizeof(*f));
	libbpf_set_print(quiet_print);
	f->obj = bpf_object__open_file(obj_path, NULL);
	if (!f->obj)
		return -errno;
	dp_unpin_all(f->obj);
	if (sizes) {
		err = dp_set_sizes(f->obj, sizes);
		if (err)
			return err;
	}
	err = bpf_object__load(f->obj);
	if (err)
		return err;
	p = bpf_object__find_program_by_name(f->obj, prog);
	if (!p)
		return -ENOENT;
	f->prog_fd = bpf_program__fd(p);
	err = dp_open_object(&f->dp, f->obj);
	if (err)
		return err;
	f->lpm = lpm_new(f->dp.root, f->dp.node, f->dp.max_entries[DP_LPM_NODE]);
	return f->lpm ? 0 : -ENOMEM;
}

void fixture_close(struct fixture *f)
{
	lpm_free(f->lpm);
	dp_close(&f->dp, 0);
	bpf_object__close(f->obj);
	memset(f, 0, sizeof(*f));
}

int fixture_set_config(struct fixture *f, uint64_t k0, uint64_t k1,
		       uint32_t hash_flags, int ready)
{
	uint32_t zero = 0;

	f->cfg.seed[0] = k0;
	f->cfg.seed[1] = k1;
	f->cfg.hash_flags = hash_flags;
	f->cfg.flags = ready ? ECMP_CFG_READY : 0;
	return bpf_map_update_elem(f->dp.fd[DP_CONFIG], &zero, &f->cfg, 0) ?
	       -errno : 0;
}

int fixture_add_tx(struct fixture *f, uint32_t ifindex)
{
	struct bpf_devmap_val val = { .ifindex = ifindex };

	if (bpf_map_update_elem(f->dp.fd[DP_TX_PORTS], &ifindex, &val, 0))
		return -errno;
	f->tx[f->n_tx++] = ifindex;
	return 0;
}

void fixture_set_nexthop(struct fixture *f, uint32_t id, uint32_t ifindex,
			 uint16_t vlan_id, int usable)
{
	struct ecmp_nexthop *nh = &f->dp.nexthops[id];
	uint8_t dmac[6] = { 0x02, 0, 0, 0, id >> 8, id & 0xff };
	uint8_t smac[6] = { 0x02, 0, 0, 0, 0xee, 0x01 };

	memcpy(nh->dmac, dmac, 6);
	memcpy(nh->smac, smac, 6);
	nh->ifindex = ifindex;
	nh->vlan_tci = htons(vlan_id);
	nh->flags = usable ? ECMP_NH_USABLE : 0;
}

void fixture_set_nexthop_link(struct fixture *f, uint32_t id, uint16_t mtu,
			      int xdp_xmit)
{
	struct ecmp_nexthop *nh = &f->dp.nexthops[id];

	nh->mtu = mtu;
	nh->flags = (nh->flags & ~ECMP_NH_NO_XDP_XMIT) |
		    (xdp_xmit ? 0 : ECMP_NH_NO_XDP_XMIT);
}

void fixture_set_group(struct fixture *f, uint32_t group, uint32_t base,
		       uint32_t nbuckets)
{
	*(uint64_t *)&f->dp.groups[group] = ecmp_group_word(base, nbuckets);
}

void fixture_set_bucket(struct fixture *f, uint32_t slot, uint32_t nexthop)
{
	f->dp.buckets[slot].nexthop = nexthop;
}

int fixture_add_route(struct fixture *f, uint8_t family, const char *prefix,
		      uint32_t leaf)
{
	struct lpm_route r = { .family = family, .leaf = leaf };
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", prefix);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0;
	r.prefixlen = atoi(slash + 1);
	if (inet_pton(family == ECMP_AF_INET ? AF_INET : AF_INET6, buf,
		      r.addr) != 1)
		return -EINVAL;
	return lpm_add(f->lpm, &r);
}

int fixture_run(struct fixture *f, const void *in, size_t len, void *out,
		size_t *out_len, uint32_t *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_size_in = len,
		.data_out = out,
		.data_size_out = *out_len,
		.repeat = 1,
	);
	int err = bpf_prog_test_run_opts(f->prog_fd, &opts);

	if (err)
		return -errno;
	*out_len = opts.data_size_out;
	*retval = opts.retval;
	return 0;
}

/* The map's form of a rule: network-order words and masks. */
static void to_words(const uint8_t *addr, int len, uint32_t *net, uint32_t *mask)
{
	uint8_t a[16] = { 0 }, m[16] = { 0 };
	int i;

	for (i = 0; i < len; i++)
		m[i / 8] |= 0x80 >> (i % 8);
	for (i = 0; i < 16; i++)
		a[i] = addr[i] & m[i];
	memcpy(net, a, 16);
	memcpy(mask, m, 16);
}

int fixture_set_iface(struct fixture *f, uint32_t ifindex, const uint8_t *mac,
		      uint16_t flags)
{
	if (!mac) {
		struct ecmp_iface none = { 0 };

		f->has_iface = 0;
		return bpf_map_update_elem(f->dp.fd[DP_IFACES], &ifindex, &none, 0) ? -errno : 0;
	}
	memcpy(f->iface.mac, mac, 6);
	f->iface_ifindex = ifindex;
	f->iface.flags = flags | ECMP_IFACE_VALID;
	f->has_iface = 1;
	return bpf_map_update_elem(f->dp.fd[DP_IFACES], &ifindex, &f->iface, 0) ? -errno : 0;
}

int fixture_add_vlan(struct fixture *f, uint32_t ifindex, uint16_t outer,
		     uint16_t inner)
{
	struct ecmp_vlan_key k = { .ifindex = ifindex, .outer = outer, .inner = inner };
	uint32_t sub = 1000 + f->nvlans;

	if (f->nvlans == 16)
		return -ENOSPC;
	if (bpf_map_update_elem(f->dp.fd[DP_VLANS], &k, &sub, 0))
		return -errno;
	f->vlans[f->nvlans][0] = outer;
	f->vlans[f->nvlans][1] = inner;
	f->nvlans++;
	return 0;
}

/* ECMP_IFACE_REDIRECTS on the described interface, as ecmpd sets it
 * while ecmp_onlink holds subnets of it. */
static int fixture_flag_redirects(struct fixture *f, uint32_t ifindex, int on)
{
	if (!f->has_iface || f->iface_ifindex != ifindex)
		return 0;
	f->iface.flags = on ? f->iface.flags | ECMP_IFACE_REDIRECTS :
			      f->iface.flags & ~ECMP_IFACE_REDIRECTS;
	return bpf_map_update_elem(f->dp.fd[DP_IFACES], &ifindex, &f->iface, 0) ? -errno : 0;
}

int fixture_set_onlink(struct fixture *f, uint32_t ifindex, uint8_t family,
		       const char *prefix, uint16_t outer, uint16_t inner)
{
	struct ecmp_onlink_key k = { .ifindex = ifindex, .outer = outer, .inner = inner };
	struct model_onlink *o = &f->onlink[f->nonlink];
	char buf[64], *slash;
	uint32_t value = ifindex;

	if (!prefix) {
		struct ecmp_onlink_key next;

		while (!bpf_map_get_next_key(f->dp.fd[DP_ONLINK], NULL, &next))
			if (bpf_map_delete_elem(f->dp.fd[DP_ONLINK], &next))
				return -errno;
		f->nonlink = 0;
		return fixture_flag_redirects(f, ifindex, 0);
	}
	if (f->nonlink == 8)
		return -ENOSPC;
	snprintf(buf, sizeof(buf), "%s", prefix);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0;
	memset(o, 0, sizeof(*o));
	o->family = family;
	o->len = atoi(slash + 1);
	o->outer = outer;
	o->inner = inner;
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, buf, o->prefix) != 1)
		return -EINVAL;
	if (family == 4) {
		k.addr[2] = htonl(0xffff);
		memcpy(&k.addr[3], o->prefix, 4);
		k.prefixlen = ECMP_ONLINK_PLEN_V4 + o->len;
	} else {
		memcpy(k.addr, o->prefix, 16);
		k.prefixlen = ECMP_ONLINK_PLEN_BASE + o->len;
	}
	if (bpf_map_update_elem(f->dp.fd[DP_ONLINK], &k, &value, 0))
		return -errno;
	f->nonlink++;
	return fixture_flag_redirects(f, ifindex, 1);
}

int fixture_set_kernel_path(struct fixture *f, const struct model_kpath *rules,
			    int n)
{
	uint32_t half = !ECMP_PASS_RULES_HALF(f->cfg.pass_rules), zero = 0;
	int i;

	for (i = 0; i < n; i++) {
		struct ecmp_pass_rule r = {
			.family = rules[i].family == 4 ? ECMP_AF_INET : ECMP_AF_INET6,
			.proto = rules[i].proto,
			.sport_lo = rules[i].sport_lo, .sport_hi = rules[i].sport_hi,
			.dport_lo = rules[i].dport_lo, .dport_hi = rules[i].dport_hi,
		};
		uint32_t key = half * ECMP_MAX_PASS_RULES + i;

		to_words(rules[i].src, rules[i].src_len, r.src, r.src_mask);
		to_words(rules[i].dst, rules[i].dst_len, r.dst, r.dst_mask);
		if (bpf_map_update_elem(f->dp.fd[DP_PASS_RULES], &key, &r, 0))
			return -errno;
	}
	f->cfg.pass_rules = half << 16 | n;
	f->kpath = rules;
	f->nkpath = n;
	return bpf_map_update_elem(f->dp.fd[DP_CONFIG], &zero, &f->cfg, 0) ? -errno : 0;
}

void fixture_model_state(const struct fixture *f, struct model_state *st)
{
	memset(st, 0, sizeof(*st));
	st->config = f->cfg;
	st->root = f->dp.root;
	st->node = f->dp.node;
	st->nchunks = f->dp.max_entries[DP_LPM_NODE];
	st->groups = f->dp.groups;
	st->ngroups = f->dp.max_entries[DP_GROUPS];
	st->buckets = f->dp.buckets;
	st->nslots = f->dp.max_entries[DP_BUCKETS];
	st->nexthops = f->dp.nexthops;
	st->nnexthops = f->dp.max_entries[DP_NEXTHOPS];
	st->tx_ifindex = f->tx;
	st->n_tx = f->n_tx;
	st->kpath = f->kpath;
	st->nkpath = f->nkpath;
	st->iface = f->has_iface ? &f->iface : NULL;
	st->vlans = (const uint16_t (*)[2])f->vlans;
	st->nvlans = f->nvlans;
	st->ifindex = f->iface_ifindex;
	st->onlink = f->onlink;
	st->nonlink = f->nonlink;
	st->linear_max = FIXTURE_XDP_LINEAR;
}

uint64_t fixture_reason_count(struct fixture *f, int reason)
{
	struct ecmp_counter c;

	if (dp_read_counter(&f->dp, DP_STATS, reason, &c))
		return ~0ULL;
	return c.packets;
}
