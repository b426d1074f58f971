"""Tag names from `tag_format`: one template drives formatting, parsing and protected-tag globs.

Deriving all three from the same string is what keeps the tags `release` creates, the tags
`verify` accepts and the tags GitLab/Jenkins protect from ever disagreeing.
"""

from __future__ import annotations

import re
from functools import lru_cache

PLACEHOLDER = "{version}"

SEMVER_PATTERN = (
    r"(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<prerelease>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
"""SemVer 2.0 grammar (leading zeros in numeric identifiers of the core refused)."""

_GLOB_SPECIALS = re.compile(r"[*?\[\]\\]")
# Characters git refuses in ref names (git check-ref-format), plus whitespace.
_BAD_REF_CHARS = re.compile(r"[\s~^:?*\[\\\x00-\x1f\x7f]")


def check_tag_format(tag_format: str) -> str:
    """Return `tag_format` if usable, else raise ValueError saying what is wrong."""
    if tag_format.count(PLACEHOLDER) != 1:
        raise ValueError(f"must contain `{PLACEHOLDER}` exactly once, e.g. `v{PLACEHOLDER}`")
    literal = tag_format.replace(PLACEHOLDER, "")
    if "{" in literal or "}" in literal:
        raise ValueError(f"only the `{PLACEHOLDER}` placeholder is supported")
    if _BAD_REF_CHARS.search(literal) or ".." in literal or "@{" in literal:
        raise ValueError("contains characters git does not allow in tag names")
    if tag_format.startswith(("/", "-", ".")) or tag_format.endswith(("/", ".", ".lock")):
        raise ValueError("is not a valid git tag name around the version")
    return tag_format


def format_tag(tag_format: str, version: str) -> str:
    """The tag name for `version` (a SemVer string)."""
    return tag_format.replace(PLACEHOLDER, version)


@lru_cache(maxsize=32)
def tag_regex(tag_format: str) -> re.Pattern[str]:
    """A compiled regex matching exactly the tags of `tag_format`; group `version` holds it."""
    prefix, _, suffix = tag_format.partition(PLACEHOLDER)
    return re.compile(f"^{re.escape(prefix)}(?P<version>{SEMVER_PATTERN}){re.escape(suffix)}$")


def parse_tag(tag_format: str, tag: str) -> str | None:
    """The SemVer string inside `tag`, or None when `tag` is not a version tag of this format."""
    match = tag_regex(tag_format).match(tag)
    return match["version"] if match else None


def protected_tag_pattern(tag_format: str) -> str:
    """The glob GitLab protected tags and Jenkins tag discovery use, e.g. `v*` for `v{version}`.

    A glob cannot express SemVer, so it over-matches (`v-nonsense`); `release verify` is the
    exact check. Glob metacharacters in the literal parts are replaced by `*` so the pattern
    never under-matches a real release tag.
    """
    check_tag_format(tag_format)
    prefix, _, suffix = tag_format.partition(PLACEHOLDER)
    glob = _GLOB_SPECIALS.sub("*", prefix) + "*" + _GLOB_SPECIALS.sub("*", suffix)
    return re.sub(r"\*+", "*", glob)
