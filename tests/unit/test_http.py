"""pipelinekit.util.http against a real HTTP server on 127.0.0.1 (http.server on a free port):
the retries are urllib3's own, so they are checked by counting the requests the server saw."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
import requests

from pipelinekit.errors import EXIT_UNREACHABLE
from pipelinekit.util.http import Server, attempts, http_error, make_session, status_of
from tests.support.loopback import serve

URL_TOKEN = "qtok-5d1c9e7a3b2f4e60"
HEADER_TOKEN = "htok-a8b7c6d5e4f30211"
"""Never registered as secrets: the seam itself must keep them out of its messages."""


@dataclass
class Script:
    """Answers by method: each request takes the next status (the last one repeats); 0 closes
    the connection without an answer. `delay` seconds pass before every answer."""

    answers: dict[str, list[int]] = field(default_factory=dict)
    delay: float = 0.0
    retry_after: str | None = None
    seen: list[tuple[str, str, float]] = field(default_factory=list)

    def methods(self) -> list[str]:
        return [method for method, _, _ in self.seen]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            method = self.command
            script.seen.append((method, self.path, time.monotonic()))
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            time.sleep(script.delay)
            queue = script.answers.get(method, [200])
            status = queue.pop(0) if len(queue) > 1 else queue[0]
            if status == 0:
                self.close_connection = True
                return
            body = b'{"ok": true}'
            self.send_response(status)
            if script.retry_after and status in (429, 503):
                self.send_header("Retry-After", script.retry_after)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

    return Handler


@pytest.fixture
def served() -> Iterator[tuple[str, Script]]:
    script = Script()
    with serve(_handler(script)) as url:
        yield url, script


def test_a_get_answered_503_twice_then_200_succeeds(served: tuple[str, Script]) -> None:
    url, script = served
    script.answers["GET"] = [503, 503, 200]
    response = make_session(retries=3, backoff=0).get(f"{url}/api/json", timeout=5)
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert script.methods() == ["GET", "GET", "GET"]


def test_a_post_answered_503_is_not_repeated(served: tuple[str, Script]) -> None:
    url, script = served
    script.answers["POST"] = [503, 200]
    response = make_session(retries=3, backoff=0).post(f"{url}/createItem", data=b"<x/>")
    assert response.status_code == 503  # the final status goes back to the caller
    assert script.methods() == ["POST"]


def test_put_and_delete_are_retried_as_idempotent(served: tuple[str, Script]) -> None:
    url, script = served
    script.answers.update(PUT=[502, 200], DELETE=[500, 204])
    session = make_session(retries=2, backoff=0)
    assert session.put(f"{url}/v", json={}).status_code == 200
    assert session.delete(f"{url}/v").status_code == 204
    assert script.methods() == ["PUT", "PUT", "DELETE", "DELETE"]


def test_retries_exhausted_leave_the_last_error_status(served: tuple[str, Script]) -> None:
    url, script = served
    script.answers["GET"] = [500]
    response = make_session(retries=2, backoff=0).get(url)
    assert response.status_code == 500 and len(script.seen) == 3
    error = http_error(response, Server("Jenkins", url, 5), "read", "job/x")
    assert error.message == f"Jenkins at {url} answered HTTP 500 when asked to read job/x."


def test_retry_after_is_respected(served: tuple[str, Script]) -> None:
    url, script = served
    script.answers["GET"] = [503, 200]
    script.retry_after = "1"
    assert make_session(retries=1, backoff=0).get(url).status_code == 200
    first, second = (moment for _, _, moment in script.seen)
    assert second - first >= 0.9  # backoff 0: only Retry-After made it wait


def test_a_timeout_is_one_paragraph_naming_the_server(served: tuple[str, Script]) -> None:
    url, script = served
    script.delay = 0.5
    session = make_session(retries=1, backoff=0, timeout=0.2)
    with pytest.raises(requests.RequestException) as raised:
        session.get(f"{url}/api/json")  # no timeout given: the session's default applies
    assert len(script.seen) == 2  # a read that timed out is tried again
    server = Server("GitLab", url, 0.2, {"timeout": "{where} is slow\nwith {what}: raise it."})
    error = http_error(raised.value, server, "read", "project ds/churn")
    assert error.exit_code == EXIT_UNREACHABLE
    assert error.message == f"GitLab at {url} is slow with project ds/churn: raise it."


def test_a_timed_out_post_is_not_repeated(served: tuple[str, Script]) -> None:
    url, script = served
    script.delay = 0.5
    with pytest.raises(requests.Timeout) as raised:
        make_session(retries=3, backoff=0).post(url, data=b"x", timeout=0.2)
    assert script.methods() == ["POST"]
    message = http_error(raised.value, Server("Jenkins", url, 0.2), "create", "job x").message
    assert message == f"Jenkins at {url} did not answer within 0.2 s when asked to create job x."


def test_tokens_in_the_url_or_a_header_never_appear(served: tuple[str, Script]) -> None:
    url, script = served
    script.answers["GET"] = [0]  # the connection closes unanswered: the reason names the URL
    session = make_session(retries=1, backoff=0)
    target = f"{url}/api/v4/projects?private_token={URL_TOKEN}"
    headers = {"Authorization": f"Bearer {HEADER_TOKEN}"}
    with pytest.raises(requests.ConnectionError) as raised:
        session.get(target, headers=headers, timeout=5)
    assert URL_TOKEN in str(raised.value)  # what requests says carries the token ...
    host = url.replace("http://", f"http://ci:{URL_TOKEN}@") + f"?token={URL_TOKEN}"
    server = Server("GitLab", host, 5)
    error = http_error(raised.value, server, "read", "project ds/churn")
    assert "Cannot reach GitLab at http://ci:****@127.0.0.1" in error.message
    assert "/api/v4/projects" in error.message  # ... the reason stays, without its query
    script.answers["GET"] = [401]
    refused = http_error(session.get(target, headers=headers), server, "read", "project ds/churn")
    assert "HTTP 401" in refused.message
    for message in (error.message, refused.message):
        assert URL_TOKEN not in message and HEADER_TOKEN not in message and "\n" not in message


def test_unreachable_server(served: tuple[str, Script]) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    down = f"http://127.0.0.1:{port}"
    with pytest.raises(requests.ConnectionError) as raised:
        make_session(retries=1, backoff=0).get(down, timeout=5)
    error = http_error(raised.value, Server("Sentry", down, 5), "GET", "/api/0/")
    assert error.message == f"Cannot reach Sentry at {down} to GET /api/0/: connection refused."


def test_hints_by_exact_status_then_class_then_default() -> None:
    server = Server(
        "X", "http://x", 1, {"404": "none {what}", "4xx": "bad {status}{detail}", "5xx": "down"}
    )

    class Failure(Exception):
        def __init__(self, code: int) -> None:
            super().__init__(f"HTTP {code}")
            self.response_code = code  # python-gitlab's shape

    assert http_error(Failure(404), server, "read", "p").message == "none p"
    assert (
        http_error(Failure(409), server, "read", "p", detail=": taken").message == "bad 409: taken"
    )
    assert http_error(Failure(503), server, "read", "p").message == "down"
    assert http_error(Failure(302), server, "read", "p").message.endswith(
        "HTTP 302 when asked to read p."
    )


def test_status_found_in_the_context_python_jenkins_keeps() -> None:
    response = requests.Response()
    response.status_code = 403
    try:
        try:
            raise requests.HTTPError("403", response=response)
        except requests.HTTPError:
            raise RuntimeError("Possibly authentication failed [403]") from None
    except RuntimeError as exc:
        assert status_of(exc) is None  # `from None` drops the context ...
    try:
        try:
            raise requests.HTTPError("403", response=response)
        except requests.HTTPError:
            raise RuntimeError("Possibly authentication failed [403]")  # noqa: B904
    except RuntimeError as exc:
        assert status_of(exc) == 403  # ... python-jenkins keeps it


def test_attempts_follow_the_mounted_policy() -> None:
    session = make_session(retries=2)
    assert attempts(session, "get", "https://x/") == 3
    assert attempts(session, "POST", "https://x/") == 1
    assert attempts(requests.Session(), "GET", "https://x/") == 1
