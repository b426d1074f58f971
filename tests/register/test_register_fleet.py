"""Fleets: many repos in one run, one broken repo never stops the others."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import responses

from pipelinekit.register.fleet import read_fleet
from pipelinekit.register.run import register_jenkins
from tests.register.conftest import run_cli
from tests.register.fake_jenkins import FakeJenkins


def fleet_file(tmp_path: Path, body: str, name: str = "fleet.toml") -> Path:
    path = tmp_path / name
    path.write_text(body)
    return path


def test_fleet_registers_all_but_the_broken_repo(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    for i in range(6):
        make_repo(f"model-{i}")
    make_repo("broken", "[tool.pipelinekit.register.jenkins]\njob_name = 'bad/name'\n")
    body = "concurrency = 4\n" + "".join(
        f'[[repos]]\npath = "model-{i}"\njenkins = {{ folder = "team-{i % 2}" }}\n'
        for i in range(6)
    )
    body += '[[repos]]\npath = "broken"\n[[repos]]\npath = "missing"\n'
    out = run_cli("jenkins", "--fleet", str(fleet_file(tmp_path, body)))
    assert out.code == 1 and "2 of 8 repos failed (broken, missing)" in out.error
    assert (
        "broken   0        0        0          0      failed: Jenkins job name 'bad/name'"
        in out.output
    )
    assert "missing is not a directory" in out.output
    assert "8 repos: 6 ok, 2 failed." in out.output
    assert sorted(jenkins_env.state.items) == [
        "team-0",
        "team-0/model-0",
        "team-0/model-2",
        "team-0/model-4",
        "team-1",
        "team-1/model-1",
        "team-1/model-3",
        "team-1/model-5",
    ]
    assert jenkins_env.writes() == 8 and jenkins_env.reads() == 2
    jenkins_env.clear_log()
    again = run_cli("jenkins", "--fleet", str(fleet_file(tmp_path, body)), "--format", "json")
    data = json.loads(again.output)["plans"][0]
    assert data["counts"] == {"unchanged": 6} and jenkins_env.writes() == 0
    assert data["repos"]["broken"] == "failed" and data["repos"]["model-0"] == "ok"


def test_fleet_write_failure_fails_only_that_repo(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    for name in ("a", "b", "c"):
        make_repo(name)
    jenkins_env.fail("POST", r"createItem\?name=b$", 500)
    fleet = fleet_file(
        tmp_path, '[[repos]]\npath = "a"\n[[repos]]\npath = "b"\n[[repos]]\npath = "c"\n'
    )
    plans = register_jenkins(fleet=fleet)
    assert {r: plans[0].repo_status(r, False) for r in plans[0].repos} == {
        "a": "ok",
        "b": "failed",
        "c": "ok",
    }
    assert "HTTP 500" in plans[0].failures["b"]


def test_fleet_folder_failure_skips_its_jobs(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    make_repo("a")
    make_repo("b")
    jenkins_env.fail("POST", r"^/createItem\?name=t1$", 403)
    fleet = fleet_file(
        tmp_path, '[[repos]]\npath = "a"\njenkins = { folder = "t1" }\n[[repos]]\npath = "b"\n'
    )
    out = run_cli("jenkins", "--fleet", str(fleet))
    assert out.code == 1 and "folder t1 could not be created" in out.output
    assert sorted(jenkins_env.state.items) == ["b"]


def test_duplicate_job_names_fail_both(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    make_repo("x", where="one")
    make_repo("x", where="two")
    out = run_cli(
        "jenkins",
        "--fleet",
        str(fleet_file(tmp_path, '[[repos]]\npath = "one"\n[[repos]]\npath = "two"\n')),
    )
    assert (
        out.code == 1 and "job x is also wanted by two" in out.output and jenkins_env.writes() == 0
    )


def test_yaml_fleet_and_all_failing(jenkins_env: FakeJenkins, tmp_path: Path) -> None:
    fleet = fleet_file(tmp_path, "- path: nowhere\n", "fleet.yaml")
    out = run_cli("jenkins", "--fleet", str(fleet))
    assert out.code == 1 and "1 repos: 0 ok, 1 failed." in out.output


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("f.toml", "repos = []", "repos: List should have at least 1 item"),
        ("f.toml", "[[repos]]\npaht = 'x'", "repos.0.path: Field required"),
        ("f.toml", "repos = [", "is not valid toml"),
        ("f.yml", "repos: [", "is not valid yml"),
    ],
)
def test_bad_fleet_files_exit_2(tmp_path: Path, name: str, body: str, message: str) -> None:
    out = run_cli("jenkins", "--fleet", str(fleet_file(tmp_path, body, name)))
    assert out.code == 2 and message in out.error
    assert (
        "Cannot read fleet file" in run_cli("gitlab", "--fleet", str(tmp_path / "nope.toml")).error
    )


def test_gitlab_fleet_one_broken_repo(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_URL", "https://gitlab.example.com")
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-fleet-canary-1234")
    ci = (make_repo("good") / ".gitlab-ci.yml").read_text()
    (make_repo("bad") / ".gitlab-ci.yml").unlink()
    fleet = fleet_file(
        tmp_path,
        '[[repos]]\npath = "good"\ngitlab = { protect_tags = false }\n[[repos]]\npath = "bad"\n',
    )
    import base64

    with responses.RequestsMock() as rsps:
        rsps.get(
            "https://gitlab.example.com/api/v4/projects/ds%2Fgood",
            json={"id": 1, "default_branch": "main"},
        )
        rsps.get(
            "https://gitlab.example.com/api/v4/projects/1/repository/files/.gitlab-ci.yml",
            json={"content": base64.b64encode(ci.encode()).decode()},
        )
        out = run_cli("gitlab", "--fleet", str(fleet))
    assert out.code == 1 and "2 repos: 1 ok, 1 failed." in out.output
    assert "failed: bad: .gitlab-ci.yml does not exist" in out.output


def test_read_fleet_resolves_paths(tmp_path: Path) -> None:
    fleet, root = read_fleet(
        fleet_file(tmp_path, '[[repos]]\npath = "a"\njenkins = { folder = "x" }\n')
    )
    assert root == tmp_path and fleet.repos[0].jenkins == {"folder": "x"}
