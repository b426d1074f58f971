"""Fingerprints of lint findings that survive moved code: rule + file + the normalised text of
the finding's line, numbered when the same triple repeats in a file.

Only the line itself counts (as SonarQube's line hashes): editing a neighbour must not turn an
untouched line's old finding into a new one. A whole-file finding (the formatter would change
the file) hashes the file's content instead, so a file touched since the baseline has to be
formatted: new unformatted code cannot hide in a file that was already unformatted."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

WHOLE_FILE = "unformatted"
"""A finding about a whole file (the formatter would change it)."""


class Finding(Protocol):
    """What a fingerprint needs of a finding (the lint stage's Problem has it)."""

    @property
    def path(self) -> str: ...

    @property
    def line(self) -> int: ...

    @property
    def code(self) -> str: ...

    @property
    def message(self) -> str: ...

    @property
    def cell(self) -> int | None: ...


@cache
def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


@cache
def _lines(path: Path) -> tuple[str, ...]:
    # Lines as ruff counts them: a form feed or U+2028 (str.splitlines) does not end one.
    return tuple(" ".join(line.split()) for line in _LINE_END.split(_text(path)))


_LINE_END = re.compile(r"\r\n|\r|\n")


def project_path(finding: Finding, prefix: str) -> str:
    """The finding's path inside the project: reports name paths from the repository root
    (`services/api/x.py`), the baseline from the project's folder, so the same finding has
    one fingerprint whether the job runs from the repository root or the project's folder."""
    if prefix in ("", "."):
        return finding.path
    return finding.path.removeprefix(prefix.rstrip("/") + "/")


def context(root: Path, finding: Finding, prefix: str = ".") -> str:
    """The finding's line, whitespace-normalised (indentation changes and moves keep it); a
    notebook cell's message stands in for its code; a whole-file finding is the file's hash."""
    path = root / project_path(finding, prefix)
    if finding.code == WHOLE_FILE:
        text = "\n".join(_LINE_END.split(_text(path)))  # a CRLF checkout is the same file
        return "file:" + hashlib.sha256(text.encode()).hexdigest()
    if finding.cell is not None or finding.path.endswith(".ipynb"):
        return f"cell:{finding.message}"
    lines = _lines(path)
    return lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""


def fingerprints(root: Path, findings: Sequence[Finding], prefix: str = ".") -> list[str]:
    """One fingerprint per finding, in order; `root` is the project's folder and `prefix` the
    project's folder inside the repository, where the findings' paths start."""
    _text.cache_clear()  # files change between runs in one process (tests, baseline update)
    _lines.cache_clear()
    seen: Counter[tuple[str, str, str]] = Counter()
    out: list[str] = []
    for finding in findings:
        key = (finding.code, project_path(finding, prefix), context(root, finding, prefix))
        occurrence = seen[key]
        seen[key] += 1
        digest = hashlib.sha256("\0".join([*key, str(occurrence)]).encode()).hexdigest()
        out.append(digest[:24])
    return out


def most_common(codes: Iterable[str], n: int = 5) -> list[tuple[str, int]]:
    """The values seen most often (rules, files), most first, ties in order of the value."""
    counts = Counter(codes)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]
