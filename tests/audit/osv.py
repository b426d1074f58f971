"""A loopback stand-in for the OSV vulnerability API (`POST /v1/query`, documented at
https://google.github.io/osv.dev/post-v1-query/), which no test can reach here: it answers
`{"vulns": [...]}` in OSV's schema for the releases it knows as vulnerable and `{}` for the
others, as the real service does, and records every query it gets."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REQUESTS_CVE: dict[str, Any] = {
    "id": "GHSA-x84v-xcm2-53pg",
    "summary": "Insufficiently Protected Credentials in Requests",
    "aliases": ["CVE-2018-18074"],
    "schema_version": "1.6.0",
    "affected": [
        {
            "package": {"name": "requests", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.20.0"}]}],
        }
    ],
}
VULNERABLE = {("requests", "2.19.0"): [REQUESTS_CVE]}


class OsvStandIn:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.queries: list[dict[str, Any]] = []
        self.url = ""


@contextmanager
def osv_server(status: int = 200) -> Iterator[OsvStandIn]:
    """Serve the stand-in on 127.0.0.1 on a free port; `status` != 200 answers every query
    with that error (a failing service)."""
    state = OsvStandIn(status)

    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            state.queries.append(body)
            if self.path != "/v1/query" or state.status != 200:
                self.send_response(404 if self.path != "/v1/query" else state.status)
                self.end_headers()
                return
            key = (body["package"]["name"], body["version"])
            answer = {"vulns": VULNERABLE[key]} if key in VULNERABLE else {}
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
