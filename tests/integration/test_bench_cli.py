"""benchmarks/bench_cli.py on a machine without a dev install: it measures pipelinekit from
its own clean venv (benchmarks/benchvenv.py), so an interpreter with nothing installed runs it
(it used to run `python -m pipelinekit` and fail with `No module named 'tomlkit'`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.tools import REPO_ROOT, build_leftovers

pytestmark = pytest.mark.slow


def test_bench_cli_runs_from_a_bare_interpreter(tmp_path: Path) -> None:
    before = build_leftovers()
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", str(bare)], check=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home")}
    for name in ("PIP_CERT", "PIP_FIND_LINKS", "PIP_DEFAULT_TIMEOUT", "PIP_INDEX_URL"):
        if name in os.environ:
            env[name] = os.environ[name]
    done = subprocess.run(
        [
            str(bare / "bin" / "python"),
            str(REPO_ROOT / "benchmarks" / "bench_cli.py"),
            "--runs",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "pipelinekit --help" in done.stdout and "ratio" in done.stdout
    assert "init example (detect, config, render, write)" in done.stdout
    assert build_leftovers() == before  # pipelinekit was built from a copy of the checkout
