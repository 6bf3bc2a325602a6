// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpd learns the router's VLAN subinterfaces from rtnetlink and the data
 * path routes exactly their tags (RFC 1812 5.2.2, IEEE 802.1Q/802.1ad).
 * The kernels this runs on may have no 802.1Q (no `ip link add ... type
 * vlan`), so the link messages a kernel with it would send are built here
 * byte for byte and fed through ecmpd's own parser (nl_parse) and link
 * handler (nh_on_link, which syncs ecmp_ifaces and ecmp_vlans) into maps
 * of the real build/ecmp_xdp.bpf.o; frames then go through the program.
 *
 *   lo (the ingress interface)
 *    +- lo.77       ifindex 9000, VLAN 77          -> (lo, 77, 0)
 *        +- lo.77.88  ifindex 9001, VLAN 88 on 77  -> (lo, 77, 88)
 *   if4242.99       ifindex 9002, VLAN 99 on another interface: not ours
 *
 * Then the subnets of the router's addresses on them whose hosts get ICMP
 * redirects (ecmp_onlink), from address events and send_redirects, which
 * the test sets in a network namespace of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "../test.h"
#include "dp_fixture.h"
#include "frame_build.h"
#include "ecmpd/config.h"
#include "ecmpd/netlink.h"
#include "ecmpd/plane.h"

TEST_STATE_DEFINE;

static const uint8_t own_mac[6] = { 0x02, 0, 0, 0, 0, 0xfe };

/* An RTM_NEWLINK (or DELLINK) as the kernel sends it for a link. */
static size_t put_link(char *buf, uint16_t type, int ifindex, const char *name,
		       int parent, uint16_t vid)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *info, *data;

	nlh->nlmsg_type = type;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP | IFF_RUNNING;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, own_mac);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	if (parent) {
		mnl_attr_put_u32(nlh, IFLA_LINK, parent);
		info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vlan");
		data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		mnl_attr_put_u16(nlh, IFLA_VLAN_ID, vid);
		mnl_attr_nest_end(nlh, data);
		mnl_attr_nest_end(nlh, info);
	}
	return nlh->nlmsg_len;
}

static void on_link(void *ctx, const struct nl_link *l)
{
	nh_on_link(ctx, l);
}

static int vlan_entry(struct plane *p, uint32_t ifindex, uint16_t outer,
		      uint16_t inner)
{
	struct ecmp_vlan_key k = { .ifindex = ifindex, .outer = outer, .inner = inner };
	uint32_t sub;

	return bpf_map_lookup_elem(p->dp.fd[DP_VLANS], &k, &sub) ? -1 : (int)sub;
}

static int run_tags(struct fixture *fx, int ntags, uint16_t t0, uint16_t t1)
{
	static uint8_t f[2048], out[2112];
	struct frame_spec s;
	size_t len, out_len = sizeof(out);
	uint32_t retval;

	frame_spec_default(&s, 4);
	s.vlans = ntags;
	s.vlan_tci[0] = t0;
	s.vlan_tci[1] = t1;
	len = frame_build(&s, f, sizeof(f));
	if (fixture_run(fx, f, len, out, &out_len, &retval))
		return -1;
	return retval;
}

/* An address event as ecmpd's daemon handles it (daemon_kernel.c). */
static void addr_event(struct plane *p, int ifindex, const char *addr, int len,
		       int deleted)
{
	struct nl_addr a = { .ifindex = ifindex, .prefixlen = len, .deleted = deleted };

	a.family = strchr(addr, ':') ? ECMP_AF_INET6 : ECMP_AF_INET;
	inet_pton(a.family == ECMP_AF_INET ? AF_INET : AF_INET6, addr, a.addr);
	if (route_on_addr(p, &a, NULL) > 0)
		onlink_on_addr(p, ifindex);
}

static int onlink_count(struct plane *p)
{
	struct ecmp_onlink_key k, next, *cur = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(p->dp.fd[DP_ONLINK], cur, &next)) {
		k = next;
		cur = &k;
		n++;
	}
	return n;
}

/* The entry for prefix ("198.18.0.0/24") arriving on (ifindex, outer,
 * inner): its value (the address's device), or -1. */
static int onlink_entry(struct plane *p, uint32_t ifindex, uint16_t outer,
			uint16_t inner, const char *prefix)
{
	struct ecmp_onlink_key k = { .ifindex = ifindex, .outer = outer, .inner = inner };
	char a[64], *slash;
	uint32_t dev;

	snprintf(a, sizeof(a), "%s", prefix);
	slash = strchr(a, '/');
	*slash = 0;
	if (strchr(a, ':')) {
		inet_pton(AF_INET6, a, k.addr);
		k.prefixlen = ECMP_ONLINK_PLEN_BASE + atoi(slash + 1);
	} else {
		k.addr[2] = htonl(0xffff);
		inet_pton(AF_INET, a, &k.addr[3]);
		k.prefixlen = ECMP_ONLINK_PLEN_V4 + atoi(slash + 1);
	}
	return bpf_map_lookup_elem(p->dp.fd[DP_ONLINK], &k, &dev) ? -1 : (int)dev;
}

static int set_redirects(const char *dev, int on)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/send_redirects", dev);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", on);
	return fclose(f);
}

static int run_from(struct fixture *fx, const char *src)
{
	static uint8_t f[2048], out[2112];
	struct frame_spec s;
	size_t len, out_len = sizeof(out);
	uint32_t retval;

	frame_spec_default(&s, 4);
	inet_pton(AF_INET, src, s.src);
	len = frame_build(&s, f, sizeof(f));
	if (fixture_run(fx, f, len, out, &out_len, &retval))
		return -1;
	return retval;
}

int main(int argc, char **argv)
{
	struct dp_sizes sizes = { .nexthops = 64, .groups = 4, .bucket_slots = 1024,
				  .lpm_chunks = 64, .routes = 64 };
	const char *dir = argc > 1 ? argv[1] : "build";
	char obj[512], pins[128], buf[4096];
	struct ecmp_conf conf = { 0 };
	struct fixture fx;
	struct plane p;
	struct nl nl = { 0 };
	struct nl_handlers h = { .link = on_link, .ctx = &p };
	int lo = if_nametoindex("lo");
	size_t n = 0;

	/* send_redirects is changed below: in a namespace of our own. */
	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return 1;
	}
	lo = if_nametoindex("lo");
	snprintf(obj, sizeof(obj), "%s/ecmp_xdp.bpf.o", dir);
	snprintf(pins, sizeof(pins), "/sys/fs/bpf/ecmp-vlan-test-%d", getpid());
	if (fixture_open(&fx, obj, "ecmp_xdp", &sizes) ||
	    bpf_object__pin_maps(fx.obj, pins) || plane_open(&p, pins)) {
		fprintf(stderr, "Failed to set up maps of %s under %s\n", obj, pins);
		return 1;
	}
	conf.niface = 1;
	snprintf(conf.iface[0].name, sizeof(conf.iface[0].name), "lo");
	conf.iface[0].attach = ATTACH_XDP_NATIVE;
	iface_set(&p, &conf);

	n += put_link(buf + n, RTM_NEWLINK, lo, "lo", 0, 0);
	n += put_link(buf + n, RTM_NEWLINK, 9000, "lo.77", lo, 77);
	n += put_link(buf + n, RTM_NEWLINK, 9001, "lo.77.88", 9000, 88);
	n += put_link(buf + n, RTM_NEWLINK, 9002, "if4242.99", 4242, 99);
	nl_parse(&nl, buf, n, &h);
	/* Then a group of one nexthop, out through lo, for 198.19.0.0/16
	 * (written after the link events: ecmpd's own sync of the egress
	 * ports would drop lo, which none of its nexthops uses). */
	fixture_add_tx(&fx, lo);
	fixture_set_config(&fx, 1, 2, ECMP_HASH_L4, 1);
	fixture_set_nexthop(&fx, 1, lo, 0, 1);
	fixture_set_group(&fx, 0, 64, 1);
	fixture_set_bucket(&fx, 64, 1);
	fixture_add_route(&fx, 4, "198.19.0.0/16", ECMP_LPM_LEAF(0));

	test_begin("VLAN subinterfaces learned from rtnetlink");
	{
		ASSERT_EQ(nl.malformed, 0, "messages skipped as malformed");
		ASSERT_EQ(vlan_entry(&p, lo, 77, 0), 9000, "lo.77 in ecmp_vlans");
		ASSERT_EQ(vlan_entry(&p, lo, 77, 88), 9001, "lo.77.88 (QinQ) in ecmp_vlans");
		ASSERT_EQ(vlan_entry(&p, 4242, 99, 0), -1, "another interface's VLAN");
		CHECK(p.dp.ifaces[lo].flags & ECMP_IFACE_VALID, "lo not described in ecmp_ifaces");
	}
	test_end();
	test_begin("frames on those VLANs routed, on others passed");
	{
		ASSERT_EQ(run_tags(&fx, 0, 0, 0), XDP_REDIRECT, "untagged");
		ASSERT_EQ(run_tags(&fx, 1, 77, 0), XDP_REDIRECT, "VLAN 77");
		ASSERT_EQ(run_tags(&fx, 2, 77, 88), XDP_REDIRECT, "VLAN 77.88");
		ASSERT_EQ(run_tags(&fx, 1, 99, 0), XDP_PASS, "VLAN 99");
		ASSERT_EQ(run_tags(&fx, 2, 77, 89), XDP_PASS, "VLAN 77.89");
		ASSERT_EQ(run_tags(&fx, 1, 88, 0), XDP_PASS, "VLAN 88 alone");
	}
	test_end();
	p.now_ms = 1;
	addr_event(&p, lo, "198.18.0.1", 24, 0);
	addr_event(&p, lo, "198.18.0.2", 24, 0);	/* same subnet: one entry */
	addr_event(&p, lo, "2001:db8:1::1", 64, 0);
	addr_event(&p, lo, "198.18.9.9", 32, 0);	/* no other host */
	addr_event(&p, 9000, "198.18.5.1", 24, 0);
	addr_event(&p, 9001, "198.18.6.1", 24, 0);
	addr_event(&p, 9002, "198.18.7.1", 24, 0);	/* not an ingress */
	test_begin("subnets whose hosts get ICMP redirects, by where they arrive");
	{
		ASSERT_EQ(onlink_entry(&p, lo, 0, 0, "198.18.0.0/24"), lo, "lo's IPv4 subnet");
		ASSERT_EQ(onlink_entry(&p, lo, 0, 0, "2001:db8:1::/64"), lo, "lo's IPv6 subnet");
		ASSERT_EQ(onlink_entry(&p, lo, 77, 0, "198.18.5.0/24"), 9000, "lo.77's, tagged 77");
		ASSERT_EQ(onlink_entry(&p, lo, 77, 88, "198.18.6.0/24"), 9001,
			  "lo.77.88's, tagged 77.88");
		ASSERT_EQ(onlink_count(&p), 4, "entries (none for a /32 or another interface's)");
		CHECK(p.dp.ifaces[lo].flags & ECMP_IFACE_REDIRECTS, "lo not flagged as having subnets");
		ASSERT_EQ(run_from(&fx, "198.18.0.7"), XDP_PASS,
			  "a host of lo's subnet, back out by lo: the kernel's");
		ASSERT_EQ(run_from(&fx, "198.18.1.7"), XDP_REDIRECT, "a host beyond: forwarded");
	}
	test_end();
	test_begin("IPv4 follows send_redirects (all, or the device)");
	{
		ASSERT_EQ(set_redirects("all", 0) || set_redirects("lo", 0), 0, "switched off");
		p.now_ms += 4000;
		onlink_tick(&p);
		ASSERT_EQ(onlink_count(&p), 4, "not read again before 5 s");
		p.now_ms += 1000;
		onlink_tick(&p);
		ASSERT_EQ(onlink_entry(&p, lo, 0, 0, "198.18.0.0/24"), -1, "lo's IPv4 subnet gone");
		ASSERT_EQ(onlink_entry(&p, lo, 0, 0, "2001:db8:1::/64"), lo,
			  "IPv6 has no switch: kept");
		ASSERT_EQ(onlink_count(&p), 1, "entries with IPv4 redirects off");
		ASSERT_EQ(run_from(&fx, "198.18.0.7"), XDP_REDIRECT, "forwarded by XDP again");
		ASSERT_EQ(set_redirects("lo", 1), 0, "on for lo alone");
		p.now_ms += 5000;
		onlink_tick(&p);
		ASSERT_EQ(onlink_entry(&p, lo, 0, 0, "198.18.0.0/24"), lo, "lo's back");
		ASSERT_EQ(onlink_count(&p), 2, "the VLANs' devices (none here) stay off");
		set_redirects("all", 1);
		onlink_sync(&p);
		ASSERT_EQ(onlink_count(&p), 4, "all on: every subnet");
	}
	test_end();
	test_begin("address events remove their subnets");
	{
		addr_event(&p, lo, "198.18.0.1", 24, 1);
		ASSERT_EQ(onlink_entry(&p, lo, 0, 0, "198.18.0.0/24"), lo,
			  "198.18.0.2 still holds the subnet");
		addr_event(&p, lo, "198.18.0.2", 24, 1);
		ASSERT_EQ(onlink_entry(&p, lo, 0, 0, "198.18.0.0/24"), -1, "the last gone");
		ASSERT_EQ(onlink_count(&p), 3, "the others kept");
	}
	test_end();

	n = put_link(buf, RTM_DELLINK, 9001, "lo.77.88", 9000, 88);
	nl_parse(&nl, buf, n, &h);
	test_begin("a subinterface deleted: its VLAN no longer routed");
	{
		ASSERT_EQ(vlan_entry(&p, lo, 77, 88), -1, "lo.77.88 still in ecmp_vlans");
		ASSERT_EQ(vlan_entry(&p, lo, 77, 0), 9000, "lo.77 kept");
		ASSERT_EQ(run_tags(&fx, 2, 77, 88), XDP_PASS, "VLAN 77.88 after the delete");
		ASSERT_EQ(run_tags(&fx, 1, 77, 0), XDP_REDIRECT, "VLAN 77 after the delete");
	}
	test_end();
	test_begin("a subinterface deleted: its subnet's entry with it");
	{
		ASSERT_EQ(onlink_entry(&p, lo, 77, 88, "198.18.6.0/24"), -1, "lo.77.88's gone");
		ASSERT_EQ(onlink_entry(&p, lo, 77, 0, "198.18.5.0/24"), 9000, "lo.77's kept");
		addr_event(&p, lo, "2001:db8:1::1", 64, 1);
		CHECK(p.dp.ifaces[lo].flags & ECMP_IFACE_REDIRECTS, "lo.77's subnet keeps lo flagged");
		addr_event(&p, 9000, "198.18.5.1", 24, 1);
		ASSERT_EQ(onlink_count(&p), 0, "entries once every address is gone");
		CHECK(!(p.dp.ifaces[lo].flags & ECMP_IFACE_REDIRECTS), "lo still flagged");
		CHECK(p.dp.ifaces[lo].flags & ECMP_IFACE_VALID, "lo's entry no longer valid");
	}
	test_end();

	plane_close(&p);
	bpf_object__unpin_maps(fx.obj, pins);
	rmdir(pins);
	fixture_close(&fx);
	return test_summary();
}
