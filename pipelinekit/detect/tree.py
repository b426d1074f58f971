"""The repository as detection reads it: one pruned os.scandir walk (virtualenvs, caches and
build output skipped before descending), its parsed metadata files, and small path helpers
shared by every detector.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

NOT_PACKAGES = frozenset(
    {"test", "tests", "doc", "docs", "example", "examples", "script", "scripts"}
    | {"notebook", "notebooks", "benchmark", "benchmarks"}
)
"""Top-level folders that are never the project's import packages, even with an __init__.py."""
SKIP_DIRS = frozenset({"venv", "node_modules", "build", "dist", "site-packages", "__pycache__"})
"""Never descended into, anywhere; dot-folders (.git, .venv, .tox, .ipynb_checkpoints, caches),
*.egg-info and any folder holding a pyvenv.cfg or conda-meta (a virtualenv or conda env, whatever
its name) are pruned too."""
METADATA_FILES = ("pyproject.toml", "setup.py", "setup.cfg")

ENV_MARKERS = frozenset({"pyvenv.cfg", "conda-meta"})
_NOT_MODULES = re.compile(
    r"setup|conftest|tests?|examples?|build|toxfile|noxfile|pavement|dodo|tasks|fabfile"
    r"|conanfile|manage|benchmarks?|exercises?|versioneer|test_.*|.*_test|[._].*"
)
"""Top-level .py files that are tooling, not py-modules (setuptools' flat-layout exclusions)."""

VersionSource = Literal["static", "dynamic", "git", "none"]
Located = list[tuple[str, str]]
"""(import name, folder holding it) pairs."""


@dataclass(frozen=True)
class Tree:
    """The project folder as sorted POSIX paths relative to it (pruned dirs left out)."""

    files: tuple[str, ...]
    file_set: frozenset[str]
    dirs: frozenset[str]


@dataclass(frozen=True)
class Find:
    """setuptools package discovery: `find_packages` / `packages.find` arguments."""

    where: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    namespace: bool = False


@dataclass(frozen=True)
class Repo:
    """Everything read from the project folder once, shared by the field detectors."""

    root: Path
    tree: Tree
    pyproject: dict[str, Any]
    setup_cfg: configparser.RawConfigParser | None
    setup_py: dict[str, object] | None
    tox_ini: configparser.RawConfigParser | None
    pytest_ini: configparser.RawConfigParser | None


# -- finding the project and walking it ---------------------------------------------------------


def is_pruned(name: str) -> bool:
    return name in SKIP_DIRS or name.startswith(".") or name.endswith(".egg-info")


def is_package_name(name: str) -> bool:
    return name.isidentifier() and name not in NOT_PACKAGES


def is_module_file(name: str) -> bool:
    stem = name.removesuffix(".py")
    return name.endswith(".py") and stem.isidentifier() and not _NOT_MODULES.fullmatch(stem)


def dir_entries(folder: Path) -> dict[str, bool]:
    """Name -> is-a-folder for the entries of `folder` ({} when unreadable)."""
    try:
        with os.scandir(folder) as it:
            return {e.name: e.is_dir(follow_symlinks=False) for e in it}
    except OSError:
        return {}


def project_files(base: Path) -> tuple[str, ...]:
    """Every file under `base` (POSIX, relative, sorted), pruned as detection prunes:
    virtualenvs, caches, build output and dot-folders are not the project's files."""
    return walk_tree(base).files


def walk_tree(base: Path) -> Tree:
    files: list[str] = []
    dirs: set[str] = set()
    stack = [("", str(base))]
    while stack:
        rel, folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        if rel and any(e.name in ENV_MARKERS for e in entries):
            continue  # a virtualenv or conda environment, whatever it is called
        if rel:
            dirs.add(rel)
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir(follow_symlinks=False):
                if not is_pruned(entry.name):
                    stack.append((child, entry.path))
            elif _is_file(entry):
                files.append(child)
    files.sort()
    return Tree(tuple(files), frozenset(files), frozenset(dirs))


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A file, or a link to one; a link loop or a dangling link is neither."""
    try:
        return entry.is_file()
    except OSError:
        return False


def files_under(tree: Tree, folders: list[str]) -> list[str]:
    return [
        f for f in tree.files if f.endswith(".py") and any(f.startswith(f"{d}/") for d in folders)
    ]


def join_path(folder: str, name: str) -> str:
    return name if folder == "." else f"{folder}/{name}"


def folder_of(value: object) -> str:
    """A folder setting ('src/', './lib', '') as a clean relative POSIX path, '.' for the root."""
    text = value.strip().strip("/") if isinstance(value, str) else ""
    text = text.removeprefix("./")
    return text or "."


# -- reading metadata ---------------------------------------------------------------------------


def cfg_value(repo: Repo, section: str, key: str) -> str | None:
    if repo.setup_cfg is None:
        return None
    value = repo.setup_cfg.get(section, key, fallback=None)
    return value.strip() if value and value.strip() else None


def cfg_list(value: str | None) -> list[str]:
    return [item for item in re.split(r"[\s,]+", value or "") if item]
