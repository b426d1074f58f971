"""`pipelinekit doctor`: which external tools the stages use are present, with versions."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class ToolCheck:
    name: str
    purpose: str
    version: str | None


TOOLS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("python", (sys.executable, "--version"), "runs every stage"),
    ("git", ("git", "--version"), "history, release, gitlab-ci-local"),
    ("ruff", (sys.executable, "-m", "ruff", "--version"), "stage lint"),
    ("pytest", (sys.executable, "-m", "pytest", "--version"), "stage test"),
    ("coverage", (sys.executable, "-m", "coverage", "--version"), "stage coverage"),
    ("docker", ("docker", "--version"), "stage docker"),
    ("sonar-scanner", ("sonar-scanner", "--version"), "stage sonar"),
    ("hadolint", ("hadolint", "--version"), "Dockerfile lint"),
)
_VERSION = re.compile(r"\d+(?:\.\d+)+")


def tool_version(argv: tuple[str, ...], timeout: float = 10.0) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    match = _VERSION.search(proc.stdout + proc.stderr)
    return match.group() if match else None


def check_tools() -> list[ToolCheck]:
    return [ToolCheck(name, purpose, tool_version(argv)) for name, argv, purpose in TOOLS]
