#!/usr/bin/env python3
"""The README's commands run, so they cannot rot; and the demo's server part works.

usage: readme.py SOURCE_DIR NETSOT_BINARY

1. deploy/demo.sh --bin NETSOT_BINARY (no packages, no build) serves a fresh demo database in a
   temporary folder on a free loopback port (--listen 127.0.0.1:0): the first run makes the
   database (the seed plan, an admin whose password it prints once) and prints the address with
   the real port; a second run reuses the database and does the same; a third one on the port
   the second holds says that port is taken, by its number.
2. Every ```sh block of README.md runs with bash -euo pipefail against that server, in a folder
   laid out like the repository (build/, deploy/, db/, and var/demo.db the demo's database),
   with http://127.0.0.1:8080 replaced by the server's address and PASSWORD by the admin's
   password. A block preceded by <!-- readme-test: skip (why) --> is not run; there may be only
   SKIPS_ALLOWED of them (the two commands that install packages and serve forever). Each block
   must exit 0, and a few of their outputs are checked.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIPS_ALLOWED = 1
URL_PLACEHOLDER = "http://127.0.0.1:8080"
PASSWORD_PLACEHOLDER = "PASSWORD"
SKIP_MARK = re.compile(r"^<!--\s*readme-test:\s*skip\b.*-->\s*$")

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, flush=True)


def wait_for(path, pattern, proc, seconds=60):
    """The first match of pattern in the file at path, waiting while proc runs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            m = re.search(pattern, f.read(), re.M)
        if m:
            return m
        if proc.poll() is not None:
            with open(path, errors="replace") as f:
                m = re.search(pattern, f.read(), re.M)
            return m
        time.sleep(0.05)
    return None


def healthy(port):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open("http://127.0.0.1:%d/healthz" % port, timeout=10) as r:
            return r.status == 200 and b'"ok"' in r.read()
    except OSError:
        return False


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class Demo:
    """deploy/demo.sh --bin BIN --db DB --listen LISTEN, its output in a file."""

    def __init__(self, src, binary, db, listen, log, env):
        self.log = log
        self.out = open(log, "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [os.path.join(src, "deploy", "demo.sh"), "--bin", binary, "--db", db,
             "--listen", listen],
            stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)

    def text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def up(self, what):
        """The port the demo says it serves on, once /healthz answers there; 0 on failure."""
        m = wait_for(self.log, r"^netsot on http://127\.0\.0\.1:(\d+)/", self.proc)
        if m is None:
            fail("%s: no 'netsot on http://127.0.0.1:PORT/' line:\n%s" % (what, self.text()))
            return 0
        port = int(m.group(1))
        if port == 0:
            fail("%s: the demo printed port 0:\n%s" % (what, self.text()))
            return 0
        real = re.search(r"listening on 127\.0\.0\.1:0 \(port (\d+),", self.text())
        if real is None or int(real.group(1)) != port:
            fail("%s: the printed port %d is not the server's:\n%s" % (what, port, self.text()))
        while not healthy(port):
            if self.proc.poll() is not None or time.monotonic() - self.started > 60:
                fail("%s: nothing healthy on port %d:\n%s" % (what, port, self.text()))
                return 0
            time.sleep(0.05)
        print("%s: healthy on port %d after %.2f s" % (what, port,
              time.monotonic() - self.started), flush=True)
        return port

    def stop(self):
        stop(self.proc)
        self.out.close()


def demo_phase(src, binary, work, env):
    """Runs the demo twice and once on a taken port; returns (port, password, running demo)."""
    db = os.path.join(work, "var", "demo.db")
    first = Demo(src, binary, db, "127.0.0.1:0", os.path.join(work, "demo1.log"), env)
    port = first.up("demo, first run")
    text = first.text()
    first.stop()
    m = re.search(r"^  password:  (\S+)", text, re.M)
    if m is None or "loaded the seed plan" not in text:
        fail("demo, first run: no seed plan or no password:\n" + text)
        return 0, None, None
    password = m.group(1)
    if not port:
        return 0, None, None

    second = Demo(src, binary, db, "127.0.0.1:0", os.path.join(work, "demo2.log"), env)
    port = second.up("demo, second run")
    if "using the existing demo database" not in second.text() or "password:" in second.text():
        fail("demo, second run: did not reuse the database:\n" + second.text())
    if not port:
        second.stop()
        return 0, None, None

    # A third one where the second serves: it stops at once and names the port.
    r = subprocess.run(
        [os.path.join(src, "deploy", "demo.sh"), "--bin", binary, "--db", db,
         "--listen", "127.0.0.1:%d" % port],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=60)
    said = r.stdout + r.stderr
    if r.returncode == 0 or ("port %d is taken" % port) not in said or "port 0" in said:
        fail("demo on a taken port: exit %d, want 1 and 'port %d is taken':\n%s"
             % (r.returncode, port, said))
    if not healthy(port):
        fail("demo on a taken port: the running demo stopped answering")
    return port, password, second


def readme_blocks(readme):
    """[(line number, text, skipped)] of the ```sh blocks."""
    blocks, lines, i = [], readme.split("\n"), 0
    for n, line in enumerate(lines):
        if re.match(r"^```(bash|shell|console|zsh|sh\S+)\s*$", line):
            fail("README.md:%d: a shell block must be fenced ```sh (so it is tested)" % (n + 1))
    while i < len(lines):
        if lines[i].strip() == "```sh":
            start = i
            j = i + 1
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            prev = start - 1
            while prev >= 0 and lines[prev].strip() == "":
                prev -= 1
            skipped = prev >= 0 and SKIP_MARK.match(lines[prev].strip()) is not None
            blocks.append((start + 1, "\n".join(lines[start + 1:j]) + "\n", skipped))
            i = j + 1
        else:
            i += 1
    return blocks


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    src, binary = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with open(os.path.join(src, "README.md")) as f:
        readme = f.read()
    if "../shared" in readme:
        fail("README.md points at ../shared, which a clone does not have")

    work = tempfile.mkdtemp(prefix="netsot-readme-")
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith("NETSOT_")}
    env["PATH"] = os.path.dirname(binary) + os.pathsep + env.get("PATH", "/usr/bin:/bin")
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["HOME"] = os.path.join(work, "home")  # ansible-inventory writes ~/.ansible
    env["ANSIBLE_NOCOLOR"] = "1"
    os.makedirs(env["HOME"])
    # The repository's layout around a temporary var/: build/netsot is the binary under test.
    os.symlink(os.path.dirname(binary), os.path.join(work, "build"))
    for d in ("deploy", "db", "api", "web"):
        os.symlink(os.path.join(src, d), os.path.join(work, d))

    demo = None
    try:
        port, password, demo = demo_phase(src, binary, work, env)
        if not port:
            return 1
        blocks = readme_blocks(readme)
        skipped = [b for b in blocks if b[2]]
        run = [b for b in blocks if not b[2]]
        print("README.md: %d sh blocks, %d skipped" % (len(blocks), len(skipped)), flush=True)
        if len(skipped) > SKIPS_ALLOWED:
            fail("README.md skips %d blocks (lines %s); only %d may be skipped"
                 % (len(skipped), ", ".join(str(b[0]) for b in skipped), SKIPS_ALLOWED))
        if len(run) < 3:
            fail("README.md has %d blocks to run; the quick starts are gone?" % len(run))

        outputs = []
        for line, text, _ in run:
            if PASSWORD_PLACEHOLDER in text and URL_PLACEHOLDER not in text:
                fail("README.md:%d: PASSWORD but no %s" % (line, URL_PLACEHOLDER))
            body = text.replace(URL_PLACEHOLDER, "http://127.0.0.1:%d" % port)
            body = body.replace(PASSWORD_PLACEHOLDER, password)
            if re.search(r"127\.0\.0\.1:8080|localhost:8080", body):
                fail("README.md:%d: an address other than %s" % (line, URL_PLACEHOLDER))
                continue
            started = time.monotonic()
            try:
                r = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=work, env=env,
                                   stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                   timeout=180)
                rc, out, err = r.returncode, r.stdout, r.stderr
            except subprocess.TimeoutExpired as e:
                rc, out, err = "timeout", str(e.stdout or ""), str(e.stderr or "")
            print("--- README.md:%d: exit %s in %.2f s\n%s" % (line, rc,
                  time.monotonic() - started, out), end="", flush=True)
            if rc != 0:
                fail("README.md:%d: exit %s\n--- block:\n%s--- stderr:\n%s"
                     % (line, rc, text, err))
            outputs.append((text, out))

        # What the blocks must show: each check names the block by what it holds.
        checks = [
            ("/healthz", lambda o: '"status":"ok"' in o, "GET /healthz answers ok"),
            ("user add", lambda o: "added editor user alice" in o, "user add adds alice"),
            ("validate", lambda o: re.search(r"^(error|warning|info): ", o, re.M) is not None,
             "the validation report's findings are listed"),
            ("If-None-Match", lambda o: re.search(r"^304$", o, re.M) is not None,
             "If-None-Match with the ETag answers 304"),
            ("If-None-Match", lambda o: "table inet netsot" in o, "the render is nftables"),
            ("netsot-inventory", lambda o: "@kind_router:" in o and "|--router" in o,
             "ansible-inventory shows the router in kind_router"),
            ("netsot-inventory", lambda o: re.search(r"^[1-9][0-9]*$", o, re.M) is not None,
             "the inventory script lists hosts"),
        ]
        for needle, ok, what in checks:
            outs = [o for t, o in outputs if needle in t]
            if not outs:
                fail("README.md has no block with %r (%s)" % (needle, what))
            elif not any(ok(o) for o in outs):
                fail("README.md: %s: not in the output of the block with %r" % (what, needle))
        token = os.path.join(work, "netsot.token")
        if not os.path.exists(token) or len(open(token).read().strip()) < 20:
            fail("README.md: the API token block wrote no token to netsot.token")
    finally:
        if demo is not None:
            demo.stop()
        if os.environ.get("NETSOT_KEEP_TEST_DIRS") is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept " + work)

    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
