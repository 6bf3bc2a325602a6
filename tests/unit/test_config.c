// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The config parser: a full valid file, then every kind of bad input, each
 * with the exact "FILE:LINE: message" it must produce.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ecmpd/config.h"
#include "../test.h"

TEST_STATE_DEFINE;

static const char *valid =
	"# a router\n"
	"seed 0x00112233445566778899aabbccddeeff\n"
	"hash l4 symmetric inner\n"
	"interface lo xdp generic\n"
	"interface lo tc egress\n"
	"interface lo tc ingress   # forwards what XDP passes\n"
	"nexthop nh1 via 198.18.1.2 dev lo weight 1\n"
	"nexthop nh2 via 198.18.2.2 dev lo weight 2 vlan 100\n"
	"nexthop nh6 via fe80::2 dev lo\n"
	"group web buckets 256 idle_timer 0.5 unbalanced_timer 3 nexthops nh1 nh2\n"
	"group web6 nexthops nh6\n"
	"route 198.19.0.0/16 group web\n"
	"route 198.19.1.0/24 group web    # overlaps: longest prefix wins\n"
	"route 2001:db8:100::/48 group web6\n";

static void test_config_valid(void)
{
	struct ecmp_conf c = { 0 };

	ASSERT_EQ(config_parse(&c, "t.conf", valid), 0, "parse");
	config_print_errors(&c, stderr);
	ASSERT_EQ(c.seed[0], 0x0011223344556677ULL, "seed k0");
	ASSERT_EQ(c.seed[1], 0x8899aabbccddeeffULL, "seed k1");
	ASSERT_EQ(c.seed_auto, 0, "seed not auto");
	ASSERT_EQ(c.hash_flags, ECMP_HASH_L4 | ECMP_HASH_SYMMETRIC | ECMP_HASH_INNER, "hash");
	ASSERT_EQ(c.niface, 3, "interfaces");
	ASSERT_EQ(c.iface[0].attach, ATTACH_XDP_GENERIC, "generic");
	ASSERT_EQ(c.iface[1].attach, ATTACH_TC_EGRESS, "tc egress");
	ASSERT_EQ(c.nnexthop, 3, "nexthops");
	ASSERT_EQ(c.nexthop[1].weight, 2, "weight");
	ASSERT_EQ(c.nexthop[1].vlan, 100, "vlan");
	ASSERT_EQ(c.nexthop[2].family, ECMP_AF_INET6, "v6 nexthop");
	ASSERT_EQ(c.ngroup, 2, "groups");
	ASSERT_EQ(c.group[0].buckets, 256, "buckets");
	ASSERT_EQ(c.group[0].idle_timer_ms, 500, "idle timer");
	ASSERT_EQ(c.group[0].unbalanced_timer_ms, 3000, "unbalanced timer");
	ASSERT_EQ(c.group[0].nmembers, 2, "members");
	ASSERT_EQ(c.group[1].buckets, ECMP_DEFAULT_BUCKETS, "default buckets");
	ASSERT_EQ(c.nroute, 3, "routes");
	ASSERT_EQ(c.route[1].prefixlen, 24, "prefix length");
	ASSERT_EQ(c.route[2].group, 1, "route group");
	ASSERT_EQ(config_check_host(&c), 0, "lo exists");
	config_free(&c);
}

static void test_config_defaults(void)
{
	struct ecmp_conf c = { 0 };

	ASSERT_EQ(config_parse(&c, "t.conf", ""), 0, "empty file is valid");
	ASSERT_EQ(c.seed_auto, 1, "seed auto by default");
	ASSERT_EQ(c.hash_flags, ECMP_HASH_L4, "l4 by default");
	ASSERT_TRUE(!strcmp(c.pin_root, "/sys/fs/bpf/ecmp"), "pin root");
	config_free(&c);
}

struct bad_case {
	const char *text;
	const char *error;	/* the first error, exactly */
};

static const struct bad_case bad[] = {
	{ "frobnicate 1\n",
	  "t.conf:1: unknown keyword 'frobnicate'; statements are seed, hash, interface, bfd, pin-root, nexthop, group, route, kernel-path, routes, metrics, control, limits" },
	{ "bfd dev\n",
	  "t.conf:1: bfd dev: expected 'bfd dev IFNAME [interval MS] [multiplier N]'" },
	{ "bfd dev eth1 interval 50 admin-down-on-exit\n",
	  "t.conf:1: bfd dev eth1: admin-down-on-exit is ecmpd's, on a 'bfd' line of its own" },
	{ "bfd dev eth1 interval 5\n",
	  "t.conf:1: bfd: interval '5' is not a number of milliseconds from 10 to 60000" },
	{ "bfd dev eth1 auth sha1\n",
	  "t.conf:1: bfd dev eth1: expected [interval MS] [multiplier N], got 'auth sha1'" },
	{ "bfd dev eth1\nbfd dev eth1 multiplier 5\n",
	  "t.conf:2: bfd dev eth1: given twice (first at line 1)" },
	{ "control ecmp\n",
	  "t.conf:1: control: expected 'control group NAME' (the group whose members may read through the control socket)" },
	{ "control group a/b\n",
	  "t.conf:1: control group: 'a/b' is not a group name" },
	{ "control group ecmp\ncontrol group adm\n",
	  "t.conf:2: control: given twice (first at line 1)" },
	{ "metrics listen\n",
	  "t.conf:1: metrics: expected 'metrics listen ADDR:PORT' (IPv6: [ADDR]:PORT)" },
	{ "metrics listen 198.18.0.1\n",
	  "t.conf:1: metrics listen: '198.18.0.1' has no port; write ADDR:PORT, e.g. 198.18.0.254:9469" },
	{ "metrics listen 198.18.0.1:0\n",
	  "t.conf:1: metrics listen: '198.18.0.1:0' is not ADDR:PORT with an IPv4 or [IPv6] address and a port from 1 to 65535" },
	{ "metrics listen 2001:db8::1:9469\n",
	  "t.conf:1: metrics listen: '2001:db8::1:9469' is not ADDR:PORT with an IPv4 or [IPv6] address and a port from 1 to 65535" },
	{ "metrics listen [2001:db8::1]:9469\nmetrics listen 198.18.0.1:9469\n",
	  "t.conf:2: metrics: given twice (first at line 1)" },
	{ "routes\n",
	  "t.conf:1: routes: expected 'routes kernel [table main|ID] [protocol NAME|NUMBER ...]' or 'routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC] [from ADDR[/LEN] ...]'" },
	{ "routes kernel table local\n",
	  "t.conf:1: routes kernel: table 'local' is not 'main' or a number from 1 to 4294967295 (not local 255 or default 253)" },
	{ "routes kernel protocol\n",
	  "t.conf:1: routes kernel: 'protocol' needs at least one name or number" },
	{ "routes kernel protocol bgp 236\n",
	  "t.conf:1: routes kernel: protocol '236' is not a routing protocol name (bgp, ospf, isis, zebra, bird, static, boot, babel, rip...) or a number from 1 to 255 (not 2, kernel's own routes, nor 236, ecmpd's)" },
	{ "routes kernel protocol kernel\n",
	  "t.conf:1: routes kernel: protocol 'kernel' is not a routing protocol name (bgp, ospf, isis, zebra, bird, static, boot, babel, rip...) or a number from 1 to 255 (not 2, kernel's own routes, nor 236, ecmpd's)" },
	{ "routes kernel bgp\n",
	  "t.conf:1: routes: expected 'routes kernel [table main|ID] [protocol NAME|NUMBER ...]' or 'routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC] [from ADDR[/LEN] ...]'" },
	{ "routes kernel\nroutes kernel table 100\n",
	  "t.conf:2: routes kernel: given twice (first at line 1)" },
	{ "routes fpm\n",
	  "t.conf:1: routes fpm: expected 'routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC] [from ADDR[/LEN] ...]' (IPv6: [ADDR]:PORT)" },
	{ "routes fpm listen 127.0.0.1 table 255\n",
	  "t.conf:1: routes fpm: table '255' is not 'main' or a number from 1 to 4294967295 (not local 255 or default 253)" },
	{ "routes fpm listen 127.0.0.1 table 0\n",
	  "t.conf:1: routes fpm: table '0' is not 'main' or a number from 1 to 4294967295 (not local 255 or default 253)" },
	{ "routes fpm listen 127.0.0.1 table\n",
	  "t.conf:1: routes fpm: expected 'routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC] [from ADDR[/LEN] ...]' (IPv6: [ADDR]:PORT)" },
	{ "routes fpm listen 127.0.0.1 hold\n",
	  "t.conf:1: routes fpm: expected 'routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC] [from ADDR[/LEN] ...]' (IPv6: [ADDR]:PORT)" },
	{ "routes fpm listen ::1:2620\n",
	  "t.conf:1: routes fpm listen: '::1:2620' is not an IPv4 or [IPv6] address with an optional port from 1 to 65535 (default 2620)" },
	{ "routes fpm listen [::1]2620\n",
	  "t.conf:1: routes fpm listen: '[::1]2620' is not an IPv4 or [IPv6] address with an optional port from 1 to 65535 (default 2620)" },
	{ "routes fpm listen 127.0.0.1 hold soon\n",
	  "t.conf:1: routes fpm: hold 'soon' is not a number of seconds" },
	{ "routes fpm listen 127.0.0.1 sweep 5 wait 3\n",
	  "t.conf:1: routes fpm: expected 'routes fpm listen ADDR[:PORT] [table main|ID] [hold SEC] [sweep SEC] [from ADDR[/LEN] ...]' (IPv6: [ADDR]:PORT)" },
	{ "limits\n",
	  "t.conf:1: limits: expected 'limits [nexthops N] [groups N] [buckets N] [routes N] [chunks N] [egress N]'" },
	{ "limits nexthops\n",
	  "t.conf:1: limits: expected 'limits [nexthops N] [groups N] [buckets N] [routes N] [chunks N] [egress N]'" },
	{ "limits tables 4\n",
	  "t.conf:1: limits: unknown 'tables'; limits are nexthops, groups, buckets, routes, chunks, egress" },
	{ "limits egress 0\n",
	  "t.conf:1: limits: egress '0' is not from 1 to 65536" },
	{ "limits egress 65537\n",
	  "t.conf:1: limits: egress '65537' is not from 1 to 65536" },
	/* Three interfaces (a name on two of them twice) past a limit of two. */
	{ "limits egress 2\nnexthop a via 198.18.1.2 dev e1\nnexthop b via 198.18.2.2 dev e2\n"
	  "nexthop c via 198.18.3.2 dev e1\nnexthop d via 198.18.4.2 dev e3\nnexthop e via 198.18.5.2 dev e2\n",
	  "t.conf: the nexthops go out of 3 interfaces, the limit is 2 (raise it with 'limits egress N')" },
	{ "limits buckets 4096\n",
	  "t.conf:1: limits: buckets '4096' is not from 65536 to 67108864" },
	{ "limits nexthops 0\n",
	  "t.conf:1: limits: nexthops '0' is not from 1 to 1048576" },
	{ "limits groups 8\nlimits routes 100\n",
	  "t.conf:2: limits: given twice (first at line 1)" },
	{ "limits nexthops 1\nnexthop a via 198.18.1.2 dev lo\nnexthop b via 198.18.2.2 dev lo\n",
	  "t.conf: 2 nexthops, the limit is 1 (raise it with 'limits nexthops N')" },
	{ "routes fpm listen 0.0.0.0 from 198.18.0.1/24\n",
	  "t.conf:1: routes fpm from: '198.18.0.1/24' has host bits set; did you mean 198.18.0.0/24?" },
	{ "routes fpm listen 0.0.0.0 from zebra\n",
	  "t.conf:1: routes fpm from: 'zebra' is not an IPv4 or IPv6 address or prefix" },
	{ "routes fpm listen 0.0.0.0 from 198.18.0.1 from 198.18.0.2 from 198.18.0.3 from 198.18.0.4 "
	  "from 198.18.0.5 from 198.18.0.6 from 198.18.0.7 from 198.18.0.8 from 198.18.0.9\n",
	  "t.conf:1: routes fpm: at most 8 'from' prefixes; cover zebra's addresses with fewer, wider ones" },
	{ "routes fpm listen 127.0.0.1\nroutes fpm listen [::1]:2621\n",
	  "t.conf:2: routes fpm: given twice (first at line 1)" },
	{ "kernel-path\n",
	  "t.conf:1: kernel-path: expected 'kernel-path [from PREFIX] [to PREFIX] [proto tcp|udp|sctp|icmp|icmp6|NUMBER] [sport PORT[-PORT]] [dport PORT[-PORT]]'" },
	{ "kernel-path from 198.18.0.0/24 to 2001:db8::/32\n",
	  "t.conf:1: kernel-path: 'from' and 'to' are of different families" },
	{ "kernel-path from 198.18.0.1/24\n",
	  "t.conf:1: kernel-path: '198.18.0.1/24' has host bits set; did you mean 198.18.0.0/24?" },
	{ "kernel-path dport 22\n",
	  "t.conf:1: kernel-path: ports need 'proto tcp', 'proto udp' or 'proto sctp'" },
	{ "kernel-path proto tcp dport 30-20\n",
	  "t.conf:1: kernel-path: dport '30-20' is not a port or a range LO-HI of ports 0-65535" },
	{ "kernel-path proto icmp6 from 198.18.0.0/24\n",
	  "t.conf:1: kernel-path: icmp6 does not go with IPv4 prefixes" },
	{ "\nnexthop a via 198.18.1.300 dev lo\n",
	  "t.conf:2: nexthop a: '198.18.1.300' is not an IPv4 or IPv6 address" },
	{ "route 198.19.0.0 group g\n",
	  "t.conf:1: route: '198.19.0.0' has no prefix length; write e.g. 198.19.0.0/16" },
	{ "route 198.19.0.0/33 group g\n",
	  "t.conf:1: route: '198.19.0.0/33' is not an IPv4 or IPv6 prefix" },
	{ "route 198.19.1.0/16 group g\n",
	  "t.conf:1: route: '198.19.1.0/16' has host bits set; did you mean 198.19.0.0/16?" },
	{ "nexthop a via 198.18.1.2 dev lo\ngroup g nexthops a b\n",
	  "t.conf:2: group g: unknown nexthop 'b'; define it with 'nexthop b via ADDR dev IFNAME'" },
	{ "route 198.19.0.0/16 group nope\n",
	  "t.conf:1: route: unknown group 'nope'; define it with 'group nope nexthops NAME...'" },
	{ "nexthop a via 198.18.1.2 dev lo\nnexthop a via 198.18.1.3 dev lo\n",
	  "t.conf:2: nexthop a: already defined on line 1" },
	{ "nexthop a via 198.18.1.2 dev lo\ngroup g nexthops a\ngroup g nexthops a\n",
	  "t.conf:3: group g: already defined on line 2" },
	{ "nexthop a via 198.18.1.2 dev lo weight 0\n",
	  "t.conf:1: nexthop a: weight '0' is not from 1 to 1000" },
	{ "nexthop a via 198.18.1.2 dev lo weight 1001\n",
	  "t.conf:1: nexthop a: weight '1001' is not from 1 to 1000" },
	{ "nexthop a via 198.18.1.2 dev lo\ngroup g buckets 1000 nexthops a\n",
	  "t.conf:2: group g: buckets '1000' is not a power of two from 1 to 65536" },
	{ "nexthop a via 198.18.1.2 dev lo\ngroup g buckets 131072 nexthops a\n",
	  "t.conf:2: group g: buckets '131072' is not a power of two from 1 to 65536" },
	{ "group g buckets 64\n",
	  "t.conf:1: group g: no nexthops; add 'nexthops NAME...'" },
	{ "nexthop a via 198.18.1.2 dev lo\nnexthop b via 198.18.1.3 dev lo\ngroup g buckets 1 nexthops a b\n",
	  "t.conf:3: group g: 1 buckets for 2 nexthops; use at least as many buckets as nexthops" },
	{ "nexthop a via 198.18.1.2 dev lo\ngroup g nexthops a a\n",
	  "t.conf:2: group g: nexthop a listed twice" },
	{ "nexthop a via 198.18.1.2\n",
	  "t.conf:1: nexthop a: needs both 'via ADDR' and 'dev IFNAME'" },
	{ "nexthop a via 198.18.1.2 dev lo color blue\n",
	  "t.conf:1: nexthop a: unknown option 'color'; options are via, dev, weight, vlan, bfd" },
	{ "seed 0x1234\n",
	  "t.conf:1: seed: '0x1234' is not 0x followed by 32 hex digits (128 bits)" },
	{ "hash l5\n",
	  "t.conf:1: hash: unknown policy 'l5'; use l3 or l4" },
	{ "hash l3 symmetric flowlabel\n",
	  "t.conf:1: hash: symmetric and flowlabel exclude each other (the two directions of a flow carry different labels)" },
	{ "interface lo xdp turbo\n",
	  "t.conf:1: interface lo: unknown XDP mode 'turbo'; use native, generic or skb" },
	{ "interface lo\ninterface lo\n",
	  "t.conf:2: interface lo: its XDP hook already declared on line 1" },
	{ "interface lo xdp\ninterface lo attach none\n",
	  "t.conf:2: interface lo: its XDP hook already declared on line 1" },
	{ "interface lo tc\ninterface lo tc ingress\n",
	  "t.conf:2: interface lo: tc ingress already declared on line 1" },
	{ "interface lo tc egress\ninterface lo tc egress\n",
	  "t.conf:2: interface lo: tc egress already declared on line 1" },
	{ "interface lo tc sideways\n",
	  "t.conf:1: interface lo: unknown tc hook 'sideways'; use ingress or egress" },
	{ "nexthop a via 198.18.1.2 dev lo\ngroup g nexthops a\nroute 198.19.0.0/16 group g\nroute 198.19.0.0/16 group g\n",
	  "t.conf:4: route 198.19.0.0/16: already defined on line 3" },
	{ "nexthop bad/name via 198.18.1.2 dev lo\n",
	  "t.conf:1: nexthop: expected 'nexthop NAME via ADDR dev IFNAME [weight N] [vlan VID] [bfd ...]'; NAME is 1-31 of A-Z a-z 0-9 _ . -" },
	{ "bfd interval 5 multiplier 3\n",
	  "t.conf:1: bfd: interval '5' is not a number of milliseconds from 10 to 60000" },
	{ "nexthop a via 198.18.1.2 dev lo bfd multiplier 0\n",
	  "t.conf:1: bfd: multiplier '0' is not from 1 to 255" },
	{ "nexthop a via 198.18.1.2 dev lo bfd auth md5 secret /k\n",
	  "t.conf:1: bfd: auth 'md5' is not sha1 or meticulous-sha1" },
	{ "nexthop a via 198.18.1.2 dev lo bfd auth sha1\n",
	  "t.conf:1: nexthop a: bfd auth needs both 'auth sha1|meticulous-sha1' and 'secret FILE'" },
	{ "nexthop a via 198.18.1.2 dev lo bfd secret relative/key auth sha1\n",
	  "t.conf:1: bfd: secret 'relative/key' must be an absolute path shorter than 128" },
	{ "nexthop a via 198.18.1.2 dev lo bfd key-id 256\n",
	  "t.conf:1: bfd: key-id '256' is not from 0 to 255" },
	{ "nexthop a via 198.18.1.2 dev lo bfd interval\n",
	  "t.conf:1: bfd: 'interval' needs a value" },
	{ "bfd interval 50 secret /k\n",
	  "t.conf:1: bfd: expected 'bfd [interval MS] [multiplier N] [admin-down-on-exit]' or 'bfd dev IFNAME [interval MS] [multiplier N]', got 'secret /k'" },
	{ "nexthop a via 198.18.1.2 dev lo vlan 4095\n",
	  "t.conf:1: nexthop a: vlan '4095' is not from 1 to 4094" },
};

/* `routes kernel`: the table and the protocols, named or numbered. */
static void test_config_routes_kernel(void)
{
	struct ecmp_conf c = { 0 };
	static const uint8_t defaults[] = { 3, 4, 11, 12, 186, 187, 188, 196 };
	unsigned i, n = 0;

	ASSERT_EQ(config_parse(&c, "t.conf", "routes kernel\n"), 0, "parse");
	ASSERT_TRUE(c.kernel_routes.enabled, "enabled");
	ASSERT_EQ(c.kernel_routes.table, 254, "main by default");
	for (i = 0; i < 256; i++)
		n += conf_kernel_proto(&c.kernel_routes, i);
	ASSERT_EQ(n, sizeof(defaults), "the default protocols only");
	for (i = 0; i < sizeof(defaults); i++)
		ASSERT_TRUE(conf_kernel_proto(&c.kernel_routes, defaults[i]), "a default protocol");
	config_free(&c);
	ASSERT_EQ(config_parse(&c, "t.conf", "routes kernel table 100 protocol ospf 42\n"), 0, "parse");
	ASSERT_EQ(c.kernel_routes.table, 100, "table");
	ASSERT_TRUE(conf_kernel_proto(&c.kernel_routes, 188) && conf_kernel_proto(&c.kernel_routes, 42) &&
		    !conf_kernel_proto(&c.kernel_routes, 186), "ospf and 42, not bgp");
	config_free(&c);
	/* The names route show all gives protocols: the same table. */
	ASSERT_TRUE(config_proto_name(188) && !strcmp(config_proto_name(188), "ospf") &&
		    config_proto_name(196) && !strcmp(config_proto_name(196), "static") &&
		    config_proto_name(4) && !strcmp(config_proto_name(4), "static") &&
		    !config_proto_name(250) && !config_proto_name(0), "protocol names, FRR's static too");
	ASSERT_EQ(config_parse(&c, "t.conf", ""), 0, "parse");
	ASSERT_TRUE(!c.kernel_routes.enabled, "off without the statement");
	ASSERT_TRUE(!c.fpm.enabled, "fpm off without the statement");
	/* limits: the defaults are the compile-time sizes; given, taken. */
	ASSERT_TRUE(c.limits.nexthops == ECMP_MAX_NEXTHOPS && c.limits.groups == ECMP_MAX_GROUPS &&
		    c.limits.buckets == ECMP_MAX_BUCKET_SLOTS - 1 && c.limits.routes == ECMP_MAX_ROUTES &&
		    c.limits.chunks == ECMP_MAX_LPM_CHUNKS && c.limits.egress == ECMP_MAX_TX_PORTS,
		    "limits: the defaults");
	config_free(&c);
	ASSERT_EQ(config_parse(&c, "t.conf", "limits chunks 64 nexthops 16 buckets 65536\n"), 0, "limits");
	ASSERT_TRUE(c.limits.nexthops == 16 && c.limits.chunks == 64 && c.limits.buckets == 65536 &&
		    c.limits.groups == ECMP_MAX_GROUPS, "limits given, the rest default");
	config_free(&c);
	/* Two interfaces under a limit of two, one nexthop name on each twice. */
	ASSERT_EQ(config_parse(&c, "t.conf", "limits egress 2\nnexthop a via 198.18.1.2 dev e1\n"
			       "nexthop b via 198.18.2.2 dev e2\nnexthop c via 198.18.3.2 dev e1\n"), 0,
		  "limits egress: at the limit");
	ASSERT_EQ(c.limits.egress, 2, "limits egress given");
	config_free(&c);
	/* routes fpm: the default port and hold, or both given; IPv6. */
	ASSERT_EQ(config_parse(&c, "t.conf", "routes fpm listen 127.0.0.1\n"), 0, "fpm");
	ASSERT_TRUE(c.fpm.enabled && c.fpm.family == ECMP_AF_INET && c.fpm.port == 2620 &&
		    c.fpm.hold_ms == 120000 && c.fpm.sweep_ms == 30000 && c.fpm.addr[0] == 127 &&
		    c.fpm.table == 254, "fpm defaults");
	config_free(&c);
	ASSERT_EQ(config_parse(&c, "t.conf", "routes fpm listen [::1]:2700 sweep 3 hold 5.5\nroutes kernel\n"),
		  0, "fpm and kernel");
	ASSERT_TRUE(c.fpm.family == ECMP_AF_INET6 && c.fpm.port == 2700 && c.fpm.hold_ms == 5500 && c.fpm.sweep_ms == 3000 &&
		    c.fpm.addr[15] == 1 && c.kernel_routes.enabled, "fpm IPv6, port, hold");
	config_free(&c);
	ASSERT_EQ(config_parse(&c, "t.conf", "routes fpm listen [::]:2620 from 198.18.7.2 hold 60 from 2001:db8:7::/48\n"),
		  0, "fpm from");
	ASSERT_TRUE(c.fpm.nfrom == 2 && c.fpm.from[0].family == ECMP_AF_INET && c.fpm.from[0].len == 32 &&
		    c.fpm.from[0].addr[3] == 2 && c.fpm.from[1].family == ECMP_AF_INET6 &&
		    c.fpm.from[1].len == 48 && c.fpm.hold_ms == 60000, "from: a host and a prefix, among the others");
	config_free(&c);
	ASSERT_EQ(config_parse(&c, "t.conf", "routes fpm listen 127.0.0.1 table 10000 sweep 5\n"), 0, "fpm table");
	ASSERT_TRUE(c.fpm.table == 10000 && c.fpm.sweep_ms == 5000, "fpm table 10000");
	config_free(&c);
	ASSERT_EQ(config_parse(&c, "t.conf", "routes fpm listen 127.0.0.1 table main\n"), 0, "fpm table main");
	ASSERT_TRUE(c.fpm.table == 254, "fpm table main is 254");
	config_free(&c);
}

static void test_config_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ecmp_conf c = { 0 };
		int err = config_parse(&c, "t.conf", bad[i].text);

		ASSERT_EQ(err, -EINVAL, bad[i].error);
		CHECK(c.nerror >= 1 && !strcmp(c.error[0], bad[i].error),
		      "case %zu: got '%s'", i, c.nerror ? c.error[0] : "(no error)");
		config_free(&c);
	}
}

static void test_config_lists_every_error(void)
{
	struct ecmp_conf c = { 0 };

	config_parse(&c, "t.conf", "frob\nhash l9\nroute 1.2.3.4/8 group x\n");
	ASSERT_EQ(c.nerror, 3, "three errors, one per bad line");
	config_free(&c);
}

static void test_config_host_checks(void)
{
	struct ecmp_conf c = { 0 };

	ASSERT_EQ(config_parse(&c, "t.conf",
			       "interface nosuch0 xdp\nnexthop a via 198.18.1.2 dev nosuch1\n"),
		  0, "parses");
	ASSERT_EQ(config_check_host(&c), -EINVAL, "host check fails");
	CHECK(c.nerror == 2 && !strcmp(c.error[0], "t.conf:1: interface nosuch0: no such interface"),
	      "interface error: %s", c.nerror ? c.error[0] : "-");
	CHECK(c.nerror == 2 && !strcmp(c.error[1], "t.conf:2: nexthop a: no such interface 'nosuch1'"),
	      "nexthop dev error: %s", c.nerror > 1 ? c.error[1] : "-");
	config_free(&c);
}

/* `control group`: the group is looked up on the host, its gid kept. */
static void test_config_control_group(void)
{
	struct ecmp_conf c = { 0 };

	ASSERT_EQ(config_parse(&c, "t.conf", "control group root\n"), 0, "parses");
	ASSERT_EQ(config_check_host(&c), 0, "group root exists");
	CHECK(!strcmp(c.control.group, "root") && c.control.gid == 0, "gid of root: %u",
	      c.control.gid);
	config_free(&c);
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(config_parse(&c, "t.conf", "\ncontrol group no-such-group-xe\n"), 0, "parses");
	ASSERT_EQ(config_check_host(&c), -EINVAL, "unknown group refused");
	CHECK(c.nerror == 1 && !strcmp(c.error[0], "t.conf:2: control group no-such-group-xe: no such "
				       "group; create it (groupadd --system no-such-group-xe) or name another"),
	      "error: %s", c.nerror ? c.error[0] : "-");
	config_free(&c);
}

static void test_config_bfd(void)
{
	struct ecmp_conf c = { 0 };

	ASSERT_EQ(config_parse(&c, "t.conf",
			       "bfd interval 50 multiplier 4 admin-down-on-exit\n"
			       "nexthop a via 198.18.1.2 dev lo bfd\n"
			       "nexthop b via 2001:db8::2 dev lo weight 2 bfd interval 10 multiplier 3 "
			       "auth meticulous-sha1 key-id 9 secret /etc/b.key vlan 5\n"
			       "nexthop c via 198.18.3.2 dev lo\n"), 0, "parses");
	config_print_errors(&c, stderr);
	ASSERT_EQ(c.bfd_interval_ms, 50, "global interval");
	ASSERT_EQ(c.bfd_multiplier, 4, "global multiplier");
	ASSERT_EQ(c.bfd_admin_down_on_exit, 1, "admin down on exit");
	ASSERT_EQ(c.nexthop[0].bfd, 1, "a bfd");
	ASSERT_EQ(c.nexthop[0].bfd_interval_ms, 0, "a uses the default");
	ASSERT_EQ(c.nexthop[1].bfd_interval_ms, 10, "b interval");
	ASSERT_EQ(c.nexthop[1].bfd_key.type, BFD_AUTH_METICULOUS_SHA1, "b auth");
	ASSERT_EQ(c.nexthop[1].bfd_key.key_id, 9, "b key id");
	CHECK(!strcmp(c.nexthop[1].bfd_secret_path, "/etc/b.key"), "secret path");
	ASSERT_EQ(c.nexthop[1].vlan, 5, "options after bfd still parse");
	ASSERT_EQ(c.nexthop[2].bfd, 0, "c without bfd");
	config_free(&c);
}

/* Secrets: root's only, 1-20 bytes, read by the host check. */
static void test_config_bfd_secret(void)
{
	char dir[] = "/tmp/ecmp-key-XXXXXX", key[64], text[256];
	struct ecmp_conf c = { 0 };
	FILE *f;

	ASSERT_TRUE(mkdtemp(dir) != NULL, "tmpdir");
	snprintf(key, sizeof(key), "%s/k", dir);
	f = fopen(key, "w");
	fputs("s3cret\n", f);
	fclose(f);
	snprintf(text, sizeof(text),
		 "nexthop a via 198.18.1.2 dev lo bfd auth sha1 key-id 1 secret %s\n", key);

	chmod(key, 0644);
	config_parse(&c, "t.conf", text);
	ASSERT_EQ(config_check_host(&c), -EINVAL, "world-readable refused");
	CHECK(c.nerror == 1 && strstr(c.error[0], "must be root's and readable by root only") &&
	      strstr(c.error[0], "chmod 600"), "mode error: %s", c.nerror ? c.error[0] : "-");
	config_free(&c);

	chmod(key, 0600);
	config_parse(&c, "t.conf", text);
	ASSERT_EQ(config_check_host(&c), getuid() == 0 ? 0 : -EINVAL, "0600 accepted");
	if (getuid() == 0) {
		ASSERT_EQ(c.nexthop[0].bfd_key.len, 6, "newline dropped");
		CHECK(!memcmp(c.nexthop[0].bfd_key.secret, "s3cret", 6), "secret read");
	}
	config_free(&c);

	f = fopen(key, "w");
	fputs("123456789012345678901\n", f);	/* 21 bytes */
	fclose(f);
	config_parse(&c, "t.conf", text);
	ASSERT_EQ(config_check_host(&c), -EINVAL, "too long refused");
	config_free(&c);
	unlink(key);
	config_parse(&c, "t.conf", text);
	ASSERT_EQ(config_check_host(&c), -EINVAL, "missing refused");
	CHECK(c.nerror == 1 && strstr(c.error[0], "cannot read bfd secret"), "missing: %s",
	      c.nerror ? c.error[0] : "-");
	config_free(&c);
	rmdir(dir);
}

/* Found by fuzz_config: a long word in an error message overflowed. */
/* A refused definition is reported once, at its own line: a reference to
 * it is not "unknown" too. Errors come in line order, the whole file's
 * last, whichever check found them. */
static void test_config_first_cause(void)
{
	struct ecmp_conf c = { 0 };

	ASSERT_EQ(config_parse(&c, "t.conf",
			       "group h nexthops a b\n"
			       "nexthop a via 198.18.1.2 dev lo weight 0\n"
			       "nexthop b via 198.18.1.3 dev lo\n"
			       "route 198.19.0.0/16 group g\n"
			       "group g buckets 3 nexthops b\n"
			       "route 198.19.1.0/24 group zz\n"), -EINVAL, "refused");
	config_print_errors(&c, stderr);
	ASSERT_EQ(c.nerror, 3, "three causes, no echoes");
	ASSERT_STR_EQ(c.error[0], "t.conf:2: nexthop a: weight '0' is not from 1 to 1000",
		      "the weight, not 'unknown nexthop a'");
	ASSERT_TRUE(strstr(c.error[1], "t.conf:5: group g: buckets") == c.error[1],
		    "the group's buckets, not 'unknown group g' at line 4");
	ASSERT_STR_EQ(c.error[2], "t.conf:6: route: unknown group 'zz'; define it with 'group zz nexthops NAME...'",
		      "a really unknown group is still named");
	config_free(&c);

	memset(&c, 0, sizeof(c));
	ASSERT_EQ(config_parse(&c, "t.conf",
			       "nexthop a via 198.18.1.2 dev nosuch0\n"
			       "route 198.19.1.0/24 group zz\n"
			       "nexthop b via 198.18.1.3 dev nosuch1\n"), -EINVAL, "refused");
	ASSERT_EQ(config_check_host(&c), -EINVAL, "host checks add theirs");
	ASSERT_EQ(c.nerror, 3, "three errors");
	ASSERT_TRUE(strstr(c.error[0], "t.conf:1: ") == c.error[0], "line 1 first");
	ASSERT_TRUE(strstr(c.error[1], "t.conf:2: ") == c.error[1], "line 2 second");
	ASSERT_TRUE(strstr(c.error[2], "t.conf:3: ") == c.error[2], "line 3 third");
	config_free(&c);
}

/* kernel-path: each rule as written; one without prefixes counts twice
 * against the limit (it becomes a rule per family). */
static void test_config_kernel_path(void)
{
	struct ecmp_conf c = { 0 };
	char text[8192] = "";
	int i;

	ASSERT_EQ(config_parse(&c, "t.conf",
			       "kernel-path from 198.18.0.0/25\n"
			       "kernel-path to 2001:db8:100::/48 proto tcp dport 22\n"
			       "kernel-path proto udp sport 1000-2000 dport 53\n"), 0, "parse");
	config_print_errors(&c, stderr);
	ASSERT_EQ(c.npass, 3, "three rules");
	ASSERT_EQ(c.npass_slots, 4, "the family-less one takes two slots");
	ASSERT_EQ(c.pass[0].family, ECMP_AF_INET, "v4");
	ASSERT_EQ(c.pass[0].src_len, 25, "from /25");
	ASSERT_EQ(c.pass[0].dport_hi, 65535, "any port");
	ASSERT_EQ(c.pass[1].proto, 6, "tcp");
	ASSERT_EQ(c.pass[1].dst_len, 48, "to /48");
	ASSERT_EQ(c.pass[1].dport_lo, 22, "dport 22");
	ASSERT_EQ(c.pass[1].dport_hi, 22, "dport 22 only");
	ASSERT_EQ(c.pass[2].family, 0, "both families");
	ASSERT_EQ(c.pass[2].sport_lo, 1000, "sport range low");
	ASSERT_EQ(c.pass[2].sport_hi, 2000, "sport range high");
	config_free(&c);

	for (i = 0; i < 33; i++)
		strcat(text, "kernel-path proto tcp dport 22\n");
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(config_parse(&c, "t.conf", text), -EINVAL, "33 two-family rules: refused");
	ASSERT_STR_EQ(c.error[0], "t.conf:33: kernel-path: more than 64 rules (a rule without prefixes takes two, one per family)",
		      "the limit, at the line past it");
	config_free(&c);
}

static void test_config_long_words(void)
{
	struct ecmp_conf c = { 0 };
	char text[1200];

	memset(text, 'x', sizeof(text));
	memcpy(text, "bfd interval 50 ", 16);
	text[500] = ' ';
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = 0;
	ASSERT_EQ(config_parse(&c, "t.conf", text), -EINVAL, "rejected");
	CHECK(c.nerror == 1 && strlen(c.error[0]) < 400, "bounded message");
	config_free(&c);
}

static void test_config_files(void)
{
	char dir[] = "/tmp/ecmp-conf-XXXXXX", path[64];
	struct ecmp_conf c = { 0 };
	FILE *f;

	ASSERT_TRUE(mkdtemp(dir) != NULL, "tmpdir");
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	ASSERT_EQ(config_load(&c, path), -ENOENT, "missing file");
	CHECK(c.nerror == 1 && strstr(c.error[0], "missing.conf: cannot open: No such file"),
	      "missing: %s", c.nerror ? c.error[0] : "-");
	config_free(&c);

	snprintf(path, sizeof(path), "%s/x.conf", dir);
	f = fopen(path, "w");
	fputs(valid, f);
	fclose(f);
	ASSERT_EQ(config_load(&c, path), 0, "file loads");
	config_free(&c);

	/* Unreadable: a directory reads with EISDIR. */
	ASSERT_EQ(config_load(&c, dir), -EISDIR, "unreadable");
	CHECK(c.nerror == 1 && strstr(c.error[0], "cannot read: Is a directory"),
	      "unreadable: %s", c.nerror ? c.error[0] : "-");
	config_free(&c);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	RUN_TEST(test_config_valid);
	RUN_TEST(test_config_defaults);
	RUN_TEST(test_config_first_cause);
	RUN_TEST(test_config_kernel_path);
	RUN_TEST(test_config_routes_kernel);
	RUN_TEST(test_config_errors);
	RUN_TEST(test_config_lists_every_error);
	RUN_TEST(test_config_host_checks);
	RUN_TEST(test_config_control_group);
	RUN_TEST(test_config_files);
	RUN_TEST(test_config_bfd);
	RUN_TEST(test_config_bfd_secret);
	RUN_TEST(test_config_long_words);
	return test_summary();
}
