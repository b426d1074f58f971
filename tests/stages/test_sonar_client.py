"""SonarClient against a loopback stub of the SonarQube Web API (real HTTP through the session of
pipelinekit.util.http) and, for exact requests, against `responses`.

No SonarQube server can run here: the stub replays the documented JSON shapes of
/api/ce/task and /api/qualitygates/project_status (PENDING -> IN_PROGRESS -> SUCCESS, gate OK
and ERROR, 401, 500, a hang).
"""

from __future__ import annotations

import base64
import socket

import pytest
import responses
from responses import matchers

from pipelinekit.errors import EXIT_UNREACHABLE, ExternalError
from pipelinekit.sonar.client import SonarClient

from .conftest import CANARY, GATE_ERROR, SonarStub, elapsed_below


class FakeTime:
    """A clock that only moves when the client sleeps, so timeouts take no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def client_for(url: str, fake: FakeTime | None = None, **kwargs: float) -> SonarClient:
    """A client polling on `fake` time, retrying without backoff pauses."""
    fake = fake or FakeTime()
    kwargs.setdefault("backoff", 0.0)
    return SonarClient(url, CANARY, sleep=fake.sleep, clock=fake.clock, **kwargs)  # type: ignore[arg-type]


def test_waits_through_pending_and_in_progress(sonar_stub: SonarStub) -> None:
    sonar_stub.ce_statuses = ["PENDING", "IN_PROGRESS", "IN_PROGRESS", "SUCCESS"]
    fake = FakeTime()
    task = client_for(sonar_stub.url, fake).wait_for_task("AY-task-1", 300)
    assert (task.status, task.analysis_id) == ("SUCCESS", "AY-analysis-1")
    assert fake.sleeps == [1.0, 1.5, 2.25]  # growing pauses between polls
    _, query, headers = sonar_stub.requests[0]
    assert query == {"id": ["AY-task-1"]}
    assert headers["Authorization"] == "Basic " + base64.b64encode(f"{CANARY}:".encode()).decode()


def test_gate_ok_and_error_conditions(sonar_stub: SonarStub) -> None:
    client = client_for(sonar_stub.url)
    assert client.quality_gate("A1").status == "OK"
    sonar_stub.gate = GATE_ERROR
    gate = client.quality_gate("A1")
    assert gate.status == "ERROR"
    assert [(c.metric, c.comparator, c.threshold, c.actual) for c in gate.failing] == [
        ("new_coverage", "LT", "80", "62.5"),
        ("new_duplicated_lines_density", "GT", "3", "7.1"),
    ]
    assert sonar_stub.requests[-1][1] == {"analysisId": ["A1"]}


def test_401_says_check_token_without_it(sonar_stub: SonarStub) -> None:
    sonar_stub.fail_with = 401
    with pytest.raises(ExternalError) as err:
        client_for(sonar_stub.url).ce_task("T")
    assert err.value.exit_code == EXIT_UNREACHABLE
    assert "check SONAR_TOKEN" in err.value.message
    assert CANARY not in err.value.message
    assert len(sonar_stub.requests) == 1  # an auth failure is not retried


def test_500_is_retried_then_exit_3(sonar_stub: SonarStub) -> None:
    sonar_stub.fail_with = 500
    fake = FakeTime()
    with pytest.raises(ExternalError) as err:
        client_for(sonar_stub.url, fake, retries=2).ce_task("T")
    assert len(sonar_stub.requests) == 3
    assert "after 3 attempt(s)" in err.value.message
    assert fake.sleeps == []  # urllib3 paces retries; the fake clock only paces polling
    assert "HTTP 500: Insufficient privileges" in err.value.message
    assert err.value.exit_code == EXIT_UNREACHABLE


def test_hanging_server_times_out(sonar_stub: SonarStub) -> None:
    sonar_stub.hang = True
    with elapsed_below(5), pytest.raises(ExternalError) as err:
        client_for(sonar_stub.url, timeout=0.3, retries=1).ce_task("T")
    assert "no answer within 0.3 s" in err.value.message
    assert len(sonar_stub.requests) == 2


def test_refused_connection_is_exit_3() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the request: nothing listens
    with pytest.raises(ExternalError) as err:
        client_for(f"http://127.0.0.1:{port}", retries=0).ce_task("T")
    assert "did not answer /api/ce/task after 1 attempt(s)" in err.value.message


def test_task_never_finishing_hits_the_deadline(sonar_stub: SonarStub) -> None:
    sonar_stub.ce_statuses = ["IN_PROGRESS"]
    fake = FakeTime()
    with pytest.raises(ExternalError) as err:
        client_for(sonar_stub.url, fake).wait_for_task("AY-task-1", 30)
    assert "within 30 s (last status: IN_PROGRESS)" in err.value.message
    assert sum(fake.sleeps) == pytest.approx(30)
    assert max(fake.sleeps) <= 10


@responses.activate
def test_exact_requests_with_responses() -> None:
    auth = "Basic " + base64.b64encode(f"{CANARY}:".encode()).decode()
    responses.get(
        "https://sonar.example.com/sq/api/ce/task",
        match=[
            matchers.query_param_matcher({"id": "AY-task-1"}),
            matchers.header_matcher({"Authorization": auth, "Accept": "application/json"}),
        ],
        json={"task": {"id": "AY-task-1", "status": "SUCCESS", "analysisId": "AN-1"}},
    )
    responses.get(
        "https://sonar.example.com/sq/api/qualitygates/project_status",
        match=[matchers.query_param_matcher({"analysisId": "AN-1"})],
        json={"projectStatus": {"status": "OK", "conditions": []}},
    )
    client = SonarClient("https://sonar.example.com/sq/", CANARY)
    task = client.wait_for_task("AY-task-1", 60)
    assert client.quality_gate(task.analysis_id or "").status == "OK"
    assert [c.request.method for c in responses.calls] == ["GET", "GET"]


@responses.activate
def test_redirect_is_not_followed() -> None:
    responses.get("https://sonar.example.com/api/ce/task", status=302)
    client = SonarClient("https://sonar.example.com", CANARY)
    with pytest.raises(ExternalError, match="redirected"):
        client.ce_task("T")


def test_redirects_are_not_followed_over_real_http(sonar_stub: SonarStub) -> None:
    sonar_stub.fail_with = 302
    with pytest.raises(ExternalError, match=r"redirected /api/ce/task \(HTTP 302\)"):
        client_for(sonar_stub.url).ce_task("T")


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (404, b'{"errors":[{"msg":"No activity found for task \'T\'"}]}', "No activity found"),
        (200, b"<html>login</html>", "not JSON"),
        (200, b'{"tasks": []}', "without the expected `task` object"),
    ],
)
@responses.activate
def test_unexpected_answers(status: int, body: bytes, expected: str) -> None:
    responses.get("http://sq/api/ce/task", status=status, body=body)
    with pytest.raises(ExternalError, match=expected):
        SonarClient("http://sq", CANARY).ce_task("T")


@responses.activate
def test_only_gets_are_retried() -> None:
    responses.post("http://sq/api/x", status=503)
    responses.get("http://sq/api/x", status=503)
    client = SonarClient("http://sq", CANARY, retries=2, backoff=0)
    with pytest.raises(ExternalError, match="after 1 attempt"):
        client.request("POST", "/api/x", {})
    with pytest.raises(ExternalError, match="after 3 attempt"):
        client.request("GET", "/api/x", {})
    assert [c.request.method for c in responses.calls] == ["POST", "GET", "GET", "GET"]
