"""What the checks read: the audited folder's files (git's view when it is a repository),
their text and parsed Python, computed once and shared by checks running in parallel, and the
detection facts (`ProjectFacts`) instead of detecting again.

Paths are POSIX and relative to the audited folder (the repository root): the reports' paths.
Facts are relative to the project's own folder (`facts.root`); `in_project` maps them.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import posixpath
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pipelinekit.audit.settings import AuditConfig
from pipelinekit.config.models import Config
from pipelinekit.detect.facts import ProjectFacts

T = TypeVar("T")

MAX_TEXT_BYTES = 2 * 1024 * 1024
"""Files above this are not read as text (data dumps, minified bundles): no check is about
what lies inside a 2 MiB blob, and reading one would cost every check time."""

NOT_PROJECT = frozenset(
    {".pipelinekit", ".cache", "_vendor", "_vendored", "vendored", "third_party", "node_modules"}
)
"""Folders that are not the project's own code (pipelinekit's and CI's own, vendored code),
as the lint stage treats them."""


@dataclass
class AuditRepo:
    root: Path
    """The audited folder (absolute)."""
    facts: ProjectFacts
    config: Config
    files: tuple[str, ...]
    """Every file of the repository: tracked and untracked-but-not-ignored when it is a git
    work tree, else every file outside virtualenvs, caches and build output; never a
    symbolic link."""
    is_git: bool
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def settings(self) -> AuditConfig:
        return self.config.audit

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per key, however many checks ask at the same time (one ruff run
        serves the bugbear, bandit and performance checks)."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._cache:
                self._cache[key] = compute()
            value: T = self._cache[key]
            return value

    def in_project(self, path: str) -> str:
        """A facts path (relative to the project's folder) as a repository path."""
        prefix = self.facts.root
        return path if prefix in ("", ".") else posixpath.normpath(f"{prefix}/{path}")

    @property
    def project_dir(self) -> Path:
        return (self.root / self.facts.root).resolve()

    def own(self, path: str) -> bool:
        """Not vendored, not pipelinekit's or a cache's."""
        return not NOT_PROJECT.intersection(path.split("/")[:-1])

    @property
    def python_files(self) -> list[str]:
        return [f for f in self.files if f.endswith(".py") and self.own(f)]

    def text(self, path: str) -> str | None:
        """The file's text (undecodable bytes replaced); None when unreadable or too big."""
        return self.once(f"text:{path}", lambda: self._read(path))

    def _read(self, path: str) -> str | None:
        full = self.root / path
        try:
            if full.stat().st_size > MAX_TEXT_BYTES:
                return None
            return full.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def tree(self, path: str) -> ast.Module | None:
        """The parsed module; None when it does not parse (the lint job reports that)."""
        return self.once(f"ast:{path}", lambda: self._parse(path))

    def _parse(self, path: str) -> ast.Module | None:
        text = self.text(path)
        if text is None:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes in the user's code
                return ast.parse(text, filename=path)
        except (SyntaxError, ValueError):
            return None

    def imports(self, path: str) -> frozenset[str]:
        """Top-level names the module imports (`boto3`, `tensorflow`)."""
        return self.once(f"imports:{path}", lambda: _imports(self.tree(path)))

    def imports_of(self, path: str, among: Iterable[str]) -> frozenset[str]:
        """Which of `among` the module imports. A module whose text names none of them is not
        parsed: on a large repository parsing every file would cost more than the checks."""
        wanted = frozenset(among)
        text = self.text(path) or ""
        if not any(name in text for name in wanted):
            return frozenset()
        return self.imports(path) & wanted

    def git(self, *args: str, stdin: str | None = None) -> str | None:
        """`git args` in the audited folder; None when git fails (not a repository, no
        commits yet): checks that need history skip with that reason."""
        from pipelinekit.errors import PipelinekitError
        from pipelinekit.util.git import Git

        if not self.is_git:
            return None
        try:
            return Git(self.root, self.env).run(*args, stdin=stdin)
        except PipelinekitError:
            return None


def _imports(tree: ast.Module | None) -> frozenset[str]:
    if tree is None:
        return frozenset()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return frozenset(names)


def git_files(root: Path) -> tuple[str, ...] | None:
    """Tracked and untracked-but-not-ignored files under `root`, relative to it; None when
    `root` is not in a git work tree (or git is missing)."""
    from pipelinekit.errors import PipelinekitError
    from pipelinekit.util.git import Git

    try:
        listed = Git(root).run("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except PipelinekitError:
        return None
    names = {n for n in listed.split("\0") if n}
    return tuple(sorted(n for n in names if (root / n).is_file()))


_TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$")


def is_test_path(path: str) -> bool:
    """A file of a test suite: under tests/ or testing/, or a pytest module anywhere."""
    return bool(_TEST_PATH.search(path))


CONFIG_SUFFIXES = (
    ".yml",
    ".yaml",
    ".ini",
    ".cfg",
    ".conf",
    ".toml",
    ".env",
    ".json",
    ".properties",
)


def is_config_path(path: str) -> bool:
    """A configuration file: YAML, INI, TOML, .env, JSON or properties."""
    return path.endswith(CONFIG_SUFFIXES) or path.rsplit("/", 1)[-1].startswith(".env")


def open_repo(root: Path, facts: ProjectFacts, config: Config) -> AuditRepo:
    from pipelinekit.detect.tree import project_files

    root = root.resolve()
    tracked = git_files(root)
    listed = tracked if tracked is not None else project_files(root)
    # git commits a link, not what it points at: a link's target is audited under its own
    # path when it is in the repository, and is no part of it when it is not (a link to
    # /etc/passwd or ~/.aws/credentials would audit the machine running the audit).
    files = tuple(f for f in listed if not (root / f).is_symlink())
    if facts.root not in ("", "."):
        # A project in a subfolder: its folder, and the repository's top-level files (the CI
        # files, .secrets.baseline); another project's code is that project's audit.
        prefix = facts.root.rstrip("/") + "/"
        files = tuple(f for f in files if f.startswith(prefix) or "/" not in f)
    excluded = config.audit.exclude
    if excluded:
        files = tuple(f for f in files if not any(fnmatch.fnmatch(f, g) for g in excluded))
    return AuditRepo(root=root, facts=facts, config=config, files=files, is_git=tracked is not None)
