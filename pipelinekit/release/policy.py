"""The versioning policy: commits since the last release → bump level → next version.

Pure functions over parsed commits and tags, so every rule (bump map, breaking changes,
`major_on_zero`, reverts, channels, prerelease counters) is testable without git.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import semver

from pipelinekit.config.refs import glob_to_regex
from pipelinekit.errors import UsageError
from pipelinekit.release.commits import Conventional, ParsedCommit
from pipelinekit.release.settings import ChannelConfig, ReleaseConfig
from pipelinekit.release.tags import TagSet, VersionTag
from pipelinekit.release.version import LEVELS, BumpLevel, bump, prerelease_parts


@dataclass(frozen=True)
class Change:
    """One releasable change and the bump it asks for."""

    commit: ParsedCommit
    change: Conventional
    level: BumpLevel


@dataclass(frozen=True)
class NextVersion:
    """What the policy decided. `version` is None when there is nothing to release."""

    channel: ChannelConfig
    last: VersionTag | None
    base: semver.Version
    level: BumpLevel
    version: semver.Version | None
    changes: tuple[Change, ...]
    nonconventional: tuple[ParsedCommit, ...]
    reason: str
    """Why there is (or is not) a release, in one sentence for humans."""


def channel_for(branch: str, config: ReleaseConfig) -> ChannelConfig:
    """The first channel whose glob matches `branch`; a branch without one cannot release."""
    for channel in config.channels:
        if re.match(glob_to_regex(channel.branch), branch):
            return channel
    globs = ", ".join(c.branch for c in config.channels) or "(none)"
    raise UsageError(
        f"Branch `{branch}` matches no entry of `tool.pipelinekit.release.channels` ({globs}), "
        "so it has no release channel. Release from one of those branches, or add "
        f'{{ branch = "{branch}" }} (optionally with prerelease = "rc") to the channels.'
    )


def channel_for_version(version: semver.Version, config: ReleaseConfig) -> ChannelConfig:
    """The channel a tagged version belongs to (used where no branch is known: tag pipelines)."""
    parts = prerelease_parts(version)
    token = parts[0] if parts else None
    for channel in config.channels:
        if channel.prerelease == token:
            return channel
    return ChannelConfig(branch="*", prerelease=token)  # type: ignore[arg-type]


def effective_changes(
    commits: Sequence[ParsedCommit], config: ReleaseConfig, base: semver.Version
) -> list[Change]:
    """Releasable changes in `commits` (newest first), after reverts cancel what they revert.

    Reverts are applied oldest first; reverting a revert in the range restores the original.
    """
    by_prefix = {c.commit.sha: c for c in commits}
    cancelled: set[str] = set()
    undoes: dict[str, str] = {}  # revert sha -> sha it cancelled
    consumed: set[str] = set()
    for parsed in reversed(commits):
        head = parsed.changes[0] if parsed.changes else None
        if head is None or head.type != "revert" or not head.reverts:
            continue
        target = _lookup(by_prefix, head.reverts)
        if target is None:
            continue
        consumed.add(parsed.commit.sha)
        if target in undoes and target not in cancelled:
            cancelled.add(target)
            cancelled.discard(undoes[target])
        else:
            cancelled.add(target)
            undoes[parsed.commit.sha] = target
    result = []
    for parsed in commits:
        sha = parsed.commit.sha
        if sha in cancelled or sha in consumed:
            continue
        for change in parsed.changes:
            level = _level(change, config, base)
            if level != "none":
                result.append(Change(parsed, change, level))
    return result


def _lookup(by_sha: dict[str, ParsedCommit], prefix: str) -> str | None:
    if prefix in by_sha:
        return prefix
    return next((sha for sha in by_sha if sha.startswith(prefix)), None)


def _level(change: Conventional, config: ReleaseConfig, base: semver.Version) -> BumpLevel:
    if change.breaking:
        return "major" if base.major > 0 or config.major_on_zero else "minor"
    if change.type == "revert":
        return config.revert_bump
    return config.bump_types.get(change.type, "none")


def strongest(levels: Iterable[BumpLevel]) -> BumpLevel:
    return max(levels, key=LEVELS.__getitem__, default="none")


def next_version(
    commits: Sequence[ParsedCommit],
    tags: TagSet,
    channel: ChannelConfig,
    config: ReleaseConfig,
    *,
    shipped_in_channel: frozenset[str] = frozenset(),
) -> NextVersion:
    """Decide the next version from the commits since the last stable release.

    `commits` are those since `tags.last_stable()`; `shipped_in_channel` are the shas among
    them a previous prerelease of this channel already contains (a prerelease needs a new
    releasable change, not just the same ones again). The prerelease number continues from
    every tag of the same version and token, on any branch, so numbers are never reused.
    """
    last = tags.last_stable()
    base = last.version if last else semver.Version.parse(config.initial_version)
    since = f"since {last.name}" if last else "in the history (no release tag yet)"
    changes = effective_changes(commits, config, base)
    nonconventional = tuple(c for c in commits if not c.conventional and not c.commit.is_merge)
    level = strongest(c.level for c in changes)

    def result(version: semver.Version | None, reason: str) -> NextVersion:
        return NextVersion(
            channel, last, base, level, version, tuple(changes), nonconventional, reason
        )

    if level == "none":
        return result(None, f"No releasable change {since}: nothing to release.")
    target = bump(base, level)
    if channel.prerelease is None:
        return result(target, f"{level} bump {since} ({len(changes)} releasable change(s)).")
    fresh = [c for c in changes if c.commit.commit.sha not in shipped_in_channel]
    if not fresh:
        return result(
            None,
            f"No releasable change since the last {channel.prerelease} prerelease: "
            "nothing to release.",
        )
    number = 1 + max(_counters(tags.all, target, channel.prerelease), default=0)
    version = target.replace(prerelease=f"{channel.prerelease}.{number}")
    return result(version, f"{level} bump {since}, {channel.prerelease} number {number}.")


def _counters(tags: Iterable[VersionTag], target: semver.Version, token: str) -> list[int]:
    numbers = []
    for tag in tags:
        parts = prerelease_parts(tag.version)
        if parts is not None and parts[0] == token and tag.version.finalize_version() == target:
            numbers.append(parts[1])
    return numbers


def latest_in_channel(
    tags: TagSet, channel: ChannelConfig, above: semver.Version | None
) -> VersionTag | None:
    """The newest prerelease of `channel` that the commit contains, above the last stable."""
    found = [
        t
        for t in tags.all
        if t.name in tags.reachable
        and (above is None or t.version > above)
        and (parts := prerelease_parts(t.version)) is not None
        and parts[0] == channel.prerelease
    ]
    return max(found, key=lambda t: t.version, default=None)
