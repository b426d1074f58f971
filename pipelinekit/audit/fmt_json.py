"""The JSON report, the contract tests and users rely on: exactly `score`, `sections`,
`checks` (id, section, status, message) and `findings` (check, severity, path, line,
message), paths relative to the repository root."""

from __future__ import annotations

from typing import Any

from pipelinekit.audit.model import AuditReport


def to_json(report: AuditReport) -> dict[str, Any]:
    return {
        "score": report.score,
        "sections": [
            {
                "id": s.id,
                "title": s.title,
                "score": s.score,
                "checks": s.checks,
                "failed": s.failed,
                "skipped": s.skipped,
                "findings": dict(s.findings),
            }
            for s in report.sections
        ],
        "checks": [
            {"id": r.check.id, "section": r.check.section, "status": r.status, "message": r.message}
            for r in report.results
        ],
        "findings": [
            {
                "check": f.check,
                "severity": f.severity,
                "path": f.path,
                "line": f.line,
                "message": f.message,
            }
            for f in report.findings
        ],
    }
