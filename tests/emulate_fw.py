#!/usr/bin/env python3
"""Firewall emulation (issue 16, item 4): the rendered nftables and iptables rulesets, loaded
in a router network namespace, must let through exactly what GET /api/v1/policy/matrix says.

For each plan (the seed, and a generated plan of 30 VLANs and 300 rules):
  - a netsot server on 127.0.0.1 (a free port) with a temporary database holding the plan;
  - a router namespace with one veth per VLAN, named as the render names the router's
    interface into it (br0.20, ...), holding the VLAN's gateway address, plus a WAN veth
    (203.0.113.1/24: the render names no WAN interface); ip_forward on;
  - a client namespace per VLAN (an address of the VLAN's prefix that no host-specific rule
    names, default route via the gateway) and one for the WAN (203.0.113.2);
  - in each client a listener on every probed port, TCP and UDP (UDP answers, so a delivered
    datagram is told from a dropped one);
  - from each zone to every other: TCP and UDP probes on every port the matrix cell mentions
    (each range's ends and the ports just outside it) and a fixed sample, and an ICMP echo.
    A probe is "allowed" when the TCP handshake completes, the UDP answer arrives, the echo
    reply arrives; else denied (timeout: dropped; refused/unreachable: rejected).
The run fails unless every probe's outcome equals the matrix. Done for the nftables render
(nft -f) and then the iptables render (iptables-legacy-restore), each in a fresh topology.
Logging: a probe the default action denies must pass the "netsot forward denied" log, an
allowed one must not, and a probe decided by a rule that logs must pass that rule's log.
nftables: the probe's packets traced (nftrace, `nft monitor trace`); iptables: the LOG rule's
packet counter (a namespace's kernel log stays silent unless the host's nf_log_all_netns is
on, which this test leaves alone). On the seed, one rule is changed through the API (PATCH), the render fetched
again and loaded, and the probes show the new behaviour; then the rule is put back.

Every run is timed (setup, log check, probes, rule change, total, teardown included), and
a negative control (the render without one accepting rule) shows the probes can disagree.

usage: emulate_fw.py --netsot BIN --gen BIN --source DIR [--plans seed,gen30]
EMU_DEBUG=1 prints each prober's time.
Internal: emulate_fw.py listen PORTS... | emulate_fw.py probe (jobs on stdin)
Exit 77 (skipped) when not root or a tool is missing."""

import argparse
import errno
import ipaddress
import json
import os
import random
import re
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SAMPLE_PORTS = [22, 80, 443, 5432, 8472, 65000]
TIMEOUT = 0.5          # a probe's wait for an answer
RETRY_TIMEOUT = 2.0    # the second chance of a probe that disagreed (a busy machine)
INFLIGHT = 200         # probes in flight per source namespace
PARALLEL_SOURCES = 6   # source namespaces probing at once
WAN_NET = ipaddress.ip_network("203.0.113.0/24")
WAN_GW, WAN_CLIENT = "203.0.113.1", "203.0.113.2"
WAN_IF = "emu-wan"
SELF = os.path.abspath(__file__)


# --- inside a namespace: the listener and the prober ---------------------------------------

def cmd_listen(ports):
    """TCP: accept and close. UDP: answer every datagram with "ok"."""
    sel = selectors.DefaultSelector()
    for p in ports:
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind(("0.0.0.0", p))
        t.listen(1024)
        t.setblocking(False)
        sel.register(t, selectors.EVENT_READ, "tcp")
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("0.0.0.0", p))
        u.setblocking(False)
        sel.register(u, selectors.EVENT_READ, "udp")
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            try:
                if key.data == "tcp":
                    c, _ = s.accept()
                    c.close()
                else:
                    data, peer = s.recvfrom(2048)
                    s.sendto(b"ok:" + data, peer)
            except OSError:
                pass


def icmp_checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def cmd_probe(jobs, timeout):
    """jobs: [[id, dst, proto, port]]; prints {id: allowed|dropped|rejected}."""
    out = {}
    sel = selectors.DefaultSelector()
    pending = list(jobs)
    live = {}   # socket -> (id, deadline, proto, extra)
    ident = random.randrange(1, 65535)
    seq = 0

    def start(job):
        nonlocal seq
        jid, dst, proto, port = job
        deadline = time.monotonic() + timeout
        if proto == "tcp":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            rc = s.connect_ex((dst, port))
            if rc not in (0, errno.EINPROGRESS):
                out[jid] = "rejected"
                s.close()
                return
            sel.register(s, selectors.EVENT_WRITE)
            live[s] = (jid, deadline, proto, None)
        elif proto == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setblocking(False)
            s.connect((dst, port))
            token = ("%s" % jid).encode()
            try:
                s.send(token)
            except OSError:
                out[jid] = "rejected"
                s.close()
                return
            sel.register(s, selectors.EVENT_READ)
            live[s] = (jid, deadline, proto, b"ok:" + token)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            s.setblocking(False)
            seq += 1
            hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            payload = b"netsot-emulate"
            pkt = struct.pack("!BBHHH", 8, 0, icmp_checksum(hdr + payload), ident, seq) + payload
            s.sendto(pkt, (dst, 0))
            sel.register(s, selectors.EVENT_READ)
            live[s] = (jid, deadline, proto, (dst, ident, seq))

    def finish(s, verdict):
        jid = live.pop(s)[0]
        sel.unregister(s)
        s.close()
        out[jid] = verdict

    while pending or live:
        while pending and len(live) < INFLIGHT:
            start(pending.pop())
        now = time.monotonic()
        for s in [s for s, v in live.items() if v[1] <= now]:
            finish(s, "dropped")
        if not live:
            continue
        wait = max(0.0, min(v[1] for v in live.values()) - time.monotonic())
        for key, _ in sel.select(wait):
            s = key.fileobj
            if s not in live:
                continue
            jid, _, proto, extra = live[s]
            if proto == "tcp":
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                finish(s, "allowed" if err == 0 else "rejected")
            elif proto == "udp":
                try:
                    data = s.recv(2048)
                    if data == extra:
                        finish(s, "allowed")
                except OSError:
                    finish(s, "rejected")
            else:
                try:
                    while True:
                        data, peer = s.recvfrom(2048)
                        ihl = (data[0] & 15) * 4
                        t, _, _, i, q = struct.unpack("!BBHHH", data[ihl:ihl + 8])
                        if peer[0] == extra[0] and t == 0 and i == extra[1] and q == extra[2]:
                            finish(s, "allowed")
                            break
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    finish(s, "rejected")
    json.dump(out, sys.stdout)
    if os.environ.get("EMU_DEBUG"):
        sys.stderr.write("probe: %d jobs in %.2f s\n" % (len(jobs), time.monotonic() - T0))


# --- the orchestrator -----------------------------------------------------------------------

class Fail(Exception):
    pass


def die_with_parent():
    """For every child: SIGKILL when the orchestrator dies, even killed outright (a ctest
    timeout), so no listener or prober outlives it."""
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG


def popen(args, **kw):
    return subprocess.Popen(args, preexec_fn=die_with_parent, **kw)


def log(msg=""):
    print(msg, flush=True)


def run(args, check=True, input=None, capture=True):
    p = subprocess.run(args, input=input, text=True, capture_output=capture)
    if check and p.returncode != 0:
        raise Fail("%s: exit %d: %s" % (" ".join(args), p.returncode,
                                        (p.stderr or "").strip()[:2000]))
    return p


class Server:
    """netsot serve on 127.0.0.1, a free port, a temporary database with the plan."""

    def __init__(self, netsot, workdir, plan):
        self.netsot = netsot
        self.db = os.path.join(workdir, "netsot.db")
        run([netsot, "import", plan, "--db", self.db])
        password = "emulate-%d" % random.randrange(10 ** 9)
        run([netsot, "user", "add", "emu", "--role", "admin", "--password-stdin", "--db",
             self.db], input=password + "\n")
        self.out = open(os.path.join(workdir, "serve.log"), "w+")
        self.proc = popen([netsot, "serve", "--db", self.db, "--listen",
                                      "127.0.0.1:0"], stdout=self.out, stderr=subprocess.STDOUT)
        port = None
        for _ in range(100):
            self.out.seek(0)
            m = re.search(r"\(port (\d+)", self.out.read())
            if m:
                port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if port is None:
            self.out.seek(0)
            raise Fail("netsot serve did not start: " + self.out.read()[-2000:])
        self.url = "http://127.0.0.1:%d" % port
        self.token = None
        self.token = self.call("POST", "/api/v1/auth/login",
                               {"username": "emu", "password": password})[0]["access_token"]

    def call(self, method, path, body=None, headers=None, raw=False):
        h = dict(headers or {})
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                text = r.read().decode()
                return (text if raw else json.loads(text) if text else None), r.headers
        except urllib.error.HTTPError as e:
            raise Fail("%s %s: %d %s" % (method, path, e.code, e.read().decode()[:2000]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()


def parse_ports(text):
    """ "22,80-90" -> [(22, 22), (80, 90)]; "any" -> [(1, 65535)]."""
    if text is None or text == "any":
        return [(1, 65535)]
    out = []
    for part in text.split(","):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part.strip())
        if m:
            out.append((int(m.group(1)), int(m.group(2) or m.group(1))))
    return out


def cell_allows(cell, proto, port):
    for e in cell["allow"]:
        if e["protocol"] != proto:
            continue
        if proto == "icmp":
            return True
        if any(lo <= port <= hi for lo, hi in parse_ports(e.get("ports"))):
            return True
    return False


def cell_ports(cell):
    """The ports a cell mentions (allow, some, except): each range's ends and the ports just
    outside it; with the fixed sample."""
    ports = set(SAMPLE_PORTS)
    for lst in ("allow", "some", "except"):
        for e in cell[lst]:
            if e["protocol"] == "icmp" or e.get("ports") in (None, "any"):
                continue
            for lo, hi in parse_ports(e["ports"]):
                for p in (lo - 1, lo, hi, hi + 1):
                    if 1 <= p <= 65535:
                        ports.add(p)
    return sorted(ports)


class Topology:
    """The router and client namespaces of one run; torn down by close() whatever happened."""

    def __init__(self, tag):
        self.tag = tag
        self.router = "%sr" % tag
        self.namespaces = []
        self.listeners = {}   # ns -> (Popen, ports)

    def ns_add(self, name):
        run(["ip", "netns", "add", name])
        self.namespaces.append(name)
        run(["ip", "-n", name, "link", "set", "lo", "up"])

    def build(self, zones):
        """zones: key -> {ifname, gw, client, plen, ns}."""
        self.ns_add(self.router)
        batch = []
        for key, z in zones.items():
            self.ns_add(z["ns"])
            batch += ["link add %s type veth peer name eth0 netns %s" % (z["ifname"], z["ns"]),
                      "addr add %s/%d dev %s" % (z["gw"], z["plen"], z["ifname"]),
                      "link set %s up" % z["ifname"]]
        run(["ip", "-n", self.router, "-batch", "-"], input="\n".join(batch) + "\n")
        for key, z in zones.items():
            run(["ip", "-n", z["ns"], "-batch", "-"], input=
                "addr add %s/%d dev eth0\nlink set eth0 up\nroute add default via %s\n"
                % (z["client"], z["plen"], z["gw"]))
        run(["ip", "netns", "exec", self.router, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
        # The router's ICMP errors unlimited, so a rejected probe shows as rejected, not as
        # dropped (both are denied; the table tells them apart).
        run(["ip", "netns", "exec", self.router, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0",
             "net.ipv4.icmp_msgs_per_sec=100000", "net.ipv4.icmp_msgs_burst=100000"],
            check=False)

    def listen(self, ns, ports):
        old = self.listeners.get(ns)
        if old and old[1] == ports:
            return
        if old:
            self.stop_listener(ns)
        p = popen(["ip", "netns", "exec", ns, sys.executable, SELF, "listen"]
                             + [str(x) for x in ports], stdout=subprocess.PIPE, text=True)
        if p.stdout.readline().strip() != "ready":
            raise Fail("listener in %s did not start" % ns)
        self.listeners[ns] = (p, ports)

    def stop_listener(self, ns):
        p = self.listeners.pop(ns)[0]
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def close(self):
        for ns in list(self.listeners):
            try:
                self.stop_listener(ns)
            except Exception:
                pass
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.namespaces = []


def probe_all(topo, zones, jobs_by_src, timeout):
    """jobs_by_src: src key -> [[id, dst, proto, port]]; returns {id: outcome}."""
    results = {}
    queue = [k for k in jobs_by_src if jobs_by_src[k]]
    running = []
    while queue or running:
        while queue and len(running) < PARALLEL_SOURCES:
            k = queue.pop(0)
            # The jobs go in through a file, so every prober starts at once.
            jobs = tempfile.TemporaryFile("w+")
            json.dump(jobs_by_src[k], jobs)
            jobs.seek(0)
            p = popen(["ip", "netns", "exec", zones[k]["ns"], sys.executable, SELF,
                                  "probe", str(timeout)], stdin=jobs, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            jobs.close()
            running.append((k, p))
        k, p = running.pop(0)
        out, err = p.communicate()
        if p.returncode != 0:
            raise Fail("prober in %s: %s" % (zones[k]["ns"], err.strip()[-2000:]))
        results.update(json.loads(out))
        if os.environ.get("EMU_DEBUG"):
            log("    %s %s" % (k, err.strip()))
    return results


class Plan:
    """A plan served, its matrix and zones, and the namespaces' addresses for them."""

    def __init__(self, name, path, server, plan):
        self.name, self.path, self.server, self.plan = name, path, server, plan
        self.router = next(h["name"] for h in plan["hosts"] if h.get("kind") == "router")

    def fetch(self):
        self.matrix = self.server.call("GET", "/api/v1/policy/matrix")[0]
        self.cells = {(c["from"], c["to"]): c for c in self.matrix["cells"]}
        self.renders = {}
        for target in ("nftables", "iptables"):
            self.renders[target] = self.server.call(
                "GET", "/api/v1/render/%s?host=%s" % (target, self.router), raw=True)[0]

    def layout(self, tag):
        """zone key -> {ifname, gw, client, plen, ns} from the plan's prefixes and the router's
        gateway addresses; clients avoid every address of the plan and every rendered net
        that takes in part of their VLAN only."""
        gateways = {p["prefix"]: p.get("gateway") for p in self.plan["prefixes"]}
        router_if = {a["address"]: a.get("interface") for a in self.plan["ip-addresses"]
                     if a.get("host") == self.router}
        used = {a["address"] for a in self.plan["ip-addresses"]}
        nets = set()
        for text in self.renders.values():
            for m in re.finditer(r"(?:\bip [sd]addr|\s-[sd]) \{? ?([0-9./, ]+)", text):
                for n in re.split(r"[ ,]+", m.group(1)):
                    if re.fullmatch(r"[0-9.]+(/[0-9]+)?", n):
                        nets.add(ipaddress.ip_network(n, strict=False))
        zones = {}
        for z in self.matrix["zones"]:
            if z["key"] == "wan":
                continue
            v4 = [ipaddress.ip_network(p) for p in z["prefixes"] if ":" not in p]
            if not v4:
                raise Fail("zone %s has no IPv4 prefix" % z["key"])
            net = v4[0]
            gw = gateways.get(str(net))
            if not gw or not router_if.get(gw):
                raise Fail("%s: no router address with an interface for the gateway of %s"
                           % (z["key"], net))
            partial = [n for n in nets if not all(n.supernet_of(p) for p in v4)]
            client = None
            for host in reversed(list(net.hosts())):
                if str(host) in used or str(host) == gw:
                    continue
                if any(host in n for n in partial):
                    continue
                client = str(host)
                break
            if client is None:
                raise Fail("no free client address in %s" % net)
            zones[z["key"]] = {"ifname": router_if[gw], "gw": gw, "client": client,
                               "plen": net.prefixlen, "ns": "%sv%d" % (tag, z["vid"])}
        for z in self.matrix["zones"]:
            for p in z["prefixes"]:
                if ipaddress.ip_network(p).overlaps(WAN_NET):
                    raise Fail("the WAN test net %s is in the plan" % WAN_NET)
        zones["wan"] = {"ifname": WAN_IF, "gw": WAN_GW, "client": WAN_CLIENT, "plen": 24,
                        "ns": "%sw" % tag}
        made = {z["ifname"] for z in zones.values()}
        for target, text in self.renders.items():
            for name in re.findall(r'(?:iifname|oifname) "([^"]+)"|-[io] (\S+)', text):
                name = name[0] or name[1]
                if name != "lo" and name not in made:
                    raise Fail("%s names interface %s, which no VLAN gateway has"
                               % (target, name))
        return zones


def build_jobs(plan, zones, only=None):
    """Every probe: (src, dst, proto, port) -> expected; and the ports per destination."""
    expected = {}
    for (a, b), cell in plan.cells.items():
        if only and (a, b) not in only:
            continue
        for port in cell_ports(cell):
            for proto in ("tcp", "udp"):
                expected[(a, b, proto, port)] = cell_allows(cell, proto, port)
        expected[(a, b, "icmp", 0)] = cell_allows(cell, "icmp", 0)
    listen = {}
    for (a, b, proto, port) in expected:
        if proto != "icmp":
            listen.setdefault(b, set()).add(port)
    return expected, {k: sorted(v) for k, v in listen.items()}


def run_probes(topo, zones, expected, timeout=TIMEOUT):
    keys = list(expected)
    jobs = {}
    for i, (a, b, proto, port) in enumerate(keys):
        jobs.setdefault(a, []).append([str(i), zones[b]["client"], proto, port])
    res = probe_all(topo, zones, jobs, timeout)
    got = {keys[int(i)]: v for i, v in res.items()}
    # A second, slower chance for the probes that disagree: a busy machine, not the filter.
    retry = [k for k in keys if (got[k] == "allowed") != expected[k]]
    if retry:
        jobs = {}
        index = {k: i for i, k in enumerate(keys)}
        for k in retry:
            jobs.setdefault(k[0], []).append([str(index[k]), zones[k[1]]["client"],
                                              k[2], k[3]])
        res = probe_all(topo, zones, jobs, RETRY_TIMEOUT)
        got.update({keys[int(i)]: v for i, v in res.items()})
    return got, len(retry)


def zone_order(plan):
    return [z["key"] for z in plan.matrix["zones"]]


def print_table(plan, expected, got, title):
    """One line per ordered pair: the cell's allow, then each probe: '+' allowed, '-' denied
    ('r' when rejected rather than dropped), '!' before a probe that disagreed with the
    matrix."""
    log("  probe matrix %s: from > to | matrix allow | tcp ports | udp ports | icmp" % title)
    log("  ('+22' allowed, '-22' dropped, 'r22' rejected; '!' marks a probe that disagrees)")
    order = zone_order(plan)
    bad = 0
    for a in order:
        for b in order:
            if a == b or (a, b) not in {(k[0], k[1]) for k in expected}:
                continue
            cell = plan.cells[(a, b)]
            allow = " ".join("%s:%s" % (e["protocol"], e["ports"]) if "ports" in e
                             else e["protocol"] for e in cell["allow"]) or "-"
            parts = []
            for proto in ("tcp", "udp", "icmp"):
                items = []
                for k in sorted(k for k in expected if k[:3] == (a, b, proto)):
                    g = got[k]
                    mark = "+" if g == "allowed" else "r" if g == "rejected" else "-"
                    ok = (g == "allowed") == expected[k]
                    bad += not ok
                    items.append(("" if ok else "!") + mark +
                                 ("" if proto == "icmp" else str(k[3])))
                parts.append(" ".join(items))
            log("  %s > %s | %s | %s" % (a, b, allow, " | ".join(parts)))
    return bad


def describe(check):
    (a, b, proto, port), want, prefix, logged = check
    return "%s>%s %s%s (%s, log \"%s\" %s)" % (a, b, proto, "" if proto == "icmp" else
                                             "/%d" % port, "allowed" if want else "denied",
                                             prefix, "expected" if logged else "not expected")


def log_check_nft(topo, zones, checks):
    """nftables: each probe traced (nftrace set in a prerouting chain of a table of its own,
    read with `nft monitor trace`); its packets must pass a log statement with the prefix
    exactly when the check says so."""
    rules = []
    for (a, b, proto, port), _, _, _ in checks:
        match = "ip saddr %s ip daddr %s" % (zones[a]["client"], zones[b]["client"])
        match += " %s dport %d" % (proto, port) if proto != "icmp" else " meta l4proto icmp"
        rules.append("%s meta nftrace set 1" % match)
    run(["ip", "netns", "exec", topo.router, "nft", "-f", "-"], input=(
        "table inet emutrace {\n chain pre {\n  type filter hook prerouting priority -350;\n"
        + "".join("  %s\n" % r for r in rules) + " }\n}\n"))
    mon = popen(["ip", "netns", "exec", topo.router, "nft", "monitor", "trace"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(0.5)
    got, _ = run_probes(topo, zones, {c[0]: c[1] for c in checks})
    time.sleep(0.3)
    mon.terminate()
    out = mon.communicate()[0]
    run(["ip", "netns", "exec", topo.router, "nft", "delete", "table", "inet", "emutrace"])
    traces = {}
    for line in out.splitlines():
        m = re.match(r"trace id (\w+) (.*)", line)
        if m:
            traces.setdefault(m.group(1), []).append(m.group(2))
    ok = True
    for check in checks:
        (a, b, proto, port), want, prefix, logged = check
        ids = [t for t, lines in traces.items() if any(
            "ip saddr %s ip daddr %s " % (zones[a]["client"], zones[b]["client"]) in l
            and (proto == "icmp" or "%s dport %d " % (proto, port) in l) for l in lines)]
        hit = any('log prefix "%s"' % prefix in l for t in ids for l in traces[t])
        good = (got[check[0]] == "allowed") == want and len(ids) > 0 and hit == logged
        ok = ok and good
        log("  log (nft monitor trace): %s: %d packets traced, log hit: %s -> %s"
            % (describe(check), len(ids), hit, "ok" if good else "FAIL"))
    if not ok:
        log("  trace output:\n" + out[-4000:])
    return ok


def ipt_log_count(topo, prefix):
    out = run(["ip", "netns", "exec", topo.router, "iptables-legacy", "-L", "FORWARD", "-v",
               "-n", "-x"]).stdout
    counts = [int(line.split()[0]) for line in out.splitlines()
              if "LOG" in line and 'prefix "%s"' % prefix in line]
    if not counts:
        raise Fail('the iptables render has no forward LOG rule with prefix "%s"' % prefix)
    return sum(counts)


def log_check_ipt(topo, zones, checks):
    """iptables: the LOG rule's packet counter, zeroed before each probe, rises exactly when
    the check says the probe is logged (the kernel log of a namespace other than the first
    stays silent unless the host's nf_log_all_netns is set, which this test leaves alone)."""
    ok = True
    for check in checks:
        probe, want, prefix, logged = check
        run(["ip", "netns", "exec", topo.router, "iptables-legacy", "-Z", "FORWARD"])
        got, _ = run_probes(topo, zones, {probe: want})
        n = ipt_log_count(topo, prefix)
        good = (got[probe] == "allowed") == want and (n > 0) == logged
        ok = ok and good
        log("  log (iptables LOG rule counter): %s: counter %d -> %s"
            % (describe(check), n, "ok" if good else "FAIL"))
    return ok


def load(topo, target, text, workdir):
    path = os.path.join(workdir, "%s.rules" % target)
    with open(path, "w") as f:
        f.write(text)
    if target == "nftables":
        run(["ip", "netns", "exec", topo.router, "nft", "-f", path])
    else:
        with open(path) as f:
            p = subprocess.run(["ip", "netns", "exec", topo.router, "iptables-legacy-restore"],
                               stdin=f, capture_output=True, text=True)
        if p.returncode != 0:
            raise Fail("iptables-legacy-restore: " + p.stderr[-2000:])


def pick_log_probes(plan, expected, target):
    """The log checks: a denied probe the default action decides (a cell no rule touches)
    passes the "denied" log; an allowed one does not; a probe decided by a rule that logs (its
    cell's first rule, a VLAN to a VLAN, on its first port) passes the rule's own log."""
    checks = []
    denied = allowed = None
    for k in sorted(expected, key=lambda k: (k[2] != "tcp", k)):
        cell = plan.cells[(k[0], k[1])]
        if denied is None and not expected[k] and not cell["rules"]:
            denied = k
        if allowed is None and expected[k] and k[2] == "tcp":
            allowed = k
    if "netsot forward denied" in plan.renders[target] and denied and allowed:
        checks += [(denied, False, "netsot forward denied: ", True),
                   (allowed, True, "netsot forward denied: ", False)]
    for r in plan.plan.get("firewall-rules", []):
        if (r.get("scope") != "forward" or not r.get("log") or r.get("protocol") not in
                ("tcp", "udp") or not r.get("dst_ports") or "src_vlan" not in r
                or "dst_vlan" not in r):
            continue
        key = ("vlan%d" % r["src_vlan"], "vlan%d" % r["dst_vlan"])
        cell = plan.cells.get(key)
        if not cell or not cell["rules"] or cell["rules"][0] != r["name"]:
            continue
        port = parse_ports(r["dst_ports"])[0][0]
        name = r["name"] if target == "nftables" else r["name"][:20]
        checks.append(((key[0], key[1], r["protocol"], port), r["action"] == "accept",
                       "netsot %s: " % name, True))
        break
    return checks


def emulate(plan, target, tag, workdir, change=None):
    """One run: fresh namespaces, the render loaded, every probe. Returns (ok, timings)."""
    t0 = time.monotonic()
    topo = Topology(tag)
    ok = True
    times = {}
    try:
        zones = plan.layout(tag)
        expected, listen = build_jobs(plan, zones)
        topo.build(zones)
        for k, ports in listen.items():
            topo.listen(zones[k]["ns"], ports)
        load(topo, target, plan.renders[target], workdir)
        times["setup"] = time.monotonic() - t0
        log("\n== %s plan, %s render: %d zones, %d probes (%s client addresses: %s)"
            % (plan.name, target, len(zones), len(expected), len(zones),
               ", ".join("%s=%s@%s" % (k, z["client"], z["ifname"]) for k, z in
                         list(zones.items())[:8]) + (" ..." if len(zones) > 8 else "")))
        log("  matrix: %d cells, %d with a rule for some hosts, %d with a rule excepting "
            "some hosts, %d left to the default action"
            % (len(plan.cells), sum(1 for c in plan.cells.values() if c["some"]),
               sum(1 for c in plan.cells.values() if c["except"]),
               sum(1 for c in plan.cells.values() if not c["rules"])))
        checks = pick_log_probes(plan, expected, target)
        if "netsot forward denied" not in plan.renders[target]:
            log("  the render does not log denied forward traffic (log_denied off)")
        if not any(c[2] != "netsot forward denied: " for c in checks):
            log("  no forward rule of the plan logs (or none decides a cell first): no check "
                "of a rule's own log")
        if checks:
            t1 = time.monotonic()
            if not (log_check_nft if target == "nftables" else log_check_ipt)(
                    topo, zones, checks):
                ok = False
            times["log check"] = time.monotonic() - t1
        t1 = time.monotonic()
        got, retried = run_probes(topo, zones, expected)
        times["probes"] = time.monotonic() - t1
        bad = print_table(plan, expected, got, "(%s, %s)" % (plan.name, target))
        rejected = sum(1 for k in expected if got[k] == "rejected")
        counts = {"allowed": 0, "denied": 0}
        for k in expected:
            counts["allowed" if expected[k] else "denied"] += 1
        log("  %d probes: %d expected allowed, %d expected denied (%d of them rejected, the "
            "rest dropped); %d disagree with the matrix (%d retried at %.1f s)"
            % (len(expected), counts["allowed"], counts["denied"], rejected, bad, retried,
               RETRY_TIMEOUT))
        ok = ok and bad == 0
        if change:
            t1 = time.monotonic()
            ok = change(plan, target, topo, zones, workdir, got) and ok
            times["rule change"] = time.monotonic() - t1
    finally:
        topo.close()
    times["total"] = time.monotonic() - t0
    log("  time: " + ", ".join("%s %.1f s" % kv for kv in times.items())
        + (" -> PASS" if ok else " -> FAIL"))
    return ok, times


def change_rule(rule, patch):
    """A rule change through the API: PATCH, fetch the matrix and render again, load the
    render in the running router, probe the changed pairs; then put the rule back."""

    def step(plan, target, topo, zones, workdir, before_got):
        srv = plan.server
        found = srv.call("GET", "/api/v1/firewall-rules?name=%s" % rule)[0]["results"]
        if len(found) != 1:
            raise Fail("no rule %s" % rule)
        rid = found[0]["id"]
        old = {k: found[0][k] for k in patch}
        old_cells = dict(plan.cells)
        _, h = srv.call("GET", "/api/v1/firewall-rules/%d" % rid)
        srv.call("PATCH", "/api/v1/firewall-rules/%d" % rid, patch, {"If-Match": h["ETag"]})
        try:
            plan.fetch()
            changed = {k for k in plan.cells if plan.cells[k] != old_cells[k]}
            log("\n  rule change: PATCH %s %s; matrix cells changed: %s"
                % (rule, json.dumps(patch), ", ".join("%s>%s" % k for k in sorted(changed))
                   or "none"))
            if not changed:
                log("  FAIL: the change altered no cell of the matrix")
                return False
            load(topo, target, plan.renders[target], workdir)
            expected, listen = build_jobs(plan, zones, only=changed)
            for k, ports in listen.items():
                ports = sorted(set(ports) | set(topo.listeners.get(zones[k]["ns"],
                                                                   (None, []))[1]))
                topo.listen(zones[k]["ns"], ports)
            got, _ = run_probes(topo, zones, expected)
            bad = print_table(plan, expected, got, "after the change (%s)" % target)
            flipped = [k for k in expected if k in before_got and
                       (before_got[k] == "allowed") != (got[k] == "allowed")]
            log("  %d probes of the changed cells; %d disagree with the new matrix; %d now "
                "behave differently from before the change: %s"
                % (len(expected), bad, len(flipped), " ".join(
                    "%s>%s %s/%d %s->%s" % (k[0], k[1], k[2], k[3], before_got[k], got[k])
                    for k in sorted(flipped)[:12]) + (" ..." if len(flipped) > 12 else "")))
            if bad != 0 or not flipped:
                return False
        finally:
            _, h = srv.call("GET", "/api/v1/firewall-rules/%d" % rid)
            srv.call("PATCH", "/api/v1/firewall-rules/%d" % rid, old, {"If-Match": h["ETag"]})
            plan.fetch()
            if plan.cells != old_cells:
                raise Fail("putting %s back did not restore the matrix" % rule)
        return negative_control(plan, target, topo, zones, workdir, rule)
    return step


def negative_control(plan, target, topo, zones, workdir, rule):
    """The test must be able to fail: the render without the lines of one accepting rule, and
    the probes of the cells it decides must disagree with the matrix wherever it allows."""
    text = "".join(l for l in plan.renders[target].splitlines(True)
                   if 'comment "%s"' % rule not in l)
    load(topo, target, text, workdir)
    cells = {k for k, c in plan.cells.items() if rule in c["rules"]}
    expected, _ = build_jobs(plan, zones, only=cells)
    got, _ = run_probes(topo, zones, expected)
    wrong = [k for k in expected if (got[k] == "allowed") != expected[k]]
    allowed = [k for k in expected if expected[k]]
    ok = len(allowed) > 0 and sorted(wrong) == sorted(allowed)
    log("  negative control: the %s render without rule %s: %d of %d probes of its cells (%s) "
        "disagree with the matrix, %d were expected to -> %s"
        % (target, rule, len(wrong), len(expected), ", ".join("%s>%s" % c for c in
                                                               sorted(cells)),
           len(allowed), "ok (the test can fail)" if ok else "FAIL"))
    load(topo, target, plan.renders[target], workdir)
    return ok


def forward_rules(vids, hosts_of, count):
    """count forward rules of every kind the model has, in a mixed priority order: VLAN to
    VLAN by port lists and ranges (tcp, udp), any protocol, icmp; drops and rejects among the
    accepts (some logged); rules for one host (the matrix's some/except); a whole VLAN's prefix
    as source; towards any destination (the WAN too); from anywhere; a CIDR of half a VLAN and
    one outside the plan (the WAN in part)."""
    rnd = random.Random(16)
    port_lists = ["22", "80,443", "8000-8100", "5000-5010,6000", "53", "3306", "9000-9003",
                  "161-162", "25,465,587", "1-1023"]
    rules = []
    for i in range(count):
        a, b = rnd.sample(vids, 2)
        kind = rnd.randrange(12)
        r = {"name": "fwd%d" % i, "scope": "forward", "priority": rnd.randrange(1, 10000),
             "action": "accept", "protocol": rnd.choice(["tcp", "udp"]),
             "dst_ports": rnd.choice(port_lists)}
        if kind <= 3:
            r.update(src_vlan=a, dst_vlan=b)
        elif kind == 4:
            r.update(src_vlan=a, dst_vlan=b, action=rnd.choice(["drop", "reject"]),
                     log=rnd.random() < 0.5)
        elif kind == 5:
            r.update(src_vlan=a, dst_vlan=b, protocol="any", action=rnd.choice(
                ["accept", "accept", "drop", "reject"]))
            del r["dst_ports"]
        elif kind == 6:
            r.update(src_vlan=a, dst_vlan=b, protocol="icmp")
            del r["dst_ports"]
        elif kind == 7:
            r.update(src_vlan=a, dst_host=rnd.choice(hosts_of[b]),
                     action=rnd.choice(["accept", "drop"]))
        elif kind == 8:
            r.update(src_host=rnd.choice(hosts_of[a]), dst_vlan=b,
                     action=rnd.choice(["accept", "reject"]))
        elif kind == 9:
            r.update(src_prefix="10.0.%d.0/24" % (a - 100), dst_vlan=b)
        elif kind == 10:
            if rnd.random() < 0.5:
                r.update(src_vlan=a)               # to anywhere, the WAN too
            else:
                r.update(dst_vlan=b)               # from anywhere, the WAN too
        else:
            r.update(src_vlan=a, dst_cidr=rnd.choice(["10.0.%d.0/25" % (b - 100),
                                                       "198.51.100.0/24"]))
        rules.append(r)
    return rules


def gen_plan(gen, path, vlans, rules):
    """bench/gen.c's plan (VLANs 100.., 10.0.N.0/24, hosts of five addresses .2-.251, rules),
    with a router: the gateway .1 of each VLAN on its interface br0.VID, which the generator
    does not make. The generator's forward rules mostly accept everything (an "any" rule to
    10.0.0.0/16 comes early), so they are replaced by as many rules of every kind; its input
    rules stay."""
    run([gen, "plan", path, str(vlans * 250), str(rules)])
    with open(path) as f:
        plan = json.load(f)
    plan["hosts"].append({"name": "router", "kind": "router"})
    for p in plan["prefixes"]:
        net = ipaddress.ip_network(p["prefix"])
        gw = str(net.network_address + 1)
        p["gateway"] = gw
        plan["ip-addresses"].append({"address": gw, "host": "router",
                                     "interface": "br0.%d" % p["vlan"], "role": "gateway"})
    vid_of = {ipaddress.ip_network(p["prefix"]): p["vlan"] for p in plan["prefixes"]}
    hosts_of = {}
    for a in plan["ip-addresses"]:
        if a.get("host", "router") != "router":
            vid = next(v for n, v in vid_of.items() if ipaddress.ip_address(a["address"]) in n)
            hosts_of.setdefault(vid, set()).add(a["host"])
    hosts_of = {k: sorted(v) for k, v in hosts_of.items()}
    kept = [r for r in plan["firewall-rules"] if r["scope"] != "forward"]
    plan["firewall-rules"] = kept + forward_rules(sorted(hosts_of), hosts_of, rules - len(kept))
    plan.setdefault("settings", {})["log_denied"] = True
    with open(path, "w") as f:
        json.dump(plan, f)
    return plan


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netsot", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--plans", default="seed,gen30")
    a = ap.parse_args()
    if os.geteuid() != 0:
        log("SKIP: the emulation needs root (network namespaces)")
        return 77
    for tool in ("ip", "nft", "iptables-legacy", "iptables-legacy-restore"):
        if shutil.which(tool) is None:
            log("SKIP: %s is not installed" % tool)
            return 77
    # Namespaces are fwemuPID{r,vVID,w}; those of a run killed outright (its pid gone) go.
    for line in run(["ip", "netns", "list"]).stdout.splitlines():
        m = re.match(r"(fwemu(\d+)[rvw]\d*)\b", line)
        if m and not os.path.exists("/proc/" + m.group(2)):
            subprocess.run(["ip", "netns", "del", m.group(1)], capture_output=True)
    tag = "fwemu%d" % os.getpid()
    workdir = tempfile.mkdtemp(prefix="netsot-emulate-")
    summary = []
    ok = True
    server = None
    try:
        for name in a.plans.split(","):
            pdir = os.path.join(workdir, name)
            os.mkdir(pdir)
            if name == "seed":
                path = os.path.join(a.source, "db", "seed", "hybrid-cloud.json")
                with open(path) as f:
                    plan_json = json.load(f)
                change = change_rule("dmz-to-app-tier", {"protocol": "tcp", "dst_ports": "443"})
            else:
                m = re.fullmatch(r"gen(\d+)", name)
                if not m:
                    raise Fail("unknown plan %s" % name)
                path = os.path.join(pdir, "plan.json")
                plan_json = gen_plan(a.gen, path, int(m.group(1)), 300)
                change = None
            server = Server(a.netsot, pdir, path)
            plan = Plan(name, path, server, plan_json)
            plan.fetch()
            nrules = len([r for r in plan_json.get("firewall-rules", [])])
            log("\n#### plan %s: %d VLANs, %d firewall rules (%d forward), server %s"
                % (name, len(plan_json["vlans"]), nrules,
                   len([r for r in plan_json.get("firewall-rules", [])
                        if r.get("scope") == "forward"]), server.url))
            for target in ("nftables", "iptables"):
                r, times = emulate(plan, target, tag, pdir, change)
                ok = ok and r
                summary.append((name, target, r, times))
            server.stop()
            server = None
    finally:
        if server:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    log("\n#### summary")
    for name, target, r, times in summary:
        log("  %-6s %-9s %s  %s" % (name, target, "PASS" if r else "FAIL",
                                    ", ".join("%s %.1f s" % kv for kv in times.items())))
    return 0 if ok else 1


def on_signal(signum, frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "listen":
        cmd_listen([int(p) for p in sys.argv[2:]])
    elif len(sys.argv) > 1 and sys.argv[1] == "probe":
        T0 = time.monotonic()
        cmd_probe(json.load(sys.stdin), float(sys.argv[2]))
    else:
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGHUP, on_signal)
        try:
            sys.exit(main())
        except Fail as e:
            log("FAIL: %s" % e)
            sys.exit(1)
