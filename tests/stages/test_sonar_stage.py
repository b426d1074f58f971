"""The sonar stage end to end: properties file, a fake scanner, and the quality-gate wait
against a loopback stub of the SonarQube Web API.

No SonarQube server (nor the scanner engine it serves) can run here: the fake scanner writes
the report-task.txt a real one leaves, and the stub answers with the documented JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelinekit.config.models import Config
from pipelinekit.errors import EXIT_BAD_INPUT, EXIT_UNREACHABLE, ConfigError, ExternalError
from pipelinekit.render.header import inspect
from pipelinekit.sonar.client import SonarClient
from pipelinekit.sonar.settings import SonarConfig
from pipelinekit.stages import get
from pipelinekit.stages import sonar as stage
from pipelinekit.stages.base import StageContext
from tests.repo_factory import write_files as write

from .conftest import CANARY, GATE_ERROR, SonarStub, make_ctx

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write(
        tmp_path / "calc",
        {
            "pyproject.toml": '[project]\nname = "calc"\nversion = "0.1.0"\n',
            "calc/__init__.py": "",
            "tests/test_calc.py": "def test_x():\n    pass\n",
        },
    )


def sonar_ctx(
    project: Path, url: str, scanner: list[str], *, env: dict[str, str] | None = None, **cfg: object
) -> StageContext:
    sonar = SonarConfig(enabled=True, host_url=url, scanner_args=scanner, **cfg)  # type: ignore[arg-type]
    base = {"SONAR_TOKEN": CANARY, "EXPECTED_TOKEN": CANARY}
    return make_ctx(project, Config(sonar=sonar), env={**base, **(env or {})})


def scanner_call(project: Path) -> dict[str, object]:
    return json.loads((project / "scanner-call.json").read_text())  # type: ignore[no-any-return]


def test_registry_finds_the_stage() -> None:
    assert get("sonar") is stage


def test_green_gate(project: Path, sonar_stub: SonarStub, fake_scanner: list[str]) -> None:
    sonar_stub.ce_statuses = ["PENDING", "SUCCESS"]
    ctx = sonar_ctx(project, sonar_stub.url + "/", fake_scanner, env={"BRANCH_NAME": "feat/x"})
    client = SonarClient(sonar_stub.url, CANARY, sleep=lambda s: None)
    result = stage.analyse(ctx, client)
    assert result.status == "passed", result.details
    assert result.summary == f"quality gate OK ({sonar_stub.url}/dashboard?id=calc)"
    call = scanner_call(project)
    assert call["args"] == [f"-Dsonar.host.url={sonar_stub.url}", "-Dsonar.branch.name=feat/x"]
    assert call["token_matches"] is True  # via the environment, not the command line
    assert sonar_stub.paths() == [
        "/api/ce/task",
        "/api/ce/task",
        "/api/qualitygates/project_status",
    ]
    assert sonar_stub.requests[-1][1] == {"analysisId": ["AY-analysis-1"]}
    props = (project / "sonar-project.properties").read_text()
    assert inspect(props).ownership == "ours"
    assert "sonar.projectKey=calc\n" in props and "sonar.branch" not in props
    assert "sonar-project.properties: written" in result.details
    gate = json.loads(result.reports[0].read_text())
    assert gate["status"] == "OK" and gate["ceTaskId"] == "AY-task-1"


def test_red_gate_fails_with_a_table(
    project: Path, sonar_stub: SonarStub, fake_scanner: list[str]
) -> None:
    sonar_stub.gate = GATE_ERROR
    result = stage.run(sonar_ctx(project, sonar_stub.url, fake_scanner))
    assert result.status == "failed" and result.exit_code == 1
    assert result.summary.startswith("quality gate failed: 2 condition(s) not met")
    table = result.details.splitlines()[:3]
    assert table == [
        "metric                        comparator  threshold  actual",
        "new_coverage                  <           80         62.5",
        "new_duplicated_lines_density  >           3          7.1",
    ]


@pytest.mark.parametrize(
    ("gate", "note"),
    [
        ({"status": "NONE"}, "No quality gate applies"),
        ({"status": "WARN", "conditions": [{"status": "WARN", "metricKey": "bugs",
          "comparator": "GT", "warningThreshold": "0", "actualValue": "2"}]},
         "Warning conditions:\nmetric  comparator  threshold  actual\nbugs    >           0          2"),
    ],
)  # fmt: skip
def test_gates_that_pass_with_a_note(
    project: Path,
    sonar_stub: SonarStub,
    fake_scanner: list[str],
    gate: dict[str, object],
    note: str,
) -> None:
    sonar_stub.gate = gate
    result = stage.run(sonar_ctx(project, sonar_stub.url, fake_scanner))
    assert result.status == "passed"
    assert note in result.details


def test_missing_report_task(project: Path, sonar_stub: SonarStub, fake_scanner: list[str]) -> None:
    stale = write(project, {".scannerwork/report-task.txt": "ceTaskId=OLD\n"})
    ctx = sonar_ctx(project, sonar_stub.url, fake_scanner, env={"FAKE_SCANNER_MODE": "no-report"})
    with pytest.raises(ExternalError, match=r"left no report-task\.txt") as err:
        stage.run(ctx)
    assert err.value.exit_code == EXIT_UNREACHABLE
    assert not (stale / ".scannerwork/report-task.txt").exists()  # the old task is never used
    assert sonar_stub.requests == []


def test_scanner_failure_is_redacted(
    project: Path, sonar_stub: SonarStub, fake_scanner: list[str]
) -> None:
    ctx = sonar_ctx(project, sonar_stub.url, fake_scanner, env={"FAKE_SCANNER_MODE": "fail"})
    with pytest.raises(ExternalError) as err:
        stage.run(ctx)
    assert "failed (exit 1): check SONAR_TOKEN" in err.value.message
    assert "token=****" in err.value.message
    assert CANARY not in err.value.message


@pytest.mark.parametrize("status", [401, 500])
def test_server_errors_are_exit_3(
    project: Path, sonar_stub: SonarStub, fake_scanner: list[str], status: int
) -> None:
    sonar_stub.fail_with = status
    client = SonarClient(sonar_stub.url, CANARY, sleep=lambda s: None, retries=1)
    with pytest.raises(ExternalError) as err:
        stage.analyse(sonar_ctx(project, sonar_stub.url, fake_scanner), client)
    assert err.value.exit_code == EXIT_UNREACHABLE
    assert ("check SONAR_TOKEN" in err.value.message) == (status == 401)
    assert CANARY not in err.value.message


def test_failed_background_task(
    project: Path, sonar_stub: SonarStub, fake_scanner: list[str]
) -> None:
    sonar_stub.ce_statuses = ["FAILED"]
    sonar_stub.error_message = "Unsupported language"
    with pytest.raises(ExternalError, match="FAILED: Unsupported language"):
        stage.run(sonar_ctx(project, sonar_stub.url, fake_scanner))


def test_gate_timeout(project: Path, sonar_stub: SonarStub, fake_scanner: list[str]) -> None:
    sonar_stub.ce_statuses = ["IN_PROGRESS"]
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    client = SonarClient(sonar_stub.url, CANARY, sleep=sleep, clock=lambda: now[0])
    ctx = sonar_ctx(project, sonar_stub.url, fake_scanner, qualitygate_timeout=20)
    with pytest.raises(ExternalError, match="within 20 s"):
        stage.analyse(ctx, client)


@pytest.mark.parametrize(
    ("env", "cfg", "message"),
    [
        ({"SONAR_TOKEN": ""}, {"host_url": "http://sq"}, "SONAR_TOKEN is not set"),
        ({"SONAR_TOKEN": CANARY}, {}, "No SonarQube server configured"),
    ],
)
def test_missing_settings(
    project: Path, env: dict[str, str], cfg: dict[str, str], message: str
) -> None:
    sonar = SonarConfig.model_validate({"enabled": True, **cfg})
    ctx = make_ctx(project, Config(sonar=sonar), env=env)
    with pytest.raises(ConfigError, match=message) as err:
        stage.run(ctx)
    assert err.value.exit_code == EXIT_BAD_INPUT


def test_host_from_environment_and_scanner_choice(project: Path) -> None:
    ctx = make_ctx(
        project,
        Config(sonar=SonarConfig(enabled=True, scanner="pysonar")),
        env={"SONAR_HOST_URL": "http://sq.internal:9000/", "CHANGE_ID": "12",
             "CHANGE_BRANCH": "feat/a", "CHANGE_TARGET": "main"},
    )  # fmt: skip
    assert stage.scanner_argv(ctx, "http://sq.internal:9000") == [
        "pysonar",
        "-Dsonar.host.url=http://sq.internal:9000",
        "-Dsonar.pullrequest.key=12",
        "-Dsonar.pullrequest.branch=feat/a",
        "-Dsonar.pullrequest.base=main",
    ]
    off = make_ctx(
        project, Config(sonar=SonarConfig(branch_analysis=False)), env={"BRANCH_NAME": "x"}
    )
    assert stage.scanner_argv(off, "http://h") == ["sonar-scanner", "-Dsonar.host.url=http://h"]


def test_scanner_not_installed(project: Path) -> None:
    ctx = make_ctx(
        project,
        Config(sonar=SonarConfig(enabled=True, host_url="http://127.0.0.1:9", scanner_args=["no-such-scanner-xyz"])),
        env={"SONAR_TOKEN": CANARY},
    )  # fmt: skip
    with pytest.raises(ExternalError, match="'no-such-scanner-xyz' is not on PATH"):
        stage.run(ctx)
    with pytest.raises(ExternalError, match="pip install pysonar"):
        stage.run(
            make_ctx(
                project,
                Config(sonar=SonarConfig(enabled=True, host_url="http://h", scanner="pysonar")),
                env={"SONAR_TOKEN": CANARY, "PATH": "/nonexistent"},
            )
        )


def test_disabled_by_default(project: Path) -> None:
    assert stage.run(make_ctx(project)).status == "skipped"


def test_canary_never_leaks_through_the_cli(
    project: Path, sonar_stub: SonarStub, fake_scanner: list[str]
) -> None:
    """`pipelinekit stage sonar` as CI runs it: green, red and refused, token in the env only."""
    scanner = ", ".join(json.dumps(a) for a in fake_scanner)
    with (project / "pyproject.toml").open("a") as fh:
        fh.write(
            f'\n[tool.pipelinekit.sonar]\nenabled = true\nhost_url = "{sonar_stub.url}"\n'
            f"scanner_args = [{scanner}]\n"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SONAR_", "CI_"))}
    env.update(SONAR_TOKEN=CANARY, EXPECTED_TOKEN=CANARY, PYTHONPATH=str(REPO_ROOT))
    env.pop("BRANCH_NAME", None)
    seen: list[tuple[int, str]] = []
    for gate, fail_with, mode in (
        ({"status": "OK"}, None, "ok"),
        (GATE_ERROR, None, "ok"),
        ({"status": "OK"}, 401, "ok"),
        ({"status": "OK"}, None, "fail"),
    ):
        sonar_stub.gate, sonar_stub.fail_with = gate, fail_with
        done = subprocess.run(
            [sys.executable, "-m", "pipelinekit", "stage", "sonar", str(project)],
            env={**env, "FAKE_SCANNER_MODE": mode},
            capture_output=True,
            text=True,
            timeout=60,
        )
        seen.append((done.returncode, done.stdout + done.stderr))
    assert [code for code, _ in seen] == [0, 1, 3, 3], seen
    assert "check SONAR_TOKEN" in seen[2][1]
    assert "new_coverage" in seen[1][1]
    for _, output in seen:
        assert CANARY not in output
    for path in project.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
