#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs the test binaries and namespace tests, one "TEST: ... [ OK ]" line per
# test, and ends with the total: "N passed, N failed".
#   tests/run.sh check   fast unit tests only
#   tests/run.sh all     everything (needs root for the BPF and namespace tests)
BUILD=${BUILD:-build}
mode=${1:-all}
log=$(mktemp)
lane_dir=$(mktemp -d)	# the niced lane's (below)
trap 'rm -f "$log" "$log.rc"; rm -rf "$lane_dir"' EXIT
status=0
# The system's tools first (see scripts/topo.sh): a python3 shim of a
# user's would cost 0.4 s a call.
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
# Under SANITIZE=1 every binary (ecmpd in the namespace tests too) writes
# ASan/UBSan/LSan reports here; any report fails the run.
if [ "${SANITIZE:-}" = 1 ]; then
	san_dir=/tmp/ecmp-sanitizer
	rm -rf "$san_dir"
	mkdir -p "$san_dir"
	export ASAN_OPTIONS="log_path=$san_dir/asan:detect_leaks=1:abort_on_error=0:fast_unwind_on_malloc=0"
	export UBSAN_OPTIONS="log_path=$san_dir/ubsan:print_stacktrace=1"
	# LeakSanitizer's pass at a process's exit takes 40-60 ms here, and
	# the namespace tests run ecmpctl some 2,000 times: most of them run
	# it (topo_ctl) without that pass, still under ASan and UBSan. Its
	# leaks are looked for by the tests that run each of its commands
	# (net/ecmpd, net/monitor's long-running monitor, net/links' ICMP
	# lookups: TOPO_CTL_ASAN_OPTIONS emptied below; net/mirror's route
	# show all) and by its fuzzers (fuzz_cli, fuzz_ctl); ecmpd's, in
	# every test.
	export TOPO_CTL_ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
fi

# The CPUs' busy time so far, in clock ticks (/proc/stat's first line:
# all but idle and iowait).
cpu_busy() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

run() { # name command...
	name=$1
	shift
	echo "== $name"
	t0=$(date +%s%N)
	busy0=$(cpu_busy)
	from=$(($(wc -l < "$log") + 1))
	# The command's own status, not tee's (sh has no pipefail).
	{ "$@" 2>&1; echo $? > "$log.rc"; } | tee -a "$log"
	rc=$(cat "$log.rc")
	# Not in the log: where CI's time goes, and how busy the CPUs were
	# (a test that waits on timers leaves them idle).
	ms=$((($(date +%s%N) - t0) / 1000000 + 1))
	echo "   ($name: $((ms / 1000)) s, CPUs $((($(cpu_busy) - busy0) * 100000 / ($(getconf CLK_TCK) * $(nproc) * ms)))% busy)"
	# A command that died before printing its own summary, or failed
	# without saying which test, counts as a failure. Only its own lines
	# are looked at: the summary of the one before does not count.
	if ! tail -n +"$from" "$log" | grep -q "passed, .* failed"; then
		echo "TEST: $name exited without a summary (status $rc)          [FAIL]" | tee -a "$log"
	elif [ "$rc" != 0 ] && ! tail -n +"$from" "$log" | grep -q '^TEST: .*\[FAIL\]'; then
		echo "TEST: $name exited with status $rc, no test failed       [FAIL]" | tee -a "$log"
	fi
	[ "$rc" = 0 ] || status=1
}

# The trie's and the bucket allocator's tests allocate at every change:
# with the slow unwinder (full stacks through libraries built without
# frame pointers) test_lpm took 70 s under SANITIZE=1, 10 s with the
# frame-pointer one, which is exact for code that calls no library (ours
# is built with -fno-omit-frame-pointer); test_bucket 9 s and 4 s.
fast_unwind="${ASAN_OPTIONS:-}:fast_unwind_on_malloc=1"
run unit/lpm env ASAN_OPTIONS="$fast_unwind" "$BUILD/tests/test_lpm"
run unit/lpm_live env ASAN_OPTIONS="$fast_unwind" "$BUILD/tests/test_lpm_live"
run unit/hash "$BUILD/tests/test_hash"
run unit/bucket env ASAN_OPTIONS="$fast_unwind" "$BUILD/tests/test_bucket"
run unit/config "$BUILD/tests/test_config"
run unit/bfd "$BUILD/tests/test_bfd"
run unit/mirror "$BUILD/tests/test_mirror"
run unit/fpm "$BUILD/tests/test_fpm"
run unit/slots "$BUILD/tests/test_slots"
run unit/policy_rules "$BUILD/tests/test_policy_rules"
run unit/layers bash tests/unit/test_layers.sh
run unit/version env BUILD="$BUILD" bash tests/unit/test_version.sh
run unit/docs bash tests/unit/test_docs.sh

# The niced lane: tests that compile or fuzz, bound by CPU and judging no
# time, run one after another in the background at the lowest priority
# while the namespace tests run in front. Those wait on timers and leave
# the CPUs idle half the time or more (their "CPUs N% busy" lines); the
# lane takes that idle time and gives a CPU back as soon as a test wants
# it. Its output and results join the run's at lane_collect.
lane() {
	log="$lane_dir/log"
	: > "$log"
	run unit/install nice -n 19 bash tests/unit/test_install.sh
	run unit/package nice -n 19 bash tests/unit/test_package.sh
	# The same BPF sources through Debian 13's clang (19), and 16.
	run bpf/compilers nice -n 19 env BUILD="$BUILD" bash tests/bpf/test_compilers.sh
	# Each fuzz target briefly (make fuzz runs them longer).
	run fuzz nice -n 19 env BUILD="$BUILD" FUZZ_SECONDS="${FUZZ_SECONDS:-7}" sh tests/fuzz/run.sh
	echo "$status" > "$lane_dir/status"
}
lane_start() {
	lane > "$lane_dir/out" 2>&1 &
	lane_pid=$!
}
lane_collect() {
	echo "== the niced lane (started before bpf/xdp)"
	wait "$lane_pid"
	cat "$lane_dir/out"
	cat "$lane_dir/log" >> "$log"
	[ "$(cat "$lane_dir/status" 2>/dev/null)" = 0 ] || status=1
}

if [ "$mode" = all ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "TEST: BPF and namespace tests need root                        [FAIL]" | tee -a "$log"
		status=1
	else
		mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
		# Built once, as shipped (the sanitized run has nothing to add).
		[ "${SANITIZE:-}" = 1 ] || lane_start
		run bpf/xdp "$BUILD/tests/test_xdp" "$BUILD"
		run bpf/vlan "$BUILD/tests/test_vlan_learning" "$BUILD"
		run net/ecmpd env TOPO_CTL_ASAN_OPTIONS= BUILD="$BUILD" bash tests/net/test_ecmpd.sh
		run net/tc env BUILD="$BUILD" bash tests/net/test_tc.sh
		run net/limits env BUILD="$BUILD" bash tests/net/test_limits.sh
		run net/reload_random env BUILD="$BUILD" bash tests/net/test_reload_random.sh
		run net/faults env BUILD="$BUILD" bash tests/net/test_faults.sh
		run net/safety env BUILD="$BUILD" bash tests/net/test_safety.sh
		run net/router env BUILD="$BUILD" bash tests/net/test_router.sh
		run net/redirects env BUILD="$BUILD" bash tests/net/test_redirects.sh
		run net/links env TOPO_CTL_ASAN_OPTIONS= BUILD="$BUILD" bash tests/net/test_links.sh
		run net/mirror env BUILD="$BUILD" bash tests/net/test_mirror.sh
		# net/bfd's timers (50 ms x 3) kept out of the first 4-5
		# minutes: the lane and CI's sanitized build keep both CPUs
		# busy then, and this VM's host stops busy CPUs for 100 ms at
		# a time (BENCHMARKS §6). There the reload storm's transmissions
		# were 96-98 ms late (its limit 100) and one failover took 252
		# ms (250); before the lane, 0-1.4 ms late.
		run net/bfd env BUILD="$BUILD" bash tests/net/test_bfd.sh
		run net/mirror_random env BUILD="$BUILD" bash tests/net/test_mirror_random.sh
		run net/fpm env BUILD="$BUILD" bash tests/net/test_fpm.sh
		# FRR 10's zebra -R (scripts/frr-new.sh). Once: what it adds
		# is FRR's side, and net/fpm runs ecmpd's table filter sanitized.
		[ "${SANITIZE:-}" = 1 ] ||
			run net/fpm_table env BUILD="$BUILD" bash tests/net/test_fpm_table.sh
		run net/fpm_random env BUILD="$BUILD" bash tests/net/test_fpm_random.sh
		# FRR's BGP around ecmpd's mirror, which net/mirror and net/fpm
		# run sanitized too: once is enough.
		[ "${SANITIZE:-}" = 1 ] ||
			run net/bgp env BUILD="$BUILD" bash tests/net/test_bgp.sh
		# BIRD's routes through the same mirror: once, as for FRR's BGP.
		[ "${SANITIZE:-}" = 1 ] ||
			run net/bird env BUILD="$BUILD" bash tests/net/test_bird.sh
		# The IGPs' equal-cost paths (FRR ospfd, ospf6d, isisd): once too.
		[ "${SANITIZE:-}" = 1 ] ||
			run net/igp env BUILD="$BUILD" bash tests/net/test_igp.sh
		run net/service env BUILD="$BUILD" bash tests/net/test_service.sh
		run net/monitor env TOPO_CTL_ASAN_OPTIONS= BUILD="$BUILD" bash tests/net/test_monitor.sh
		# Valgrind cannot run ASan binaries; the sanitized run has ASan.
		[ "${SANITIZE:-}" = 1 ] ||
			run net/valgrind env BUILD="$BUILD" bash tests/net/test_valgrind.sh
		# The fuzzers are sanitized builds already and the benchmarks
		# run from CI's `BENCH_QUICK=1 make bench`: once is enough.
		if [ "${SANITIZE:-}" != 1 ]; then
			lane_collect
			run bench/profile env BUILD="$BUILD" bash tests/bench/test_profile.sh
			# The benchmark still builds and runs (figures are not checked);
			# CI runs `BENCH_QUICK=1 make bench` itself (ECMP_CI_BENCH=1).
			echo "== bench/smoke"
			if [ "${ECMP_CI_BENCH:-}" = 1 ]; then
				echo "   (left to CI's own BENCH_QUICK=1 make bench)"
			elif BENCH_QUICK=1 "$BUILD/tests/bench_xdp" "$BUILD" > /tmp/ecmp-bench-smoke.log 2>&1 &&
			   BENCH_QUICK=1 BUILD="$BUILD" bash scripts/bench-pps.sh >> /tmp/ecmp-bench-smoke.log 2>&1 &&
			   grep -q "ecmp-xdp / kernel multipath" /tmp/ecmp-bench-smoke.log; then
				echo "TEST: make bench runs (BENCH_QUICK=1)                             [ OK ]" | tee -a "$log"
			else
				tail -3 /tmp/ecmp-bench-smoke.log
				echo "TEST: make bench runs (BENCH_QUICK=1)                             [FAIL]" | tee -a "$log"
				status=1
			fi
		fi
	fi
fi

if [ "${SANITIZE:-}" = 1 ]; then
	reports=$(ls "$san_dir" 2>/dev/null | wc -l)
	if [ "$reports" = 0 ]; then
		echo "TEST: sanitizers (ASan, UBSan, LSan): no findings                [ OK ]" | tee -a "$log"
	else
		head -30 "$san_dir"/* 
		echo "TEST: sanitizers: $reports reports in $san_dir                    [FAIL]" | tee -a "$log"
	fi
fi
passed=$(grep -c '^TEST: .*\[ OK \]' "$log")
failed=$(grep -c '^TEST: .*\[FAIL\]' "$log")
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ $status -eq 0 ]
