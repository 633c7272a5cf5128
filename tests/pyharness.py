"""The Python tests' harness (crash.py, load.py): a temporary database, its users, and the real
binary serving it on a port it picks (--listen 127.0.0.1:0), read from its log as
tests/harness.c does. Every server dies with the test, also when the test is killed outright.
"""
import atexit
import ctypes
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PASSWORD = "correct-horse-battery-staple"
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    _libc.prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG
    os.setsid()


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


class Server:
    """A database in a temporary folder and, when started, the server on it."""

    def __init__(self, binary, prefix):
        self.bin = os.path.abspath(binary)
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.db = os.path.join(self.dir, "netsot.db")
        self.log = os.path.join(self.dir, "server.log")
        self.proc = None
        self.port = 0
        self.run("migrate")
        atexit.register(self.cleanup)
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, lambda sig, frame: sys.exit(128 + sig))

    def run(self, *args, stdin=None, check=True):
        r = subprocess.run([self.bin] + list(args) + ["--db", self.db], input=stdin,
                           capture_output=True, text=True)
        if check and r.returncode != 0:
            fail("netsot %s exited %d\n%s%s" % (" ".join(args), r.returncode, r.stdout,
                                                 r.stderr))
        return r

    def add_user(self, name, role):
        self.run("user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD)

    def start(self, *flags):
        """Serves the database; returns the port once /healthz answers."""
        start = os.path.getsize(self.log) if os.path.exists(self.log) else 0
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [self.bin, "serve", "--db", self.db, "--listen", "127.0.0.1:0"] + list(flags),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 60        # sanitizer builds start slowly
        self.port = 0
        while self.port == 0:
            with open(self.log, "rb") as f:
                f.seek(start)
                m = re.search(rb"\(port (\d+)", f.read())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None or time.monotonic() > deadline:
                fail("the server did not start (exit %s):\n%s" % (self.proc.poll(),
                                                                    self.log_text()[-4000:]))
            else:
                time.sleep(0.02)
        st, _, _ = self.request("GET", "/healthz")
        if st != 200:
            fail("/healthz answered %d" % st)
        return self.port

    def kill(self):
        """SIGKILL: no handler, no cleanup, no last write."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self):
        """SIGTERM, and the server's exit status (LeakSanitizer's verdict in an ASan build)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        return rc

    def pid(self):
        return self.proc.pid

    def log_text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if os.environ.get("NETSOT_KEEP_TEST_DIRS"):
            print("kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def conn(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, token=None, body=None, headers=None, conn=None):
        """One request; (status, parsed JSON or None, response headers as a dict)."""
        own = conn is None
        c = self.conn() if own else conn
        h = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        try:
            c.request(method, path, None if body is None else json.dumps(body), h)
            r = c.getresponse()
            data = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
        finally:
            if own:
                c.close()
        doc = None
        if data and hdrs.get("content-type", "").endswith("json"):
            doc = json.loads(data)
        return r.status, doc, hdrs

    def login(self, user, conn=None):
        st, doc, _ = self.request("POST", "/api/v1/auth/login",
                                  body={"username": user, "password": PASSWORD}, conn=conn)
        if st != 200:
            fail("login %s: %d %s" % (user, st, doc))
        return doc["access_token"]


def memory_kb(pid):
    """VmRSS, RssAnon (the heap and stacks: where a leak shows), RssFile (the database,
    mapped by SQLite's mmap_size, grows with it) of a process, in kB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                out[k] = int(v.split()[0])
    return out
