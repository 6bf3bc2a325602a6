#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Installs, from Debian, exactly what the build, the tests, the demo and the
# benchmarks need. Idempotent: when everything is present it does nothing
# (not even `apt-get update`). prometheus is there for its promtool, which
# checks `ecmpctl stats --format prometheus` in the tests; libsystemd-dev
# for ecmpd's sd_notify, libmicrohttpd-dev for its /metrics; pandoc builds
# the man pages, man-db renders them; bird2 is the second routing daemon
# the tests run under `routes kernel`; debhelper, lintian and dpkg-dev build
# and check the Debian package; clang-19, Debian 13's default compiler,
# builds the BPF objects a second time (tests/bpf/test_compilers.sh).
#   sh scripts/install-deps.sh [PACKAGE...]
set -e

PACKAGES="clang clang-19 llvm gcc make pkg-config bpftool libbpf-dev libxdp-dev xdp-tools
libelf-dev zlib1g-dev libmnl-dev iproute2 ethtool frr bird2 valgrind gnuplot-nox iperf3
python3 nftables traceroute iputils-ping prometheus libsystemd-dev libmicrohttpd-dev pandoc man-db
debhelper lintian dpkg-dev"
# Other packages when named (scripts/frr-new.sh's build dependencies).
[ $# = 0 ] || PACKAGES="$*"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "deps: all present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing; run as root (sudo make deps)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
