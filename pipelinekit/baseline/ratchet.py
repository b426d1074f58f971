"""The ratchet: which of today's findings are new (they fail), which are recorded debt (they are
reported), and which of them can never be debt: code that cannot run.

The critical set is what GitHub's Python starter workflow gates on with flake8 (E9, F63, F7,
F82: syntax errors, `is` with a literal, `break` outside a loop, undefined names, names used
before assignment) in ruff's spelling; those fail whatever the repository's configuration and
baseline say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelinekit.baseline.fingerprint import Finding, fingerprints, most_common, project_path
from pipelinekit.baseline.store import Baseline, Entry

CRITICAL_SELECT = "E9,F63,F7,F82"
"""ruff `--select` for code that cannot run (flake8's E9,F63,F7,F82 in the starter workflow)."""
_CRITICAL = re.compile(r"E9\d*|F63\d|F7\d\d|F82\d|invalid-syntax")


def is_critical(code: str) -> bool:
    return bool(_CRITICAL.fullmatch(code))


@dataclass(frozen=True)
class Verdict:
    new: tuple[int, ...]
    """Indexes of the findings that fail the stage: not in the baseline, or critical."""
    debt: tuple[int, ...]
    """Indexes of the findings the baseline holds (reported, not failing)."""
    fixed: int
    """Baseline findings no longer found: the debt went down by this much."""
    fingerprints: tuple[str, ...]

    def summary(self, findings: Sequence[Finding]) -> str:
        """`345 known as baseline debt (E501 x120, F401 x30); 3 fixed since the baseline`."""
        if not self.debt and not self.fixed:
            return ""
        rules = ", ".join(
            f"{code} x{n}" for code, n in most_common(findings[i].code for i in self.debt)
        )
        known = f"{len(self.debt)} known as baseline debt" + (f" ({rules})" if rules else "")
        return known + (f"; {self.fixed} fixed since the baseline" if self.fixed else "")

    def debt_by_file(self, findings: Sequence[Finding], n: int = 5) -> str:
        """`debt by file: src/legacy.py 120, src/etl.py 30`: where paying it off helps most."""
        ranked = most_common((findings[i].path for i in self.debt), n)
        return (
            "debt by file: " + ", ".join(f"{path} {count}" for path, count in ranked)
            if ranked
            else ""
        )


def judge(
    root: Path, findings: Sequence[Finding], baseline: Baseline | None, prefix: str = "."
) -> Verdict:
    """Sort `findings` of the project in `root` (repository paths under `prefix`) into new and
    debt against `baseline`; without a baseline every finding is new, as before adoption."""
    prints = fingerprints(root, findings, prefix)
    if baseline is None:
        return Verdict(tuple(range(len(findings))), (), 0, tuple(prints))
    new, debt = [], []
    for index, (finding, fingerprint) in enumerate(zip(findings, prints, strict=True)):
        if baseline.holds(fingerprint) and not is_critical(finding.code):
            debt.append(index)
        else:
            new.append(index)
    fixed = len(set(baseline.lint) - set(prints))
    return Verdict(tuple(new), tuple(debt), fixed, tuple(prints))


def lint_entries(
    findings: Sequence[Finding], prints: Sequence[str], reason: str | None = None, prefix: str = "."
) -> dict[str, Entry]:
    """Baseline entries for findings (critical ones never become debt), project paths."""
    return {
        fingerprint: Entry(fingerprint, finding.code, project_path(finding, prefix), reason)
        for finding, fingerprint in zip(findings, prints, strict=True)
        if not is_critical(finding.code)
    }
