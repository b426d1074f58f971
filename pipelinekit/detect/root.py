"""Where the project is: the folder with packaging metadata (or notebooks/scripts with a
dependency file) at or below the given path, and the other projects of a monorepo.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipelinekit.detect.testsuite import TEST_FILE
from pipelinekit.detect.tree import (
    ENV_MARKERS,
    METADATA_FILES,
    NOT_PACKAGES,
    dir_entries,
    is_module_file,
    is_package_name,
    is_pruned,
)
from pipelinekit.errors import DetectError


def _signal(folder: Path) -> int:
    """How surely `folder` is a Python project: 2 metadata, 1 an import package, 0 neither."""
    entries = dir_entries(folder)
    if any(
        entries.get(name) is False and _declares_project(folder / name) for name in METADATA_FILES
    ):
        return 2
    for name, is_dir in entries.items():
        if is_dir and is_package_name(name) and (folder / name / "__init__.py").is_file():
            return 1
    modules = any(is_module_file(n) for n, is_dir in entries.items() if not is_dir)
    tested = any(entries.get(n) for n in ("tests", "test")) or any(
        TEST_FILE.search(n) for n in entries
    )
    if modules and (tested or any("requirements" in n for n in entries)):
        return 1  # top-level modules with their tests or requirements: a project of modules
    if _declares_dependencies(entries) and (
        any(n.endswith(".ipynb") for n in entries)
        or any(entries.get(d) for d in ("notebooks", "scripts", "analysis"))
    ):
        return 1  # notebooks or scripts with the dependencies they run with: a data-science repo
    if entries.get("src"):
        for name, is_dir in dir_entries(folder / "src").items():
            if (
                is_dir
                and name.isidentifier()
                and any(n.endswith(".py") for n in dir_entries(folder / "src" / name))
            ):
                return 1
    return 0


def _declares_dependencies(entries: dict[str, bool]) -> bool:
    return any(n in _DEPENDENCY_FILES or n.startswith("requirements") for n in entries)


def _holds_modules(folder: Path) -> bool:
    return any(is_module_file(n) for n, is_dir in dir_entries(folder).items() if not is_dir)


_PROJECT_TABLE = re.compile(
    r"^\s*\[\s*(project|build-system|tool\.poetry|metadata|options)\s*\]", re.M
)


def _declares_project(path: Path) -> bool:
    """A setup.py, or a pyproject.toml / setup.cfg with project metadata: one holding only tool
    settings (a uv workspace root with `[tool.uv.workspace]` and `[tool.ruff]`, a setup.cfg
    with only `[flake8]`) is not the project."""
    if path.name == "setup.py":
        return True
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True  # unreadable: let reading it report the problem
    return bool(_PROJECT_TABLE.search(text))


_DEPENDENCY_FILES = frozenset({"environment.yml", "environment.yaml", "Pipfile", "conda.yml"})


def _subfolders(folder: Path) -> list[Path]:
    """Folders that may hold a nested project: not pruned, not a package, not an environment."""
    found = []
    for name, is_dir in sorted(dir_entries(folder).items()):
        if is_dir and not is_pruned(name) and name not in NOT_PACKAGES:
            inner = dir_entries(folder / name)
            if "__init__.py" not in inner and not ENV_MARKERS & inner.keys():
                found.append(folder / name)
    return found


def find_root(path: Path) -> tuple[Path, tuple[str, ...]]:
    """`path` itself when it is a project, else the best project one or two levels below it,
    and the other projects found as surely (a monorepo's), which init names.

    Several candidates are ranked: metadata over a bare package, one with tests first, then the
    shallower, then by name, so the choice is deterministic and never an ambiguity error.
    """
    if _signal(path):
        return path, ()
    ranked: list[tuple[int, bool, int, str, Path]] = []
    for child in _subfolders(path):
        for candidate in [child] if _signal(child) else _subfolders(child):
            signal = _signal(candidate)
            if signal:
                inner = dir_entries(candidate)
                has_tests = bool({"tests", "test"} & {n for n, d in inner.items() if d}) or any(
                    TEST_FILE.search(n) for n in inner
                )
                depth = len(candidate.relative_to(path).parts)
                ranked.append((-signal, not has_tests, depth, candidate.name, candidate))
    if ranked:
        chosen = min(ranked)
        others = [c[-1] for c in sorted(ranked) if c[0] == chosen[0] and c is not chosen]
        return chosen[-1], tuple(other.relative_to(path).as_posix() for other in others)
    entries = dir_entries(path)
    if any(is_module_file(name) for name, is_dir in entries.items() if not is_dir):
        return path, ()
    if _declares_dependencies(entries) and any(
        is_dir and not is_pruned(name) and _holds_modules(path / name)
        for name, is_dir in entries.items()
    ):
        # Modules in a folder of any name (app/, pipeline/, jobs/) beside the dependencies they
        # run with, and no surer project below: a data-science repository.
        return path, ()
    raise DetectError(
        f"No Python project found in {path}. pipelinekit looks for a pyproject.toml, setup.py or "
        "setup.cfg, an import package (a folder with __init__.py, or any package under src/) or "
        "top-level .py modules, in that folder or one or two levels below it (skipping "
        "virtualenvs, node_modules, build and dist). Point pipelinekit at your project's folder, "
        "or add a pyproject.toml with a [project] table."
    )
