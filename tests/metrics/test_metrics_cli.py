"""`pipelinekit metrics` and the stage push, run in-process (main()) on the hand-computed
history of test_dora.py; the Pushgateway is the real one (tests/support/pushgateway.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pipelinekit.cli import main
from pipelinekit.metrics.render_text import BARS, sparkline
from tests.metrics.test_prometheus import JANUARY, group, tiny_project, value

CI_VARIABLES = ("CI_COMMIT_REF_NAME", "CI_COMMIT_BRANCH", "BRANCH_NAME", "CI_COMMIT_TAG",
                "TAG_NAME", "GITHUB_HEAD_REF", "GITHUB_REF_NAME", "PIPELINEKIT_PUSHGATEWAY")  # fmt: skip


@pytest.fixture(autouse=True)
def no_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_json_has_the_documented_keys(capsys: pytest.CaptureFixture[str], edge_repo: Path) -> None:
    code, out, _ = run(capsys, "metrics", str(edge_repo), *JANUARY, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["window"] == {"since": "2024-01-01T00:00:00Z", "until": "2024-02-01T00:00:00Z"}
    assert data["deployments"] == 5
    assert data["deployment_frequency_per_week"] == round(5 / (31 / 7), 4)
    assert data["lead_time_hours"] == {"median": 35.0, "p90": 57.2, "commits": 7}
    assert data["change_failure_rate"] == 0.4
    assert data["time_to_restore_hours"] == {"median": 44.5}
    assert data["failures"][0] == {"release": "v1.0.0", "fixed_by": "v1.0.1", "hours": 41.0}
    assert data["project"] == "demo" and data["source"] == "git"


def test_text_has_a_line_and_a_sparkline_per_key(
    capsys: pytest.CaptureFixture[str], edge_repo: Path
) -> None:
    code, out, _ = run(capsys, "metrics", str(edge_repo), *JANUARY)
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[0] == "demo: delivery metrics from git, 2024-01-01T00:00:00Z to 2024-02-01T00:00:00Z"
    )
    rows = {line.split("  ")[1].strip(): line for line in lines[1:5]}
    assert "1.13/week (5 releases)" in rows["Deployment frequency"]
    assert "median 35.0 h, p90 2.4 d (7 commits)" in rows["Lead time for changes"]
    assert "40% (2 patched within 7 days)" in rows["Change failure rate"]
    assert "median 44.5 h" in rows["Time to restore"] and " medium " in rows["Time to restore"]
    # Monday weeks 2024-W01..W05: 3 (v1.1.0 on Sunday 23:00Z), 0, 1, 1, 0; one month
    assert "█▁▃▃▁  (2024-W01..2024-W05, per week)" in rows["Deployment frequency"]
    assert "█  (2024-01..2024-01, per month)" in rows["Change failure rate"]
    assert "failed: v1.1.1 (fixed by v1.1.2 after 2.0 d)" in out


def test_sparkline_scales_and_leaves_gaps() -> None:
    assert sparkline([0, 1, 2, None, 4]) == f"{BARS[0]}{BARS[2]}{BARS[4]} {BARS[7]}"
    assert sparkline([0.0, 0.0]) == BARS[0] * 2 and sparkline([]) == ""


def test_prometheus_exposition(capsys: pytest.CaptureFixture[str], edge_repo: Path) -> None:
    code, out, _ = run(capsys, "metrics", str(edge_repo), *JANUARY, "--format", "prometheus")
    assert code == 0
    samples = {
        (s.name, s.labels.get("quantile")): s.value
        for family in text_string_to_metric_families(out)
        for s in family.samples
    }
    assert samples[("pipelinekit_deployments", None)] == 5
    assert samples[("pipelinekit_lead_time_seconds", "0.5")] == 35 * 3600
    assert samples[("pipelinekit_change_failure_ratio", None)] == pytest.approx(0.4)
    assert samples[("pipelinekit_last_deployment_timestamp_seconds", None)] == 1705881600


def test_html_goes_to_the_reports_folder_or_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, edge_repo: Path
) -> None:
    target = tmp_path / "page.html"
    code, out, err = run(
        capsys, "metrics", str(edge_repo), *JANUARY, "--format", "html", "-o", str(target)
    )
    page = target.read_text()
    assert code == 0 and out == "" and f"wrote {target}" in err
    assert (
        page.count("<svg") == 4 and page.count('class="bar"') == 5 + 1
    )  # weeks W01..W05, month 2024-01
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")
    code, _, err = run(
        capsys,
        "metrics",
        str(edge_repo),
        *JANUARY,
        "--format",
        "json",
        "-o",
        str(tmp_path / "m.json"),
    )
    assert code == 0 and json.loads((tmp_path / "m.json").read_text())["deployments"] == 5


def test_bad_dates_are_exit_2(capsys: pytest.CaptureFixture[str], edge_repo: Path) -> None:
    code, _, err = run(capsys, "metrics", str(edge_repo), "--since", "last tuesday")
    assert code == 2 and "--since 'last tuesday' is not a date" in err and "Traceback" not in err


def test_in_process_push_and_stage_error(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    edge_repo: Path,
    gateway: str,
) -> None:
    code, _, err = run(capsys, "metrics", str(edge_repo), *JANUARY, "--push", gateway)
    assert code == 0, err
    assert value(group(gateway, project="demo"), "pipelinekit_deployments") == 5
    project = tiny_project(
        tmp_path / "p", config='\n[tool.pipelinekit.lint]\npaths = ["missing"]\n'
    )
    monkeypatch.setenv("PIPELINEKIT_PUSHGATEWAY", gateway)
    monkeypatch.setenv("BRANCH_NAME", "develop")
    code, _, err = run(capsys, "stage", "lint", str(project))
    assert code == 2 and "missing" in err
    metrics = group(gateway, project="tiny", stage="lint", branch="develop")
    assert value(metrics, "pipelinekit_stage_status", status="error") == 1
    assert value(metrics, "pipelinekit_stage_success") == 0


def test_branch_from_git_when_no_ci_variable(tmp_path: Path, edge_repo: Path) -> None:
    from pipelinekit.metrics.stagepush import branch_name

    assert branch_name({}, edge_repo) == "main"
    assert branch_name({}, tmp_path) == "unknown"  # not a git repository
    assert branch_name({"TAG_NAME": "v2.0.0"}, edge_repo) == "v2.0.0"


def test_stage_push_paths_in_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, edge_repo: Path, gateway: str
) -> None:
    from pipelinekit.detect.repo import detect
    from pipelinekit.metrics.settings import MetricsConfig
    from pipelinekit.metrics.stagepush import branch_name, push_stage_run, stage_metrics
    from pipelinekit.project import load_project
    from pipelinekit.stages.base import StageContext
    from tests.support.pushgateway import free_port

    said: list[str] = []
    common = {"project": "p", "stage": "s", "status": "passed", "seconds": 1.0, "where": tmp_path}
    assert not push_stage_run(MetricsConfig(), env={}, warn=said.append, **common)  # type: ignore[arg-type]
    down = MetricsConfig(pushgateway=f"http://127.0.0.1:{free_port()}", push_timeout_seconds=2)
    assert not push_stage_run(down, env={}, warn=said.append, **common)  # type: ignore[arg-type]
    assert said and said[0].startswith("pipelinekit: warning: stage metrics not pushed")

    project = load_project(edge_repo)
    ctx = StageContext(
        project_dir=edge_repo, facts=detect(edge_repo), config=project.config,
        env={"PIPELINEKIT_PUSHGATEWAY": gateway, "BRANCH_NAME": "b"},
    )  # fmt: skip
    with stage_metrics(ctx, "nothing", warn=said.append):
        pass  # recorded no status: an error
    assert value(group(gateway, stage="nothing"), "pipelinekit_stage_status", status="error") == 1
    monkeypatch.setenv("PATH", str(tmp_path))  # no git at all
    assert branch_name({}, edge_repo) == "unknown"


def test_sentry_failure_outside_a_release_is_reported_as_is(edge_repo: Path) -> None:
    from pipelinekit.errors import ExternalError
    from pipelinekit.metrics.settings import SentryConfig
    from pipelinekit.release.sentrystep import announce_release
    from tests.support.pushgateway import free_port

    settings = SentryConfig(org="a", project="b", url=f"http://127.0.0.1:{free_port()}",
                            timeout_seconds=2)  # fmt: skip
    env = {"SENTRY_AUTH_TOKEN": "sntrys_token-for-the-test"}
    with pytest.raises(ExternalError) as raised:
        announce_release(edge_repo, "v{version}", "v1.0.0", settings, released_now=False, env=env)
    assert raised.value.message.startswith("Sentry at http://127.0.0.1")
