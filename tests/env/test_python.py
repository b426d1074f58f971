"""The project's Python: chosen from what the repository says, found on this machine."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from pipelinekit.detect.repo import detect
from pipelinekit.env.python import choose, find_interpreter, query
from tests.repo_factory import write_files
from tests.support.pythons import pyenv_python


@pytest.mark.parametrize(
    ("requirement", "pins", "classifiers", "chosen"),
    [
        (None, [], [], ("3.11", None)),
        ((">=3.8", "requires-python"), [], [], ("3.11", "requires-python")),
        ((">=3.12", "requires-python"), [], [], ("3.13", "requires-python")),
        # a concrete pin beats an open range (the pin is what the team runs)
        (
            (">=3.8", "requires-python"),
            [(".python-version", "==3.9.*")],
            [],
            ("3.9", ".python-version"),
        ),
        # ... but not one the range excludes
        (
            (">=3.10", "requires-python"),
            [(".python-version", "==3.9.*")],
            [],
            ("3.11", "requires-python"),
        ),
        # classifiers narrow an open range to what the project says it supports
        (
            (">=3.8", "requires-python"),
            [],
            ["Programming Language :: Python :: 3.8", "Programming Language :: Python :: 3.10"],
            ("3.10", "classifiers"),
        ),
        (
            None,
            [("environment.yml", "==3.9.*"), ("Pipfile", "==3.10.*")],
            [],
            ("3.9", "environment.yml"),
        ),
        # Python 2 and 3.6 classifiers are no environment this tool can build
        (None, [], ["Programming Language :: Python :: 3.6"], ("3.11", None)),
    ],
)
def test_choose(
    requirement: tuple[str, str] | None,
    pins: list[tuple[str, str]],
    classifiers: list[str],
    chosen: tuple[str, str | None],
) -> None:
    assert choose(requirement, pins, classifiers) == chosen


def test_python_version_file_beats_open_requires_python(tmp_path: Path) -> None:
    """Bug hunt finding: `.python-version` lost to an open `requires-python`."""
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.8"\n',
            ".python-version": "3.9.18\n",
            "x/__init__.py": "",
        },
    )
    facts = detect(tmp_path)
    assert (facts.python, facts.python_version, facts.python_from) == (
        ">=3.8",
        "3.9",
        ".python-version",
    )


def test_finds_a_pyenv_build_behind_shims(tmp_path: Path) -> None:
    """pyenv's shims answer for the selected version only; the real build is found anyway and
    the path given is the interpreter itself, not the shim."""
    python39 = pyenv_python("3.9")
    root = Path(python39).parents[2]
    fake_home = tmp_path / "home"
    (fake_home / ".pyenv").mkdir(parents=True)
    (fake_home / ".pyenv" / "versions").symlink_to(root)
    env = {"PATH": str(tmp_path / "empty"), "HOME": str(fake_home)}
    found = find_interpreter("3.9", env)
    assert found is not None
    assert found.version.startswith("3.9.") and os.path.realpath(found.path) == os.path.realpath(
        python39
    )
    assert find_interpreter("3.99", env) is None


def test_query_rejects_what_is_not_cpython(tmp_path: Path) -> None:
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\necho '3.9.1 pypy /x'\n")
    fake.chmod(0o755)
    assert query(str(fake)) is None
    assert query(str(tmp_path / "missing")) is None
    real = query(subprocess.check_output(["sh", "-c", "command -v python3"], text=True).strip())
    assert real is not None and real.version.count(".") == 2
