#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Configs at and past the documented maxima (docs/CONFIG.md "Limits"): at
# the limit they load; one past, the reload is refused with the limit
# named and nothing changes; `ecmpctl stats` shows the use and memory.

set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. scripts/topo.sh

P=el$$
CONF=/tmp/$P.conf
. tests/net/lib.sh

cleanup() {
	cp "/tmp/$P.ecmpd.log" /tmp/ecmp-limits-last.log 2>/dev/null
	topo_destroy "$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# limits_config NEXTHOPS GROUPS BUCKETS-OF-LAST-GROUP ROUTES [MEMBERS [BFD]]
limits_config() {
	awk -v nh="$1" -v ng="$2" -v last="$3" -v nr="$4" -v members="${5:-4}" -v bfd="${6:-}" -v p="$P" 'BEGIN {
		print "seed 0x0123456789abcdef0123456789abcdef"
		print "pin-root /sys/fs/bpf/" p
		print "interface r0 attach none"
		for (i = 0; i < nh; i++)
			printf "nexthop n%d via 2001:db8:1::%x dev r1%s\n", i, i + 16, bfd ? " bfd" : ""
		for (g = 0; g < ng; g++) {
			printf "group g%d buckets %d idle_timer 0 nexthops", g, g == ng - 1 ? last : 4096
			for (m = 0; m < members; m++)
				printf " n%d", (g * members + m) % nh
			printf "\n"
		}
		# /32s of 198.18.0.0/15, then /64s of 2001:db8::/32.
		for (r = 0; r < nr; r++) {
			if (r < 131072)
				printf "route 198.%d.%d.%d/32 group g%d\n", 18 + int(r / 65536), int(r / 256) % 256, r % 256, r % ng
			else
				printf "route 2001:db8:%x:%x::/64 group g%d\n", int((r - 131072) / 65536), (r - 131072) % 65536, r % ng
		}
	}' > "$CONF"
}

setup() {
	topo_create "$P" 1 || return 1
	# The most buckets: 1024 groups x 4096 = 4,194,304.
	limits_config 1024 1024 4096 1000
	topo_ecmpd "$P" "$CONF"
}

# reload_refused NAME PATTERN: the reload fails, says PATTERN, moves nothing.
reload_refused() {
	local out before after
	before=$(topo_ctl "$P" stats | grep ^capacity)
	out=$(topo_ctl "$P" reload 2>&1)
	after=$(topo_ctl "$P" stats | grep ^capacity)
	echo "$out" | grep -q "$2" && [ "$before" = "$after" ]
	result "$1" $? "reload said: $out; capacity $before -> $after"
}

test_at_limits() {
	local cap
	cap=$(topo_ctl "$P" stats | grep ^capacity)
	[ "$cap" = "capacity nexthops 1024 nexthops_max 1024 groups 1024 groups_max 1024 buckets 4194304 buckets_max 4194304 egress 1 egress_max 256 egress_left_out 0" ]
	result "1024 nexthops, 1024 groups, 4,194,304 buckets: loaded" $? "$cap"
	topo_ctl "$P" stats | grep -q "^memory maps_bytes [0-9.]*[KMG]iB .*ecmpd_rss_bytes [0-9.]*[KMG]iB"
	result "ecmpctl stats: map memory and ecmpd RSS" $? "$(topo_ctl "$P" stats | grep ^memory)"
}

test_past_limits() {
	limits_config 1025 1024 4096 1000
	reload_refused "1025 nexthops: refused, the limit named" "1025 nexthops, the limit is 1024"
	limits_config 1024 1025 4096 1000
	reload_refused "1025 groups: refused, the limit named" "1025 groups, the limit is 1024"
	limits_config 1024 1024 8192 1000
	reload_refused "4,198,400 buckets: refused, the limit named" "4198400 buckets in all, the limit is 4194304"
	limits_config 1024 1024 4096 1000 65
	topo_ctl "$P" reload 2>&1 | grep -q "more than 64 nexthops"
	result "65 members in a group: refused with the limit" $?
	# 262,144 routes (the router's own 198.18.1.1 and 2001:db8:1::1 fall
	# inside them and count too): the ecmp_routes limit refuses them,
	# naming it; 262,142 plus the two own addresses load.
	limits_config 1024 1024 4096 262144
	reload_refused "262,144 routes + 2 own addresses: refused, ecmp_routes named" "do not fit the 262144 of ecmp_routes"
	limits_config 1024 1024 4096 262142
	local out
	out=$(topo_ctl "$P" reload 2>&1)
	echo "$out" | grep -q "reloaded" && [ "$(topo_ctl "$P" route show | wc -l)" -ge 262142 ]
	result "262,142 routes + 2 own addresses (the limit): loaded" $? "$out"
	limits_config 1024 1024 4096 262145
	reload_refused "262,145 routes: refused with the limit named" "262145 routes.*262144"
}

# Every show command at the maxima: 1,024 nexthops, 1,024 groups, 262,144
# routes (with the own addresses), then 1,024 BFD sessions; text and JSON.
json_len() { # KEY-or-"" : length of the document's array (or of KEY)
	python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len(d[sys.argv[1]] if sys.argv[1] else d))' "$1"
}

test_show_at_limits() {
	local n
	n=$(topo_ctl "$P" nexthop show | wc -l)
	[ "$n" = 1024 ] && [ "$(topo_ctl "$P" -j nexthop show | json_len "")" = 1024 ]
	result "nexthop show at 1,024 nexthops: text and JSON" $? "$n lines"
	n=$(topo_ctl "$P" group show | grep -c '^g')
	[ "$n" = 1024 ] && [ "$(topo_ctl "$P" -j group show | json_len "")" = 1024 ]
	result "group show at 1,024 groups: text and JSON" $? "$n groups"
	n=$(topo_ctl "$P" -j route show | json_len "")
	[ "$n" = 262144 ]
	result "route show -j at 262,144 routes" $? "$n routes"
	topo_ctl "$P" -j stats | json_len "capacity" >/dev/null
	result "stats -j at the maxima" $?
	limits_config 1024 1024 4096 1000 4 bfd
	n=$(topo_ctl "$P" reload 2>&1)
	echo "$n" | grep -q reloaded
	result "1,024 nexthops with BFD: loaded" $? "$n"
	n=$(topo_ctl "$P" -j bfd show | json_len sessions)
	[ "$n" = 1024 ]
	result "bfd show -j at 1,024 sessions" $? "$n sessions"
	n=$(topo_ctl "$P" bfd show | grep -c '^n[0-9]* peer ')
	[ "$n" = 1024 ]
	result "bfd show (text) at 1,024 sessions" $? "$n sessions"
}

# `limits`: a change by reload is refused, and so is a start over maps made
# at other sizes, with the way through named; after --detach the maps are
# made at the config's sizes (a small config: a few MiB of kernel memory,
# against about 53 MiB at the defaults), and past them a config is refused
# with the limit named.
test_configured_limits() {
	local out rc cap mem
	limits_config 8 2 4096 100
	echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64" >> "$CONF"
	reload_refused "limits changed by reload: refused, the way through named" \
		"limits cannot change while ecmpd runs.*shutdown --detach"
	mem=$(topo_ctl "$P" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["memory"]["maps_bytes"])')
	topo_stop_ecmpd "$P" term
	out=$(timeout 30 nsenter --net="/run/netns/$P-rt" "$BUILD/ecmpd" -c "$CONF" \
		--state-dir "/tmp/$P-state" --socket "/tmp/$P.sock" 2>&1)
	rc=$?
	[ "$rc" = 1 ] &&
		echo "$out" | grep -q "limits nexthops: the maps pinned under /sys/fs/bpf/$P were made for 1024.*the config asks 16.*ecmpctl shutdown --detach"
	result "a start over maps of other sizes: refused, the way through named" $? "exit $rc: $(echo "$out" | grep limits | head -2)"
	nsenter --net="/run/netns/$P-rt" "$BUILD/ecmpd" -c "$CONF" --detach > /dev/null 2>&1
	topo_ecmpd "$P" "$CONF"
	cap=$(topo_ctl "$P" stats | grep ^capacity)
	[ "$cap" = "capacity nexthops 8 nexthops_max 16 groups 2 groups_max 4 buckets 8192 buckets_max 65536 egress 1 egress_max 256 egress_left_out 0" ]
	result "after --detach: the maps made at the limits" $? "$cap"
	out=$(topo_ctl "$P" -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["memory"]["maps_bytes"])')
	[ "$out" -lt $((4 << 20)) ] && [ "$mem" -gt $((40 << 20)) ]
	result "map memory: $((out >> 10)) KiB at these limits, $((mem >> 20)) MiB at the defaults" $?
	limits_config 17 2 4096 100
	echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64" >> "$CONF"
	reload_refused "17 nexthops: refused, the configured limit named" \
		"17 nexthops, the limit is 16 (raise it with 'limits nexthops N')"
}

# A reload that swaps most of a table for another at the trie's limit:
# 100 IPv6 /64s in 20 groups of five under one /40 take 41 of the 64
# chunks built anew; the old and the new table together would take 78.
# Removals and additions go in one pass, the parts that shrink first, so
# the swap fits where a table that fits fresh must.
swap_routes() { # FIRST-BYTE: 20 x 5 /64s under 2001:db8::/40
	awk -v f="$1" 'BEGIN {
		for (k = 0; k < 20; k++)
			for (j = 1; j <= 5; j++)
				printf "route 2001:db8:%x:%x00::/64 group g%d\n", f + k, j, (k + j) % 2
	}'
}

test_swap_at_the_chunk_limit() {
	local out lookup
	limits_config 8 2 4096 0
	echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64" >> "$CONF"
	swap_routes 0 >> "$CONF"
	out=$(topo_ctl "$P" reload 2>&1)
	echo "$out" | grep -q reloaded
	result "100 /64s taking 41 of 64 trie chunks: loaded" $? "$out"
	limits_config 8 2 4096 0
	echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64" >> "$CONF"
	swap_routes 32 >> "$CONF"
	out=$(topo_ctl "$P" reload 2>&1)
	echo "$out" | grep -q reloaded &&
		[ "$(topo_ctl "$P" route show | grep -c '^2001:db8:2[0-9a-f]:')" = 80 ] &&
		[ "$(topo_ctl "$P" route show | grep -c '^2001:db8:3[0-3]:')" = 20 ] &&
		! topo_ctl "$P" route show | grep -q '^2001:db8:1\?[0-9a-f]:'
	result "all 100 swapped for 100 others at the chunk limit: reloaded, the new routes in, the old out" $? "$out"
	lookup=$(topo_ctl "$P" lookup 2001:db8:1::1 2001:db8:33:400::9 2>&1)
	echo "$lookup" | grep -q "2001:db8:33:400::/64" && echo "$lookup" | grep -q "group g1"
	result "the data path's trie: a new /64 found, with its group" $? "$lookup"
	lookup=$(topo_ctl "$P" lookup 2001:db8:1::1 2001:db8:5:400::9 2>&1)
	! echo "$lookup" | grep -q "2001:db8:5:400::/64"
	result "the data path's trie: a removed /64 gone" $? "$lookup"
}

# Pages of tails free only when all their tails do: a reload that keeps
# one /48 of every six leaves 36 pages with one tail each, 30 more chunks
# than a build of what is left. A table that needs chunks, not tails, and
# fits fresh (41 chunks) would need 71 in a pool of 64 without compaction:
# the reload compacts first and then applies.
chunk_routes() { # 30 /40s of five /56s: a chunk and a run list each
	awk 'BEGIN {
		for (x = 0; x < 30; x++)
			for (z = 1; z <= 5; z++)
				printf "route 2001:db8:%x01:%x00::/56 group g%d\n", x, z, z % 2
	}'
}

tail_routes() { # EVERY: /48s 2001:db8:XX00::/48, XX 0x28-0xff, every EVERYth
	awk -v every="$1" 'BEGIN {
		for (x = 40; x < 256; x++)
			if ((x - 40) % every == 0)
				printf "route 2001:db8:%x00::/48 group g%d\n", x, x % 2
	}'
}

trie_field() { # FIELD: of ecmpctl stats' trie
	topo_ctl "$P" -j stats | python3 -c "import json, sys; print(json.load(sys.stdin)['trie']['$1'])"
}

test_compaction_at_the_chunk_limit() {
	local out lookup spare
	limits_config 8 2 4096 0
	echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64" >> "$CONF"
	tail_routes 1 >> "$CONF"
	out=$(topo_ctl "$P" reload 2>&1)
	echo "$out" | grep -q reloaded && [ "$(trie_field chunks)" = 39 ]
	result "216 /48s alone under their /40s: 36 pages of six tails, 39 chunks" $? "$out; $(topo_ctl "$P" stats | grep ^trie)"
	limits_config 8 2 4096 0
	echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64" >> "$CONF"
	tail_routes 6 >> "$CONF"
	out=$(topo_ctl "$P" reload 2>&1)
	spare=$(trie_field spare_pages)
	echo "$out" | grep -q reloaded && [ "$spare" = 30 ] && [ "$(trie_field chunks)" = 39 ]
	result "one /48 of six kept: 36 tails in 36 pages, 30 pages to give back" $? "$out; $(topo_ctl "$P" stats | grep ^trie)"
	limits_config 8 2 4096 0
	echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64" >> "$CONF"
	tail_routes 6 >> "$CONF"
	chunk_routes >> "$CONF"
	out=$(topo_ctl "$P" reload 2>&1)
	echo "$out" | grep -q reloaded && [ "$(trie_field spare_pages)" = 0 ] &&
		[ "$(trie_field compactions)" = 1 ] && [ "$(trie_field chunks_given_back)" = 30 ] &&
		[ "$(topo_ctl "$P" route show | grep -c '^2001:db8:')" = 186 ] &&
		[ "$(topo_ctl "$P" stats | grep '^trie')" = "trie chunks 41 chunks_max 64 spare_pages 0 compactions 1 chunks_given_back 30" ]
	result "150 /56s taking 32 chunks more: compacted first (30 chunks back), reloaded" $? "$out; $(topo_ctl "$P" stats | grep ^trie)"
	grep -q "route trie compacted: 30 chunks given back" "/tmp/$P.ecmpd.log"
	result "the log says what compaction gave back" $? "$(grep -i compact "/tmp/$P.ecmpd.log")"
	out=$(topo_ctl "$P" stats --format prometheus | grep '^ecmp_trie')
	echo "$out" | grep -qx "ecmp_trie_chunks 41" && echo "$out" | grep -qx "ecmp_trie_chunks_max 64" &&
		echo "$out" | grep -qx "ecmp_trie_compactions_total 1"
	result "the trie in the Prometheus metrics" $? "$out"
	lookup=$(topo_ctl "$P" lookup 2001:db8:1::1 2001:db8:1d01:500::9 2>&1)
	echo "$lookup" | grep -q "2001:db8:1d01:500::/56" && echo "$lookup" | grep -q "group g1"
	result "the data path's trie: a new /56 found, with its group" $? "$lookup"
	lookup=$(topo_ctl "$P" lookup 2001:db8:1::1 2001:db8:fa00::9 2>&1)
	echo "$lookup" | grep -q "2001:db8:fa00::/48"
	result "the data path's trie: a moved tail's /48 found" $? "$lookup"
}

# The same pages left by kernel routes removed one by one, then routes
# that need chunks added one by one: a change that would eat into the room
# kept free compacts the trie (milliseconds) and goes on as a change; no
# whole read of the kernel's table.
kernel_routes() { # add|del FILE-OF-ROUTES
	awk -v op="$1" '{ printf "route %s %s via 2001:db8:1::2 dev r1 proto static\n", op, $2 }' "$2" |
		nsx "$P-rt" ip -6 -batch -
}

mirrored() { # the kernel_routes field of ecmpctl stats
	topo_ctl "$P" -j stats | python3 -c "import json, sys; print(json.load(sys.stdin)['kernel_routes']['$1'])"
}

wait_mirrored() { # N
	for _ in $(seq 1 100); do
		[ "$(mirrored mirrored)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

test_compaction_by_a_patch() {
	local out reads compactions
	limits_config 8 2 4096 0
	echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64" >> "$CONF"
	echo "routes kernel protocol static" >> "$CONF"
	out=$(topo_ctl "$P" reload 2>&1)
	tail_routes 1 > "/tmp/$P.tails"
	kernel_routes add "/tmp/$P.tails"
	wait_mirrored 216
	result "216 kernel /48s mirrored" $? "$out; $(mirrored mirrored) mirrored; $(topo_ctl "$P" stats | grep ^trie)"
	awk '(NR - 1) % 6' "/tmp/$P.tails" > "/tmp/$P.gone"
	kernel_routes del "/tmp/$P.gone"
	wait_mirrored 36 && [ "$(trie_field spare_pages)" -ge 25 ]
	result "180 removed one by one: pages of one tail each to give back" $? "$(mirrored mirrored) mirrored; $(topo_ctl "$P" stats | grep ^trie)"
	reads=$(mirrored reads)
	compactions=$(trie_field compactions)
	chunk_routes > "/tmp/$P.chunky"
	kernel_routes add "/tmp/$P.chunky"
	wait_mirrored 186 && [ "$(mirrored reads)" = "$reads" ] &&
		[ "$(trie_field compactions)" -gt "$compactions" ]
	result "150 /56s added one by one: compacted on the way, no whole read" $? \
		"$(mirrored mirrored) mirrored, reads $reads -> $(mirrored reads); $(topo_ctl "$P" stats | grep ^trie)"
	kernel_routes del "/tmp/$P.chunky"
	kernel_routes del <(awk '(NR - 1) % 6 == 0' "/tmp/$P.tails")
	wait_mirrored 0
}

# A restart takes the live trie over as it is, part-empty pages too; its
# first whole read compacts them, and the routes, the lookups and the
# flows stay where they were. The snapshot before waits for the routes'
# nexthop to be up: one still resolving when ecmpd is killed comes up
# after the restart, and the lookup then differs for that reason alone.
test_compaction_at_restart() {
	local routes lookup spare routes2 lookup2 restarted
	kernel_routes add "/tmp/$P.tails"
	wait_mirrored 216
	kernel_routes del "/tmp/$P.gone"
	wait_mirrored 36
	for _ in $(seq 1 50); do
		topo_ctl "$P" nexthop show | grep -q "^2001:db8:1::2@r1 .*state up" && break
		sleep 0.1
	done
	spare=$(trie_field spare_pages)
	routes=$(topo_ctl "$P" route show)
	lookup=$(topo_ctl "$P" lookup 2001:db8:1::1 2001:db8:fa00::9 2>&1)
	topo_stop_ecmpd "$P" kill9
	topo_ecmpd "$P" "$CONF" && wait_mirrored 36
	restarted=$?
	routes2=$(topo_ctl "$P" route show)
	lookup2=$(topo_ctl "$P" lookup 2001:db8:1::1 2001:db8:fa00::9 2>&1)
	[ "$restarted" = 0 ] && [ "$spare" -ge 25 ] && [ "$(trie_field spare_pages)" = 0 ] &&
		[ "$(trie_field compactions)" = 1 ] && [ "$(trie_field chunks_given_back)" -ge 25 ] &&
		[ "$routes2" = "$routes" ] && [ "$lookup2" = "$lookup" ]
	result "SIGKILL and restart over part-empty pages: compacted, routes and lookups the same" $? \
		"spare pages $spare before; after: $(topo_ctl "$P" stats | grep ^trie)
  lookup before: $lookup
  lookup after:  $lookup2
  routes: $(diff <(echo "$routes") <(echo "$routes2") | grep -c '^[<>]') lines differ"
	kernel_routes del <(awk '(NR - 1) % 6 == 0' "/tmp/$P.tails")
}

# The check before a change counts the trie's room with the groups the
# routes will have: a /40 of one group with 61 /48s of the other at every
# second /48 makes 122 runs, too many for a run list (120): a chunk each.
# (Counted with one group for all, as once, they were one run, and such
# /40s passed the check and took the chunks kept free for changes; 13 of
# them stay within the 1,024 routes.)
alternating_routes() { # N: /40s 2001:db8:XX00::/40 from XX 0x10, 61 /48s each
	awk -v n="$1" 'BEGIN {
		for (k = 0; k < n; k++) {
			printf "route 2001:db8:%x00::/40 group g1\n", k + 16
			for (j = 0; j < 61; j++)
				printf "route 2001:db8:%x%02x::/48 group g0\n", k + 16, 2 * j
		}
	}'
}

test_groups_in_the_room_check() {
	local out before
	limits_config 8 2 4096 0
	echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64" >> "$CONF"
	tail_routes 1 >> "$CONF"
	topo_ctl "$P" reload > /dev/null 2>&1
	before=$(topo_ctl "$P" stats | grep '^trie')
	alternating_routes 13 >> "$CONF"
	out=$(topo_ctl "$P" reload 2>&1)
	echo "$out" | grep -q "1022 routes need more than the 64 trie chunks of ecmp_lpm_node (18 of them kept free" &&
		[ "$(topo_ctl "$P" stats | grep '^trie')" = "$before" ] &&
		[ "$(topo_ctl "$P" route show | grep -c '^2001:db8:')" = 216 ]
	result "13 /40s of 61 /48s, two groups in turn (39 + 13 chunks, 46 to use): refused, nothing changed" $? \
		"$out; $before -> $(topo_ctl "$P" stats | grep '^trie')"
	limits_config 8 2 4096 0
	echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64" >> "$CONF"
	tail_routes 1 >> "$CONF"
	alternating_routes 7 >> "$CONF"
	out=$(topo_ctl "$P" reload 2>&1)
	echo "$out" | grep -q reloaded && [ "$(trie_field chunks)" = 46 ]
	result "7 of them (39 + 7 chunks): loaded, as counted" $? "$out; $(topo_ctl "$P" stats | grep '^trie')"
}

# Tables of different sizes, added and removed, leave holes in
# ecmp_buckets: enough free slots, but no run long enough for a new table.
# ecmpd moves the fewest tables in use out of the way first (no flow
# moves), or refuses the reload, naming the pieces, with nothing changed.
frag_config() { # NAME:BUCKETS... (group A's route 198.19.1.0/24, B's .2...)
	local g
	{
		echo "seed 0x0123456789abcdef0123456789abcdef"
		echo "pin-root /sys/fs/bpf/$P"
		echo "interface r0 attach none"
		echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64"
		echo "nexthop a1 via 198.18.1.2 dev r1"
		echo "nexthop a2 via 198.18.1.2 dev r1 weight 2"
		echo "nexthop a3 via 198.18.1.2 dev r1 weight 3"
		echo "nexthop b1 via 2001:db8:1::2 dev r1"
		for g in "$@"; do
			echo "group ${g%:*} buckets ${g#*:} idle_timer 0 nexthops a1 a2 a3 b1"
			echo "route 198.19.$(($(printf '%d' "'${g%:*}") - 64)).0/24 group ${g%:*}"
		done
	} > "$CONF"
}

frag_flows() { # GROUP-LETTER...: where 500 flows to each group's route go
	local g
	for g in "$@"; do
		seq 1 500 | awk -v n="$(($(printf '%d' "'$g") - 64))" '{ print "198.18.0.1 198.19." n ".9 udp", $1, 80 }'
	done | topo_ctl "$P" lookup - | awk '{ print $1, $5, $9, $11 }'
}

test_fragmented_buckets() {
	local out before free lines
	frag_config
	topo_ctl "$P" reload > /dev/null
	frag_config A:16384 B:8192 C:16384
	topo_ctl "$P" reload > /dev/null && wait_state a1 up && wait_state a2 up &&
		wait_state a3 up && wait_state b1 up
	frag_config B:8192 C:16384
	topo_ctl "$P" reload > /dev/null
	free=$(topo_ctl "$P" -j stats | python3 -c 'import json, sys; c = json.load(sys.stdin)["capacity"]; print(c["buckets_max"] - c["buckets"])')
	before=$(frag_flows B C)
	# A's 16384 slots in front and the free ones at the end: 40,960 free,
	# in two pieces, neither 32768 long.
	frag_config B:8192 C:16384 D:32768
	out=$(topo_ctl "$P" reload 2>&1)
	echo "$out" | grep -q reloaded && [ "$(frag_flows B C)" = "$before" ] &&
		[ "$(frag_flows D | grep -c forwarded)" = 500 ] &&
		grep -q "bucket tables moved to make room: 1 moved" "/tmp/$P.ecmpd.log"
	result "a 32768-bucket group where $free slots are free in two pieces: C's table moved into the first, 0 of B's and C's 1000 flows moved" $? \
		"$out; flows $(diff <(echo "$before") <(frag_flows B C) | grep -c '^>') moved; $(grep "moved to make room" "/tmp/$P.ecmpd.log" | tail -1)"
	topo_stop_ecmpd "$P" kill9
	lines=$(wc -l < "/tmp/$P.ecmpd.log")
	topo_ecmpd "$P" "$CONF"
	[ "$(frag_flows B C)" = "$before" ] &&
		! tail -n +"$lines" "/tmp/$P.ecmpd.log" | grep -q "of [0-9]* buckets moved"
	result "restarted over the moved tables: adopted, 0 buckets and 0 flows moved" $? \
		"$(tail -n +"$lines" "/tmp/$P.ecmpd.log" | grep "buckets moved" | head -3)"
	# B gone: 8192 free between C and D, 8192 behind D; a 16384 table
	# fits in neither, and neither C nor D fits anywhere else to make room.
	frag_config C:16384 D:32768
	topo_ctl "$P" reload > /dev/null
	before=$(frag_flows C D)
	frag_config C:16384 D:32768 E:16384
	out=$(topo_ctl "$P" reload 2>&1)
	echo "$out" | grep -q "tables of up to 16384 buckets, each in one piece; ecmp_buckets has 16384 free, in pieces of at most 8192, and moving tables in use would not make one" &&
		[ "$(frag_flows C D)" = "$before" ] && [ "$(topo_ctl "$P" route show 198.19.5.0/24)" = "" ]
	result "a 16384-bucket group where no run can be made: refused, the pieces named, nothing changed" $? "$out"
}

# The same from the kernel: a resilient nexthop group of 32768 buckets,
# and a route over it, where the free slots are in two pieces. The
# mirror's new group takes the same way (a route event, not a reload).
test_fragmented_buckets_mirror() {
	local before out i
	frag_config
	echo "routes kernel protocol static" >> "$CONF"
	topo_ctl "$P" reload > /dev/null
	frag_config A:16384 B:8192 C:16384
	echo "routes kernel protocol static" >> "$CONF"
	topo_ctl "$P" reload > /dev/null
	frag_config B:8192 C:16384
	echo "routes kernel protocol static" >> "$CONF"
	topo_ctl "$P" reload > /dev/null
	before=$(frag_flows B C)
	nsx "$P-rt" ip nexthop add id 71 via 198.18.1.2 dev r1
	nsx "$P-rt" ip nexthop add id 72 group 71 type resilient buckets 32768 idle_timer 0
	nsx "$P-rt" ip route add 198.19.200.0/24 nhid 72 proto static
	for i in $(seq 1 50); do
		out=$(topo_ctl "$P" route show 198.19.200.0/24)
		[ -n "$out" ] && break
		sleep 0.1
	done
	echo "$out" | grep -q "source kernel" &&
		topo_ctl "$P" group show | grep -q "buckets 32768" &&
		[ "$(frag_flows B C)" = "$before" ] &&
		[ "$(grep -c "bucket tables moved to make room: 1 moved" "/tmp/$P.ecmpd.log")" = 2 ]
	result "a kernel route over a resilient group of 32768 buckets, the free slots in two pieces: mirrored, C's table moved, 0 of 1000 flows moved" $? \
		"route: $out; $(grep "moved to make room" "/tmp/$P.ecmpd.log" | tail -1)"
	nsx "$P-rt" ip route del 198.19.200.0/24 proto static
	nsx "$P-rt" ip nexthop del id 72
	nsx "$P-rt" ip nexthop del id 71
}

# egress_config LINE...: one nexthop (a1 on r1) and its route, 'limits
# egress 2', and LINEs.
egress_config() {
	{
		echo "seed 0x0123456789abcdef0123456789abcdef"
		echo "pin-root /sys/fs/bpf/$P"
		echo "interface r0 attach none"
		echo "limits nexthops 16 groups 4 buckets 65536 routes 1024 chunks 64 egress 2"
		echo "nexthop a1 via 198.18.1.2 dev r1"
		echo "group A buckets 64 nexthops a1"
		echo "route 198.19.1.0/24 group A"
		printf '%s\n' "$@"
	} > "$CONF"
}

egress_use() { topo_ctl "$P" stats | grep ^capacity | grep -o 'egress [0-9]* .*'; }

egress_lookup() { # DST: where one flow to DST goes, and why
	topo_ctl "$P" lookup 198.18.0.1 "$1" udp 1000 80 |
		awk '{ for (i = 1; i < NF; i++) if ($i == "nexthop") n = $(i + 1); else if ($i == "dev") d = $(i + 1); print $1, n, d }'
}

# `limits egress`: the interfaces nexthops go out of, each an entry of
# ecmp_tx_ports. Past it, a config is refused; a mirrored nexthop keeps
# its route but its frames go through the kernel (said once, counted)
# until an entry frees up. ifb interfaces as egress (this kernel has no
# dummy; ecmpctl lookup reads the maps, nothing is sent).
test_egress_limit() {
	local out i lines e1=(
		"nexthop e1 via 198.18.201.2 dev eg1" "group E buckets 64 nexthops e1"
		"route 198.19.201.0/24 group E" "routes kernel protocol static")
	for i in 1 2; do
		ip -n "$P-rt" link add "eg$i" type ifb
		ip -n "$P-rt" addr add "198.18.20$i.1/24" dev "eg$i"
		ip -n "$P-rt" link set "eg$i" up
		ip -n "$P-rt" neigh replace "198.18.20$i.2" lladdr "02:00:00:00:20:0$i" dev "eg$i" nud permanent
	done
	egress_config "${e1[@]}"
	topo_stop_ecmpd "$P" term
	nsx "$P-rt" "$BUILD/ecmpd" -c "$CONF" --detach > /dev/null 2>&1
	topo_ecmpd "$P" "$CONF"
	wait_state e1 up && wait_state a1 up
	out=$(egress_use)
	[ "$out" = "egress 2 egress_max 2 egress_left_out 0" ]
	result "limits egress 2: r1 and eg1 in ecmp_tx_ports" $? "$out"

	egress_config "${e1[@]}" "nexthop e2 via 198.18.202.2 dev eg2"
	reload_refused "a nexthop out of a third interface past 'limits egress 2': refused" \
		"the nexthops go out of 3 interfaces, the limit is 2 (raise it with 'limits egress N')"

	egress_config "${e1[@]}"
	lines=$(wc -l < "/tmp/$P.ecmpd.log")
	for i in 10 11; do
		ip -n "$P-rt" route add "198.19.2$i.0/24" via 198.18.202.2 dev eg2 proto static
	done
	for i in $(seq 1 50); do
		[ -n "$(topo_ctl "$P" route show 198.19.211.0/24)" ] && break
		sleep 0.1
	done
	out=$(egress_lookup 198.19.210.9)
	[ "$out" = "no_egress 198.18.202.2@eg2 eg2" ] &&
		[ "$(egress_use)" = "egress 2 egress_max 2 egress_left_out 1" ] &&
		[ "$(tail -n +"$lines" "/tmp/$P.ecmpd.log" | grep -c "egress eg2 (ifindex [0-9]*): ecmp_tx_ports is full, 2 interfaces")" = 1 ]
	result "two kernel routes via a third interface: mirrored, their frames left to the kernel (no_egress), said once" $? \
		"lookup: $out; $(egress_use); $(tail -n +"$lines" "/tmp/$P.ecmpd.log" | grep egress)"
	out=$(topo_ctl "$P" stats --format prometheus | grep 'egress')
	echo "$out" | grep -qx 'ecmp_table_entries{table="egress"} 2' &&
		echo "$out" | grep -qx 'ecmp_table_entries_max{table="egress"} 2' &&
		echo "$out" | grep -qx "ecmp_egress_left_out 1"
	result "the egress interfaces in the Prometheus metrics" $? "$out"

	egress_config "routes kernel protocol static"
	topo_ctl "$P" reload > /dev/null
	out=$(egress_lookup 198.19.210.9)
	[ "$out" = "forwarded 198.18.202.2@eg2 eg2" ] &&
		[ "$(egress_use)" = "egress 2 egress_max 2 egress_left_out 0" ] &&
		grep -q "egress ifindex [0-9]*: in ecmp_tx_ports now" "/tmp/$P.ecmpd.log"
	result "eg1's nexthop removed: eg2 takes its entry, its flows forwarded in XDP" $? \
		"lookup: $out; $(egress_use)"
	for i in 10 11; do
		ip -n "$P-rt" route del "198.19.2$i.0/24" proto static
	done
}

# A namespace of more interfaces than ecmpd once tracked (512): 600 ifb
# interfaces, a nexthop out of the last made. They are made in a link
# group of their own to go in one deletion, one RCU grace period for all
# (10 s here one by one).
test_many_interfaces() {
	local out
	for i in $(seq 1 600); do
		echo "link add ix$i group 600 type ifb"
		echo "link set ix$i up"
	done | ip -n "$P-rt" -batch -
	ip -n "$P-rt" addr add 198.18.250.1/24 dev ix600
	ip -n "$P-rt" neigh replace 198.18.250.2 lladdr 02:00:00:00:25:02 dev ix600 nud permanent
	egress_config "nexthop x via 198.18.250.2 dev ix600" "group X buckets 64 nexthops x" \
		"route 198.19.250.0/24 group X"
	topo_ctl "$P" reload > /dev/null
	wait_state x up
	out=$(egress_lookup 198.19.250.9)
	[ "$out" = "forwarded x ix600" ]
	result "600 more interfaces: a nexthop out of the last one is up and forwarded to" $? \
		"lookup: $out; $(topo_ctl "$P" nexthop show x)"
	ip -n "$P-rt" link del group 600
}

# The router's own addresses past the 1,024 ecmpd once kept (kube-proxy's
# IPVS puts one per service on a node): 1,500 /32s on lo, none routed,
# then a kernel route over the last 220 of them, taken as one event.
test_many_local_addresses() {
	local out local free i
	for i in $(seq 0 1499); do
		echo "addr add 198.19.$((64 + i / 256)).$((i % 256))/32 dev lo"
	done | ip -n "$P-rt" -batch -
	egress_config "routes kernel protocol static"
	topo_ctl "$P" reload > /dev/null
	ip -n "$P-rt" route add 198.19.69.0/24 via 198.18.1.2 dev r1 proto static
	for i in $(seq 1 150); do	# until the route is in the data path
		[ "$(egress_lookup 198.19.69.250)" = "forwarded 198.18.1.2@r1 r1" ] && break
		sleep 0.1
	done
	local=$(topo_ctl "$P" lookup 198.18.0.1 198.19.69.219 | awk '{ print $1 }')
	free=$(egress_lookup 198.19.69.250)
	[ "$local" = local ] && [ "$free" = "forwarded 198.18.1.2@r1 r1" ] &&
		[ "$(topo_ctl "$P" route show 198.19.69.0/24 | grep -c ' local$')" = 220 ]
	result "1,500 own addresses, a kernel route over 220 of them: each delivered, not forwarded (the rest of the /24 is)" $? \
		"198.19.69.219: $local; 198.19.69.250: $free; $(topo_ctl "$P" route show 198.19.69.0/24 | grep -c ' local$') local entries"
	ip -n "$P-rt" route del 198.19.69.0/24 proto static
	for i in $(seq 0 1499); do
		echo "addr del 198.19.$((64 + i / 256)).$((i % 256))/32 dev lo"
	done | ip -n "$P-rt" -batch -
	# IPv6: 300 /128s, the last 2001:db8:77::12c, and a /64 over them.
	for i in $(seq 1 300); do
		printf 'addr add 2001:db8:77::%x/128 dev lo nodad\n' "$i"
	done | ip -n "$P-rt" -batch -
	ip -n "$P-rt" route add 2001:db8:77::/64 via 2001:db8:1::2 dev r1 proto static
	for i in $(seq 1 150); do
		topo_ctl "$P" lookup 2001:db8::1 2001:db8:77::12d | grep -q ^forwarded && break
		sleep 0.1
	done
	local=$(topo_ctl "$P" lookup 2001:db8::1 2001:db8:77::12c | awk '{ print $1 }')
	free=$(topo_ctl "$P" lookup 2001:db8::1 2001:db8:77::12d | awk '{ print $1 }')
	[ "$local" = local ] && [ "$free" = forwarded ]
	result "300 own IPv6 addresses under a kernel /64: delivered, the rest of the /64 forwarded" $? \
		"2001:db8:77::12c: $local; 2001:db8:77::12d: $free"
	ip -n "$P-rt" route del 2001:db8:77::/64 proto static
	for i in $(seq 1 300); do
		printf 'addr del 2001:db8:77::%x/128 dev lo\n' "$i"
	done | ip -n "$P-rt" -batch -
}

if ! setup; then
	result "ecmpd starts with a config at the limits" 1 "$(tail -3 "/tmp/$P.ecmpd.log")"
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
result "ecmpd starts with a config at the limits" 0
test_at_limits
test_past_limits
test_show_at_limits
test_configured_limits
test_swap_at_the_chunk_limit
test_compaction_at_the_chunk_limit
test_compaction_by_a_patch
test_compaction_at_restart
test_groups_in_the_room_check
test_fragmented_buckets
test_fragmented_buckets_mirror
test_egress_limit
test_many_interfaces
test_many_local_addresses
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
