#!/usr/bin/env python3
"""Crash safety (issue 18, part 1): acknowledged writes survive SIGKILL, unacknowledged ones
are all or nothing.

    crash.py NETSOT_BIN

Writer threads (CRASH_WRITERS, 4) create hosts and DNS records, allocate addresses
(POST /api/v1/prefixes/{id}/available-ips with an Idempotency-Key) and PATCH the description
of hosts they made, each write tagged with a unique value. Every write is recorded before it
is sent; it is acknowledged once a 2xx answer was read in full, in flight when the connection
broke first. The server is killed with SIGKILL after a random 0.2-1.5 s, CRASH_ROUNDS (20)
times, and restarted on the same database. After each restart:
  - each in-flight allocation is sent again with its Idempotency-Key: the answer is a replay
    (Idempotent-Replayed: true, the same id) exactly when the first one was committed, and
    the tag is then held by exactly one address;
  - every acknowledged create is there with its values, every acknowledged update's value is
    the host's (or a later in-flight one's); an in-flight write is either there with its audit
    row or absent without one; refused writes are absent;
  - the audit log holds exactly one row per acknowledged write, under its X-Request-Id, one
    per in-flight write that landed, and no other row (its total is counted);
  - PRAGMA integrity_check and foreign_key_check are clean;
  - the free map (used_runs) equals the maximal runs of the stored addresses, the prefix's
    used count equals its addresses (in the table and through the API's utilization), and
    the API's lowest free address is the lowest usable one not stored;
  - `netsot validate` finds no error.
At the end the server stops on SIGTERM with status 0 (LeakSanitizer's verdict in an ASan
build). NETSOT_TEST_SEED repeats a run's choices (not its timing).
"""
import ipaddress
import json
import os
import random
import sqlite3
import sys
import threading
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyharness import PASSWORD, Server, fail  # noqa: E402

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "20"))
WRITERS = int(os.environ.get("CRASH_WRITERS", "4"))
SEED = int(os.environ.get("NETSOT_TEST_SEED", str(random.SystemRandom().randrange(1 << 31))))
PREFIX = ipaddress.ip_network("10.0.0.0/16")
ZONE = "crash.test"
T0 = time.monotonic()


def log(msg):
    print("[%6.2fs] %s" % (time.monotonic() - T0, msg), flush=True)


class Op:
    """One write: what was sent, and what came of it."""

    def __init__(self, kind, tag, method, path, body, key=None, host=None):
        self.kind, self.tag, self.method, self.path, self.body = kind, tag, method, path, body
        self.key = key          # Idempotency-Key (allocations)
        self.host = host        # the host a patch changes
        self.state = "inflight"  # -> acked | refused
        self.status = 0
        self.reqid = None
        self.id = None
        self.answer = None
        self.replayed = False   # acknowledged by an idempotent replay after a restart


class Run:
    def __init__(self, srv):
        self.srv = srv
        self.rng = random.Random(SEED)
        self.lock = threading.Lock()
        self.ops = []           # this round's writes
        self.hosts = {}         # host id -> [owner thread, acknowledged description]
        self.pending = {}       # host id -> the in-flight patch of it, if any
        self.present_writes = 0  # writes that are in the database (audit rows expected)
        self.objects = {"hosts": 0, "dns_records": 0, "ip_addresses": 0}
        self.totals = {"acked": 0, "inflight": 0, "landed": 0, "replayed": 0}
        self.base_changes = 0
        self.seq = 0
        self.errors = []
        self.last_change = 0

    def tag(self, what):
        with self.lock:
            self.seq += 1
            return "%s-%d-%d" % (what, SEED % 100000, self.seq)

    # ---- the writers ----

    def next_op(self, tid, rng):
        with self.lock:
            mine = [h for h, (owner, _) in self.hosts.items() if owner == tid]
        r = rng.random()
        if r < 0.25 or (r >= 0.8 and not mine):
            t = self.tag("h")
            return Op("host", t, "POST", "/api/v1/hosts", {"name": t, "kind": "vm"})
        if r < 0.45:
            t = self.tag("r")
            return Op("record", t, "POST", "/api/v1/dns-records",
                      {"zone_id": self.zone, "name": t, "type": "TXT", "value": t})
        if r < 0.8:
            t = self.tag("a")
            return Op("alloc", t, "POST", "/api/v1/prefixes/%d/available-ips" % self.prefix,
                      {"description": t}, key="k-" + t)
        h = rng.choice(mine)
        t = self.tag("u")
        return Op("patch", t, "PATCH", "/api/v1/hosts/%d" % h, {"description": t}, host=h)

    def writer(self, tid, seed, ready):
        rng = random.Random(seed)
        conn = self.srv.conn(timeout=30)
        try:
            st, doc, _ = self.srv.request("POST", "/api/v1/auth/login", body={
                "username": "ed", "password": PASSWORD}, conn=conn)
            token = doc["access_token"]
        except Exception as e:
            self.errors.append("writer %d: login: %r" % (tid, e))
            return
        finally:
            ready.release()
        while True:
            op = self.next_op(tid, rng)
            with self.lock:
                self.ops.append(op)
                if op.kind == "patch":
                    self.pending[op.host] = op
            headers = {"Idempotency-Key": op.key} if op.key else {}
            try:
                st, doc, hdrs = self.srv.request(op.method, op.path, token, op.body, headers,
                                                 conn=conn)
            except Exception:   # the server is gone: in flight
                break
            self.answered(op, st, doc, hdrs, tid)
            if op.state != "acked":
                break
        conn.close()

    def answered(self, op, st, doc, hdrs, tid):
        op.status, op.answer, op.reqid = st, doc, hdrs.get("x-request-id")
        if not 200 <= st < 300:
            op.state = "refused"
            return
        op.state = "acked"
        op.id = doc["id"]
        with self.lock:
            if op.kind == "host":
                self.hosts[op.id] = [tid, ""]
            elif op.kind == "patch":
                self.hosts[op.host][1] = op.tag
                del self.pending[op.host]

    # ---- one round ----

    def round(self, n):
        self.ops = []
        ready = threading.Semaphore(0)
        threads = [threading.Thread(target=self.writer,
                                    args=(i, self.rng.randrange(1 << 30), ready))
                   for i in range(WRITERS)]
        for t in threads:
            t.start()
        for _ in threads:
            ready.acquire()
        delay = self.rng.uniform(0.2, 1.5)
        time.sleep(delay)
        self.srv.kill()
        for t in threads:
            t.join(60)
            if t.is_alive():
                fail("a writer is stuck after the kill")
        if self.errors:
            fail("round %d: %s" % (n, self.errors))
        counts = {}
        for op in self.ops:
            counts[op.state] = counts.get(op.state, 0) + 1
        log("round %d: killed after %.2f s: %s" % (n, delay, counts))
        refused = [op for op in self.ops if op.state == "refused"]
        if refused:
            op = refused[0]
            fail("round %d: %s %s answered %d %s" % (n, op.method, op.path, op.status,
                                                       op.answer))

    # ---- after a restart ----

    def retry_allocations(self, db):
        """Each in-flight allocation again, with its key: a replay iff it was committed."""
        for op in self.ops:
            if op.kind != "alloc" or op.state != "inflight":
                continue
            before = db.execute("SELECT id FROM ip_addresses WHERE description = ?",
                                (op.tag,)).fetchall()
            db.commit()
            st, doc, hdrs = self.srv.request("POST", op.path, self.token, op.body,
                                             {"Idempotency-Key": op.key})
            if st != 201:
                fail("retry of %s: %d %s" % (op.tag, st, doc))
            replayed = hdrs.get("idempotent-replayed") == "true"
            if replayed != bool(before):
                fail("retry of %s: replayed=%s but the first attempt %s committed" %
                     (op.tag, replayed, "was" if before else "was not"))
            if replayed and doc["id"] != before[0][0]:
                fail("retry of %s replayed id %d, the stored one is %d" %
                     (op.tag, doc["id"], before[0][0]))
            op.state, op.id, op.answer, op.replayed = "acked", doc["id"], doc, replayed
            op.reqid = None if replayed else hdrs.get("x-request-id")
            self.totals["replayed"] += replayed

    def verify(self, n):
        db = sqlite3.connect(self.srv.db, isolation_level=None, timeout=30)
        self.retry_allocations(db)
        db.execute("BEGIN")     # one snapshot for every check
        q = lambda sql, *a: db.execute(sql, a).fetchall()  # noqa: E731
        where = "round %d (seed %d)" % (n, SEED)
        ic = q("PRAGMA integrity_check")
        if ic != [("ok",)]:
            fail("%s: integrity_check: %s" % (where, ic[:10]))
        fk = q("PRAGMA foreign_key_check")
        if fk:
            fail("%s: foreign_key_check: %s" % (where, fk[:10]))

        # This round's audit rows (later than every row seen before) by what they wrote.
        logged = {}
        for row in q("SELECT request_id, object_id, action, object_type, "
                     "json_extract(after, '$.name'), json_extract(after, '$.description'), id "
                     "FROM changes WHERE id > ?", self.last_change):
            self.last_change = max(self.last_change, row[6])
            tag = row[5] if row[2] == "update" or row[3] == "ip-address" else row[4]
            logged.setdefault((row[2], row[3], tag), []).append((row[0], row[1]))

        def audit_rows(op):
            if op.kind == "patch":
                return [r for r in logged.get(("update", "host", op.tag), [])
                        if r[1] == op.host]
            otype = {"host": "host", "record": "dns-record", "alloc": "ip-address"}[op.kind]
            return logged.get(("create", otype, op.tag), [])

        def stored(op):
            sql = {"host": "SELECT id, name FROM hosts WHERE name = ?",
                   "record": "SELECT id, value FROM dns_records WHERE name = ?",
                   "alloc": "SELECT id, address FROM ip_addresses WHERE description = ?"}
            return q(sql[op.kind], op.tag)

        for op in self.ops:
            self.totals["acked" if op.state == "acked" and not op.replayed else "inflight"] += 1
            if op.kind == "patch":
                continue
            rows, audit = stored(op), audit_rows(op)
            if len(rows) > 1 or len(audit) > 1:
                fail("%s: %s %s is stored %d times, audited %d times" % (where, op.kind,
                                                                        op.tag, len(rows),
                                                                        len(audit)))
            if op.state == "acked":
                if not rows:
                    fail("%s: acknowledged %s %s (id %s) is gone" % (where, op.kind, op.tag,
                                                                    op.id))
                if rows[0][0] != op.id:
                    fail("%s: %s %s has id %d, acknowledged %d" % (where, op.kind, op.tag,
                                                                  rows[0][0], op.id))
                if op.kind == "alloc" and rows[0][1] != op.answer["address"]:
                    fail("%s: %s holds %s, acknowledged %s" % (where, op.tag, rows[0][1],
                                                              op.answer["address"]))
                if op.kind == "record" and rows[0][1] != op.tag:
                    fail("%s: record %s holds %r" % (where, op.tag, rows[0][1]))
                if len(audit) != 1 or audit[0][1] != op.id or (
                        op.reqid is not None and audit[0][0] != op.reqid):
                    fail("%s: acknowledged %s %s (request %s): audit rows %s" %
                         (where, op.kind, op.tag, op.reqid, audit))
            elif len(rows) != len(audit) or (rows and audit[0][1] != rows[0][0]):
                fail("%s: in-flight %s %s half applied: stored %s, audited %s" %
                     (where, op.kind, op.tag, rows, audit))
            if rows:
                self.present_writes += 1
                self.objects[{"host": "hosts", "record": "dns_records",
                              "alloc": "ip_addresses"}[op.kind]] += 1
                self.totals["landed"] += op.state == "inflight" or op.replayed
                if op.kind == "host" and op.state == "inflight":
                    # Landed: from now on it is a host like the others, owned by nobody.
                    self.hosts[rows[0][0]] = [-1, ""]
        # Updates: each host holds its last acknowledged description or its in-flight one.
        for op in self.ops:
            if op.kind != "patch":
                continue
            audit = audit_rows(op)
            if op.state == "acked":
                if len(audit) != 1 or audit[0][0] != op.reqid:
                    fail("%s: acknowledged update %s (request %s): audit rows %s" %
                         (where, op.tag, op.reqid, audit))
                self.present_writes += 1
            elif len(audit) > 1:
                fail("%s: in-flight update %s audited %d times" % (where, op.tag, len(audit)))
        for hid, (owner, acked) in self.hosts.items():
            desc = q("SELECT description FROM hosts WHERE id = ?", hid)
            if not desc:
                fail("%s: host %d is gone" % (where, hid))
            desc, pend = desc[0][0], self.pending.get(hid)
            if desc == acked and pend is not None and audit_rows(pend):
                fail("%s: in-flight update %s of host %d audited, not applied" %
                     (where, pend.tag, hid))
            if desc != acked:
                if pend is None or desc != pend.tag:
                    fail("%s: host %d holds %r; acknowledged %r, in flight %r" %
                         (where, hid, desc, acked, pend and pend.tag))
                if len(audit_rows(pend)) != 1:
                    fail("%s: in-flight update %s applied without its audit row" %
                         (where, pend.tag))
                self.present_writes += 1
                self.totals["landed"] += 1
                self.hosts[hid][1] = desc
        self.pending = {}
        # Nothing else: the audit log and the tables hold exactly what was counted.
        total = q("SELECT count(*) FROM changes")[0][0]
        if total != self.base_changes + self.present_writes:
            fail("%s: %d audit rows, expected %d (setup) + %d (writes)" %
                 (where, total, self.base_changes, self.present_writes))
        for table, count in self.objects.items():
            got = q("SELECT count(*) FROM %s" % table)[0][0]
            if got != count:
                fail("%s: %s holds %d rows, %d writes landed" % (where, table, got, count))
        self.check_free_space(q, where)
        db.execute("COMMIT")
        db.close()
        self.check_api(where)
        r = self.srv.run("validate", "--json", check=False)
        if r.returncode != 0:
            fail("%s: netsot validate exited %d:\n%s%s" % (where, r.returncode, r.stdout,
                                                           r.stderr))

    def check_free_space(self, q, where):
        keys = [int.from_bytes(k[1:], "big") for (k,) in
                q("SELECT addr_key FROM ip_addresses ORDER BY addr_key")]
        runs = []
        for k in keys:
            if runs and runs[-1][1] + 1 == k:
                runs[-1][1] = k
            else:
                runs.append([k, k])
        stored = [[int.from_bytes(s[1:], "big"), int.from_bytes(e[1:], "big")]
                  for s, e in q("SELECT start_key, end_key FROM used_runs ORDER BY start_key")]
        if stored != runs:
            fail("%s: used_runs %s, the addresses make %s" % (where, stored[:5], runs[:5]))
        bad = q("SELECT prefix, used FROM prefixes p WHERE used != (SELECT count(*) FROM "
                "ip_addresses a WHERE a.addr_key BETWEEN p.first_key AND p.last_key)")
        if bad:
            fail("%s: used counts wrong: %s" % (where, bad))
        self.addresses = {int(ipaddress.ip_address(a)) for (a,) in
                          q("SELECT address FROM ip_addresses")}

    def check_api(self, where):
        st, doc, _ = self.srv.request("GET", "/api/v1/prefixes/%d" % self.prefix, self.token)
        used = doc["utilization"]["used"]
        if st != 200 or used != len(self.addresses):
            fail("%s: the API says %s used, %d are stored" % (where, used,
                                                               len(self.addresses)))
        st, doc, _ = self.srv.request(
            "GET", "/api/v1/prefixes/%d/available-ips?limit=1" % self.prefix, self.token)
        lowest = next(a for a in range(int(PREFIX.network_address) + 1,
                                       int(PREFIX.broadcast_address))
                      if a not in self.addresses)
        if st != 200 or doc[0]["address"] != str(ipaddress.ip_address(lowest)):
            fail("%s: next free is %s, expected %s" % (where, doc,
                                                       ipaddress.ip_address(lowest)))
        # The audit log through the API too, for a few acknowledged writes.
        for op in [o for o in self.ops if o.state == "acked" and o.reqid][:5]:
            st, doc, _ = self.srv.request("GET", "/api/v1/changes?request_id=" + op.reqid,
                                          self.token)
            if st != 200 or doc["count"] != 1:
                fail("%s: GET changes?request_id=%s: %d %s" % (where, op.reqid, st, doc))

    def setup(self):
        self.token = self.srv.login("ed")
        st, doc, _ = self.srv.request("POST", "/api/v1/prefixes", self.token,
                                      {"prefix": str(PREFIX)})
        if st != 201:
            fail("prefix: %d %s" % (st, doc))
        self.prefix = doc["id"]
        st, doc, _ = self.srv.request("POST", "/api/v1/dns-zones", self.token, {"name": ZONE, "soa_mname": "ns1.example.net."})
        if st != 201:
            fail("zone: %d %s" % (st, doc))
        self.zone = doc["id"]
        with sqlite3.connect(self.srv.db) as db:
            self.base_changes, self.last_change = db.execute(
                "SELECT count(*), max(id) FROM changes").fetchone()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    srv = Server(sys.argv[1], "netsot-crash.")
    srv.add_user("ed", "editor")
    log("seed %d (NETSOT_TEST_SEED=%d repeats it), %d rounds, %d writers" %
        (SEED, SEED, ROUNDS, WRITERS))
    srv.start()
    run = Run(srv)
    run.setup()
    for n in range(1, ROUNDS + 1):
        run.round(n)
        srv.start()
        run.token = srv.login("ed")
        run.verify(n)
    t = run.totals
    log("%d rounds: %d writes acknowledged, %d in flight at a kill (%d of them landed, %d "
        "allocations replayed by their Idempotency-Key); %d hosts, %d records, %d addresses" %
        (ROUNDS, t["acked"], t["inflight"], t["landed"], t["replayed"], run.objects["hosts"],
         run.objects["dns_records"], run.objects["ip_addresses"]))
    rc = srv.stop()
    if rc != 0:
        fail("the server exited %d on SIGTERM:\n%s" % (rc, srv.log_text()[-4000:]))
    if t["acked"] < ROUNDS:
        fail("too few writes were acknowledged to mean anything")
    log("ok")


if __name__ == "__main__":
    main()
