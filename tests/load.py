#!/usr/bin/env python3
"""Load (issue 18, part 2): many clients at once, no 5xx, no protocol error, no leak, and
slow or idle connections starve nobody.

    load.py NETSOT_BIN

The server runs with --timeout LOAD_TIMEOUT (5), --max-connections LOAD_MAX_CONN (200) and
--threads LOAD_THREADS (4, the default): each thread's SQLite connection keeps a page cache of
up to 2 MB that fills as the database grows, so with many more threads the caches alone may
grow by tens of MB between the two warm-ups below and hide a leak; with 4 their 8 MB are full
after the first warm-up. (The group commit's batches do not depend on the threads: a waiting
allocation holds no thread.)
  1. Warm-up: LOAD_CLIENTS (64) clients run the mix below for LOAD_WARMUP (5) seconds; the
     server's memory is read once they are done: RssAnon, its heap and stacks, where a leak
     shows (VmRSS also holds the pages of the database SQLite maps, RssFile, which grow with
     the database and are no leak).
  2. LOAD_SECONDS (60): the 64 clients run the mix: lists and objects read, renders (half of
     them revalidated with If-None-Match), allocations (POST .../available-ips), PATCHes of
     each client's own host, and logins on a new connection each. Alongside, LOAD_LORIS (16)
     slow-loris clients send a request's headers one byte a second and LOAD_IDLE (16)
     connections send nothing: --timeout must close each (a header deadline, not only an
     idle timeout), within the timeout plus LOAD_SLACK (7) seconds, and they reconnect (the
     slack: a connection with unread bytes is spared while the server's threads are busy,
     which on a loaded 2-core machine is seconds at times; without the deadline a slow-loris
     connection lives as long as it likes). In the middle, a flood opens LOAD_FLOOD (300) connections, past the connection limit, for
     LOAD_TIMEOUT + 2 seconds and closes them.
  3. The warm-up again, and the heap again: the bytes the server has allocated and not freed
     (netsot_heap_bytes in /metrics, glibc's mallinfo2 over every arena) may have grown by
     LOAD_RSS_KB (5120) at most. Not RssAnon, which is logged beside it: malloc keeps the
     pages a burst touched (the flood's 200 connections hold 12 kB each at once), so RssAnon
     grew by 2-7 MB on a loaded machine with no leak at all, while the heap in use gives them
     back. What may grow is SQLite's page caches (at most 2 MB per server thread, mostly
     filled by the first warm-up). LOAD_RSS_KB=0 skips this: in the sanitizer build, whose
     allocator mallinfo2 does not see, LeakSanitizer checks every allocation at exit
     instead.
Every answer must have the status its request expects, JSON where JSON is due and an
X-Request-Id; a 5xx, any other status, a broken or truncated answer or a dropped connection
counts as a failure, and there must be none (a keep-alive connection the server closed after
--timeout of idleness is opened again, as HTTP clients do). Requests outside the flood must be
answered within LOAD_LATENCY (20) seconds, and so must requests on open connections during it
and a new connection right after it (new connections during it wait in the listen queue). Every
allocated address must be unique and stored with its description; the server must stop on
SIGTERM with status 0 (LeakSanitizer's verdict in an ASan build).
"""
import http.client
import json
import os
import random
import socket
import sqlite3
import sys
import threading
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyharness import PASSWORD, Server, fail, memory_kb  # noqa: E402


def env(name, default):
    return float(os.environ.get(name, default))


SECONDS = env("LOAD_SECONDS", 60)
WARMUP = env("LOAD_WARMUP", 5)
CLIENTS = int(env("LOAD_CLIENTS", 64))
LORIS = int(env("LOAD_LORIS", 16))
IDLE = int(env("LOAD_IDLE", 16))
FLOOD = int(env("LOAD_FLOOD", 300))
TIMEOUT = int(env("LOAD_TIMEOUT", 5))
MAX_CONN = int(env("LOAD_MAX_CONN", 200))
SLACK = env("LOAD_SLACK", 7)
LATENCY = env("LOAD_LATENCY", 20)
RSS_KB = int(env("LOAD_RSS_KB", 5120))
T0 = time.monotonic()


def log(msg):
    print("[%6.2fs] %s" % (time.monotonic() - T0, msg), flush=True)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.count = {}          # op -> answers
        self.failures = []       # (what, detail), the first ones
        self.nfail = 0
        self.status5xx = 0
        self.latencies = []      # (start, seconds) of every request
        self.addresses = {}      # allocated address -> description
        self.reconnects = 0      # idle keep-alive connections the server had closed
        self.lifetimes = {"loris": [], "idle": []}

    def fail(self, what, detail):
        with self.lock:
            self.nfail += 1
            if len(self.failures) < 20:
                self.failures.append((what, detail))


class Client:
    """One client: its own keep-alive connection and host, running the mix."""

    # Weights. A login costs an Argon2id hash (64 MiB, about 0.1 s of a core; seconds on a
    # loaded machine) on the server thread that holds the connection: 1 in 100 requests.
    MIX = [("list", 20), ("object", 15), ("addresses", 10), ("render", 15), ("alloc", 22),
           ("update", 17), ("login", 1)]

    def __init__(self, load, n):
        self.load, self.srv, self.st, self.n = load, load.srv, load.stats, n
        self.rng = random.Random(n)
        self.conn = None
        self.last_used = 0.0
        self.etags = {}
        self.seq = 0
        self.token = load.token
        self.host = load.hosts[n]

    def request(self, op, method, path, body=None, headers=None, expect=(200,), fresh=False):
        h = {"Authorization": "Bearer " + self.token}
        h.update(headers or {})
        if body is not None:
            h["Content-Type"] = "application/json"
        data = None if body is None else json.dumps(body)
        idle = time.monotonic() - self.last_used
        if fresh or self.conn is None:
            self.conn = self.srv.conn(timeout=60)
        elif idle >= TIMEOUT - 0.5:
            # The server closes a connection idle for --timeout: open another, as clients do.
            self.conn.close()
            with self.st.lock:
                self.st.reconnects += 1
        t = time.monotonic()
        try:
            self.conn.request(method, path, data, h)
            r = self.conn.getresponse()
            raw = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
        except Exception as e:  # noqa: BLE001 - every way of breaking counts
            self.conn.close()
            self.conn = None
            self.st.fail(op, "%s %s: %r (after %.2f s)" % (method, path, e,
                                                            time.monotonic() - t))
            return None, None, None
        dt = time.monotonic() - t
        self.last_used = time.monotonic()
        if fresh:
            self.conn.close()
            self.conn = None
        with self.st.lock:
            self.st.latencies.append((t, dt, fresh))
            self.st.count[op] = self.st.count.get(op, 0) + 1
            self.st.status5xx += r.status >= 500
        if r.status not in expect:
            self.st.fail(op, "%s %s: %d %s" % (method, path, r.status, raw[:300]))
            return None, None, None
        if "x-request-id" not in hdrs:
            self.st.fail(op, "%s %s: no X-Request-Id" % (method, path))
        doc = None
        if r.status != 304 and "json" in hdrs.get("content-type", ""):
            try:
                doc = json.loads(raw)
            except ValueError as e:
                self.st.fail(op, "%s %s: %r in %r" % (method, path, e, raw[:200]))
        return r.status, doc, hdrs

    def one(self):
        op = self.rng.choices([m for m, _ in self.MIX], [w for _, w in self.MIX])[0]
        L = self.load
        if op == "list":
            st, doc, _ = self.request(op, "GET", "/api/v1/hosts?limit=20&ordering=-id")
            if st and not isinstance(doc.get("results"), list):
                self.st.fail(op, "no results: %r" % doc)
        elif op == "object":
            st, doc, _ = self.request(op, "GET", "/api/v1/prefixes/%d" % L.prefix)
            if st and "utilization" not in doc:
                self.st.fail(op, "no utilization: %r" % doc)
        elif op == "addresses":
            self.request(op, "GET", "/api/v1/ip-addresses?prefix_id=%d&limit=10&ordering=-id"
                         % L.prefix)
        elif op == "render":
            target = self.rng.choice(["dnsmasq", "hosts", "nftables?host=router"])
            h = {}
            if target in self.etags and self.rng.random() < 0.5:
                h["If-None-Match"] = self.etags[target]
            st, _, hdrs = self.request(op, "GET", "/api/v1/render/" + target, headers=h,
                                       expect=(200, 304))
            if st == 200:
                self.etags[target] = hdrs.get("etag")
        elif op == "alloc":
            self.seq += 1
            desc = "load-%d-%d" % (self.n, self.seq)
            st, doc, _ = self.request(op, "POST", "/api/v1/prefixes/%d/available-ips" % L.prefix,
                                      {"description": desc}, expect=(201,))
            if st:
                with self.st.lock:
                    if doc["address"] in self.st.addresses:
                        self.st.fail(op, "%s handed out twice (%s, %s)" % (
                            doc["address"], self.st.addresses[doc["address"]], desc))
                    self.st.addresses[doc["address"]] = desc
        elif op == "update":
            self.seq += 1
            self.request(op, "PATCH", "/api/v1/hosts/%d" % self.host,
                         {"description": "load %d" % self.seq})
        elif op == "login":
            st, doc, _ = self.request(op, "POST", "/api/v1/auth/login",
                                      {"username": "ed", "password": PASSWORD}, fresh=True)
            if st:
                self.token = doc["access_token"]

    def run(self, until):
        while time.monotonic() < until:
            self.one()
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def loris(load, until, kind):
    """A slow-loris client (a header byte a second) or an idle one (nothing): each
    connection's life, from connect to the server's close, is recorded."""
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    while time.monotonic() < until:
        try:
            s = socket.create_connection(("127.0.0.1", load.srv.port), timeout=TIMEOUT * 10)
        except OSError as e:
            load.stats.fail(kind, "connect: %r" % e)
            return
        t = time.monotonic()
        closed = False
        try:
            s.settimeout(1.0)
            i = 0
            while not closed and time.monotonic() - t < TIMEOUT + SLACK + 5:
                if kind == "loris":
                    s.send(head[i:i + 1] if i < len(head) else b"a")
                    i += 1
                try:
                    closed = s.recv(4096) == b""
                except socket.timeout:
                    pass
        except OSError:
            closed = True       # reset by the server
        life = time.monotonic() - t
        s.close()
        load.stats.lifetimes[kind].append((t, life))
        if not closed:
            load.stats.fail(kind, "still open after %.1f s" % life)


class Load:
    def __init__(self, srv):
        self.srv = srv
        self.stats = Stats()

    def setup(self):
        self.token = self.srv.login("ed")

        def post(path, body):
            st, doc, _ = self.srv.request("POST", path, self.token, body)
            if st != 201:
                fail("setup %s: %d %s" % (path, st, doc))
            return doc["id"]

        self.prefix = post("/api/v1/prefixes", {"prefix": "10.64.0.0/16"})
        post("/api/v1/dns-zones", {"name": "load.test", "soa_mname": "ns1.example.net."})
        router = post("/api/v1/hosts", {"name": "router", "kind": "router"})
        post("/api/v1/ip-addresses", {"address": "10.64.0.1", "host_id": router,
                                      "dns_name": "router.load.test"})
        self.hosts = [post("/api/v1/hosts", {"name": "load-%d" % i}) for i in range(CLIENTS)]

    def clients(self, seconds):
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=Client(self, i).run, args=(until,))
                   for i in range(CLIENTS)]
        for t in threads:
            t.start()
        return threads

    def flood(self, at, window):
        """FLOOD connections past the limit, held for TIMEOUT + 2 s, then closed."""
        time.sleep(max(0, at - time.monotonic()))
        socks, t0 = [], time.monotonic()
        for _ in range(FLOOD):
            try:
                socks.append(socket.create_connection(("127.0.0.1", self.srv.port),
                                                      timeout=5))
            except OSError as e:
                self.stats.fail("flood", "connect: %r" % e)
                break
        time.sleep(TIMEOUT + 2)
        for s in socks:
            s.close()
        held = time.monotonic() - t0
        window.extend([t0, time.monotonic()])
        time.sleep(0.5)
        t = time.monotonic()
        st, _, _ = self.srv.request("GET", "/healthz")
        window.append(time.monotonic() - t)
        if st != 200:
            self.stats.fail("flood", "/healthz after the flood: %d" % st)
        log("flood: %d connections over a limit of %d, closed after %.1f s" %
            (len(socks), MAX_CONN, held))

    def heap_kb(self):
        """The server's netsot_heap_bytes, in kB."""
        c = self.srv.conn()
        try:
            c.request("GET", "/metrics", None, {"Authorization": "Bearer " + self.token})
            r = c.getresponse()
            body = r.read().decode()
        finally:
            c.close()
        for line in body.splitlines():
            if line.startswith("netsot_heap_bytes "):
                return int(line.split()[1]) // 1024
        fail("/metrics (%d) has no netsot_heap_bytes" % r.status)

    def warmup(self, what):
        for t in self.clients(WARMUP):
            t.join()
        time.sleep(0.5)
        mem = memory_kb(self.srv.pid())
        mem["heap"] = self.heap_kb()
        log("%s: %s" % (what, ", ".join("%s %d kB" % kv for kv in sorted(mem.items()))))
        return mem


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    srv = Server(sys.argv[1], "netsot-load.")
    srv.add_user("ed", "editor")
    srv.start("--timeout", str(TIMEOUT), "--max-connections", str(MAX_CONN),
              "--threads", os.environ.get("LOAD_THREADS", "4"))
    load = Load(srv)
    load.setup()
    log("%d clients for %g s (warm-up %g s), %d slow-loris and %d idle connections, a flood "
        "of %d; --timeout %d, --max-connections %d" % (CLIENTS, SECONDS, WARMUP, LORIS, IDLE,
                                                        FLOOD, TIMEOUT, MAX_CONN))
    mem0 = load.warmup("after the warm-up")
    st = load.stats
    n0 = len(st.latencies)
    start = time.monotonic()
    until = start + SECONDS
    threads = load.clients(SECONDS)
    # The slow ones stop starting new connections TIMEOUT + SLACK before the end.
    stop_slow = until - TIMEOUT - SLACK
    for kind, n in (("loris", LORIS), ("idle", IDLE)):
        threads += [threading.Thread(target=loris, args=(load, stop_slow, kind))
                    for _ in range(n)]
    window = []
    threads.append(threading.Thread(target=load.flood, args=(start + SECONDS / 2, window)))
    for t in threads[CLIENTS:]:
        t.start()
    for t in threads:
        t.join(SECONDS + 120)
        if t.is_alive():
            fail("a client is stuck")
    main_lat = st.latencies[n0:]
    requests = len(main_lat)
    mem1 = load.warmup("after the run and the same warm-up")

    # ---- verdicts ----
    lat = sorted(d for _, d, _ in main_lat)
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else 0  # noqa: E731
    log("%d requests in %g s (%.0f/s): %s; latency p50 %.3f s, p99 %.3f s, max %.3f s; %d "
        "keep-alive reopens" % (requests, SECONDS, requests / SECONDS,
                                ", ".join("%s %d" % kv for kv in sorted(st.count.items())),
                                pct(0.5), pct(0.99), pct(1.0), st.reconnects))
    for kind in ("loris", "idle"):
        # One that connected during the flood waited in the listen queue first.
        lives = [life for t, life in st.lifetimes[kind]
                 if not window or not window[0] - 1 <= t <= window[1]]
        lives.sort()
        log("%s: %d connections ended after %.1f-%.1f s, median %.1f s (and %d "
            "opened during the flood)" % (kind, len(lives), min(lives, default=0),
                                          max(lives, default=0),
                                          lives[len(lives) // 2] if lives else 0,
                                          len(st.lifetimes[kind]) - len(lives)))
        if (LORIS if kind == "loris" else IDLE) and not lives:
            fail("no %s connection was closed" % kind)
        late = [x for x in lives if x > TIMEOUT + SLACK]
        if late:
            fail("%d %s connections lived %.1f s, past --timeout %d + %g" % (
                len(late), kind, max(late), TIMEOUT, SLACK))
    if window:
        # New connections wait in the listen queue while the flood holds the slots (each
        # flood connection until its header deadline); open ones must go on being served.
        kept = [d for t, d, fresh in main_lat if window[0] <= t <= window[1] and not fresh]
        new = [d for t, d, fresh in main_lat if window[0] <= t <= window[1] and fresh]
        outside = [d for t, d, _ in main_lat if not window[0] <= t <= window[1]]
        log("during the flood: %d requests on open connections, max %.2f s; %d on new "
            "ones, max %.2f s; outside it: max %.2f s; a new connection after it: %.2f s" % (
                len(kept), max(kept, default=0), len(new), max(new, default=0),
                max(outside, default=0), window[2]))
        if max(kept + outside, default=0) > LATENCY:
            fail("a request waited %.1f s" % max(kept + outside))
        if window[2] > LATENCY:
            fail("after the flood, a new connection waited %.1f s" % window[2])
    if st.status5xx or st.nfail:
        for what, detail in st.failures:
            print("  %s: %s" % (what, detail))
        fail("%d 5xx answers, %d failures in all" % (st.status5xx, st.nfail))
    with sqlite3.connect(srv.db) as db:
        rows = dict(db.execute("SELECT address, description FROM ip_addresses "
                               "WHERE description LIKE 'load-%'"))
    if rows != st.addresses:
        fail("%d addresses acknowledged, %d stored; differing: %s" % (
            len(st.addresses), len(rows),
            sorted(set(rows.items()) ^ set(st.addresses.items()))[:5]))
    log("%d addresses allocated, all distinct and stored" % len(st.addresses))
    heap0, heap1 = mem0["heap"], mem1["heap"]
    log("heap in use %d kB -> %d kB (%+d kB, bound %s); RssAnon %d kB -> %d kB (%+d kB)" % (
        heap0, heap1, heap1 - heap0, "%d kB" % RSS_KB if RSS_KB else "none",
        mem0["RssAnon"], mem1["RssAnon"], mem1["RssAnon"] - mem0["RssAnon"]))
    if RSS_KB and heap1 - heap0 > RSS_KB:
        fail("the server's heap grew by %d kB between two identical warm-ups" % (heap1 - heap0))
    rc = srv.stop()
    if rc != 0:
        fail("the server exited %d on SIGTERM:\n%s" % (rc, srv.log_text()[-4000:]))
    log("ok")


if __name__ == "__main__":
    main()
