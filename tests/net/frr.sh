#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# FRR daemons in the test namespaces (source after scripts/topo.sh), and
# bfdd as the BFD peer in a nexthop namespace. FRR 8.4 from Debian runs
# without systemd: each daemon with its vty port off (-P 0), its sockets,
# pid file and config in a directory of the test's, owned by user frr.

FRR_DIR=/usr/lib/frr

frr_dir() { echo "/tmp/$1.frr"; }

# frr_daemon NS DIR DAEMON ARGS...: one FRR daemon in NS, in the
# background, with its config (DIR/DAEMON.conf, empty when there is none),
# pid file, vty socket and log in DIR, owned by frr (FRR drops to it).
frr_daemon() {
	local ns=$1 d=$2 name=$3
	[ -f "$d/$name.conf" ] || : > "$d/$name.conf"
	frr_run "$ns" "$d" "$name" -f "$d/$name.conf" "${@:4}"
}

# frr_run NS DIR DAEMON ARGS...: frr_daemon without a config file, as
# FRR 10's mgmtd and staticd start (mgmtd holds staticd's configuration).
frr_run() {
	local ns=$1 d=$2 name=$3
	chown -R frr:frr "$d"
	nsx "$ns" "$FRR_DIR/$name" -d -P 0 -i "$d/$name.pid" --vty_socket "$d" \
		--log "file:$d/$name.log" "${@:4}" > /dev/null 2>&1
}

# frr_zebra NS DIR ARGS...: zebra (ARGS added), up when its API socket
# DIR/zserv.api is, for the daemons started after it with -z.
frr_zebra() {
	local ns=$1 d=$2
	rm -f "$d/zserv.api"
	frr_daemon "$ns" "$d" zebra -z "$d/zserv.api" "${@:3}" || return 1
	for _ in $(seq 1 50); do
		[ -S "$d/zserv.api" ] && return 0
		sleep 0.1
	done
	return 1
}

# frr_stop_dir DIR: stops the daemons frr_daemon started in DIR and waits
# for them to be gone (a zebra still running would put back the nexthop
# objects a next test replaces); their pid files go, the rest stays.
frr_stop_dir() {
	local d=$1 pids
	pids=$(cat "$d"/*.pid 2>/dev/null)
	# CONT: a test that stopped a daemon (SIGSTOP) may have failed first.
	kill $pids 2>/dev/null
	kill -CONT $pids 2>/dev/null
	for _ in $(seq 1 50); do
		pgrep -f -- "--vty_socket $d( |$)" > /dev/null || break
		sleep 0.1
	done
	rm -f "$d"/*.pid
}

# frr_node_dir NAME: the directory of FRR node NAME of the test whose
# topology prefix is $P (one node a namespace that runs FRR).
frr_node_dir() { echo "/tmp/$P.frr-$1"; }

# frr_stop_nodes: every node's daemons stopped, its directory removed.
frr_stop_nodes() {
	local d
	for d in /tmp/"$P".frr-*; do
		[ -d "$d" ] && frr_stop_dir "$d"
	done
	rm -rf /tmp/"$P".frr-*
}

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
	frr_zebra "$ns" "$d" && frr_bfdd "$ns" "$d"
}

# frr_bfdd NS DIR: bfdd (config DIR/bfdd.conf) beside the zebra of DIR,
# up when its vty socket is, at real-time priority.
frr_bfdd() {
	local ns=$1 d=$2
	frr_daemon "$ns" "$d" bfdd -z "$d/zserv.api" --bfdctl "$d/bfdd.sock" \
		--log-level "${FRR_LOG_LEVEL:-info}" || return 1
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
	local d
	d=$(frr_dir "$1")
	frr_stop_dir "$d"
	rm -rf "$d"
}
