"""Make a CI clone safe to compute a version from, or stop with the exact fix.

CI systems clone shallow, without tags, on a detached HEAD. A version computed from such a
clone is a guess; this module repairs what config allows (`--unshallow`, fetching tags) and
refuses the rest with exit 2, so no version is ever computed from a partial history.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pipelinekit.errors import UsageError
from pipelinekit.release.git import Git
from pipelinekit.release.settings import ReleaseConfig
from pipelinekit.release.tagformat import tag_regex

BRANCH_ENV = ("CI_COMMIT_BRANCH", "BRANCH_NAME", "GITHUB_HEAD_REF", "GITHUB_REF_NAME")
"""Where CI systems name the branch of a detached checkout (GitLab, Jenkins, GitHub)."""


@dataclass(frozen=True)
class Checkout:
    """Where HEAD is: `branch` is the branch released from, `detached` when HEAD is no branch."""

    head: str
    branch: str
    detached: bool


def remote_exists(git: Git, remote: str) -> bool:
    return remote in git.run("remote").split()


def ensure_full_history(
    git: Git, config: ReleaseConfig, notes: list[str], *, shallow: bool
) -> None:
    """Unshallow a shallow clone (when allowed) or stop with the fix."""
    if not shallow:
        return
    remote = config.push_remote
    fix = (
        f"Run `git fetch --unshallow --tags {remote}` first (GitLab: set GIT_DEPTH: 0 for the "
        "job; Jenkins: turn off shallow clone), or set "
        "`tool.pipelinekit.release.allow_unshallow = true`."
    )
    if not config.allow_unshallow:
        raise UsageError(
            f"This clone is shallow, so the last release tag and the commits since it may be "
            f"missing; pipelinekit never guesses a version from a partial history. {fix}"
        )
    if not remote_exists(git, remote):
        raise UsageError(
            f"This clone is shallow and has no remote `{remote}` to deepen it from. {fix}"
        )
    git.run("fetch", "--quiet", "--unshallow", "--tags", remote, network=True)
    notes.append(f"shallow clone deepened with `git fetch --unshallow --tags {remote}`")


def ensure_tags(
    git: Git, config: ReleaseConfig, notes: list[str], *, refresh: bool, have_tags: bool
) -> bool:
    """Make sure the local tags are the remote's; True when tags were fetched.

    A clone without tags looks exactly like a project that never released, so when no version
    tag exists locally (`have_tags` false) the remote is asked before concluding that. With
    `refresh` (a real release) tags are always fetched, so prerelease numbers are current.
    """
    if have_tags and not (refresh and config.allow_fetch):
        return False
    remote = config.push_remote
    if not remote_exists(git, remote):
        return False
    if refresh and config.allow_fetch:
        git.run("fetch", "--quiet", "--tags", remote, network=True)
        return True
    pattern = tag_regex(config.tag_format)
    listed = git.run("ls-remote", "--tags", "--refs", remote, network=True)
    remote_tags = [line.rpartition("refs/tags/")[2] for line in listed.splitlines()]
    missing = [t for t in remote_tags if pattern.match(t)]
    if not missing:
        return False
    if not config.allow_fetch:
        raise UsageError(
            f"This clone has none of the {len(missing)} release tags of `{remote}` (e.g. "
            f"{missing[-1]}), so the last release is unknown. Run `git fetch --tags {remote}` "
            "(Jenkins: enable 'Advanced clone behaviours > Fetch tags'), or set "
            "`tool.pipelinekit.release.allow_fetch = true`."
        )
    git.run("fetch", "--quiet", "--tags", remote, network=True)
    notes.append(f"{len(missing)} missing release tag(s) fetched from `{remote}`")
    return True


def resolve_checkout(
    head: str, head_ref: str, branch: str | None, environ: Mapping[str, str] | None = None
) -> Checkout:
    """The branch to release from: the checked-out one, else `--branch` or the CI's variable.

    `head_ref` is HEAD's symbolic name (`refs/heads/main`, or `HEAD` when detached).
    """
    env = os.environ if environ is None else environ
    current = head_ref.removeprefix("refs/heads/") if head_ref.startswith("refs/heads/") else ""
    if current:
        if branch and branch != current:
            raise UsageError(
                f"--branch {branch} was given but `{current}` is checked out; check out "
                f"`{branch}` or drop --branch."
            )
        return Checkout(head, current, detached=False)
    named = branch or next((env[v] for v in BRANCH_ENV if env.get(v)), None)
    if not named:
        raise UsageError(
            "HEAD is detached (usual in CI), so the release branch, and with it the channel, is "
            "unknown. Pass --branch NAME, set CI_COMMIT_BRANCH or BRANCH_NAME, or check out the "
            "branch: `git checkout -B main origin/main`."
        )
    return Checkout(head, named, detached=True)


def ensure_not_behind(git: Git, config: ReleaseConfig, checkout: Checkout) -> None:
    """Refuse to release a HEAD that is behind its remote branch (the push would lose or fail)."""
    remote = config.push_remote
    if not remote_exists(git, remote):
        raise UsageError(
            f"No git remote `{remote}` to push the release to; add it (`git remote add {remote} "
            "URL`) or set `tool.pipelinekit.release.push_remote`."
        )
    tracking = f"refs/remotes/{remote}/{checkout.branch}"
    if config.allow_fetch:
        ref = f"refs/heads/{checkout.branch}"
        if not git.run("ls-remote", "--heads", remote, ref, network=True).strip():
            return  # a branch the remote does not have yet: the push creates it
        git.run("fetch", "--quiet", remote, f"+{ref}:{tracking}", network=True)
    if not git.ok("rev-parse", "--verify", "--quiet", tracking):
        return
    behind, ahead = (
        int(n) for n in git.run("rev-list", "--left-right", "--count", f"{tracking}...HEAD").split()
    )
    if behind:
        raise UsageError(
            f"HEAD is {behind} commit(s) behind `{remote}/{checkout.branch}`; releasing it would "
            f"skip their changes. Run `git pull --ff-only {remote} {checkout.branch}` (in CI: "
            "re-run the pipeline of the newest commit) and release again."
        )
    if checkout.detached and ahead:  # only a checked-out branch may carry commits of its own
        raise UsageError(
            f"HEAD is detached and has {ahead} commit(s) that are not on "
            f"`{remote}/{checkout.branch}`; releasing would push them onto "
            f"`{checkout.branch}` unreviewed. Release from a pipeline of `{checkout.branch}` "
            f"itself (its HEAD is the branch's tip), or check out `{checkout.branch}`."
        )


def ensure_clean(git: Git) -> None:
    """Refuse to release over uncommitted changes to tracked files."""
    dirty = git.run("status", "--porcelain", "--untracked-files=no").splitlines()
    if dirty:
        shown = ", ".join(line[3:] for line in dirty[:5])
        raise UsageError(
            f"The working tree has uncommitted changes ({shown}); a release commits the version "
            "files and changelog on top of HEAD. Commit or stash them and release again."
        )
