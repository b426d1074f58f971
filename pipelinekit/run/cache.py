"""The local runner's cache: a job whose inputs did not change since it last passed is skipped.

A job's key hashes what can change its result: the command it runs, pipelinekit's version, the
effective config, the versions of the tools it calls, and the content of the project's files.
File contents are hashed once and remembered by (size, mtime, inode), so an unchanged tree
costs a `stat` per file, not a read.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from pipelinekit import __version__
from pipelinekit.util.fs import atomic_write

CACHE_FILE = ".pipelinekit/cache/run.json"
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".pipelinekit",
        ".venv",
        "venv",
        "env",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        "build",
        "dist",
        ".cache",
        "node_modules",
        ".gitlab-ci-local",
        ".scannerwork",
    }
)
SKIP_SUFFIXES = (".pyc", ".pyo", ".egg-info", ".coverage")
TOOLS = ("ruff", "pytest", "coverage", "build", "twine", "numpy")


def _files(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name in SKIP_DIRS or entry.name.endswith(SKIP_SUFFIXES):
                continue
            if entry.is_dir(follow_symlinks=False):
                if not (Path(entry.path) / "pyvenv.cfg").exists():
                    stack.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                yield os.path.relpath(entry.path, root), entry.stat(follow_symlinks=False)


def tool_versions() -> dict[str, str]:
    """Versions of the tools stages call, from package metadata (no subprocess)."""
    versions = {"python": sys.version.split()[0], "pipelinekit": __version__}
    for name in TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    return versions


class RunCache:
    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.path = project_dir / CACHE_FILE
        self.data: dict[str, Any] = self._load()
        self.tools = tool_versions()  # once per run, not once per job

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"files": {}, "jobs": {}}
        return data if isinstance(data, dict) and "jobs" in data else {"files": {}, "jobs": {}}

    def tree_digest(self) -> str:
        """A hash of every project file's path and content (contents memoised by stat)."""
        known: dict[str, list[Any]] = self.data.get("files", {})
        fresh: dict[str, list[Any]] = {}
        outer = hashlib.sha256()
        for rel, st in sorted(_files(self.project_dir)):
            stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
            previous = known.get(rel)
            if previous and previous[:3] == stamp:
                digest = previous[3]
            else:
                digest = _file_digest(self.project_dir / rel)
            fresh[rel] = [*stamp, digest]
            outer.update(f"{rel}\0{digest}\n".encode())
        self.data["files"] = fresh
        return outer.hexdigest()

    def key(self, job: str, command: tuple[str, ...], tree: str, config: dict[str, Any]) -> str:
        payload = json.dumps(
            {
                "job": job,
                "command": command,
                "tree": tree,
                "config": config,
                "tools": self.tools,
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def hit(self, job: str, key: str) -> dict[str, Any] | None:
        """The recorded result of a passed run with this key, if its reports still exist."""
        entry = self.data["jobs"].get(job)
        if not entry or entry.get("key") != key:
            return None
        if not all((self.project_dir / p).exists() for p in entry.get("reports", [])):
            return None
        result: dict[str, Any] = entry
        return result

    def record(self, job: str, key: str, summary: str, reports: list[str]) -> None:
        self.data["jobs"][job] = {"key": key, "summary": summary, "reports": reports}

    def forget(self, job: str) -> None:
        self.data["jobs"].pop(job, None)

    def save(self) -> None:
        atomic_write(self.path, json.dumps(self.data, sort_keys=True))


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return "unreadable"
    return digest.hexdigest()
