"""Other CPython versions for tests: pyenv's builds on this kind of machine.

A test that needs a version calls `pyenv_python("3.9")`: it is skipped with the reason where
the build is missing (a developer's laptop) and fails when CI=true (the CI machine has them).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.tools import in_ci


def pyenv_root() -> Path:
    try:
        out = subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return Path(out.stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        pass
    return Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))


def pyenv_python(minor: str) -> str:
    """The newest pyenv build of CPython `minor` (X.Y), as its real binary (not a shim)."""
    builds = sorted(
        (pyenv_root() / "versions").glob(f"{minor}.*"),
        key=lambda p: tuple(int(x) if x.isdigit() else -1 for x in p.name.split(".")),
    )
    for build in reversed(builds):
        binary = build / "bin" / f"python{minor}"
        if binary.is_file():
            return str(binary)
    message = f"no CPython {minor} build under {pyenv_root() / 'versions'}"
    if in_ci():
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(message)
