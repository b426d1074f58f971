"""Release tags as git knows them: every ref under refs/tags that parses as `tag_format`.

Two `for-each-ref` calls answer everything the policy asks (all tags with their peeled commit,
kind and date; which of them HEAD contains), however long the history is.

A tag with SemVer build metadata (`v1.1.0+build.7`, a CI or deploy marker) is not a release:
SemVer ignores build metadata for ordering and PEP 440 cannot carry it, so such tags are left
out like tags of another format, and both kinds are reported in `TagSet.ignored`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import semver

from pipelinekit.release.tagformat import parse_tag
from pipelinekit.util.git import Git

_FORMAT = (
    "%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(creatordate:unix)"
)
_VERSION_LIKE = re.compile(r"\d+\.\d+\.\d+")


@dataclass(frozen=True)
class VersionTag:
    """A tag whose name is a version of the configured `tag_format`."""

    name: str
    version: semver.Version
    ref: str
    """The object the tag ref names (the tag object of an annotated tag), as `ls-remote` shows."""
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
    ignored: tuple[str, ...] = ()
    """Tags that look like versions but are not releases: another format, build metadata."""

    def by_name(self, name: str) -> VersionTag | None:
        return next((t for t in self.all if t.name == name), None)

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
    tags, ignored = _scan(git, tag_format)
    return TagSet(tags, frozenset(merged.split()), ignored)


def list_tags(git: Git, tag_format: str) -> tuple[VersionTag, ...]:
    """Every tag that is a version of `tag_format` (prereleases included), one for-each-ref."""
    return _scan(git, tag_format)[0]


def _scan(git: Git, tag_format: str) -> tuple[tuple[VersionTag, ...], tuple[str, ...]]:
    """The version tags, and the names of version-like tags the format does not match."""
    tags, ignored = [], []
    for line in git.run("for-each-ref", f"--format={_FORMAT}", "refs/tags").splitlines():
        name, kind, obj, peeled, created = line.split("\0")
        version = release_version(tag_format, name)
        if version is None and _VERSION_LIKE.search(name):
            ignored.append(name)
        if version is None or kind not in ("tag", "commit"):
            continue
        commit_sha = peeled if kind == "tag" else obj
        if not commit_sha:  # an annotated tag of a tree or blob, not a release
            continue
        tags.append(
            VersionTag(
                name=name,
                version=semver.Version.parse(version),
                ref=obj,
                commit=commit_sha,
                annotated=kind == "tag",
                created=int(created or 0),
            )
        )
    return tuple(tags), tuple(ignored)


def release_version(tag_format: str, name: str) -> str | None:
    """The version of release tag `name`; None for other tags (build metadata included)."""
    version = parse_tag(tag_format, name)
    return None if version is None or "+" in version else version
