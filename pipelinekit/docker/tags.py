"""Docker tags for a version: `1.4.2` -> 1.4.2, 1.4, 1, latest; prereleases as they are.

Docker tags allow `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`, so semver build metadata (`+build.7`)
cannot appear verbatim: `+` becomes `_` (not `-`, which would read as a prerelease), and the
version without metadata is tagged too. The floating tags (X.Y, X, latest) move only for
stable releases, never for prereleases; `0.x` gets no bare major tag because 0.x minors are
not compatible with each other. PEP 440 versions (`1.4.2rc1`) are accepted as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from packaging.version import InvalidVersion, Version

_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+(?P<build>[0-9A-Za-z.-]+))?$"
)
_INVALID = re.compile(r"[^A-Za-z0-9_.-]")
MAX_TAG = 128
SHA_PREFIX = "sha-"
SHA_LENGTH = 12


def sanitize(tag: str) -> str:
    """A valid docker tag for any text: `+` and other characters -> `_`, at most 128 long."""
    cleaned = _INVALID.sub("_", tag.strip()).lstrip(".-") or "_"
    return cleaned[:MAX_TAG]


def version_tags(version: str, *, latest: bool = True) -> list[str]:
    """Tags for `version`, most specific first, without duplicates."""
    match = _SEMVER.match(version.strip())
    if match:
        major, minor, patch = match["major"], match["minor"], match["patch"]
        core = f"{major}.{minor}.{patch}" + (f"-{match['pre']}" if match["pre"] else "")
        stable = match["pre"] is None
    else:
        try:
            parsed = Version(version)
        except InvalidVersion:
            return [sanitize(version)]
        release = (*parsed.release, 0, 0)
        major, minor = str(release[0]), str(release[1])
        core = parsed.public
        stable = not (parsed.is_prerelease or parsed.is_devrelease)
    tags = [sanitize(version.strip().removeprefix("v")), sanitize(core)]
    if stable and latest:
        tags.append(f"{major}.{minor}")
        if major != "0":
            tags.append(major)
        tags.append("latest")
    return list(dict.fromkeys(tags))


def sha_tag(sha: str) -> str:
    return sanitize(SHA_PREFIX + sha[:SHA_LENGTH])


def image_tags(version: str, sha: str | None, *, latest: bool = True) -> list[str]:
    tags = version_tags(version, latest=latest)
    if sha:
        tags.append(sha_tag(sha))
    return list(dict.fromkeys(tags))


def build_tags(version: str, sha: str | None, env: Mapping[str, str], *, latest: bool) -> list[str]:
    """Version tags only for a release build: a tag pipeline (CI_COMMIT_TAG, Jenkins TAG_NAME)
    or an explicit PIPELINEKIT_VERSION. A branch build would otherwise re-push `1.4.2` and
    `latest` from whatever commit follows the release while the static version stays 1.4.2;
    it gets the branch name and the commit instead (a local build without either: the version)."""
    if env.get("PIPELINEKIT_VERSION") or env.get("CI_COMMIT_TAG") or env.get("TAG_NAME"):
        return image_tags(version, sha, latest=latest)
    branch = env.get("CI_COMMIT_BRANCH") or env.get("BRANCH_NAME")
    tags = [sanitize(branch)] if branch else []
    if sha:
        tags.append(sha_tag(sha))
    return tags or version_tags(version, latest=False)[:1]
