"""`pipelinekit env show|sync` through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.repo_factory import write_files


def pk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipelinekit", *args], capture_output=True, text=True, timeout=600
    )


def project(root: Path) -> Path:
    return write_files(
        root,
        {
            "pyproject.toml": """\
                [project]
                name = "shown"
                version = "1"
                requires-python = ">=3.8"
                [project.optional-dependencies]
                docs = ["sphinx"]
                [build-system]
                requires = ["setuptools>=61"]
                build-backend = "setuptools.build_meta"
                [tool.pipelinekit.coverage]
                enabled = false
                [tool.pipelinekit.test]
                framework = "unittest"
            """,
            "shown/__init__.py": "",
        },
    )


def test_show_tells_what_is_built_and_where(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    text = pk("env", "show", str(root))
    assert text.returncode == 0, text.stderr
    lines = dict(line.split(None, 1) for line in text.stdout.splitlines() if line[:1] != " ")
    assert lines["python"].startswith("3.11 (from requires-python)")
    assert lines["project"] == "installed, editable"
    assert "pyproject.toml extra 'docs' (other)" in text.stdout  # found, left out
    assert "not built yet" in lines["location"]
    data = json.loads(pk("env", "show", str(root), "--format", "json").stdout)
    assert data["python"] == "3.11" and data["built"] is False and len(data["key"]) == 64


def test_sync_builds_then_reuses(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    first = pk("env", "sync", str(root))
    assert first.returncode == 0, first.stderr
    python = Path(first.stdout.strip().splitlines()[-1])
    assert python.is_file() and ".pipelinekit/envs/" in str(python)
    again = json.loads(pk("env", "sync", str(root), "--format", "json").stdout)
    assert again["reused"] is True and again["python"] == str(python)
    assert "built" in pk("env", "show", str(root)).stdout.splitlines()[-1]


def test_bad_override_is_exit_2_in_one_paragraph(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    with (root / "pyproject.toml").open("a") as fh:
        fh.write('groups = ["nope"]\n')
    done = pk("env", "sync", str(root))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "groups: nope not found" in done.stderr
