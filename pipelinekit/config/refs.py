"""Branch and tag names and globs: validation against git's ref rules, and translation of a
glob into the regular expressions CI systems match with.

Validating first means every name that reaches a generated file is one git could really
have; escaping for each target language (YAML, Groovy, RE2) still happens in the emitters.
"""

from __future__ import annotations

import re

_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:\\\[]|\.\.|@\{|//")


def ref_glob_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be a branch/tag name or glob (None when it can).

    Git's check-ref-format rules, with `*` and `?` allowed as glob characters.
    """
    if not pattern:
        return "it is empty"
    bad = _FORBIDDEN.search(pattern)
    if bad:
        return f"it contains {bad.group()!r}, which git does not allow in a ref name"
    if pattern.startswith(("/", "-", ".")) or pattern.endswith(("/", ".", ".lock")):
        return "it starts or ends with a character git does not allow there"
    return None


def glob_to_regex(pattern: str) -> str:
    """A glob as an anchored regex: `*` stays within one path segment, `**` crosses segments,
    `?` is one character, everything else is literal (ASCII punctuation escaped, other
    characters as they are, which is what RE2 accepts; `/` is left as is for the
    caller, whose regex literal may need it escaped). Matches Jenkins' GLOB comparator
    (java.nio glob syntax) so GitLab and Jenkins select the same branches."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char.isalnum() or char in "_/" or not char.isascii():
            out.append(char)  # RE2 (GitLab) refuses an escaped non-ASCII character
        else:
            out.append("\\" + char)
        i += 1
    return "^" + "".join(out) + "$"


def is_glob(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern
