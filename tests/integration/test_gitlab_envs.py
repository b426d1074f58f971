"""The generated test job, run end to end by gitlab-ci-local on golden repositories of four
shapes: extras with a uv.lock, requirement files in sub-folders with no packaging metadata,
and Python 3.9 and 3.13 projects whose job image python3 is that version (pipelinekit itself
runs on 3.11 beside it).

The job bootstraps as on a real runner: the image's python3 fetches uv, uv makes pipelinekit's
own 3.11+ environment (found on PATH here; a real runner may download one), pipelinekit is
installed from this checkout's wheel, and `pipelinekit stage coverage` builds the project's
environment and runs its tests, which assert the locked versions, the test-only packages and
the interpreter they run on.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.integration.test_envrepos import ENVREPOS
from tests.support.generated import generated_repo
from tests.support.gitlab import job_log, run_gitlab_ci_local
from tests.support.pythons import pyenv_python

pytestmark = pytest.mark.slow

SHAPES = {
    "extras_uv_lock": "3.11",
    "requirements_subfolders": "3.11",
    "py39_project": "3.9",
    "py313_project": "3.13",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_generated_test_job_is_green_in_its_own_environment(
    shape: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, pipelinekit_wheel: Path
) -> None:
    python = SHAPES[shape]
    job_python = Path(pyenv_python(python)).parent
    tool_python = Path(pyenv_python("3.11")).parent
    # coverage stays on: its threshold is the golden repositories' own business, not this test's
    repo, _ = generated_repo(
        ENVREPOS / shape,
        tmp_path,
        pipelinekit_wheel,
        settings="[tool.pipelinekit.coverage]\nthreshold = 0\n",
    )
    caches = tmp_path_factory.getbasetemp() / "ci-caches"
    variables = {
        # the job image's python3 is the project's; pipelinekit's 3.11 is elsewhere on PATH
        "PATH": os.pathsep.join([str(job_python), str(tool_python), "/usr/bin", "/bin"]),
        "PIP_CACHE_DIR": str(caches / "pip"),
        "UV_CACHE_DIR": str(caches / "uv"),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    run = run_gitlab_ci_local(repo, variables=variables, jobs=["test"], timeout=900)
    log = job_log(repo, "test")
    assert run.returncode == 0, log or run.output
    assert f"environment: Python {python}." in log
    assert "[passed] coverage: coverage:" in log
    assert " passed" in log and " failed" not in log
    tool = (
        repo / ".gitlab-ci-local" / "builds" / "test" / ".pipelinekit" / "venv" / "bin" / "python"
    )
    version = subprocess.run([str(tool), "--version"], capture_output=True, text=True).stdout
    minor = int(version.split()[1].split(".")[1])
    assert minor >= 11, version  # pipelinekit's own: the image's python3 when it is 3.11+
