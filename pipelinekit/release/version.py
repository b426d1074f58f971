"""SemVer arithmetic (via `semver`) and the PEP 440 mapping Python metadata needs.

Tags and the policy speak SemVer; pyproject and `__version__` must speak PEP 440. Only the
forms that map one-to-one are accepted (`X.Y.Z`, `-alpha.N`/`-beta.N`/`-rc.N` ⇄ `aN`/`bN`/`rcN`),
so a version read back from a file always equals the tag it came from.
"""

from __future__ import annotations

import re
from typing import Literal

import semver

from pipelinekit.errors import UsageError

BumpLevel = Literal["major", "minor", "patch", "none"]
LEVELS: dict[str, int] = {"none": 0, "patch": 1, "minor": 2, "major": 3}
"""Bump levels in increasing order, so the strongest bump in a range is a plain `max`."""

_TOKEN_TO_PEP440 = {"alpha": "a", "beta": "b", "rc": "rc"}
_PEP440_TO_TOKEN = {v: k for k, v in _TOKEN_TO_PEP440.items()}
_PEP440 = re.compile(
    r"^(?P<core>(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*))(?:(?P<pre>a|b|rc)(?P<n>0|[1-9]\d*))?$"
)
_PRERELEASE = re.compile(r"^(?P<token>alpha|beta|rc)\.(?P<n>0|[1-9]\d*)$")


def parse(version: str) -> semver.Version:
    """Parse a SemVer string; a malformed one is a usage error naming it."""
    try:
        return semver.Version.parse(version)
    except (ValueError, TypeError) as exc:
        raise UsageError(
            f"{version!r} is not a SemVer version (MAJOR.MINOR.PATCH[-PRERELEASE]); use e.g. "
            "1.4.2 or 2.0.0-rc.1."
        ) from exc


def is_stable_semver(version: str) -> bool:
    """True for a plain `X.Y.Z` (no prerelease, no build metadata)."""
    try:
        v = semver.Version.parse(version)
    except (ValueError, TypeError):
        return False
    return v.prerelease is None and v.build is None


def bump(version: semver.Version, level: BumpLevel) -> semver.Version:
    """The next stable version after the stable `version` for a bump `level`."""
    if level == "major":
        return version.bump_major()
    if level == "minor":
        return version.bump_minor()
    if level == "patch":
        return version.bump_patch()
    return version


def prerelease_parts(version: semver.Version) -> tuple[str, int] | None:
    """(`token`, N) of an `-alpha.N`/`-beta.N`/`-rc.N` version, None for anything else."""
    if version.prerelease is None:
        return None
    match = _PRERELEASE.match(version.prerelease)
    return (match["token"], int(match["n"])) if match else None


def to_pep440(version: str) -> str:
    """`2.0.0-rc.1` → `2.0.0rc1`; refuses SemVer forms PEP 440 cannot represent exactly."""
    v = parse(version)
    core = f"{v.major}.{v.minor}.{v.patch}"
    if v.build is not None:
        raise UsageError(
            f"{version!r} has build metadata (+{v.build}), which PEP 440 has no exact form for; "
            "drop the `+...` part."
        )
    if v.prerelease is None:
        return core
    parts = prerelease_parts(v)
    if parts is None:
        raise UsageError(
            f"{version!r} has prerelease `{v.prerelease}`; Python metadata can only carry "
            "`-alpha.N`, `-beta.N` or `-rc.N` (PEP 440 aN, bN, rcN). Use one of those."
        )
    token, n = parts
    return f"{core}{_TOKEN_TO_PEP440[token]}{n}"


def from_pep440(version: str) -> str:
    """`2.0.0rc1` → `2.0.0-rc.1`; refuses PEP 440 forms without an exact SemVer twin."""
    match = _PEP440.match(version.strip())
    if match is None:
        raise UsageError(
            f"{version!r} is not a version pipelinekit can map to SemVer; it must be X.Y.Z with "
            "an optional aN, bN or rcN suffix (no epochs, .post, .dev or +local parts)."
        )
    if match["pre"] is None:
        return match["core"]
    return f"{match['core']}-{_PEP440_TO_TOKEN[match['pre']]}.{match['n']}"
