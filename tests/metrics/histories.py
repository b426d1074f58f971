"""Git histories for the metrics tests, written with one `git fast-import`, where every commit
and every annotated tag has the date and time zone the test gives it (the release package's
gitfactory fixes dates to one per minute; DORA's definitions are about dates).

`large_history` also serves benchmarks/bench_metrics.py, so test and benchmark share a shape.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}
PYPROJECT = '[project]\nname = "demo"\nversion = "1.0.0"\n'


def git_date(when: str) -> str:
    """`2024-01-02T10:00+02:00` as fast-import's raw date: `<unix seconds> +0200`."""
    moment = dt.datetime.fromisoformat(when)
    assert moment.tzinfo is not None, f"give {when!r} an offset"
    offset = int(moment.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    sign = "+" if offset >= 0 else "-"
    return f"{int(moment.timestamp())} {sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"


@dataclass
class Builder:
    """Commits (marks are 1-based ints) on branches, merges, annotated and lightweight tags."""

    chunks: list[bytes] = field(default_factory=list)
    heads: dict[str, int] = field(default_factory=dict)
    marks: int = 0

    def commit(
        self,
        subject: str,
        when: str,
        *,
        branch: str = "main",
        start: int | None = None,
        merge: int | None = None,
        author: str = "Ann Author <ann@example.com>",
    ) -> int:
        self.marks += 1
        parent = self.heads.get(branch, start)
        msg = subject.encode()
        date = git_date(when)
        chunk = (
            f"commit refs/heads/{branch}\nmark :{self.marks}\n"
            f"author {author} {date}\ncommitter {author} {date}\n"
            f"data {len(msg)}\n".encode()
            + msg
            + b"\n"
        )
        if parent is not None:
            chunk += f"from :{parent}\n".encode()
        if merge is not None:
            chunk += f"merge :{merge}\n".encode()
        if self.marks == 1:
            for name, text in (("pyproject.toml", PYPROJECT), ("demo/__init__.py", "")):
                data = text.encode()
                chunk += f"M 100644 inline {name}\ndata {len(data)}\n".encode() + data + b"\n"
        self.chunks.append(chunk + b"\n")
        self.heads[branch] = self.marks
        return self.marks

    def tag(self, name: str, mark: int, when: str | None = None) -> None:
        """An annotated tag created `when`, or a lightweight one when `when` is None."""
        if when is None:
            self.chunks.append(f"reset refs/tags/{name}\nfrom :{mark}\n\n".encode())
            return
        msg = f"Release {name}".encode()
        self.chunks.append(
            f"tag {name}\nfrom :{mark}\ntagger Tim Tagger <tim@example.com> {git_date(when)}\n"
            f"data {len(msg)}\n".encode()
            + msg
            + b"\n"
        )

    def write(self, path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **GIT_ENV}
        subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=env)
        stream = b"".join(self.chunks) + b"done\n"
        subprocess.run(
            ["git", "fast-import", "--quiet", "--done"], cwd=path, input=stream, check=True, env=env
        )
        subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=path, check=True, env=env)
        return path


def large_history(commits: int = 10_000, tags: int = 300) -> Builder:
    """`commits` commits on main, one every hour from 2020-01-01, with a merged two-commit
    feature branch every 50 commits, and `tags` stable annotated releases spread evenly,
    each tagged an hour after its commit; every tenth release is a patch of the one before."""
    b = Builder()
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    every = max(1, commits // tags)
    version = [1, 0, 0]
    made = 0
    for i in range(commits):
        when = (start + dt.timedelta(hours=i)).isoformat()
        if i % 50 == 49:
            fork = b.heads["main"]
            b.commit(f"feat: part one of {i}", when, branch=f"f{i}", start=fork)
            mark = b.commit(f"feat: part two of {i}", when, branch=f"f{i}")
            b.commit(f"Merge branch f{i}", when, merge=mark)
        else:
            b.commit(f"fix: change {i}", when)
        if i % every == every - 1 and made < tags:
            made += 1
            if made % 10 == 0:
                version[2] += 1
            else:
                version = [version[0], version[1] + 1, 0]
            tagged = (start + dt.timedelta(hours=i + 1)).isoformat()
            b.tag("v{}.{}.{}".format(*version), b.heads["main"], tagged)
    return b
