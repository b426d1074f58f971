"""`release verify`: the tag pipeline's proof that a pushed tag is the release the policy means.

A tag is accepted only if it has the configured format, is annotated, equals the version the
policy computes for its commit from the tags that precede it, and the version files in that
commit say the same. Anything else is exit 1, before anything is published.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pipelinekit.errors import CheckFailed, UsageError
from pipelinekit.release import safety, versionfiles
from pipelinekit.release.git import Git
from pipelinekit.release.plan import Repo, compute
from pipelinekit.release.policy import channel_for_version
from pipelinekit.release.tagformat import parse_tag
from pipelinekit.release.tags import TagSet, read_tags
from pipelinekit.release.version import from_pep440

TAG_ENV = ("CI_COMMIT_TAG", "TAG_NAME")
"""Where GitLab and Jenkins name the tag of a tag pipeline."""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


class CommitTree:
    """The tree of a commit as a `versionfiles.Tree`, read through git."""

    def __init__(self, git: Git, commit: str, prefix: str) -> None:
        self.git, self.commit, self.prefix = git, commit, prefix

    def _path(self, path: str) -> str:
        return f"{self.prefix}{path}".rstrip("/")

    def read(self, path: str) -> str | None:
        spec = f"{self.commit}:{self._path(path)}"
        if not self.git.ok("cat-file", "-e", spec):
            return None
        return self.git.run("cat-file", "blob", spec)

    def dirs(self, path: str) -> list[str]:
        target = f"{self.commit}:{self._path(path)}" if self._path(path) else self.commit
        if not self.git.ok("cat-file", "-e", target):
            return []
        out = self.git.run("ls-tree", target)
        names = [line.split("\t", 1)[1] for line in out.splitlines() if " tree " in line]
        return sorted(n for n in names if not n.startswith("."))


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


def verify(repo: Repo, tag: str | None) -> list[Check]:
    """Run every check on `tag` (default: see `default_tag`); never raises for a failed check."""
    git, config = repo.git, repo.config
    safety.ensure_full_history(git, config, repo.notes, shallow=repo.shallow)
    have_tags = bool(read_tags(git, config.tag_format).all)
    safety.ensure_tags(git, config, repo.notes, refresh=False, have_tags=have_tags)
    name = tag or default_tag(git, config.tag_format)
    version = parse_tag(config.tag_format, name)
    checks = [
        Check(
            "format",
            version is not None,
            f"{name} matches tag_format {config.tag_format!r}"
            if version
            else f"{name} does not match tag_format {config.tag_format!r} with a SemVer version",
        )
    ]
    if not git.ok("rev-parse", "--verify", "--quiet", f"refs/tags/{name}"):
        raise UsageError(
            f"There is no tag {name} in this clone; check the name or run "
            f"`git fetch --tags {config.push_remote}`."
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
    checks.extend(_file_checks(repo, commit, version))
    return checks


def _file_checks(repo: Repo, commit: str, version: str) -> list[Check]:
    prefix = repo.project.relative_to(repo.root).as_posix()
    tree = CommitTree(repo.git, commit, "" if prefix == "." else f"{prefix}/")
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
            f"Tag {tag} is not a valid release: {reasons}. Delete the tag (`git push --delete "
            f"origin {tag}`) and release with `pipelinekit release` on the release branch."
        )
