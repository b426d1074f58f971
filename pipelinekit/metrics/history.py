"""The delivery history from git alone: stable release tags and the commits each one shipped.

Two git processes, however long the history: one `for-each-ref` for the tags (the release
package's own tag reading and tag format) and one `git log --topo-order` over every release
commit. Which release shipped which commit is then bit arithmetic: walking children before
parents, each commit collects a bit per release that contains it, and a commit is in `P..R`
exactly when R's bit is set and the bit of P (the release created before R) is not.

Deployments recorded by CI (metrics/cisource.py) go through the same walk as `Point`s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import semver

from pipelinekit.release.tags import VersionTag, list_tags
from pipelinekit.util.git import Git

_LOG_FORMAT = "%H%x1f%P%x1f%ct%x1f%an%x1f%ae%x1f%s"
"""Fields split by the unit separator; `-z` ends each record with NUL."""


@dataclass(frozen=True)
class Change:
    """A non-merge commit as a release shipped it."""

    sha: str
    committed: int
    """Committer date, unix seconds (time zones do not matter)."""
    author: str
    email: str
    subject: str


@dataclass(frozen=True)
class Deployment:
    """A stable release tag: a deployment at the tag's creation time."""

    tag: str
    """The tag's name (a CI deployment: its name there, e.g. `production #12`)."""
    version: semver.Version | None
    """None: a CI deployment of a commit no stable release tag points to."""
    commit: str
    created: int
    """Tagger date of an annotated tag, else the commit's committer date (unix seconds)."""
    changes: tuple[Change, ...]
    """Non-merge commits in `P..R`, P the stable release created before this one."""
    previous: str | None = None
    """P's tag name (None for the first release)."""


@dataclass(frozen=True)
class Point:
    """A deployment before its commits are known: a stable tag, or a CI system's record."""

    name: str
    commit: str
    created: int
    version: semver.Version | None


def stable_releases(tags: tuple[VersionTag, ...]) -> list[VersionTag]:
    """Stable version tags by creation time (ties: by version). Prereleases are not
    deployments, and floating tags such as `v9` or `v9.9` never parse as versions."""
    return sorted((t for t in tags if t.stable), key=lambda t: (t.created, t.version, t.name))


def read_history(
    path: Path, tag_format: str, points: Sequence[Point] | None = None
) -> list[Deployment]:
    """Every stable release of the repository at `path` with the commits it shipped; with
    `points` (CI deployments), those instead, each versioned by the stable tag on its commit
    and dropped when the clone lacks its commit."""
    git = Git(path)
    releases = stable_releases(list_tags(git, tag_format))
    if points is None:
        chosen = [Point(t.name, t.commit, t.created, t.version) for t in releases]
    else:
        version_of = {t.commit: t.version for t in releases}
        present = _present(git, {p.commit for p in points})
        chosen = sorted(
            (Point(p.name, p.commit, p.created, version_of.get(p.commit)) for p in points
             if p.commit in present),
            key=lambda p: (p.created, p.name),
        )  # fmt: skip
    if not chosen:
        return []
    tips = "\n".join(dict.fromkeys(p.commit for p in chosen)) + "\n"
    log = git.run("log", "--topo-order", "-z", f"--format={_LOG_FORMAT}", "--stdin", stdin=tips)
    return assign(chosen, log)


def _present(git: Git, commits: set[str]) -> set[str]:
    """The `commits` the repository has (one `cat-file --batch-check`)."""
    if not commits:
        return set()
    answer = git.run(
        "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin="\n".join(commits) + "\n"
    )
    return {line.split()[0] for line in answer.splitlines() if line.endswith(" commit")}


def assign(releases: Sequence[Point], log: str) -> list[Deployment]:
    """Deployments from `releases` (in creation order) and a `git log -z --topo-order` of
    their commits in `_LOG_FORMAT`."""
    own: dict[str, int] = {}
    for index, tag in enumerate(releases):
        own[tag.commit] = own.get(tag.commit, 0) | (1 << index)
    reach: dict[str, int] = {}
    shipped: list[list[Change]] = [[] for _ in releases]
    for record in log.split("\0"):
        if not record.strip():
            continue
        sha, parents, committed, author, email, subject = record.lstrip("\n").split("\x1f")
        mask = reach.pop(sha, 0) | own.get(sha, 0)
        parent_list = parents.split()
        for parent in parent_list:
            reach[parent] = reach.get(parent, 0) | mask
        if len(parent_list) > 1:
            continue  # a merge ships its parents' commits, it is not a change itself
        new = mask & ~(mask << 1)  # releases that contain the commit while their P does not
        if not new:
            continue
        change = Change(sha, int(committed), author, email, subject)
        while new:
            low = new & -new
            shipped[low.bit_length() - 1].append(change)
            new ^= low
    return [
        Deployment(
            tag=tag.name,
            version=tag.version,
            commit=tag.commit,
            created=tag.created,
            changes=tuple(shipped[index]),
            previous=releases[index - 1].name if index else None,
        )
        for index, tag in enumerate(releases)
    ]
