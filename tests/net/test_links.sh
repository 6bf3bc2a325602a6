#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Real links: MTUs, jumbo frames, egress devices that cannot take XDP
# frames, and ICMP errors that must follow their flow.
#
#   client (c0) ----- (r0) router (r1..r4) ----- nh1..nh4   (scripts/topo.sh)
#                              (br5: r5) ----- nh5          (a bridge)
#
#  1. path MTU: r1..r4 at 1400, the client at 1500. A DF datagram that does
#     not fit is passed by XDP (too_big) and the kernel answers
#     "fragmentation needed" / "packet too big"; the client's route cache
#     learns 1400; without DF the kernel fragments and the reply comes back;
#     TCP to servers that advertise a 1460-byte MSS completes (PMTUD);
#     the same through the tc ingress hook (bpf_check_mtu);
#  2. jumbo frames: every link at 9000, 8,000-byte UDP and 50 TCP
#     connections of 30,000 bytes through XDP, checksum offload on and off;
#  3. a nexthop behind a bridge (no ndo-xmit in its xdp-features): shown,
#     its frames delivered by the kernel, then by the tc ingress hook at
#     exactly the nexthop lookup names;
#  4. 1,000 ICMP errors about 1,000 flows, IPv4 and IPv6, each at the
#     nexthop `ecmpctl lookup` names for its flow;
#  5. devices deleted and made again: the ingress one gets ecmp_xdp back,
#     a nexthop's gets its config routes back in the kernel's FIB.

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=el$$
CONF=/tmp/$P.conf
SERVERS=""
. tests/net/lib.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-links-last.log 2>/dev/null
	# shellcheck disable=SC2086
	[ -n "$SERVERS" ] && kill $SERVERS 2>/dev/null
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# set_mtu MTU LINKS...: "ns:dev" pairs.
set_mtu() {
	local mtu=$1 l
	shift
	for l in "$@"; do
		ip -n "$P-${l%%:*}" link set "${l#*:}" mtu "$mtu" || return 1
	done
}

NH_LINKS="rt:r1 rt:r2 rt:r3 rt:r4 n1:n0 n2:n0 n3:n0 n4:n0"

setup() {
	local i
	topo_create "$P" 4 || return 1
	ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	for i in 1 2 3 4; do
		ip -n "$P-n$i" route add local 198.19.0.0/16 dev lo
		ip -n "$P-n$i" -6 route add local 2001:db8:100::/48 dev lo
		# The servers advertise a 1500-byte path's MSS whatever their
		# link: the client's segments then meet the 1400-byte link.
		ip -n "$P-n$i" route add default via "198.18.$i.1" advmss 1460
		ip -n "$P-n$i" -6 route add default via "2001:db8:$i::1" advmss 1440
		nsenter --net="/run/netns/$P-n$i" "$BUILD/tests/sockgen" serve 9000 \
			</dev/null >/dev/null 2>&1 &
		SERVERS="$SERVERS $!"
	done
	topo_config "$P" "$CONF"
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8
}

stat_of() {
	topo_ctl "$P" -j stats | python3 -c "import json, sys; d = json.load(sys.stdin); print(d['passed']['$1']['packets'] if '$1' != 'forwarded' else d['forwarded']['packets'])"
}

test_path_mtu() {
	local out tb0 tb1
	set_mtu 1400 $NH_LINKS || { result "MTU 1400 on the nexthop links" 1; return; }
	sleep 0.5
	out=$(topo_ctl "$P" nexthop show nh1)
	echo "$out" | grep -q " mtu 1400"
	result "nexthop show: the egress link's MTU (1400)" $? "$out"
	tb0=$(stat_of too_big)
	out=$(nsx "$P-cl" ping -n -M do -s 1450 -c 1 -W 1 198.19.5.5 2>&1)
	echo "$out" | grep -Eq "Frag needed and DF set \(mtu = 1400\)|message too long, mtu=1400"
	result "IPv4 DF, 1478 bytes: the router answers fragmentation needed (mtu 1400)" $? "$out"
	out=$(nsx "$P-cl" ip route get 198.19.5.5)
	echo "$out" | grep -q "mtu 1400"
	result "the client's route cache learned mtu 1400 (IPv4)" $? "$out"
	out=$(nsx "$P-cl" ping -6 -n -M do -s 1450 -c 1 -W 1 2001:db8:100::5 2>&1)
	echo "$out" | grep -Eq "Packet too big: mtu=1400|message too long, mtu=1400"
	result "IPv6, 1498 bytes: the router answers packet too big (mtu 1400)" $? "$out"
	out=$(nsx "$P-cl" ip -6 route get 2001:db8:100::5)
	echo "$out" | grep -q "mtu 1400"
	result "the client's route cache learned mtu 1400 (IPv6)" $? "$out"
	tb1=$(stat_of too_big)
	[ $((tb1 - tb0)) -ge 2 ]
	result "the oversize datagrams were passed by XDP as too_big ($((tb1 - tb0)))" $?
	out=$(nsx "$P-cl" ping -n -M dont -s 1450 -c 3 -i 0.2 -W 1 198.19.6.6 2>&1)
	echo "$out" | grep -q "3 received"
	result "IPv4 without DF, 1478 bytes: fragmented by the kernel, answered" $? \
		"$(echo "$out" | tail -2)"
	nsx "$P-cl" ip route flush cache
	nsx "$P-cl" ip -6 route flush cache
	out=$(nsx "$P-cl" "$BUILD/tests/sockgen" tcp 198.19.8.8 9000 36000 50 20000)
	[ "$out" = "ok 50 failed 0" ]
	result "TCP, 50 x 20,000 bytes across the 1400 links (PMTUD): complete" $? "$out"
	out=$(nsx "$P-cl" "$BUILD/tests/sockgen" tcp 2001:db8:100::8 9000 36100 50 20000)
	[ "$out" = "ok 50 failed 0" ]
	result "TCP over IPv6, 50 x 20,000 bytes (PMTUD): complete" $? "$out"
	set_mtu 1500 $NH_LINKS
}

# The same through the tc ingress hook alone (interfaces without native
# XDP): the kernel's bpf_check_mtu(), GRO'd TCP checked segment by segment.
test_path_mtu_tc() {
	local out tb0
	sed -i 's/^interface r0 .*/interface r0 tc ingress/' "$CONF"
	topo_ctl "$P" reload >/dev/null || { result "reload with tc ingress on r0" 1; return; }
	set_mtu 1400 $NH_LINKS
	sleep 0.5
	nsx "$P-cl" ip route flush cache
	nsx "$P-cl" ip -6 route flush cache
	tb0=$(stat_of too_big)
	out=$(nsx "$P-cl" ping -n -M do -s 1450 -c 1 -W 1 198.19.5.7 2>&1)
	echo "$out" | grep -Eq "Frag needed and DF set \(mtu = 1400\)|message too long, mtu=1400"
	result "tc ingress: IPv4 DF too big, fragmentation needed (mtu 1400)" $? "$out"
	out=$(nsx "$P-cl" ping -6 -n -M do -s 1450 -c 1 -W 1 2001:db8:100::7 2>&1)
	echo "$out" | grep -Eq "Packet too big: mtu=1400|message too long, mtu=1400"
	result "tc ingress: IPv6 too big, packet too big (mtu 1400)" $? "$out"
	nsx "$P-cl" ip route flush cache
	out=$(nsx "$P-cl" "$BUILD/tests/sockgen" tcp 198.19.8.8 9000 36200 50 20000)
	[ "$out" = "ok 50 failed 0" ] && [ "$(stat_of too_big)" -gt "$tb0" ]
	result "tc ingress: TCP, 50 x 20,000 bytes (PMTUD): complete" $? \
		"$out; too_big +$(($(stat_of too_big) - tb0))"
	set_mtu 1500 $NH_LINKS
	topo_config "$P" "$CONF"
	topo_ctl "$P" reload >/dev/null
	nsx "$P-cl" ip route flush cache
	nsx "$P-cl" ip -6 route flush cache
}

# flows_at BASE N: "sink:flows" for UDP flows BASE..BASE+N-1, and the
# lookup prediction check: prints "ok" when every flow is where predicted.
check_predicted() {
	local fam=$1 src=$2 dst=$3 base=$4 n=$5 kind=${6:-$1}
	topo_sinks "$P" | awk -v f="$kind" -v b="$base" -v n="$n" \
		'$2 == f && $3 >= b && $3 < b + n { print $3, $1 }' | sort -n > "/tmp/$P.got"
	seq "$base" $((base + n - 1)) | awk -v s="$src" -v d="$dst" '{ print s, d, "udp", $1, 5001 }' |
		topo_ctl "$P" lookup - | awk '{ for (i = 1; i <= NF; i++) if ($i == "nexthop") print $(i + 1) }' |
		sed 's/^nh\([0-9]\).*/\1/' > "/tmp/$P.want"
	seq "$base" $((base + n - 1)) | paste -d' ' - "/tmp/$P.want" > "/tmp/$P.wantp"
	diff -q "/tmp/$P.got" "/tmp/$P.wantp" >/dev/null
}

test_jumbo() {
	local out on off fwd0 fwd1 tb0 l
	set_mtu 9000 $NH_LINKS cl:c0 rt:r0 ||
		{ result "MTU 9000 on every link (the client's peer has XDP attached)" 1; return; }
	sleep 0.5
	# No path MTU left from an earlier test: datagrams leave whole.
	nsx "$P-cl" ip route flush cache
	topo_clear_sinks "$P"
	fwd0=$(stat_of forwarded)
	tb0=$(stat_of too_big)
	out=$(nsx "$P-cl" "$BUILD/tests/sockgen" udp 198.19.8.8 5001 37000 200 8000)
	sleep 0.5
	check_predicted 4 198.18.0.1 198.19.8.8 37000 200
	result "8,000-byte UDP, 200 flows: each at the nexthop lookup names" $? \
		"sent $out; $(wc -l < "/tmp/$P.got") flows seen"
	on=$(nsx "$P-cl" "$BUILD/tests/sockgen" tcp 198.19.8.8 9000 37300 50 30000)
	nsx "$P-cl" ethtool -K c0 tx off >/dev/null
	off=$(nsx "$P-cl" "$BUILD/tests/sockgen" tcp 198.19.8.8 9000 37400 50 30000)
	nsx "$P-cl" ethtool -K c0 tx on >/dev/null
	fwd1=$(stat_of forwarded)
	[ "$on" = "ok 50 failed 0" ] && [ "$off" = "ok 50 failed 0" ] &&
		[ "$(stat_of csum_partial)" = 0 ] && [ "$(stat_of too_big)" = "$tb0" ] &&
		[ $((fwd1 - fwd0)) -ge 2000 ]
	result "TCP at MTU 9000, 2 x 50 x 30,000 bytes, offload on and off: complete" $? \
		"on: $on; off: $off; forwarded $((fwd1 - fwd0)), csum_partial $(stat_of csum_partial), too_big +$(($(stat_of too_big) - tb0))"
	out=$(topo_ctl "$P" -j stats | python3 -c '
import json, sys
for e in json.load(sys.stdin)["egress"]:
    print(e["dev"], e["xdp_xmit"], e["xdp_xmit_errors"])')
	echo "$out" | awk '$2 > 0 { s++ } $3 != 0 { e++ } END { exit !(s >= 1 && !e) }'
	result "stats: the egress devices' XDP transmit (sent, no errors)" $? "$out"
	for l in $NH_LINKS cl:c0 rt:r0; do
		ip -n "$P-${l%%:*}" link set "${l#*:}" mtu 1500
	done
}

# A fifth nexthop behind a Linux bridge, which has no ndo_xdp_xmit.
test_no_xdp_xmit() {
	local out s0 s1
	ip -n "$P-rt" link add br5 type bridge || { result "bridge" 1; return; }
	ip netns add "$P-n5"
	ip link add r5 netns "$P-rt" type veth peer name n0 netns "$P-n5"
	ip -n "$P-rt" link set r5 master br5
	ip -n "$P-rt" addr add 198.18.5.1/24 dev br5
	ip -n "$P-rt" link set r5 up
	ip -n "$P-rt" link set br5 up
	ip -n "$P-n5" addr add 198.18.5.2/24 dev n0
	ip -n "$P-n5" link set n0 up
	ip -n "$P-n5" link set lo up
	ip -n "$P-n5" route add default via 198.18.5.1
	nsx "$P-n5" "$BUILD/tests/netsink" attach n0 "/sys/fs/bpf/$P-sink5" >/dev/null
	topo_config "$P" "$CONF"
	cat >> "$CONF" <<EOF
nexthop nh5 via 198.18.5.2 dev br5
group bridged buckets 64 nexthops nh5
route 198.19.200.0/24 group bridged
EOF
	topo_ctl "$P" reload >/dev/null && topo_wait_usable "$P" 9 >/dev/null
	out=$(topo_ctl "$P" nexthop show nh5)
	echo "$out" | grep -q "xdp_xmit no" &&
		grep -q "nexthop nh5: interface br5 cannot transmit XDP frames" "/tmp/$P.ecmpd.log"
	result "nexthop behind a bridge: shown and logged as without XDP transmit" $? "$out"
	topo_clear_sinks "$P"
	s0=$(stat_of no_xdp_xmit)
	topo_send "$P" 198.18.0.1 198.19.200.9 38000 100 >/dev/null
	sleep 0.5
	s1=$(stat_of no_xdp_xmit)
	out=$(topo_sinks "$P" | awk '$1 == 5 && $3 >= 38000 && $3 < 38100 { n++ } END { print n + 0 }')
	[ "$out" = 100 ] && [ $((s1 - s0)) -ge 100 ]
	result "XDP alone: 100 of 100 flows delivered by the kernel, passed as no_xdp_xmit" $? \
		"flows at nh5: $out, no_xdp_xmit +$((s1 - s0))"
	echo "interface r0 tc ingress" >> "$CONF"
	topo_ctl "$P" reload >/dev/null
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.200.9 38200 100 >/dev/null
	topo_send "$P" 198.18.0.1 198.19.8.8 38400 100 >/dev/null
	sleep 0.5
	check_predicted 4 198.18.0.1 198.19.200.9 38200 100 && check_predicted 4 198.18.0.1 198.19.8.8 38400 100
	result "with tc ingress too: every flow at the nexthop lookup names (bridge and XDP ones)" $? \
		"$(topo_sinks "$P" | awk '$3 >= 38200 && $3 < 38500 { n[$1]++ } END { for (s in n) printf "%s:%d ", s, n[s] }')"
	topo_config "$P" "$CONF"
	topo_ctl "$P" reload >/dev/null
}

test_icmp_errors() {
	local fam src dst rep base ok=0 detail=""
	for fam in 4 6; do
		if [ "$fam" = 4 ]; then
			src=198.18.0.1 dst=198.19.9.9 rep=198.18.0.77 base=39000
		else
			src=2001:db8::1 dst=2001:db8:100::9 rep=2001:db8::77 base=40000
		fi
		topo_clear_sinks "$P"
		topo_send "$P" "$src" "$dst" "$base" 1000 >/dev/null
		nsx "$P-cl" "$BUILD/tests/flowgen" --icmp-error "$rep" c0 \
			"$(ip -n "$P-rt" -br link show r0 | awk '{print $3}')" \
			"$src" "$dst" "$base" 1000 >/dev/null
		sleep 0.5
		if check_predicted "$fam" "$src" "$dst" "$base" 1000 "$((fam + 100))" &&
			[ "$(wc -l < "/tmp/$P.got")" = 1000 ]; then
			ok=$((ok + 1))
		fi
		detail="$detail IPv$fam: $(wc -l < "/tmp/$P.got") errors seen;"
		# And the flows themselves, for the record.
		check_predicted "$fam" "$src" "$dst" "$base" 1000 || detail="$detail flows mispredicted;"
	done
	[ "$ok" = 2 ]
	result "1,000 ICMP errors per family: each at the nexthop lookup names for its flow" $? "$detail"
	out=$(topo_ctl "$P" lookup 198.18.0.77 198.19.9.9 icmp-error 198.19.9.9 198.18.0.1 udp 5001 39000)
	want=$(topo_ctl "$P" lookup 198.18.0.1 198.19.9.9 udp 39000 5001 | awk '{ for (i = 1; i <= NF; i++) if ($i == "nexthop") print $(i + 1) }')
	echo "$out" | grep -q "nexthop $want "
	result "ecmpctl lookup ... icmp-error names the flow's nexthop ($want)" $? "$out"
}

# ecmpctl stats --format prometheus: valid for Prometheus's own checker,
# and the same figures as the JSON stats.
test_prometheus() {
	local out fwd want
	topo_send "$P" 198.18.0.1 198.19.8.8 41000 100 >/dev/null
	sleep 0.3
	topo_ctl "$P" stats --format prometheus > "/tmp/$P.prom"
	out=$(promtool check metrics < "/tmp/$P.prom" 2>&1)
	[ $? = 0 ] && [ -z "$out" ]
	result "stats --format prometheus passes promtool check metrics" $? "$out"
	fwd=$(awk '/^ecmp_frames_total\{outcome="forwarded"\}/ { print $2 }' "/tmp/$P.prom")
	want=$(topo_ctl "$P" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["forwarded"]["packets"])')
	out=$(awk '/^ecmp_group_buckets\{group="web",/ { n += $2 } END { print n }' "/tmp/$P.prom")
	[ -n "$fwd" ] && [ "$fwd" -ge 100 ] && [ "$fwd" -le "$want" ] && [ "$out" = 4096 ] &&
		grep -q '^ecmp_daemon_up 1$' "/tmp/$P.prom" &&
		grep -q '^ecmp_nexthop_up{nexthop="nh1",dev="r1"} 1$' "/tmp/$P.prom" &&
		grep -q '^ecmp_nexthop_state{nexthop="nh1",dev="r1",state="up"} 1$' "/tmp/$P.prom"
	result "prometheus figures: forwarded as in stats, web's 4096 buckets, nexthops up" $? \
		"forwarded $fwd (stats $want), web buckets $out"
}

# The kernel's route for PREFIX of FAMILY (4, 6): its protocol and its
# nexthops' devices, sorted.
route_devs() { # FAMILY PREFIX
	ip -n "$P-rt" -"$1" -j route show "$2" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    print(r.get("protocol"), " ".join(sorted(h["dev"] for h in r.get("nexthops") or [r])))'
}

# Devices deleted and made again under their names (a driver reload, a
# tap or veth recreated): the new device comes without ecmpd's program,
# and the kernel dropped the config routes through a nexthop's. Both are
# back without a reload, and the flows go where `ecmpctl lookup` says.
test_recreated_links() {
	local out fwd0 fwd1 i
	ip -n "$P-rt" link del r0
	topo_client_link "$P"
	for i in $(seq 1 30); do
		ip -n "$P-rt" link show r0 | grep -q " xdp " && break
		sleep 0.1
	done
	out=$(ip -n "$P-rt" link show r0 | head -1)
	echo "$out" | grep -q " xdp " && grep -q "interface r0: ecmp_xdp attached" "/tmp/$P.ecmpd.log"
	result "the ingress device recreated: ecmp_xdp attached again, without a reload" $? "$out"
	topo_clear_sinks "$P"
	fwd0=$(stat_of forwarded)
	topo_send "$P" 198.18.0.1 198.19.8.8 39000 100 >/dev/null
	sleep 0.5
	fwd1=$(stat_of forwarded)
	[ $((fwd1 - fwd0)) -ge 100 ] && check_predicted 4 198.18.0.1 198.19.8.8 39000 100
	result "through it: 100 flows forwarded by XDP, each where lookup says" $? "forwarded +$((fwd1 - fwd0))"
	ip -n "$P-rt" link del r1
	topo_nexthop_link "$P" 1 >/dev/null
	for i in $(seq 1 50); do
		[ "$(route_devs 4 198.19.0.0/16)" = "236 r1 r2 r3 r4" ] &&
			[ "$(route_devs 6 2001:db8:100::/48)" = "236 r1 r2 r3 r4" ] && break
		sleep 0.1
	done
	out="$(route_devs 4 198.19.0.0/16); $(route_devs 6 2001:db8:100::/48)"
	[ "$out" = "236 r1 r2 r3 r4; 236 r1 r2 r3 r4" ]
	result "a nexthop's device recreated: the config routes back in the kernel's FIB (IPv4, IPv6)" $? "$out"
	nsx "$P-rt" ethtool -K r1 gro on >/dev/null 2>&1
	topo_wait_usable "$P" 8 >/dev/null
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.8.8 39200 100 >/dev/null
	sleep 0.5
	check_predicted 4 198.18.0.1 198.19.8.8 39200 100 &&
		[ "$(topo_sinks "$P" | awk '$1 == 1 && $3 >= 39200 && $3 < 39300' | wc -l)" -gt 0 ]
	result "and its flows through the new device, each where lookup says" $? \
		"$(topo_sinks "$P" | awk '$3 >= 39200 && $3 < 39300 { n[$1]++ } END { for (s in n) printf "%s:%d ", s, n[s] }')"
}

if ! setup; then
	result "topology and ecmpd" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
want() { [ -z "${ECMP_NET_TESTS:-}" ] || [[ " $ECMP_NET_TESTS " == *" $1 "* ]]; }
want pmtu && test_path_mtu
want pmtu-tc && test_path_mtu_tc
want jumbo && test_jumbo
want xmit && test_no_xdp_xmit
want icmp && test_icmp_errors
want prometheus && test_prometheus
want recreated && test_recreated_links
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
