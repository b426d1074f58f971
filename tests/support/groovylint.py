"""npm-groovy-lint 16.2.0 (CodeNarc) on Jenkinsfiles and Groovy files.

Each call starts a JVM and takes 5-10 s: lint every file a test needs in ONE call (several
paths, or a directory, which is searched for *.groovy and Jenkinsfile).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.support import tools

DEFAULT_CONFIG = "recommended-jenkinsfile"


def npm_groovy_lint(
    *paths: Path | str,
    config: str = DEFAULT_CONFIG,
    failon: str = "error",
    extra_args: tuple[str, ...] = (),
    timeout: float = 300.0,
) -> tuple[int, str]:
    """(exit code, output): 0 unless a finding at `failon` level or above (or a crash).

    `--noserver` matters: without it npm-groovy-lint leaves a CodeNarc JVM server running.
    """
    if not paths:
        raise ValueError("npm_groovy_lint needs at least one path")
    exe = tools.require("java17", "npm-groovy-lint")
    env = tools.java_env()
    env["FORCE_COLOR"] = "0"  # plain text for asserts
    cmd = [
        str(exe),
        "--noserver",
        "--config",
        config,
        "--failon",
        failon,
        *extra_args,
        *(os.fspath(Path(p).resolve()) for p in paths),
    ]
    proc = subprocess.run(
        cmd,
        cwd=Path(os.fspath(paths[0])).resolve().parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    return proc.returncode, proc.stdout


def npm_groovy_lint_findings(
    *paths: Path | str, config: str = DEFAULT_CONFIG, timeout: float = 300.0
) -> dict[Path, list[dict[str, Any]]]:
    """Findings per linted file from one run (`--output json`): dicts with rule, severity
    ("error", "warning", "info"), line and msg. Files without findings map to []."""
    returncode, output = npm_groovy_lint(
        *paths, config=config, failon="none", extra_args=("--output", "json"), timeout=timeout
    )
    start = output.find("{")
    try:
        report: dict[str, Any] = json.JSONDecoder().raw_decode(output[start:])[0]
    except (ValueError, IndexError):
        raise AssertionError(
            f"npm-groovy-lint gave no JSON (exit {returncode}):\n{output}"
        ) from None
    findings: dict[Path, list[dict[str, Any]]] = {
        Path(p).resolve(): [] for p in paths if Path(p).is_file()
    }
    for name, entry in report.get("files", {}).items():
        findings[Path(name).resolve()] = list(entry.get("errors", []))
    return findings
