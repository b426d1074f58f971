"""The check protocol and what an audit produces: a check has an id, a section and a probe
that reads the repository and returns hits; running it gives a status (pass, fail, or skip
with the reason) and findings with a severity, a repository-relative path and line, and a
message that says what to do."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pipelinekit.audit.repo import AuditRepo

Severity = Literal["critical", "major", "minor", "info"]
SEVERITIES: tuple[Severity, ...] = ("critical", "major", "minor", "info")
"""Highest first."""
Status = Literal["pass", "fail", "skip"]

SECTIONS: dict[str, str] = {
    "code_quality": "Code quality",
    "tests": "Tests",
    "performance": "Performance",
    "gpu": "GPU",
    "packaging": "Packaging",
    "cloud": "Cloud portability",
    "cicd": "CI/CD and versioning",
    "security": "Security",
    "monitoring": "Monitoring",
}
"""Section id -> title, in the checklist's order (reports keep it)."""


@dataclass(frozen=True)
class Hit:
    """What a probe reports; the check adds its id."""

    severity: Severity
    path: str | None
    """Relative to the audited folder, POSIX; None for the repository as a whole."""
    line: int | None
    message: str
    rule: str = ""
    """The tool's own rule (`S105`, `PY003`, `AWS Access Key`) when a tool found it."""


@dataclass(frozen=True)
class Finding:
    check: str
    severity: Severity
    path: str | None
    line: int | None
    message: str
    rule: str = ""
    baseline: Literal["new", "unchanged"] | None = None
    """Set against a committed baseline: `unchanged` is recorded debt, `new` is not."""

    @property
    def code(self) -> str:
        """Rule id for reports and the baseline: `check` or `check/rule`."""
        return f"{self.check}/{self.rule}" if self.rule else self.check

    @property
    def cell(self) -> None:
        """Findings are never per notebook cell (the baseline fingerprint asks)."""
        return None

    @property
    def where(self) -> str:
        if self.path is None:
            return "(repository)"
        return f"{self.path}:{self.line}" if self.line else self.path


class Skip(Exception):
    """Raised by a probe that cannot judge: the check is skipped with this reason, never
    passed (an unreachable vulnerability service proves nothing)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Probe = Callable[["AuditRepo"], list[Hit]]


@dataclass(frozen=True)
class Check:
    id: str
    section: str
    title: str
    """What passing means, as a short sentence (`No secrets are committed`)."""
    rationale: str
    """Why it matters (docs/audit.md)."""
    probe: Probe
    tool: str = ""
    """The field's tool that does the work, when one does (`ruff`, `detect-secrets`)."""

    def run(self, repo: AuditRepo) -> CheckResult:
        start = time.perf_counter()
        try:
            hits = self.probe(repo)
        except Skip as skip:
            return CheckResult(self, "skip", skip.reason, (), time.perf_counter() - start)
        from pipelinekit.util.redact import redact

        findings = tuple(
            sorted(
                (
                    Finding(self.id, h.severity, h.path, h.line, redact(h.message), h.rule)
                    for h in hits
                ),
                key=lambda f: (SEVERITIES.index(f.severity), f.path or "", f.line or 0, f.rule),
            )
        )
        seconds = time.perf_counter() - start
        if not findings:
            return CheckResult(self, "pass", self.title, (), seconds)
        noun = "finding" if len(findings) == 1 else "findings"
        worst = findings[0].severity
        return CheckResult(
            self, "fail", f"{len(findings)} {noun} (worst: {worst})", findings, seconds
        )


@dataclass(frozen=True)
class CheckResult:
    check: Check
    status: Status
    message: str
    findings: tuple[Finding, ...]
    seconds: float = 0.0


@dataclass(frozen=True)
class SectionScore:
    id: str
    title: str
    score: int | None
    """0-100; None when every check of the section was skipped."""
    checks: int
    failed: int
    skipped: int
    findings: dict[str, int] = field(default_factory=dict)
    """Severity -> count."""


@dataclass(frozen=True)
class AuditReport:
    root: str
    """The audited folder's name (never an absolute path: reports are shared)."""
    score: int
    sections: tuple[SectionScore, ...]
    results: tuple[CheckResult, ...]
    seconds: float
    anchor: str = "README.md"
    """The file repository-wide findings point at where a format needs a file (Code Quality,
    SARIF): the project's metadata file, else its README."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.results for f in r.findings)
