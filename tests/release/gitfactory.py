"""Real git repositories for release tests, built fast.

`History` collects commits, merges and tags in memory and writes them with one
`git fast-import` (10k commits in about a second); `Repo` wraps a work tree for the handful
of porcelain steps tests need. Identity and config isolation come from `GIT_ENV`, never from
the user's global git config.
"""

from __future__ import annotations

import os
import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_SYSTEM": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}
BASE_TIME = 1_700_000_000


def run_git(
    cwd: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env={**os.environ, **GIT_ENV, **(env or {})},
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
    return proc.stdout.decode()


@dataclass
class _Commit:
    branch: str
    message: str
    files: dict[str, str]
    merge: int | None
    parent: int | None


@dataclass
class History:
    """Commits on branches (`mark`s are 1-based ints), tags, then one fast-import."""

    commits: list[_Commit] = field(default_factory=list)
    tags: list[tuple[str, int, bool]] = field(default_factory=list)
    heads: dict[str, int] = field(default_factory=dict)

    def commit(
        self,
        message: str,
        *,
        branch: str = "main",
        files: dict[str, str] | None = None,
        merge: int | None = None,
        start: int | None = None,
    ) -> int:
        """Add a commit on `branch` (optionally merging mark `merge`; `start` forks a branch)."""
        parent = self.heads.get(branch, start)
        if parent is None and self.commits and branch not in self.heads:
            parent = self.heads.get("main")
        self.commits.append(_Commit(branch, message, files or {}, merge, parent))
        mark = len(self.commits)
        self.heads[branch] = mark
        return mark

    def tag(self, name: str, mark: int | None = None, *, annotated: bool = True) -> None:
        self.tags.append((name, mark or len(self.commits), annotated))

    def write(self, path: Path) -> Path:
        """Create the repository at `path` (branch main checked out) and return it."""
        path.mkdir(parents=True, exist_ok=True)
        run_git(path, "init", "-q", "-b", "main")
        chunks: list[bytes] = []
        for mark, c in enumerate(self.commits, start=1):
            msg = c.message.encode()
            stamp = f"{BASE_TIME + mark * 60} +0000"
            chunks.append(
                f"commit refs/heads/{c.branch}\nmark :{mark}\n"
                f"author A U Thor <author@example.com> {stamp}\n"
                f"committer C O Mitter <committer@example.com> {stamp}\n"
                f"data {len(msg)}\n".encode()
                + msg
                + b"\n"
            )
            if c.parent is not None:
                chunks.append(f"from :{c.parent}\n".encode())
            if c.merge is not None:
                chunks.append(f"merge :{c.merge}\n".encode())
            for name, content in c.files.items():
                data = content.encode()
                chunks.append(f"M 100644 inline {name}\ndata {len(data)}\n".encode() + data + b"\n")
            chunks.append(b"\n")
        for name, mark, annotated in self.tags:
            if annotated:
                msg = f"Release {name}".encode()
                chunks.append(
                    f"tag {name}\nfrom :{mark}\n"
                    f"tagger T Agger <tagger@example.com> {BASE_TIME + mark * 60} +0000\n"
                    f"data {len(msg)}\n".encode()
                    + msg
                    + b"\n"
                )
            else:
                chunks.append(f"reset refs/tags/{name}\nfrom :{mark}\n\n".encode())
        run_git(path, "fast-import", "--quiet", "--done", stdin=b"".join(chunks) + b"done\n")
        if self.commits:
            run_git(path, "checkout", "-q", "-f", "main")
        return path


TYPES = ["feat", "fix", "perf", "docs", "chore", "refactor", "test", "ci", "build", "style"]
SCOPES = ["io", "model", "cli", "data", "train", None]


def conventional_history(
    n: int, *, seed: int = 6, tag_every: int = 100, realistic: bool = False
) -> tuple[History, str]:
    """`n` conventional commits on main, a stable tag every `tag_every`, and the expected
    next version computed by a deliberately simple reference (no breaking changes after 1.0
    except every 1000th commit). `realistic` adds merges of feature branches, reverts and
    non-conventional noise, as real histories have.
    """
    rng = random.Random(seed)
    h = History()
    h.commit(
        "chore: initial commit",
        files={"pyproject.toml": '[project]\nname = "demo"\nversion = "1.0.0"\n'},
    )
    h.tag("v1.0.0")
    version = [1, 0, 0]
    level = 0
    i = 1
    while i < n:
        if realistic and rng.random() < 0.08 and i + 3 < n:
            start = h.heads["main"]
            branch = f"feature/{i}"
            for k in range(2):
                kind = rng.choice(["feat", "fix"])
                h.commit(f"{kind}(data): step {k} of {branch}", branch=branch, start=start)
                level = max(level, 2 if kind == "feat" else 1)
            h.commit(f"Merge branch '{branch}' into 'main'", merge=h.heads[branch])
            i += 3
        elif realistic and rng.random() < 0.02:
            h.commit(f'Revert "docs: typo {i}"\n\nThis reverts commit {"0" * 40}.')
            level = max(level, 1)
            i += 1
        elif realistic and rng.random() < 0.05:
            h.commit(f"WIP quick fix {i}")
            i += 1
        else:
            kind = rng.choice(TYPES)
            scope = rng.choice(SCOPES)
            head = f"{kind}({scope})" if scope else kind
            breaking = i % 1000 == 0
            body = f"\n\nBREAKING CHANGE: api {i} changed" if breaking else ""
            h.commit(f"{head}: change number {i}{body}")
            level = max(level, 3 if breaking else {"feat": 2, "fix": 1, "perf": 1}.get(kind, 0))
            i += 1
        if i % tag_every == 0 and level and i < n - 5:
            version = _bump(version, level)
            h.tag("v{}.{}.{}".format(*version))
            level = 0
    expected = "v{}.{}.{}".format(*_bump(version, level)) if level else ""
    return h, expected.lstrip("v")


def _bump(v: list[int], level: int) -> list[int]:
    major, minor, patch = v
    if level == 3:
        return [major + 1, 0, 0] if major else [0, minor + 1, 0]
    if level == 2:
        return [major, minor + 1, 0]
    return [major, minor, patch + 1]


class Repo:
    """A work tree with a few porcelain helpers."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def init(cls, path: Path) -> Repo:
        path.mkdir(parents=True, exist_ok=True)
        run_git(path, "init", "-q", "-b", "main")
        return cls(path)

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        return run_git(self.path, *args, env=env).strip()

    def commit(self, message: str, files: dict[str, str] | None = None) -> str:
        for name, content in (files or {}).items():
            file = self.path / name
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(content)
            self.git("add", name)
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, ref: str = "HEAD", *, annotated: bool = True) -> None:
        if annotated:
            self.git("tag", "-a", name, "-m", f"Release {name}", ref)
        else:
            self.git("tag", name, ref)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def tags(self) -> list[str]:
        return self.git("tag", "--list").split()

    def status(self) -> str:
        return self.git("status", "--porcelain")


def bare_remote(path: Path, source: Repo, *, hook: str | None = None) -> Path:
    """A bare repository holding `source`'s branches and tags, added as `origin`."""
    run_git(path.parent, "init", "-q", "--bare", "-b", "main", str(path))
    if hook is not None:
        hook_file = path / "hooks" / "pre-receive"
        hook_file.write_text(hook)
        hook_file.chmod(0o755)
    source.git("remote", "add", "origin", str(path))
    with_hook = hook is not None
    if with_hook:
        hook_file.rename(hook_file.with_suffix(".off"))
    source.git("push", "-q", "origin", "--all")
    source.git("push", "-q", "origin", "--tags")
    if with_hook:
        hook_file.with_suffix(".off").rename(hook_file)
    source.git("fetch", "-q", "origin")
    source.git("branch", "-q", "--set-upstream-to=origin/main", "main")
    return path


@dataclass(frozen=True)
class Tag:
    """A tag on the previous commit in `linear`."""

    name: str
    annotated: bool = True


PYPROJECT = '[project]\nname = "demo"  # the distribution\nversion = "{version}"\n'


def linear(path: Path, *items: str | Tag, version: str = "0.1.0") -> Repo:
    """A repository on `main` with commits (messages) and tags in the given order; the first
    commit adds pyproject.toml and demo/__init__.py at `version` (PEP 440)."""
    h = History()
    first = True
    for item in items:
        if isinstance(item, Tag):
            h.tag(item.name, annotated=item.annotated)
            continue
        files = None
        if first:
            files = {
                "pyproject.toml": PYPROJECT.format(version=version),
                "demo/__init__.py": f'"""Demo."""\n\n__version__ = "{version}"\n',
            }
            first = False
        h.commit(item, files=files)
    h.write(path)
    return Repo(path)


def clone(source: Path, dest: Path, *args: str) -> Repo:
    """`git clone` over file:// (so `--depth` is honoured), as CI systems clone."""
    run_git(dest.parent, "clone", "-q", *args, f"file://{source}", str(dest))
    return Repo(dest)


def published(tmp_path: Path, *items: str | Tag, hook: str | None = None) -> tuple[Repo, Path]:
    """A work repo built from `items` plus a bare `origin` holding the same refs."""
    repo = linear(tmp_path / "work", *items)
    remote = bare_remote(tmp_path / "origin.git", repo, hook=hook)
    return repo, remote
