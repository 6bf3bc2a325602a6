// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Packet tests of build/ecmp_xdp.bpf.o through BPF_PROG_TEST_RUN. Every frame
 * is also run through the reference model (frame_model.c); the object must
 * agree with it on the verdict, the chosen nexthop and the output frame,
 * byte for byte. Table cases additionally state the expected reason by hand,
 * so model and program cannot be wrong together unnoticed.
 *
 * Fixture (routes -> groups):
 *   198.19.0.0/16, 2001:db8:100::/40  -> group 0: 64 buckets over nh 1..8
 *   198.18.128.0/17                   -> group 1: every owner down
 *   198.18.64.0/18                    -> group 2: nh 10, egress not in devmap
 *   198.18.32.0/19, 2001:db8:200::/48 -> group 3: nh 11, egress VLAN 100
 *   198.19.1.1/32, 2001:db8:100::1/128 -> the router itself
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "../test.h"
#include "lib/text.h"
#include "dp_fixture.h"
#include "frame_build.h"
#include "hash_probe.h"

TEST_STATE_DEFINE;

static const char *obj_dir = "build";
static struct fixture fx;	/* ecmp_xdp */
static struct fixture tcx;	/* ecmp_tc_ingress, same maps content */
static uint32_t lo_ifindex;

#define NH_DOWN_GROUP	9
#define NH_NO_EGRESS	10
#define NH_VLAN		11

static char *obj_path(const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/%s", obj_dir, name);
	return buf;
}

static void setup_fixture(struct fixture *f, const char *obj, const char *prog)
{
	struct dp_sizes sizes = { .nexthops = 1024, .groups = 16,
				  .bucket_slots = 1 << 14, .lpm_chunks = 2048,
				  .routes = 1024 };
	uint32_t i;
	int err;

	err = fixture_open(f, obj_path(obj), prog, &sizes);
	if (err) {
		fprintf(stderr, "Failed to load %s: %s\n",
			obj_path(obj), strerror(-err));
		exit(1);
	}
	lo_ifindex = if_nametoindex("lo");
	if (fixture_add_tx(f, lo_ifindex)) {
		fprintf(stderr, "Failed to add lo to ecmp_tx_ports\n");
		exit(1);
	}
	fixture_set_config(f, 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL,
			   ECMP_HASH_L4, 1);
	/* Test runs arrive on lo, addressed to the frames' default MAC. */
	{
		static const uint8_t own[6] = { 0x02, 0, 0, 0, 0, 0xfe };

		if (fixture_set_iface(f, lo_ifindex, own, ECMP_IFACE_CSUM_FINISH) ||
		    /* The VLANs of the table cases: 10, and 20 over 30. */
		    fixture_add_vlan(f, lo_ifindex, 10, 0) ||
		    fixture_add_vlan(f, lo_ifindex, 20, 30)) {
			fprintf(stderr, "Failed to describe lo in ecmp_ifaces\n");
			exit(1);
		}
	}
	/* Every bucket slot starts empty. */
	for (i = 0; i < f->dp.max_entries[DP_BUCKETS]; i++)
		fixture_set_bucket(f, i, ECMP_BUCKET_EMPTY);
	for (i = 1; i <= 8; i++)
		fixture_set_nexthop(f, i, lo_ifindex, 0, 1);
	fixture_set_group(f, 0, 64, 64);
	for (i = 0; i < 64; i++)
		fixture_set_bucket(f, 64 + i, 1 + i % 8);
	fixture_set_nexthop(f, NH_DOWN_GROUP, lo_ifindex, 0, 0);
	fixture_set_group(f, 1, 128, 16);
	for (i = 0; i < 16; i++)
		fixture_set_bucket(f, 128 + i, NH_DOWN_GROUP);
	fixture_set_nexthop(f, NH_NO_EGRESS, 4242, 0, 1);
	fixture_set_group(f, 2, 160, 1);
	fixture_set_bucket(f, 160, NH_NO_EGRESS);
	fixture_set_nexthop(f, NH_VLAN, lo_ifindex, 100, 1);
	fixture_set_group(f, 3, 176, 2);
	fixture_set_bucket(f, 176, NH_VLAN);
	fixture_set_bucket(f, 177, NH_VLAN);

	err = fixture_add_route(f, 4, "198.19.0.0/16", ECMP_LPM_LEAF(0));
	err |= fixture_add_route(f, 6, "2001:db8:100::/40", ECMP_LPM_LEAF(0));
	err |= fixture_add_route(f, 4, "198.18.128.0/17", ECMP_LPM_LEAF(1));
	err |= fixture_add_route(f, 4, "198.18.64.0/18", ECMP_LPM_LEAF(2));
	err |= fixture_add_route(f, 4, "198.18.32.0/19", ECMP_LPM_LEAF(3));
	err |= fixture_add_route(f, 6, "2001:db8:200::/48", ECMP_LPM_LEAF(3));
	err |= fixture_add_route(f, 4, "198.19.1.1/32", ECMP_LPM_LOCAL);
	err |= fixture_add_route(f, 6, "2001:db8:100::1/128", ECMP_LPM_LOCAL);
	/* A subnet of the router's own links inside a routed prefix. */
	err |= fixture_add_route(f, 4, "198.19.200.0/24", ECMP_LPM_CONNECTED);
	err |= fixture_add_route(f, 6, "2001:db8:1ff::/64", ECMP_LPM_CONNECTED);
	if (err) {
		fprintf(stderr, "Failed to add fixture routes\n");
		exit(1);
	}
}

/* ---- running one frame through program and model ---- */

struct outcome {
	uint32_t retval;
	int model_reason;
	uint32_t model_nh;
	uint64_t model_hash;
	int nh_from_mac;	/* nexthop id read back from the output MAC */
	long mismatches;
};

/* Runs the frame; checks program against model; returns the outcome. */
static struct outcome run_and_compare(const char *name, const uint8_t *in,
				      size_t len)
{
	static struct model_result m;
	static uint8_t out[16384 + 64];
	struct model_state st;
	struct outcome o = { 0 };
	size_t out_len = sizeof(out);
	int err;

	fixture_model_state(&fx, &st);
	model_run(&st, in, len, &m);
	o.model_reason = m.reason;
	o.model_nh = m.nh_id;
	o.model_hash = m.hash;
	o.nh_from_mac = -1;

	err = fixture_run(&fx, in, len, out, &out_len, &o.retval);
	if (err) {
		/* The kernel refuses frames shorter than an Ethernet header. */
		if (err == -EINVAL && len < 14)
			return o;
		CHECK(0, "%s: test run failed: %s", name, strerror(-err));
		o.mismatches++;
		return o;
	}
	if (m.reason == ECMP_FORWARDED) {
		if (o.retval != XDP_REDIRECT) {
			CHECK(0, "%s: verdict %u, model says forward to nh %u",
			      name, o.retval, m.nh_id);
			o.mismatches++;
			return o;
		}
		if (out_len != m.out_len || memcmp(out, m.out, out_len)) {
			CHECK(0, "%s: output frame differs from model (len %zu vs %zu)",
			      name, out_len, m.out_len);
			o.mismatches++;
		}
		o.nh_from_mac = out[4] << 8 | out[5];
	} else {
		if (o.retval != XDP_PASS) {
			CHECK(0, "%s: verdict %u, model says pass (%s)", name,
			      o.retval, text_reason(m.reason));
			o.mismatches++;
			return o;
		}
		if (out_len != len || memcmp(out, in, len)) {
			CHECK(0, "%s: passed frame was modified (%zu bytes in, %zu out, reason %s)", name, len, out_len, text_reason(m.reason));
			o.mismatches++;
		}
	}
	return o;
}

/* ---- table of hand-checked cases ---- */

enum mutation {
	MUT_NONE, MUT_BAD_CSUM, MUT_BAD_VERSION, MUT_IHL_4, MUT_TOTLEN_LONG,
	MUT_TOTLEN_SHORT, MUT_TCP_DOFF_LONG, MUT_PLEN_ZERO, MUT_PLEN_LONG,
	MUT_MCAST_MAC, MUT_TRUNCATE_L4, MUT_TCP_DOFF_4, MUT_PARTIAL_CSUM,
	MUT_GOOD_CSUM_LIKE_PSEUDO,
};

struct table_case {
	const char *name;
	uint8_t family;
	void (*tweak)(struct frame_spec *s);
	enum mutation mut;
	int reason;
	int nh;			/* expected nexthop, -1: any in group 0 */
};

static void t_none(struct frame_spec *s) { (void)s; }
static void t_tcp(struct frame_spec *s) { s->proto = 6; }
/* Past five 256-byte chunks and odd: every way the segment is summed. */
static void t_tcp_1441(struct frame_spec *s) { s->proto = 6; s->payload = 1441; }
static void t_udp_1441(struct frame_spec *s) { s->payload = 1441; }
static void t_sctp(struct frame_spec *s) { s->proto = 132; }
static void t_icmp(struct frame_spec *s) { s->proto = s->family == 4 ? 1 : 58; }
static void t_gre(struct frame_spec *s) { s->proto = 47; }
static void t_vlan1(struct frame_spec *s) { s->vlans = 1; s->vlan_tci[0] = 10; }
/* VLAN 11 / 20 over 31: no L3 subinterface of the router. */
static void t_vlan1_other(struct frame_spec *s) { s->vlans = 1; s->vlan_tci[0] = 11; }
static void t_vlan2_other(struct frame_spec *s)
{
	s->vlans = 2;
	s->vlan_tpid[0] = 0x88a8;
	s->vlan_tci[0] = 20;
	s->vlan_tci[1] = 31;
}
static void t_vlan2(struct frame_spec *s)
{
	s->vlans = 2;
	s->vlan_tpid[0] = 0x88a8;
	s->vlan_tci[0] = 20;
	s->vlan_tci[1] = 30;
	s->proto = 6;
}
static void t_vlan3(struct frame_spec *s) { s->vlans = 3; }
static void t_opt4(struct frame_spec *s) { s->ip_opt_len = 4; }
static void t_opt40(struct frame_spec *s) { s->ip_opt_len = 40; s->proto = 6; }
static void t_frag_first(struct frame_spec *s)
{
	s->frag = FRAG_FIRST;
	if (s->family == 6) {
		s->n_ext = 1;
		s->ext[0] = 44;
	}
}
static void t_frag_later(struct frame_spec *s)
{
	t_frag_first(s);
	s->frag = FRAG_LATER;
}
static void t_hbh(struct frame_spec *s) { s->n_ext = 1; s->ext[0] = 0; }
static void t_ext_chain(struct frame_spec *s)
{
	s->n_ext = 4;
	s->ext[0] = 60;
	s->ext[1] = 60;
	s->ext_len[1] = 24;
	s->ext[2] = 43;
	s->ext[3] = 60;
	s->proto = 6;
}
static void t_hbh_late(struct frame_spec *s)
{
	s->n_ext = 2;
	s->ext[0] = 60;
	s->ext[1] = 0;
}
static void t_ext_too_many(struct frame_spec *s)
{
	int i;

	s->n_ext = ECMP_MAX_EXT_HDRS + 1;
	for (i = 0; i < s->n_ext; i++)
		s->ext[i] = 60;
}
static void t_ext_max(struct frame_spec *s)
{
	int i;

	s->n_ext = ECMP_MAX_EXT_HDRS;
	for (i = 0; i < s->n_ext; i++)
		s->ext[i] = i ? 60 : 43;
}
static void t_arp(struct frame_spec *s) { s->ethertype = 0x0806; }
static void t_mcast_dst(struct frame_spec *s)
{
	if (s->family == 4) {
		uint8_t d[4] = { 224, 0, 0, 5 };

		memcpy(s->dst, d, 4);
	} else {
		uint8_t d[16] = { 0xff, 0x02, [15] = 1 };

		memcpy(s->dst, d, 16);
	}
}
/* 0.0.0.1 / :: */
static void t_src_zero_net(struct frame_spec *s)
{
	memset(s->src, 0, 16);
	if (s->family == 4)
		s->src[3] = 1;
}
/* 169.254.7.7 / ::1 */
static void t_src_link_local(struct frame_spec *s)
{
	memset(s->src, 0, 16);
	if (s->family == 4) {
		s->src[0] = 169;
		s->src[1] = 254;
		s->src[2] = s->src[3] = 7;
	} else {
		s->src[15] = 1;
	}
}
/* 169.254.1.2 / ::ffff:198.19.1.2 */
static void t_dst_special(struct frame_spec *s)
{
	uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 198, 19, 1, 2 };

	if (s->family == 4) {
		s->dst[0] = 169;
		s->dst[1] = 254;
	} else {
		memcpy(s->dst, mapped, 16);
	}
}
static void t_src_mapped(struct frame_spec *s)
{
	uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 198, 18, 0, 1 };

	memcpy(s->src, mapped, 16);
}
/* A Fragment header with offset 0 and M clear. */
static void t_atomic_frag(struct frame_spec *s)
{
	s->n_ext = 1;
	s->ext[0] = 44;
	s->frag = FRAG_NONE;
}
static void t_loopback_src(struct frame_spec *s)
{
	if (s->family == 4) {
		s->src[0] = 127;
	} else {
		uint8_t d[16] = { 0xfe, 0x80, [15] = 9 };

		memcpy(s->src, d, 16);
	}
}
static void t_no_route(struct frame_spec *s)
{
	if (s->family == 4) {
		s->dst[1] = 18;
		s->dst[2] = 1;
	} else {
		s->dst[4] = 9;
	}
}
static void t_local(struct frame_spec *s)
{
	if (s->family == 4) {
		s->dst[2] = 1;
		s->dst[3] = 1;
	} else {
		s->dst[15] = 1;
	}
}
static void t_ttl0(struct frame_spec *s) { s->ttl = 0; }
static void t_ttl1(struct frame_spec *s) { s->ttl = 1; }
static void t_ttl2(struct frame_spec *s) { s->ttl = 2; }
static void t_ttl255(struct frame_spec *s) { s->ttl = 255; }
static void t_group_down(struct frame_spec *s) { s->dst[1] = 18; s->dst[2] = 200; }
static void t_no_egress(struct frame_spec *s) { s->dst[1] = 18; s->dst[2] = 70; }
static void t_vlan_out(struct frame_spec *s)
{
	if (s->family == 4) {
		s->dst[1] = 18;
		s->dst[2] = 40;
	} else {
		s->dst[4] = 2;
		s->dst[5] = 0;
	}
}
static void t_vlan_in_out(struct frame_spec *s)
{
	t_vlan_out(s);
	t_vlan2(s);
}
static void t_tcp_truncated(struct frame_spec *s)
{
	s->proto = 6;
	s->payload = 0;
}

#define V4 4
#define V6 6
static const struct table_case cases[] = {
	{ "v4 udp", V4, t_none, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 udp", V6, t_none, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v4 tcp", V4, t_tcp, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 tcp", V6, t_tcp, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v4 sctp", V4, t_sctp, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 sctp", V6, t_sctp, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v4 icmp", V4, t_icmp, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 icmpv6", V6, t_icmp, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v4 gre (no ports)", V4, t_gre, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v4 one vlan tag", V4, t_vlan1, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 one vlan tag", V6, t_vlan1, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v4 qinq tags", V4, t_vlan2, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 qinq tags", V6, t_vlan2, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v4 three tags", V4, t_vlan3, MUT_NONE, ECMP_PASS_UNSUPPORTED, 0 },
	{ "v4 tag of a VLAN without an L3 interface", V4, t_vlan1_other, MUT_NONE, ECMP_PASS_VLAN, 0 },
	{ "v6 qinq, inner VLAN without an L3 interface", V6, t_vlan2_other, MUT_NONE, ECMP_PASS_VLAN, 0 },
	{ "v4 options 4 bytes: the kernel's (RFC 1812 5.2.4)", V4, t_opt4, MUT_NONE, ECMP_PASS_IP_OPTIONS, 0 },
	{ "v4 options 40 bytes tcp", V4, t_opt40, MUT_NONE, ECMP_PASS_IP_OPTIONS, 0 },
	{ "v4 first fragment", V4, t_frag_first, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v4 later fragment", V4, t_frag_later, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 first fragment", V6, t_frag_first, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 later fragment", V6, t_frag_later, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 hop-by-hop: the kernel's (RFC 8200 4.3)", V6, t_hbh, MUT_NONE, ECMP_PASS_IP_OPTIONS, 0 },
	{ "v6 ext chain tcp", V6, t_ext_chain, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 max ext headers", V6, t_ext_max, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 too many ext headers", V6, t_ext_too_many, MUT_NONE, ECMP_PASS_UNSUPPORTED, 0 },
	{ "v6 hop-by-hop not first", V6, t_hbh_late, MUT_NONE, ECMP_PASS_MALFORMED, 0 },
	{ "arp", V4, t_arp, MUT_NONE, ECMP_PASS_NOT_IP, 0 },
	{ "multicast mac", V4, t_none, MUT_MCAST_MAC, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v4 multicast dst", V4, t_mcast_dst, MUT_NONE, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v6 multicast dst", V6, t_mcast_dst, MUT_NONE, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v4 loopback src", V4, t_loopback_src, MUT_NONE, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v6 link-local src", V6, t_loopback_src, MUT_NONE, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v4 src 0/8 (RFC 1812 5.3.7)", V4, t_src_zero_net, MUT_NONE, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v6 src :: (RFC 4291 2.5.2)", V6, t_src_zero_net, MUT_NONE, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v4 src 169.254/16 (RFC 3927 2.7)", V4, t_src_link_local, MUT_NONE, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v6 src ::1 (RFC 4291 2.5.3)", V6, t_src_link_local, MUT_NONE, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v4 dst 169.254/16 (RFC 3927 2.7)", V4, t_dst_special, MUT_NONE, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v6 dst ::ffff:0:0/96 (RFC 4291 2.5.5.2)", V6, t_dst_special, MUT_NONE, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v6 src ::ffff:0:0/96", V6, t_src_mapped, MUT_NONE, ECMP_PASS_NOT_UNICAST, 0 },
	{ "v6 atomic fragment: hashed as the whole packet (RFC 6946)", V6, t_atomic_frag, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v4 no route", V4, t_no_route, MUT_NONE, ECMP_PASS_NO_ROUTE, 0 },
	{ "v6 no route", V6, t_no_route, MUT_NONE, ECMP_PASS_NO_ROUTE, 0 },
	{ "v4 local", V4, t_local, MUT_NONE, ECMP_PASS_LOCAL, 0 },
	{ "v6 local", V6, t_local, MUT_NONE, ECMP_PASS_LOCAL, 0 },
	{ "v4 ttl 0", V4, t_ttl0, MUT_NONE, ECMP_PASS_TTL, 0 },
	{ "v4 ttl 1", V4, t_ttl1, MUT_NONE, ECMP_PASS_TTL, 0 },
	{ "v6 hop limit 1", V6, t_ttl1, MUT_NONE, ECMP_PASS_TTL, 0 },
	{ "v4 ttl 2", V4, t_ttl2, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v4 ttl 255", V4, t_ttl255, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v6 hop limit 2", V6, t_ttl2, MUT_NONE, ECMP_FORWARDED, -1 },
	{ "v4 bad header checksum", V4, t_none, MUT_BAD_CSUM, ECMP_PASS_MALFORMED, 0 },
	{ "v4 bad version", V4, t_none, MUT_BAD_VERSION, ECMP_PASS_MALFORMED, 0 },
	{ "v6 bad version", V6, t_none, MUT_BAD_VERSION, ECMP_PASS_MALFORMED, 0 },
	{ "v4 ihl 4", V4, t_none, MUT_IHL_4, ECMP_PASS_MALFORMED, 0 },
	{ "v4 total length past frame", V4, t_none, MUT_TOTLEN_LONG, ECMP_PASS_MALFORMED, 0 },
	{ "v4 total length below ihl", V4, t_none, MUT_TOTLEN_SHORT, ECMP_PASS_MALFORMED, 0 },
	{ "v4 tcp data offset past end", V4, t_tcp, MUT_TCP_DOFF_LONG, ECMP_PASS_MALFORMED, 0 },
	{ "v6 tcp data offset 4", V6, t_tcp, MUT_TCP_DOFF_4, ECMP_PASS_MALFORMED, 0 },
	{ "v4 tcp header cut by length", V4, t_tcp_truncated, MUT_TRUNCATE_L4, ECMP_PASS_MALFORMED, 0 },
	{ "v6 udp header cut by length", V6, t_none, MUT_TRUNCATE_L4, ECMP_PASS_MALFORMED, 0 },
	{ "v6 payload length 0", V6, t_none, MUT_PLEN_ZERO, ECMP_PASS_UNSUPPORTED, 0 },
	{ "v6 payload length past frame", V6, t_none, MUT_PLEN_LONG, ECMP_PASS_MALFORMED, 0 },
	{ "v4 tcp checksum left to offload: finished", V4, t_tcp, MUT_PARTIAL_CSUM, ECMP_FORWARDED, -1 },
	{ "v4 udp checksum left to offload: finished", V4, t_none, MUT_PARTIAL_CSUM, ECMP_FORWARDED, -1 },
	{ "v6 tcp checksum left to offload: finished", V6, t_tcp, MUT_PARTIAL_CSUM, ECMP_FORWARDED, -1 },
	{ "v6 udp checksum left to offload: finished", V6, t_none, MUT_PARTIAL_CSUM, ECMP_FORWARDED, -1 },
	{ "v4 tcp 1461 bytes left to offload: finished", V4, t_tcp_1441, MUT_PARTIAL_CSUM, ECMP_FORWARDED, -1 },
	{ "v6 udp 1449 bytes left to offload: finished", V6, t_udp_1441, MUT_PARTIAL_CSUM, ECMP_FORWARDED, -1 },
	{ "v4 tcp good checksum equal to pseudo sum", V4, t_tcp, MUT_GOOD_CSUM_LIKE_PSEUDO, ECMP_FORWARDED, -1 },
	{ "v6 udp good checksum equal to pseudo sum", V6, t_none, MUT_GOOD_CSUM_LIKE_PSEUDO, ECMP_FORWARDED, -1 },
	{ "v4 group all down", V4, t_group_down, MUT_NONE, ECMP_PASS_NO_NEXTHOP, 0 },
	{ "v4 egress not in devmap", V4, t_no_egress, MUT_NONE, ECMP_PASS_NO_EGRESS, 0 },
	{ "v4 egress vlan pushed", V4, t_vlan_out, MUT_NONE, ECMP_FORWARDED, NH_VLAN },
	{ "v6 egress vlan pushed", V6, t_vlan_out, MUT_NONE, ECMP_FORWARDED, NH_VLAN },
	{ "v4 qinq in, vlan out", V4, t_vlan_in_out, MUT_NONE, ECMP_FORWARDED, NH_VLAN },
	{ "v6 qinq in, vlan out", V6, t_vlan_in_out, MUT_NONE, ECMP_FORWARDED, NH_VLAN },
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void fix_v4_csum(uint8_t *ip)
{
	size_t ihl = (ip[0] & 0x0f) * 4;

	if (ihl < 20)
		ihl = 20;
	ip[10] = ip[11] = 0;
	put16(ip + 10, csum_fold(csum_add(0, ip, ihl)));
}

static size_t mutate(uint8_t *f, size_t len, const struct frame_layout *lay,
		     uint8_t family, enum mutation m)
{
	uint8_t *ip = f + lay->l3;
	size_t l4_len = lay->end - lay->l4;

	switch (m) {
	case MUT_NONE:
		break;
	case MUT_BAD_CSUM:
		ip[10] ^= 0x01;
		break;
	case MUT_BAD_VERSION:
		ip[0] = (ip[0] & 0x0f) | (family == 4 ? 0x50 : 0x40);
		if (family == 4)
			fix_v4_csum(ip);
		break;
	case MUT_IHL_4:
		ip[0] = 0x44;
		fix_v4_csum(ip);
		break;
	case MUT_TOTLEN_LONG:
		put16(ip + 2, len - lay->l3 + 1);
		fix_v4_csum(ip);
		break;
	case MUT_TOTLEN_SHORT:
		put16(ip + 2, 19);
		fix_v4_csum(ip);
		break;
	case MUT_TCP_DOFF_LONG:
		f[lay->l4 + 12] = 15 << 4;
		break;
	case MUT_TCP_DOFF_4:
		f[lay->l4 + 12] = 4 << 4;
		break;
	case MUT_PLEN_ZERO:
		put16(ip + 4, 0);
		break;
	case MUT_PLEN_LONG:
		put16(ip + 4, len - lay->l3 - 40 + 1);
		break;
	case MUT_MCAST_MAC:
		f[0] = 0x01;
		break;
	case MUT_GOOD_CSUM_LIKE_PSEUDO:
	case MUT_PARTIAL_CSUM: {
		/* What a sender with checksum offload leaves: the folded
		 * pseudo-header sum in the TCP/UDP checksum field. */
		size_t alen = family == 4 ? 4 : 16, i;
		size_t saddr = lay->l3 + (family == 4 ? 12 : 8);
		uint8_t proto = family == 4 ? ip[9] : ip[6];
		size_t at = lay->l4 + (proto == 6 ? 16 : 6);
		uint32_t sum = proto + (lay->end - lay->l4);

		for (i = 0; i < 2 * alen; i += 2)
			sum += f[saddr + i] << 8 | f[saddr + i + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		put16(f + at, sum);
		if (m == MUT_GOOD_CSUM_LIKE_PSEUDO) {
			/* Make it a complete, valid checksum that still equals
			 * the pseudo-header sum: the last payload word takes
			 * whatever value makes the segment verify. */
			size_t last = lay->end - 2;
			uint32_t seg = sum;	/* pseudo-header */

			put16(f + last, 0);
			for (i = lay->l4; i + 1 < lay->end; i += 2)
				seg += f[i] << 8 | f[i + 1];
			while (seg >> 16)
				seg = (seg & 0xffff) + (seg >> 16);
			put16(f + last, ~seg & 0xffff);
		}
		break;
	}
	case MUT_TRUNCATE_L4:
		/* Keep only 4 bytes of L4 inside the IP length. */
		if (family == 4) {
			put16(ip + 2, lay->l4 - lay->l3 + 4);
			fix_v4_csum(ip);
		} else {
			put16(ip + 4, lay->l4 - lay->l3 - 40 + 4);
		}
		(void)l4_len;
		break;
	}
	return len;
}

static size_t build_case(const struct table_case *c, uint8_t *buf, size_t cap)
{
	struct frame_spec s;
	struct frame_layout lay;
	size_t len;

	frame_spec_default(&s, c->family);
	c->tweak(&s);
	len = frame_build_layout(&s, buf, cap, &lay);
	return mutate(buf, len, &lay, c->family, c->mut);
}

static int v4_header_valid(const uint8_t *frame, size_t l3)
{
	const uint8_t *ip = frame + l3;

	return csum_fold(csum_add(0, ip, (ip[0] & 0x0f) * 4)) == 0;
}

static void test_table_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct table_case *c = &cases[i];
		uint8_t frame[2048];
		size_t len = build_case(c, frame, sizeof(frame));
		uint64_t before = fixture_reason_count(&fx, c->reason);
		struct ecmp_counter nh_before = { 0 }, nh_after = { 0 };
		struct outcome o;

		if (c->nh > 0)
			dp_read_counter(&fx.dp, DP_NH_STATS, c->nh, &nh_before);
		o = run_and_compare(c->name, frame, len);
		ASSERT_EQ(o.model_reason, c->reason, c->name);
		ASSERT_EQ(fixture_reason_count(&fx, c->reason) - before, 1,
			  c->name);
		if (c->reason != ECMP_FORWARDED)
			continue;
		ASSERT_EQ(o.nh_from_mac, o.model_nh, c->name);
		if (c->nh > 0) {
			ASSERT_EQ(o.nh_from_mac, c->nh, c->name);
			dp_read_counter(&fx.dp, DP_NH_STATS, c->nh, &nh_after);
			ASSERT_EQ(nh_after.packets - nh_before.packets, 1, c->name);
			ASSERT_EQ(nh_after.bytes - nh_before.bytes, len, c->name);
		} else {
			CHECK(o.nh_from_mac >= 1 && o.nh_from_mac <= 8,
			      "%s: nexthop %d outside group 0", c->name,
			      o.nh_from_mac);
		}
	}
}

/* The program's own output, checked for what a router must never get
 * wrong, independently of the model: IPv4 checksum valid by full
 * recomputation, TTL one less, tags as the nexthop wants. */
static void test_forwarded_frames_are_valid(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct table_case *c = &cases[i];
		uint8_t frame[2048], out[2100];
		size_t len, out_len = sizeof(out), l3;
		uint32_t retval;

		if (c->reason != ECMP_FORWARDED)
			continue;
		len = build_case(c, frame, sizeof(frame));
		if (fixture_run(&fx, frame, len, out, &out_len, &retval)) {
			CHECK(0, "%s: run failed", c->name);
			continue;
		}
		ASSERT_EQ(retval, XDP_REDIRECT, c->name);
		l3 = (out[12] == 0x81 && out[13] == 0) ? 18 : 14;
		ASSERT_EQ(l3 == 18, c->nh == NH_VLAN, c->name);
		if (c->family == 4) {
			CHECK(v4_header_valid(out, l3), "%s: bad checksum", c->name);
			ASSERT_EQ(out[l3 + 8] + 1,
				  frame[len - (out_len - l3) + 8], c->name);
		} else {
			ASSERT_EQ(out[l3 + 7] + 1,
				  frame[len - (out_len - l3) + 7], c->name);
		}
	}
}

static void test_truncated_frames_never_forwarded(void)
{
	long redirected = 0, mismatches = 0, runs = 0;
	size_t i, cut;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t frame[2048];
		size_t len = build_case(&cases[i], frame, sizeof(frame));

		if (cases[i].reason != ECMP_FORWARDED)
			continue;
		for (cut = 0; cut < len; cut++) {
			struct outcome o = run_and_compare(cases[i].name, frame, cut);

			runs++;
			redirected += o.retval == XDP_REDIRECT;
			mismatches += o.mismatches;
		}
	}
	ASSERT_EQ(redirected, 0, "truncated frames redirected");
	ASSERT_EQ(mismatches, 0, "truncated frames differing from model");
	CHECK(runs > 2000, "only %ld truncations", runs);
}

static void test_not_ready_passes_everything(void)
{
	uint8_t frame[2048];
	size_t len = build_case(&cases[0], frame, sizeof(frame));
	struct outcome o;

	fixture_set_config(&fx, fx.cfg.seed[0], fx.cfg.seed[1],
			   fx.cfg.hash_flags, 0);
	o = run_and_compare("not ready", frame, len);
	ASSERT_EQ(o.retval, XDP_PASS, "not ready: pass");
	ASSERT_EQ(o.model_reason, ECMP_PASS_NOT_READY, "not ready: reason");
	fixture_set_config(&fx, fx.cfg.seed[0], fx.cfg.seed[1],
			   fx.cfg.hash_flags, 1);
	o = run_and_compare("ready again", frame, len);
	ASSERT_EQ(o.retval, XDP_REDIRECT, "ready again: forward");
}

/* ---- hash properties through the real program ---- */

/* Group 4: 64 buckets, bucket i owned by nexthop 100 + i, so the output MAC
 * names the bucket. Route 198.18.0.0/15 is too wide for the fixture, so
 * these tests use 198.18.16.0/20 and 2001:db8:300::/48, both directions. */
static void setup_bucket_probe_group(struct fixture *f)
{
	uint32_t i;

	fixture_set_group(f, 4, 256, 64);
	for (i = 0; i < 64; i++) {
		fixture_set_nexthop(f, 100 + i, lo_ifindex, 0, 1);
		fixture_set_bucket(f, 256 + i, 100 + i);
	}
	fixture_add_route(f, 4, "198.18.16.0/20", ECMP_LPM_LEAF(4));
	fixture_add_route(f, 6, "2001:db8:300::/48", ECMP_LPM_LEAF(4));
}

static void probe_addrs(struct frame_spec *s, unsigned long long *rs)
{
	int i;

	if (s->family == 4) {
		uint8_t a[4] = { 198, 18, 16, 0 };

		memcpy(s->src, a, 4);
		memcpy(s->dst, a, 4);
		s->src[2] = 16 + (test_rand(rs) & 15);
		s->src[3] = test_rand(rs) % 250 + 1;
		s->dst[2] = 16 + (test_rand(rs) & 15);
		s->dst[3] = test_rand(rs) % 250 + 1;
	} else {
		uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x03, 0x00 };

		memcpy(s->src, a, 16);
		memcpy(s->dst, a, 16);
		for (i = 6; i < 16; i++) {
			s->src[i] = test_rand(rs);
			s->dst[i] = test_rand(rs);
		}
	}
}

static int bucket_of(const uint8_t *frame, size_t len, long *mismatches)
{
	struct outcome o = run_and_compare("bucket probe", frame, len);

	*mismatches += o.mismatches;
	return o.nh_from_mac >= 100 ? o.nh_from_mac - 100 : -1;
}

static void test_fragments_take_one_path(void)
{
	unsigned long long rs = 0xf7a6;
	long bad = 0, mism = 0;
	int n, fam;

	for (fam = 4; fam <= 6; fam += 2) {
		for (n = 0; n < 500; n++) {
			struct frame_spec s;
			uint8_t a[2048], b[2048];
			size_t la, lb;

			frame_spec_default(&s, fam);
			probe_addrs(&s, &rs);
			s.sport = test_rand(&rs);
			t_frag_first(&s);
			la = frame_build(&s, a, sizeof(a));
			s.frag = FRAG_LATER;
			s.sport = test_rand(&rs);	/* not visible anyway */
			lb = frame_build(&s, b, sizeof(b));
			if (bucket_of(a, la, &mism) != bucket_of(b, lb, &mism) ||
			    bucket_of(a, la, &mism) < 0)
				bad++;
		}
	}
	ASSERT_EQ(bad, 0, "fragments of one datagram on different buckets");
	ASSERT_EQ(mism, 0, "model mismatches");
}

static long expect_reason(const char *name, const uint8_t *f, size_t len, int want);

/* ---- ICMP errors follow the flow they report on ---- */

/* The error a router at 198.18.16.250 / 2001:db8:300::fa sends to B about
 * a packet of the flow A -> B going back, B -> A: it quotes that packet. */
static size_t build_icmp_error(const struct frame_spec *flow, struct frame_spec *quote,
			       uint8_t *buf, size_t cap, int quote_len)
{
	static const uint8_t r4[4] = { 198, 18, 16, 250 };
	static const uint8_t r6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x03, 0, [15] = 0xfa };
	struct frame_spec e;

	frame_spec_icmp_error(&e, quote, flow, flow->family == 4 ? r4 : r6, quote_len);
	return frame_build(&e, buf, cap);
}

/* Katran's and the kernel's rule: an error reaches the nexthop of the
 * flow it quotes, so a server behind an anycast address hears "packet too
 * big" for its own connection. 1,000 flows per family, four protocols. */
static void test_icmp_errors_follow_their_flow(void)
{
	static const uint8_t protos[] = { 17, 6, 132, 0 };
	static const uint32_t policies[] = { ECMP_HASH_L4, ECMP_HASH_L4 | ECMP_HASH_SYMMETRIC, 0 };
	unsigned long long rs = 0x1c3e;
	long bad = 0, mism = 0, n = 0;
	int fam, i, p;

	for (p = 0; p < 3; p++) {
		fixture_set_config(&fx, 0x0706050403020100ULL + p, 0x0f0e0d0c0b0a0908ULL,
				   policies[p], 1);
		for (fam = 4; fam <= 6; fam += 2) {
			for (i = 0; i < 1000; i++) {
				struct frame_spec s, q;
				uint8_t a[2048], b[2048];
				size_t la, lb;
				int nh_flow, nh_err;

				frame_spec_default(&s, fam);
				probe_addrs(&s, &rs);
				s.proto = protos[i % 4] ? protos[i % 4] : (fam == 4 ? 1 : 58);
				s.sport = test_rand(&rs);
				s.dport = test_rand(&rs);
				la = frame_build(&s, a, sizeof(a));
				/* Whole quotes, and the RFC 792 minimum: the IP
				 * header and 8 bytes. */
				lb = build_icmp_error(&s, &q, b, sizeof(b),
						      i & 1 ? 0 : (fam == 4 ? 28 : 48));
				nh_flow = bucket_of(a, la, &mism);
				nh_err = bucket_of(b, lb, &mism);
				bad += nh_flow < 0 || nh_flow != nh_err;
				n++;
			}
		}
	}
	fixture_set_config(&fx, 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL,
			   ECMP_HASH_L4, 1);
	ASSERT_EQ(bad, 0, "errors at another nexthop than their flow");
	ASSERT_EQ(mism, 0, "model mismatches");
	CHECK(n == 6000, "%ld flows", n);
}

/* What the error cannot be matched to is hashed on its own headers. */
static void test_icmp_error_fallbacks(void)
{
	unsigned long long rs = 0x1c3f;
	long mism = 0;
	int fam, c;

	for (fam = 4; fam <= 6; fam += 2) {
		for (c = 0; c < 7; c++) {
			struct frame_spec s, q;
			struct ecmp_flow outer = { 0 };
			uint8_t b[2048];
			size_t lb, hl = fam == 4 ? 20 : 40;
			struct outcome o;
			const char *what[] = {
				"quote shorter than an IP header", "quote with 2 bytes of TCP",
				"quote of a first fragment", "quote of a later fragment",
				"not an error (echo reply)", "quote of the other family",
				"IPv6 quote with a Destination Options header",
			};
			int quote_len = 0;

			frame_spec_default(&s, fam);
			probe_addrs(&s, &rs);
			s.proto = 6;
			s.sport = test_rand(&rs);
			s.dport = test_rand(&rs);
			if (c == 0)
				quote_len = hl - 1;
			if (c == 1)
				quote_len = hl + 2;
			if (c == 2 || c == 3)
				s.frag = c == 2 ? FRAG_FIRST : FRAG_LATER;
			if ((c == 2 || c == 3) && fam == 6)
				s.ext[s.n_ext++] = 44;
			if (c == 6 && fam == 6)
				s.ext[s.n_ext++] = 60;
			if (c == 6 && fam == 4)
				continue;
			lb = build_icmp_error(&s, &q, b, sizeof(b), quote_len);
			if (c == 5) {
				/* Same flow, quoted in the other family's
				 * header: rebuild the quote as such. */
				struct frame_spec e;

				frame_spec_default(&q, fam == 4 ? 6 : 4);
				q.proto = 6;
				frame_spec_default(&e, fam);
				memcpy(e.src, b + 14 + (fam == 4 ? 12 : 8), fam == 4 ? 4 : 16);
				memcpy(e.dst, s.dst, 16);
				e.proto = fam == 4 ? 1 : 58;
				e.tunnel = TUN_ICMP_ERROR;
				e.icmp_type = fam == 4 ? 3 : 1;
				e.inner = &q;
				lb = frame_build(&e, b, sizeof(b));
			}
			if (c == 4)
				b[14 + hl] = fam == 4 ? 0 : 129;
			/* Expected: the outer headers, as any ICMP packet. */
			outer.family = fam == 4 ? ECMP_AF_INET : ECMP_AF_INET6;
			outer.proto = fam == 4 ? 1 : 58;
			memcpy(outer.saddr, b + 14 + (fam == 4 ? 12 : 8), hl == 20 ? 4 : 16);
			memcpy(outer.daddr, b + 14 + (fam == 4 ? 16 : 24), hl == 20 ? 4 : 16);
			o = run_and_compare(what[c], b, lb);
			mism += o.mismatches;
			CHECK(o.model_reason == ECMP_FORWARDED && o.nh_from_mac >= 100,
			      "IPv%d %s: not forwarded (%s)", fam, what[c], text_reason(o.model_reason));
			CHECK(o.model_hash == ecmp_flow_hash(&outer, fx.cfg.hash_flags, fx.cfg.seed),
			      "IPv%d %s: not hashed on the outer headers", fam, what[c]);
		}
	}
	ASSERT_EQ(mism, 0, "model mismatches");
}

/* ---- real links: MTU, devices without XDP transmit, multi-buffer ---- */

/* A UDP frame to group 0 whose IP datagram is l3 bytes long. */
static size_t build_l3_len(int fam, size_t l3, uint8_t *buf, size_t cap)
{
	struct frame_spec s;

	frame_spec_default(&s, fam);
	s.payload = l3 - (fam == 4 ? 20 : 40) - 8;
	return frame_build(&s, buf, cap);
}

static void test_egress_mtu_and_xdp_xmit(void)
{
	static const uint16_t mtus[] = { 1400, 9000 };
	static uint8_t f[10000];
	long mism = 0;
	int fam, id, m;
	size_t len;

	/* 1400, and jumbo: multi-buffer frames against a 9000-byte MTU. */
	for (m = 0; m < 2; m++) {
		for (id = 1; id <= 8; id++)
			fixture_set_nexthop_link(&fx, id, mtus[m], 1);
		for (fam = 4; fam <= 6; fam += 2) {
			len = build_l3_len(fam, mtus[m], f, sizeof(f));
			mism += expect_reason("datagram of exactly the MTU", f, len, ECMP_FORWARDED);
			len = build_l3_len(fam, mtus[m] + 1, f, sizeof(f));
			mism += expect_reason("datagram one byte over the MTU", f, len,
					      ECMP_PASS_TOO_BIG);
		}
	}
	/* A device that cannot send XDP frames: the frame goes on to tc. */
	for (id = 1; id <= 8; id++)
		fixture_set_nexthop_link(&fx, id, 1500, 0);
	for (fam = 4; fam <= 6; fam += 2) {
		len = build_l3_len(fam, 1000, f, sizeof(f));
		mism += expect_reason("egress without XDP transmit", f, len, ECMP_PASS_NO_XDP_XMIT);
	}
	for (id = 1; id <= 8; id++)
		fixture_set_nexthop_link(&fx, id, 0, 1);
	ASSERT_EQ(mism, 0, "model mismatches");
}

/* Multi-buffer frames as a local sender with checksum offload leaves
 * them: XDP finishes the checksum reading across buffers. The check here
 * is the receiver's: the segment sums to all ones with its pseudo-header. */
static void test_multi_buffer_checksums(void)
{
	static const int payloads[] = { 3600, 4095, 8000, 8001, 8972, 9172 };
	static uint8_t f[10000], out[10064];
	int fam, proto, i, checked = 0;

	for (fam = 4; fam <= 6; fam += 2)
	for (proto = 6; proto <= 17; proto += 11)
	for (i = 0; i < 6; i++) {
		struct frame_spec s;
		struct frame_layout lay;
		size_t len, out_len = sizeof(out), l3, l4, end, alen = fam == 4 ? 4 : 16, k;
		uint32_t retval, sum;
		struct outcome o;

		frame_spec_default(&s, fam);
		s.proto = proto;
		s.payload = payloads[i];
		len = frame_build_layout(&s, f, sizeof(f), &lay);
		mutate(f, len, &lay, fam, MUT_PARTIAL_CSUM);
		o = run_and_compare("multi-buffer, checksum left to offload", f, len);
		CHECK(o.mismatches == 0 && o.model_reason == ECMP_FORWARDED,
		      "IPv%d proto %d payload %d: %s", fam, proto, payloads[i],
		      text_reason(o.model_reason));
		if (fixture_run(&fx, f, len, out, &out_len, &retval) || retval != XDP_REDIRECT)
			continue;
		l3 = 14;
		l4 = l3 + (lay.l4 - lay.l3);
		end = l3 + (lay.end - lay.l3);
		sum = proto + (uint32_t)(end - l4);
		for (k = 0; k < 2 * alen; k += 2)
			sum += out[l3 + (fam == 4 ? 12 : 8) + k] << 8 |
			       out[l3 + (fam == 4 ? 12 : 8) + k + 1];
		sum = csum_add(sum, out + l4, end - l4);
		CHECK(csum_fold(sum) == 0, "IPv%d proto %d payload %d: checksum does not verify",
		      fam, proto, payloads[i]);
		checked++;
	}
	CHECK(checked == 24, "%d frames checked", checked);
}

/* Runs one frame: the model must say want, the program agree with it and
 * count the frame under want. Returns the mismatches. */
static long expect_reason(const char *name, const uint8_t *f, size_t len, int want)
{
	uint64_t before = fixture_reason_count(&fx, want);
	struct outcome o = run_and_compare(name, f, len);

	CHECK(o.model_reason == want, "%s: model says %s", name, text_reason(o.model_reason));
	CHECK(fixture_reason_count(&fx, want) == before + 1, "%s: not counted as %s", name,
	      text_reason(want));
	return o.mismatches;
}

/* RFC 1812 5.2.4.3: a connected subnet inside a routed prefix (its hosts,
 * its broadcast address, IPv6 subnet-router anycast) is the kernel's; the
 * routed prefix around it is forwarded. */
static void test_connected_subnets(void)
{
	static const struct {
		const char *name;
		uint8_t family;
		uint8_t dst[16];
		int want;
	} cases[] = {
		{ "v4 host of a connected subnet", 4, { 198, 19, 200, 7 }, ECMP_PASS_CONNECTED },
		{ "v4 broadcast of a connected subnet", 4, { 198, 19, 200, 255 }, ECMP_PASS_CONNECTED },
		{ "v4 next to the connected subnet", 4, { 198, 19, 201, 1 }, ECMP_FORWARDED },
		{ "v6 subnet-router anycast", 6, { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0xff }, ECMP_PASS_CONNECTED },
		{ "v6 host of a connected subnet", 6, { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0xff, [15] = 9 }, ECMP_PASS_CONNECTED },
		{ "v6 next to the connected subnet", 6, { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0xfe, [15] = 9 }, ECMP_FORWARDED },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct frame_spec s;
		uint8_t f[2048];
		size_t len;

		frame_spec_default(&s, cases[i].family);
		memcpy(s.dst, cases[i].dst, cases[i].family == 4 ? 4 : 16);
		len = frame_build(&s, f, sizeof(f));
		ASSERT_EQ(expect_reason(cases[i].name, f, len, cases[i].want), 0, cases[i].name);
	}
}

/* The trie's tails (ecmp_shared.h) and chunks as the program walks them:
 * a random table of nested, sparse and dense routes of both families
 * (tails of one to four routes, chunks above them, covers from /16 and
 * shorter), then destinations inside, at the edges of and around its
 * routes; for each the program forwards or passes as the model's
 * lpm_walk() says (test_lpm checks that one against a linear search).
 * 100.6, 100.7 and 100.8.0.0/16 hold 6, 14 and 26 routes of /17../24
 * alone, 100.9-16.0.0/16 rows of /24s: run lists of all four sizes with
 * 8-bit leaves and with 16-bit ones, read at every one of their bytes.
 * A tail link past the pool is no route, and so is a run list linked as
 * the layout before bitmaps linked it. The table goes again after. */
static uint32_t run_lists_under(uint32_t v)
{
	uint32_t n = 0, i;

	if ((v & (ECMP_LPM_CHILD | ECMP_LPM_TAIL | ECMP_LPM_RUNS)) ==
	    (ECMP_LPM_CHILD | ECMP_LPM_TAIL | ECMP_LPM_RUNS))
		return 1;
	if ((v & (ECMP_LPM_CHILD | ECMP_LPM_TAIL)) == ECMP_LPM_CHILD)
		for (i = 0; i < ECMP_LPM_CHUNK; i++)
			n += run_lists_under(fx.dp.node[v & ~ECMP_LPM_CHILD].entry[i]);
	return n;
}

static void test_route_trie_tails(void)
{
	static struct lpm_route added[1500];
	unsigned long long rs = 0x7a115;
	static const uint32_t leaves[] = { ECMP_LPM_LEAF(0), ECMP_LPM_LEAF(1), ECMP_LPM_LEAF(2),
					   ECMP_LPM_LEAF(3), ECMP_LPM_LOCAL, ECMP_LPM_CONNECTED };
	long mism = 0, forwarded = 0, i;
	static const int in_run_list[3] = { 6, 14, 26 };
	uint32_t runs = 0, classes = 0;
	int n = 0;

	for (int l = 0; l < 3; l++) {	/* the run lists */
		int end = n + in_run_list[l];

		while (n < end) {
			struct lpm_route *r = &added[n];
			uint64_t x = test_rand(&rs);

			*r = (struct lpm_route){ .family = ECMP_AF_INET,
						 .addr = { 100, 6 + l, x >> 8 },
						 .prefixlen = 17 + (x >> 16) % 8,
						 .leaf = leaves[(x >> 52) % 6] };
			lpm_mask(r->addr, r->family, r->prefixlen);
			if (lpm_add(fx.lpm, r) == 0)
				n++;
		}
	}
	/* 100.9-16.0.0/16: their first /24s, neighbours on different
	 * leaves, then a gap: a run each and one or two more, whatever
	 * covers the gap, for each size class of 8-bit leaves (at most 24,
	 * 56, 88, 120 runs) and then of 16-bit ones (12, 28, 44, 60), which
	 * a /24 at byte 200 to group 300 makes them (no such group: its
	 * frames are no_nexthop, the others' forwarded or passed as the
	 * model says). */
	for (int l = 0; l < 8; l++) {
		static const int rows[8] = { 10, 40, 70, 100, 6, 18, 34, 52 };

		for (int k = 0; k < rows[l]; k++) {
			added[n] = (struct lpm_route){ .family = ECMP_AF_INET,
						       .addr = { 100, 9 + l, k },
						       .prefixlen = 24, .leaf = leaves[k % 6] };
			if (lpm_add(fx.lpm, &added[n]) == 0)
				n++;
		}
		if (l < 4)
			continue;
		added[n] = (struct lpm_route){ .family = ECMP_AF_INET, .addr = { 100, 9 + l, 200 },
					       .prefixlen = 24, .leaf = ECMP_LPM_LEAF(300) };
		if (lpm_add(fx.lpm, &added[n]) == 0)
			n++;
	}
	while (n < 1500) {
		struct lpm_route *r = &added[n];
		uint64_t x = test_rand(&rs);
		int v6 = x & 1, plen;

		memset(r, 0, sizeof(*r));
		r->family = v6 ? ECMP_AF_INET6 : ECMP_AF_INET;
		/* Clustered: few /16s, so entries hold 1..10 routes. */
		r->addr[0] = v6 ? 0x2a : 100;
		r->addr[1] = (x >> 8) % 6;
		for (int k = 2; k < 16; k++)
			r->addr[k] = (x >> (16 + k)) & ((x >> 40) & 1 ? 0x3 : 0xff);
		plen = v6 ? (int)((x >> 44) % 113) + 16 : (int)((x >> 44) % 25) + 8;
		r->prefixlen = plen;
		r->leaf = leaves[(x >> 52) % 6];
		lpm_mask(r->addr, r->family, r->prefixlen);
		if (lpm_add(fx.lpm, r) == 0)
			n++;
	}
	for (i = 0; i < ECMP_LPM_ROOT_CHUNKS * ECMP_LPM_CHUNK; i++)
		runs += run_lists_under(fx.dp.root[i / ECMP_LPM_CHUNK].entry[i % ECMP_LPM_CHUNK]);
	for (i = 6; i <= 16; i++) {
		uint32_t v = fx.dp.root[100].entry[i];

		if ((v & ECMP_LPM_RUNS) && (v & ECMP_LPM_TAIL))
			classes |= 1u << (ECMP_LPM_RUNS_CLASS(v) +
					  (v & ECMP_LPM_RUNS_LEAF8 ? 0 : 4));
	}
	CHECK(classes == 0xff && runs > 8,
	      "100.6-16.0.0/16 run lists of all four sizes, both widths (8-bit classes in "
	      "the low bits: %#x; %u run lists in all)", classes, runs);
	for (i = 0; i < 11 * 256; i++) {	/* every byte of the run lists */
		struct frame_spec s;
		uint8_t f[2048];
		size_t len;

		frame_spec_default(&s, 4);
		memcpy(s.dst, (uint8_t[]){ 100, 6 + i / 256, i % 256, 1 }, 4);
		len = frame_build(&s, f, sizeof(f));
		mism += run_and_compare("run list", f, len).mismatches;
	}
	for (i = 0; i < 4000; i++) {
		const struct lpm_route *r = &added[test_rand(&rs) % n];
		struct frame_spec s;
		uint8_t f[2048];
		size_t len;
		struct outcome o;

		frame_spec_default(&s, r->family == ECMP_AF_INET ? 4 : 6);
		memcpy(s.dst, r->addr, r->family == ECMP_AF_INET ? 4 : 16);
		/* Inside (a random host), its last address, or just past it. */
		for (int k = r->prefixlen; k < (r->family == ECMP_AF_INET ? 32 : 128); k++)
			if ((i % 3 == 0 && (test_rand(&rs) & 1)) || i % 3 == 1)
				s.dst[k / 8] |= 0x80 >> (k % 8);
		if (i % 3 == 2 && r->prefixlen)
			s.dst[(r->prefixlen - 1) / 8] ^= 0x80 >> ((r->prefixlen - 1) % 8);
		len = frame_build(&s, f, sizeof(f));
		o = run_and_compare("route trie", f, len);
		mism += o.mismatches;
		forwarded += o.model_reason == ECMP_FORWARDED;
	}
	printf("  %d routes; 4000 destinations, %ld forwarded, %ld mismatches\n", n, forwarded, mism);
	CHECK(mism == 0 && forwarded > 1000, "%ld mismatches, %ld forwarded", mism, forwarded);
	{	/* A tail link past the pool: no route, for both. */
		struct frame_spec s;
		uint8_t f[2048];
		size_t len;
		uint32_t *e = &fx.dp.root[100].entry[9], old = *e;

		*e = ECMP_LPM_CHILD | ECMP_LPM_TAIL | 0x3ffffff7u;
		frame_spec_default(&s, 4);
		s.dst[0] = 100;
		s.dst[1] = 9;
		len = frame_build(&s, f, sizeof(f));
		ASSERT_EQ(expect_reason("tail past the pool", f, len, ECMP_PASS_NO_ROUTE), 0,
			  "tail past the pool");
		/* 100.9.0.0/16's run list linked as the layout before bitmaps
		 * linked it (ecmp_shared.h): no route, not a wrong leaf. */
		*e = old & ~ECMP_LPM_RUNS_BITMAP;
		CHECK((old & (ECMP_LPM_RUNS | ECMP_LPM_RUNS_BITMAP)) ==
		      (ECMP_LPM_RUNS | ECMP_LPM_RUNS_BITMAP), "100.9.0.0/16: a run list (%#x)", old);
		ASSERT_EQ(expect_reason("run list of the layout before", f, len,
					ECMP_PASS_NO_ROUTE), 0, "run list of the layout before");
		*e = old;
	}
	while (n--)
		lpm_del(fx.lpm, added[n].family, added[n].addr, added[n].prefixlen);
}

/* Kernel-path rules (config `kernel-path`): a matching frame that would be
 * forwarded goes to the kernel, counted as kernel_path; others are
 * forwarded; a fragment matches on addresses and protocol; the model
 * agrees frame by frame, with rules and after they are removed. */
static void test_kernel_path_rules(void)
{
	static const struct model_kpath rules[] = {
		{ .family = 4, .src = { 198, 18, 0, 0 }, .src_len = 24,
		  .sport_hi = 65535, .dport_hi = 65535 },
		{ .family = 6, .proto = 6, .dst = { 0x20, 0x01, 0x0d, 0xb8, 0x01 }, .dst_len = 40,
		  .sport_hi = 65535, .dport_lo = 22, .dport_hi = 22 },
		{ .family = 4, .proto = 17, .sport_lo = 1000, .sport_hi = 2000,
		  .dport_hi = 65535 },
	};
	static const struct {
		const char *name;
		uint8_t family, proto, src3, ttl;
		uint16_t sport, dport;
		int frag, want;
	} cases[] = {
		{ "v4 from 198.18.0.0/24", 4, 17, 0, 64, 40000, 5001, FRAG_NONE, ECMP_PASS_KERNEL_PATH },
		{ "v4 from elsewhere", 4, 17, 1, 64, 40000, 5001, FRAG_NONE, ECMP_FORWARDED },
		{ "v4 udp sport in 1000-2000", 4, 17, 1, 64, 1500, 5001, FRAG_NONE, ECMP_PASS_KERNEL_PATH },
		{ "v4 udp sport 2001", 4, 17, 1, 64, 2001, 5001, FRAG_NONE, ECMP_FORWARDED },
		{ "v4 tcp sport 1500: rule is udp", 4, 6, 1, 64, 1500, 5001, FRAG_NONE, ECMP_FORWARDED },
		{ "v6 tcp dport 22 to 2001:db8:100::/40", 6, 6, 0, 64, 40000, 22, FRAG_NONE, ECMP_PASS_KERNEL_PATH },
		{ "v6 tcp dport 23", 6, 6, 0, 64, 40000, 23, FRAG_NONE, ECMP_FORWARDED },
		{ "v6 udp dport 22: rule is tcp", 6, 17, 0, 64, 40000, 22, FRAG_NONE, ECMP_FORWARDED },
		{ "v6 tcp later fragment: no ports, kernel", 6, 6, 0, 64, 40000, 23, FRAG_LATER, ECMP_PASS_KERNEL_PATH },
		{ "v4 ttl 1 from the rule's prefix: ttl first", 4, 17, 0, 1, 40000, 5001, FRAG_NONE, ECMP_PASS_TTL },
	};
	unsigned long long rs = 0x4b9a;
	long mism = 0, kpath = 0;
	unsigned i;
	int n;

	ASSERT_EQ(fixture_set_kernel_path(&fx, rules, 3), 0, "rules in force");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct frame_spec s;
		uint8_t f[2048];
		size_t len;

		frame_spec_default(&s, cases[i].family);
		s.proto = cases[i].proto;
		s.ttl = cases[i].ttl;
		s.sport = cases[i].sport;
		s.dport = cases[i].dport;
		if (cases[i].frag != FRAG_NONE) {
			t_frag_first(&s);	/* with the Fragment header */
			s.frag = cases[i].frag;
		}
		if (cases[i].family == 4)
			s.src[2] = cases[i].src3;
		len = frame_build(&s, f, sizeof(f));
		mism += expect_reason(cases[i].name, f, len, cases[i].want);
	}
	/* Random flows around the rules' edges, both families. */
	for (n = 0; n < 20000; n++) {
		struct frame_spec s;
		struct outcome o;
		uint8_t f[2048];
		size_t len;

		frame_spec_default(&s, n & 1 ? 6 : 4);
		s.proto = test_rand(&rs) & 1 ? 6 : 17;
		s.sport = test_rand(&rs) % 3000;
		s.dport = test_rand(&rs) % 40;
		if (!(test_rand(&rs) % 8)) {
			t_frag_first(&s);
			s.frag = test_rand(&rs) & 1 ? FRAG_FIRST : FRAG_LATER;
		}
		if (s.family == 4) {
			s.src[2] = test_rand(&rs) & 1;
		} else {
			s.dst[4] = test_rand(&rs) & 3;	/* 2001:db8:0-300:: */
			s.dst[5] = test_rand(&rs);
		}
		len = frame_build(&s, f, sizeof(f));
		o = run_and_compare("random around kernel-path rules", f, len);
		mism += o.mismatches;
		kpath += o.model_reason == ECMP_PASS_KERNEL_PATH;
	}
	ASSERT_EQ(mism, 0, "program and model agree");
	CHECK(kpath > 2000 && kpath < 18000, "random frames: %ld of 20000 claimed by the rules", kpath);
	ASSERT_EQ(fixture_set_kernel_path(&fx, NULL, 0), 0, "rules removed");
	{
		struct frame_spec s;
		uint8_t f[2048];
		size_t len;
		struct outcome o;

		frame_spec_default(&s, 4);
		len = frame_build(&s, f, sizeof(f));
		o = run_and_compare("v4 from 198.18.0.0/24, rules removed", f, len);
		ASSERT_EQ(o.model_reason, ECMP_FORWARDED, "forwarded again");
		ASSERT_EQ(o.mismatches, 0, "program agrees");
	}
}

/* RFC 8200 4.5: what follows the Fragment header is not a header in any
 * but the first fragment. A datagram whose fragmentable part starts with
 * an extension header: the first fragment and a later one (whose bytes
 * there are data, here made to look like a header running past the
 * packet) take one path, and the later one is forwarded, not "malformed". */
static void test_fragment_stops_at_its_header(void)
{
	unsigned long long rs = 0x51f2;
	long split = 0, refused = 0, mism = 0;
	int n;

	for (n = 0; n < 300; n++) {
		struct frame_spec s;
		struct frame_layout lay;
		uint8_t a[2048], b[2048];
		size_t la, lb;
		int ba, bb;

		frame_spec_default(&s, 6);
		probe_addrs(&s, &rs);
		s.n_ext = 2;
		s.ext[0] = 44;
		s.ext[1] = 60;
		s.frag = FRAG_FIRST;
		la = frame_build(&s, a, sizeof(a));
		s.frag = FRAG_LATER;
		lb = frame_build_layout(&s, b, sizeof(b), &lay);
		b[lay.l3 + 40 + 8 + 1] = 0xff;	/* "header length": 2 KiB */
		ba = bucket_of(a, la, &mism);
		bb = bucket_of(b, lb, &mism);
		refused += bb < 0;
		split += ba != bb;
	}
	ASSERT_EQ(refused, 0, "later fragments not forwarded");
	ASSERT_EQ(split, 0, "fragments of one datagram on different nexthops");
	ASSERT_EQ(mism, 0, "model mismatches");
}

/* RFC 6946: an atomic fragment (offset 0, M clear) is a whole packet and
 * takes its flow's path, ports included. */
static void test_atomic_fragment_like_its_flow(void)
{
	unsigned long long rs = 0x6946;
	long split = 0, mism = 0;
	int n;

	for (n = 0; n < 300; n++) {
		struct frame_spec s;
		uint8_t a[2048], b[2048];
		size_t la, lb;

		frame_spec_default(&s, 6);
		probe_addrs(&s, &rs);
		s.sport = test_rand(&rs);
		la = frame_build(&s, a, sizeof(a));
		t_atomic_frag(&s);
		lb = frame_build(&s, b, sizeof(b));
		split += bucket_of(a, la, &mism) != bucket_of(b, lb, &mism);
	}
	ASSERT_EQ(split, 0, "atomic fragments away from their flow");
	ASSERT_EQ(mism, 0, "model mismatches");
}

/* Only frames addressed to the ingress interface are forwarded (another
 * station's unicast frame, or any frame of an interface ecmpd has not
 * described, goes to the kernel: other_host); checksums left to offload
 * are finished only on interfaces marked as fed by local senders. */
static void test_ingress_interface_rules(void)
{
	static const uint8_t own[6] = { 0x02, 0, 0, 0, 0, 0xfe };
	static const struct table_case partial = {
		"v4 udp checksum left to offload", V4, t_none, MUT_PARTIAL_CSUM, 0, 0 };
	struct frame_spec s;
	struct outcome o;
	uint8_t f[2048], out[2048];
	size_t len, out_len = sizeof(out);
	uint64_t before;
	uint32_t ret;
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		frame_spec_default(&s, fam);
		s.dmac[5] = 0x77;	/* 02:00:00:00:00:77: someone else */
		len = frame_build(&s, f, sizeof(f));
		before = fixture_reason_count(&fx, ECMP_PASS_OTHER_HOST);
		o = run_and_compare("another station's frame", f, len);
		ASSERT_EQ(o.model_reason, ECMP_PASS_OTHER_HOST, "model: other host");
		ASSERT_EQ(o.mismatches, 0, "program agrees: other host");
		ASSERT_EQ(fixture_reason_count(&fx, ECMP_PASS_OTHER_HOST), before + 1,
			  "counted as other_host");
		ASSERT_EQ(fixture_run(&tcx, f, len, out, &out_len, &ret), 0, "tc run");
		ASSERT_EQ(ret, 0 /* TC_ACT_OK */, "tc ingress passes another station's frame");
		out_len = sizeof(out);
	}
	/* No entry for the ingress interface: nothing is forwarded. */
	ASSERT_EQ(fixture_set_iface(&fx, lo_ifindex, NULL, 0), 0, "lo undescribed");
	frame_spec_default(&s, 4);
	len = frame_build(&s, f, sizeof(f));
	o = run_and_compare("frame of an undescribed interface", f, len);
	ASSERT_EQ(o.model_reason, ECMP_PASS_OTHER_HOST, "model: undescribed interface");
	ASSERT_EQ(o.mismatches, 0, "program agrees: undescribed interface");
	/* A wire, not a local sender: a checksum that equals the pseudo-header
	 * sum is forwarded as it is, never "finished". */
	ASSERT_EQ(fixture_set_iface(&fx, lo_ifindex, own, 0), 0, "lo without csum finish");
	len = build_case(&partial, f, sizeof(f));
	o = run_and_compare("partial checksum from a wire", f, len);
	ASSERT_EQ(o.model_reason, ECMP_FORWARDED, "forwarded");
	ASSERT_EQ(o.mismatches, 0, "program agrees: forwarded with the checksum untouched");
	ASSERT_EQ(fixture_set_iface(&fx, lo_ifindex, own, ECMP_IFACE_CSUM_FINISH), 0,
		  "lo as before");
}

static void test_symmetric_hash(void)
{
	unsigned long long rs = 0x5e77;
	long bad = 0, mism = 0, differ_plain = 0;
	int n, fam, sym;

	for (sym = 0; sym <= 1; sym++) {
		fixture_set_config(&fx, fx.cfg.seed[0], fx.cfg.seed[1],
				   ECMP_HASH_L4 | (sym ? ECMP_HASH_SYMMETRIC : 0), 1);
		for (fam = 4; fam <= 6; fam += 2) {
			for (n = 0; n < 500; n++) {
				struct frame_spec s;
				uint8_t a[2048], b[2048], tmp[16];
				size_t la, lb;
				uint16_t p;
				int ba, bb;

				frame_spec_default(&s, fam);
				probe_addrs(&s, &rs);
				s.proto = n & 1 ? 6 : 17;
				s.sport = test_rand(&rs);
				s.dport = test_rand(&rs);
				la = frame_build(&s, a, sizeof(a));
				memcpy(tmp, s.src, 16);
				memcpy(s.src, s.dst, 16);
				memcpy(s.dst, tmp, 16);
				p = s.sport;
				s.sport = s.dport;
				s.dport = p;
				lb = frame_build(&s, b, sizeof(b));
				ba = bucket_of(a, la, &mism);
				bb = bucket_of(b, lb, &mism);
				if (sym)
					bad += ba != bb || ba < 0;
				else
					differ_plain += ba != bb;
			}
		}
	}
	fixture_set_config(&fx, fx.cfg.seed[0], fx.cfg.seed[1], ECMP_HASH_L4, 1);
	ASSERT_EQ(bad, 0, "symmetric: directions on different buckets");
	CHECK(differ_plain > 900, "plain l4 should not be symmetric (%ld/1000 differ)",
	      differ_plain);
	ASSERT_EQ(mism, 0, "model mismatches");
}

static void test_policies_l3_flowlabel_inner(void)
{
	unsigned long long rs = 0x9011;
	long l3_same = 0, l4_differ = 0, fl_differ = 0, nofl_same = 0;
	long inner_differ = 0, outer_same = 0, mism = 0;
	int n;

	for (n = 0; n < 400; n++) {
		struct frame_spec s, in;
		uint8_t a[2048], b[2048];
		size_t la, lb;

		frame_spec_default(&s, 6);
		probe_addrs(&s, &rs);
		s.flowlabel = test_rand(&rs) & 0xfffff;
		la = frame_build(&s, a, sizeof(a));
		s.sport ^= 0x5555;
		s.flowlabel ^= 0x12345;
		lb = frame_build(&s, b, sizeof(b));

		fixture_set_config(&fx, 1, 2, 0, 1);			/* l3 */
		nofl_same += bucket_of(a, la, &mism) == bucket_of(b, lb, &mism);
		fixture_set_config(&fx, 1, 2, ECMP_HASH_FLOWLABEL, 1);	/* l3 + label */
		fl_differ += bucket_of(a, la, &mism) != bucket_of(b, lb, &mism);
		fixture_set_config(&fx, 1, 2, ECMP_HASH_L4, 1);
		l4_differ += bucket_of(a, la, &mism) != bucket_of(b, lb, &mism);

		/* VXLAN and GENEVE: same outer, different inner ports. */
		frame_spec_default(&in, n & 1 ? 4 : 6);
		in.sport = test_rand(&rs);
		frame_spec_default(&s, 4);
		probe_addrs(&s, &rs);
		s.tunnel = n & 2 ? TUN_GENEVE : TUN_VXLAN;
		s.dport = s.tunnel == TUN_VXLAN ? 4789 : 6081;
		s.geneve_opt_len = (n & 4) ? 8 : 0;
		s.tunnel_no_eth = (n & 8) && s.tunnel == TUN_GENEVE;
		s.inner = &in;
		la = frame_build(&s, a, sizeof(a));
		in.sport ^= 0x0f0f;
		lb = frame_build(&s, b, sizeof(b));
		fixture_set_config(&fx, 1, 2, ECMP_HASH_L4 | ECMP_HASH_INNER, 1);
		inner_differ += bucket_of(a, la, &mism) != bucket_of(b, lb, &mism);
		fixture_set_config(&fx, 1, 2, ECMP_HASH_L4, 1);
		outer_same += bucket_of(a, la, &mism) == bucket_of(b, lb, &mism);
		(void)l3_same;
	}
	fixture_set_config(&fx, 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL,
			   ECMP_HASH_L4, 1);
	ASSERT_EQ(nofl_same, 400, "l3: ports and label ignored");
	CHECK(fl_differ > 360, "l3+flowlabel: label changes bucket (%ld/400)", fl_differ);
	CHECK(l4_differ > 360, "l4: ports change bucket (%ld/400)", l4_differ);
	CHECK(inner_differ > 360, "inner: inner ports change bucket (%ld/400)", inner_differ);
	ASSERT_EQ(outer_same, 400, "outer hashing ignores the tunnel payload");
	ASSERT_EQ(mism, 0, "model mismatches");
}

/* A member flagged down before its buckets are rewritten: no frame reaches
 * it, and flows of the other members do not move. */
static void test_down_nexthop_never_used(void)
{
	unsigned long long rs = 0xd0e1;
	static int before[4000];
	long to_down = 0, moved_alive = 0, mism = 0, passed = 0, rerouted = 0;
	static uint8_t frames[4000][640];
	size_t lens[4000];
	int n, down = 100 + 7;

	for (n = 0; n < 4000; n++) {
		struct frame_spec s;

		frame_spec_default(&s, n & 1 ? 6 : 4);
		probe_addrs(&s, &rs);
		s.sport = test_rand(&rs);
		s.payload = 0;
		lens[n] = frame_build(&s, frames[n], sizeof(frames[n]));
		before[n] = bucket_of(frames[n], lens[n], &mism);
	}
	fx.dp.nexthops[down].flags = 0;
	for (n = 0; n < 4000; n++) {
		int now = bucket_of(frames[n], lens[n], &mism);

		to_down += now + 100 == down;
		if (before[n] + 100 != down)
			moved_alive += now != before[n];
		else if (now < 0)
			passed++;
		else
			rerouted++;
	}
	fx.dp.nexthops[down].flags = ECMP_NH_USABLE;
	ASSERT_EQ(to_down, 0, "frames sent to the down nexthop");
	ASSERT_EQ(moved_alive, 0, "flows of live nexthops moved");
	CHECK(rerouted > 0 && passed == 0,
	      "flows of the down nexthop: %ld rerouted, %ld passed", rerouted,
	      passed);
	ASSERT_EQ(mism, 0, "model mismatches");
}

/* ---- the BPF build of the hash equals the user-space build ---- */

static void random_flow(unsigned long long *rs, struct ecmp_flow *f)
{
	uint64_t x = test_rand(rs);
	int i;

	memset(f, 0, sizeof(*f));
	f->family = (x & 1) ? ECMP_AF_INET6 : ECMP_AF_INET;
	for (i = 0; i < (f->family == ECMP_AF_INET6 ? 4 : 1); i++) {
		f->saddr[i] = test_rand(rs);
		f->daddr[i] = test_rand(rs);
	}
	if (x & 2)	/* equal addresses exercise the symmetric tie-break */
		memcpy(f->daddr, f->saddr, sizeof(f->daddr));
	f->sport = x >> 8;
	f->dport = x >> 24;
	f->proto = x >> 40;
	f->flowlabel = (x >> 44) & 0xfffff;
	f->fragment = (x >> 3) & 1;
}

static void test_hash_bpf_equals_user(void)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	unsigned long long rs = 0x4a54;
	long flows = 0, bad = 0;
	uint8_t buf[sizeof(struct probe_hdr) + PROBE_MAX * sizeof(struct probe_rec)];
	struct probe_hdr *h = (void *)buf;
	struct probe_rec *r = (void *)(h + 1);
	int fd, i;

	obj = bpf_object__open_file(obj_path("tests/hash_probe.bpf.o"), NULL);
	if (!obj || bpf_object__load(obj)) {
		CHECK(0, "Failed to load hash_probe.bpf.o");
		return;
	}
	p = bpf_object__find_program_by_name(obj, "hash_probe");
	fd = bpf_program__fd(p);
	while (flows < 1000000) {
		uint8_t out[sizeof(buf)];
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf,
			    .data_size_in = sizeof(buf), .data_out = out,
			    .data_size_out = sizeof(out), .repeat = 1);

		h->seed[0] = test_rand(&rs);
		h->seed[1] = test_rand(&rs);
		h->hash_flags = test_rand(&rs) & 0xf;
		for (i = 0; i < PROBE_MAX; i++)
			random_flow(&rs, &r[i].flow);
		if (bpf_prog_test_run_opts(fd, &opts)) {
			CHECK(0, "hash probe run: %s", strerror(errno));
			break;
		}
		for (i = 0; i < PROBE_MAX; i++) {
			struct probe_rec *o = (void *)(out + sizeof(*h) + i * sizeof(*o));

			if (o->hash != ecmp_flow_hash(&r[i].flow, h->hash_flags,
						      h->seed) && bad++ < 4)
				CHECK(0, "flow %ld: bpf %llx user %llx", flows + i,
				      (unsigned long long)o->hash,
				      (unsigned long long)ecmp_flow_hash(
					      &r[i].flow, h->hash_flags, h->seed));
		}
		flows += PROBE_MAX;
	}
	bpf_object__close(obj);
	ASSERT_EQ(bad, 0, "hash disagreements");
	CHECK(flows >= 1000000, "only %ld flows compared", flows);
}

/* ---- random and mutated frames against the model ---- */

/* big: now and then a frame longer than the test runner's first buffer
 * (3,520 bytes), which reaches the program in several (xdp.frags). */
static void random_spec(unsigned long long *rs, struct frame_spec *s,
			struct frame_spec *inner, int big)
{
	uint64_t x = test_rand(rs), y = test_rand(rs);
	static const uint8_t exts[] = { 0, 43, 60, 44, 60, 43 };
	static const uint8_t protos[] = { 6, 17, 132, 1, 58, 47, 17, 6 };
	int i;

	frame_spec_default(s, (x & 1) ? 6 : 4);
	s->vlans = (x >> 1) % 8 == 0 ? 2 : (x >> 1) % 8 == 1 ? 1 : 0;
	if ((x >> 4) % 64 == 0)
		s->vlans = 3;
	/* The router's VLANs (10; 20 over 30), and now and then another. */
	s->vlan_tci[0] = s->vlans == 1 ? 10 : 20;
	s->vlan_tci[1] = 30;
	if (((y >> 60) & 7) == 0)
		s->vlan_tci[s->vlans > 1] = 99;
	s->proto = protos[(x >> 10) % 8];
	s->sport = y;
	s->dport = y >> 16;
	s->ttl = (x >> 13) % 16 == 0 ? (x >> 17) % 3 : 64;
	s->payload = (y >> 32) % 64;
	s->flowlabel = (y >> 40) & 0xfffff;
	/* Destinations: routed groups, the local address, unrouted. */
	switch ((x >> 20) % 8) {
	case 0: t_no_route(s); break;
	case 1: t_local(s); break;
	case 2: t_vlan_out(s); break;
	case 3: if (s->family == 4) t_no_egress(s); break;
	default:
		probe_addrs(s, rs);
		if ((x >> 23) & 1)
			s->dst[s->family == 4 ? 3 : 15] = y >> 56;
	}
	if (s->family == 4) {
		s->ip_opt_len = (x >> 26) % 4 == 0 ? ((x >> 28) % 11) * 4 : 0;
	} else if ((x >> 26) % 3 == 0) {
		s->n_ext = (x >> 28) % 4 + 1;
		for (i = 0; i < s->n_ext; i++) {
			s->ext[i] = exts[(x >> (32 + 3 * i)) % 6];
			s->ext_len[i] = 8 * ((y >> (8 * i)) % 3 + 1);
		}
	}
	if ((x >> 45) % 6 == 0) {
		s->frag = (x >> 48) & 1 ? FRAG_FIRST : FRAG_LATER;
		if (s->family == 6 && s->n_ext < 8)
			s->ext[s->n_ext++] = 44;
	}
	if (inner && (x >> 50) % 5 == 0) {
		random_spec(rs, inner, NULL, 0);
		inner->tunnel = TUN_NONE;
		inner->inner = NULL;
		s->proto = 17;
		s->tunnel = (x >> 53) & 1 ? TUN_GENEVE : TUN_VXLAN;
		s->dport = s->tunnel == TUN_VXLAN ? 4789 : 6081;
		s->geneve_opt_len = ((x >> 54) % 3) * 4;
		s->tunnel_no_eth = (x >> 56) & 1;
		s->inner = inner;
		s->frag = FRAG_NONE;
	} else if (inner && (s->proto == 1 || s->proto == 58) && (y & 1)) {
		/* An error quoting a packet (of the other family now and
		 * then), cut anywhere or left whole. */
		static const uint8_t types4[] = { 3, 11, 12, 0, 5 };
		static const uint8_t types6[] = { 1, 2, 3, 4, 129 };

		random_spec(rs, inner, NULL, 0);
		inner->tunnel = TUN_NONE;
		inner->inner = NULL;
		if ((x >> 58) % 8)
			inner->family = s->family;
		s->tunnel = TUN_ICMP_ERROR;
		s->icmp_type = s->family == 4 ? types4[(y >> 1) % 5] : types6[(y >> 1) % 5];
		s->quote_len = (y >> 4) % 3 ? 0 : (int)((y >> 8) % 80);
		s->inner = inner;
		s->frag = (x >> 61) % 8 ? FRAG_NONE : s->frag;
	}
	if (big && (x >> 57) % 16 == 0 && !s->tunnel)
		s->payload = 3400 + (int)((y >> 20) % 6000);
}

/* Byte flips, length lies and truncations, weighted toward headers. */
static size_t random_mutation(unsigned long long *rs, uint8_t *f, size_t len,
			      const struct frame_layout *lay)
{
	uint64_t x = test_rand(rs);
	int k, n;

	switch (x % 8) {
	case 0:		/* no mutation: must forward exactly as the model says */
		return len;
	case 6:		/* cut inside the first 80 bytes after L4: a VXLAN or
			 * GENEVE frame loses part of its inner headers */
		n = lay->l4 + 8 + test_rand(rs) % 80;
		return (size_t)n < len ? (size_t)n : len;
	case 7:		/* a UDP length or GENEVE option length that lies */
		if (lay->l4 + 12 > len)
			return len;
		if ((test_rand(rs) & 1) && lay->l4 + 8 < len)
			put16(f + lay->l4 + 4, test_rand(rs));
		else
			f[lay->l4 + 8] = test_rand(rs);	/* GENEVE Ver|Opt Len */
		return len;
	case 1:		/* flip bits in the headers */
		n = 1 + (x >> 8) % 3;
		for (k = 0; k < n; k++) {
			size_t at = test_rand(rs) % (lay->l4 + 24 < len ? lay->l4 + 24 : len);

			f[at] ^= 1 << (test_rand(rs) % 8);
		}
		return len;
	case 2:		/* random byte anywhere */
		f[test_rand(rs) % len] = test_rand(rs);
		return len;
	case 3:		/* cut the frame */
		return test_rand(rs) % (len + 1);
	case 4: {	/* a length field that lies, checksum fixed */
		uint8_t *ip = f + lay->l3;
		unsigned v = test_rand(rs) % (len + 16);

		if (lay->l3 + 20 > len)
			return len;
		if ((ip[0] >> 4) == 4) {
			put16(ip + 2, v);
			fix_v4_csum(ip);
		} else {
			put16(ip + 4, v);
		}
		return len;
	}
	default:	/* a lying IHL / ext header length / TCP offset */
		if (lay->l3 + 20 > len)
			return len;
		if ((f[lay->l3] >> 4) == 4) {
			f[lay->l3] = 0x40 | (test_rand(rs) % 16);
			fix_v4_csum(f + lay->l3);
		} else if (lay->l3 + 42 <= len) {
			f[lay->l3 + 41] = test_rand(rs);
		}
		return len;
	}
}

static void test_random_and_mutated_frames(void)
{
	static const uint32_t policies[] = {
		ECMP_HASH_L4, 0, ECMP_HASH_L4 | ECMP_HASH_SYMMETRIC,
		ECMP_HASH_FLOWLABEL, ECMP_HASH_L4 | ECMP_HASH_INNER,
	};
	unsigned long long rs = 0x1000000ULL;
	uint64_t model_count[ECMP_REASON_MAX] = { 0 }, before[ECMP_REASON_MAX];
	long frames = 0, mism = 0, forwarded = 0, multi = 0, i;
	const char *env = getenv("ECMP_RANDOM_FRAMES");
	long total = env ? atol(env) : 1000000;
	int r;

	for (r = 0; r < ECMP_REASON_MAX; r++)
		before[r] = fixture_reason_count(&fx, r);
	/* Some members of the probe group down: exercises the fallback. */
	fx.dp.nexthops[103].flags = 0;
	fx.dp.nexthops[140].flags = 0;
	/* and some the kernel would name in no redirect. */
	fx.dp.nexthops[1].flags |= ECMP_NH_NO_REDIRECT;
	fx.dp.nexthops[120].flags |= ECMP_NH_NO_REDIRECT;
	/* A quarter of the probe sources are hosts of the link (untagged, or
	 * VLAN 10's): their frames back out are the kernel's (redirect). */
	ASSERT_EQ(fixture_set_onlink(&fx, lo_ifindex, 4, "198.18.16.0/22", 0, 0) ||
		  fixture_set_onlink(&fx, lo_ifindex, 4, "198.18.20.0/22", 10, 0) ||
		  fixture_set_onlink(&fx, lo_ifindex, 6, "2001:db8:300::/50", 0, 0), 0,
		  "ecmp_onlink for the random frames");

	for (i = 0; i < total; i++) {
		struct frame_spec s, inner;
		struct frame_layout lay;
		uint8_t f[10000];
		size_t len;
		struct outcome o;

		if (i % 200000 == 0)
			fixture_set_config(&fx, test_rand(&rs), test_rand(&rs),
					   policies[(i / 200000) % 5], 1);
		random_spec(&rs, &s, &inner, 1);
		len = frame_build_layout(&s, f, sizeof(f), &lay);
		if (!len)
			continue;
		/* Long frames as a local sender with offload leaves them. */
		if (len > 3520 && (i & 1))
			mutate(f, len, &lay, s.family, MUT_PARTIAL_CSUM);
		len = random_mutation(&rs, f, len, &lay);
		multi += len > 3520;
		o = run_and_compare("random frame", f, len);
		if (len >= 14)
			model_count[o.model_reason]++;
		mism += o.mismatches;
		forwarded += o.model_reason == ECMP_FORWARDED;
		frames++;
		if (o.mismatches && getenv("ECMP_TEST_VERBOSE"))
			fprintf(stderr, "  frame %ld (seed state %llx)\n", i, rs);
	}
	fx.dp.nexthops[103].flags = ECMP_NH_USABLE;
	fx.dp.nexthops[140].flags = ECMP_NH_USABLE;
	fx.dp.nexthops[1].flags = ECMP_NH_USABLE;
	fx.dp.nexthops[120].flags = ECMP_NH_USABLE;
	fixture_set_config(&fx, 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL,
			   ECMP_HASH_L4, 1);

	fixture_set_onlink(&fx, lo_ifindex, 4, NULL, 0, 0);
	CHECK(model_count[ECMP_PASS_REDIRECT] > (uint64_t)total / 100, "too few redirects (%lu)",
	      (unsigned long)model_count[ECMP_PASS_REDIRECT]);
	ASSERT_EQ(mism, 0, "frames where program and model disagree");
	for (r = 0; r < ECMP_REASON_MAX; r++)
		CHECK(fixture_reason_count(&fx, r) - before[r] == model_count[r],
		      "reason %s: program counted %llu, model %llu",
		      text_reason(r),
		      (unsigned long long)(fixture_reason_count(&fx, r) - before[r]),
		      (unsigned long long)model_count[r]);
	CHECK(forwarded > total / 10, "too few forwarded frames (%ld)", forwarded);
	CHECK(multi > total / 100, "too few multi-buffer frames (%ld)", multi);
	printf("  %ld random frames (%ld multi-buffer):", frames, multi);
	for (r = 0; r < ECMP_REASON_MAX; r++)
		printf(" %s %llu", text_reason(r), (unsigned long long)model_count[r]);
	printf("\n");
}

/* ---- TC ingress: the same decision as XDP, frame for frame ---- */

#define TC_ACT_OK	0
#define TC_ACT_REDIRECT	7

/* Runs a frame through both programs; 1 when they agree (same verdict
 * class, same output bytes). */
static int xdp_tc_agree(const uint8_t *in, size_t len, int *forwarded)
{
	static uint8_t ox[4200], ot[4200];
	static struct model_result m, mt;
	size_t lx = sizeof(ox), lt = sizeof(ot);
	struct model_state st;
	uint32_t rx, rt;
	int ex = fixture_run(&fx, in, len, ox, &lx, &rx);
	int et = fixture_run(&tcx, in, len, ot, &lt, &rt);

	*forwarded = 0;
	/* The one place they differ by design: XDP finishes a checksum
	 * left to offload, TC forwards it as it is (the skb knows); the
	 * rest of the frame is the same. */
	fixture_model_state(&fx, &st);
	model_run(&st, in, len, &m);
	st.tc = 1;
	model_run(&st, in, len, &mt);
	if (m.reason == ECMP_FORWARDED && mt.reason == ECMP_FORWARDED &&
	    (m.out_len != mt.out_len || memcmp(m.out, mt.out, m.out_len))) {
		*forwarded = 1;
		return !ex && !et && rx == XDP_REDIRECT && rt == TC_ACT_REDIRECT &&
		       lx == m.out_len && !memcmp(ox, m.out, lx) &&
		       lt == mt.out_len && !memcmp(ot, mt.out, lt);
	}
	if (ex || et) {
		/* The skb test runner refuses frames shorter than Ethernet
		 * plus an IP header, which XDP's runner takes; such a runt is
		 * never forwardable, so XDP must have passed it. */
		if (et && !ex)
			return len < 14 + 40 && rx == XDP_PASS;
		return ex && et;
	}
	if (rx == XDP_REDIRECT) {
		*forwarded = 1;
		return rt == TC_ACT_REDIRECT && lx == lt && !memcmp(ox, ot, lx);
	}
	return rx == XDP_PASS && rt == TC_ACT_OK && lt == len &&
	       !memcmp(ot, in, len);
}

static void sync_tc_config(void)
{
	fixture_set_config(&tcx, fx.cfg.seed[0], fx.cfg.seed[1],
			   fx.cfg.hash_flags, fx.cfg.flags & ECMP_CFG_READY);
}

/* One frame of the redirect cases: XDP through expect_reason (model and
 * counter), and tc ingress with its own maps: passed or redirected. */
static long redirect_case(const char *name, const struct frame_spec *s, int want)
{
	uint8_t f[2048], out[2100];
	size_t len = frame_build(s, f, sizeof(f)), out_len = sizeof(out);
	uint32_t ret = ~0u;
	long mism = expect_reason(name, f, len, want);

	ASSERT_EQ(fixture_run(&tcx, f, len, out, &out_len, &ret), 0, name);
	CHECK(ret == (want == ECMP_FORWARDED ? TC_ACT_REDIRECT : TC_ACT_OK),
	      "%s: tc ingress verdict %u", name, ret);
	return mism;
}

static void set_onlink_both(const char *v4, const char *v6, const char *v4_vlan10)
{
	int i, err = 0;

	for (i = 0; i < 2; i++) {
		struct fixture *f = i ? &tcx : &fx;

		err |= fixture_set_onlink(f, lo_ifindex, 4, NULL, 0, 0);
		if (v4)
			err |= fixture_set_onlink(f, lo_ifindex, 4, v4, 0, 0);
		if (v6)
			err |= fixture_set_onlink(f, lo_ifindex, 6, v6, 0, 0);
		if (v4_vlan10)
			err |= fixture_set_onlink(f, lo_ifindex, 4, v4_vlan10, 10, 0);
	}
	ASSERT_EQ(err, 0, "ecmp_onlink filled");
}

/* RFC 1812 5.2.7.2, RFC 4861 8.2: a frame that would leave by the
 * interface and VLAN it came in on, from a host of that link (a subnet in
 * ecmp_onlink), goes to the kernel, which forwards it and sends the ICMP
 * redirect; the same frame from elsewhere, or leaving by another VLAN or
 * interface, is forwarded. Every nexthop of the fixture leaves by lo, the
 * test runs' ingress. */
static void test_icmp_redirects(void)
{
	struct frame_spec s;
	long mism = 0;

	sync_tc_config();
	frame_spec_default(&s, 4);
	mism += redirect_case("no subnets: forwarded", &s, ECMP_FORWARDED);
	set_onlink_both("198.18.0.0/24", "2001:db8:1::/64", "198.18.5.0/24");
	mism += redirect_case("from a host of the link, back out: redirect", &s,
			      ECMP_PASS_REDIRECT);
	/* The map is read only for an interface flagged as having subnets
	 * in it (tc's entry keeps the flag: only XDP's run follows). */
	fx.iface.flags &= ~ECMP_IFACE_REDIRECTS;
	ASSERT_EQ(bpf_map_update_elem(fx.dp.fd[DP_IFACES], &lo_ifindex, &fx.iface, 0), 0,
		  "lo's flag off");
	{
		uint8_t f[2048];
		size_t len = frame_build(&s, f, sizeof(f));

		mism += expect_reason("subnets, but lo not flagged: forwarded", f, len,
				      ECMP_FORWARDED);
	}
	fx.iface.flags |= ECMP_IFACE_REDIRECTS;
	ASSERT_EQ(bpf_map_update_elem(fx.dp.fd[DP_IFACES], &lo_ifindex, &fx.iface, 0), 0,
		  "lo's flag on");
	/* Nexthops the kernel would not name in a redirect (an IPv6 one
	 * without a link-local address): forwarded. */
	{
		int i, k;

		for (k = 0; k < 2; k++)
			for (i = 1; i <= 8; i++)
				(k ? &tcx : &fx)->dp.nexthops[i].flags |= ECMP_NH_NO_REDIRECT;
		mism += redirect_case("nexthops flagged no_redirect: forwarded", &s,
				      ECMP_FORWARDED);
		for (k = 0; k < 2; k++)
			for (i = 1; i <= 8; i++)
				(k ? &tcx : &fx)->dp.nexthops[i].flags &= ~ECMP_NH_NO_REDIRECT;
	}
	frame_spec_default(&s, 6);
	mism += redirect_case("IPv6 from a host of the link: redirect", &s,
			      ECMP_PASS_REDIRECT);
	s.src[7] = 2;		/* 2001:db8:1:2::1, another subnet */
	mism += redirect_case("IPv6 from beyond the link: forwarded", &s, ECMP_FORWARDED);
	frame_spec_default(&s, 4);
	s.src[2] = 1;		/* 198.18.1.1 */
	mism += redirect_case("from beyond the link: forwarded", &s, ECMP_FORWARDED);
	frame_spec_default(&s, 4);
	s.dst[1] = 18;		/* 198.18.32.2: group 3, leaves on VLAN 100 */
	s.dst[2] = 32;
	mism += redirect_case("out by another VLAN: forwarded", &s, ECMP_FORWARDED);
	s.dst[2] = 64;		/* group 2: an egress that is not lo */
	mism += redirect_case("out by another interface: not a redirect", &s,
			      ECMP_PASS_NO_EGRESS);
	frame_spec_default(&s, 4);
	s.ttl = 1;		/* the TTL is checked first, as the kernel does */
	mism += redirect_case("TTL 1 from a host of the link", &s, ECMP_PASS_TTL);

	/* Tagged: VLAN 10 in, and out on VLAN 10 (NH_VLAN, for a moment). */
	fixture_set_nexthop(&fx, NH_VLAN, lo_ifindex, 10, 1);
	fixture_set_nexthop(&tcx, NH_VLAN, lo_ifindex, 10, 1);
	frame_spec_default(&s, 4);
	s.vlans = 1;
	s.vlan_tci[0] = 10;
	s.src[2] = 5;		/* 198.18.5.1, a host of VLAN 10 */
	s.dst[1] = 18;
	s.dst[2] = 32;
	mism += redirect_case("VLAN 10 host, back out on VLAN 10: redirect", &s,
			      ECMP_PASS_REDIRECT);
	s.dst[1] = 19;		/* group 0: leaves untagged */
	s.dst[2] = 1;
	mism += redirect_case("VLAN 10 host, out untagged: forwarded", &s, ECMP_FORWARDED);
	frame_spec_default(&s, 4);
	s.src[2] = 5;		/* the same host untagged: not the VLAN's subnet */
	mism += redirect_case("VLAN 10's subnet arriving untagged: forwarded", &s,
			      ECMP_FORWARDED);
	fixture_set_nexthop(&fx, NH_VLAN, lo_ifindex, 100, 1);
	fixture_set_nexthop(&tcx, NH_VLAN, lo_ifindex, 100, 1);

	/* The longest prefix is not needed: any subnet that holds the host. */
	set_onlink_both("198.16.0.0/14", NULL, NULL);
	frame_spec_default(&s, 4);
	mism += redirect_case("a shorter subnet holds it: redirect", &s, ECMP_PASS_REDIRECT);
	frame_spec_default(&s, 6);
	mism += redirect_case("IPv4 subnets only: IPv6 forwarded", &s, ECMP_FORWARDED);
	set_onlink_both(NULL, NULL, NULL);
	frame_spec_default(&s, 4);
	mism += redirect_case("subnets gone: forwarded again", &s, ECMP_FORWARDED);
	ASSERT_EQ(mism, 0, "program agrees with the model");
}

static void test_tc_ingress_matches_xdp(void)
{
	unsigned long long rs = 0x7c7c;
	long bad = 0, fwd = 0, n = 0, i;
	size_t c, cut;

	sync_tc_config();
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint8_t frame[2048];
		size_t len = build_case(&cases[c], frame, sizeof(frame));
		int f;

		for (cut = 0; cut <= len; cut++) {
			/* Full frame, and every truncation of it. */
			if (!xdp_tc_agree(frame, cut ? cut : len, &f) && bad++ < 4)
				CHECK(0, "%s (%zu bytes): XDP and TC differ",
				      cases[c].name, cut ? cut : len);
			fwd += f;
			n++;
			if (cases[c].reason != ECMP_FORWARDED)
				break;
		}
	}
	for (i = 0; i < 200000; i++) {
		struct frame_spec s, inner;
		struct frame_layout lay;
		uint8_t f[3000];
		size_t len;
		int fw;

		if (i % 50000 == 0) {
			fixture_set_config(&fx, test_rand(&rs), test_rand(&rs),
					   (uint32_t)(i / 50000) * 5 % 16, 1);
			sync_tc_config();
		}
		random_spec(&rs, &s, &inner, 0);
		len = frame_build_layout(&s, f, sizeof(f), &lay);
		if (!len)
			continue;
		len = random_mutation(&rs, f, len, &lay);
		if (!xdp_tc_agree(f, len, &fw) && bad++ < 8)
			CHECK(0, "random frame %ld: XDP and TC differ", i);
		fwd += fw;
		n++;
	}
	fixture_set_config(&fx, 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL,
			   ECMP_HASH_L4, 1);
	ASSERT_EQ(bad, 0, "frames where TC ingress and XDP differ");
	CHECK(fwd > 50000, "only %ld frames forwarded", fwd);
	printf("  %ld frames through both, %ld forwarded by both identically\n", n, fwd);
}

/* The egress hook: the router is the origin, so the frame leaves exactly as
 * XDP would send it but with L3 and L4 untouched (TTL/hop limit, checksums); when
 * the nexthop is on the interface it is already leaving by (lo here), no
 * redirect. */
static void test_tc_egress_rewrites_l2_only(void)
{
	struct bpf_program *p = bpf_object__find_program_by_name(tcx.obj,
								  "ecmp_tc_egress");
	int ingress_fd = tcx.prog_fd, checked = 0;
	size_t c;

	sync_tc_config();
	tcx.prog_fd = bpf_program__fd(p);
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint8_t frame[2048], ox[2100], ot[2100];
		size_t len = build_case(&cases[c], frame, sizeof(frame));
		size_t lx = sizeof(ox), lt = sizeof(ot), l3_in, l3_out;
		uint32_t rx, rt;

		if (cases[c].reason != ECMP_FORWARDED)
			continue;
		if (fixture_run(&fx, frame, len, ox, &lx, &rx) ||
		    fixture_run(&tcx, frame, len, ot, &lt, &rt)) {
			CHECK(0, "%s: run failed", cases[c].name);
			continue;
		}
		ASSERT_EQ(rt, TC_ACT_OK, cases[c].name);
		/* Expected: XDP's L2 header, then the input's L3 onward as
		 * it came (TTL, header checksum, and an L4 checksum left to
		 * offload, which XDP finishes, all untouched). */
		l3_in = len - (lx - (ox[12] == 0x81 ? 18 : 14));
		l3_out = ox[12] == 0x81 ? 18 : 14;
		memcpy(ox + l3_out, frame + l3_in, len - l3_in);
		CHECK(lx == lt && !memcmp(ox, ot, lx), "%s: egress frame wrong",
		      cases[c].name);
		checked++;
	}
	tcx.prog_fd = ingress_fd;
	CHECK(checked > 20, "only %d cases", checked);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		obj_dir = argv[1];
	setup_fixture(&fx, "ecmp_xdp.bpf.o", "ecmp_xdp");
	setup_bucket_probe_group(&fx);
	setup_fixture(&tcx, "ecmp_tc.bpf.o", "ecmp_tc_ingress");
	setup_bucket_probe_group(&tcx);
	RUN_TEST(test_table_cases);
	RUN_TEST(test_forwarded_frames_are_valid);
	RUN_TEST(test_truncated_frames_never_forwarded);
	RUN_TEST(test_not_ready_passes_everything);
	RUN_TEST(test_fragments_take_one_path);
	RUN_TEST(test_kernel_path_rules);
	RUN_TEST(test_connected_subnets);
	RUN_TEST(test_icmp_redirects);
	RUN_TEST(test_ingress_interface_rules);
	RUN_TEST(test_fragment_stops_at_its_header);
	RUN_TEST(test_atomic_fragment_like_its_flow);
	RUN_TEST(test_symmetric_hash);
	RUN_TEST(test_policies_l3_flowlabel_inner);
	RUN_TEST(test_down_nexthop_never_used);
	RUN_TEST(test_hash_bpf_equals_user);
	RUN_TEST(test_icmp_errors_follow_their_flow);
	RUN_TEST(test_icmp_error_fallbacks);
	RUN_TEST(test_egress_mtu_and_xdp_xmit);
	RUN_TEST(test_multi_buffer_checksums);
	RUN_TEST(test_random_and_mutated_frames);
	RUN_TEST(test_route_trie_tails);
	RUN_TEST(test_tc_ingress_matches_xdp);
	RUN_TEST(test_tc_egress_rewrites_l2_only);
	fixture_close(&fx);
	fixture_close(&tcx);
	return test_summary();
}
