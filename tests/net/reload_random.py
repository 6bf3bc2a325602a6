#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Random configs for tests/net/test_reload_random.sh, and the checks of
what ecmpd does with them.

  reload_random.py next SEED ROUND HEADER CUR NEXT CONF
        the model NEXT (JSON) of a config derived at random from the model
        CUR ("-" for none), and its text CONF (HEADER's lines, then the
        nexthops, groups and routes); prints the event to go with it:
        reload, sighup, same (reload, nothing changed), restart (ecmpd
        killed, started on the new file), restart-same (killed, started on
        the same file), invalid (CONF has one mistake
        that reload must refuse; NEXT is the config without it)
  reload_random.py snap CTL...
        what ecmpd (ecmpctl CTL...) shows now, as JSON: groups with their
        members' buckets, routes, nexthop states and the lookup of every
        probe flow
  reload_random.py check MODEL SNAP
        how the snapshot differs from the model: routes, groups, members,
        weights and bucket counts as configured, every member's share of
        buckets within one of its weight's, every nexthop up, every probe
        flow where the longest configured route sends it
  reload_random.py compare OLD OLDSNAP NEW NEWSNAP EVENT
        the flows that moved where docs/CONFIG.md "Reload" says they may
        not: within a group kept by name whose table did not shrink, a
        flow moves only from a nexthop that lost buckets (or left) to one
        that gained buckets (or joined); a nexthop whose address changed
        is a new neighbour, free to take any; beside a new nexthop, which
        joins once resolved, a member may first gain what it gains with
        the group balanced without the newcomer. After "same", and after
        "restart-same" and "invalid" (nothing may change), no flow moves at
        all.

Every address is from SPEC section 10's test ranges; nothing here sends a
frame (`ecmpctl lookup` reads the pinned maps).
"""
import json
import random
import subprocess
import sys

from mirror_random import longest, probe_address

# Prefixes routes are drawn from; each probe's longest match in the pool is
# its own prefix, so a route taken away hands its flows to the covering one.
V4 = ["198.19.0.0/16", "198.19.16.0/20", "198.19.17.0/24", "198.19.17.128/25",
      "198.19.17.200/32", "198.18.128.0/17", "198.19.64.0/18", "198.19.65.0/24"]
V6 = ["2001:db8:100::/48", "2001:db8:100:10::/60", "2001:db8:100:11::/64",
      "2001:db8:100:1::5/128", "2001:db8:200::/48", "2001:db8:200:1::/64"]
GW4 = [("198.18.%d.2" % i, "r%d" % i) for i in range(1, 5)]
GW6 = [("2001:db8:%d::2" % i, "r%d" % i) for i in range(1, 5)]
# Two names may share one gateway (they are two nexthops of ecmpd's).
NH4 = ["a%d" % i for i in range(1, 7)]
NH6 = ["b%d" % i for i in range(1, 6)]
GROUPS4 = ["g%d" % i for i in range(1, 5)]
GROUPS6 = ["h%d" % i for i in range(1, 4)]
BUCKETS = [16, 64, 256, 1024, 4096, 8192, 16384, 16384]
FLOWS_PER_PREFIX = 96
EVENTS = ["reload"] * 6 + ["sighup", "same", "restart", "restart-same", "invalid", "invalid"]


def flows():
    """(src, dst, proto, sport, dport) of every probe flow, in order."""
    out = []
    for p in V4 + V6:
        v6 = ":" in p
        src, proto, dport = ("2001:db8::1", "tcp", 443) if v6 else ("198.18.0.1", "udp", 80)
        for i in range(FLOWS_PER_PREFIX):
            out.append((src, probe_address(p), proto, 20000 + i, dport))
    return out


def sticky(r, old, p, draw):
    """old, or with probability p (or when there is none) a new draw."""
    return draw() if old is None or r.random() < p else old


def derive(r, cur):
    """The next config's model: nexthops {name: [via, dev, weight]},
    groups {name: [buckets, [members]]}, routes {prefix: group}."""
    cur = cur or {"nexthops": {}, "groups": {}, "routes": {}}
    nhs = {}
    for names, gws in ((NH4, GW4), (NH6, GW6)):
        for name in names:
            old = cur["nexthops"].get(name)
            if r.random() < (0.85 if old else 0.5):
                via, dev = sticky(r, old and tuple(old[:2]), 0.1, lambda: r.choice(gws))
                w = sticky(r, old and old[2], 0.15, lambda: r.choice([1, 1, 2, 3, 5]))
                nhs[name] = [via, dev, w]
    groups = {}
    for names, fam in ((GROUPS4, NH4), (GROUPS6, NH6)):
        own = [n for n in fam if n in nhs]
        for name in names:
            old = cur["groups"].get(name)
            if not own or r.random() > (0.9 if old else 0.6):
                continue
            pool = own if r.random() < 0.9 else list(nhs)   # now and then mixed
            members = [m for m in (old[1] if old else []) if m in nhs]
            if not members:
                members = r.sample(pool, r.randint(1, min(4, len(pool))))
            elif r.random() < 0.3:
                extra = [m for m in pool if m not in members]
                if len(members) > 1 and (not extra or r.random() < 0.4):
                    members.remove(r.choice(members))
                elif extra:
                    members.append(r.choice(extra))
            buckets = sticky(r, old and old[0], 0.25, lambda: r.choice(BUCKETS))
            while buckets < len(members):
                buckets *= 2
            groups[name] = [buckets, sorted(members)]
    # Within the 65536 slots of the test's limits, or nearly all files
    # would be refused: the largest tables halved until they fit alone
    # (beside the tables they replace, some still do not: refused).
    while sum(g[0] for g in groups.values()) > 65536:
        big = max(groups, key=lambda n: groups[n][0])
        groups[big][0] //= 2
    routes = {}
    for pool, names in ((V4, GROUPS4), (V6, GROUPS6)):
        own = [g for g in names if g in groups]
        for p in pool:
            old = cur["routes"].get(p)
            present = r.random() > 0.15 if old is not None else r.random() < 0.4
            if not present or not groups:
                continue
            if old in groups and r.random() > 0.2:
                routes[p] = old
            elif own and r.random() < 0.9:
                routes[p] = r.choice(own)
            else:	# an IPv4 route over IPv6 nexthops, or the reverse
                routes[p] = r.choice(sorted(groups))
    return {"nexthops": nhs, "groups": groups, "routes": routes}


def text(model):
    lines = []
    for name, (via, dev, w) in sorted(model["nexthops"].items()):
        lines.append("nexthop %s via %s dev %s weight %d" % (name, via, dev, w))
    for name, (buckets, members) in sorted(model["groups"].items()):
        lines.append("group %s buckets %d idle_timer 0.5 unbalanced_timer 1 nexthops %s"
                     % (name, buckets, " ".join(members)))
    for p, g in sorted(model["routes"].items()):
        lines.append("route %s group %s" % (p, g))
    return lines


def spoil(r, lines):
    """lines with one mistake a reload must refuse."""
    kinds = ["unknown nexthop", "unknown group", "buckets", "interface",
             "duplicate route", "host bits", "weight", "few buckets"]
    kind = r.choice(kinds)
    groups = [i for i, ln in enumerate(lines) if ln.startswith("group ")]
    routes = [i for i, ln in enumerate(lines) if ln.startswith("route ")]
    if kind == "unknown nexthop" and groups:
        i = r.choice(groups)
        lines[i] += " zz9"
    elif kind == "buckets" and groups:
        i = r.choice(groups)
        lines[i] = lines[i].replace("buckets ", "buckets 3", 1)
    elif kind == "few buckets":
        lines += ["nexthop zz5 via 198.18.1.2 dev r1", "nexthop zz4 via 198.18.2.2 dev r2",
                  "group zz6 buckets 1 nexthops zz5 zz4"]
    elif kind == "interface":
        lines.append("nexthop zz8 via 198.18.1.2 dev r9")
    elif kind == "duplicate route" and routes:
        lines.append(lines[r.choice(routes)])
    elif kind == "host bits":
        lines.append("route 198.19.17.1/24 group %s" % (lines[groups[0]].split()[1] if groups else "g1"))
    elif kind == "weight":
        lines.append("nexthop zz7 via 198.18.2.2 dev r2 weight 0")
    else:
        lines.append("route 198.19.99.0/24 group nosuch")
    return kind


def cmd_next(seed, rnd, header, cur_path, next_path, conf_path):
    r = random.Random("%s/%s" % (seed, rnd))
    cur = None if cur_path == "-" else json.load(open(cur_path))
    event = "reload" if cur is None else r.choice(EVENTS)
    model = cur if event in ("same", "restart-same") else derive(r, cur)
    lines = text(model)
    if event == "invalid":
        event = "invalid " + spoil(r, lines).replace(" ", "-")
    with open(next_path, "w") as f:
        json.dump(model, f)
    with open(conf_path, "w") as f:
        f.write(open(header).read())
        f.write("\n".join(lines) + "\n")
    print(event)


def run_json(cmd, stdin=None):
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True).stdout
    return out


def cmd_snap(ctl):
    groups = {}
    for g in json.loads(run_json(ctl + ["-j", "group", "show"])):
        groups[g["name"]] = {"buckets": g["buckets"],
                             "members": {m["nexthop"]: [m["weight"], m["buckets"]]
                                         for m in g["members"]}}
    routes = {x["prefix"]: x["group"] for x in json.loads(run_json(ctl + ["-j", "route", "show"]))}
    nhs = {n["name"]: n.get("state") for n in json.loads(run_json(ctl + ["-j", "nexthop", "show"]))}
    lines = "".join("%s %s %s %d %d\n" % f for f in flows())
    looked = []
    for ln in run_json(ctl + ["-j", "lookup", "-"], stdin=lines).splitlines():
        x = json.loads(ln)
        looked.append([x.get("result"), x.get("route"), x.get("group"), x.get("nexthop")])
    json.dump({"groups": groups, "routes": routes, "nexthops": nhs, "flows": looked}, sys.stdout)


def cmd_check(model, snap):
    diffs = []
    if snap["routes"] != model["routes"]:
        diffs.append("routes: %s, configured %s" % (snap["routes"], model["routes"]))
    for name, (buckets, members) in sorted(model["groups"].items()):
        g = snap["groups"].get(name)
        if g is None:
            diffs.append("group %s missing" % name)
            continue
        want = {m: model["nexthops"][m][2] for m in members}
        have = {m: w for m, (w, _) in g["members"].items()}
        if g["buckets"] != buckets or have != want:
            diffs.append("group %s: buckets %d members %s, configured %d %s"
                         % (name, g["buckets"], have, buckets, want))
            continue
        total = sum(want.values())
        for m, (w, n) in sorted(g["members"].items()):
            if abs(n - buckets * w / total) >= 1:
                diffs.append("group %s: %s has %d of %d buckets at weight %d of %d"
                             % (name, m, n, buckets, w, total))
    for name in sorted(set(snap["groups"]) - set(model["groups"])):
        diffs.append("group %s not configured" % name)
    if sorted(snap["nexthops"]) != sorted(model["nexthops"]):
        diffs.append("nexthops %s, configured %s" % (sorted(snap["nexthops"]), sorted(model["nexthops"])))
    diffs += ["nexthop %s %s" % (n, s) for n, s in sorted(snap["nexthops"].items()) if s != "up"]
    bad = {}
    for f, (res, route, group, nh) in zip(flows(), snap["flows"]):
        want = longest(f[1], model["routes"])
        if want is None:
            ok = res != "forwarded"
        else:
            ok = (res == "forwarded" and route == want and group == model["routes"][want]
                  and nh in model["groups"][group][1])
        if not ok:
            bad.setdefault(f[1], "%s %s %s %s, want %s %s" % (
                res, route, group, nh, want, want and model["routes"][want]))
    diffs += ["lookup %s: %s" % kv for kv in sorted(bad.items())]
    return diffs


def cmd_compare(old, osnap, new, nsnap, event):
    if event.startswith("invalid") or event in ("same", "restart-same"):
        return ["%s: %s changed" % (event, what) for what in ("groups", "routes", "flows")
                if osnap[what] != nsnap[what]]
    changed = {n for n in set(old["nexthops"]) | set(new["nexthops"])
               if old["nexthops"].get(n, [0, 0])[:2] != new["nexthops"].get(n, [0, 0])[:2]}
    readdressed = {n for n in changed if n in old["nexthops"] and n in new["nexthops"]}
    bad, kept, moved = {}, 0, 0
    for f, o, n in zip(flows(), osnap["flows"], nsnap["flows"]):
        if o[0] != "forwarded" or n[0] != "forwarded" or o[1:3] != n[1:3]:
            continue
        g = o[2]
        before, after = osnap["groups"][g], nsnap["groups"][g]
        if after["buckets"] < before["buckets"] or o[3] in changed or n[3] in changed:
            continue
        if o[3] == n[3]:
            kept += 1
            continue
        moved += 1
        k = after["buckets"] / before["buckets"]
        had = {m: c * k for m, (_, c) in before["members"].items()}
        has = {m: c for m, (_, c) in after["members"].items()}
        # A member with a new address goes out and comes back (docs/
        # CONFIG.md "Reload"): meanwhile the others hold its buckets and
        # are above their shares, so a newcomer, or the member back,
        # takes from any of them, not only from those that end with less.
        # A new nexthop joins unusable until resolved (the same page):
        # meanwhile the group is balanced without it, so a member may
        # first gain from a loser and then give its share to the newcomer.
        fresh = {m for m in after["members"] if m not in old["nexthops"]}
        stay = {m: w for m, (w, _) in after["members"].items() if m not in fresh}
        meanwhile = ({m: after["buckets"] * w / sum(stay.values()) for m, w in stay.items()}
                     if fresh and stay else {})
        lost = (readdressed & (set(before["members"]) | set(after["members"]))
                or o[3] not in has or has[o[3]] < had[o[3]])
        gained = (n[3] not in had or has[n[3]] > had[n[3]]
                  or meanwhile.get(n[3], 0) > had[n[3]])
        if not (lost and gained):
            key = (g, o[3], n[3])
            bad[key] = bad.get(key, 0) + 1
    sys.stderr.write("kept %d moved %d\n" % (kept, moved))
    return ["group %s: %d flows moved from %s (%s) to %s (%s)" % (
        g, c, x, osnap["groups"][g]["members"].get(x), y, nsnap["groups"][g]["members"].get(y))
        for (g, x, y), c in sorted(bad.items())]


def out(diffs):
    """Nothing at all when there is no difference."""
    sys.stdout.write("".join(d + "\n" for d in diffs))


def main():
    a = sys.argv[1:]
    if a[0] == "next":
        cmd_next(*a[1:7])
    elif a[0] == "snap":
        cmd_snap(a[1:])
    elif a[0] == "check":
        out(cmd_check(json.load(open(a[1])), json.load(open(a[2]))))
    elif a[0] == "compare":
        out(cmd_compare(json.load(open(a[1])), json.load(open(a[2])),
                        json.load(open(a[3])), json.load(open(a[4])), a[5]))
    else:
        sys.exit("usage: see the docstring")


if __name__ == "__main__":
    main()
