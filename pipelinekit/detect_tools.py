"""The repository's own lint and format tools: which formatter it uses and the versions it pins.

A verdict must not change with a tool's release, and a repository that pins ruff 0.4 in its
pre-commit config or lock is judged by ruff 0.4. Pins are read, most trusted first, from
`.pre-commit-config.yaml` (hook `rev`), the locks (uv, Poetry, PDM, pylock), then exact
`==` pins in its requirement lines and files. The formatter is the one the repository
configures or runs as a hook; a repository with neither gets no format check.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml

from pipelinekit.env.reqfile import normalize, read_requirement_file
from pipelinekit.env.sources import Discovery, table

Formatter = Literal["ruff", "black"]
TOOLS = ("ruff", "black")
PRE_COMMIT = ".pre-commit-config.yaml"
_HOOKS = {
    "ruff": "ruff",
    "ruff-check": "ruff",
    "ruff-format": "ruff",
    "black": "black",
    "black-jupyter": "black",
}
_EXACT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*===?\s*([0-9][^\s;,#]*)")


def _pre_commit(root: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load((root / PRE_COMMIT).read_text(encoding="utf-8", errors="replace"))
    except (OSError, yaml.YAMLError):
        return []
    repos = data.get("repos") if isinstance(data, dict) else None
    return [r for r in repos if isinstance(r, dict)] if isinstance(repos, list) else []


def _hook_ids(repo: Mapping[str, Any]) -> list[str]:
    hooks = repo.get("hooks")
    if not isinstance(hooks, list):
        return []
    return [str(h.get("id")) for h in hooks if isinstance(h, dict)]


def tool_pins(root: Path, files: frozenset[str], found: Discovery) -> dict[str, str]:
    """Tool -> the exact version the repository pins (ruff, black), first source winning."""
    pins: dict[str, str] = {}
    for repo in _pre_commit(root) if PRE_COMMIT in files else []:
        rev = str(repo.get("rev") or "").removeprefix("v")
        for hook in _hook_ids(repo):
            tool = _HOOKS.get(hook)
            if tool and re.fullmatch(r"\d+(\.\d+)+\S*", rev):
                pins.setdefault(tool, rev)
    for lock in found.locks:
        for name, version in _locked(root / lock.path, lock.kind):
            if name in TOOLS:
                pins.setdefault(name, version)
    for name, version in _requirement_pins(root, found):
        pins.setdefault(name, version)
    return dict(sorted(pins.items()))


def _locked(path: Path, kind: str) -> Iterable[tuple[str, str]]:
    if kind not in ("uv", "poetry", "pdm", "pylock"):
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    items = data.get("packages" if kind == "pylock" else "package")
    return [
        (normalize(item["name"]), str(item["version"]))
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("name"), str) and "version" in item
    ]


def _requirement_pins(root: Path, found: Discovery) -> Iterable[tuple[str, str]]:
    for source in found.sources:
        lines: list[str] = list(source.requirements)
        if source.kind == "requirements":
            parsed = read_requirement_file(root / source.path, root)
            lines += [line for line, _ in parsed.requirements]
        for line in lines:
            match = _EXACT.match(line)
            if match and normalize(match[1]) in TOOLS:
                yield normalize(match[1]), match[2]


def lints_notebooks(root: Path, files: frozenset[str], pyproject: Mapping[str, Any]) -> bool:
    """The repository lints its notebooks itself: its ruff config includes `*.ipynb`, or a
    pre-commit hook runs on them (nbQA, a ruff hook with `types_or: [jupyter]`)."""
    ruff: object = table(pyproject, "tool", "ruff")
    for name in ("ruff.toml", ".ruff.toml"):
        if name in files:
            with contextlib.suppress(OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                ruff = tomllib.loads((root / name).read_text(encoding="utf-8"))
    if isinstance(ruff, dict) and any(
        "ipynb" in str(ruff.get(key, "")) for key in ("include", "extend-include")
    ):
        return True
    for repo in _pre_commit(root) if PRE_COMMIT in files else []:
        hooks = repo.get("hooks")
        for hook in hooks if isinstance(hooks, list) else []:
            if not isinstance(hook, dict):
                continue
            hook_id = str(hook.get("id", ""))
            if hook_id.startswith("nbqa") or (
                hook_id.startswith("ruff") and "jupyter" in str(hook.get("types_or", ""))
            ):
                return True
    return "nbqa" in table(pyproject, "tool")


def formatter(root: Path, files: frozenset[str], pyproject: Mapping[str, Any]) -> Formatter | None:
    """The formatter the repository uses: configured (`[tool.ruff.format]`, a ruff.toml
    `[format]`, `[tool.black]`) or run as a pre-commit hook; None when it uses none."""
    hooks = {h for repo in _pre_commit(root) if PRE_COMMIT in files for h in _hook_ids(repo)}
    if "ruff-format" in hooks or "format" in table(pyproject, "tool", "ruff"):
        return "ruff"  # an empty [tool.ruff.format] says "we format with ruff" too
    for name in ("ruff.toml", ".ruff.toml"):
        if name in files:
            try:
                if "format" in tomllib.loads((root / name).read_text(encoding="utf-8")):
                    return "ruff"
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                pass
    if hooks & {"black", "black-jupyter"} or "black" in table(pyproject, "tool"):
        return "black"
    return None
