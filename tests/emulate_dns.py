#!/usr/bin/env python3
"""DNS emulation test (issue 16, item 5): the rendered DNS configuration served by the real
programs, asked with dig, and every answer compared with the plan.

    emulate_dns.py NETSOT_BIN [GEN_BIN]

For each plan (the seed; the seed after one record and one address name changed through
`netsot import`; a generated plan of a few hundred names with every record type):
  - `netsot import` it into a fresh database and `netsot render` dnsmasq, every stored forward
    zone (bind?zone=NAME) and the reverse zone of every prefix (bind?reverse=CIDR, the CIDR on
    the zone's octet or nibble boundary, so one file holds the whole zone; a stored reverse
    zone that is no prefix's by its name);
  - build the model from `netsot export` alone (no render code): A/AAAA from the addresses'
    dns_name and stored records, CNAME, TXT, MX, SRV and PTR as stored, and the PTR of every
    address with a dns_name;
  - in a private network namespace (ip netns), start dnsmasq with the rendered file
    (127.0.0.1:53) and named with a generated named.conf loading every zone as primary
    (127.0.0.1:5300), and ask both every name and type of the model with one batch of dig;
  - print a table (name, type, expected, dnsmasq, named) and fail on any difference.
named answers only for names under a zone it loads; for a name outside every zone (dnsmasq
still serves it) the named column must be empty. Negative probes (a name that is not in the
plan, in each zone; names removed by the change) must be empty in both.
Every process and the namespace are removed on exit, also on failure or a signal.
"""
import atexit
import ctypes
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

NETSOT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "netsot"
GEN = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(SRC, "db", "seed", "hybrid-cloud.json")
NS = "netsot-emudns-%d" % os.getpid()
DNSMASQ = ("127.0.0.1", 53)
NAMED = ("127.0.0.1", 5300)
T0 = time.monotonic()
TMP = tempfile.mkdtemp(prefix="netsot-emudns.%d." % os.getpid())
PROCS = []          # running daemons: Popen objects


def log(msg):
    print("[%6.2fs] %s" % (time.monotonic() - T0, msg), flush=True)


# ---- processes and the namespace, all undone on exit ----

_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    # A daemon dies with this script even when it is killed outright (a ctest timeout).
    _libc.prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG
    os.setsid()


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in PROCS:
        PROCS.remove(p)


def cleanup():
    for p in list(PROCS):
        stop(p)
    subprocess.run(["ip", "netns", "delete", NS], stderr=subprocess.DEVNULL)
    if os.environ.get("NETSOT_KEEP_TMP"):
        print("kept", TMP)
    else:
        shutil.rmtree(TMP, ignore_errors=True)


def on_signal(sig, frame):
    sys.exit(128 + sig)      # runs atexit


atexit.register(cleanup)
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, on_signal)


def run(*cmd, stdin=None, check=True):
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit("FAIL: %s exited %d\n%s%s" % (" ".join(cmd), r.returncode, r.stdout,
                                               r.stderr))
    return r.stdout


def in_ns(*cmd):
    return ["ip", "netns", "exec", NS] + list(cmd)


def netns_up():
    # Namespaces and directories left by an earlier run that was killed outright (its pid is
    # gone; its daemons died with it).
    for line in run("ip", "netns", "list").splitlines():
        m = re.match(r"netsot-emudns-(\d+)\b", line)
        if m and not os.path.exists("/proc/" + m.group(1)):
            subprocess.run(["ip", "netns", "delete", m.group(0)], stderr=subprocess.DEVNULL)
    tmp = os.path.dirname(TMP)
    for d in os.listdir(tmp):
        m = re.match(r"netsot-emudns\.(\d+)\.", d)
        if m and not os.path.exists("/proc/" + m.group(1)):
            shutil.rmtree(os.path.join(tmp, d), ignore_errors=True)
    run("ip", "netns", "add", NS)
    run(*in_ns("ip", "link", "set", "lo", "up"))
    # An interface with a hardware address: dnsmasq makes its DHCPv6 DUID from one.
    run(*in_ns("ip", "link", "add", "emu0", "type", "veth", "peer", "name", "emu1"))
    run(*in_ns("ip", "link", "set", "emu0", "up"))


# ---- the model, from the exported plan only ----

def fqdn(name, zone):
    """A record's name or target made absolute, lower case, without the final dot."""
    if name == "@":
        return zone.lower()
    if name.endswith("."):
        return name[:-1].lower()
    return (name + "." + zone).lower()


def most_specific(name, zones):
    best = None
    for z in zones:
        if (name == z or name.endswith("." + z)) and (best is None or len(z) > len(best)):
            best = z
    return best


def reverse_zone(net):
    """The reverse zone on the octet (IPv4) or nibble (IPv6) boundary at or above net, and
    that boundary as a CIDR; None for a network too short for one."""
    bits = 8 if net.version == 4 else 4
    length = net.prefixlen // bits * bits
    if length == 0:
        return None
    sup = net.supernet(new_prefix=length)
    labels = sup.network_address.reverse_pointer.split(".")
    total = 4 if net.version == 4 else 32
    return ".".join(labels[total - length // bits:]), str(sup)


def build_model(plan):
    """{(name, type): set of normalized answers}, the forward zones, the reverse zones
    ({zone: boundary CIDR}) and the probes (name, type) expected empty."""
    zones = sorted(z["name"].lower().rstrip(".") for z in plan.get("dns-zones", []))
    forward = [z for z in zones if not z.endswith(".arpa")]
    model = {}

    def add(name, rtype, value):
        model.setdefault((name, rtype), set()).add(value)

    for a in plan.get("ip-addresses", []):
        if not a.get("dns_name"):
            continue
        ip = ipaddress.ip_address(a["address"].split("/")[0])
        name = a["dns_name"].rstrip(".").lower()
        add(name, "A" if ip.version == 4 else "AAAA", ip.compressed)
        add(ip.reverse_pointer, "PTR", name)
    for r in plan.get("dns-records", []):
        zone = r["zone"].lower().rstrip(".")
        name, t, v = fqdn(r["name"], zone), r["type"], r["value"]
        if t in ("A", "AAAA"):
            add(name, t, ipaddress.ip_address(v).compressed)
        elif t in ("CNAME", "PTR"):
            add(name, t, fqdn(v, zone))
        elif t == "MX":
            pref, host = v.split()
            add(name, t, "%d %s" % (int(pref), fqdn(host, zone)))
        elif t == "SRV":
            prio, weight, port, host = v.split()
            add(name, t, "%d %d %d %s" % (int(prio), int(weight), int(port), fqdn(host, zone)))
        elif t == "TXT":
            add(name, t, v)
        else:
            sys.exit("FAIL: the model does not know record type %s" % t)
    # An alias answers an address query with its chain and the addresses where it ends: the
    # end's own, else those of the wildcard of its closest encloser.
    def addresses(name, at):
        if (name, at) in model:
            return model[(name, at)]
        labels = name.split(".")
        for k in range(1, len(labels)):
            parent = ".".join(labels[k:])
            if ("*." + parent, at) in model:
                return model[("*." + parent, at)]
            if any(n == parent for n, _ in model):
                break
        return None

    for (name, t) in list(model):
        if t != "CNAME":
            continue
        end, seen = name, set()
        while (end, "CNAME") in model and end not in seen and len(model[(end, "CNAME")]) == 1:
            seen.add(end)
            end = next(iter(model[(end, "CNAME")]))
        for at in ("A", "AAAA"):
            if addresses(end, at) is not None:
                model[(name, at)] = set(addresses(end, at))
    # A wildcard is asked through a name of its own below it; the name it hangs from has
    # none of its records.
    wild = set()
    for (name, t) in list(model):
        if name.startswith("*."):
            model[("emulate-wildcard-probe." + name[2:], t)] = model.pop((name, t))
            wild.add((name[2:], t))
    reverse = {}
    for p in plan.get("prefixes", []):
        rz = reverse_zone(ipaddress.ip_network(p["prefix"]))
        if rz:
            reverse.setdefault(rz[0], rz[1])
    # A stored reverse zone that is no prefix's is rendered by its name, like a forward one.
    forward += [z for z in zones if z.endswith(".arpa") and z not in reverse]
    probes = [("emulate-absent-name." + z, "A") for z in forward if not z.endswith(".arpa")]
    probes += [(w, t) for w, t in sorted(wild) if (w, t) not in model]
    return model, forward, reverse, probes


# ---- rendering and serving ----

def render(db, *params):
    args = [NETSOT, "render", params[0], "--db", db]
    for p in params[1:]:
        args += ["--param", p]
    return run(*args)


def zone_file(zone):
    return os.path.join(TMP, "zones", (zone or "root") + ".zone")


def render_all(db, forward, reverse):
    os.makedirs(os.path.join(TMP, "zones"), exist_ok=True)
    conf = os.path.join(TMP, "dnsmasq.conf")
    with open(conf, "w") as f:
        f.write(render(db, "dnsmasq"))
    loaded = []
    for z in forward:
        with open(zone_file(z), "w") as f:
            f.write(render(db, "bind", "zone=" + z))
        loaded.append(z)
    for z, cidr in sorted(reverse.items()):
        with open(zone_file(z), "w") as f:
            f.write(render(db, "bind", "reverse=" + cidr))
        loaded.append(z)
    named = os.path.join(TMP, "named.conf")
    with open(named, "w") as f:
        f.write('options {\n\tdirectory "%s";\n\tpid-file "%s/named.pid";\n'
                '\tsession-keyfile "%s/session.key";\n\tlisten-on port %d { %s; };\n'
                '\tlisten-on-v6 { none; };\n\trecursion no;\n\tallow-query { any; };\n'
                '\tdnssec-validation no;\n\tnotify no;\n};\ncontrols { };\n'
                % (TMP, TMP, TMP, NAMED[1], NAMED[0]))
        for z in loaded:
            f.write('zone "%s" { type primary; file "%s"; };\n' % (z, zone_file(z)))
    run("named-checkconf", "-z", named)
    return conf, named, loaded


def start(cmd, logname):
    out = open(os.path.join(TMP, logname), "w")
    p = subprocess.Popen(in_ns(*cmd), stdout=out, stderr=subprocess.STDOUT,
                         preexec_fn=_die_with_parent)
    PROCS.append(p)
    return p


def wait_ready(p, server, qname, logname):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if p.poll() is not None:
            break
        r = subprocess.run(in_ns("dig", "@" + server[0], "-p", str(server[1]), "+time=1",
                                 "+tries=1", "+norec", qname, "SOA"), capture_output=True,
                           text=True)
        if "status: " in r.stdout:
            return
        time.sleep(0.1)
    with open(os.path.join(TMP, logname)) as f:
        sys.exit("FAIL: %s did not come up\n%s" % (logname, f.read()[-3000:]))


def serve(conf, named_conf, loaded):
    dm = start(["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                "--no-poll", "--user=root", "--group=root",
                "--listen-address=" + DNSMASQ[0], "--port=%d" % DNSMASQ[1],
                "--bind-interfaces", "--pid-file=" + os.path.join(TMP, "dnsmasq.pid"),
                "--conf-file=" + conf, "--log-facility=-"], "dnsmasq.log")
    nm = start(["named", "-g", "-n", "1", "-4", "-c", named_conf], "named.log")
    wait_ready(dm, DNSMASQ, "emulate-ready.invalid", "dnsmasq.log")
    wait_ready(nm, NAMED, loaded[0] if loaded else ".", "named.log")
    return dm, nm


# ---- asking ----

def unescape_txt(rdata):
    """dig's TXT presentation ("a" "b", \\DDD and \\X escapes) as the joined value."""
    out, i, inq = bytearray(), 0, False
    while i < len(rdata):
        c = rdata[i]
        if c == '"':
            inq = not inq
        elif c == "\\":
            if rdata[i + 1:i + 4].isdigit():
                out.append(int(rdata[i + 1:i + 4]))
                i += 3
            else:
                out += rdata[i + 1].encode()
                i += 1
        elif inq:
            out += c.encode()
        i += 1
    return out.decode("utf-8", "surrogateescape")


def normalize(rtype, rdata):
    if rtype in ("A", "AAAA"):
        return ipaddress.ip_address(rdata).compressed
    if rtype in ("CNAME", "PTR"):
        return rdata.rstrip(".").lower()
    if rtype in ("MX", "SRV"):
        parts = rdata.split()
        return " ".join(parts[:-1] + [parts[-1].rstrip(".").lower()])
    if rtype == "TXT":
        return unescape_txt(rdata)
    return rdata


def ask(server, queries):
    """One dig batch: {(name, type): (status, set of normalized answers)}."""
    qfile = os.path.join(TMP, "queries")
    with open(qfile, "w") as f:
        for name, t in queries:
            f.write("%s %s\n" % (name, t))
    r = subprocess.run(in_ns("dig", "@" + server[0], "-p", str(server[1]), "+norec",
                             "+time=2", "+tries=2", "+noall", "+comments", "+question",
                             "+answer", "-f", qfile), capture_output=True, text=True,
                       timeout=120)
    got, status, cur = {}, None, None
    for line in r.stdout.splitlines():
        m = re.search(r"->>HEADER<<-.*status: (\w+)", line)
        if m:
            status, cur = m.group(1), None
            continue
        m = re.match(r";(\S+)\s+IN\s+(\S+)\s*$", line)
        if m:
            cur = (m.group(1).rstrip(".").lower(), m.group(2))
            got[cur] = (status, set())
            continue
        if not line or line.startswith(";") or cur is None:
            continue
        f = line.split(None, 4)
        # An address query of an alias: the addresses at the end of its chain.
        if len(f) == 5 and f[2] == "IN" and f[3] == cur[1] and (
                f[0].rstrip(".").lower() == cur[0] or f[3] in ("A", "AAAA")):
            got[cur][1].add(normalize(f[3], f[4]))
    missing = [q for q in queries if q not in got]
    if missing:
        sys.exit("FAIL: dig gave no answer for %d queries, such as %s\n%s" %
                 (len(missing), missing[:3], r.stderr[-2000:]))
    return got


def cell(values, width=38):
    s = ", ".join(sorted(values)) if values else "-"
    s = s.encode("unicode_escape").decode()
    return s if len(s) <= width else s[:width - 3] + "..."


def fresh_db(plan_file, name):
    db = os.path.join(TMP, name)
    run(NETSOT, "import", plan_file, "--db", db)
    return db


def emulate(label, db, show=None, extra_probes=()):
    """Renders, serves and asks the plan in db; returns its model. show: the number of table
    rows printed (all when None); differing rows are always printed."""
    t0 = time.monotonic()
    plan = json.loads(run(NETSOT, "export", "--db", db))
    model, forward, reverse, probes = build_model(plan)
    probes += [p for p in extra_probes if p not in model]
    conf, named_conf, loaded = render_all(db, forward, reverse)
    dm, nm = serve(conf, named_conf, loaded)
    t_up = time.monotonic()
    queries = sorted(model) + probes
    by_dnsmasq = ask(DNSMASQ, queries)
    by_named = ask(NAMED, queries)
    t_asked = time.monotonic()
    stop(dm)
    stop(nm)
    rows, bad = [], []
    for q in queries:
        name, t = q
        expected = model.get(q, set())
        # named serves the zones it loads; a name outside them is dnsmasq's alone.
        served = most_specific(name, loaded) is not None
        want_named = expected if served else set()
        ok = by_dnsmasq[q][1] == expected and by_named[q][1] == want_named
        # An answer expected: NOERROR from both, and named authoritative for its zones.
        if expected and by_dnsmasq[q][0] != "NOERROR":
            ok = False
        if want_named and by_named[q][0] != "NOERROR":
            ok = False
        if not expected and served and by_named[q][0] not in ("NXDOMAIN", "NOERROR"):
            ok = False
        row = (name, t, cell(expected), cell(by_dnsmasq[q][1]) + ("" if by_dnsmasq[q][1]
               else " " + by_dnsmasq[q][0]), (cell(by_named[q][1]) + ("" if by_named[q][1]
               else " " + by_named[q][0])) if served else "(no zone) " + by_named[q][0],
               "ok" if ok else "DIFF")
        rows.append(row)
        if not ok:
            bad.append(row)
    if os.environ.get("NETSOT_EMULATE_ROWS"):
        show = int(os.environ["NETSOT_EMULATE_ROWS"]) or None
    fmt = "%-44.44s %-5s %-38s %-38s %-38s %s"
    print("\n== %s: %d names, %d queries to each server; zones: %s" % (
        label, len({n for n, _ in model}), len(queries), ", ".join(loaded)))
    print(fmt % ("name", "type", "expected", "dnsmasq", "named", ""))
    for row in rows if show is None else rows[:show]:
        print(fmt % row)
    if show is not None and len(rows) > show:
        print("... %d more rows" % (len(rows) - show))
    counts = {}
    for n, t in model:
        counts[t] = counts.get(t, 0) + 1
    print("%s: %s; %d negative probes" % (label, ", ".join(
        "%d %s" % (c, t) for t, c in sorted(counts.items())), len(probes)))
    print("%s: import+render+start %.2fs, %d dig queries %.2fs, total %.2fs" % (
        label, t_up - t0, 2 * len(queries), t_asked - t_up, time.monotonic() - t0))
    if bad:
        print("\n%s: %d DIFFERING ROWS" % (label, len(bad)))
        print(fmt % ("name", "type", "expected", "dnsmasq", "named", ""))
        for row in bad:
            print(fmt % row)
        FAILED.append(label)
    return model


FAILED = []


# ---- the plans ----

def changed_seed():
    """The seed with one stored record and one address's name changed, for import --mode
    replace: ns1.local A moves to 192.168.1.2, k3s.local becomes k3s-server.local."""
    with open(SEED) as f:
        plan = json.load(f)
    done = 0
    for r in plan["dns-records"]:
        if (r["zone"], r["name"], r["type"]) == ("local", "ns1", "A"):
            r["value"] = "192.168.1.2"
            done += 1
    for a in plan["ip-addresses"]:
        if a.get("dns_name") == "k3s.local":
            a["dns_name"] = "k3s-server.local"
            done += 1
    assert done == 2, "the seed changed: update changed_seed()"
    return plan


def generated_plan():
    """gen dns (300 names h0..h299.lab.local, 60 CNAMEs, some chained) and on top of it every
    record type: a subzone, IPv6 names (dual stack), TXT with quotes and a value over 255
    bytes, MX, SRV, round-robin A, a wildcard, an apex record, a CNAME leaving the plan and a
    name outside every zone."""
    path = os.path.join(TMP, "gen.json")
    run(GEN, "dns", path, "300", "60")
    with open(path) as f:
        plan = json.load(f)
    plan.setdefault("prefixes", []).append({"prefix": "fd00:10::/64", "vlan": 100})
    plan.setdefault("prefixes", []).append({"prefix": "10.9.0.0/16"})
    addrs = plan["ip-addresses"]
    for i in range(40):
        addrs.append({"address": "fd00:10::%x" % (0x100 + i), "dns_name": "v6-%d.lab.local" % i})
    addrs.append({"address": "fd00:10::1:2", "dns_name": "h1.lab.local"})   # dual stack
    for i in range(20):
        addrs.append({"address": "10.9.%d.%d" % (i // 10, 10 + i),
                      "dns_name": "db%d.svc.lab.local" % i})
    addrs.append({"address": "10.9.7.7", "dns_name": "orphan.example.net"})
    plan.setdefault("dns-zones", []).append({"name": "svc.lab.local",
                                             "soa_mname": "db0.svc.lab.local.",
                                             "soa_rname": "hostmaster.svc.lab.local."})
    recs = plan.setdefault("dns-records", [])

    def rec(zone, name, t, value, **kw):
        recs.append(dict(zone=zone, name=name, type=t, value=value, **kw))

    rec("lab.local", "@", "TXT", "v=spf1 -all")
    rec("lab.local", "@", "MX", "10 h0.lab.local.")
    rec("lab.local", "@", "MX", "20 h1")
    rec("lab.local", "info", "TXT", 'say "hi", #1; a\\b = c')
    rec("lab.local", "long", "TXT", "".join("%03d-" % i for i in range(75)))   # 300 bytes
    rec("lab.local", "_ldap._tcp", "SRV", "0 5 389 h2.lab.local.")
    rec("lab.local", "_ldap._tcp", "SRV", "10 0 389 h3")
    rec("lab.local", "rr", "A", "10.0.0.250")
    rec("lab.local", "rr", "A", "10.0.0.251")
    rec("lab.local", "v6only", "AAAA", "fd00:10::abcd")
    rec("lab.local", "*.apps", "A", "10.0.0.252")
    rec("lab.local", "ext", "CNAME", "www.example.com.")
    rec("lab.local", "ttl", "A", "10.0.0.253", ttl=60)
    rec("svc.lab.local", "@", "TXT", "subzone")
    rec("svc.lab.local", "cache", "CNAME", "db3")
    rec("svc.lab.local", "_pg._tcp", "SRV", "1 1 5432 db0.svc.lab.local.")
    rec("svc.lab.local", "@", "MX", "5 db1")
    rec("svc.lab.local", "@", "A", "10.9.9.1")
    rec("lab.local", "@", "MX", "30 mx.example.com.")
    rec("lab.local", "utf8", "TXT", "caf\u00e9 \u2713")
    rec("lab.local", "wild-alias", "CNAME", "probe2.apps")
    rec("lab.local", "txt-alias", "CNAME", "info")
    rec("lab.local", "h5", "A", "10.0.0.240")       # a second address for a derived name
    addrs.append({"address": "10.9.8.8", "dns_name": "twice.lab.local"})
    addrs.append({"address": "10.9.8.9", "dns_name": "twice.lab.local"})
    # A stored reverse zone: its SOA, and a PTR for an address without a name.
    plan["dns-zones"].append({"name": "9.10.in-addr.arpa", "soa_mname": "h0.lab.local.",
                              "soa_rname": "hostmaster.lab.local."})
    rec("9.10.in-addr.arpa", "99.9", "PTR", "printer.lab.local.")
    # And one that is no prefix's reverse zone.
    plan["dns-zones"].append({"name": "77.10.in-addr.arpa", "soa_mname": "h0.lab.local.",
                              "soa_rname": "hostmaster.lab.local."})
    rec("77.10.in-addr.arpa", "7.7", "PTR", "legacy.lab.local.")
    for p in plan["prefixes"]:
        if p["prefix"] in ("10.9.0.0/16", "fd00:10::/64"):
            p["dhcp"] = True
    out = os.path.join(TMP, "generated.json")
    with open(out, "w") as f:
        json.dump(plan, f)
    return out


def main():
    for tool in ("dnsmasq", "named", "named-checkconf", "dig", "ip"):
        if shutil.which(tool) is None:
            sys.exit("FAIL: %s is missing (deploy/packages.sh installs it)" % tool)
    if os.geteuid() != 0:
        sys.exit("FAIL: needs root for a network namespace")
    netns_up()
    t = time.monotonic()
    db = fresh_db(SEED, "seed.db")
    seed = emulate("seed", db)
    log("seed plan: %.2fs with its import" % (time.monotonic() - t))
    # The same database, changed through the command line's import, rendered again.
    changed = os.path.join(TMP, "changed.json")
    with open(changed, "w") as f:
        json.dump(changed_seed(), f)
    run(NETSOT, "import", changed, "--db", db, "--mode", "replace")
    after = emulate("seed after the change", db, extra_probes=sorted(seed))
    for q in (("ns1.local", "A"), ("k3s-server.local", "A"),
              (ipaddress.ip_address("192.168.1.188").reverse_pointer, "PTR")):
        if after.get(q) == seed.get(q) or not after.get(q):
            FAILED.append("change %s %s" % q)
            print("FAIL: the change did not show in the model for %s %s" % q)
    if ("k3s.local", "A") in after:
        FAILED.append("change k3s.local")
    if GEN:
        t = time.monotonic()
        emulate("generated", fresh_db(generated_plan(), "generated.db"), show=40)
        log("generated plan: %.2fs with its generation and import" % (time.monotonic() - t))
    print("\n%d passed, %d failed" % (3 - len(FAILED) if GEN else 2 - len(FAILED),
                                      len(FAILED)))
    print("elapsed %.2fs" % (time.monotonic() - T0))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
