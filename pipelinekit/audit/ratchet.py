"""The audit against the committed baseline (`pipelinekit-baseline.json`, section `audit`):
findings are fingerprinted like lint findings (rule, file, the finding's line of code, an
occurrence number; never the line number), so debt recorded on adoption stays debt while code
moves, and only findings the baseline does not hold can fail the audit job, and only at the
severities `[tool.pipelinekit.audit] fail_on` names."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelinekit.audit.model import SEVERITIES, AuditReport, CheckResult, Finding
from pipelinekit.baseline.fingerprint import fingerprints
from pipelinekit.baseline.store import Baseline, Entry


@dataclass(frozen=True)
class _Printable:
    """A finding as the fingerprint reads it (a repository-wide finding has no file)."""

    path: str
    line: int
    code: str
    message: str
    cell: None = None


def prints(project_dir: Path, findings: Sequence[Finding], prefix: str) -> list[str]:
    # The rule stands in for the message: messages carry counts that change between runs.
    printable = [_Printable(f.path or "", f.line or 0, f.code, f.code) for f in findings]
    return fingerprints(project_dir, printable, prefix)


def entries(project_dir: Path, report: AuditReport, prefix: str) -> dict[str, Entry]:
    """Baseline entries for every finding of `report` (project-relative paths)."""
    from pipelinekit.baseline.fingerprint import project_path

    findings = report.findings
    out = {}
    for finding, fingerprint in zip(findings, prints(project_dir, findings, prefix), strict=True):
        path = project_path(_Printable(finding.path or "", 0, "", ""), prefix)
        out[fingerprint] = Entry(fingerprint, finding.code, path)
    return out


def mark(
    report: AuditReport, project_dir: Path, prefix: str, baseline: Baseline | None
) -> AuditReport:
    """`report` with each finding marked `unchanged` (recorded debt) or `new`; unmarked when
    the project has no baseline (before adoption every finding is simply a finding)."""
    if baseline is None:
        return report
    found = report.findings
    state = {
        id(f): "unchanged" if fp in baseline.audit else "new"
        for f, fp in zip(found, prints(project_dir, found, prefix), strict=True)
    }
    results = tuple(
        CheckResult(
            r.check,
            r.status,
            r.message,
            tuple(dataclasses.replace(f, baseline=state[id(f)]) for f in r.findings),  # type: ignore[arg-type]
            r.seconds,
        )
        for r in report.results
    )
    return dataclasses.replace(report, results=results)


def failing(report: AuditReport, fail_on: str) -> list[Finding]:
    """Findings that fail the audit: not recorded debt, at `fail_on` severity or above."""
    if fail_on == "none":
        return []
    worst = SEVERITIES.index(fail_on)
    return [
        f
        for f in report.findings
        if f.baseline != "unchanged" and SEVERITIES.index(f.severity) <= worst
    ]
