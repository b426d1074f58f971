"""What the image is: version, commit, creation time and source, for tags and OCI labels.

Version, first found wins:
1. `PIPELINEKIT_VERSION` in the environment: a release job states what it publishes.
2. The project's wheel in `<project>/dist/` (the package stage's output): exactly what ships,
   with dynamic versions (setuptools-scm, attr:) already resolved by the build backend.
3. The static version in the project metadata.
4. `git describe --tags`: `v1.4.2` on the tag itself gives 1.4.2, three commits later
   1.4.2-dev.3 (a prerelease, so `latest` does not move); no tag at all gives 0.0.0-dev.N.

Revision: CI_COMMIT_SHA / GIT_COMMIT, else `git rev-parse HEAD`. Created: SOURCE_DATE_EPOCH,
else the commit time, so rebuilding a commit gives identical labels. Source: CI_PROJECT_URL /
GIT_URL, else the `origin` remote, always without credentials.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from packaging.utils import canonicalize_name

from pipelinekit.util.git import Git

_DESCRIBE = re.compile(r"^v?(?P<version>\d[^-]*)(?:-(?P<ahead>\d+)-g[0-9a-f]+)?(?P<dirty>-dirty)?$")
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


@dataclass(frozen=True)
class ImageMeta:
    version: str
    version_source: str
    revision: str | None
    created: str
    source: str

    def build_args(self) -> dict[str, str]:
        return {
            "VERSION": self.version,
            "REVISION": self.revision or "unknown",
            "CREATED": self.created,
            "SOURCE": self.source,
        }


def _git(project_dir: Path, *args: str) -> str | None:
    out = (Git(project_dir).query(*args) or "").strip()
    return out or None


def wheel_version(project_dir: Path, name: str) -> str | None:
    """The version in the newest `dist/<name>-<version>-*.whl` of this project."""
    wanted = canonicalize_name(name)
    found: list[tuple[float, str]] = []
    for wheel in (project_dir / "dist").glob("*.whl"):
        parts = wheel.name.split("-")
        if len(parts) >= 5 and canonicalize_name(parts[0]) == wanted:
            found.append((wheel.stat().st_mtime, parts[1]))
    return max(found)[1] if found else None


def describe_version(described: str | None, commits: str | None) -> str:
    """`git describe --tags` output -> a version (see the module docstring)."""
    match = _DESCRIBE.match(described or "")
    if not match:
        return f"0.0.0-dev.{commits or 0}"
    ahead = int(match["ahead"] or 0)
    return f"{match['version']}-dev.{ahead}" if ahead else match["version"]


def resolve(project_dir: Path, name: str, static: str | None, env: Mapping[str, str]) -> ImageMeta:
    version, how = env.get("PIPELINEKIT_VERSION", "").strip(), "PIPELINEKIT_VERSION"
    if not version:
        version, how = wheel_version(project_dir, name) or "", "dist/ wheel"
    if not version:
        version, how = static or "", "project metadata"
    if not version:
        described = _git(
            project_dir, "describe", "--tags", "--match", "v[0-9]*", "--match", "[0-9]*"
        )
        version = describe_version(described, _git(project_dir, "rev-list", "--count", "HEAD"))
        how = "git describe"
    revision = (
        env.get("CI_COMMIT_SHA") or env.get("GIT_COMMIT") or _git(project_dir, "rev-parse", "HEAD")
    )
    epoch = env.get("SOURCE_DATE_EPOCH") or _git(project_dir, "log", "-1", "--format=%ct") or "0"
    try:
        created = datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError, OSError):
        created = "1970-01-01T00:00:00Z"
    source = (
        env.get("CI_PROJECT_URL")
        or env.get("GIT_URL")
        or _git(project_dir, "remote", "get-url", "origin")
        or ""
    )
    return ImageMeta(version, how, revision, created, _USERINFO.sub("", source))
