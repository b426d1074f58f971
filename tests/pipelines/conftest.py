"""Fixtures for the shared Jenkins library and the GitLab component: real plans of the
example project (what the library reads at run time) and a wheel of this checkout (what the
GitLab jobs install)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, REPO_ROOT
from tests.support.git import init_repo

JENKINS_LIBRARY = REPO_ROOT / "pipelines" / "jenkins"
GITLAB_DIR = REPO_ROOT / "pipelines" / "gitlab"


def pipelinekit(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pipelinekit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def copy_example(target: Path, extra_config: str = "") -> Path:
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".pipelinekit", "*.egg-info"))
    if extra_config:
        with (target / "pyproject.toml").open("a") as fh:
            fh.write(extra_config)
    return target


@pytest.fixture(scope="session")
def example_plan_json(tmp_path_factory: pytest.TempPathFactory) -> str:
    """`pipelinekit plan --format json` of a copy of the example after `pipelinekit init`."""
    repo = copy_example(tmp_path_factory.mktemp("plan") / "churn-model")
    pipelinekit("init", ".", cwd=repo)
    return pipelinekit("plan", "--format", "json", cwd=repo)


@pytest.fixture(scope="session")
def rich_plan_json(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The example as a git repository with Sonar on: adds a credential (sonar), a tag-only
    job (release-verify) and a manual default-branch job (release) to the plan."""
    config = '\n[tool.pipelinekit.sonar]\nenabled = true\nhost_url = "https://sonar.example.com"\n'
    repo = copy_example(tmp_path_factory.mktemp("rich") / "churn-model", config)
    pipelinekit("init", ".", cwd=repo)
    init_repo(repo)
    return pipelinekit("plan", "--format", "json", cwd=repo)


def load(plan_json: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(plan_json)
    return data
