#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ecmpd under a service manager, without one: the sd_notify protocol read
# from a datagram socket at NOTIFY_SOCKET, as systemd reads it (Type=notify:
# READY=1 only once the config is applied and the programs attached;
# RELOADING=1 then READY=1 around a reload, a rejected one included;
# STOPPING=1), and log lines as the journal wants them (JOURNAL_STREAM:
# "<priority>" and no timestamp). SIGTERM (systemctl stop) takes the
# orderly way out. /metrics over HTTP (metrics listen). Bash
# completion's names, from the running daemon. And ecmpd started as the
# systemd unit starts it, with only the unit's capabilities.

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=es$$
CONF=/tmp/$P.conf
NS=/tmp/$P.notify
. tests/net/lib.sh

cleanup() {
	[ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null
	topo_destroy "$P"
	rm -f "$NS" "/tmp/$P.notes" "/tmp/$P.metrics" "/tmp/$P.prom"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Every datagram on NOTIFY_SOCKET, one per line ("\n" inside as " | ").
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(4096).decode().replace("\n", " | ") + "\n")
' "$NS" "/tmp/$P.notes" &
LISTENER=$!
for _ in $(seq 1 50); do [ -S "$NS" ] && break; sleep 0.1; done

topo_create "$P" 4 || { result "setup" 1; echo "$PASSED passed, $FAILED failed"; exit 1; }
topo_config "$P" "$CONF"
echo "metrics listen 198.18.0.254:9469" >> "$CONF"
# The journal's stream is ecmpd's stderr: the log file.
: > "/tmp/$P.ecmpd.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "/tmp/$P.ecmpd.log") NOTIFY_SOCKET=$NS \
	topo_ecmpd "$P" "$CONF"
sleep 0.5

notes() { cat "/tmp/$P.notes" 2>/dev/null; }

# READY=1 comes after the programs are attached and the socket serves.
first=$(notes | head -1)
echo "$first" | grep -q "^READY=1 | STATUS=8 nexthops, 2 groups, 2 routes$" &&
	topo_ctl "$P" interface show | grep -q "^r0 xdp"
result "READY=1 once applied and attached, with a STATUS" $? "$(notes)"

topo_ctl "$P" reload > /dev/null
sleep 0.3
notes | sed -n 2,3p | tr '\n' ';' | grep -qE "^RELOADING=1 \| MONOTONIC_USEC=[0-9]+;READY=1 \| STATUS=8 nexthops"
result "reload: RELOADING=1 (MONOTONIC_USEC), then READY=1" $? "$(notes)"
echo "frobnicate" >> "$CONF"
topo_ctl "$P" reload > /dev/null 2>&1
sleep 0.3
notes | sed -n 4,5p | tr '\n' ';' | grep -qE "^RELOADING=1 .*;READY=1 "
result "a rejected reload: READY=1 again (the old config runs)" $? "$(notes)"

out=$(grep -v "libbpf\|libxdp" "/tmp/$P.ecmpd.log" | head -3)
echo "$out" | grep -qE "^<6>ecmpd|^<6>[A-Za-z]" && ! grep -qE "^[0-9]{2}:[0-9]{2}:[0-9]{2}\." "/tmp/$P.ecmpd.log"
result "on the journal's stream: <priority> lines, no timestamps" $? "$out"

# /metrics over HTTP, from the client: what ecmpctl stats --format
# prometheus prints, promtool-clean; other paths and methods refused.
get() { # METHOD PATH: "STATUS" then the body
	nsx "$P-cl" python3 -c '
import sys, urllib.request, urllib.error
r = urllib.request.Request("http://198.18.0.254:9469" + sys.argv[2], method=sys.argv[1])
try:
    with urllib.request.urlopen(r, timeout=5) as a:
        print(a.status, a.headers["Content-Type"]); sys.stdout.write(a.read().decode())
except urllib.error.HTTPError as e:
    print(e.code)' "$1" "$2"
}
get GET /metrics > "/tmp/$P.metrics"
out=$(head -1 "/tmp/$P.metrics")
tail -n +2 "/tmp/$P.metrics" > "/tmp/$P.prom"
[ "$out" = "200 text/plain; version=0.0.4; charset=utf-8" ] &&
	promtool check metrics < "/tmp/$P.prom" > /dev/null 2>&1 &&
	grep -q '^ecmp_group_buckets{group="web",nexthop="nh1"} 1024$' "/tmp/$P.prom" &&
	grep -q "^ecmp_daemon_up 1$" "/tmp/$P.prom"
result "GET /metrics (metrics listen): 200, promtool clean, groups and daemon" $? \
	"$out; $(promtool check metrics < "/tmp/$P.prom" 2>&1 | head -3)"
[ "$(get GET /other | head -1)" = 404 ] && [ "$(get POST /metrics | head -1)" = 405 ]
result "GET /other: 404; POST /metrics: 405" $?

# Completion: the names come from the running daemon's maps.
out=$(PATH="$PWD/$BUILD:$PATH" bash -c '. contrib/ecmpctl.bash-completion
	COMP_WORDS=(ecmpctl --pin-root "/sys/fs/bpf/$1" nexthop set nh)
	COMP_CWORD=5; _ecmpctl; echo "${COMPREPLY[*]}"' _ "$P")
[ "$out" = "nh1 nh1v6 nh2 nh2v6 nh3 nh3v6 nh4 nh4v6" ]
result "bash completion: nexthop names from the running daemon" $? "$out"
out=$(PATH="$PWD/$BUILD:$PATH" bash -c '. contrib/ecmpctl.bash-completion
	COMP_WORDS=(ecmpctl --pin-root "/sys/fs/bpf/$1" group show "")
	COMP_CWORD=5; _ecmpctl; echo "${COMPREPLY[*]}"' _ "$P")
[ "$out" = "web web6" ]
result "bash completion: group names" $? "$out"

pkill -TERM -f -- "--socket /tmp/$P.sock"
for _ in $(seq 1 50); do
	notes | tail -1 | grep -q "^STOPPING=1$" && break
	sleep 0.1
done
notes | tail -1 | grep -q "^STOPPING=1$"
result "SIGTERM: STOPPING=1" $? "$(notes | tail -2; tail -3 "/tmp/$P.ecmpd.log")"
# ecmpd gone: ecmpctl -n enters the router's namespace by its name.
here=$("$BUILD/ecmpctl" -n "$P-rt" --pin-root "/sys/fs/bpf/$P" --socket "/tmp/$P.sock" \
	interface show 2>&1)
echo "$here" | grep -q "^r0 xdp" && [ "$("$BUILD/ecmpctl" --pin-root "/sys/fs/bpf/$P" \
	--socket "/tmp/$P.sock" interface show 2>&1 | grep -c "^r0 ")" = 0 ]
result "ecmpctl -n NETNS: the hooks of that namespace's interfaces" $? "$here"

# Started again as the unit starts it: root with only the capabilities of
# contrib/ecmpd.service.in's CapabilityBoundingSet, over the programs the
# run above left attached, and now with BFD. It must adopt them (libxdp
# reads an attached program by its id, which takes CAP_SYS_ADMIN), and
# the BFD thread must get its real-time priority (CAP_SYS_NICE).
caps=$(sed -n 's/^CapabilityBoundingSet=//p' contrib/ecmpd.service.in |
	tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
echo "bfd interval 50 multiplier 3" >> "$CONF"
sed -i '/^frobnicate$/d' "$CONF"
rm -f "/tmp/$P.sock"
nsx "$P-rt" setpriv --bounding-set="-all,$caps" --inh-caps=-all \
	"$BUILD/ecmpd" -c "$CONF" --state-dir "/tmp/$P-state" --socket "/tmp/$P.sock" \
	< /dev/null >> "/tmp/$P.ecmpd.log" 2>&1 &
wait_until 100 test -S "/tmp/$P.sock"
pid=$(pgrep -f -- "--socket /tmp/$P.sock" | head -1)
[ -n "$pid" ] && topo_ctl "$P" interface show | grep -q "^r0 xdp" &&
	grep -q "ecmp_xdp already attached, adopted" "/tmp/$P.ecmpd.log"
result "the unit's capabilities ($caps): a start over running programs adopts them" $? \
	"$(tail -4 "/tmp/$P.ecmpd.log")"
# The BFD thread: the process's one thread in SCHED_FIFO at priority 10.
threads=$( [ -n "$pid" ] && ps -L -o cls=,rtprio= -p "$pid" | tr -s ' ' | sed 's/^ //')
echo "$threads" | grep -qx "FF 10"
result "the unit's capabilities: the BFD thread runs SCHED_FIFO 10" $? "threads: $threads"
topo_stop_ecmpd "$P"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
