#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Random route changes for tests/net/test_mirror_random.sh, and the check
of ecmpd's mirror against the kernel after them.

  mirror_random.py ops SEED ROUND N   N random changes for `ip -force
                                      -batch -`, after a first line
                                      "event NAME" (what the test does
                                      around them)
  mirror_random.py check NS CTL...    the differences between the kernel's
                                      main table in namespace NS and what
                                      ecmpd (ecmpctl CTL...) mirrors and
                                      looks up; nothing when they agree

The kernel's side is computed here from `ip -j route` and `ip -j nexthop`
alone, as docs/CONFIG.md says ecmpd mirrors: of one prefix's routes the
lowest metric wins; it is mirrored when its protocol is bgp or static, it
is unicast and every nexthop has a gateway; nexthop objects are expanded
from the object table whatever nexthop_compat_mode says. A config route
wins over the kernel's for its prefix. Every address is from SPEC §10's
test ranges; nothing here sends a frame.
"""
import ipaddress
import json
import random
import subprocess
import sys

CONFIG = {"198.19.0.0/16": "web", "2001:db8:100::/48": "web6"}
MIRRORED_PROTOCOLS = ("bgp", "static")
OUR_PROTOCOL = "236"		# ecmpd's copies of its config routes (fib.h)

V4 = ["198.19.0.0/16", "198.18.128.0/17", "198.18.200.0/24", "198.19.16.0/20",
      "198.19.17.0/24", "198.19.17.128/25", "198.19.17.200/32"] + \
     ["198.19.%d.0/24" % i for i in range(1, 9)] + ["198.19.3.7/32", "198.19.3.8/32"]
V6 = ["2001:db8:100::/48", "2001:db8:200::/48", "2001:db8:200:1::/64",
      "2001:db8:100:10::/60", "2001:db8:100:11::/64", "2001:db8:100:1::5/128"] + \
     ["2001:db8:100:%d::/64" % i for i in range(1, 7)]
# Prefixes only "simple" rounds change: one metric, so each change can be
# applied alone (a patch) unless a read is under way.
S4 = ["198.19.%d.0/24" % i for i in range(100, 108)] + ["198.19.100.64/26", "198.19.101.5/32"]
S6 = ["2001:db8:100:%x::/64" % i for i in range(0x20, 0x26)] + ["2001:db8:100:20::5/128"]
GW4 = [("198.18.%d.2" % i, "r%d" % i) for i in range(1, 5)]
GW6 = [("2001:db8:%d::2" % i, "r%d" % i) for i in range(1, 5)]
# Nexthop objects: 10-13 IPv4 paths, 14-16 IPv6 paths, 20-22 IPv4 groups
# (22 resilient), 23 an IPv6 group.
NH4, NH6, G4, G6 = [10, 11, 12, 13], [14, 15, 16], [20, 21, 22], [23]
# "simple": changes each of which ecmpd can apply alone (a patch: one
# metric, no config prefix, no object); the others make it read the table.
EVENTS = ["none", "none", "simple", "simple", "kill", "stop", "reload", "flap", "compat"]


def hops(r, gws):
    """Up to 4 distinct gateways, each with a weight now and then."""
    out = []
    for gw, dev in r.sample(gws, r.randint(1, len(gws))):
        w = r.choice([1, 1, 1, 2, 3])
        out.append("nexthop via %s dev %s%s" % (gw, dev, " weight %d" % w if w > 1 else ""))
    return " ".join(out)


def simple_op(r):
    v6 = r.random() < 0.4
    pfx = r.choice(S6 if v6 else S4)
    gws = GW6 if v6 else GW4
    metric = " metric 1024" if v6 else ""
    k = r.random()
    if k < 0.5:
        return "route replace %s proto bgp%s %s" % (pfx, metric, hops(r, gws))
    if k < 0.7:
        return "route del %s%s" % (pfx, metric)
    if k < 0.85 and v6:
        gw, dev = r.choice(gws)
        if r.random() < 0.5:
            return "route append %s proto bgp%s via %s dev %s" % (pfx, metric, gw, dev)
        return "route del %s%s via %s dev %s" % (pfx, metric, gw, dev)
    return "route add %s proto static%s %s" % (pfx, metric, hops(r, gws))


def one_op(r):
    v6 = r.random() < 0.4
    pfx = r.choice(V6 if v6 else V4)
    gws = GW6 if v6 else GW4
    proto = r.choice(["bgp", "bgp", "bgp", "static", "ospf"])
    metric = r.choice(["", "", "", " metric 10", " metric 20"])
    if v6 and metric == "":
        metric = " metric 1024"
    k = r.random()
    if k < 0.35:
        return "route replace %s proto %s%s %s" % (pfx, proto, metric, hops(r, gws))
    if k < 0.45:
        return "route add %s proto %s%s %s" % (pfx, proto, metric, hops(r, gws))
    if k < 0.58:
        return "route del %s%s" % (pfx, metric)
    if k < 0.63:
        return "route replace %s %s proto bgp%s" % (r.choice(["blackhole", "unreachable"]), pfx, metric)
    if k < 0.66:
        i = r.randrange(4)
        if v6 or r.random() < 0.5:	# through the link, no gateway: the kernel's
            return "route replace %s proto bgp%s dev r%d" % (pfx, metric, i + 1)
        # IPv4 over IPv6 gateways (RFC 5549), as BGP unnumbered has it
        return "route replace %s proto bgp%s %s" % (pfx, metric, " ".join(
            "nexthop via inet6 %s dev %s" % (g, d) for g, d in r.sample(GW6, r.randint(1, 3))))
    if k < 0.72 and v6:
        gw, dev = r.choice(gws)
        if r.random() < 0.5:
            return "route append %s proto bgp%s via %s dev %s" % (pfx, metric, gw, dev)
        return "route del %s%s via %s dev %s" % (pfx, metric, gw, dev)
    if k < 0.80:
        nh = r.choice(G6 + NH6 if v6 else G4 + NH4)
        return "route replace %s nhid %d proto %s%s" % (pfx, nh, proto, metric)
    # The nexthop objects themselves.
    k = r.random()
    if k < 0.4:
        ids, gw = (NH6, GW6) if v6 else (NH4, GW4)
        g, dev = r.choice(gw)
        return "nexthop replace id %d via %s dev %s" % (r.choice(ids), g, dev)
    if k < 0.75:
        gid = r.choice(G6 if v6 else G4)
        members = r.sample(NH6 if v6 else NH4, r.randint(1, 3))
        spec = "/".join("%d%s" % (m, "," + str(r.randint(2, 3)) if r.random() < 0.3 else "")
                        for m in members)
        extra = " type resilient buckets %d idle_timer 2" % r.choice([16, 32, 100]) if gid == 22 else ""
        # A resilient group cannot become a plain one or back by a
        # replace; the kernel refuses, which is a valid change too.
        return "nexthop replace id %d group %s%s" % (gid, spec, extra)
    return "nexthop del id %d" % r.choice(NH6 + G6 if v6 else NH4 + G4)


def ops(seed, rnd, n):
    r = random.Random("%s/%s" % (seed, rnd))
    event = r.choice(EVENTS)
    print("event", event)
    for _ in range(n):
        print(simple_op(r) if event == "simple" else one_op(r))


def run_json(cmd):
    out = subprocess.run(cmd, stdout=subprocess.PIPE, check=True).stdout
    return json.loads(out or b"[]")


def kernel_table(ns):
    """prefix -> ("mirror", set) | ("kernel", why) | ("ambiguous", why)."""
    ip = ["ip", "-n", ns, "-j"]
    objs = {o["id"]: o for o in run_json(ip + ["nexthop", "show"])}

    def obj_hops(nid):
        o = objs.get(nid)
        if o is None:
            return None
        if "group" in o:
            out = []
            for m in o["group"]:
                sub = objs.get(m["id"], {})
                out.append((sub.get("gateway"), sub.get("dev"), m.get("weight", 1)))
            return out
        return [(o.get("gateway"), o.get("dev"), 1)]

    by = {}
    for fam in ("-4", "-6"):
        for rt in run_json(ip + [fam, "route", "show", "table", "main"]):
            if rt.get("protocol") in ("kernel", OUR_PROTOCOL) or "dst" not in rt:
                continue
            d = rt["dst"]
            if d == "default":
                continue
            p = str(ipaddress.ip_network(d if "/" in d else d + ("/128" if ":" in d else "/32")))
            by.setdefault(p, []).append(rt)
    table = {}
    for p, rts in by.items():
        low = min(rt.get("metric", 0) for rt in rts)
        win = [rt for rt in rts if rt.get("metric", 0) == low]
        if len(win) > 1:
            table[p] = ("ambiguous", "%d routes at metric %d" % (len(win), low))
            continue
        rt = win[0]
        if "nhid" in rt:
            hs = obj_hops(rt["nhid"])
        else:
            # RTA_VIA (an IPv4 route over an IPv6 gateway): "via".
            hs = [(h.get("gateway") or h.get("via", {}).get("host"), h.get("dev"), h.get("weight", 1))
                  for h in rt.get("nexthops") or [rt]]
        if rt.get("protocol") not in MIRRORED_PROTOCOLS:
            table[p] = ("kernel", "protocol %s" % rt.get("protocol"))
        elif rt.get("type", "unicast") != "unicast":
            table[p] = ("kernel", rt.get("type"))
        elif not hs or not all(g for g, _, _ in hs):
            table[p] = ("kernel", "no gateway")
        else:
            table[p] = ("mirror", " ".join(sorted("%s@%s%s" % (g, d, "" if w == 1 else "*%d" % w)
                                                   for g, d, w in hs)))
    return table


def ecmpd_table(ctl):
    groups = {g["name"]: " ".join(sorted(m["nexthop"] for m in g["members"]))
              for g in run_json(ctl + ["-j", "group", "show"])}
    return {r["prefix"]: groups.get(r["group"], "?")
            for r in run_json(ctl + ["-j", "route", "show"]) if r.get("source") == "kernel"}


def probe_address(p):
    net = ipaddress.ip_network(p)
    return str(net.network_address + (9 if net.num_addresses > 16 else 0))


def longest(addr, prefixes):
    a = ipaddress.ip_address(addr)
    best = None
    for p in prefixes:
        n = ipaddress.ip_network(p)
        if n.version == a.version and a in n and (best is None or n.prefixlen > best.prefixlen):
            best = n
    return str(best) if best else None


def check(ns, ctl):
    kern = kernel_table(ns)
    ours = ecmpd_table(ctl)
    diffs = []
    want = {p: v[1] for p, v in kern.items() if v[0] == "mirror" and p not in CONFIG}
    skip = {p for p, v in kern.items() if v[0] == "ambiguous"}
    for p in sorted(set(want) | set(ours)):
        if p in skip:
            continue
        if want.get(p) != ours.get(p):
            diffs.append("%s kernel [%s] ecmpd [%s]" % (p, want.get(p, "-"), ours.get(p, "-")))
    # Lookups through the pinned maps: an address of each prefix of the
    # pool goes where the longest of the kernel's and the config's routes
    # says, several flows each.
    routes = set(kern) | set(CONFIG)
    lines, expect = [], []
    for p in V4 + V6 + S4 + S6:
        addr = probe_address(p)
        lp = longest(addr, routes)
        if lp in skip:
            continue
        src = "2001:db8::1" if ":" in addr else "198.18.0.1"
        for sport in (1000, 2000, 3000, 4000):
            lines.append("%s %s udp %d 5001" % (src, addr, sport))
            expect.append((addr, lp))
    out = subprocess.run(ctl + ["-j", "lookup", "-"], input="\n".join(lines) + "\n",
                         stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    for (addr, lp), line in zip(expect, out.splitlines()):
        got = json.loads(line)
        res, route = got.get("result"), got.get("route")
        if lp is None:
            ok, say = res == "no_route", "no route"
        elif lp in CONFIG:
            ok, say = res == "forwarded" and route == lp and got.get("group") == CONFIG[lp], \
                "config group %s" % CONFIG[lp]
        elif kern[lp][0] == "mirror":
            ok, say = res == "forwarded" and route == lp and got.get("nexthop") in kern[lp][1].split(), \
                "one of [%s]" % kern[lp][1]
        else:
            ok, say = res != "forwarded" and route == lp, "the kernel (%s)" % kern[lp][1]
        if not ok:
            diffs.append("lookup %s: route %s, want %s; got %s" % (addr, lp, say, line.strip()))
    if len(out.splitlines()) != len(expect):
        diffs.append("lookup: %d answers to %d questions" % (len(out.splitlines()), len(expect)))
    for d in diffs:
        print(d)
    print("# %d prefixes in the kernel, %d mirrored by ecmpd, %d lookups, %d ambiguous"
          % (len(kern), len(ours), len(expect), len(skip)), file=sys.stderr)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "ops":
        ops(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) > 3 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
