#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ICMP redirects (RFC 1812 5.2.7.2, RFC 4861 8.2): a host on the router's
# ingress link sends through the router to a destination whose better
# first hop is another router on that same link. The kernel would forward
# the frame back out the way it came and tell the host; the fast path
# leaves exactly such frames to it (docs/DATAPATH.md, ecmp_onlink).
#
#   host h0 (macvlan) --+-- c0 ===== r0  router (XDP, ecmpd)
#   gw gw0  (macvlan) --+
#   h0: 198.18.0.10/24, 2001:db8::10/64; gw0: 198.18.0.2/24, fe80::2,
#   holding 198.19.50.1 and 2001:db8:150::1; router r0: 198.18.0.254/24,
#   2001:db8::fe/64, the host's default router (IPv6: its link-local
#   address); the router's routes to them: via gw0 on r0.
#
#  1. redirects on (the kernel's default): the host's ping goes through,
#     the router counts `redirect`, and the host's route cache says the
#     kernel redirected it to gw0, IPv4 and IPv6; through gw0's global
#     IPv6 address (which a redirect never names) XDP forwards them;
#  2. net.ipv4.conf.{all,r0}.send_redirects = 0: ecmpd drops the IPv4
#     subnet, and the host's frames are forwarded by XDP, with no redirect;
#     IPv6 (which has no switch) is unchanged.

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh
. tests/result.sh

P=ed$$
CONF=/tmp/$P.conf

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-redirects-last.log 2>/dev/null
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# station NAME ADDR4 ADDR6: a namespace with a macvlan on the client's
# link, so that two stations share it with the router.
station() {
	ip netns add "$P-$1" || return 1
	ip netns exec "$P-$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
	ip -n "$P-$1" link set lo up
	ip -n "$P-cl" link add "$1"0 link c0 type macvlan mode bridge
	ip -n "$P-cl" link set "$1"0 netns "$P-$1"
	ip -n "$P-$1" addr add "$2/24" dev "$1"0
	ip -n "$P-$1" addr add "$3/64" dev "$1"0 nodad
	ip -n "$P-$1" link set "$1"0 up
}

setup() {
	topo_create "$P" 1 || return 1
	ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# The router sends back out by r0: XDP's frames reach c0 with GRO on.
	nsx "$P-cl" ethtool -K c0 gro on > /dev/null
	station h 198.18.0.10 2001:db8::10 || return 1
	station gw 198.18.0.2 2001:db8::2 || return 1
	ip -n "$P-gw" addr add fe80::2/64 dev gw0 nodad
	ip -n "$P-gw" addr add 198.19.50.1/32 dev lo
	ip -n "$P-gw" addr add 2001:db8:150::1/128 dev lo
	ip -n "$P-gw" addr add 2001:db8:151::1/128 dev lo
	ip -n "$P-h" route add default via 198.18.0.254
	# As routers are known on IPv6 links (RFC 4861 8.1: a redirect is
	# taken only from the current first hop, which sends it from its
	# link-local address).
	ll=$(ip -n "$P-rt" -6 -o addr show dev r0 scope link | awk '{print $4}' | cut -d/ -f1)
	[ -n "$ll" ] || return 1
	ip -n "$P-h" -6 route add default via "$ll" dev h0
	cat > "$CONF" <<EOF
seed 0x0123456789abcdef0123456789abcdef
pin-root /sys/fs/bpf/$P
interface r0 xdp native
nexthop gw via 198.18.0.2 dev r0
nexthop gw6 via fe80::2 dev r0
nexthop gw6g via 2001:db8::2 dev r0
group g buckets 64 nexthops gw
group g6 buckets 64 nexthops gw6
group g6g buckets 64 nexthops gw6g
route 198.19.50.0/24 group g
route 2001:db8:150::/64 group g6
route 2001:db8:151::/64 group g6g
EOF
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 3
}

stat_of() { # REASON: its packets in ecmpctl stats -j
	topo_ctl "$P" -j stats | python3 -c '
import json, sys
s, r = json.load(sys.stdin), sys.argv[1]
print((s[r] if r == "forwarded" else s["passed"][r])["packets"])' "$1"
}

if ! setup; then
	result "setup" 1 "$(tail -5 "/tmp/$P.ecmpd.log" 2>/dev/null)"
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi

grep -q "hosts of 198.18.0.0/24 get ICMP redirects" "/tmp/$P.ecmpd.log" &&
	grep -q "hosts of 2001:db8::/64 get ICMP redirects" "/tmp/$P.ecmpd.log"
result "ecmpd: the hosts of r0's subnets get redirects (IPv4 and IPv6)" $? \
	"$(grep -i redirect "/tmp/$P.ecmpd.log")"

red0=$(stat_of redirect)
nsx "$P-h" ping -q -c 3 -i 0.2 -W 2 198.19.50.1 > /dev/null
result "the host reaches 198.19.50.1 through the router" $?
ip -n "$P-h" route get 198.19.50.1 | tr '\n' ' ' | grep -q "via 198.18.0.2 .*redirected"
result "the host was redirected to 198.18.0.2" $? "$(ip -n "$P-h" route get 198.19.50.1)"
red1=$(stat_of redirect)
[ "$red1" -gt "$red0" ]
result "the router's data path counts them as redirect ($red0 -> $red1)" $?

nsx "$P-h" ping -6 -q -c 3 -i 0.2 -W 2 2001:db8:150::1 > /dev/null
result "IPv6: the host reaches 2001:db8:150::1 through the router" $?
ip -n "$P-h" -6 route get 2001:db8:150::1 | grep -q "via fe80::2 "
result "IPv6: the host was redirected to fe80::2" $? "$(ip -n "$P-h" -6 route get 2001:db8:150::1)"
red2=$(stat_of redirect)
[ "$red2" -gt "$red1" ]
result "IPv6: counted as redirect ($red1 -> $red2)" $?

# The kernel names only a link-local router in an IPv6 redirect: through
# the router's global address, the frames stay in XDP.
fwd0=$(stat_of forwarded)
nsx "$P-h" ping -6 -q -c 3 -i 0.2 -W 2 2001:db8:151::1 > /dev/null
result "IPv6 via a global address: the host reaches 2001:db8:151::1" $?
fwd1=$(stat_of forwarded)
red3=$(stat_of redirect)
[ "$red3" = "$red2" ] && [ $((fwd1 - fwd0)) -ge 3 ] &&
	! ip -n "$P-h" -6 route get 2001:db8:151::1 | grep -q "via 2001:db8::2 "
result "IPv6 via a global address: forwarded by XDP, no redirect" $? \
	"redirect $red2 -> $red3, forwarded $fwd0 -> $fwd1; $(ip -n "$P-h" -6 route get 2001:db8:151::1)"

# 2. IPv4 redirects off: the subnet leaves ecmp_onlink (read again within
# 5 s), and the host's frames are XDP's.
ip netns exec "$P-rt" sysctl -qw net.ipv4.conf.all.send_redirects=0 \
	net.ipv4.conf.r0.send_redirects=0
wait_until 80 grep -q "hosts of 198.18.0.0/24 get no ICMP redirects" "/tmp/$P.ecmpd.log"
result "send_redirects off: ecmpd drops 198.18.0.0/24" $?
ip -n "$P-h" route flush cache
fwd0=$(stat_of forwarded)
red0=$(stat_of redirect)
nsx "$P-h" ping -q -c 3 -i 0.2 -W 2 198.19.50.1 > /dev/null
result "the host still reaches 198.19.50.1" $?
! ip -n "$P-h" route get 198.19.50.1 | grep -q "via 198.18.0.2 "
result "no redirect: the host still sends through the router" $? \
	"$(ip -n "$P-h" route get 198.19.50.1)"
fwd1=$(stat_of forwarded)
red1=$(stat_of redirect)
[ "$red1" = "$red0" ] && [ $((fwd1 - fwd0)) -ge 3 ]
result "forwarded by XDP ($((fwd1 - fwd0)) frames), none passed as redirect" $? \
	"redirect $red0 -> $red1, forwarded $fwd0 -> $fwd1"
! grep -q "hosts of 2001:db8::/64 get no ICMP redirects" "/tmp/$P.ecmpd.log"
result "IPv6 redirects (no switch in Linux) stay" $?

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
