"""Release tags as git knows them: every ref under refs/tags that parses as `tag_format`.

Two `for-each-ref` calls answer everything the policy asks (all tags with their peeled commit,
kind and date; which of them HEAD contains), however long the history is.
"""

from __future__ import annotations

from dataclasses import dataclass

import semver

from pipelinekit.release.git import Git
from pipelinekit.release.tagformat import parse_tag

_FORMAT = (
    "%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(creatordate:unix)"
)


@dataclass(frozen=True)
class VersionTag:
    """A tag whose name is a version of the configured `tag_format`."""

    name: str
    version: semver.Version
    commit: str
    """The commit the tag points to (peeled through an annotated tag object)."""
    annotated: bool
    created: int
    """Tagger date for annotated tags, committer date for lightweight ones (unix seconds)."""

    @property
    def stable(self) -> bool:
        return self.version.prerelease is None


@dataclass(frozen=True)
class TagSet:
    """The version tags of a repository, and which of them a given commit contains."""

    all: tuple[VersionTag, ...]
    reachable: frozenset[str]
    """Names of the tags whose commit is an ancestor of (or equal to) the inspected commit."""

    def by_name(self, name: str) -> VersionTag | None:
        return next((t for t in self.all if t.name == name), None)

    def without(self, name: str) -> TagSet:
        return TagSet(tuple(t for t in self.all if t.name != name), self.reachable - {name})

    def last_stable(self, below: semver.Version | None = None) -> VersionTag | None:
        """The highest stable version the commit contains (optionally below a version)."""
        found = [
            t
            for t in self.all
            if t.stable and t.name in self.reachable and (below is None or t.version < below)
        ]
        return max(found, key=lambda t: t.version, default=None)


def read_tags(git: Git, tag_format: str, commit: str = "HEAD") -> TagSet:
    """All version tags, and the names of those `commit` contains."""
    merged = git.run(
        "for-each-ref", f"--merged={commit}", "--format=%(refname:strip=2)", "refs/tags"
    )
    return TagSet(list_tags(git, tag_format), frozenset(merged.split()))


def list_tags(git: Git, tag_format: str) -> tuple[VersionTag, ...]:
    """Every tag that is a version of `tag_format` (prereleases included), one for-each-ref."""
    tags = []
    for line in git.run("for-each-ref", f"--format={_FORMAT}", "refs/tags").splitlines():
        name, kind, obj, peeled, created = line.split("\0")
        version = parse_tag(tag_format, name)
        if version is None or kind not in ("tag", "commit"):
            continue
        commit_sha = peeled if kind == "tag" else obj
        if not commit_sha:  # an annotated tag of a tree or blob, not a release
            continue
        tags.append(
            VersionTag(
                name=name,
                version=semver.Version.parse(version),
                commit=commit_sha,
                annotated=kind == "tag",
                created=int(created or 0),
            )
        )
    return tuple(tags)
