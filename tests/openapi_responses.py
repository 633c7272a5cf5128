#!/usr/bin/env python3
"""Real responses against api/openapi.yaml (issue 17, part 1).

    openapi_responses.py SOURCE_DIR NETSOT_BIN

Starts the real server on 127.0.0.1:0 with a temporary database holding the seed plan, an
admin, an editor and a viewer, then runs every step of STEPS (one line each: method, path,
expected status, options) and checks each answer against the operation the spec declares for
that method and path:
  - the status is one of the operation's responses;
  - the Content-Type is one of that response's media types, and a response that declares no
    content has no body;
  - the body (JSON, or text for a string schema) validates against the declared schema
    (Draft 2020-12, $ref resolved across the whole document, date-time checked);
  - every header the response declares `required: true` is there, matching its pattern;
  - Cache-Control is "private, no-cache" with an ETag and "no-store" without (docs/api.md).
Then sweeps the spec itself: every operation that needs a token answers 401 without one (and
declares it), every write answers a viewer 403, and every method a path lacks answers 405
with an Allow header naming exactly the path's methods. It fails when an operation of the
spec was not answered with success (2xx or 304) by a step, or a value of a path parameter's
enum (a render target) was not: a new route or target needs a line in STEPS.
"""
import functools
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

import jsonschema
import yaml

SRC = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else \
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETSOT = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(SRC, "build",
                                                                               "netsot")
SPEC_URI = "urn:netsot:openapi"
METHODS = ("get", "put", "post", "delete", "patch")
PASSWORD = "openapi-test-pw-1"
T0 = time.monotonic()
FAILURES = []


def log(msg):
    print("[%6.2fs] %s" % (time.monotonic() - T0, msg), flush=True)


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg, flush=True)


# ---- the spec: operations by path template, schemas validated with $ref across it ----

SPEC = yaml.safe_load(open(os.path.join(SRC, "api", "openapi.yaml")))


def pointer(*parts):
    return "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def deref(obj, ptr):
    """A $ref to a response or parameter followed (once is all the spec uses): the object
    and its JSON pointer."""
    while "$ref" in obj:
        ptr = obj["$ref"][1:]
        obj = SPEC
        for p in ptr.strip("/").split("/"):
            obj = obj[p.replace("~1", "/").replace("~0", "~")]
    return obj, ptr


# The web UI's page and files are cached by their own rules (docs/web-ui.md).
WEB_UI_TYPES = ("text/html", "text/javascript", "text/css", "image/")
FORMATS = jsonschema.FormatChecker(())


@FORMATS.checks("date-time")
def _date_time(value):
    return not isinstance(value, str) or re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value) is not None


def _write_only(validator, write_only, instance, schema):
    # Applies where the property is present: a write-only one (a password) in an answer.
    if write_only:
        yield jsonschema.ValidationError("is write-only: it must never be answered")


Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                         {"writeOnly": _write_only})


@functools.lru_cache(maxsize=None)
def validator(ptr):
    """A Draft 2020-12 validator of the schema at ptr, its $refs resolved in the document."""
    schema = {"$ref": SPEC_URI + "#" + ptr}
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
    except ImportError:     # jsonschema < 4.18 (Debian 12's 4.10): the RefResolver
        resolver = jsonschema.RefResolver(SPEC_URI, SPEC, store={SPEC_URI: SPEC})
        return Validator(schema, resolver=resolver, format_checker=FORMATS)
    registry = Registry().with_resource(SPEC_URI, Resource(SPEC, DRAFT202012))
    return Validator(schema, registry=registry, format_checker=FORMATS)


def template_match(template, path):
    """How many literal segments of template match path (-1: it does not match)."""
    t, p = template.strip("/").split("/"), path.strip("/").split("/")
    if template == "/" or path == "/":
        return 0 if template == path else -1
    if len(t) != len(p):
        return -1
    n = 0
    for a, b in zip(t, p):
        if a.startswith("{"):
            if b == "":
                return -1
        elif a != b:
            return -1
        else:
            n += 1
    return n


def spec_path(path):
    """The spec's path template for a concrete path: the one with most literal segments."""
    best, score = None, -1
    for t in SPEC["paths"]:
        s = template_match(t, path)
        if s > score:
            best, score = t, s
    return best


def operations():
    for t, item in SPEC["paths"].items():
        for m in METHODS:
            if m in item:
                yield t, m, item[m]


# ---- the server ----

class Server:
    def __init__(self, tmp):
        self.tmp = tmp
        self.db = os.path.join(tmp, "netsot.db")
        self.run("migrate", "--db", self.db)
        self.run("import", os.path.join(SRC, "db", "seed", "hybrid-cloud.json"), "--db", self.db)
        for name, role in (("admin", "admin"), ("editor", "editor"), ("viewer", "viewer")):
            self.run("user", "add", name, "--role", role, "--password-stdin", "--db", self.db,
                     stdin=PASSWORD + "\n")
        self.logf = os.path.join(tmp, "serve.log")
        self.out = open(self.logf, "w")
        self.proc = subprocess.Popen(
            [NETSOT, "serve", "--db", self.db, "--listen", "127.0.0.1:0", "--threads", "2"],
            stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.monotonic() + 30
        while self.port is None:
            m = re.search(r"listening on 127\.0\.0\.1:0 \(port (\d+),", self.text())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("FAIL: the server did not start:\n" + self.text())
            else:
                time.sleep(0.05)
        self.base = "http://127.0.0.1:%d" % self.port

    def run(self, *args, stdin=None):
        r = subprocess.run([NETSOT] + list(args), input=stdin, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("FAIL: netsot %s exited %d\n%s%s" % (" ".join(args), r.returncode,
                                                          r.stdout, r.stderr))

    def text(self):
        with open(self.logf, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()
        # A clean stop, and nothing from the sanitizers (UBSan reports without failing).
        if self.proc.returncode != 0:
            fail("the server exited %d on SIGTERM" % self.proc.returncode)
        if re.search(r"runtime error:|Sanitizer", self.text()):
            fail("the sanitizers reported:\n" + self.text()[-3000:])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


def http(base, method, path, body=None, headers=None):
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with OPENER.open(req, timeout=30) as r:
            return Answer(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Answer(e.code, e.headers, e.read())


# ---- one answer checked against the spec ----

EXERCISED = set()       # (template, method) a step had answered with success
CHECKED = 0
VALUES = set()          # (template, path parameter, value) of those answers


def path_enums():
    """(template, parameter, value) for every value of a path parameter's enum."""
    for template, item in SPEC["paths"].items():
        params = list(item.get("parameters", []))
        for m in METHODS:
            params += item.get(m, {}).get("parameters", [])
        for p in params:
            p = deref(p, "")[0]
            if p.get("in") == "path":
                for v in p.get("schema", {}).get("enum", []):
                    yield template, p["name"], v


def check(method, path, ans, step=False):
    """Checks one real answer against the spec; returns the error messages."""
    global CHECKED
    CHECKED += 1
    errs = []
    template = spec_path(path.split("?")[0])
    if template is None:
        # No path: the answer must be the 404 problem.
        resp, ptr = deref({"$ref": "#/components/responses/Problem"}, "")
        errs = [] if ans.status == 404 else ["%s is no path of the spec but answered %d" % (
            path, ans.status)]
        return errs + check_body(ans, resp, ptr)
    m = method.lower()
    item = SPEC["paths"][template]
    if m not in item:
        # No operation: the answer must be the 405 problem naming the path's methods.
        resp, ptr = deref({"$ref": "#/components/responses/Problem"}, "")
        if ans.status != 405:
            errs.append("%s %s is not in the spec but answered %d" % (method, template,
                                                                     ans.status))
        want = sorted(x.upper() for x in METHODS if x in item)
        allow = sorted(a.strip() for a in (ans.headers.get("Allow") or "").split(",")
                       if a.strip() and a.strip() != "HEAD")
        if allow != want:
            errs.append("Allow: %s, the spec has %s" % (ans.headers.get("Allow"), want))
    else:
        op = item[m]
        if step and ans.status < 400:
            EXERCISED.add((template, m))
            for t, v in zip(template.split("/"), path.split("?")[0].split("/")):
                if t.startswith("{"):
                    VALUES.add((template, t[1:-1], v))
        code = str(ans.status)
        if code not in op["responses"]:
            if "default" not in op["responses"]:
                return ["%s %s answered %d, which %s does not declare (it has %s)" % (
                    method, path, ans.status, op.get("operationId"),
                    ", ".join(op["responses"]))]
            code = "default"
        resp, ptr = deref(op["responses"][code],
                          "/" + pointer("paths", template, m, "responses", code))
    return errs + check_body(ans, resp, ptr)


def check_body(ans, resp, ptr):
    """The answer's headers, Content-Type and body against one response object at ptr."""
    errs = []
    ctype = (ans.headers.get("Content-Type") or "").split(";")[0].strip()
    for name, h in (resp.get("headers") or {}).items():
        v = ans.headers.get(name)
        if v is None:
            if h.get("required"):
                errs.append("no %s header, which the response requires" % name)
            continue
        if "$ref" in h:
            h = deref(h, "")[0]
        hs = h.get("schema", {})
        if hs.get("type") == "integer" and not re.fullmatch(r"\d+", v):
            errs.append("header %s: %r is not an integer" % (name, v))
        if "pattern" in hs and not re.search(hs["pattern"], v):
            errs.append("header %s: %r does not match %s" % (name, v, hs["pattern"]))
    # docs/api.md, Caching: an answer with an ETag may be kept and asked again, no other.
    cache, etag = ans.headers.get("Cache-Control"), ans.headers.get("ETag")
    if ans.status != 304 and not ctype.startswith(WEB_UI_TYPES):
        want = "private, no-cache" if etag else "no-store"
        if cache != want:
            errs.append("Cache-Control %r, the answer %s an ETag: %r" % (
                cache, "has" if etag else "has no", want))
    content = resp.get("content")
    if not content:
        if ans.body:
            errs.append("%d declares no content but the body has %d bytes (%s)" % (
                ans.status, len(ans.body), ctype))
        return errs
    if ctype not in content:
        return errs + ["Content-Type %r, the spec declares %s" % (ctype, ", ".join(content))]
    schema = content[ctype].get("schema")
    if schema is None:
        return errs
    sptr = ptr + "/" + pointer("content", ctype, "schema")
    if ctype.endswith("json"):
        try:
            doc = json.loads(ans.body)
        except ValueError as e:
            return errs + ["the body is not JSON: %s" % e]
    else:
        try:
            doc = ans.body.decode("utf-8")
        except UnicodeDecodeError:
            return errs + ["the %s body is not UTF-8" % ctype]
    for e in sorted(validator(sptr).iter_errors(doc), key=lambda e: list(e.path))[:5]:
        errs.append("body%s: %s" % ("".join("[%r]" % p for p in e.path), e.message[:300]))
    return errs


# ---- the steps ----
#
# One step a line: (METHOD, PATH, STATUS, options). PATH may name saved values as {name}
# (ids and ETags saved by earlier steps, and the seed's ids found at the start). Options:
#   body: a JSON value, or bytes sent as they are (ctype: their Content-Type)
#   as: admin (default), editor, viewer, token (the viewer API token), none, bad
#   save: NAME saves the answer's id as {NAME} and its ETag as {NAME_etag}
#   headers: extra request headers (values formatted like PATH)

def resource_steps(res, key, body, replace, patch):
    """The life of one object of a resource, up to its delete (done later, in reverse)."""
    return [
        ("POST", "/api/v1/%s" % res, 201, {"body": body, "save": key}),
        ("GET", "/api/v1/%s" % res, 200, {}),
        ("GET", "/api/v1/%s?limit=2&offset=1&ordering=-id" % res, 200, {"as": "viewer"}),
        ("GET", "/api/v1/%s?limit=0" % res, 400, {}),
        ("GET", "/api/v1/%s/{%s}" % (res, key), 200, {"save": key}),
        ("GET", "/api/v1/%s/{%s}" % (res, key), 304,
         {"headers": {"If-None-Match": "{%s_etag}" % key}}),
        ("GET", "/api/v1/%s/999999" % res, 404, {}),
        ("PUT", "/api/v1/%s/{%s}" % (res, key), 200, {"body": replace, "save": key}),
        ("PATCH", "/api/v1/%s/{%s}" % (res, key), 200,
         {"body": patch, "headers": {"If-Match": "{%s_etag}" % key}}),
        ("PATCH", "/api/v1/%s/{%s}" % (res, key), 412,
         {"body": patch, "headers": {"If-Match": "{%s_etag}" % key}}),
        ("PATCH", "/api/v1/%s/{%s}" % (res, key), 400, {"body": {"no_such_field": 1}}),
        ("PATCH", "/api/v1/%s/{%s}" % (res, key), 400, {"body": b"{", "ctype":
                                                          "application/json"}),
        ("GET", "/api/v1/%s/{%s}/changes" % (res, key), 200, {}),
        ("GET", "/api/v1/%s/{%s}/changes?limit=0" % (res, key), 400, {}),
    ]


# The objects made, in the order they are made (each may name the ones before it).
OBJECTS = [
    ("vlans", "vlan", {"vid": 3999, "name": "oa-test"},
     {"vid": 3999, "name": "oa-test", "description": "put"}, {"description": "patched"}),
    ("hosts", "host", {"name": "oa-host", "kind": "vm"},
     {"name": "oa-host", "kind": "vm", "groups": ["oa"]}, {"description": "patched"}),
    ("prefixes", "prefix", {"prefix": "10.250.0.0/24", "vlan_id": "{vlan}"},
     {"prefix": "10.250.0.0/24", "vlan_id": "{vlan}", "gateway": "10.250.0.1"},
     {"description": "patched"}),
    ("ip-ranges", "range", {"start_address": "10.250.0.100", "end_address": "10.250.0.120"},
     {"start_address": "10.250.0.100", "end_address": "10.250.0.130"},
     {"description": "patched"}),
    ("ip-addresses", "address", {"address": "10.250.0.5", "host_id": "{host}"},
     {"address": "10.250.0.5", "host_id": "{host}", "dns_name": "oa-host.oa.test"},
     {"description": "patched"}),
    ("ports", "port", {"host_id": "{host}", "name": "wan9", "mode": "wan"},
     {"host_id": "{host}", "name": "wan9", "mode": "wan", "ifname": "wan9"},
     {"description": "patched"}),
    ("wan-links", "wan", {"name": "oa-wan", "port_id": "{port}"},
     {"name": "oa-wan", "port_id": "{port}", "weight": 2}, {"description": "patched"}),
    ("services", "service", {"host_id": "{host}", "name": "ssh", "protocol": "tcp",
                             "ports": "22"},
     {"host_id": "{host}", "name": "ssh", "protocol": "tcp", "ports": "2222"},
     {"description": "patched"}),
    ("firewall-rules", "rule", {"name": "oa-ssh", "scope": "forward", "action": "accept",
                                "protocol": "tcp", "dst_ports": "22", "src_vlan_id": "{vlan}"},
     {"name": "oa-ssh", "scope": "forward", "action": "accept", "protocol": "tcp",
      "dst_ports": "22,80", "src_vlan_id": "{vlan}"}, {"description": "patched"}),
    ("dns-zones", "zone", {"name": "oa.test", "soa_mname": "ns1.example.net."},
     {"name": "oa.test", "soa_mname": "ns1.example.net.", "ttl": 600},
     {"description": "patched"}),
    ("dns-records", "record", {"zone_id": "{zone}", "name": "www", "type": "CNAME",
                               "value": "oa-host"},
     {"zone_id": "{zone}", "name": "www", "type": "CNAME", "value": "oa-host.oa.test."},
     {"description": "patched"}),
]

STEPS = [
    # No token needed.
    ("GET", "/healthz", 200, {"as": "none"}),
    ("GET", "/api/v1/openapi.yaml", 200, {"as": "none"}),
    ("GET", "/", 200, {"as": "none"}),
    ("GET", "/web/app.js", 200, {"as": "none"}),
    ("GET", "/web/no-such-file.js", 404, {"as": "none"}),
    ("POST", "/api/v1/auth/login", 200, {"as": "none", "body": {"username": "viewer",
                                                                "password": PASSWORD}}),
    ("POST", "/api/v1/auth/login", 401, {"as": "none", "body": {"username": "viewer",
                                                                "password": "wrong-pw-1"}}),
    ("POST", "/api/v1/auth/login", 400, {"as": "none", "body": b"{", "ctype":
                                         "application/json"}),
    ("POST", "/api/v1/auth/login", 415, {"as": "none", "body": b"username=a",
                                         "ctype": "application/x-www-form-urlencoded"}),
    ("POST", "/api/v1/auth/login", 422, {"as": "none", "body": {"username": "viewer"}}),
    ("POST", "/api/v1/auth/login", 413, {"as": "none", "body": {"username": "x" * 70000,
                                                                "password": "y"}}),
    ("GET", "/api/v1/auth/me", 200, {}),
    ("GET", "/api/v1/auth/me", 200, {"as": "token"}),
    ("GET", "/api/v1/auth/me", 401, {"as": "bad"}),
    ("GET", "/api/v1/no-such-resource", 404, {}),
    # Users and tokens.
    ("GET", "/api/v1/users", 200, {}),
    ("GET", "/api/v1/users?role=nobody", 400, {}),
    ("GET", "/api/v1/users", 403, {"as": "editor"}),
    ("POST", "/api/v1/users", 201, {"body": {"username": "oa-user", "password": PASSWORD,
                                             "role": "viewer"}, "save": "user"}),
    ("POST", "/api/v1/users", 409, {"body": {"username": "oa-user", "password": PASSWORD,
                                             "role": "viewer"}}),
    ("POST", "/api/v1/users", 422, {"body": {"username": "oa-user2", "password": "short",
                                             "role": "viewer"}}),
    ("POST", "/api/v1/users", 400, {"body": b"[", "ctype": "application/json"}),
    ("GET", "/api/v1/users/{user}", 200, {"save": "user"}),
    ("GET", "/api/v1/users/{user}", 304, {"headers": {"If-None-Match": "{user_etag}"}}),
    ("GET", "/api/v1/users/999999", 404, {}),
    ("PATCH", "/api/v1/users/{user}", 200, {"body": {"role": "editor"},
                                            "headers": {"If-Match": "{user_etag}"}}),
    ("PATCH", "/api/v1/users/{user}", 412, {"body": {"role": "viewer"},
                                            "headers": {"If-Match": "{user_etag}"}}),
    ("PATCH", "/api/v1/users/{user}", 422, {"body": {"role": "root"}}),
    ("PATCH", "/api/v1/users/{admin}", 409, {"body": {"disabled": True}}),
    ("PATCH", "/api/v1/users/999999", 404, {"body": {"role": "viewer"}}),
    ("POST", "/api/v1/users/{user}/logout", 200, {}),
    ("POST", "/api/v1/users/999999/logout", 404, {}),
    ("POST", "/api/v1/auth/login", 401, {"as": "none", "body": {"username": "oa-user",
                                                                "password": "wrong-pw-1"}}),
    ("POST", "/api/v1/users/{user}/unlock", 200, {}),
    ("POST", "/api/v1/users/999999/unlock", 404, {}),
    ("GET", "/api/v1/tokens", 200, {}),
    ("GET", "/api/v1/tokens?limit=abc", 400, {}),
    ("POST", "/api/v1/tokens", 201, {"body": {"name": "oa-token", "role": "viewer",
                                              "expires_in_days": 1}, "save": "token"}),
    ("POST", "/api/v1/tokens", 422, {"body": {"name": "oa-token2", "role": "root"}}),
    ("POST", "/api/v1/tokens", 400, {"body": b"{", "ctype": "application/json"}),
    ("POST", "/api/v1/tokens", 403, {"as": "token", "body": {"name": "oa-t3",
                                                             "role": "viewer"}}),
    ("GET", "/api/v1/tokens/{token}", 200, {"save": "token"}),
    ("GET", "/api/v1/tokens/{token}", 304, {"headers": {"If-None-Match": "{token_etag}"}}),
    ("GET", "/api/v1/tokens/999999", 404, {}),
    ("DELETE", "/api/v1/tokens/999999", 404, {}),
    ("DELETE", "/api/v1/tokens/{token}", 412, {"headers": {"If-Match": "\"stale\""}}),
    ("DELETE", "/api/v1/tokens/{token}", 204, {}),
    # Every resource: create, list, get, 304, 404, replace, patch (and 412, 422, 400), changes.
] + [s for o in OBJECTS for s in resource_steps(*o)] + [
    ("POST", "/api/v1/vlans", 409, {"body": {"vid": 3999, "name": "oa-dup"}}),
    ("POST", "/api/v1/vlans", 422, {"body": {"vid": 5000, "name": "oa-big"}}),
    ("POST", "/api/v1/vlans", 415, {"body": b"vid=1", "ctype": "text/plain"}),
    ("POST", "/api/v1/vlans", 400, {"body": b"{", "ctype": "application/json"}),
    ("POST", "/api/v1/vlans", 201, {"body": [{"vid": 3998, "name": "oa-a"},
                                             {"vid": 3997, "name": "oa-b"}]}),
    ("GET", "/api/v1/vlans?vid=5000000000000", 200, {}),
    ("GET", "/api/v1/vlans?bogus=1", 400, {}),
    ("DELETE", "/api/v1/vlans/{vlan}", 409, {}),
    ("DELETE", "/api/v1/vlans/999999", 404, {}),
    ("DELETE", "/api/v1/vlans/{vlan}", 412, {"headers": {"If-Match": "\"stale\""}}),
    ("PUT", "/api/v1/vlans/999999", 404, {"body": {"vid": 3996, "name": "oa-none"}}),
    ("PUT", "/api/v1/vlans/{vlan}", 409, {"body": {"vid": 3998, "name": "oa-test"}}),
    ("PUT", "/api/v1/vlans/{vlan}", 412, {"body": {"vid": 3999, "name": "oa-test"},
                                          "headers": {"If-Match": "\"stale\""}}),
    ("PUT", "/api/v1/vlans/{vlan}", 422, {"body": {"vid": 0, "name": "oa-test"}}),
    ("PATCH", "/api/v1/vlans/{vlan}", 409, {"body": {"vid": 3998}}),
    ("PATCH", "/api/v1/vlans/999999", 404, {"body": {"name": "x"}}),
    # Allocation.
    ("GET", "/api/v1/prefixes/{prefix}/available-ips?limit=3", 200, {}),
    ("GET", "/api/v1/prefixes/999999/available-ips", 404, {}),
    ("GET", "/api/v1/prefixes/{prefix}/available-ips?limit=1001", 400, {}),
    ("POST", "/api/v1/prefixes/{prefix}/available-ips", 201,
     {"body": {"host": "oa-host"}, "save": "alloc"}),
    ("POST", "/api/v1/prefixes/{prefix}/available-ips", 201,
     {"body": [{"description": "a"}, {"description": "b"}], "save": "allocs"}),
    ("POST", "/api/v1/prefixes/{prefix}/available-ips", 422, {"body": {"host": "no-such"}}),
    ("POST", "/api/v1/prefixes/{prefix}/available-ips", 400, {"body": b"{", "ctype":
                                                              "application/json"}),
    ("POST", "/api/v1/prefixes/{prefix}/available-ips", 409,
     {"body": [{"description": "x"}] * 300}),
    ("GET", "/api/v1/ip-ranges/{range}/available-ips", 200, {}),
    ("GET", "/api/v1/ip-ranges/999999/available-ips", 404, {}),
    ("POST", "/api/v1/ip-ranges/{range}/available-ips", 201, {"body": {}, "save": "ralloc"}),
    ("POST", "/api/v1/ip-ranges/{range}/available-ips", 409,
     {"body": [{"description": "x"}] * 100}),
    ("POST", "/api/v1/ip-ranges/{range}/available-ips", 422, {"body": {"host": "no-such"}}),
    ("POST", "/api/v1/ip-ranges/{range}/available-ips", 400, {"body": b"{", "ctype":
                                                              "application/json"}),
    ("POST", "/api/v1/prefixes/{prefix}/available-prefixes", 201,
     {"body": {"prefix_length": 28}, "save": "child"}),
    ("POST", "/api/v1/prefixes/{prefix}/available-prefixes", 422,
     {"body": {"prefix_length": 99}}),
    ("POST", "/api/v1/prefixes/{child}/available-prefixes", 201,
     {"body": {"prefix_length": 29}, "save": "grandchild1"}),
    ("POST", "/api/v1/prefixes/{child}/available-prefixes", 201,
     {"body": {"prefix_length": 29}, "save": "grandchild2"}),
    ("POST", "/api/v1/prefixes/{child}/available-prefixes", 409,
     {"body": {"prefix_length": 29}}),
    ("DELETE", "/api/v1/prefixes/{grandchild1}", 204, {}),
    ("DELETE", "/api/v1/prefixes/{grandchild2}", 204, {}),
    ("DELETE", "/api/v1/prefixes/{child}", 204, {}),
    # DNS, settings, policy, validation, export and import, renders, the audit log.
    ("GET", "/api/v1/dns-zones/{zone}/records", 200, {}),
    ("GET", "/api/v1/dns-zones/{seedzone}/records?limit=5", 200, {}),
    ("GET", "/api/v1/dns-zones/999999/records", 404, {}),
    ("GET", "/api/v1/dns-zones/{zone}/records?limit=x", 400, {}),
    ("GET", "/api/v1/settings", 200, {"save": "settings"}),
    ("GET", "/api/v1/settings", 304, {"headers": {"If-None-Match": "{settings_etag}"}}),
    ("PATCH", "/api/v1/settings", 200, {"body": {"log_denied": False},
                                        "headers": {"If-Match": "{settings_etag}"}}),
    ("PATCH", "/api/v1/settings", 412, {"body": {"log_denied": True},
                                        "headers": {"If-Match": "{settings_etag}"}}),
    ("PATCH", "/api/v1/settings", 422, {"body": {"forward_default_action": "maybe"}}),
    ("PATCH", "/api/v1/settings", 400, {"body": b"{", "ctype": "application/json"}),
    ("PATCH", "/api/v1/settings", 403, {"as": "viewer", "body": {"log_denied": True}}),
    ("GET", "/api/v1/policy/matrix", 200, {"save": "matrix"}),
    ("GET", "/api/v1/policy/matrix", 304, {"headers": {"If-None-Match": "{matrix_etag}"}}),
    ("GET", "/api/v1/validate", 200, {}),
    ("GET", "/api/v1/export", 200, {"save": "export"}),
    ("GET", "/api/v1/export", 304, {"headers": {"If-None-Match": "{export_etag}"}}),
    ("POST", "/api/v1/import?dry_run=true", 200, {"body": "{export}"}),
    ("POST", "/api/v1/import?mode=replace&dry_run=true", 200, {"body": "{export}"}),
    ("POST", "/api/v1/import?mode=replace&dry_run=true", 409,
     {"body": {"format": "netsot-plan/1", "vlans": [{"vid": 7, "name": "x"}]}}),
    ("POST", "/api/v1/import", 415, {"body": b"{}", "ctype": "text/plain"}),
    ("POST", "/api/v1/import", 422, {"body": {"format": "netsot-plan/1",
                                              "vlans": [{"vid": 0, "name": "x"}]}}),
    ("POST", "/api/v1/import", 400, {"body": b"{", "ctype": "application/json"}),
    ("POST", "/api/v1/import?mode=sideways", 400, {"body": {"format": "netsot-plan/1"}}),
    ("GET", "/api/v1/render", 200, {}),
    ("GET", "/api/v1/render/hosts", 200, {"save": "render"}),
    ("GET", "/api/v1/render/hosts", 304, {"headers": {"If-None-Match": "{render_etag}"}}),
    ("GET", "/api/v1/render/dnsmasq", 200, {}),
    ("GET", "/api/v1/render/bind?zone={seedzone_name}", 200, {}),
    ("GET", "/api/v1/render/bind?reverse=10.250.0.0/24", 200, {}),
    ("GET", "/api/v1/render/nftables?host={router_name}", 200, {}),
    ("GET", "/api/v1/render/iptables?host={router_name}", 200, {}),
    ("GET", "/api/v1/render/ufw?host={router_name}", 200, {}),
    ("GET", "/api/v1/render/interfaces?host={router_name}", 200, {}),
    ("GET", "/api/v1/render/mwan3", 200, {}),
    ("GET", "/api/v1/render/k3s", 200, {}),
    ("GET", "/api/v1/render/ansible-inventory", 200, {}),
    ("GET", "/api/v1/render/nftables", 400, {}),
    ("GET", "/api/v1/render/nftables?host=no-such-host", 404, {}),
    ("GET", "/api/v1/render/no-such-target", 404, {}),
    ("GET", "/api/v1/inventory", 200, {"save": "inventory"}),
    ("GET", "/api/v1/inventory", 304, {"headers": {"If-None-Match": "{inventory_etag}"}}),
    # Held until the render changes (nothing does here): 304 when the second is up.
    ("GET", "/api/v1/render/hosts?wait=1", 304, {"headers": {"If-None-Match": "{render_etag}"}}),
    ("GET", "/api/v1/inventory?wait=1", 304,
     {"headers": {"If-None-Match": "{inventory_etag}"}}),
    ("GET", "/api/v1/render/hosts?wait=301", 400, {}),
    # From loopback, inside the default --metrics-allow: no token needed.
    ("GET", "/metrics", 200, {"as": "none"}),
    # The NetBox-compatible inventory, with and without NetBox's trailing slash.
    ("GET", "/api/status/", 200, {}),
    ("GET", "/api/schema/", 200, {}),
    ("GET", "/api/dcim/devices/?limit=2", 200, {}),
    ("GET", "/api/dcim/devices/?limit=-1", 400, {}),
    ("GET", "/api/virtualization/virtual-machines/?exclude=config_context", 200, {}),
    ("GET", "/api/dcim/interfaces/?limit=0", 200, {}),
    ("GET", "/api/virtualization/interfaces/", 200, {}),
    ("GET", "/api/ipam/ip-addresses/?limit=0", 200, {}),
    ("GET", "/api/ipam/prefixes", 200, {}),
    ("GET", "/api/ipam/services/", 200, {}),
] + [("GET", "/api/%s/" % c, 200, {}) for c in (
    "dcim/sites", "dcim/device-roles", "dcim/platforms", "dcim/regions", "dcim/site-groups",
    "dcim/locations", "dcim/racks", "dcim/rack-groups", "dcim/device-types",
    "dcim/manufacturers", "tenancy/tenants", "virtualization/clusters")] + [
    ("POST", "/api/v1/changes/preview", 200,
     {"body": {"changes": [{"op": "patch", "resource": "vlans", "id": "{vlan}",
                            "object": {"name": "oa-preview"}},
                           {"op": "delete", "resource": "dns-records", "id": "{record}"}]}}),
    ("POST", "/api/v1/changes/preview", 422,
     {"body": {"changes": [{"op": "create", "resource": "vlans", "object": {"vid": 0}}]}}),
    ("POST", "/api/v1/changes/preview", 404,
     {"body": {"changes": [{"op": "delete", "resource": "vlans", "id": 999999}]}}),
    ("POST", "/api/v1/changes/preview", 409,
     {"body": {"changes": [{"op": "create", "resource": "vlans",
                            "object": {"vid": 3999, "name": "oa-dup"}}]}}),
    ("POST", "/api/v1/changes/preview", 400, {"body": b"{", "ctype": "application/json"}),
    ("POST", "/api/v1/changes/preview", 403, {"as": "viewer", "body": {"changes": []}}),
    ("GET", "/api/v1/changes?limit=5", 200, {"save": "change"}),
    ("GET", "/api/v1/changes?action=create&object_type=vlan", 200, {}),
    ("GET", "/api/v1/changes?action=created", 400, {}),
    ("GET", "/api/v1/changes/{change}", 200, {}),
    ("GET", "/api/v1/changes/999999", 404, {}),
] + [("DELETE", "/api/v1/ip-addresses/{%s}" % a, 204, {})
      for a in ("alloc", "allocs_0", "allocs_1", "ralloc")] + [
    ("DELETE", "/api/v1/%s/{%s}" % (o[0], o[1]), 204, {}) for o in reversed(OBJECTS)] + [
    ("DELETE", "/api/v1/users/999999", 404, {}),
    ("DELETE", "/api/v1/users/{user}", 412, {"headers": {"If-Match": "\"stale\""}}),
    ("DELETE", "/api/v1/users/{user}", 204, {}),
    ("DELETE", "/api/v1/users/{admin}", 409, {}),
    # Five failed logins for one name: the sixth waits (the address allows 20).
    ] + [("POST", "/api/v1/auth/login", 401, {"as": "none", "body": {
        "username": "oa-nobody", "password": "wrong-pw-1"}})] * 5 + [
    ("POST", "/api/v1/auth/login", 429, {"as": "none", "body": {
        "username": "oa-nobody", "password": "wrong-pw-1"}}),
]


# ---- running them ----

def fmt(value, ctx):
    """{name} in strings replaced by saved values; "{name}" alone keeps the value's type."""
    if isinstance(value, str):
        m = re.fullmatch(r"\{(\w+)\}", value)
        if m and m.group(1) in ctx:
            return ctx[m.group(1)]
        return re.sub(r"\{(\w+)\}", lambda m: str(ctx[m.group(1)]), value)
    if isinstance(value, list):
        return [fmt(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: fmt(v, ctx) for k, v in value.items()}
    return value


def send(base, tokens, method, path, opts, ctx):
    headers = {k: fmt(v, ctx) for k, v in opts.get("headers", {}).items()}
    who = opts.get("as", "admin")
    if who == "bad":
        headers["Authorization"] = "Bearer not.a.token"
    elif who != "none":
        headers["Authorization"] = "Bearer " + tokens[who]
    body = opts.get("body")
    if body is not None and not isinstance(body, bytes):
        body = fmt(body, ctx)
        body = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif body is not None:
        headers["Content-Type"] = opts.get("ctype", "application/octet-stream")
    return http(base, method, path, body, headers)


def login(base, name):
    a = http(base, "POST", "/api/v1/auth/login",
             json.dumps({"username": name, "password": PASSWORD}).encode(),
             {"Content-Type": "application/json"})
    if a.status != 200:
        sys.exit("FAIL: login as %s answered %d: %r" % (name, a.status, a.body[:200]))
    return a.json()["access_token"]


def seed_context(base, tokens):
    """The seed's objects the steps name: a router, a DNS zone, the admin."""
    def get(path):
        return http(base, "GET", path, None,
                    {"Authorization": "Bearer " + tokens["admin"]}).json()["results"]

    ctx = {}
    router = get("/api/v1/hosts?kind=router&limit=1")[0]
    ctx["router_name"] = router["name"]
    zone = [z for z in get("/api/v1/dns-zones?limit=1000") if not
            z["name"].endswith(".arpa")][0]
    ctx["seedzone"], ctx["seedzone_name"] = zone["id"], zone["name"]
    ctx["admin"] = get("/api/v1/users?username=admin")[0]["id"]
    return ctx


def run_steps(base, tokens, ctx):
    for method, path, status, opts in STEPS:
        try:
            p = fmt(path, ctx)
        except KeyError as e:
            fail("%s %s: nothing saved as %s" % (method, path, e))
            continue
        try:
            a = send(base, tokens, method, p, opts, ctx)
        except KeyError as e:
            fail("%s %s: nothing saved as %s" % (method, path, e))
            continue
        what = "%s %s (%d)" % (method, p, status)
        if a.status != status:
            fail("%s answered %d: %s" % (what, a.status, a.body[:300]))
        for e in check(method, p, a, step=True):
            fail("%s: %s" % (what, e))
        if "save" in opts and a.status < 300:
            try:
                doc = a.json()
            except ValueError:
                doc = None
            if isinstance(doc, dict) and "results" in doc and doc["results"]:
                doc = doc["results"][0]
            if isinstance(doc, dict) and "id" in doc:
                ctx[opts["save"]] = doc["id"]
            if isinstance(doc, list):
                for i, o in enumerate(doc):
                    if isinstance(o, dict) and "id" in o:
                        ctx["%s_%d" % (opts["save"], i)] = o["id"]
            if a.headers.get("ETag"):
                ctx[opts["save"] + "_etag"] = a.headers["ETag"]
            if opts["save"] == "export":
                ctx["export"] = a.body.decode()


def sweep(base, tokens):
    """From the spec alone: 401 without a token, 403 for a viewer's write, 405 elsewhere."""
    for template, m, op in operations():
        path = re.sub(r"\{[^}]+\}", "1", template)
        # An empty requirement ({}) makes a token optional: such a route may answer without.
        sec = op.get("security", SPEC.get("security"))
        if sec != [] and {} not in sec:
            a = http(base, m.upper(), path, None, {})
            if a.status != 401:
                fail("%s %s without a token answered %d" % (m.upper(), path, a.status))
            for e in check(m.upper(), path, a):
                fail("%s %s without a token: %s" % (m.upper(), path, e))
        if m != "get" and op.get("security", SPEC.get("security")) != []:
            a = http(base, m.upper(), path, b"{}", {"Authorization": "Bearer " +
                                                    tokens["viewer"],
                                                    "Content-Type": "application/json"})
            if a.status != 403:
                fail("%s %s as a viewer answered %d" % (m.upper(), path, a.status))
            for e in check(m.upper(), path, a):
                fail("%s %s as a viewer: %s" % (m.upper(), path, e))
    for template, item in SPEC["paths"].items():
        path = re.sub(r"\{[^}]+\}", "1", template)
        for m in METHODS:
            if m in item:
                continue
            a = http(base, m.upper(), path, b"{}" if m != "get" else None,
                     {"Authorization": "Bearer " + tokens["admin"],
                      "Content-Type": "application/json"})
            for e in check(m.upper(), path, a):
                fail("%s %s (not in the spec): %s" % (m.upper(), path, e))


def main():
    tmp = tempfile.mkdtemp(prefix="netsot-openapi.")
    server = None
    try:
        server = Server(tmp)
        log("server on port %d" % server.port)
        tokens = {n: login(server.base, n) for n in ("admin", "editor", "viewer")}
        t = http(server.base, "POST", "/api/v1/tokens",
                 json.dumps({"name": "oa-viewer", "role": "viewer"}).encode(),
                 {"Authorization": "Bearer " + tokens["admin"],
                  "Content-Type": "application/json"})
        tokens["token"] = t.json()["token"]
        ctx = seed_context(server.base, tokens)
        run_steps(server.base, tokens, ctx)
        log("%d steps run" % len(STEPS))
        sweep(server.base, tokens)
        missed = [(t, m) for t, m, _ in operations() if (t, m) not in EXERCISED]
        for t, m in missed:
            fail("%s %s (%s) never answered a step with success: add one to STEPS" % (
                m.upper(), t, SPEC["paths"][t][m].get("operationId")))
        for t, p, v in path_enums():
            if (t, p, v) not in VALUES:
                fail("%s with %s=%s never answered a step with success: add one to STEPS" % (
                    t, p, v))
        log("%d answers checked, %d of %d operations exercised" % (
            CHECKED, len(EXERCISED), sum(1 for _ in operations())))
    finally:
        if server is not None:
            server.stop()
            if FAILURES and os.environ.get("NETSOT_KEEP_TMP") is None:
                print("server log:\n" + server.text()[-3000:])
        if os.environ.get("NETSOT_KEEP_TMP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d failures" % len(FAILURES))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
