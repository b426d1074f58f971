"""`release verify`: the tag pipeline's proof that a pushed tag is the release the policy means.

A tag is accepted only if it has the configured format (no build metadata), is annotated,
equals the version the policy computes for its commit from the tags that precede it, is not a
prerelease of a version already released before it, and the version files in that commit say
the same. The clone's release tags are first made the remote's (a Jenkins tag build may fetch
only its own tag), so a good tag never fails for want of history. Anything else is exit 1,
before anything is published.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pipelinekit.errors import CheckFailed, UsageError
from pipelinekit.release import versionfiles
from pipelinekit.release.cienv import TAG_ENV
from pipelinekit.release.filechanges import head_tree
from pipelinekit.release.guards import released
from pipelinekit.release.plan import Repo, compute, read_history
from pipelinekit.release.policy import channel_for_version
from pipelinekit.release.tagformat import parse_tag
from pipelinekit.release.tags import TagSet, read_tags, release_version
from pipelinekit.release.version import from_pep440
from pipelinekit.util.git import Git


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def default_tag(git: Git, tag_format: str, environ: Mapping[str, str] | None = None) -> str:
    """The tag to verify: the CI's tag variable, else the one version tag on HEAD."""
    env = os.environ if environ is None else environ
    named = next((env[v] for v in TAG_ENV if env.get(v)), None)
    if named:
        return named
    on_head = [
        t
        for t in git.run("tag", "--points-at", "HEAD").split()
        if parse_tag(tag_format, t) is not None
    ]
    if len(on_head) == 1:
        return on_head[0]
    found = (
        f"HEAD carries {len(on_head)} version tags ({', '.join(on_head)})"
        if on_head
        else ("HEAD carries no version tag")
    )
    raise UsageError(
        f"No tag to verify: {found} and CI_COMMIT_TAG/TAG_NAME are unset. Pass the tag: "
        "`pipelinekit release verify v1.2.3`."
    )


def _format_check(name: str, tag_format: str) -> Check:
    parsed = parse_tag(tag_format, name)
    if parsed is None:
        detail = f"{name} does not match tag_format {tag_format!r} with a SemVer version"
    elif "+" in parsed:
        detail = (
            f"{name} carries build metadata (+{parsed.partition('+')[2]}), which release tags "
            "never do (SemVer ignores it for ordering and PEP 440 cannot carry it)"
        )
    else:
        detail = f"{name} matches tag_format {tag_format!r}"
    return Check("format", release_version(tag_format, name) is not None, detail)


def verify(repo: Repo, tag: str | None) -> list[Check]:
    """Run every check on `tag` (default: see `default_tag`); never raises for a failed check."""
    git, config = repo.git, repo.config
    name = tag or default_tag(git, config.tag_format)
    read_history(repo)
    version = release_version(config.tag_format, name)
    checks = [_format_check(name, config.tag_format)]
    if not git.ok("rev-parse", "--verify", "--quiet", f"refs/tags/{name}"):
        raise UsageError(
            f"There is no tag {name} in this clone; check the name or run "
            f"`git fetch --tags {config.push_remote}`."
        )
    if not git.ok("rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{commit}}"):
        raise UsageError(
            f"Tag {name} points to a {git.run('cat-file', '-t', f'refs/tags/{name}^{{}}').strip()}"
            ", not a commit, so it is not a release; release tags are annotated tags of a "
            "commit (`git tag -a`), made by `pipelinekit release`."
        )
    commit = git.run("rev-parse", f"refs/tags/{name}^{{commit}}").strip()
    kind = git.run("cat-file", "-t", f"refs/tags/{name}").strip()
    checks.append(
        Check(
            "annotated",
            kind == "tag",
            "annotated tag" if kind == "tag" else "lightweight tag; releases need `git tag -a`",
        )
    )
    if version is None:
        return checks
    every = read_tags(git, config.tag_format, commit)
    own = every.by_name(name)
    assert own is not None
    # The tags this one follows: everything of a lower version (what existed when it was made).
    before = TagSet(
        tuple(t for t in every.all if t.version < own.version),
        every.reachable - {name},
    )
    nv = compute(repo, channel_for_version(own.version, config), commit=commit, tags=before)
    expected = str(nv.version) if nv.version else None
    checks.append(
        Check(
            "policy",
            expected == version,
            f"the policy computes {version} for {commit[:7]}"
            if expected == version
            else f"the policy computes {expected or 'no release'} for {commit[:7]} "
            f"({nv.reason}), not {version}",
        )
    )
    if own.version.prerelease:
        earlier = [t for t in every.all if t.stable and t.created < own.created]
        final = released(earlier, own.version)
        checks.append(
            Check(
                "prerelease",
                final is None,
                f"no release of {own.version.finalize_version()} precedes it"
                if final is None
                else f"{final.name} was released before this prerelease of it, which sorts "
                "before that release; the next prerelease must be of a later version",
            )
        )
    checks.extend(_file_checks(repo, commit, version))
    return checks


def _file_checks(repo: Repo, commit: str, version: str) -> list[Check]:
    tree = head_tree(repo, commit)
    checks = []
    for vf in versionfiles.resolve(tree, repo.config):
        text = tree.read(vf.path)
        if text is None:
            checks.append(Check(f"file {vf.spec}", False, f"{vf.path} is missing in {commit[:7]}"))
            continue
        found = versionfiles.read_version(vf, text)
        try:
            same = from_pep440(found) == version
        except UsageError:
            same = False
        checks.append(
            Check(
                f"file {vf.spec}",
                same,
                f"{vf.spec} = {found}"
                + ("" if same else f", expected the PEP 440 form of {version}"),
            )
        )
    return checks


def require(checks: list[Check], tag: str) -> None:
    """Raise CheckFailed (exit 1) naming every failed check."""
    failed = [c for c in checks if not c.ok]
    if failed:
        reasons = "; ".join(c.detail for c in failed)
        raise CheckFailed(
            f"Tag {tag} is not a valid release: {reasons}. If it was pushed as a release, "
            f"delete it (`git push --delete origin {tag}`) and release with `pipelinekit "
            "release` on the release branch."
        )
