#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The Debian package: `dpkg-buildpackage -us -uc -b` in a copy of the tree
# builds a .deb holding the programs, objects, unit, example config, man
# pages and completion; dpkg installs it into a scratch root, where the
# installed ecmpd checks the example; lintian finds no error or warning
# (its notes are printed); dpkg removes it, keeping the conffile.
set -u
cd "$(dirname "$0")/../.."
. tests/result.sh
unset MAKEFLAGS MAKELEVEL MFLAGS SANITIZE

T=$(mktemp -d /tmp/ecmp-package.XXXXXX)
trap 'rm -rf "$T"' EXIT
V=$(cat VERSION)
DEB=$T/xdp-ecmp_${V}_$(dpkg --print-architecture).deb

mkdir "$T/xdp-ecmp"
git ls-files --cached --others --exclude-standard | tar -cf - -T - | tar -xf - -C "$T/xdp-ecmp"
(cd "$T/xdp-ecmp" && dpkg-buildpackage -us -uc -b -Jauto) > "$T/build.log" 2>&1
# The status first: a $(...) in the name would reset $? before result sees it.
[ -f "$DEB" ]
rc=$?
result "dpkg-buildpackage -us -uc -b: $(basename "$DEB")" $rc "$(tail -5 "$T/build.log")"
if [ ! -f "$DEB" ]; then
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
[ "$(dpkg-parsechangelog -l debian/changelog -S Version)" = "$V" ]
result "debian/changelog's version is VERSION ($V)" $?

list=$(dpkg-deb -c "$DEB" | awk '{ print $6 }')
missing=""
for f in ./usr/sbin/ecmpd ./usr/sbin/ecmpctl ./usr/lib/xdp-ecmp/ecmp_xdp.bpf.o \
	./usr/lib/xdp-ecmp/ecmp_tc.bpf.o ./lib/systemd/system/ecmpd.service \
	./etc/ecmp/ecmpd.conf.example ./usr/share/bash-completion/completions/ecmpctl \
	./usr/share/man/man8/ecmpd.8.gz ./usr/share/man/man8/ecmpctl.8.gz \
	./usr/share/man/man5/ecmpd.conf.5.gz ./usr/share/doc/xdp-ecmp/copyright \
	./usr/lib/sysusers.d/xdp-ecmp.conf; do
	echo "$list" | grep -qx -- "$f" || missing="$missing $f"
done
[ -z "$missing" ]
result "the .deb holds programs, objects, unit, example, man pages, completion, sysusers" $? "missing:$missing"

R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
: > "$R/var/lib/dpkg/status"
dpkgr() { dpkg --root="$R" --force-script-chrootless --force-depends --log=/dev/null "$@"; }
host_groups=$(md5sum < /etc/group)
out=$(dpkgr -i "$DEB" 2>&1) &&
	"$R/usr/sbin/ecmpd" -c "$R/etc/ecmp/ecmpd.conf.example" --check --offline > /dev/null &&
	"$R/usr/sbin/ecmpd" --help | grep -q "/usr/lib/xdp-ecmp/ecmp_xdp.bpf.o"
result "dpkg -i into a scratch root; the installed ecmpd checks the example" $? "$out"
# The readers' group (control group ecmp), made in the root installed
# into, not on this machine.
grep -q "^ecmp:x:[0-9]*:" "$R/etc/group" 2>/dev/null && [ "$(md5sum < /etc/group)" = "$host_groups" ]
result "postinst: group ecmp created (systemd-sysusers, in the scratch root only)" $? \
	"$(cat "$R/etc/group" 2>&1)"

out=$(lintian --fail-on error,warning "$DEB" 2>&1)
result "lintian: no error, no warning" $? "$out"
lintian -I --pedantic "$DEB" 2>&1 | grep -v "root privileges" | sed 's/^/  lintian note: /'

dpkgr -r xdp-ecmp > /dev/null 2>&1
[ ! -e "$R/usr/sbin/ecmpd" ] && [ -f "$R/etc/ecmp/ecmpd.conf.example" ]
result "dpkg -r: the programs gone, the conffile kept" $?
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
