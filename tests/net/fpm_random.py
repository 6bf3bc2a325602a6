#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""zebra's FPM stream at random, for tests/net/test_fpm_random.sh: plays
zebra (dplane_fpm_nl, with nexthop groups) against ecmpd's `routes fpm
listen`, and after each round checks that ecmpd holds exactly the routes
it was sent.

  FPM_CTL="ecmpctl ..." fpm_random.py SEED ROUNDS PORT RESTART
    run in the router's namespace; RESTART: a shell command that kills
    and starts ecmpd again; FPM_CTL: the ecmpctl command (in the
    environment: a pkill -f of ecmpd's socket path must not match this)

Each round sends changes in frames of one to three messages: path
objects replaced, nexthop groups made, replaced and removed (never one a
route names, as zebra does), routes over a group (sent before it now and
then) or over their own paths, replaced and deleted, a DEL and NEW of one
prefix in one frame. Now and then around a round: the connection closed
and made again (zebra restarted), or ecmpd killed and started again; then
the whole table is sent again as zebra replays it, groups first or routes
first. After each round ecmpd's routes are those sent and `ecmpctl
lookup` of each prefix goes by them; at the end zebra withdraws all.
Prints one line a round ("round N EVENT: ok" or the differences), one for
the withdrawal, and a last line "rounds N, failed N".
"""
import json
import os
import random
import socket
import struct
import subprocess
import sys
import time

# The kernel mirror's checker has the config's routes and the longest match.
from mirror_random import CONFIG, longest, probe_address

RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWNEXTHOP, RTM_DELNEXTHOP = 24, 25, 104, 105
NLM_F_REQUEST, NLM_F_CREATE, NLM_F_REPLACE = 0x1, 0x400, 0x100
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_MULTIPATH, RTA_TABLE, RTA_NH_ID = 1, 4, 5, 6, 9, 15, 30
NHA_ID, NHA_GROUP, NHA_OIF, NHA_GATEWAY = 1, 2, 5, 6
RTPROT_BGP = 186
TRACE = open(os.environ["FPM_TRACE"], "w") if os.environ.get("FPM_TRACE") else None

V4 = ["198.19.%d.0/24" % i for i in range(150, 160)] + ["198.19.160.0/22", "198.19.161.7/32"]
V6 = ["2001:db8:100:%x::/64" % i for i in range(0x50, 0x56)] + ["2001:db8:100:56::9/128"]
GW = {4: ["198.18.%d.2" % i for i in range(1, 5)], 6: ["2001:db8:%d::2" % i for i in range(1, 5)]}
PATHS = {4: [100, 101, 102, 103], 6: [104, 105, 106, 107]}
GROUPS = {4: [200, 201, 202, 203], 6: [204, 205]}
EVENTS = ["none", "none", "none", "none", "reconnect", "restart"]


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def nlmsg(t, flags, body):
    return struct.pack("=IHHII", 16 + len(body), t, NLM_F_REQUEST | flags, 0, 0) + body


def fam(addr):
    return 6 if ":" in addr else 4


def addr_bytes(a):
    return socket.inet_pton(socket.AF_INET6 if fam(a) == 6 else socket.AF_INET, a)


class Model:
    """What zebra has sent: the state ecmpd must end up with."""

    def __init__(self, ifindex):
        self.ifindex = ifindex		# "r1" -> its index in the router
        self.paths = {}			# id -> (gateway, dev)
        self.groups = {}		# id -> [(path id, weight)]
        self.routes = {}		# prefix -> ("nhg", id) | ("hops", [(gw, dev, w)])
        self.last = None		# the last change, in words (FPM_TRACE)

    def path_msg(self, pid, deleted=False):
        gw, dev = self.paths[pid]
        body = struct.pack("=BBBBI", socket.AF_INET6 if fam(gw) == 6 else socket.AF_INET, 0, RTPROT_BGP, 0, 0)
        body += attr(NHA_ID, struct.pack("=I", pid)) + attr(NHA_OIF, struct.pack("=I", self.ifindex[dev]))
        body += attr(NHA_GATEWAY, addr_bytes(gw))
        return nlmsg(RTM_DELNEXTHOP if deleted else RTM_NEWNEXTHOP, 0 if deleted else NLM_F_CREATE | NLM_F_REPLACE, body)

    def group_msg(self, gid, deleted=False):
        body = struct.pack("=BBBBI", 0, 0, RTPROT_BGP, 0, 0) + attr(NHA_ID, struct.pack("=I", gid))
        if not deleted:
            body += attr(NHA_GROUP, b"".join(struct.pack("=IBBH", m, w - 1, 0, 0) for m, w in self.groups[gid]))
        return nlmsg(RTM_DELNEXTHOP if deleted else RTM_NEWNEXTHOP, 0 if deleted else NLM_F_CREATE | NLM_F_REPLACE, body)

    def route_msg(self, prefix, deleted=False):
        addr, plen = prefix.split("/")
        f = fam(addr)
        body = struct.pack("=BBBBBBBBI", socket.AF_INET6 if f == 6 else socket.AF_INET, int(plen), 0, 0,
                           254, RTPROT_BGP, 0, 1, 0)
        body += attr(RTA_DST, addr_bytes(addr)) + attr(RTA_TABLE, struct.pack("=I", 254))
        body += attr(RTA_PRIORITY, struct.pack("=I", 20))
        if deleted:
            return nlmsg(RTM_DELROUTE, 0, body)
        kind, v = self.routes[prefix]
        if kind == "nhg":
            body += attr(RTA_NH_ID, struct.pack("=I", v))
        elif len(v) == 1:
            body += attr(RTA_GATEWAY, addr_bytes(v[0][0])) + attr(RTA_OIF, struct.pack("=I", self.ifindex[v[0][1]]))
        else:
            hops = b""
            for gw, dev, w in v:
                a = attr(RTA_GATEWAY, addr_bytes(gw))
                hops += struct.pack("=HBBi", 8 + len(a), 0, w - 1, self.ifindex[dev]) + a
            body += attr(RTA_MULTIPATH, hops)
        return nlmsg(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, body)

    def expected(self):
        """prefix -> sorted "gw@dev*w" names, the routes ecmpd can resolve."""
        out = {}
        for p, (kind, v) in self.routes.items():
            if kind == "nhg":
                if v not in self.groups:
                    continue	# its group not sent yet: not in the data path
                hops = [self.paths[m] + (w,) for m, w in self.groups[v]]
            else:
                hops = v
            out[p] = " ".join(sorted("%s@%s%s" % (g, d, "" if w == 1 else "*%d" % w) for g, d, w in hops))
        return out

    def how(self, p):
        """What was sent for p, for a difference's line."""
        kind, v = self.routes.get(p, ("deleted", None))
        if kind == "nhg":
            return "over group %d: %s" % (v, self.groups.get(v, "not sent"))
        return kind

    def named(self):
        return {v for kind, v in self.routes.values() if kind == "nhg"}


def frame(msgs):
    data = b"".join(msgs)
    return struct.pack("!BBH", 1, 1, 4 + len(data)) + data


class Zebra:
    def __init__(self, port):
        self.port = port
        self.sock = None

    def connect(self):
        for _ in range(100):
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port))
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("fpm_random: cannot connect to ecmpd's FPM port %d" % self.port)

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def send(self, msgs):
        self.sock.sendall(frame(msgs))


def random_hops(r, f):
    devs = r.sample(range(4), r.randint(1, 4))
    if len(devs) == 1:
        return [(GW[f][devs[0]], "r%d" % (devs[0] + 1), 1)]
    return [(GW[f][i], "r%d" % (i + 1), r.choice([1, 1, 2, 3])) for i in devs]


def change(r, m):
    """One random change: applied to the model, returned as messages."""
    f = 6 if r.random() < 0.4 else 4
    k = r.random()
    if k < 0.1:
        pid = r.choice(PATHS[f])
        i = r.randrange(4)
        m.paths[pid] = (GW[f][i], "r%d" % (i + 1))
        m.last = "path %d %s" % (pid, m.paths[pid])
        return [m.path_msg(pid)]
    if k < 0.25:
        gid = r.choice(GROUPS[f])
        if gid in m.groups and gid not in m.named() and r.random() < 0.3:
            del m.groups[gid]
            m.last = "group %d deleted" % gid
            return [m.group_msg(gid, deleted=True)]
        m.groups[gid] = [(p, r.choice([1, 1, 2, 3])) for p in r.sample(PATHS[f], r.randint(1, 3))]
        m.last = "group %d %s" % (gid, m.groups[gid])
        return [m.group_msg(gid)]
    p = r.choice(V6 if f == 6 else V4)
    if k < 0.4:
        if p not in m.routes:
            return []
        del m.routes[p]
        m.last = "route %s deleted" % p
        return [m.route_msg(p, deleted=True)]
    m.routes[p] = ("nhg", r.choice(GROUPS[f])) if r.random() < 0.5 else ("hops", random_hops(r, f))
    msgs = [m.route_msg(p)]
    m.last = "route %s %s" % (p, m.routes[p])
    if k < 0.5:		# a DEL and NEW in one frame: one replace
        msgs.insert(0, m.route_msg(p, deleted=True))
        m.last += " (DEL+NEW)"
    return msgs


def replay(r, m, z):
    """What zebra sends on (re)connect: every path, group and route."""
    objs = [m.path_msg(p) for p in sorted(m.paths)] + [m.group_msg(g) for g in sorted(m.groups)]
    routes = [m.route_msg(p) for p in sorted(m.routes)]
    msgs = objs + routes if r.random() < 0.7 else routes + objs
    for i in range(0, len(msgs), 8):
        z.send(msgs[i:i + 8])


def ecmpd_routes(ctl):
    run = lambda *a: json.loads(subprocess.run(ctl + ["-j"] + list(a), stdout=subprocess.PIPE,
                                               check=True).stdout or b"[]")
    groups = {g["name"]: " ".join(sorted(x["nexthop"] for x in g["members"])) for g in run("group", "show")}
    return {x["prefix"]: groups.get(x["group"], "?") for x in run("route", "show") if x.get("source") == "fpm"}


def lookups(m, ctl):
    """ecmpctl lookup through the pinned maps: an address of each prefix
    goes by the longest of the routes sent and the config's."""
    want = m.expected()
    routes = list(m.routes) + list(CONFIG)
    lines, expect = [], []
    for p in V4 + V6:
        a = probe_address(p)
        src = "2001:db8::1" if ":" in a else "198.18.0.1"
        lines.append("%s %s udp 1000 5001" % (src, a))
        expect.append((a, longest(a, routes)))
    out = subprocess.run(ctl + ["-j", "lookup", "-"], input="\n".join(lines) + "\n", stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout.splitlines()
    bad = []
    for (a, lp), line in zip(expect, out):
        got = json.loads(line)
        if lp in CONFIG:
            ok = got.get("result") == "forwarded" and got.get("group") == CONFIG[lp]
        elif lp in want:
            ok = got.get("result") == "forwarded" and got.get("route") == lp and \
                got.get("nexthop") in want[lp].split()
        else:		# sent over a group not sent yet: the kernel's
            ok = got.get("result") != "forwarded" and got.get("route") == lp
        if not ok:
            bad.append("lookup %s: route %s [%s]; got %s" % (a, lp, want.get(lp, "the kernel's"), line))
    if len(out) != len(expect):
        bad.append("lookup: %d answers to %d questions" % (len(out), len(expect)))
    return bad


def differences(m, ctl):
    want, got = m.expected(), ecmpd_routes(ctl)
    d = ["%s sent [%s] ecmpd [%s] (%s)" % (p, want.get(p, "-"), got.get(p, "-"), m.how(p))
         for p in sorted(set(want) | set(got)) if want.get(p) != got.get(p)]
    return d or lookups(m, ctl)


def main():
    if len(sys.argv) != 5 or not os.environ.get("FPM_CTL"):
        sys.exit(__doc__)
    seed, rounds, port, restart = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    ctl = os.environ["FPM_CTL"].split()
    r = random.Random(seed)
    m = Model({"r%d" % i: socket.if_nametoindex("r%d" % i) for i in range(1, 5)})
    for f in (4, 6):
        for i, pid in enumerate(PATHS[f]):
            m.paths[pid] = (GW[f][i], "r%d" % (i + 1))
    z = Zebra(port)
    z.connect()
    replay(r, m, z)
    failed = 0
    for n in range(1, rounds + 1):
        event = r.choice(EVENTS)
        if event == "restart":
            z.close()
            subprocess.run(["bash", "-c", restart], check=True)
        elif event == "reconnect":
            z.close()
        for _ in range(r.randint(10, 30)):
            msgs = []
            for _ in range(r.randint(1, 3)):
                m.last = None
                msgs += change(r, m)
                if TRACE and m.last:
                    print("  %d: %s%s" % (n, m.last, "" if z.sock else " (zebra away)"), file=TRACE)
            if msgs and z.sock:
                z.send(msgs)
        if not z.sock:		# zebra back: it replays what it has now
            z.connect()
            replay(r, m, z)
        # A replay ends after the sweep time and 2 s of quiet (CONFIG.md).
        for _ in range(100):
            d = differences(m, ctl)
            if not d:
                break
            time.sleep(0.1)
        print("round %d %s: %s" % (n, event, "ok" if not d else "%d differences" % len(d)))
        for line in d[:5]:
            print("    " + line)
        failed += bool(d)
        sys.stdout.flush()
    # zebra withdraws everything: routes, then groups and paths.
    msgs = [m.route_msg(p, deleted=True) for p in sorted(m.routes)]
    msgs += [m.group_msg(g, deleted=True) for g in sorted(m.groups)]
    msgs += [m.path_msg(p, deleted=True) for p in sorted(m.paths)]
    m.routes, m.groups = {}, {}
    for i in range(0, len(msgs), 8):
        z.send(msgs[i:i + 8])
    for _ in range(100):
        d = differences(m, ctl)
        if not d:
            break
        time.sleep(0.1)
    print("withdrawn: %s" % ("ok" if not d else "%d differences" % len(d)))
    for line in d[:5]:
        print("    " + line)
    failed += bool(d)
    z.close()
    print("rounds %d, failed %d" % (rounds, failed))


if __name__ == "__main__":
    main()
