"""`release lint RANGE`: reject non-conventional commits in a merge request, before they land.

Merge commits are exempt (their messages are written by the forge); `types` and
`bump_types` together define which commit types are known.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelinekit.errors import UsageError
from pipelinekit.release.commits import ParsedCommit, parse_commit, read_commits
from pipelinekit.release.git import Git
from pipelinekit.release.settings import ReleaseConfig


@dataclass(frozen=True)
class Finding:
    sha: str
    subject: str
    problem: str


def lint_range(git: Git, config: ReleaseConfig, revision_range: str) -> list[Finding]:
    """Problems of the commits in `revision_range` (`A..B`, or a single revision)."""
    ends = [e for e in revision_range.split("..") if e.strip(".")]
    for end in ends:
        if not git.ok("rev-parse", "--verify", "--quiet", f"{end.strip('.')}^{{commit}}"):
            raise UsageError(
                f"RANGE {revision_range!r}: `{end}` is not a commit here. Use e.g. "
                "`origin/main..HEAD` (in GitLab: `$CI_MERGE_REQUEST_DIFF_BASE_SHA..HEAD`) and "
                "make sure the base is fetched."
            )
    known = set(config.types) | set(config.bump_types)
    findings = []
    for commit in read_commits(git, [revision_range]):
        if commit.is_merge:
            continue
        problem = _problem(parse_commit(commit, squash=False), known)
        if problem:
            findings.append(Finding(commit.sha, commit.subject, problem))
    return findings


def _problem(parsed: ParsedCommit, known: set[str]) -> str | None:
    if not parsed.conventional:
        return "not a Conventional Commit (`type(scope): description`)"
    kind = parsed.changes[0].type
    if kind not in known:
        return f"unknown type `{kind}` (known: {', '.join(sorted(known))})"
    return None
