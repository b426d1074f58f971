"""SonarQube Web API client: the GETs that waiting for a quality gate needs.

Standard library only: CI jobs install pipelinekit without the extras that bring `requests`.
The network is one seam, `Transport` (method, url, headers, timeout -> status and body), so
tests swap it for a recorder or point the real one at a loopback stub.

Authentication is the token as the HTTP Basic login with an empty password, which every
SonarQube since 5.x and SonarCloud accept (`Bearer` only exists since 10.0). Redirects are not
followed: urllib would forward the Authorization header to whatever host a 3xx names.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pipelinekit.errors import ExternalError
from pipelinekit.util.redact import redact, register_secret

DONE = frozenset({"SUCCESS", "FAILED", "CANCELED"})
"""Final states of a Compute Engine task; PENDING and IN_PROGRESS mean "ask again"."""
RETRY_METHODS = frozenset({"GET", "HEAD"})
"""Only idempotent requests are repeated after a timeout or a 5xx."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes


class Transport(Protocol):
    """Send one request. Raises OSError (timeouts, refused connections) when no answer came;
    any HTTP status, 4xx and 5xx included, is an answer."""

    def __call__(
        self, method: str, url: str, headers: Mapping[str, str], timeout: float
    ) -> HttpResponse: ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx surfaces as an HTTPError and is reported


_OPENER = urllib.request.build_opener(_NoRedirect)


def urllib_transport(
    method: str, url: str, headers: Mapping[str, str], timeout: float
) -> HttpResponse:
    request = urllib.request.Request(url, method=method, headers=dict(headers))
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return HttpResponse(response.status, response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return HttpResponse(exc.code, exc.read())
    except http.client.HTTPException as exc:  # a malformed or cut-off answer
        raise ConnectionError(f"bad HTTP response ({type(exc).__name__})") from exc


@dataclass(frozen=True)
class CeTask:
    id: str
    status: str
    analysis_id: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class Condition:
    metric: str
    comparator: str
    threshold: str
    actual: str
    status: str


@dataclass(frozen=True)
class QualityGate:
    status: str
    """OK, ERROR, WARN (SonarQube before 7.6) or NONE (no gate applies)."""
    conditions: tuple[Condition, ...]

    @property
    def failing(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.status not in ("OK", "NONE"))


class SonarClient:
    """One SonarQube server, authenticated with a user/project/global analysis token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: Transport = urllib_transport,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        register_secret(token)
        self.base_url = base_url.rstrip("/")
        self._auth = "Basic " + base64.b64encode(f"{token}:".encode()).decode("ascii")
        self.transport = transport
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.clock = clock

    def request(self, method: str, path: str, params: Mapping[str, str]) -> Any:
        """The decoded JSON answer; every failure is an ExternalError naming the fix."""
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(params)}"
        headers = {"Authorization": self._auth, "Accept": "application/json"}
        attempts = 1 + (self.retries if method in RETRY_METHODS else 0)
        problem = ""
        for attempt in range(attempts):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.transport(method, url, headers, self.timeout)
            except OSError as exc:
                problem = _describe_oserror(exc, self.timeout)
                continue
            if response.status >= 500:
                problem = f"HTTP {response.status}{_server_message(response.body)}"
                continue
            return self._decode(path, response)
        raise ExternalError(
            f"SonarQube at {self._where()} did not answer {path} after {attempts} attempt(s): "
            f"{problem}. Check that the server is up and reachable from this machine "
            "(host_url in [tool.pipelinekit.sonar] or SONAR_HOST_URL), then run the stage again."
        )

    def _decode(self, path: str, response: HttpResponse) -> Any:
        status = response.status
        if status in (401, 403):
            raise ExternalError(
                f"SonarQube at {self._where()} refused the request to {path} (HTTP {status}): "
                "check SONAR_TOKEN. It must be a valid, unexpired token of a user or project "
                "with 'Browse' and 'Execute Analysis' permission on this project."
            )
        if 300 <= status < 400:
            raise ExternalError(
                f"SonarQube at {self._where()} redirected {path} (HTTP {status}); set host_url "
                "(or SONAR_HOST_URL) to the server's final address, including https and any "
                "context path."
            )
        if status >= 400:
            raise ExternalError(
                f"SonarQube at {self._where()} rejected {path} (HTTP {status})"
                f"{_server_message(response.body)}. Check the project key and that the "
                "analysis reached this server."
            )
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ExternalError(
                f"SonarQube at {self._where()} answered {path} with something that is not JSON "
                f"({response.body[:80]!r}); is host_url really a SonarQube server?"
            ) from exc

    def _where(self) -> str:
        return redact(self.base_url)

    def ce_task(self, task_id: str) -> CeTask:
        data = self.request("GET", "/api/ce/task", {"id": task_id})
        task = _mapping(data, "task", "/api/ce/task")
        return CeTask(
            id=str(task.get("id", task_id)),
            status=str(task.get("status", "")),
            analysis_id=_opt_str(task.get("analysisId")),
            error_message=_opt_str(task.get("errorMessage")),
        )

    def quality_gate(self, analysis_id: str) -> QualityGate:
        path = "/api/qualitygates/project_status"
        data = self.request("GET", path, {"analysisId": analysis_id})
        status = _mapping(data, "projectStatus", path)
        conditions = tuple(
            Condition(
                metric=str(c.get("metricKey", "?")),
                comparator=str(c.get("comparator", "")),
                threshold=str(c.get("errorThreshold", c.get("warningThreshold", ""))),
                actual=str(c.get("actualValue", "")),
                status=str(c.get("status", "")),
            )
            for c in status.get("conditions") or []
            if isinstance(c, dict)
        )
        return QualityGate(str(status.get("status", "NONE")), conditions)

    def wait_for_task(self, task_id: str, timeout: float) -> CeTask:
        """Poll the Compute Engine task with growing pauses (1 s, 1.5 s, ... up to 10 s) until
        it is done; SonarQube processes analyses in a queue, so minutes are normal."""
        deadline = self.clock() + timeout
        pause = 1.0
        while True:
            task = self.ce_task(task_id)
            if task.status in DONE:
                return task
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise ExternalError(
                    f"SonarQube at {self._where()} did not finish processing analysis task "
                    f"{task_id} within {timeout:.0f} s (last status: {task.status or 'unknown'}). "
                    "Its background-task queue may be busy (Administration > Background "
                    "Tasks); raise qualitygate_timeout in [tool.pipelinekit.sonar] if it "
                    "regularly needs longer."
                )
            self.sleep(min(pause, remaining))
            pause = min(pause * 1.5, 10.0)


def _describe_oserror(exc: OSError, timeout: float) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s"
    return redact(str(reason) or type(reason).__name__)


def _server_message(body: bytes) -> str:
    """SonarQube's `{"errors": [{"msg": ...}]}` as `: msg`, or nothing."""
    try:
        errors = json.loads(body).get("errors") or []
        messages = [str(e["msg"]) for e in errors if isinstance(e, dict) and "msg" in e]
    except (ValueError, AttributeError, UnicodeDecodeError):
        return ""
    return f": {redact('; '.join(messages))[:300]}" if messages else ""


def _mapping(data: Any, key: str, path: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise ExternalError(
            f"SonarQube answered {path} without the expected `{key}` object; the server may "
            "be too old or not SonarQube. pipelinekit needs SonarQube 7.9 or later."
        )
    return value


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
