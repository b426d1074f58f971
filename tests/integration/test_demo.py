"""The README's first set-up command, run as a new user would: `scripts/demo.sh` installs
pipelinekit into a fresh venv (nothing else) and runs the example's pipeline on a fresh clone;
its tests pass in the environment `pipelinekit run` builds, with nothing preinstalled."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.tools import REPO_ROOT, build_leftovers

pytestmark = pytest.mark.slow


def user_env(home: Path) -> dict[str, str]:
    """A user's shell: a fresh home, and pip told about the machine's CA bundle (PIP_CERT) but
    nothing for uv, which pipelinekit then points at the same bundle."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHON": sys.executable}
    for name in ("PIP_CERT", "PIP_FIND_LINKS", "PIP_DEFAULT_TIMEOUT"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def test_demo_runs_the_example_pipeline_from_nothing(tmp_path: Path) -> None:
    work = tmp_path / "demo"
    before = build_leftovers()
    done = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "demo.sh"), str(work)],
        capture_output=True,
        text=True,
        timeout=900,
        env=user_env(tmp_path),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert build_leftovers() == before  # pipelinekit was built from a copy of the checkout
    installing = out.split("== installing pipelinekit[lint,package]")[1].split("== pipelinekit")[0]
    assert "fetching pydantic" in installing and "fetching ruff" in installing  # said, live
    assert "== pipelinekit run" in out
    assert "[test] environment: installing the project (editable" in out  # built, not borrowed
    assert "[test] [passed] coverage:" in out and "pytest: 11 passed" in out
    assert "generated files are up to date" in out
    venv_site = next((work / "venv" / "lib").glob("python3.*/site-packages"))
    assert not (venv_site / "numpy").exists()  # the example's numpy is not in pipelinekit's venv
