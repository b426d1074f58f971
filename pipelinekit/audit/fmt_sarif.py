"""SARIF 2.1.0 for Jenkins warnings-ng and code scanning: one run whose driver is the audit,
one rule per check (its title, rationale and section), one result per finding, built with
the lint stage's SARIF helpers. Findings about the repository as a whole point at its
metadata file; findings without a line carry no region."""

from __future__ import annotations

from typing import Any

from pipelinekit import __version__
from pipelinekit.audit.model import SECTIONS, AuditReport
from pipelinekit.stages.lint_findings import sarif_log, sarif_result


def to_sarif(report: AuditReport) -> dict[str, Any]:
    checks = [r.check for r in report.results]
    index = {c.id: i for i, c in enumerate(checks)}
    rules = [
        {
            "id": c.id,
            "name": c.id,
            "shortDescription": {"text": c.title},
            "fullDescription": {"text": c.rationale},
            "help": {"text": f"{c.rationale} (pipelinekit docs/audit.md, `{c.id}`)"},
            "properties": {"tags": [SECTIONS[c.section]], **({"tool": c.tool} if c.tool else {})},
        }
        for c in checks
    ]
    results = [
        sarif_result(
            rule_id=f.check,
            rule_index=index[f.check],
            severity=f.severity,
            text=f.message,
            path=f.path or report.anchor,
            region={"startLine": f.line} if f.line else None,
            baseline_state=f.baseline,
        )
        for f in report.findings
    ]
    driver = {
        "name": "pipelinekit-audit",
        "version": __version__,
        "rules": rules,
    }
    return sarif_log(driver, results, properties={"score": report.score})
