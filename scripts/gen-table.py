#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A synthetic Internet routing table, the same for the same SEED.

    gen-table.py SEED [--v4 N] [--v6 N] [--sets N] [--gateways GW@DEV,...]
    gen-table.py SEED --hosts N [--sets N] [--gateways GW@DEV,...]

Prints `ip -batch` lines (`route add PREFIX proto bgp nexthop via GW dev
DEV ...`), IPv4 then IPv6, each prefix once, never inside the test
networks 198.18.0.0/15 and 2001:db8::/32 (those are the test hosts'), so a
table loaded into a test router leaves its links alone. Defaults: the
full-table shape of 2026 (1,000,000 IPv4 prefixes, about 60 % /24 and
most of the rest /16-/23; 250,000 IPv6, mostly /48 with /32-/44), over
100 distinct nexthop sets of the gateways given (each set: 1 to 4 of
them). Only the kernel's FIB and the data path's maps hold these
prefixes: frames sent in tests carry test addresses only.

With --hosts, N host routes (/32, N <= 65536) in 10.244.0.0/16 instead
(flannel's and kubeadm's usual pod network): what a Kubernetes cluster
announcing its pods' or services' addresses over BGP puts in a router,
thousands of routes under one /16.
"""
import argparse
import ipaddress
import itertools
import random
import sys

V4_LENGTHS = [(24, 60), (23, 9), (22, 11), (21, 5), (20, 5), (19, 4), (18, 2),
              (17, 1.5), (16, 1.5), (15, 0.5), (14, 0.3), (13, 0.2)]
V6_LENGTHS = [(48, 55), (44, 10), (40, 8), (36, 4), (32, 12), (29, 3), (46, 3),
              (47, 2), (42, 2), (28, 1)]
TEST_NETS = [ipaddress.ip_network("198.18.0.0/15"), ipaddress.ip_network("2001:db8::/32")]


def lengths(table, n, rnd):
    """n prefix lengths drawn with the table's weights."""
    lens, weights = zip(*table)
    return rnd.choices(lens, weights=weights, k=n)


def prefixes(version, n, rnd):
    """n distinct prefixes of the given IP version, in the public ranges."""
    seen = set()
    table = V4_LENGTHS if version == 4 else V6_LENGTHS
    bits = 32 if version == 4 else 128
    out = []
    for plen in lengths(table, n * 2, rnd):
        if len(out) == n:
            break
        if version == 4:
            first = rnd.randint(1, 223)   # unicast, below class D
            addr = (first << 24) | rnd.getrandbits(24)
        else:
            addr = (0x2000 + rnd.getrandbits(9)) << 112 | rnd.getrandbits(112)  # 2000::/3 and beyond
        addr &= ((1 << bits) - 1) ^ ((1 << (bits - plen)) - 1)
        net = ipaddress.ip_network((addr, plen))
        if net in seen or any(net.overlaps(t) for t in TEST_NETS):
            continue
        if version == 4 and (net.is_private or net.is_multicast or net.is_reserved or
                             net.is_loopback or net.is_link_local):
            continue
        seen.add(net)
        out.append(net)
    while len(out) < n:   # the rare shortfall: more /24s
        out.extend(prefixes(version, n - len(out), rnd))
    return out[:n]


def nexthop_sets(gateways, n, rnd):
    """n distinct non-empty sets of 1 to 4 gateways (fewer if there are not n)."""
    all_sets = [c for k in range(1, min(4, len(gateways)) + 1)
                for c in itertools.combinations(gateways, k)]
    rnd.shuffle(all_sets)
    return all_sets[:n]


def nexthop_words(gateways, n, rnd):
    """n nexthop sets of the gateways (GW@DEV,...), as `ip route` words."""
    sets = nexthop_sets(gateways.split(","), n, rnd)
    return [" ".join("nexthop via %s dev %s" % tuple(g.split("@")) for g in s) for s in sets]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("--v4", type=int, default=1000000)
    ap.add_argument("--v6", type=int, default=250000)
    ap.add_argument("--sets", type=int, default=100)
    ap.add_argument("--hosts", type=int, default=0,
                    help="N host routes in 10.244.0.0/16 instead of a table")
    ap.add_argument("--gateways", default="198.18.1.2@r1,198.18.2.2@r2,198.18.3.2@r3,198.18.4.2@r4",
                    help="IPv4 gateways GW@DEV, comma-separated")
    ap.add_argument("--gateways6", default="2001:db8:1::2@r1,2001:db8:2::2@r2,2001:db8:3::2@r3,2001:db8:4::2@r4")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out = sys.stdout
    if a.hosts:
        if a.hosts > 65536:
            ap.error("--hosts: at most 65536 host routes fit in one /16")
        hops = nexthop_words(a.gateways, a.sets, rnd)
        for i in range(a.hosts):
            out.write("route add 10.244.%d.%d/32 proto bgp %s\n" % (i >> 8, i & 255, rnd.choice(hops)))
        return
    for version, n, gws in ((4, a.v4, a.gateways), (6, a.v6, a.gateways6)):
        if not n:
            continue
        hops = nexthop_words(gws, a.sets, rnd)
        for net in prefixes(version, n, rnd):
            out.write("route add %s proto bgp %s\n" % (net, rnd.choice(hops)))


if __name__ == "__main__":
    main()
