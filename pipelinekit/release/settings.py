"""`[tool.pipelinekit.release]`: the versioning policy's settings.

Every field has a default that gives Conventional Commits + SemVer on `main`, betas on
`develop` and release candidates on `release/*`, so most repositories need no release table.

The sections are stdlib dataclasses rather than pydantic models so that `release next` can
load them without importing pydantic (see `pipelinekit.config.plaintable`); inside `Config` pydantic
validates them all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pipelinekit.config.plaintable import PYDANTIC_CONFIG, FieldProblem, raise_problems
from pipelinekit.config.refs import ref_glob_problem
from pipelinekit.release.tagformat import check_tag_format, protected_tag_pattern, tag_regex

__all__ = ["Bump", "ChannelConfig", "ReleaseConfig", "protected_tag_pattern", "tag_regex"]

Bump = Literal["major", "minor", "patch", "none"]
PrereleaseToken = Literal["alpha", "beta", "rc"]
"""Only tokens with a PEP 440 spelling (a, b, rc), so every version can go into Python metadata."""

DEFAULT_TYPES = (
    "build",
    "chore",
    "ci",
    "docs",
    "feat",
    "fix",
    "perf",
    "refactor",
    "revert",
    "style",
    "test",
)


@dataclass(frozen=True)
class ChannelConfig:
    """Which kind of version a branch releases."""

    __pydantic_config__ = PYDANTIC_CONFIG

    branch: str
    """Branch name or glob (`release/*`; `*` stays within one path segment, `**` crosses them,
    as in `ci.branches`); the first matching channel wins."""
    prerelease: PrereleaseToken | None = None
    """None releases stable versions; a token releases `X.Y.Z-<token>.N` with N counted on from
    the existing tags, so two pipelines never produce the same prerelease."""

    def __post_init__(self) -> None:
        problem = ref_glob_problem(self.branch)
        if problem:
            raise FieldProblem(
                "branch", self.branch, f"branch glob {self.branch!r} is not usable: {problem}"
            )


def _default_channels() -> list[ChannelConfig]:
    return [
        ChannelConfig(branch="main"),
        ChannelConfig(branch="master"),
        ChannelConfig(branch="develop", prerelease="beta"),
        ChannelConfig(branch="release/*", prerelease="rc"),
    ]


def _default_bumps() -> dict[str, Bump]:
    return {"feat": "minor", "fix": "patch", "perf": "patch"}


@dataclass(frozen=True)
class ReleaseConfig:
    """The release policy: how history becomes a version, and how a release is published."""

    __pydantic_config__ = PYDANTIC_CONFIG

    enabled: bool = True
    """Render the release, verify and publish jobs and allow `pipelinekit release`."""
    tag_format: str = "v{version}"
    """How a version becomes a tag; `{version}` must appear exactly once. Tags that do not match
    are ignored, and the protected-tag pattern for GitLab/Jenkins is derived from it."""
    bump_types: dict[str, Bump] = field(default_factory=_default_bumps)
    """Commit type → bump. Types not listed release nothing; a breaking change (`!` or a
    `BREAKING CHANGE:` footer) is always major (see `major_on_zero`)."""
    revert_bump: Bump = "patch"
    """Bump for reverting a commit that was already released. A revert of a commit that is in
    the same unreleased range cancels it instead, so feat + revert releases nothing."""
    major_on_zero: bool = False
    """While the version is 0.x, breaking changes bump the minor version unless this is true
    (SemVer: 0.x makes no stability promise, so 1.0.0 should be a decision, not an accident)."""
    initial_version: str = "0.0.0"
    """The version treated as the last release while no release tag exists. Set it to the
    current version when adopting pipelinekit on a project that was released before."""
    channels: list[ChannelConfig] = field(default_factory=_default_channels)
    """Branch → channel, first match wins. A branch with no channel cannot release."""
    types: list[str] = field(default_factory=lambda: list(DEFAULT_TYPES))
    """Commit types `release lint` accepts besides those in `bump_types`."""
    require_conventional: bool = False
    """Refuse to release when the range holds non-conventional commits, and add a
    `release lint` job to merge-request pipelines."""
    squash_commits: bool = True
    """Also read `* type: description` lines in a commit body as commits, as squash merges
    list the commits they squashed."""
    changelog_file: str | None = "CHANGELOG.md"
    """Keep a Changelog file that receives one section per release; empty or null disables."""
    changelog_sections: dict[str, str] = field(
        default_factory=lambda: {
            "feat": "Added",
            "fix": "Fixed",
            "perf": "Performance",
            "revert": "Reverted",
        }
    )
    """Commit type → changelog heading, in this order after "Breaking changes". Types not
    listed stay out of the changelog."""
    repository_url: str | None = None
    """Web URL of the repository for changelog links; default: derived from the push remote
    (credentials stripped). GitLab and GitHub link styles are chosen from the host."""
    version_files: list[str] | None = None
    """Files that hold the version, each `path` or `path:key` (`pyproject.toml:project.version`,
    `src/pkg/__init__.py:__version__`, or a plain `VERSION` file). Default: `project.version`
    of pyproject.toml when static, plus `__version__` in the package's `__init__.py`."""
    allow_unshallow: bool = True
    """On a shallow clone, run `git fetch --unshallow --tags` instead of stopping (exit 2)."""
    allow_fetch: bool = True
    """Fetch tags and the branch from the push remote when they are missing or may be stale,
    instead of stopping (exit 2)."""
    commit_message: str = "chore(release): {version}"
    """Message of the release commit; `{version}` and `{tag}` are replaced. Its type must not
    bump, or every release would trigger the next one."""
    tag_message: str = "Release {version}"
    """Message of the annotated tag; `{version}` and `{tag}` are replaced."""
    push_remote: str = "origin"
    """Remote that receives the release commit and tag (one `git push --atomic`)."""
    release_job: Literal["manual", "auto"] = "manual"
    """Whether the default-branch release job in rendered pipelines waits for a click."""

    def __post_init__(self) -> None:
        problems = [
            problem
            for problem in (
                _problem(check_tag_format, "tag_format", self.tag_format),
                _problem(_stable_version, "initial_version", self.initial_version),
                _problem(_message, "commit_message", self.commit_message),
                _problem(_message, "tag_message", self.tag_message),
            )
            if problem is not None
        ]
        if not any(p.field == "commit_message" for p in problems):
            problems += self._commit_message_bumps()
        raise_problems(problems)

    def _commit_message_bumps(self) -> list[FieldProblem]:
        from pipelinekit.release.commits import parse_message

        parsed = parse_message(self.commit_message.format(version="1.0.0", tag="v1.0.0"))
        if parsed is not None and (
            parsed.breaking or self.bump_types.get(parsed.type, "none") != "none"
        ):
            return [
                FieldProblem(
                    "commit_message",
                    self.commit_message,
                    f"commit_message {self.commit_message!r} would itself trigger a release; "
                    "use a non-bumping type such as `chore(release): {version}`",
                )
            ]
        return []


def _problem(check: Callable[[str], object], name: str, value: str) -> FieldProblem | None:
    try:
        check(value)
    except ValueError as exc:
        return FieldProblem(name, value, str(exc))
    return None


def _stable_version(value: str) -> None:
    from pipelinekit.release.version import is_stable_semver

    if not is_stable_semver(value):
        raise ValueError("must be a stable SemVer version such as 0.0.0 or 1.4.2")


def _message(value: str) -> None:
    if not value.strip():
        raise ValueError("must not be empty")
    try:
        value.format(version="1.0.0", tag="v1.0.0")
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise ValueError("may only use the placeholders {version} and {tag}") from exc
