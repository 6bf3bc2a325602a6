#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Operator safety (docs/OPERATIONS.md): ecmpd never damages state it does
# not own.
#
#   client (c0) ----- (r0) router (r1..r4) ----- nh1..nh4   (scripts/topo.sh)
#   router: permanent neighbours for nh1 and nh1v6 (the next box answers no
#   ARP), the operator's clsact and root pfifo on r2, their sysctls; a
#   second ecmpd instance (pin root P-b) on r4.
#
#  1. permanent neighbours, qdiscs, filters, routes, links, sysctls: equal
#     (ip -j / tc -j) before start, after start, after SAFETY_SECONDS
#     (6; 4 sanitized: 30 and 20 rounds) of running with neighbours
#     re-confirmed every 200 ms, after `ecmpctl shutdown` and after
#     `ecmpd --detach`;
#  2. a permanent entry makes its nexthop usable with the entry's MAC;
#  3. `ecmpd --detach --pin-root TYPO` does nothing and says so (exit 1);
#     `--detach` of one instance leaves the other's programs and pins;
#  4. ecmpctl from separate `ip netns exec` calls (own mount namespace,
#     own bpffs) and from the host: ecmpd's maps and interface names;
#  5. an nftables forward rule: bypassed by XDP (and warned about) until
#     a kernel-path line keeps its traffic on the kernel's path;
#  6. a routing-policy rule (ip rule) likewise: ecmpd names the rule and the
#     kernel-path line that makes its frames follow it; rules that cannot
#     change a forwarded frame are not named; one added later is, once;
#  7. an IPsec policy (ip xfrm policy) likewise: its frames leave in clear
#     by XDP until its kernel-path line is in, then the kernel takes them
#     (no SA here: it drops them, XfrmOutNoStates); one added later is
#     named once;
#  8. traffic control: a shaping qdisc on an egress interface and a tc
#     ingress filter on the XDP interface are named (the operator's pfifo
#     and empty clsact on r2 are not); XDP's frames skip the qdisc, and
#     with `interface r0 tc ingress` they go through it;
#  9. IPv4 forwarding off on r0: ecmpd says that what it passes to the
#     kernel would be dropped; with it back on, a reload says nothing of
#     it (the router's IPv6 forwarding is off here, and said to be).

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=es$$
CONF=/tmp/$P.conf
CONF_B=/tmp/$P-b.conf
# Sanitized, shorter: the same checks, with user space under ASan.
SAFETY_SECONDS=${SAFETY_SECONDS:-$([ "${SANITIZE:-}" = 1 ] && echo 4 || echo 6)}
. tests/net/lib.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-safety-last.log 2>/dev/null
	pkill -f -- "--socket /tmp/$P-b.sock" 2>/dev/null
	pkill -f -- "--socket /tmp/$P-x.sock" 2>/dev/null
	nsx "$P-rt" "$BUILD/ecmpd" --detach --pin-root "/sys/fs/bpf/$P-b" >/dev/null 2>&1
	rm -rf "/sys/fs/bpf/$P-b" "/tmp/$P-b".* "/tmp/$P-b-state"
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mac_of() { # NAMESPACE IF
	ip -n "$1" -br link show "$2" | awk '{ print $3 }'
}

# The operator's hand-made state on the router, as ip and tc print it
# (counters, timers and our own hooks left out).
operator_state() {
	local r="$P-rt"
	{
		echo "neigh"; ip -n "$r" -j neigh show nud permanent
		echo "link"; ip -n "$r" -j link show
		echo "qdisc"; tc -n "$r" -j qdisc show dev r2
		echo "route"; ip -n "$r" -j route show table all
		echo "rule"; ip -n "$r" -j rule show
	} | python3 -c '
import json, sys
# One line per object, in a stable order, without counters and without
# what the kernel adds by itself as links come up (IPv6 link-local).
lines = sys.stdin.read().split("\n")
for kind, text in zip(lines[0::2], lines[1::2]):
    for o in json.loads(text or "[]"):
        if kind == "link":
            # admin state, not carrier (the peer decides that)
            o = {k: o.get(k) for k in ("ifname", "mtu", "address")} | \
                {"up": "UP" in o.get("flags", [])}
        if kind == "neigh":
            o = {k: o.get(k) for k in ("dst", "dev", "lladdr", "state")}
        if kind == "route" and (o.get("dst", "").startswith(("fe80", "ff00")) or
                                "fe80" in o.get("dst", "") or
                                o.get("protocol") == "236"):
            continue	# link-local, or ecmpd own routes (protocol 236)
        if kind == "qdisc":
            o = {k: o.get(k) for k in ("kind", "handle", "parent", "options")}
        print(kind, json.dumps(o, sort_keys=True))
' | sort
	ip netns exec "$r" sysctl net.ipv4.ip_forward net.ipv4.conf.r1.rp_filter \
		net.ipv6.conf.all.forwarding net.ipv4.neigh.r1.base_reachable_time_ms
}

setup() {
	topo_create "$P" 4 || return 1
	ip -n "$P-rt" neigh replace 198.18.1.2 lladdr "$(mac_of "$P-n1" n0)" dev r1 nud permanent
	ip -n "$P-rt" neigh replace 2001:db8:1::2 lladdr "$(mac_of "$P-n1" n0)" dev r1 nud permanent
	tc -n "$P-rt" qdisc add dev r2 clsact
	tc -n "$P-rt" qdisc replace dev r2 root pfifo limit 500
	ip netns exec "$P-rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.r1.rp_filter=2
	topo_config "$P" "$CONF"
	cat > "$CONF_B" <<EOF2
seed 0x00112233445566778899aabbccddeeff
pin-root /sys/fs/bpf/$P-b
interface r4 xdp native
nexthop b1 via 198.18.1.2 dev r1
group gb buckets 64 nexthops b1
route 198.19.200.0/24 group gb
EOF2
}

# checkpoint NAME: the operator's state is as it was before ecmpd.
checkpoint() {
	local now
	now=$(operator_state)
	[ "$now" = "$BEFORE" ]
	result "operator's state unchanged: $1" $? "$(diff <(echo "$BEFORE") <(echo "$now") | head -20)"
}

test_state_kept() {
	BEFORE=$(operator_state)
	topo_ecmpd "$P" "$CONF" --neigh-reconfirm 200 && topo_wait_usable "$P" 8 ||
		{ result "ecmpd starts with permanent neighbours" 1 "$(tail "/tmp/$P.ecmpd.log")"; return; }
	checkpoint "after start"
	# 2. usable with the permanent entry's MAC
	topo_ctl "$P" nexthop show | grep -q "^nh1 .*mac $(mac_of "$P-n1" n0) .*state up" &&
		topo_ctl "$P" nexthop show | grep -q "^nh1v6 .*mac $(mac_of "$P-n1" n0) .*state up"
	result "permanent neighbour: nh1, nh1v6 up with the entry's MAC" $? "$(topo_ctl "$P" nexthop show)"
	sleep "$SAFETY_SECONDS"
	checkpoint "after ${SAFETY_SECONDS} s, neighbours re-confirmed every 200 ms"
	topo_ctl "$P" nexthop show | grep -q "^nh1 .*state up"
	result "permanent neighbour: nh1 still up after ${SAFETY_SECONDS} s" $? "$(topo_ctl "$P" nexthop show)"
	topo_ctl "$P" shutdown >/dev/null
	sleep 0.5
	checkpoint "after ecmpctl shutdown"
}

test_detach_scope() {
	local out rc ours_before npins
	nsx "$P-rt" "$BUILD/ecmpd" -c "$CONF_B" --state-dir "/tmp/$P-b-state" \
		--socket "/tmp/$P-b.sock" </dev/null >>"/tmp/$P-b.log" 2>&1 &
	for _ in $(seq 1 100); do [ -S "/tmp/$P-b.sock" ] && break; sleep 0.1; done
	ours_before=$(nsx "$P-rt" "$BUILD/ecmpctl" --socket "/tmp/$P-b.sock" \
		--pin-root "/sys/fs/bpf/$P-b" interface show)
	out=$(nsx "$P-rt" "$BUILD/ecmpd" --detach --pin-root "/sys/fs/bpf/$P-typo" 2>&1)
	rc=$?
	[ $rc = 1 ] && echo "$out" | grep -q "No xdp-ecmp maps under /sys/fs/bpf/$P-typo: nothing detached" &&
		[ "$(topo_ctl "$P" interface show | grep -c '^r0 xdp')" = 1 ] &&
		[ "$(nsx "$P-rt" "$BUILD/ecmpctl" --socket "/tmp/$P-b.sock" --pin-root "/sys/fs/bpf/$P-b" interface show)" = "$ours_before" ] &&
		[ -e "/sys/fs/bpf/$P/ecmp_config" ]
	result "--detach with a pin root of no instance: exit 1, nothing changed" $? "rc $rc: $out"
	npins=$(ls "/sys/fs/bpf/$P" | wc -l)
	out=$(nsx "$P-rt" "$BUILD/ecmpd" --detach --pin-root "/sys/fs/bpf/$P" 2>&1)
	rc=$?
	[ $rc = 0 ] && [ ! -e "/sys/fs/bpf/$P/ecmp_config" ] &&
		! nsx "$P-rt" xdp-loader status r0 2>/dev/null | grep -q ecmp_xdp &&
		nsx "$P-rt" xdp-loader status r4 2>/dev/null | grep -q ecmp_xdp &&
		[ -e "/sys/fs/bpf/$P-b/ecmp_config" ] &&
		echo "$out" | grep -q "from 1 hooks and removed its $npins pinned maps"
	result "--detach of one instance: its hook and pins go, the other's stay" $? "rc $rc: $out"
	checkpoint "after ecmpd --detach"
	pkill -f -- "--socket /tmp/$P-b.sock"
}

# 4. ecmpd under `ip netns exec` (a private mount namespace and bpffs);
# ecmpctl from another `ip netns exec` call and from the host.
test_ctl_anywhere() {
	local out conf=/tmp/$P-x.conf
	sed "s|^pin-root .*|pin-root /sys/fs/bpf/ecmp-$P|" "$CONF" > "$conf"
	ip netns exec "$P-rt" "$BUILD/ecmpd" -c "$conf" --state-dir "/tmp/$P-x-state" \
		--socket "/tmp/$P-x.sock" </dev/null >>"/tmp/$P-x.log" 2>&1 &
	for _ in $(seq 1 100); do [ -S "/tmp/$P-x.sock" ] && break; sleep 0.1; done
	sleep 1
	out=$(ip netns exec "$P-rt" "$BUILD/ecmpctl" --socket "/tmp/$P-x.sock" \
		--pin-root "/sys/fs/bpf/ecmp-$P" nexthop show 2>&1)
	echo "$out" | grep -q "^nh2 via 198.18.2.2 dev r2 "
	result "ecmpctl in another 'ip netns exec' reads ecmpd's maps" $? "$out"
	out=$("$BUILD/ecmpctl" --socket "/tmp/$P-x.sock" --pin-root "/sys/fs/bpf/ecmp-$P" \
		nexthop show 2>&1)
	echo "$out" | grep -q "^nh3 via 198.18.3.2 dev r3 "
	result "ecmpctl on the host names ecmpd's interfaces (dev r3)" $? "$out"
	out=$("$BUILD/ecmpctl" --socket "/tmp/$P-x.sock" --pin-root "/sys/fs/bpf/ecmp-$P" \
		interface show 2>&1)
	echo "$out" | grep -q "^r0 xdp native prog_id [1-9]"
	result "ecmpctl on the host: interface show lists ecmpd's hook" $? "$out"
	"$BUILD/ecmpctl" --socket "/tmp/$P-x.sock" shutdown --detach >/dev/null 2>&1
	sleep 0.5
}

# 5. The fast path bypasses netfilter: an nftables forward rule dropping
# one source prefix is bypassed by XDP (ecmpd warns at start), until a
# kernel-path line keeps that prefix on the kernel's path; then the
# kernel drops those frames (the rule's counter), XDP forwards the rest,
# and ecmpctl stats counts both.
nft_drops() {
	ip netns exec "$P-rt" nft -j list chain inet fw guard | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("rule", {}).get("expr", []):
        if "counter" in e:
            print(e["counter"]["packets"])'
}

# frames_from BASE: frames the sinks got from the 100 flows of BASE.
frames_from() {
	topo_sinks "$P" | awk -v b="$1" '$3 >= b && $3 < b + 100 { n += $4 } END { print n + 0 }'
}

stat_packets() { # REASON
	topo_ctl "$P" -j stats | python3 -c '
import json, sys
s = json.load(sys.stdin)
r = sys.argv[1]
print((s[r] if r == "forwarded" else s["passed"][r])["packets"])' "$1"
}

test_firewall() {
	local k0 f0 d0 blocked allowed
	ip netns exec "$P-rt" nft add table inet fw
	ip netns exec "$P-rt" nft add chain inet fw guard '{ type filter hook forward priority 0; }'
	ip netns exec "$P-rt" nft add rule inet fw guard ip saddr 198.18.0.0/25 counter drop
	ip -n "$P-rt" route add 198.19.0.0/16 via 198.18.1.2
	topo_ecmpd "$P" "$CONF" && topo_wait_usable "$P" 8 ||
		{ result "ecmpd starts for the firewall test" 1; return; }
	grep -q "nftables chain inet fw guard hooks forward: frames forwarded by XDP never meet it" "/tmp/$P.ecmpd.log"
	result "ecmpd warns: nftables forward chain inet fw guard is bypassed" $? "$(grep -i nftables "/tmp/$P.ecmpd.log")"
	topo_clear_sinks "$P"
	topo_send "$P" 198.18.0.1 198.19.9.9 10000 100 >/dev/null
	sleep 0.5
	blocked=$(frames_from 10000)
	[ "$blocked" = 100 ]
	result "without kernel-path: XDP forwards what the firewall drops (100 of 100)" $? "$blocked arrived"
	echo "kernel-path from 198.18.0.0/25" >> "$CONF"
	topo_ctl "$P" reload >/dev/null || { result "reload with kernel-path" 1; return; }
	topo_clear_sinks "$P"
	k0=$(stat_packets kernel_path)
	f0=$(stat_packets forwarded)
	d0=$(nft_drops)
	topo_send "$P" 198.18.0.1 198.19.9.9 10000 100 >/dev/null
	topo_send "$P" 198.18.0.200 198.19.9.9 20000 100 >/dev/null
	sleep 0.5
	blocked=$(frames_from 10000)
	allowed=$(frames_from 20000)
	[ "$blocked" = 0 ] && [ "$allowed" = 100 ] &&
		[ $(( $(stat_packets kernel_path) - k0 )) = 100 ] &&
		[ $(( $(stat_packets forwarded) - f0 )) = 100 ] &&
		[ $(( $(nft_drops) - d0 )) = 100 ]
	result "kernel-path: the kernel drops the prefix (nft counter), XDP forwards the rest" $? \
		"arrived: blocked $blocked, allowed $allowed; kernel_path +$(( $(stat_packets kernel_path) - k0 )), forwarded +$(( $(stat_packets forwarded) - f0 )), nft drops +$(( $(nft_drops) - d0 ))"
	out=$(topo_ctl "$P" lookup 198.18.0.1 198.19.9.9 udp 10000 5001)
	echo "$out" | grep -q "^kernel_path "
	result "ecmpctl lookup predicts kernel_path" $? "$out"
	topo_ctl "$P" shutdown --detach >/dev/null
}

# The ecmpd log's lines after line N that match PATTERN.
said_since() { # N PATTERN
	tail -n "+$(($1 + 1))" "/tmp/$P.ecmpd.log" | grep "$2"
}

# Up to 3 s for a line matching PATTERN after line N.
wait_said() { # N PATTERN
	for _ in $(seq 1 30); do
		said_since "$1" "$2" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# 100 flows from SRC to DST, source ports from BASE, on cleared sinks.
send_100() { # SRC DST BASE
	topo_clear_sinks "$P"
	topo_send "$P" "$1" "$2" "$3" 100 >/dev/null
	sleep 0.5
}

# Starts ecmpd with CONFIG and prints the lines of its log since that
# match PATTERN; fails only if ecmpd does not start.
start_saying() { # CONFIG PATTERN
	local n0
	n0=$(wc -l < "/tmp/$P.ecmpd.log")
	topo_ecmpd "$P" "$1" && topo_wait_usable "$P" 8 || return 1
	said_since "$n0" "$2"
	return 0
}

# The kernel-path line a warning of WARNINGS starting with LEAD names.
kernel_path_in() { # WARNINGS LEAD
	echo "$1" | sed -n "s|^.*$2.* with '\(kernel-path [^']*\)'.*\$|\1|p"
}

# 6. Policy routing: a source prefix sent to table 200 (via nh2 alone) by
# an ip rule. XDP forwards those flows by ecmpd's routes, over every
# nexthop, and ecmpd says so at start with the kernel-path line that
# keeps them on the kernel's path; with that line in, all of them follow
# the rule to nh2. The rules that cannot change a forwarded frame (an
# output interface, the local table, after the main table's rule) are
# not named; a rule added while ecmpd runs is named once.
sinks_of() { # BASE: the nexthops the 100 flows of BASE reached
	topo_sinks "$P" | awk -v b="$1" '$3 >= b && $3 < b + 100 { print $1 }' | sort -u | tr '\n' ' '
}

test_policy_rules() {
	local r="$P-rt" n0 out line reached
	ip -n "$r" route add 198.19.0.0/16 via 198.18.2.2 table 200
	ip -n "$r" rule add from 198.18.0.192/26 lookup 200 priority 100
	ip -n "$r" rule add oif r2 lookup 201 priority 101
	ip -n "$r" rule add from 198.18.0.0/24 lookup local priority 102
	ip -n "$r" rule add to 198.19.9.0/24 lookup 202 priority 40000
	out=$(start_saying "$CONF" "ip rule") ||
		{ result "ecmpd starts for the policy-rule test" 1; return; }
	line=$(kernel_path_in "$out" "ip rule 100: ")
	[ "$line" = "kernel-path from 198.18.0.192/26" ] &&
		echo "$out" | grep -q "ip rule 100: from 198.18.0.192/26 lookup 200: the fast path forwards the frames it selects by its config's routes, where the kernel routes them by table 200" &&
		! echo "$out" | grep -q "ip rule 10[12]:\|ip rule 40000:"
	result "ecmpd names the bypassed rule and its kernel-path line, and no other rule" $? "$out"
	topo_ctl "$P" stats | grep -q "^bypassed ip rule 100: from 198.18.0.192/26 lookup 200: " &&
		topo_ctl "$P" -j stats | python3 -c '
import json, sys
b = json.load(sys.stdin)["bypassed"]
sys.exit(not (any(w.startswith("ip rule 100: ") for w in b) and
              not any(w.startswith(("ip rule 101", "ip rule 102", "ip rule 40000")) for w in b)))'
	result "ecmpctl stats lists it as bypassed (text and JSON)" $? "$(topo_ctl "$P" stats | grep bypassed)"
	send_100 198.18.0.200 198.19.9.9 30000
	reached=$(sinks_of 30000)
	[ "$(echo $reached | wc -w)" -ge 2 ]
	result "without the line: XDP spreads the rule's flows (nexthops $reached)" $?
	echo "$line" >> "$CONF"
	n0=$(wc -l < "/tmp/$P.ecmpd.log")
	topo_ctl "$P" reload >/dev/null || { result "reload with the rule's kernel-path line" 1; return; }
	! said_since "$n0" "ip rule 100:" >/dev/null
	result "with the line: the rule is no longer named" $? "$(said_since "$n0" "ip rule")"
	! topo_ctl "$P" stats | grep -q "^bypassed ip rule 100:"
	result "with the line: ecmpctl stats no longer lists it" $? "$(topo_ctl "$P" stats | grep bypassed)"
	send_100 198.18.0.200 198.19.9.9 31000
	reached=$(sinks_of 31000)
	[ "$reached" = "2 " ] && [ "$(frames_from 31000)" = 100 ]
	result "with the line: all 100 flows follow the rule to table 200's nh2" $? \
		"nexthops: $reached, $(frames_from 31000) frames"
	n0=$(wc -l < "/tmp/$P.ecmpd.log")
	ip -n "$r" rule add to 198.19.9.0/24 ipproto udp dport 5001 lookup 205 priority 105
	wait_said "$n0" "ip rule 105:"
	ip -n "$r" rule add oif r3 lookup 206 priority 106
	sleep 1
	out=$(said_since "$n0" "ip rule")
	[ "$(echo "$out" | grep -c "ip rule 105: from all to 198.19.9.0/24 ipproto udp dport 5001 lookup 205: .*'kernel-path to 198.19.9.0/24 proto udp dport 5001'")" = 1 ] &&
		! echo "$out" | grep -q "ip rule 10[0-46]:"
	result "a rule added while ecmpd runs is named once, with its line" $? "$out"
	topo_ctl "$P" stats | grep -q "^bypassed ip rule 105: "
	result "ecmpctl stats lists the rule added while ecmpd runs" $? "$(topo_ctl "$P" stats | grep bypassed)"
	topo_ctl "$P" shutdown --detach >/dev/null
}

# 7. IPsec: an out policy for a source prefix (a tunnel to nh2's address,
# no SA). XDP forwards its flows in clear; ecmpd says so with the line;
# with the line in, the kernel applies the policy: no frame of those
# flows reaches a sink, and the kernel counts them as wanting an SA.
xfrm_no_states() {
	ip netns exec "$P-rt" awk '$1 == "XfrmOutNoStates" { print $2 }' /proc/net/xfrm_stat
}

test_ipsec_policy() {
	local r="$P-rt" n0 out line s0
	ip -n "$r" xfrm policy add src 198.18.0.128/26 dst 198.19.0.0/16 dir out \
		tmpl src 198.18.2.1 dst 198.18.2.2 proto esp mode tunnel ||
		{ result "ip xfrm policy add (IPsec in this kernel)" 1; return; }
	out=$(start_saying "$CONF" "IPsec policy") ||
		{ result "ecmpd starts for the IPsec test" 1; return; }
	line=$(kernel_path_in "$out" "IPsec policy dir out src 198.18.0.128/26 ")
	[ "$line" = "kernel-path from 198.18.0.128/26 to 198.19.0.0/16" ] &&
		echo "$out" | grep -q "IPsec policy dir out src 198.18.0.128/26 dst 198.19.0.0/16 priority 0 (esp tunnel to 198.18.2.2): the fast path forwards the frames it selects in clear, where the kernel sends them through IPsec"
	result "ecmpd names the bypassed IPsec policy and its kernel-path line" $? "$out"
	send_100 198.18.0.150 198.19.9.9 32000
	[ "$(frames_from 32000)" = 100 ]
	result "without the line: XDP sends the policy's 100 flows in clear" $? "$(frames_from 32000) arrived"
	echo "$line" >> "$CONF"
	topo_ctl "$P" reload >/dev/null || { result "reload with the policy's kernel-path line" 1; return; }
	topo_clear_sinks "$P"
	s0=$(xfrm_no_states)
	topo_send "$P" 198.18.0.150 198.19.9.9 33000 100 >/dev/null
	sleep 0.5
	[ "$(frames_from 33000)" = 0 ] && [ $(( $(xfrm_no_states) - s0 )) -ge 100 ]
	result "with the line: the kernel applies the policy (0 in clear, XfrmOutNoStates +$(( $(xfrm_no_states) - s0 )))" $? \
		"$(frames_from 33000) arrived in clear"
	n0=$(wc -l < "/tmp/$P.ecmpd.log")
	ip -n "$r" xfrm policy add src 198.18.5.0/24 dst 198.19.0.0/16 dir fwd \
		tmpl src 198.18.2.2 dst 198.18.2.1 proto esp mode tunnel
	wait_said "$n0" "IPsec policy dir fwd"
	ip -n "$r" xfrm policy add src 198.18.6.0/24 dst 198.19.0.0/16 dir in \
		tmpl src 198.18.2.2 dst 198.18.2.1 proto esp mode tunnel
	sleep 1
	out=$(said_since "$n0" "IPsec policy")
	[ "$(echo "$out" | grep -c "IPsec policy dir fwd src 198.18.5.0/24 dst 198.19.0.0/16 priority 0 (esp tunnel to 198.18.2.1): the fast path forwards the frames it selects whether IPsec protected them or not.*'kernel-path from 198.18.5.0/24 to 198.19.0.0/16'")" = 1 ] &&
		! echo "$out" | grep -q "dir in\|198.18.0.128"
	result "a policy added while ecmpd runs is named once; an inbound one is not" $? "$out"
	topo_ctl "$P" shutdown --detach >/dev/null
}

# 8. A tbf of a few frames a second on r3 and a u32 filter on r0's tc
# ingress. The same 100 flows (nh3's among them) twice: through XDP every
# frame arrives, nh3's past the tbf; through ecmpd's tc ingress hook the
# other nexthops' arrive as before and the tbf holds back most of nh3's.
sink_frames() { # NEXTHOP BASE: frames the sink of NEXTHOP got from BASE's flows
	topo_sinks "$P" | awk -v nh="$1" -v b="$2" '$1 == nh && $3 >= b && $3 < b + 100 { n += $4 } END { print n + 0 }'
}

test_tc_bypass() {
	local r="$P-rt" out xdp3 tc3 all conf_tc="/tmp/$P-tc.conf"
	tc -n "$r" qdisc add dev r3 root tbf rate 8kbit burst 100 limit 100
	tc -n "$r" qdisc add dev r0 clsact
	tc -n "$r" filter add dev r0 ingress prio 100 u32 match u32 0 0 flowid 1:1
	out=$(start_saying "$CONF" "interface r[0-4]: \(qdisc\|tc \)") ||
		{ result "ecmpd starts for the tc test" 1; return; }
	echo "$out" | grep -q "interface r3: qdisc tbf shapes or orders what leaves it, but frames XDP forwards out of r3 skip every qdisc; 'tc ingress' instead of 'xdp'" &&
		echo "$out" | grep -q "interface r0: tc ingress filters (u32) run after XDP and never see the frames it forwards" &&
		! echo "$out" | grep -q "interface r2:"
	result "ecmpd names r3's tbf and r0's ingress filter, not r2's pfifo and empty clsact" $? "$out"
	[ "$(topo_ctl "$P" stats | grep -c "^bypassed interface r[03]: \(qdisc tbf\|tc ingress filters (u32)\)")" = 2 ]
	result "ecmpctl stats lists both as bypassed" $? "$(topo_ctl "$P" stats | grep bypassed)"
	send_100 198.18.7.1 198.19.8.8 36000
	xdp3=$(sink_frames 3 36000)
	all=$(frames_from 36000)
	[ "$all" = 100 ] && [ "$xdp3" -ge 10 ]
	result "XDP: all 100 flows arrive, nh3's $xdp3 past r3's tbf" $? "$all arrived"
	topo_ctl "$P" shutdown --detach >/dev/null
	# (Before ecmpd's filter, the operator's would end the classification
	# and hand every frame to the kernel.)
	tc -n "$r" filter del dev r0 ingress prio 100
	sed 's/^interface r0 xdp native$/interface r0 tc ingress/' "$CONF" > "$conf_tc"
	topo_ecmpd "$P" "$conf_tc" && topo_wait_usable "$P" 8 ||
		{ result "ecmpd starts with r0 on tc ingress" 1; return; }
	send_100 198.18.7.1 198.19.8.8 36000
	tc3=$(sink_frames 3 36000)
	all=$(frames_from 36000)
	[ $((all - tc3)) = $((100 - xdp3)) ] && [ $((2 * tc3)) -lt "$xdp3" ]
	result "tc ingress: the others' $((all - tc3)) arrive, r3's tbf passes $tc3 of nh3's $xdp3" $? \
		"$all arrived, $tc3 at nh3"
	topo_ctl "$P" shutdown --detach >/dev/null
	rm -f "$conf_tc"
}

# 9. The kernel not forwarding (the operator's sysctl, put back after).
test_forwarding_off() {
	local out n0
	ip netns exec "$P-rt" sysctl -qw net.ipv4.conf.r0.forwarding=0
	out=$(start_saying "$CONF" "forwarding is off") ||
		{ result "ecmpd starts with r0 not forwarding" 1; return; }
	echo "$out" | grep -q "interface r0: IPv4 forwarding is off (net.ipv4.conf.r0.forwarding = 0), but XDP forwards its frames; frames ecmpd passes to the kernel (TTL expiring, too big, no usable nexthop) are dropped there without an ICMP answer: sysctl -w net.ipv4.conf.r0.forwarding=1"
	result "ecmpd says r0 does not forward IPv4" $? "$out"
	ip netns exec "$P-rt" sysctl -qw net.ipv4.conf.r0.forwarding=1
	n0=$(wc -l < "/tmp/$P.ecmpd.log")
	topo_ctl "$P" reload >/dev/null
	! said_since "$n0" "IPv4 forwarding is off" >/dev/null
	result "IPv4 forwarding back on: a reload says nothing of it" $? "$(said_since "$n0" "forwarding")"
	topo_ctl "$P" shutdown --detach >/dev/null
}

want() { [ -z "${ECMP_NET_TESTS:-}" ] || [[ " $ECMP_NET_TESTS " == *" $1 "* ]]; }

if ! setup; then
	result "topology with the operator's state" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
want state && test_state_kept
want detach && test_detach_scope
want ctl && test_ctl_anywhere
want firewall && test_firewall
want rules && test_policy_rules
want ipsec && test_ipsec_policy
want tc && test_tc_bypass
want forwarding && test_forwarding_off
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
