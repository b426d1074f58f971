"""A real dockerd + loopback registry for the session (tests/support/dockerd.py), stand-in base
images under the real names, and copies of the example repository to build."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelinekit.docker import cuda
from pipelinekit.project import load_project
from pipelinekit.stages.base import StageContext
from tests.conftest import EXAMPLE
from tests.support import dockerd, tools

CPU_BASE = "python:3.11-slim"
GPU_BASE = cuda.cuda_image("12.5.1")
CANARY = "canary-Pa55w0rd-7f3e9b"


@pytest.fixture(scope="session")
def docker_env() -> Iterator[dockerd.DockerEnv]:
    if os.geteuid() != 0:
        message = "the docker tests start their own dockerd and need root"
        if tools.in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with dockerd.docker_env() as env:
        dockerd.stand_in_image(env, CPU_BASE, GPU_BASE, push=False)  # FROM resolves locally
        yield env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the example repo, with its reports folder and a pinned creation time."""
    target = tmp_path / "churn-model"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".pipelinekit", "*.egg-info"))
    return target


def configure(project: Path, settings: str) -> None:
    """Append a [tool.pipelinekit.docker] table to the project's pyproject.toml."""
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.pipelinekit.docker]\n" + settings + "\n")


def context(project: Path, env: dict[str, str]) -> StageContext:
    loaded = load_project(project)
    return StageContext(loaded.project_dir, loaded.facts, loaded.config, env=env)


def stage_env(docker: dockerd.DockerEnv, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "PIPELINEKIT_", "CI_"))
    }
    env.update({"DOCKER_HOST": docker.base_url, "SOURCE_DATE_EPOCH": "1700000000"})
    env.update(extra)
    return env
