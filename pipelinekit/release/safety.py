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
from pipelinekit.release import cienv
from pipelinekit.release.settings import ReleaseConfig
from pipelinekit.release.tags import TagSet, release_version
from pipelinekit.util.git import Git


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
    # no --tags: a moved non-release tag (`latest`) would fail it; sync_tags fetches releases
    git.run("fetch", "--quiet", "--unshallow", remote, network=True)
    notes.append(f"shallow clone deepened with `git fetch --unshallow {remote}`")


def sync_tags(git: Git, config: ReleaseConfig, notes: list[str], local: TagSet) -> bool:
    """Make this clone's release tags the remote's; True when missing tags were fetched.

    A clone without tags looks like a project that never released, and a reused CI workspace
    keeps the tags of its last fetch, so the remote is always asked (`git ls-remote`, one
    round trip). Missing tags are fetched by name (when `allow_fetch`), never by `--tags`,
    which a moved non-release tag such as `latest` would make fail. A release tag that points
    elsewhere than the remote's stops with the fix: a version computed from it would not be
    the remote's. A release tag only this clone has (not pushed yet, or deleted on the
    remote) counts, with a note.
    """
    remote = config.push_remote
    if not remote_exists(git, remote):
        return False
    listed = git.run("ls-remote", "--tags", "--refs", remote, network=True)
    theirs = {}
    for line in listed.splitlines():
        sha, _, ref = line.partition("\t")
        name = ref.removeprefix("refs/tags/")
        if release_version(config.tag_format, name) is not None:
            theirs[name] = sha
    ours = {t.name: t.ref for t in local.all}
    moved = sorted(n for n in theirs.keys() & ours.keys() if theirs[n] != ours[n])
    if moved:
        raise UsageError(
            f"Release tag {moved[0]} here is {ours[moved[0]][:7]} but `{remote}` has it at "
            f"{theirs[moved[0]][:7]} ({len(moved)} such tag(s)): this clone's tags are stale, "
            "as in a reused CI workspace. Take the remote's tags (`git fetch --force --tags "
            f"{remote}`; in CI clean the workspace, e.g. GitLab `GIT_STRATEGY: clone`) and run "
            "again."
        )
    only_here = sorted(ours.keys() - theirs.keys())
    if only_here:  # unpushed (or deleted there): they count, but say so
        first = only_here[0]
        notes.append(
            f"release tag(s) {', '.join(only_here[:3])} exist only in this clone, not on "
            f"`{remote}`; they count as releases here. Push them (`git push {remote} {first}`), "
            f"or, if they were deleted on `{remote}`, drop the local copy (`git tag -d {first}`)"
        )
    missing = sorted(theirs.keys() - ours.keys())
    if not missing:
        return False
    if not config.allow_fetch:
        raise UsageError(
            f"This clone lacks {len(missing)} release tag(s) of `{remote}` (e.g. "
            f"{missing[-1]}), so the last release is unknown. Run `git fetch --tags {remote}` "
            "(Jenkins: enable 'Advanced clone behaviours > Fetch tags'), or set "
            "`tool.pipelinekit.release.allow_fetch = true`."
        )
    refspecs = [f"refs/tags/{n}:refs/tags/{n}" for n in missing]
    git.run("fetch", "--quiet", "--no-tags", remote, *refspecs, network=True)
    notes.append(f"{len(missing)} missing release tag(s) fetched from `{remote}`")
    return True


def resolve_checkout(
    head: str,
    head_ref: str,
    branch: str | None,
    environ: Mapping[str, str] | None = None,
    remotes: tuple[str, ...] = (),
) -> Checkout:
    """The branch to release from: `--branch`, else the checked-out one, else the CI's.

    `head_ref` is HEAD's symbolic name (`refs/heads/main`, or `HEAD` when detached). Without
    `--branch`, a merge-request or tag pipeline raises `cienv.NotReleasePipeline`.
    """
    env = os.environ if environ is None else environ
    current = head_ref.removeprefix("refs/heads/") if head_ref.startswith("refs/heads/") else ""
    if branch and current and branch != current:
        raise UsageError(
            f"--branch {branch} was given but `{current}` is checked out; check out "
            f"`{branch}` or drop --branch."
        )
    if not branch:
        cienv.refuse_non_release_pipeline(env)
    if current:
        return Checkout(head, current, detached=False)
    named = branch or cienv.branch_from_env(env, remotes)
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
    branch = checkout.branch
    tracking = f"refs/remotes/{remote}/{branch}"
    unknown = None
    if config.allow_fetch:
        ref = f"refs/heads/{branch}"
        if git.run("ls-remote", "--heads", remote, ref, network=True).strip():
            git.run("fetch", "--quiet", remote, f"+{ref}:{tracking}", network=True)
        else:
            unknown = f"`{remote}` has no branch `{branch}`"
    elif not git.ok("rev-parse", "--verify", "--quiet", tracking):
        unknown = f"this clone has no `{remote}/{branch}` (and `allow_fetch` is false)"
    if unknown:
        if checkout.detached:  # nothing shows that HEAD belongs to that branch
            raise UsageError(
                f"HEAD is detached and {unknown}, so nothing shows that HEAD is on `{branch}`; "
                f"a release would push it there unreviewed. Check out `{branch}` (`git "
                f"checkout -B {branch} {remote}/{branch}`) or fetch it (`git fetch {remote} "
                f"{branch}`), or release from a pipeline of `{branch}` itself."
            )
        return  # a branch of its own that the remote does not have yet: the push creates it
    behind, ahead = (
        int(n) for n in git.run("rev-list", "--left-right", "--count", f"{tracking}...HEAD").split()
    )
    if checkout.detached and ahead:  # only a checked-out branch may carry commits of its own
        raise UsageError(
            f"HEAD is detached and has {ahead} commit(s) that are not on `{remote}/{branch}`; "
            f"releasing would push them onto `{branch}` unreviewed. Release from a pipeline of "
            f"`{branch}` itself (its HEAD is the branch's tip), or check out `{branch}`."
        )
    if behind:
        raise UsageError(
            f"HEAD is {behind} commit(s) behind `{remote}/{branch}`; releasing it would skip "
            f"their changes. Run `git pull --ff-only {remote} {branch}` (in CI: re-run the "
            "pipeline of the newest commit) and release again."
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
