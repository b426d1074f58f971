"""The golden repositories of tests/envrepos, one per dependency source and lock kind, tested
the way a CI job tests them: `pipelinekit stage test` builds each one's own environment with
the real uv from the package index and runs the repository's own tests in it.

Each repository's tests assert what only a right environment gives (the locked release of
attrs, a package only its test source declares, pydantic 1 beside pipelinekit's pydantic 2,
its own Python), so a green run here means the environment was built right; the red ones must
be red for their own reason, in one paragraph, with the exit code the CLI contract gives.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.pythons import pyenv_python

ENVREPOS = Path(__file__).resolve().parents[1] / "envrepos"

GREEN: dict[str, str | None] = {
    "cov_xdist_addopts": None,
    "extras_uv_lock": None,
    "dependency_groups": None,
    "poetry_groups_lock": None,
    "pdm_dev_lock": None,
    "hatch_test_env": None,
    "requirements_subfolders": "no packaging metadata",
    "setup_py_tests_require": None,
    "tox_deps": None,
    "pipfile_lock": None,
    "conda_env": None,
    "pylock_toml": None,
    "hashed_requirements": None,
    "pydantic_v1": None,
    "py39_project": "3.9",
    "py313_project": "3.13",
    "placeholder_version": "placeholder",
    "src_no_metadata": "no packaging metadata",
    "setup_cfg_only": "setup.cfg alone cannot be built",
}
"""Repository -> what the output must also say (its Python, or why it is tested from source)."""

RED: dict[str, tuple[int, str]] = {
    "failing_tests": (1, "1 failed"),
    "unresolvable": (1, "cannot be resolved"),
    "stale_uv_lock": (2, "uv.lock no longer matches pyproject.toml"),
    "stale_poetry_lock": (2, "poetry.lock no longer matches what the project declares"),
    "conda_only_package": (2, "only on conda"),
}


def test_coverage_is_whole_under_the_repositorys_own_pytest_cov_and_xdist(tmp_path: Path) -> None:
    """`--cov` and `-n 2` in the repository's addopts: pytest-cov would replace pipelinekit's
    tracer and xdist would run the tests where it never looks (0% and 50% before)."""
    copy = tmp_path / "cov_xdist_addopts"
    shutil.copytree(ENVREPOS / "cov_xdist_addopts", copy)
    run = subprocess.run(
        [sys.executable, "-m", "pipelinekit", "stage", "coverage", str(copy)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "[passed] coverage: coverage: 100.0% of lines and branches" in run.stdout


NEEDS_PYTHON = {"py39_project": "3.9", "py313_project": "3.13"}


def stage_test(repo: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if repo in NEEDS_PYTHON:
        pyenv_python(NEEDS_PYTHON[repo])  # skip (or fail in CI) where that build is missing
    copy = tmp_path / repo
    shutil.copytree(ENVREPOS / repo, copy)
    return subprocess.run(
        [sys.executable, "-m", "pipelinekit", "stage", "test", str(copy)],
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.parametrize("repo", sorted(GREEN))
def test_green_repositories(repo: str, tmp_path: Path) -> None:
    run = stage_test(repo, tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "[passed] test: pytest:" in run.stdout and " failed" not in run.stdout.splitlines()[-2]
    assert "environment: installing" in run.stdout  # built for this repository, not borrowed
    said = GREEN[repo]
    if said is not None:
        assert said in output, output


@pytest.mark.parametrize("repo", sorted(RED))
def test_red_repositories(repo: str, tmp_path: Path) -> None:
    code, said = RED[repo]
    run = stage_test(repo, tmp_path)
    assert run.returncode == code, run.stdout + run.stderr
    assert said in run.stdout + run.stderr
    if code != 1 or repo == "unresolvable":
        error = run.stderr.strip().splitlines()
        assert len(error) == 1 and error[0].startswith("pipelinekit: error: ")  # one paragraph
        assert "Traceback" not in run.stderr


def test_every_golden_repository_is_tested() -> None:
    found = {p.name for p in ENVREPOS.iterdir() if p.is_dir() and p.name[0] not in "._"}
    assert found == set(GREEN) | set(RED)
