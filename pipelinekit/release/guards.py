"""Versions a release must never produce, checked by `next`, `--dry-run`, `release` and
`verify` alike: one that already exists, a prerelease of a version already released (it would
sort before that release), and one below the version the files already carry.
"""

from __future__ import annotations

from collections.abc import Iterable

import semver

from pipelinekit.errors import UsageError
from pipelinekit.release.policy import NextVersion
from pipelinekit.release.tagformat import format_tag
from pipelinekit.release.tags import VersionTag
from pipelinekit.release.version import from_pep440
from pipelinekit.util.git import Git


def released(tags: Iterable[VersionTag], version: semver.Version) -> VersionTag | None:
    """The tag that already holds `version` or, for a prerelease, its final release."""
    final = version.finalize_version() if version.prerelease else None
    return next(
        (t for t in tags if t.version == version or (final is not None and t.version == final)),
        None,
    )


def refuse_released(git: Git, nv: NextVersion, tags: Iterable[VersionTag], branch: str) -> None:
    """Stop when the computed version (or its final release) is already tagged elsewhere."""
    assert nv.version is not None
    tag = released(tags, nv.version)
    if tag is None:
        return
    what = (
        f"tag {tag.name} already exists"
        if tag.version == nv.version
        else f"{tag.version} was already released ({tag.name}) and a prerelease of it would "
        "sort before that release"
    )
    if git.ok("merge-base", "--is-ancestor", "HEAD", tag.commit):
        fix = (
            f"HEAD is behind that release: update to the newest commit of `{branch}` (`git pull "
            "--ff-only`; in CI, run the pipeline of the newest commit) and run again."
        )
    else:
        fix = (
            f"Merge that release into `{branch}` (`git merge {tag.name}`, e.g. merge main into "
            "develop) and release again."
        )
    raise UsageError(
        f"The policy computed {nv.version}, but {what} on commit {tag.commit[:7]}, which HEAD "
        f"does not contain. {fix}"
    )


def refuse_downgrade(
    nv: NextVersion, found: Iterable[tuple[str, str]], tag_format: str, remote: str
) -> None:
    """Stop when the computed version is below a version file's (`found`: spec, PEP 440).

    Versions are compared without their prerelease part: the files of a project that has not
    released yet often carry the version its first release will be, and a prerelease of it
    is no step back.
    """
    assert nv.version is not None
    for spec, value in found:
        try:
            current = semver.Version.parse(from_pep440(value))
        except UsageError:
            continue  # a form pipelinekit does not write (.dev0, epochs): nothing to compare
        if nv.version.finalize_version() >= current.finalize_version():
            continue  # 0.1.0-alpha.1 while the files say 0.1.0 (not yet released) is no step back
        tag = format_tag(tag_format, str(current))
        tag_it = f"tag that release (`git tag -a {tag} <commit> && git push {remote} {tag}`)"
        if nv.last is None:
            fix = (
                f"No release tag exists yet, so the policy starts from initial_version "
                f"{nv.base}. If {value} was released, {tag_it} or set "
                f'`tool.pipelinekit.release.initial_version = "{current}"`; if not, set the '
                "version in the files to the one the first release should follow."
            )
        else:
            fix = (
                f"The last release tag is {nv.last.name}. If {value} was released, {tag_it}; "
                f"if not, set the files back to {nv.last.version}."
            )
        raise UsageError(
            f"The policy computes {nv.version}, below the {value} in {spec}: releasing would "
            f"lower the version (below what may already be published). {fix} Then run again."
        )
