"""GitLab Code Quality: one issue per finding, built with the lint stage's helpers (stable
fingerprints that do not move with the line, the same issue shape), so the merge-request
widget shows audit findings beside lint findings and tells new from old."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipelinekit.audit.model import AuditReport
from pipelinekit.stages.lint_findings import codequality_issue, stable_fingerprint

CATEGORY = {
    "code_quality": "Bug Risk",
    "tests": "Bug Risk",
    "performance": "Performance",
    "gpu": "Performance",
    "packaging": "Compatibility",
    "cloud": "Compatibility",
    "cicd": "Clarity",
    "security": "Security",
    "monitoring": "Bug Risk",
}
"""Section -> Code Climate category."""


def to_codequality(report: AuditReport) -> list[dict[str, Any]]:
    section = {r.check.id: r.check.section for r in report.results}
    seen: Counter[tuple[str, ...]] = Counter()
    issues = []
    for f in report.findings:
        path = f.path or report.anchor
        debt = " (baseline debt)" if f.baseline == "unchanged" else ""
        issues.append(
            codequality_issue(
                check_name=f"audit/{f.code}",
                description=f"{f.check}: {f.message}{debt}",
                fingerprint=stable_fingerprint(seen, "audit", path, f.code, f.message),
                severity=f.severity,
                category=CATEGORY[section[f.check]],
                path=path,
                begin=f.line or 1,
                end=f.line or 1,
            )
        )
    return issues
