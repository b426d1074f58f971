"""pip's requirement-file syntax, read tolerantly: logical lines, `-r`/`-c` includes, names.

Requirement files in real repositories hold URLs, `-e` lines, options, hashes and typos that a
strict parser rejects, and one bad line must not hide the rest, so names are matched with a
tolerant pattern here; the installer (uv or pip) is the authority on what a line means.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[([^\]]*)\])?")
_WHEEL = re.compile(r"([A-Za-z0-9_.]+?)-\d[^/]*\.whl\b")
INCLUDE = re.compile(r"(?:(-r|-c)\s*|(--requirement|--constraint)(?:\s*=\s*|\s+))(\S+)")
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_PINNED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?\s*===?\s*[^\s,;*<>=!~]+\s*(;.*)?")
_HASH = re.compile(r"\s--hash[=\s]\S+")


def normalize(name: str) -> str:
    """The PEP 503 normalised form of a distribution or extra name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirement(line: str) -> tuple[str, frozenset[str]] | None:
    """Name and extras of a pip requirement line; None for options, bare paths and blanks."""
    line = line.strip()
    egg = _EGG.search(line)
    if egg:
        return normalize(egg[1]), _extras(egg[2])
    if not line or line.startswith("-"):
        return None
    if "://" in line.split("@", 1)[0] or line.startswith((".", "/", "~")):
        wheel = _WHEEL.search(line.rsplit("/", 1)[-1])
        return (normalize(wheel[1]), frozenset()) if wheel else None
    match = _NAME.match(line)
    return (normalize(match[1]), _extras(match[2])) if match else None


def _extras(text: str | None) -> frozenset[str]:
    return frozenset(normalize(e.strip()) for e in (text or "").split(",") if e.strip())


def logical_lines(text: str) -> Iterator[str]:
    """pip's line model: `\\` joins lines, `#` after whitespace (or at the start) is a comment."""
    for line in re.sub(r"\\\r?\n", "", text).splitlines():
        line = _COMMENT.sub("", line).strip()
        if line:
            yield line


def relative(path: Path, root: Path) -> str:
    """`path` relative to `root` as POSIX; '../' when it reaches outside the project."""
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()


@dataclass
class RequirementFile:
    """A requirement file and everything it pulls in through `-r` and `-c`."""

    requirements: list[tuple[str, str]] = field(default_factory=list)
    """(line, file relative to the project) for every requirement line, includes followed."""
    files: list[str] = field(default_factory=list)
    """The file itself and every file it includes or constrains with, inside the project."""
    constraint_files: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    read: list[Path] = field(default_factory=list)
    """Every file read, wherever it is (`-c ../constraints.txt` too): what decides the result."""
    options: list[str] = field(default_factory=list)
    """Option lines (`--extra-index-url ...`, `-f ...`): an index URL can name a CUDA line."""


def read_requirement_file(
    path: Path, root: Path, seen: set[Path] | None = None, into: RequirementFile | None = None
) -> RequirementFile:
    """Parse a pip requirements file, following `-r` includes (cycles cut by `seen`)."""
    out = into if into is not None else RequirementFile()
    seen = set() if seen is None else seen
    resolved = path.resolve()
    if resolved in seen:
        return out
    seen.add(resolved)
    rel = relative(path, root)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        out.unreadable.append(rel)
        return out
    out.read.append(resolved)
    if not rel.startswith("../"):
        out.files.append(rel)
    for line in logical_lines(text):
        include = INCLUDE.fullmatch(line)
        if include:
            target = path.parent / include[3]
            if (include[1] or include[2]) in ("-r", "--requirement"):
                read_requirement_file(target, root, seen, out)
            elif target.is_file():
                out.read.append(target.resolve())
                if not relative(target, root).startswith("../"):
                    out.files.append(relative(target, root))
                    out.constraint_files.append(relative(target, root))
            continue
        if not line.startswith("-") or line.startswith(("-e", "--editable")):
            out.requirements.append((line, rel))
        else:
            out.options.append(line)
    return out


def is_pinned(lines: list[str]) -> bool:
    """Every requirement line is `name==version` (hashes allowed): a lock in all but name."""
    requirements = [_HASH.sub("", line).strip() for line in lines if not line.startswith("-")]
    return bool(requirements) and all(_PINNED.fullmatch(line) for line in requirements)
