"""The Dockerfile templates ship in the wheel CI jobs install (package data)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipelinekit.docker.render import TEMPLATE_NAMES
from tests.support.tools import REPO_ROOT

pytestmark = pytest.mark.slow


def test_wheel_contains_every_template(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("pipelinekit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in TEMPLATE_NAMES if f"pipelinekit/docker/templates/{n}" not in names]
    assert not missing, (
        f"templates missing from the wheel: {missing}; pyproject.toml needs "
        '[tool.setuptools.package-data] "pipelinekit.docker" = ["templates/*.j2"]'
    )
