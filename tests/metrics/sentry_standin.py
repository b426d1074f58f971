"""A loopback stand-in for Sentry's releases API, shaped like Sentry's documented Web API
(no Sentry server can run here): `/api/0/organizations/{org}/releases/` (POST create: 201, or
208 when the version exists), `.../releases/{version}/` (GET: 404 when absent; PUT: commits,
dateReleased, ref), `.../releases/{version}/deploys/` (GET list, POST create: 201), Bearer
token authentication (401 `{"detail": ...}`), JSON bodies. State lives in memory; `faults`
queues HTTP statuses to answer before handling (a flaky server), `answer_after` makes Sentry
act and then fail (a response lost after the write happened)."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.loopback import serve

PATH = re.compile(
    r"^/api/0/organizations/(?P<org>[^/]+)/releases/(?:(?P<version>[^/]+)/(?P<deploys>deploys/)?)?$"
)


@dataclass
class SentryState:
    token: str
    org: str
    releases: dict[str, dict[str, Any]] = field(default_factory=dict)
    deploys: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    faults: list[tuple[str, int]] = field(default_factory=list)
    """(method, status): the next request with that method gets that status, unhandled."""
    answer_after: list[tuple[str, int]] = field(default_factory=list)
    """(method, status): the next such request is handled, then answered with that status."""

    def methods(self) -> list[str]:
        return [method for method, _, _ in self.requests]


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True
    state: SentryState

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        state = self.state
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        state.requests.append((self.command, self.path, body))
        for fault in state.faults:
            if fault[0] == self.command:
                state.faults.remove(fault)
                return self._send(fault[1], {"detail": "Internal Error"})
        if self.headers.get("Authorization") != f"Bearer {state.token}":
            return self._send(401, {"detail": "Invalid token"})
        match = PATH.match(self.path)
        if not match or match["org"] != state.org:
            return self._send(404, {"detail": "The requested resource does not exist"})
        version = urllib.parse.unquote(match["version"]) if match["version"] else None
        status, answer = self._route(version, bool(match["deploys"]), body or {})
        for late in state.answer_after:
            if late[0] == self.command:
                state.answer_after.remove(late)
                status, answer = late[1], {"detail": "Internal Error"}
                break
        self._send(status, answer)

    def _route(self, version: str | None, deploys: bool, body: dict[str, Any]) -> tuple[int, Any]:
        state, method = self.state, self.command
        if version is None:
            if method != "POST":
                return 405, {"detail": "Method not allowed"}
            if not body.get("version") or not body.get("projects"):
                return 400, {"version": ["This field is required."]}
            name = body["version"]
            if name in state.releases:
                return 208, state.releases[name]
            state.releases[name] = {
                "version": name, "shortVersion": name, "ref": body.get("ref"),
                "projects": [{"slug": p, "name": p} for p in body["projects"]],
                "dateCreated": "2024-06-01T00:00:00Z", "dateReleased": body.get("dateReleased"),
                "commitCount": 0, "deployCount": 0, "commits": [],
            }  # fmt: skip
            return 201, state.releases[name]
        release = state.releases.get(version)
        if release is None:
            return 404, {"detail": "The requested resource does not exist"}
        if deploys:
            listed = state.deploys.setdefault(version, [])
            if method == "GET":
                return 200, listed
            if not body.get("environment"):
                return 400, {"environment": ["This field is required."]}
            deploy = {"id": str(len(listed) + 1), "environment": body["environment"],
                      "name": body.get("name"), "url": None, "dateStarted": None,
                      "dateFinished": "2024-06-01T00:00:00Z"}  # fmt: skip
            listed.append(deploy)
            release["deployCount"] = len(listed)
            return 201, deploy
        if method == "PUT":
            if "commits" in body:
                release["commits"] = body["commits"]
                release["commitCount"] = len(body["commits"])
            for key in ("dateReleased", "ref", "url"):
                if key in body:
                    release[key] = body[key]
        return 200, release

    do_GET = do_POST = do_PUT = _handle


@contextmanager
def sentry_standin(token: str, org: str = "acme") -> Iterator[tuple[str, SentryState]]:
    state = SentryState(token=token, org=org)
    handler = type("Handler", (_Handler,), {"state": state})
    with serve(handler) as url:
        yield url, state
