"""`release lint RANGE`: reject non-conventional commits in a merge request, before they land.

Merge commits are exempt (their messages are written by the forge); `types` and
`bump_types` together define which commit types are known. A shallow clone is deepened first
(or refused with the fix), as its boundary would put commits already on the target branch
into the range. Without a RANGE, the merge request's target branch names it (GitLab, Jenkins,
GitHub variables): `<remote>/<target>..HEAD`, the target fetched fresh when `allow_fetch`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pipelinekit.errors import UsageError
from pipelinekit.release import cienv
from pipelinekit.release.commits import ParsedCommit, parse_commit, read_commits
from pipelinekit.release.settings import ReleaseConfig
from pipelinekit.util.git import Git


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


def default_range(git: Git, config: ReleaseConfig, environ: Mapping[str, str] | None = None) -> str:
    """`<remote>/<target>..HEAD` for the merge request this pipeline runs for."""
    env = os.environ if environ is None else environ
    target = cienv.merge_request_target(env)
    if not target:
        raise UsageError(
            "No RANGE given and this is not a merge-request pipeline (none of "
            f"{', '.join(cienv.TARGET_ENV)} is set). Pass the commits to check: "
            "`pipelinekit release lint origin/main..HEAD`."
        )
    remote = config.push_remote
    tracking = f"refs/remotes/{remote}/{target}"
    if config.allow_fetch:  # a stale target would put commits already merged into the range
        git.run("fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{target}:{tracking}",
                network=True)  # fmt: skip
    return f"{remote}/{target}..HEAD"
