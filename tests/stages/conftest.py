"""Fixtures for the stage tests: small repositories in tmp_path, a loopback SonarQube Web API
stub and a fake scanner.

No SonarQube server (and no scanner engine, which the scanners download from the server) can
run here, so `sonar_stub` replays the documented JSON of /api/ce/task and
/api/qualitygates/project_status over real HTTP on 127.0.0.1, and `fake_scanner` writes the
report-task.txt a real scanner leaves behind.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from pipelinekit.config.models import Config
from pipelinekit.detect.facts import ProjectFacts, TestFacts
from pipelinekit.stages.base import StageContext

CANARY = "sqa_canary_7f3e91d2c4b8a6e5"
"""A SONAR_TOKEN value that must never appear in any output, error, file or report."""


def make_ctx(
    project: Path,
    config: Config | None = None,
    *,
    facts: ProjectFacts | None = None,
    env: dict[str, str] | None = None,
    python: str = sys.executable,
) -> StageContext:
    facts = facts or ProjectFacts(
        name="calc",
        packages=("calc",),
        source_dirs=(".",),
        build_system="setuptools",
        tests=TestFacts(dirs=("tests",), framework="pytest"),
        config_file="pyproject.toml",
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COVERAGE_", "SONAR_", "CI_", "CHANGE_", "PIPELINEKIT_"))
        and k not in ("BRANCH_NAME", "GITLAB_CI")
    }
    # The child pytest needs none of this environment's plugins (faster, and no pytest-cov).
    base["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return StageContext(
        project.resolve(), facts, config or Config(), env={**base, **(env or {})}, python=python
    )


@pytest.fixture
def no_site_python(tmp_path: Path) -> str:
    """An interpreter without site-packages: coverage, build and twine are all 'missing'."""
    wrapper = tmp_path / "bare-python"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return str(wrapper)


# --- SonarQube Web API stub -------------------------------------------------------------


@dataclass
class SonarStub:
    """Scripted answers. `ce_statuses` are returned one per poll (the last one repeats)."""

    url: str = ""
    ce_statuses: list[str] = field(default_factory=lambda: ["SUCCESS"])
    gate: dict[str, Any] = field(default_factory=lambda: {"status": "OK", "conditions": []})
    fail_with: int | None = None
    """Answer every request with this HTTP status (401, 500, ...)."""
    hang: bool = False
    error_message: str | None = None
    requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]


def _handler(stub: SonarStub, release: threading.Event) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            stub.requests.append((parts.path, parse_qs(parts.query), dict(self.headers)))
            if stub.hang:
                release.wait(10)
                return
            if stub.fail_with is not None:
                self._send(stub.fail_with, {"errors": [{"msg": "Insufficient privileges"}]})
            elif parts.path == "/api/ce/task":
                polls = sum(1 for p, _, _ in stub.requests if p == "/api/ce/task")
                status = stub.ce_statuses[min(polls, len(stub.ce_statuses)) - 1]
                task: dict[str, Any] = {
                    "id": parse_qs(parts.query)["id"][0],
                    "type": "REPORT",
                    "componentKey": "calc",
                    "status": status,
                    "submittedAt": "2024-05-01T10:00:00+0000",
                }
                if status == "SUCCESS":
                    task["analysisId"] = "AY-analysis-1"
                if status == "FAILED" and stub.error_message:
                    task["errorMessage"] = stub.error_message
                self._send(200, {"task": task})
            elif parts.path == "/api/qualitygates/project_status":
                self._send(200, {"projectStatus": {"periods": [], **stub.gate}})
            else:
                self._send(404, {"errors": [{"msg": f"Unknown url : {parts.path}"}]})

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def sonar_stub() -> Iterator[SonarStub]:
    stub = SonarStub()
    release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub, release))
    server.daemon_threads = True
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        release.set()
        server.shutdown()
        server.server_close()


GATE_ERROR = {
    "status": "ERROR",
    "ignoredConditions": False,
    "conditions": [
        {
            "status": "ERROR",
            "metricKey": "new_coverage",
            "comparator": "LT",
            "periodIndex": 1,
            "errorThreshold": "80",
            "actualValue": "62.5",
        },
        {
            "status": "OK",
            "metricKey": "new_bugs",
            "comparator": "GT",
            "errorThreshold": "0",
            "actualValue": "0",
        },
        {
            "status": "ERROR",
            "metricKey": "new_duplicated_lines_density",
            "comparator": "GT",
            "errorThreshold": "3",
            "actualValue": "7.1",
        },
    ],
}


FAKE_SCANNER = """\
import json, os, sys
from pathlib import Path

args = sys.argv[1:]
Path("scanner-call.json").write_text(json.dumps({
    "args": args,
    "token_matches": os.environ.get("SONAR_TOKEN") == os.environ.get("EXPECTED_TOKEN"),
    "host": os.environ.get("SONAR_HOST_URL"),
}))
mode = os.environ.get("FAKE_SCANNER_MODE", "ok")
if mode == "fail":
    # a leaky scanner log: the stage must redact what it passes on
    print("ERROR: Not authorized. token=" + os.environ.get("SONAR_TOKEN", ""))
    sys.exit(1)
host = next(a.split("=", 1)[1] for a in args if a.startswith("-Dsonar.host.url="))
if mode != "no-report":
    work = Path(".scannerwork")
    work.mkdir(exist_ok=True)
    (work / "report-task.txt").write_text(
        "projectKey=calc\\n"
        f"serverUrl={host}\\n"
        "serverVersion=10.5.1.90531\\n"
        f"dashboardUrl={host}/dashboard?id=calc\\n"
        "ceTaskId=AY-task-1\\n"
        f"ceTaskUrl={host}/api/ce/task?id=AY-task-1\\n"
    )
print("INFO: ANALYSIS SUCCESSFUL")
"""


@pytest.fixture
def fake_scanner(tmp_path: Path) -> list[str]:
    """scanner_args running a tiny script that records its call and writes report-task.txt."""
    script = tmp_path / "fake_scanner.py"
    script.write_text(FAKE_SCANNER, encoding="utf-8")
    return [sys.executable, str(script)]


def elapsed_below(seconds: float) -> Any:
    """Context manager asserting a block is fast (hangs must be cut by timeouts)."""

    class _Timer:
        def __enter__(self) -> None:
            self.start = time.monotonic()

        def __exit__(self, *exc: object) -> None:
            assert time.monotonic() - self.start < seconds

    return _Timer()
