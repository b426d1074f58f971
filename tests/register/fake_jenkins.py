"""A stateful fake Jenkins on a loopback port, for python-jenkins to talk to as to a real one.

No Jenkins controller can run here (no war file is obtainable), so this is shaped on Jenkins'
documented remote API (https://www.jenkins.io/doc/book/using/remote-access-api/) and on what
python-jenkins 1.8 sends:

- `X-Jenkins` header on every response; the root page answers without authentication.
- HTTP basic auth with API tokens: a wrong token is 401; a user without a permission gets 403.
- `/crumbIssuer/api/json` hands out a crumb; a POST without it is 403 ("No valid crumb").
- Items nest as `/job/a/job/b/`; folders are `com.cloudbees.hudson.plugins.folder.Folder`.
- `createItem?name=X` with a config.xml body (class from the root tag) or as a form post with
  `mode=com.cloudbees.hudson.plugins.folder.Folder`; an existing name is 400, a name breaking
  `Jenkins.checkGoodName` is 400, a missing parent is 404.
- `config.xml` GET/POST, `doDelete`, `api/json` with `?tree=` (only requested fields plus
  `_class`, nested to the requested depth), `/me/api/json`, `/pluginManager/api/json`.
- A job's `allBuilds` (number, result, timestamp, duration, the git plugin's
  `lastBuiltRevision`) when a test gives it builds (`state.builds`).

Every request is logged, so tests assert exactly how many reads and writes a run made. Faults
(any status, or a delay to provoke timeouts) can be injected per method and path.
Run as a script (`python fake_jenkins.py`) it serves until killed and prints its URL, for the
benchmark.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FOLDER = "com.cloudbees.hudson.plugins.folder.Folder"
FOLDERISH = {FOLDER, "jenkins.branch.OrganizationFolder"}
CLASS_BY_TAG = {
    "flow-definition": "org.jenkinsci.plugins.workflow.job.WorkflowJob",
    "project": "hudson.model.FreeStyleProject",
}
UNSAFE = set("?*/\\%!@#$^&|<>[]:;")
DEFAULT_PLUGINS = (
    "workflow-aggregator",
    "git",
    "junit",
    "coverage",
    "warnings-ng",
    "docker-workflow",
    "credentials-binding",
    "pipeline-utility-steps",
    "cloudbees-folder",
    "workflow-multibranch",
    "basic-branch-build-strategies",
)
EMPTY_FOLDER_XML = f"<{FOLDER}><actions/><description/><properties/></{FOLDER}>"


@dataclass
class Item:
    cls: str
    xml: str


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    delay: float = 0.0


@dataclass
class State:
    users: dict[str, str] = field(default_factory=lambda: {"admin": "admin-token-0123456789"})
    writers: set[str] = field(default_factory=lambda: {"admin"})
    items: dict[str, Item] = field(default_factory=dict)
    plugins: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(DEFAULT_PLUGINS, True))
    crumb: str = field(default_factory=lambda: secrets.token_hex(16))
    version: str = "2.462.3"
    log: list[tuple[str, str, str]] = field(default_factory=list)
    """(method, path with query, user)."""
    faults: list[Fault] = field(default_factory=list)
    builds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Job full name -> its `allBuilds` as Jenkins serves them (only jobs given builds)."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def good_name(name: str) -> str | None:
    """Jenkins.checkGoodName: the error text, or None when the name is fine."""
    if not name.strip():
        return "No name is specified"
    bad = [c for c in name if c in UNSAFE or ord(c) < 32]
    if bad:
        return f"\u2018{bad[0]}\u2019 is an unsafe character"
    if name in {".", ".."}:
        return f"\u201c{name}\u201d is not an allowed name"
    return None


def parse_tree(spec: str) -> dict[str, Any]:
    """`jobs[name,jobs[name]]` -> {'jobs': {'name': None, 'jobs': {'name': None}}}."""
    pos = 0

    def fields() -> dict[str, Any]:
        nonlocal pos
        out: dict[str, Any] = {}
        while pos < len(spec):
            match = re.match(r"[A-Za-z_]+", spec[pos:])
            if not match:
                break
            name = match.group(0)
            pos += len(name)
            sub = None
            if pos < len(spec) and spec[pos] == "[":
                pos += 1
                sub = fields()
                pos += 1  # closing ]
            out[name] = sub
            if pos < len(spec) and spec[pos] == ",":
                pos += 1
                continue
            break
        return out

    return fields()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that gave up waiting
            super().handle_error(request, client_address)


class FakeJenkins:
    """Start with `FakeJenkins().start()`; `url`, `state`, `reads`, `writes`, `stop()`."""

    def __init__(self) -> None:
        self.state = State()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = _Server(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> FakeJenkins:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- helpers for tests ------------------------------------------------------------------

    def reads(self) -> int:
        return sum(1 for m, _, _ in self.state.log if m == "GET")

    def writes(self) -> int:
        return sum(1 for m, _, _ in self.state.log if m == "POST")

    def clear_log(self) -> None:
        with self.state.lock:
            self.state.log.clear()

    def fail(
        self, method: str, pattern: str, status: int, times: int = 1, delay: float = 0.0
    ) -> None:
        self.state.faults.append(Fault(method, re.compile(pattern), status, times, delay))

    def put(self, full_name: str, xml: str) -> None:
        """Create or replace an item behind pipelinekit's back (as a UI edit would)."""
        tag = ET.fromstring(xml).tag
        self.state.items[full_name] = Item(CLASS_BY_TAG.get(tag, tag), xml)


class _Handler(BaseHTTPRequestHandler):
    state: State
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body leave as two packets: ~40 ms a call

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    # -- dispatch ---------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        user = self._user()
        with self.state.lock:
            self.state.log.append((method, self.path, user or "-"))
            fault = self._fault(method, self.path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status:
                return self._send(fault.status, f"injected {fault.status}")
        if url.path in {"", "/"} and method == "GET":
            return self._send(200, "<html>Dashboard [Jenkins]</html>", "text/html")
        if user is False:
            return self._send(
                401,
                "Invalid password/token for user",
                headers={"WWW-Authenticate": 'Basic realm="Jenkins"'},
            )
        if user is None:
            return self._send(
                403, "Authentication required: anonymous is missing the Overall/Read permission"
            )
        if method == "POST":
            if self.headers.get("Jenkins-Crumb") != self.state.crumb:
                return self._send(403, "No valid crumb was included in the request")
            if user not in self.state.writers:
                return self._send(403, f"{user} is missing the Job/Configure permission")
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        parts = [unquote(p) for p in url.path.strip("/").split("/")] if url.path.strip("/") else []
        with self.state.lock:
            return self._route(method, parts, query, body, user)

    def _route(
        self, method: str, parts: list[str], query: dict[str, str], body: bytes, user: str
    ) -> None:
        if parts == ["crumbIssuer", "api", "json"]:
            return self._json(
                {
                    "_class": "hudson.security.csrf.DefaultCrumbIssuer",
                    "crumb": self.state.crumb,
                    "crumbRequestField": "Jenkins-Crumb",
                }
            )
        if parts == ["me", "api", "json"]:
            return self._json({"_class": "hudson.model.User", "id": user, "fullName": user})
        if parts == ["pluginManager", "api", "json"]:
            plugins = [
                {"shortName": n, "longName": n, "active": a, "enabled": a, "version": "1.0"}
                for n, a in self.state.plugins.items()
            ]
            return self._json({"plugins": plugins})
        names: list[str] = []
        while len(parts) >= 2 and parts[0] == "job":
            names.append(parts[1])
            parts = parts[2:]
        full = "/".join(names)
        if names and full not in self.state.items:
            return self._send(404, f"Not found: {full}")
        action = "/".join(parts)
        if method == "GET" and action == "api/json":
            return self._json(self._info(full, query))
        if method == "GET" and action == "config.xml" and names:
            return self._send(200, self.state.items[full].xml, "application/xml")
        if method == "POST" and action == "config.xml" and names:
            return self._reconfig(full, body)
        if method == "POST" and action == "createItem":
            return self._create(full, query, body)
        if method == "POST" and action == "doDelete" and names:
            for name in [n for n in self.state.items if n == full or n.startswith(full + "/")]:
                del self.state.items[name]
            return self._send(200, "")
        return self._send(404, f"No such page: {self.path}")

    # -- operations -------------------------------------------------------------------------

    def _create(self, parent: str, query: dict[str, str], body: bytes) -> None:
        if parent and self.state.items[parent].cls not in FOLDERISH:
            return self._send(404, f"{parent} is not a folder")
        ctype = self.headers.get("Content-Type", "")
        form = {k: v[-1] for k, v in parse_qs(body.decode()).items()} if "form" in ctype else {}
        name = query.get("name") or form.get("name", "")
        problem = good_name(name)
        if problem:
            return self._send(400, problem)
        full = f"{parent}/{name}" if parent else name
        if full in self.state.items:
            return self._send(400, f"A job already exists with the name \u2018{name}\u2019")
        if form:
            if form.get("mode") != FOLDER:
                return self._send(400, f"unsupported mode {form.get('mode')}")
            self.state.items[full] = Item(FOLDER, EMPTY_FOLDER_XML)
            return self._send(200, "")
        try:
            tag = ET.fromstring(body).tag
        except ET.ParseError as exc:
            return self._send(500, f"Failed to parse config.xml: {exc}")
        self.state.items[full] = Item(CLASS_BY_TAG.get(tag, tag), body.decode())
        return self._send(200, "")

    def _reconfig(self, full: str, body: bytes) -> None:
        try:
            tag = ET.fromstring(body).tag
        except ET.ParseError as exc:
            return self._send(500, f"Failed to parse config.xml: {exc}")
        if CLASS_BY_TAG.get(tag, tag) != self.state.items[full].cls:
            return self._send(400, "Cannot change the type of an existing item")
        self.state.items[full].xml = body.decode()
        return self._send(200, "")

    def _info(self, full: str, query: dict[str, str]) -> dict[str, Any]:
        tree = parse_tree(query["tree"]) if "tree" in query else None
        if not full:
            return self._select({"_class": "hudson.model.Hudson", "jobs": self._children("")}, tree)
        return self._select(self._describe(full), tree)

    def _describe(self, full: str) -> dict[str, Any]:
        item = self.state.items[full]
        desc = ET.fromstring(item.xml).findtext("description") or ""
        data: dict[str, Any] = {
            "_class": item.cls,
            "name": full.rsplit("/", 1)[-1],
            "fullName": full,
            "url": self._url(full),
            "description": desc,
        }
        if item.cls in FOLDERISH or item.cls.endswith("WorkflowMultiBranchProject"):
            data["jobs"] = self._children(full)
        else:
            data["color"] = "notbuilt"
            if full in self.state.builds:
                data["allBuilds"] = self.state.builds[full]
        return data

    def _children(self, parent: str) -> list[dict[str, Any]]:
        prefix = parent + "/" if parent else ""
        return [
            self._describe(n)
            for n in sorted(self.state.items)
            if n.startswith(prefix) and "/" not in n[len(prefix) :]
        ]

    def _select(self, data: dict[str, Any], tree: dict[str, Any] | None) -> dict[str, Any]:
        if tree is None:
            return {
                k: (
                    [{"_class": j["_class"], "name": j["name"], "url": j["url"]} for j in v]
                    if k == "jobs"
                    else v
                )
                for k, v in data.items()
            }
        out = {"_class": data["_class"]}
        for key, sub in tree.items():
            if key not in data:
                continue
            value = data[key]
            if key == "jobs" and isinstance(value, list):
                out[key] = [
                    self._select(j, sub) if sub is not None else {"_class": j["_class"]}
                    for j in value
                ]
            else:
                out[key] = value
        return out

    def _url(self, full: str) -> str:
        host = f"http://{self.headers.get('Host', 'localhost')}/"
        return host + "".join(f"job/{n}/" for n in full.split("/"))

    # -- plumbing ---------------------------------------------------------------------------

    def _user(self) -> str | bool | None:
        """The authenticated user, None for anonymous, False for bad credentials."""
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            user, _, token = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user if self.state.users.get(user) == token else False

    def _fault(self, method: str, path: str) -> Fault | None:
        for fault in self.state.faults:
            if fault.times > 0 and fault.method == method and fault.pattern.search(path):
                fault.times -= 1
                return fault
        return None

    def _json(self, data: Any) -> None:
        self._send(200, json.dumps(data), "application/json")

    def _send(
        self,
        status: int,
        text: str,
        ctype: str = "text/plain",
        headers: dict[str, str] | None = None,
    ) -> None:
        payload = text.encode()
        self.send_response(status)
        self.send_header("X-Jenkins", self.state.version)
        self.send_header("Content-Type", f"{ctype};charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)


if __name__ == "__main__":
    fake = FakeJenkins().start()
    print(fake.url, flush=True)
    try:
        for line in sys.stdin:  # "stats" prints counts, "clear" resets them; EOF stops
            command = line.strip()
            if command == "stats":
                print(json.dumps({"reads": fake.reads(), "writes": fake.writes()}), flush=True)
            elif command == "clear":
                fake.clear_log()
                print("ok", flush=True)
            elif command == "items":
                print(json.dumps(len(fake.state.items)), flush=True)
    finally:
        fake.stop()
