"""Deployments from CI instead of tags (`metrics.source`), through the existing clients, on the
hand-computed history of conftest.edge_history.

GitLab: no server can run here, so `responses` replays the documented
`GET /projects/:id/deployments` list (as the register tests do). Jenkins: the loopback fake of
tests/register/fake_jenkins.py, serving a job's `allBuilds` as Jenkins' remote API does.

Deployments, by finish time (hours from each commit shipped to its deployment):
  #1 v1.0.0's commit c2, 01-03T02:00Z: c1 50, c2 18
  #2 c3 (v1.0.1), 01-05T00:00Z: c3 7 (v1.0.0's patch 46 h later: a failure)
  #3 c6, tagged by no release, 01-07T00:00Z: c6 12 (no version: never a failure)
  #4 the merge m7 (v1.1.0 and v1.1.1: the later tag names it), 01-08T00:00Z: c4 72, c5 48
  #5 c8 (v1.1.2), 01-22T12:00Z: c8 36 (14.5 days after #4: not a failure)
Sorted 7 12 18 36 48 50 72: median 36, p90 50 + 0.4 * 22 = 58.8; failure rate 1/5, restore 46.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses
from responses import matchers

from pipelinekit.metrics.report import parse_moment
from pipelinekit.util import http
from tests.metrics.conftest import edge_history
from tests.metrics.test_metrics_cli import run
from tests.metrics.test_prometheus import JANUARY
from tests.register.fake_jenkins import FakeJenkins

GITLAB = "https://gitlab.example.com"
JOB_XML = "<flow-definition><description/></flow-definition>"
MISSING = "0123456789abcdef" * 2 + "01234567"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("GITLAB_URL", "GITLAB_TOKEN", "JENKINS_URL", "JENKINS_USER", "JENKINS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(http, "BACKOFF_SECONDS", 0.0)
    path = edge_history().write(tmp_path / "repo")
    with (path / "pyproject.toml").open("a") as config:
        config.write(
            '[tool.pipelinekit.register.gitlab]\nurl = "https://gitlab.example.com"\n'
            'project = "ds/demo"\n[tool.pipelinekit.register.jenkins]\nurl = "http://unused"\n'
        )
    return path


def sha(repo: Path, subject: str) -> str:
    return subprocess.run(
        ["git", "log", "--all", "--format=%H", f"--grep=^{subject}$"],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stdout.split()[0]  # fmt: skip


def check_keys(data: dict[str, object], deployments: int, rate: float) -> None:
    assert data["deployments"] == deployments
    assert data["lead_time_hours"] == {"median": 36.0, "p90": 58.8, "commits": 7}
    assert data["change_failure_rate"] == rate
    assert data["time_to_restore_hours"] == {"median": 46.0}


@pytest.fixture
def gitlab(monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-metrics-canary-0123")
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


def test_gitlab_environment_deployments(
    repo: Path, gitlab: responses.RequestsMock, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [  # GitLab's order is by id; times as GitLab writes them, one with an offset
        {"id": 11, "iid": 1, "sha": sha(repo, "feat: a"), "status": "success",
         "created_at": "2024-01-03T01:00:00.000Z", "finished_at": "2024-01-03T02:00:00.000Z"},
        {"id": 12, "iid": 2, "sha": sha(repo, "fix: b"), "status": "success",
         "updated_at": "2024-01-05T01:00:00.000+01:00"},  # before finished_at existed
        {"id": 13, "iid": 3, "sha": MISSING, "status": "success",
         "finished_at": "2024-01-06T00:00:00.000Z"},  # a commit the clone lacks: dropped
        {"id": 15, "iid": 5, "sha": sha(repo, "fix: f"), "status": "success",
         "finished_at": "2024-01-22T12:00:00.000Z"},
        {"id": 14, "iid": 4, "sha": sha(repo, "Merge branch 'feature'"), "status": "success",
         "finished_at": "2024-01-08T00:00:00.000Z"},
        {"id": 16, "iid": 6, "sha": sha(repo, "docs: e"), "status": "success",
         "finished_at": "2024-01-07T00:00:00.000Z"},
    ]  # fmt: skip
    query = {"environment": "production", "status": "success", "order_by": "id", "sort": "asc"}
    gitlab.get(
        f"{GITLAB}/api/v4/projects/ds%2Fdemo/deployments",
        json=rows,
        match=[matchers.query_param_matcher(query, strict_match=False)],
    )
    code, out, err = run(capsys, "metrics", str(repo), "--source", "gitlab", *JANUARY,
                         "--format", "json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["source"] == "gitlab"
    check_keys(data, 5, 0.2)
    assert data["failures"] == [
        {"release": "production #1", "fixed_by": "production #2", "hours": 46.0}
    ]
    assert "glpat-metrics-canary" not in out + err


def test_gitlab_unreachable_is_exit_3(repo: Path, gitlab: responses.RequestsMock,
                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """`responses` refuses a request nobody registered: the connection error of a server
    that is down (read three times, then one clear line)."""
    code, out, err = run(capsys, "metrics", str(repo), "--source", "gitlab")
    assert code == 3 and out == ""
    assert f"Cannot reach GitLab at {GITLAB}" in err and "Traceback" not in err


@pytest.fixture
def jenkins(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJenkins]:
    server = FakeJenkins().start()
    monkeypatch.setenv("JENKINS_URL", server.url)
    monkeypatch.setenv("JENKINS_USER", "admin")
    monkeypatch.setenv("JENKINS_TOKEN", "admin-token-0123456789")
    yield server
    server.stop()


def build(number: int, result: str, revision: str | None, start: str, minutes: int) -> dict:
    actions: list[dict[str, object]] = [{"_class": "hudson.model.CauseAction"}]
    if revision:
        actions.append({"_class": "hudson.plugins.git.util.BuildData",
                        "lastBuiltRevision": {"SHA1": revision}})  # fmt: skip
    return {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun", "number": number,
            "result": result, "timestamp": parse_moment(start, "t") * 1000,
            "duration": minutes * 60_000, "actions": actions}  # fmt: skip


def test_jenkins_builds_of_the_release_job(
    repo: Path, jenkins: FakeJenkins, capsys: pytest.CaptureFixture[str]
) -> None:
    with (repo / "pyproject.toml").open("a") as config:
        config.write('[tool.pipelinekit.metrics]\nsource = "jenkins"\njenkins_job = "ds/release"\n')
    jenkins.put("ds", "<com.cloudbees.hudson.plugins.folder.Folder/>")
    jenkins.put("ds/release", JOB_XML)
    jenkins.state.builds["ds/release"] = [  # newest first, as Jenkins lists them
        build(8, "SUCCESS", None, "2024-01-23T00:00Z", 5),  # no git revision: not a deployment
        build(7, "SUCCESS", sha(repo, "fix: f"), "2024-01-22T11:00Z", 60),
        build(6, "SUCCESS", sha(repo, "Merge branch 'feature'"), "2024-01-07T23:30Z", 30),
        build(5, "SUCCESS", sha(repo, "docs: e"), "2024-01-06T23:00Z", 60),
        build(4, "ABORTED", sha(repo, "docs: e"), "2024-01-06T22:00Z", 60),
        build(3, "SUCCESS", sha(repo, "fix: b"), "2024-01-04T23:30Z", 30),
        build(2, "FAILURE", sha(repo, "fix: b"), "2024-01-04T20:00Z", 30),
        build(1, "SUCCESS", sha(repo, "feat: a"), "2024-01-03T01:00Z", 60),
    ]
    code, out, err = run(capsys, "metrics", str(repo), *JANUARY, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["source"] == "jenkins"
    check_keys(data, 5, 0.2)
    assert [f["release"] for f in data["failures"]] == ["ds/release #1"]
    assert any("job/ds/job/release/api/json?tree=allBuilds" in p for _, p, _ in jenkins.state.log)


def test_a_deployment_time_that_is_not_iso_names_the_server() -> None:
    from pipelinekit.errors import ExternalError
    from pipelinekit.metrics.cisource import _iso

    assert _iso("2024-01-05T01:00:00", GITLAB) == parse_moment("2024-01-05T01:00Z", "t")
    with pytest.raises(ExternalError, match=f"{GITLAB} gave a deployment time 'yesterday'"):
        _iso("yesterday", GITLAB)
