#!/usr/bin/env python3
"""The NetBox-compatible inventory (issue 17) read by the real thing: Ansible's
netbox.netbox.nb_inventory plugin (Debian's `ansible` package), run by `ansible-inventory`
against netsot serving the seed plan, with an API token sent as `Authorization: Token ...`.

Only the plugin may parse the source (ANSIBLE_INVENTORY_ENABLED names it alone and
ANSIBLE_INVENTORY_UNPARSED_FAILED makes a source it cannot parse an error), so nothing passes by
falling back to another parser. Checked:
  - the hosts are exactly the seed plan's hosts;
  - each host's ansible_host (and primary_ip4) is the ansible_host of netsot's own inventory
    (GET /api/v1/inventory), and every host with an address has one;
  - the groups: device_roles_<kind> holds the hosts of that kind, is_virtual the vm, container
    and service hosts, sites_netsot every host, tags_<group> the hosts of each of the plan's
    host groups;
  - with interfaces on, each host's interfaces carry exactly the host's addresses in the plan;
  - a query filter (role) the plugin checks against /api/schema/ selects the hosts of one kind;
  - a wrong token makes ansible-inventory fail, and no token is a 401;
  - NetBox's pages: limit/offset with absolute next links that the plugin could follow, which
    together hold what limit=0 answers in one page.
Usage: netbox_inventory.py NETSOT_BINARY SOURCE_DIR
"""
import atexit
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

NETSOT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "netsot"
SOURCE = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "."
SEED = os.path.join(SOURCE, "db", "seed", "hybrid-cloud.json")
PLUGIN = "netbox.netbox.nb_inventory"
VIRTUAL_KINDS = {"vm", "container", "service"}
TMP = tempfile.mkdtemp(prefix="netsot-netbox.%d." % os.getpid())
PROCS = []
FAILS = []

_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    # The server dies with this script even when it is killed outright (a ctest timeout).
    _libc.prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    if os.environ.get("NETSOT_KEEP_TMP"):
        print("kept", TMP)
    else:
        shutil.rmtree(TMP, ignore_errors=True)


atexit.register(cleanup)
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, lambda sig, frame: sys.exit(128 + sig))


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
        print("FAIL:", msg)


def run(*cmd, stdin=None):
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=TMP)
    if r.returncode != 0:
        sys.exit("FAIL: %s exited %d\n%s%s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


def start_server(db):
    log = open(os.path.join(TMP, "serve.log"), "w+")
    p = subprocess.Popen([NETSOT, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                         stdout=subprocess.DEVNULL, stderr=log, preexec_fn=_die_with_parent)
    PROCS.append(p)
    for _ in range(100):
        log.seek(0)
        m = re.search(r" listening on \S+ \(port (\d+),", log.read())
        if m:
            return int(m.group(1))
        if p.poll() is not None:
            break
        subprocess.run(["sleep", "0.1"])
    log.seek(0)
    sys.exit("FAIL: the server did not start:\n" + log.read())


def http(method, url, token=None, body=None, scheme="Bearer"):
    req = urllib.request.Request(url, method=method)
    if token is not None:
        req.add_header("Authorization", "%s %s" % (scheme, token))
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, data=data, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def inventory(base, token, name, extra=""):
    """ansible-inventory --list with the plugin alone; returns (returncode, inventory, stderr)."""
    path = os.path.join(TMP, name + ".yml")
    with open(path, "w") as f:
        f.write("plugin: %s\napi_endpoint: %s\ntoken: %s\nvalidate_certs: false\n"
                "group_by:\n  - device_roles\n  - sites\n  - platforms\n  - tags\n"
                "  - is_virtual\n%s" % (PLUGIN, base, token, extra))
    env = dict(os.environ, HOME=TMP, ANSIBLE_LOCAL_TEMP=os.path.join(TMP, "ansible-tmp"),
               ANSIBLE_INVENTORY_ENABLED=PLUGIN, ANSIBLE_INVENTORY_UNPARSED_FAILED="true",
               ANSIBLE_CONFIG=os.path.join(TMP, "none.cfg"), ANSIBLE_NOCOLOR="1")
    for k in ("NETBOX_API", "NETBOX_TOKEN", "NETBOX_API_KEY"):
        env.pop(k, None)
    r = subprocess.run(["ansible-inventory", "-i", path, "--list"], capture_output=True,
                       text=True, env=env, cwd=TMP, timeout=120)
    inv = json.loads(r.stdout) if r.returncode == 0 else None
    return r.returncode, inv, r.stderr


def hosts_of(inv, group):
    return set(inv.get(group, {}).get("hosts", []))


def bare(address):
    return address.split("/")[0]


def main():
    plan = json.load(open(SEED))
    db = os.path.join(TMP, "netsot.db")
    run(NETSOT, "migrate", "--db", db)
    run(NETSOT, "import", SEED, "--db", db)
    password = "netbox-test-password-1"
    run(NETSOT, "user", "add", "admin", "--role", "admin", "--password-stdin", "--db", db,
        stdin=password + "\n")
    port = start_server(db)
    base = "http://127.0.0.1:%d" % port

    st, login = http("POST", base + "/api/v1/auth/login",
                     body={"username": "admin", "password": password})
    assert st == 200, (st, login)
    st, tok = http("POST", base + "/api/v1/tokens", login["access_token"],
                   {"name": "nb-inventory", "role": "viewer"})
    assert st == 201, (st, tok)
    token = tok["token"]
    st, own = http("GET", base + "/api/v1/inventory", token)
    assert st == 200, (st, own)
    own_vars = own["_meta"]["hostvars"]

    # The plugin against netsot.
    rc, inv, err = inventory(base, token, "netbox", "interfaces: true\n")
    if rc != 0:
        sys.exit("FAIL: ansible-inventory exited %d:\n%s" % (rc, err))
    hostvars = inv["_meta"]["hostvars"]
    want_hosts = {h["name"] for h in plan["hosts"]}
    check(set(hostvars) == want_hosts, "hosts: %s, the plan's %s" % (
        sorted(set(hostvars) ^ want_hosts), "differ by" if set(hostvars) else ""))
    addrs = {}
    for a in plan["ip-addresses"]:
        if a.get("host"):
            addrs.setdefault(a["host"], set()).add(a["address"])
    for h in sorted(want_hosts & set(hostvars)):
        mine = own_vars[h].get("ansible_host")
        got = hostvars[h].get("ansible_host")
        check(got == mine, "%s: ansible_host %s, netsot's inventory says %s" % (h, got, mine))
        check((mine is not None) == (h in addrs), "%s: ansible_host %s, addresses %s" % (
            h, mine, sorted(addrs.get(h, ()))))
        if mine is not None and ":" not in mine:
            check(hostvars[h].get("primary_ip4") == mine, "%s: primary_ip4 %s, want %s" % (
                h, hostvars[h].get("primary_ip4"), mine))
        on_ifaces = {bare(ip["address"]) for i in hostvars[h].get("interfaces", [])
                     for ip in i.get("ip_addresses", [])}
        check(on_ifaces == addrs.get(h, set()), "%s: addresses on its interfaces %s, the "
              "plan's %s" % (h, sorted(on_ifaces), sorted(addrs.get(h, ()))))
    print("%d hosts, ansible_host as in netsot's own inventory" % len(hostvars))

    kinds = {h["name"]: h.get("kind", "vm") for h in plan["hosts"]}
    for kind in sorted(set(kinds.values())):
        want = {h for h, k in kinds.items() if k == kind}
        check(hosts_of(inv, "device_roles_" + kind) == want, "device_roles_%s: %s, want %s" % (
            kind, sorted(hosts_of(inv, "device_roles_" + kind)), sorted(want)))
    want = {h for h, k in kinds.items() if k in VIRTUAL_KINDS}
    check(hosts_of(inv, "is_virtual") == want, "is_virtual: %s, want %s" % (
        sorted(hosts_of(inv, "is_virtual")), sorted(want)))
    check(hosts_of(inv, "sites_netsot") == want_hosts, "sites_netsot: %s" % sorted(
        hosts_of(inv, "sites_netsot")))
    groups = {}
    for h in plan["hosts"]:
        for g in h.get("groups", []):
            groups.setdefault(g, set()).add(h["name"])
    for g, want in sorted(groups.items()):
        check(hosts_of(inv, "tags_" + g) == want, "tags_%s: %s, want %s" % (
            g, sorted(hosts_of(inv, "tags_" + g)), sorted(want)))
    print("groups: %d roles, is_virtual, the site, %d host groups as tags" % (
        len(set(kinds.values())), len(groups)))

    # A query filter: the plugin keeps it only when /api/schema/ lists it for both paths.
    rc, inv2, err = inventory(base, token, "storage", "query_filters:\n  - role: storage\n")
    if rc != 0:
        sys.exit("FAIL: ansible-inventory (role filter) exited %d:\n%s" % (rc, err))
    want = {h for h, k in kinds.items() if k == "storage"}
    check(set(inv2["_meta"]["hostvars"]) == want, "role: storage gave %s, want %s" % (
        sorted(inv2["_meta"]["hostvars"]), sorted(want)))

    # A wrong token fails the inventory, with only the plugin to parse the source.
    rc, _, err = inventory(base, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
                           "wrong")
    check(rc != 0, "ansible-inventory with a wrong token exited 0")
    check("No inventory was parsed" in err, "the wrong token's run: " + err)
    # The plugin reports only what it then fails on; the server's log says what it answered.
    # The server writes its access lines every 100 ms: wait a few seconds for this one.
    deadline = time.time() + 5
    while True:
        with open(os.path.join(TMP, "serve.log")) as f:
            access = [json.loads(l) for l in f if l.startswith("{")]
        found = any(a["method"] == "GET" and a["path"].rstrip("/") == "/api/status" and
                    a["status"] == 401 for a in access)
        if found or time.time() > deadline:
            break
        time.sleep(0.1)
    check(found, "the wrong token was not answered 401 (serve.log)")
    st, _ = http("GET", base + "/api/dcim/devices/")
    check(st == 401, "no token: %d, want 401" % st)
    st, _ = http("GET", base + "/api/dcim/devices/", token, scheme="Token")
    check(st == 200, "Token scheme: %d" % st)

    # Pages: small ones, followed by their absolute next links, add up to the one big page.
    st, whole = http("GET", base + "/api/dcim/interfaces/?limit=0", token, scheme="Token")
    check(st == 200 and whole["next"] is None and whole["count"] == len(whole["results"]),
          "limit=0: one page of everything")
    url, got, pages = base + "/api/dcim/interfaces/?limit=7&exclude=config_context", [], 0
    while url is not None and pages < 100:
        check(url.startswith(base + "/api/dcim/interfaces/?"), "link %s is not absolute" % url)
        st, page = http("GET", url, token, scheme="Token")
        check(st == 200 and page["count"] == whole["count"], "page %s: %d" % (url, st))
        got.extend(page["results"])
        url, pages = page["next"], pages + 1
    check(got == whole["results"], "the pages (%d) differ from limit=0's one page" % pages)
    check(pages == (whole["count"] + 6) // 7, "%d pages of 7 for %d interfaces" % (
        pages, whole["count"]))
    print("%d interfaces in %d pages of 7 by next links" % (len(got), pages))

    # A clean stop: under the sanitizers a leak or an error makes the exit status nonzero.
    server = PROCS[0]
    server.terminate()
    rc = server.wait(30)
    with open(os.path.join(TMP, "serve.log")) as f:
        log = f.read()
    check(rc == 0 and "Sanitizer" not in log and "runtime error" not in log,
          "the server exited %d:\n%s" % (rc, log[-4000:]))
    if FAILS:
        sys.exit("FAIL: %d checks failed" % len(FAILS))
    print("PASS")


if __name__ == "__main__":
    main()
