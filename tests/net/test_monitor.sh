#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Watching ecmpd, and without root.
#  1. Reading without root: refused until `control group G`; then a member
#     (uid nobody) reads what root reads (nexthop, group, route, interface,
#     bfd show, stats, lookup) through read-only map fds from ecmpd, which
#     cannot be written; reload, drain and shutdown stay root's; a
#     non-member is refused.
#  2. `ecmpctl monitor` (JSON as root, text as the member) under a link
#     flap, reloads (applied and rejected), config routes and routes
#     mirrored from the kernel; a monitor that stops reading is dropped
#     without holding ecmpd up, one that reads gets 6,000 route events
#     whole; ecmpd stopping ends the monitors.

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=eo$$
CONF=/tmp/$P.conf
. tests/net/lib.sh

MONS=""
GROUP=ecmpt$$
cleanup() {
	[ -n "$MONS" ] && kill $MONS 2>/dev/null
	topo_destroy "$P"
	rm -f "/tmp/$P".mon* "/tmp/$P.batch"
	groupdel "$GROUP" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

rt() { ip -n "$P-rt" "$@"; }

# as_member ARGS...: ecmpctl as uid/gid nobody in the reader group;
# as_other: the same outside it.
as_member() {
	nsx "$P-rt" setpriv --reuid=65534 --regid=65534 --groups="$GID" \
		"$BUILD/ecmpctl" --socket "/tmp/$P.sock" "$@"
}
as_other() {
	nsx "$P-rt" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/ecmpctl" --socket "/tmp/$P.sock" "$@"
}

# monitor FILE ARGS...: ecmpctl monitor ARGS into FILE, in the background
# (nsenter execs ecmpctl: $! is its pid, which cleanup kills).
monitor() {
	local file=$1
	shift
	nsenter --net="/run/netns/$P-rt" "$BUILD/ecmpctl" --socket "/tmp/$P.sock" "$@" \
		> "$file" 2> "$file.err" &
	MONS="$MONS $!"
}

# events FILE PYTHON-CONDITION: the JSON events of FILE for which the
# condition on e holds, one per line as "event field=value...".
events() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if eval(sys.argv[2]):
        print(e["event"], " ".join("%s=%s" % (k, v) for k, v in sorted(e.items())
                                   if k not in ("event", "time_unix_us")))' "$1" "$2"
}

# wait_for FILE PATTERN: until a line of FILE matches (5 s).
wait_for() {
	local i
	for i in $(seq 1 50); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

setup() {
	groupadd --system "$GROUP" || return 1
	GID=$(getent group "$GROUP" | cut -d: -f3)
	topo_create "$P" 4 || return 1
	topo_config "$P" "$CONF"
	echo "routes kernel table main protocol bgp" >> "$CONF"
	# Queues of 256 KiB: 6,000 route events (~750 KiB) overflow a
	# subscriber that does not read, in bursts that one which reads takes.
	topo_ecmpd "$P" "$CONF" --monitor-queue 262144 && topo_wait_usable "$P" 8
}

if ! setup; then
	result "topology and ecmpd" 1
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi

# 1. Reading without root.
test_readers() {
	local out cmd bad="" mode
	out=$(as_member nexthop show 2>&1)
	[ $? = 1 ] && echo "$out" | grep -q "control group.*not open to this user"
	result "without control group: a user is refused, told how" $? "$out"

	echo "control group $GROUP" >> "$CONF"
	topo_ctl "$P" reload > /dev/null
	mode=$(stat -c '%a %G' "/tmp/$P.sock")
	[ "$mode" = "660 $GROUP" ]
	result "control group: the socket 0660, its group" $? "$mode"

	for cmd in "nexthop show" "group show" "route show" "interface show" "bfd show" \
		   "lookup 198.18.0.1 198.19.1.1 udp 1000 2000" "-j lookup 2001:db8::1 2001:db8:100::9 tcp 1 2"; do
		# shellcheck disable=SC2086
		[ "$(as_member $cmd 2>&1)" = "$(topo_ctl "$P" $cmd 2>&1)" ] || bad="$bad [$cmd]"
	done
	as_member stats | grep -q "^forwarded packets" || bad="$bad [stats]"
	[ -z "$bad" ]
	result "a member reads what root reads: show, lookup, stats" $? "differ:$bad"

	out=$(for cmd in reload "nexthop set nh1 drain" shutdown; do
		# shellcheck disable=SC2086
		as_member $cmd 2>&1 && echo "ALLOWED $cmd"
	done)
	[ "$(echo "$out" | grep -c "permission denied: .* is root's; members of group $GROUP may")" = 3 ] &&
		! echo "$out" | grep -q ALLOWED && topo_ctl "$P" nexthop show nh1 | grep -q "state up" &&
		topo_ctl "$P" bfd show > /dev/null	# still running
	result "a member cannot reload, drain or shut down" $? "$out"

	# The fds ecmpd hands out read but do not write (bpf(2) by hand:
	# lookup of the config map answers, update is refused).
	out=$(nsx "$P-rt" setpriv --reuid=65534 --regid=65534 --groups="$GID" /usr/bin/python3 -c '
import ctypes, errno, json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"maps\n")
msg, fds, _, _ = socket.recv_fds(s, 65536, 64)
while not msg.endswith(b"\n"):
    msg += s.recv(65536)
names = json.loads(msg)["maps"]
fd = fds[names.index("ecmp_config")]
libc = ctypes.CDLL(None, use_errno=True)
key, val = ctypes.c_uint32(0), ctypes.create_string_buffer(65536)
attr = (ctypes.c_uint64 * 4)(fd, ctypes.addressof(key), ctypes.addressof(val), 0)
NR_BPF = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
look = libc.syscall(NR_BPF, 1, attr, 32)
upd = libc.syscall(NR_BPF, 2, attr, 32)
print(len(fds), look, upd, errno.errorcode.get(ctypes.get_errno(), "?"))' "/tmp/$P.sock" 2>&1)
	[ "$out" = "17 0 -1 EPERM" ]
	result "the map fds a member gets: 17, lookup answers, update refused (EPERM)" $? "$out"

	out=$(as_other nexthop show 2>&1)
	[ $? = 1 ] && echo "$out" | grep -q "not open to this user"
	result "not a member: refused" $? "$out"
}

test_readers
monitor "/tmp/$P.mon.json" -j monitor
# The member's monitor, nexthop events only.
nsx "$P-rt" setpriv --reuid=65534 --regid=65534 --groups="$GID" \
	"$BUILD/ecmpctl" --socket "/tmp/$P.sock" monitor nexthop > "/tmp/$P.mon.txt" 2> "/tmp/$P.mon.txt.err" &
MONS="$MONS $!"
sleep 0.5

# 1. A link flap: the nexthops on it go down with the reason, their
# groups' buckets move (failover), and back up.
test_link_flap() {
	local out
	rt link set r2 down
	wait_for "/tmp/$P.mon.json" '"group":"web6"'
	rt link set r2 up
	topo_wait_usable "$P" 8
	wait_for "/tmp/$P.mon.json" '"nexthop":"nh2v6","state":"up"'
	sleep 0.3
	out=$(events "/tmp/$P.mon.json" 'e["event"] in ("nexthop", "group")')
	echo "$out" | grep -qx "nexthop nexthop=nh2 reason=link down state=down" &&
		echo "$out" | grep -qx "nexthop nexthop=nh2v6 reason=link down state=down" &&
		echo "$out" | grep -qE "^group buckets=4096 buckets_moved=10(24|25) group=web why=failover$" &&
		echo "$out" | grep -qE "^group buckets=4096 buckets_moved=10(24|25) group=web6 why=failover$" &&
		echo "$out" | grep -qx "nexthop nexthop=nh2 state=up" &&
		[ "$(echo "$out" | grep -c "state=down")" = 2 ]
	result "monitor -j, link down and up: nexthops with the reason, failover moves" $? "$out"
	# The text monitor asked for nexthop events only.
	grep -qE "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} nexthop nh2 down: link down$" "/tmp/$P.mon.txt" &&
		grep -qE "^[0-9:.]{12} nexthop nh2 up$" "/tmp/$P.mon.txt" &&
		! grep -q "group\|route\|reload" "/tmp/$P.mon.txt"
	result "monitor nexthop (a member's): text lines, nexthop events only" $? "$(cat "/tmp/$P.mon.txt")"
}

# 2. Reloads, the routes they add and remove, a rejected one.
test_reloads() {
	local out
	echo "route 198.19.77.0/24 group nosuch" >> "$CONF"	# rejected
	topo_ctl "$P" reload > /dev/null 2>&1
	sed -i '$d' "$CONF"
	echo "route 198.19.77.0/24 group web" >> "$CONF"
	topo_ctl "$P" reload > /dev/null
	sed -i '$d' "$CONF"
	topo_ctl "$P" reload > /dev/null
	wait_for "/tmp/$P.mon.json" '"action":"removed"'
	out=$(events "/tmp/$P.mon.json" 'e["event"] == "reload" or e.get("prefix") == "198.19.77.0/24"')
	echo "$out" | sed -n 1p | grep -q "^reload config=$CONF error=.*ok=False$" &&
		echo "$out" | sed -n 2p | grep -qx "route action=added group=web prefix=198.19.77.0/24 source=config" &&
		echo "$out" | sed -n 3p | grep -qx "reload buckets_moved=0 config=$CONF ok=True" &&
		echo "$out" | sed -n 4p | grep -qx "route action=removed group=web prefix=198.19.77.0/24 source=config" &&
		[ "$(echo "$out" | wc -l)" = 5 ] &&
		echo "$out" | sed -n 5p | grep -qx "reload buckets_moved=0 config=$CONF ok=True"
	result "reloads: rejected with the error, applied, the routes they change" $? "$out"
}

# 3. Routes mirrored from the kernel: added, changed, removed.
test_kernel_routes() {
	local out
	rt route add 198.19.200.0/24 proto bgp nexthop via 198.18.1.2 dev r1 \
		nexthop via 198.18.3.2 dev r3
	wait_for "/tmp/$P.mon.json" '"prefix":"198.19.200.0/24"'
	out=$(topo_ctl "$P" stats --format prometheus | grep "^ecmp_routes")
	[ "$out" = "$(printf 'ecmp_routes{source="config"} 2\necmp_routes{source="kernel"} 1')" ]
	result "prometheus: routes by source (config 2, kernel 1)" $? "$out"
	rt route replace 198.19.200.0/24 proto bgp via 198.18.1.2 dev r1
	rt route add blackhole 198.19.201.0/24 proto bgp
	wait_for "/tmp/$P.mon.json" '"prefix":"198.19.201.0/24"'
	rt route del 198.19.200.0/24 proto bgp
	wait_for "/tmp/$P.mon.json" '"action":"removed","prefix":"198.19.200.0/24"'
	out=$(events "/tmp/$P.mon.json" 'e["event"] == "route" and e["prefix"].startswith("198.19.20")')
	echo "$out" | sed -n 1p | grep -qx "route action=added group=kernel:[0-9]* prefix=198.19.200.0/24 source=kernel" &&
		echo "$out" | sed -n 2p | grep -qx "route action=changed group=kernel:[0-9]* prefix=198.19.200.0/24 source=kernel" &&
		echo "$out" | grep -qx "route action=added kernel=True prefix=198.19.201.0/24 source=kernel" &&
		echo "$out" | grep -qx "route action=removed group=kernel:[0-9]* prefix=198.19.200.0/24 source=kernel"
	result "kernel routes: added, changed, left to the kernel (blackhole), removed" $? "$out"
	rt route del blackhole 198.19.201.0/24 proto bgp
}

# 4. A monitor that never reads, and 6,000 route events in bursts of 300:
# it is dropped, ecmpd answers all along, the reading monitors get every
# event.
test_slow_subscriber() {
	local stuck before n status i verb b
	# nsenter execs python: $! is the process to kill, and its output
	# does not hold run.sh's pipe open for the minute it sleeps.
	nsenter --net="/run/netns/$P-rt" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(b"monitor\n")
time.sleep(60)' "/tmp/$P.sock" > /dev/null 2>&1 &
	stuck=$!
	sleep 0.3
	before=$(grep -c '"event":"route"' "/tmp/$P.mon.json")
	for verb in add del; do
		for b in $(seq 0 9); do
			for i in $(seq $((b * 300)) $((b * 300 + 299))); do
				echo "route $verb 198.19.$((100 + i / 250)).$((i % 250))/32 proto bgp via 198.18.4.2 dev r4"
			done > "/tmp/$P.batch"
			rt -batch "/tmp/$P.batch"
			sleep 0.2
		done
	done
	for i in $(seq 1 100); do
		n=$(( $(grep -c '"event":"route"' "/tmp/$P.mon.json") - before ))
		[ "$n" -ge 6000 ] && break
		sleep 0.1
	done
	status=$(topo_ctl "$P" -j stats)
	kill "$stuck" 2>/dev/null
	wait "$stuck" 2>/dev/null
	echo "$status" | python3 -c '
import json, sys
m = json.load(sys.stdin)["monitors"]
sys.exit(0 if m["dropped"] == 1 and m["subscribers"] == 2 else 1)' && [ "$n" = 6000 ]
	result "a monitor that stops reading is dropped; the one reading has all 6,000 route events" $? \
		"$n events; $(echo "$status" | grep -o '"monitors":{[^}]*}')"
}

# 5. ecmpd going away ends the monitor with a message.
test_daemon_stops() {
	topo_ctl "$P" shutdown > /dev/null
	for _ in $(seq 1 50); do
		grep -q "closed the monitor" "/tmp/$P.mon.txt.err" && break
		sleep 0.1
	done
	grep -q "ecmpd at /tmp/$P.sock closed the monitor" "/tmp/$P.mon.txt.err"
	result "ecmpd stops: the monitor says so and ends" $? "$(cat "/tmp/$P.mon.txt.err")"
}

test_link_flap
test_reloads
test_kernel_routes
test_slow_subscriber
test_daemon_stops
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
