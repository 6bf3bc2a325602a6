#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# FRR bfdd as the BFD peer in a nexthop namespace (source after
# scripts/topo.sh). FRR 8.4 from Debian runs without systemd: zebra and
# bfdd with their vty port off (-P 0), sockets, pid files and config in a
# directory of their own per namespace, owned by user frr.

FRR_DIR=/usr/lib/frr

frr_dir() { echo "/tmp/$1.frr"; }

# frr_start NS PEER-LINES: zebra + bfdd in NS with this under "bfd".
frr_start() {
	local ns=$1 d
	d=$(frr_dir "$ns")
	rm -rf "$d"
	mkdir -p "$d"
	{
		[ -n "${FRR_DEBUG:-}" ] && printf "debug bfd network\ndebug bfd peer\n"
		echo "bfd"
		printf '%s\n' "$2"
	} > "$d/bfdd.conf"
	: > "$d/zebra.conf"
	chown -R frr:frr "$d"
	nsx "$ns" "$FRR_DIR/zebra" -d -P 0 -i "$d/zebra.pid" -z "$d/zserv.api" \
		--vty_socket "$d" -f "$d/zebra.conf" --log "file:$d/zebra.log" \
		>/dev/null 2>&1 || return 1
	for _ in $(seq 1 50); do
		[ -S "$d/zserv.api" ] && break
		sleep 0.1
	done
	nsx "$ns" "$FRR_DIR/bfdd" -d -P 0 -i "$d/bfdd.pid" -z "$d/zserv.api" \
		--vty_socket "$d" --bfdctl "$d/bfdd.sock" -f "$d/bfdd.conf" \
		--log "file:$d/bfdd.log" --log-level "${FRR_LOG_LEVEL:-info}" \
		>/dev/null 2>&1 || return 1
	for _ in $(seq 1 50); do
		if [ -S "$d/bfdd.vty" ]; then
			# The peers stand in for routers with CPUs of their
			# own: here they share two cores with ecmpd (sanitized,
			# in some runs) and a test's load, and a bfdd kept off
			# the CPU for a detect time flaps for reasons of this
			# machine, not of ecmpd. Real time, like ecmpd's BFD
			# thread, takes that out of what the tests measure.
			chrt -a -f -p 5 "$(cat "$d/bfdd.pid")" >/dev/null 2>&1
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# frr_vtysh NS COMMAND...: one vtysh command against that namespace's bfdd.
frr_vtysh() {
	local ns=$1
	shift
	nsx "$ns" vtysh --vty_socket "$(frr_dir "$ns")" -d bfdd "$@"
}

# frr_peers_json NS: FRR's view of its sessions.
frr_peers_json() {
	frr_vtysh "$1" -c 'show bfd peers json'
}

frr_stop() {
	local ns=$1 d f
	d=$(frr_dir "$ns")
	for f in bfdd zebra; do
		[ -f "$d/$f.pid" ] && kill "$(cat "$d/$f.pid")" 2>/dev/null
	done
	sleep 0.1
	rm -rf "$d"
}
