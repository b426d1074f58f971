"""The project's Python: which X.Y the repository asks for, and where that interpreter is.

Choosing (from files alone): a concrete pin (`.python-version`, `runtime.txt`, Pipfile's
`python_version`, environment.yml's `python=`) wins when the stated range allows it; then the
highest version the trove classifiers list; then the range itself (DEFAULT_PYTHON when it
allows it, else the highest it allows). A config override beats all of them.

Finding: `pythonX.Y`, `python3` and `python` on PATH, then pyenv's builds, each asked for its
version (a pyenv shim on PATH answers for another version or fails, so a name is never
trusted). When none fits, the engine asks uv, which can use or download a managed CPython.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from pipelinekit.detect.facts import DEFAULT_PYTHON

OLDEST = (3, 8)
"""The oldest CPython a project environment can have (uv and current pytest need 3.8)."""
_FALLBACKS = ("3.13", "3.12", "3.10", "3.9", "3.8", "3.14", "3.7", "3.6")
"""After DEFAULT_PYTHON, the highest supported minor wins; 3.14/3.7/3.6 only when nothing in
3.8..3.13 fits."""
_CLASSIFIER = re.compile(r"Programming Language :: Python :: (\d+)\.(\d+)\s*$")
_QUERY = (
    "import sys; print('%d.%d.%d' % sys.version_info[:3], sys.implementation.name, sys.executable)"
)
QUERY_TIMEOUT_S = 15


def pinned_python(path: Path, pattern: str) -> str | None:
    """A pinned interpreter (.python-version `3.10.4`, runtime.txt `python-3.9.7`) as `==X.Y.*`:
    the pin names a patch release, but any patch of that minor serves CI images."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(rf"^\s*{pattern}", text, re.MULTILINE)
    return f"=={match[1]}.{match[2]}.*" if match else None


def _alternatives(spec: str) -> list[SpecifierSet] | None:
    try:
        return [SpecifierSet(alt.strip()) for alt in spec.split("||")]
    except InvalidSpecifier:
        return None


def allows(spec: str | None, minor: str) -> bool:
    """Whether some patch release of `minor` (X.Y) satisfies `spec` (None allows anything)."""
    if not spec:
        return True
    alternatives = _alternatives(spec)
    if alternatives is None:
        return True
    bounds = [s.version for alt in alternatives for s in alt]
    patches = {"0", "99"} | {
        m[1] for b in bounds if (m := re.match(rf"{re.escape(minor)}\.(\d+)", b))
    }
    return any(alt.contains(f"{minor}.{p}") for alt in alternatives for p in patches)


def python_version(spec: str | None) -> str:
    """A concrete X.Y satisfying `spec`: DEFAULT_PYTHON if allowed, else the highest allowed.

    A minor counts as allowed when any of its patch releases satisfies the spec, so `>=3.10.2`
    allows 3.10 and `==3.9.7` allows 3.9.
    """
    if not spec or _alternatives(spec) is None:
        return DEFAULT_PYTHON
    return next((m for m in (DEFAULT_PYTHON, *_FALLBACKS) if allows(spec, m)), DEFAULT_PYTHON)


def classifier_versions(classifiers: Iterable[str]) -> list[str]:
    """X.Y versions named by `Programming Language :: Python :: X.Y` classifiers."""
    found = {(int(m[1]), int(m[2])) for c in classifiers if (m := _CLASSIFIER.search(c))}
    return [f"{major}.{minor}" for major, minor in sorted(found)]


def choose(
    requirement: tuple[str, str] | None,
    pins: Iterable[tuple[str, str]],
    classifiers: Iterable[str],
) -> tuple[str, str | None]:
    """(X.Y, what chose it) from the stated range `(spec, where)`, pins `(where, spec)` in
    order of trust, and trove classifiers."""
    spec = requirement[0] if requirement else None
    for where, pin in pins:
        minor = python_version(pin)
        if allows(pin, minor) and allows(spec, minor):
            return minor, where
    listed = [v for v in classifier_versions(classifiers) if allows(spec, v) and _supported(v)]
    if listed:
        return listed[-1], "classifiers"
    if requirement:
        return python_version(spec), requirement[1]
    return DEFAULT_PYTHON, None


def _supported(minor: str) -> bool:
    major, _, rest = minor.partition(".")
    return (int(major), int(rest)) >= OLDEST


# -- finding an interpreter ---------------------------------------------------------------------


@dataclass(frozen=True)
class Interpreter:
    path: str
    version: str
    """X.Y.Z of the interpreter itself."""


def find_interpreter(minor: str, environ: Mapping[str, str] | None = None) -> Interpreter | None:
    """A CPython X.Y on this machine (PATH first, then pyenv's builds), or None."""
    env = os.environ if environ is None else environ
    seen: set[str] = set()
    for candidate in _candidates(minor, env):
        real = os.path.realpath(candidate)
        if real in seen:
            continue
        seen.add(real)
        found = query(candidate)
        if found and found.version.startswith(f"{minor}."):
            return found
    return None


def _candidates(minor: str, env: Mapping[str, str]) -> Iterator[str]:
    for folder in env.get("PATH", "").split(os.pathsep):
        for name in (f"python{minor}", "python3", "python"):
            path = os.path.join(folder or ".", name)
            if os.access(path, os.X_OK) and not os.path.isdir(path):
                yield path
    roots = [env.get("PYENV_ROOT", ""), os.path.join(env.get("HOME", "~"), ".pyenv")]
    for root in dict.fromkeys(r for r in roots if r):
        versions = Path(os.path.expanduser(root)) / "versions"
        builds = sorted(versions.glob(f"{minor}.*"), key=_patch, reverse=True)
        for build in builds:
            binary = build / "bin" / f"python{minor}"
            if binary.is_file():
                yield str(binary)


def _patch(path: Path) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in path.name.split("."))


def query(python: str) -> Interpreter | None:
    """The CPython interpreter `python` runs (a pyenv shim resolves to the real one it picks
    now), None when it is not CPython or does not run."""
    try:
        proc = subprocess.run(
            [python, "-c", _QUERY],
            capture_output=True,
            text=True,
            timeout=QUERY_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = proc.stdout.strip().split(" ", 2)
    if proc.returncode != 0 or len(parts) != 3 or parts[1] != "cpython":
        return None
    return Interpreter(parts[2] or python, parts[0])
