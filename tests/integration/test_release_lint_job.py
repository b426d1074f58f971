"""`require_conventional = true` renders a `release lint` job that runs in merge-request
pipelines only (hunt #13): gitlab-ci-local evaluates the generated rules, Groovy 2.4 records
the Jenkinsfile's `when { changeRequest() }`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.support import groovy
from tests.support.git import commit_all, init_repo
from tests.support.gitlab import list_jobs, validate_gitlab_ci

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("lintjob") / "churn-model"
    subprocess.run(["cp", "-r", str(EXAMPLE), str(repo)], check=True)
    with (repo / "pyproject.toml").open("a") as fh:
        fh.write("\n[tool.pipelinekit.release]\nrequire_conventional = true\n")
    init_repo(repo)  # release jobs are planned for git repositories only
    subprocess.run(
        [sys.executable, "-m", "pipelinekit", "init", str(repo), "--ci", "gitlab,jenkins"],
        check=True,
        capture_output=True,
    )
    commit_all(repo, "chore: pipelinekit")
    return repo


def test_gitlab_release_lint_runs_in_merge_request_pipelines_only(project: Path) -> None:
    assert validate_gitlab_ci((project / ".gitlab-ci.yml").read_text()) == []
    mr = {
        job["name"]: job
        for job in list_jobs(
            project,
            variables={
                "CI_PIPELINE_SOURCE": "merge_request_event",
                "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
            },
            unset=["CI_COMMIT_BRANCH"],
        )
    }
    assert mr["release-lint"]["when"] == "on_success"
    branch = {
        job["name"]: job for job in list_jobs(project, variables={"CI_COMMIT_BRANCH": "main"})
    }
    assert branch.get("release-lint", {"when": "never"})["when"] == "never"
    assert "lint" in branch and branch["lint"]["when"] == "on_success"


def test_jenkins_release_lint_stage_runs_for_change_requests(project: Path) -> None:
    tree = groovy.record_jenkinsfile(project / "Jenkinsfile")
    stage = groovy.stage(groovy.find_one(tree, "pipeline"), "release-lint")
    assert groovy.find_all(groovy.child(stage, "when"), "changeRequest")
    shells = [groovy.text(n["args"][0]) for n in groovy.find_all(stage, "sh")]
    assert shells[-1] == '"$PIPELINEKIT_VENV/bin/pipelinekit" release lint'
