"""Fingerprints of lint findings that survive moved code: rule + file + the normalised text of
the finding's line and its neighbours, numbered when the same triple repeats in a file."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

CONTEXT = 1
"""Lines of context on each side of the finding's line."""
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
def _lines(path: Path) -> tuple[str, ...]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ()
    return tuple(" ".join(line.split()) for line in text.splitlines())


def project_path(finding: Finding, prefix: str) -> str:
    """The finding's path inside the project: reports name paths from the repository root
    (`services/api/x.py`), the baseline from the project's folder, so the same finding has
    one fingerprint whether the job runs from the repository root or the project's folder."""
    if prefix in ("", "."):
        return finding.path
    return finding.path.removeprefix(prefix.rstrip("/") + "/")


def context(root: Path, finding: Finding, prefix: str = ".") -> str:
    """The finding's line and its neighbours, whitespace-normalised (indentation changes and
    moves keep it); a notebook cell's message stands in for its code."""
    if finding.code == WHOLE_FILE:
        return ""  # a file that needs formatting is one finding, wherever its first change is
    if finding.cell is not None or finding.path.endswith(".ipynb"):
        return f"cell:{finding.message}"
    lines = _lines(root / project_path(finding, prefix))
    start = max(finding.line - 1 - CONTEXT, 0)
    return "\n".join(lines[start : finding.line + CONTEXT])


def fingerprints(root: Path, findings: Sequence[Finding], prefix: str = ".") -> list[str]:
    """One fingerprint per finding, in order; `root` is the project's folder and `prefix` the
    project's folder inside the repository, where the findings' paths start."""
    _lines.cache_clear()  # files change between runs in one process (tests, baseline update)
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
