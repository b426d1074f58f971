"""SonarQube Web API client: the GETs that waiting for a quality gate needs.

The network is one requests session from pipelinekit.util.http (timeouts, retries of GETs with
backoff through urllib3's Retry); tests pass their own session or point the client at a loopback
stub.

Authentication is the token as the HTTP Basic login with an empty password, which every
SonarQube since 5.x and SonarCloud accept (`Bearer` only exists since 10.0). Redirects are not
followed: the Authorization header must not travel to whatever host a 3xx names.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipelinekit.errors import ExternalError
from pipelinekit.util.http import Server, attempts, http_error, make_session
from pipelinekit.util.redact import redact, register_secret

if TYPE_CHECKING:
    import requests

DONE = frozenset({"SUCCESS", "FAILED", "CANCELED"})
"""Final states of a Compute Engine task; PENDING and IN_PROGRESS mean "ask again"."""

_DOWN = (
    "{where} did not answer {what} after {attempts} attempt(s): {problem}. Check that the server "
    "is up and reachable from this machine (host_url in [tool.pipelinekit.sonar] or "
    "SONAR_HOST_URL), then run the stage again."
)
_TOKEN = (
    "{where} refused the request to {what} (HTTP {status}): check SONAR_TOKEN. It must be a "
    "valid, unexpired token of a user or project with 'Browse' and 'Execute Analysis' "
    "permission on this project."
)
_HINTS = {
    "401": _TOKEN,
    "403": _TOKEN,
    "3xx": "{where} redirected {what} (HTTP {status}); set host_url (or SONAR_HOST_URL) to the "
    "server's final address, including https and any context path.",
    "4xx": "{where} rejected {what} (HTTP {status}){detail}. Check the project key and that the "
    "analysis reached this server.",
    "status": _DOWN.replace("{problem}", "HTTP {status}{detail}"),
    "timeout": _DOWN.replace("{problem}", "no answer within {timeout:g} s"),
    "unreachable": _DOWN.replace("{problem}", "{reason}"),
}


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
        session: requests.Session | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`sleep` and `clock` pace the polling of `wait_for_task`; `retries` and `backoff` go
        to the session's Retry (unless a session is given)."""
        register_secret(token)
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.session = session or make_session(retries, backoff, timeout)
        self.sleep = sleep
        self.clock = clock
        self._server = Server("SonarQube", self.base_url, timeout, _HINTS)

    def request(self, method: str, path: str, params: Mapping[str, str]) -> Any:
        """The decoded JSON answer; every failure is an ExternalError naming the fix."""
        import requests

        url = f"{self.base_url}{path}"
        tries = attempts(self.session, method, url)
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                auth=(self._token, ""),
                headers={"Accept": "application/json"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise http_error(exc, self._server, method, path, attempts=tries) from None
        if response.status_code >= 300:
            detail = _server_message(response.content)
            raise http_error(response, self._server, method, path, attempts=tries, detail=detail)
        try:
            return response.json()
        except ValueError as exc:
            raise ExternalError(
                f"SonarQube at {self._where()} answered {path} with something that is not JSON "
                f"({response.content[:80]!r}); is host_url really a SonarQube server?"
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
