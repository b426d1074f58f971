"""pip's requirement-file syntax: logical lines, `-r`/`-c` includes, names.

A requirement is read by `packaging` (PEP 508) first. pip also accepts lines PEP 508 has no words
for (editable installs, bare URLs and paths, `#egg=` fragments, per-line options such as
`--hash`), and real repositories hold typos; one bad line must not hide the rest, so what
`packaging` rejects is read tolerantly (see `parse_requirement`). The installer (uv or pip) is
the authority on what a line means.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[([^\]]*)\])?")
_EDITABLE = re.compile(r"(?:-e|--editable)(?:\s*=\s*|\s*)")
INCLUDE = re.compile(r"(?:(-r|-c)\s*|(--requirement|--constraint)(?:\s*=\s*|\s+))(\S+)")
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_ARCHIVES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar")
"""pip reads a line ending in an archive suffix as a file, even when it is a valid name."""


def normalize(name: str) -> str:
    """The PEP 503 normalised form of a distribution or extra name."""
    return canonicalize_name(name)


def requirement_part(line: str) -> str:
    """The requirement of a line without its per-requirement options (`--hash=...`): pip cuts
    at the first space-separated token that starts with `-`."""
    tokens = line.strip().split(" ")
    cut = next((i for i, token in enumerate(tokens) if token.startswith("-")), len(tokens))
    return " ".join(tokens[:cut]).strip()


def pep508(line: str) -> Requirement | None:
    """The line as a PEP 508 requirement (options cut); None for what PEP 508 cannot say or
    what pip reads as a file (`pkg-1.0-py3-none-any.whl` is a valid name, but a wheel to pip)."""
    text = requirement_part(line)
    if _looks_like_file(text):
        return None
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def parse_requirement(line: str) -> tuple[str, frozenset[str]] | None:
    """Name and extras (PEP 503 normalised) of a pip requirement line; None for options, paths
    and URLs that name no package, and blanks.

    `packaging` reads every PEP 508 line. The rest is read tolerantly, because pip accepts it
    or one typo must not hide a package: `-e`/`--editable` lines and bare URLs are named by
    their `#egg=` fragment or their wheel's file name; paths (`./pkg`, `libs/x.whl`,
    `C:\\wheels\\x.whl`) by a wheel's file name or not at all; a line with a malformed version
    (`numpy=1.2`, `torch>=`) by its leading name (the installer reports the typo itself).
    """
    line = line.strip()
    requirement = pep508(line)
    if requirement is not None:
        return normalize(requirement.name), frozenset(normalize(e) for e in requirement.extras)
    text = _EDITABLE.sub("", line, count=1) if line.startswith(("-e", "--editable")) else line
    if not text or text.startswith("-"):
        return None
    egg = _EGG.search(text)
    if egg:
        return normalize(egg[1]), _extras(egg[2])
    if _looks_like_file(text) or "/" in text or "\\" in text or text.startswith(("~", ".")):
        return _wheel_name(text)
    match = _NAME.match(text)
    return (normalize(match[1]), _extras(match[2])) if match else None


def _looks_like_file(text: str) -> bool:
    head = text.split("@", 1)[0].split(";", 1)[0].strip().lower()
    return "://" in head or head.endswith(_ARCHIVES)


def _wheel_name(location: str) -> tuple[str, frozenset[str]] | None:
    """A wheel's distribution name: its file name up to the first `-` (the wheel spec escapes
    `-` in names); None for anything else (a directory, an sdist, a VCS URL)."""
    path = unquote(re.split(r"[#?]", location, maxsplit=1)[0]).replace("\\", "/")
    filename = path.rstrip("/").rsplit("/", 1)[-1]
    if not filename.lower().endswith(".whl"):
        return None
    name = _NAME.fullmatch(filename.partition("-")[0])
    return (normalize(name[1]), frozenset()) if name else None


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


def exact_pin(line: str) -> tuple[str, str, str | None] | None:
    """(name, version, marker) of a `name==version` line (hashes allowed), else None."""
    requirement = pep508(line)
    specs = list(requirement.specifier) if requirement and not requirement.url else []
    if requirement is None or len(specs) != 1:
        return None
    spec = specs[0]
    if spec.operator not in ("==", "===") or spec.version.endswith("*"):
        return None
    marker = str(requirement.marker) if requirement.marker else None
    return normalize(requirement.name), spec.version, marker


def is_pinned(lines: list[str]) -> bool:
    """Every requirement line is `name==version` (hashes allowed): a lock in all but name."""
    requirements = [line for line in lines if not line.startswith("-")]
    return bool(requirements) and all(exact_pin(line) for line in requirements)
