#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# FRR 10 beside Debian 12's FRR 8.4, for tests/net/test_fpm_table.sh: the
# zebra of FRR 9.1 and later takes `-R TABLE`, which 8.4 lacks. Builds
# zebra (with dplane_fpm_nl), mgmtd, staticd and vtysh, and the libyang
# they need (8.4's is too old), from Debian 13's source packages on the
# Debian mirror, into PREFIX (default /opt/frr10). Nothing of the
# system's is replaced: the apt lists of Debian 13 are kept in the build
# directory, and the system's FRR stays what the other tests run.
#
#   sh scripts/frr-new.sh [PREFIX]     (root; about 3 minutes on 2 CPUs)
#
# Does nothing when PREFIX already holds such a zebra.
set -e
PREFIX=${1:-/opt/frr10}
if "$PREFIX/sbin/zebra" --help 2>/dev/null | grep -q -- "--routing-table" &&
   [ -x "$PREFIX/sbin/mgmtd" ] && [ -x "$PREFIX/bin/vtysh" ]; then
	echo "frr-new: $("$PREFIX/sbin/zebra" -v | head -1) in $PREFIX"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "frr-new: needs root (apt-get, the frr user's directories)" >&2
	exit 1
fi
id frr > /dev/null 2>&1 || {
	echo "frr-new: no user frr; install Debian's frr first (make deps)" >&2
	exit 1
}

export DEBIAN_FRONTEND=noninteractive
BUILD_DEPS="autoconf automake libtool bison flex gawk texinfo cmake pkg-config
libc-ares-dev libcap-dev libjson-c-dev libpcre2-dev libprotobuf-c-dev
protobuf-c-compiler libpython3-dev libreadline-dev libunwind-dev libelf-dev"
# shellcheck disable=SC2086
sh "$(dirname "$0")/install-deps.sh" $BUILD_DEPS

work=$(mktemp -d /tmp/frr-new.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p lists/partial
cat > trixie.sources <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
set -- -o Dir::Etc::SourceList="$work/trixie.sources" -o Dir::Etc::SourceParts=/dev/null \
	-o Dir::State::Lists="$work/lists" -o Dir::Cache::pkgcache="$work/pkg.bin" \
	-o Dir::Cache::srcpkgcache="$work/src.bin" -o APT::Sandbox::User=root
echo "frr-new: Debian 13's frr and libyang sources"
apt-get "$@" -qq update
apt-get "$@" -qq source --download-only frr libyang > /dev/null
for t in frr_*.orig.tar.* libyang_*.orig.tar.*; do
	tar xf "$t"
done

echo "frr-new: libyang"
mkdir libyang-build
(cd libyang-build && cmake -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_BUILD_TYPE=Release \
	-DENABLE_TESTS=OFF ../libyang-*/ > ../libyang.log 2>&1 &&
	make -j"$(nproc)" >> ../libyang.log 2>&1 && make install >> ../libyang.log 2>&1) ||
	{ tail -20 libyang.log; exit 1; }

echo "frr-new: frr (zebra, mgmtd, staticd, vtysh)"
cd frr-*/
# Every daemon but those three: they are all the test runs.
off=""
for d in bgpd ripd ripngd ospfd ospf6d ldpd nhrpd eigrpd babeld isisd pimd pim6d \
	 pbrd fabricd vrrpd pathd bfdd snmp scripting rpki doc; do
	off="$off --disable-$d"
done
# shellcheck disable=SC2086
{ ./bootstrap.sh && PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig" ./configure \
	--prefix="$PREFIX" --sysconfdir="$PREFIX/etc" --localstatedir="$PREFIX/var" \
	--with-moduledir="$PREFIX/lib/frr/modules" --enable-user=frr --enable-group=frr \
	--enable-vty-group=frrvty $off \
	LDFLAGS="-L$PREFIX/lib -Wl,-rpath,$PREFIX/lib" &&
	make -j"$(nproc)" && make install; } > "$work/frr.log" 2>&1 ||
	{ tail -20 "$work/frr.log"; exit 1; }
# The daemons' run and state directories, the frr user's as in Debian's
# package.
mkdir -p "$PREFIX/var/run/frr" "$PREFIX/var/lib/frr"
chown frr:frr "$PREFIX/var/run/frr" "$PREFIX/var/lib/frr"
echo "frr-new: $("$PREFIX/sbin/zebra" -v | head -1) in $PREFIX"
