"""The lint stage's reports: GitLab Code Quality and SARIF 2.1.0 from one list of problems.

Both carry every finding, recorded debt included: Code Quality says which ones the baseline
holds in the description, SARIF in `baselineState` (warnings-ng and GitHub read it), so the
CI view shows the new ones apart from the old.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelinekit import reports
from pipelinekit.fsutil import atomic_write

if TYPE_CHECKING:
    from pipelinekit.stages.lint import Problem, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_SARIF_LEVEL: dict[Severity, str] = {
    "blocker": "error",
    "critical": "error",
    "major": "warning",
    "minor": "note",
    "info": "note",
}
"""warnings-ng maps SARIF error/warning/note to HIGH/NORMAL/LOW."""


def to_codequality(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    """GitLab Code Quality (Code Climate subset): one issue per problem.

    The fingerprint must stay the same while unrelated lines move, or GitLab reports every
    problem below an edit as new: it hashes path, rule, message and the occurrence number
    of that triple in the file, but not the line.
    """
    seen: Counter[tuple[str, str, str]] = Counter()
    issues: list[dict[str, Any]] = []
    for p in problems:
        key = (p.path, p.code, p.text)
        occurrence = seen[key]
        seen[key] += 1
        digest = hashlib.sha256("\0".join([*key, str(occurrence)]).encode()).hexdigest()
        issues.append(
            {
                "type": "issue",
                "description": f"{p.code}: {p.text}" + (" (baseline debt)" if p.debt else ""),
                "check_name": p.code,
                "fingerprint": digest[:32],
                "severity": p.severity,
                "categories": ["Style"] if p.severity == "minor" else ["Bug Risk"],
                "location": {"path": p.path, "lines": {"begin": p.line, "end": p.end_line}},
            }
        )
    return issues


def to_sarif(problems: Sequence[Problem]) -> dict[str, Any]:
    """SARIF 2.1.0 with one run whose driver is ruff, as warnings-ng' SARIF parser reads."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for p in problems:
        if p.code not in rules:
            rule: dict[str, Any] = {
                "id": p.code,
                "shortDescription": {"text": p.rule_name or p.code},
            }
            if p.rule_name:
                rule["name"] = p.rule_name
            if p.url:
                rule["helpUri"] = p.url
            rules[p.code] = rule
        state = (
            {"baselineState": "unchanged"} if p.debt else {"baselineState": "new"} if p.new else {}
        )
        results.append(
            {
                **state,
                "ruleId": p.code,
                "ruleIndex": list(rules).index(p.code),
                "level": _SARIF_LEVEL[p.severity],
                "message": {"text": p.text},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": p.path, "uriBaseId": "%SRCROOT%"},
                            "region": {
                                "startLine": p.line,
                                "startColumn": p.column,
                                "endLine": p.end_line,
                                "endColumn": p.end_column,
                            },
                        }
                    }
                ],
            }
        )
    driver: dict[str, Any] = {
        "name": "ruff",
        "informationUri": "https://docs.astral.sh/ruff/",
        "rules": list(rules.values()),
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }


def write_reports(reports_dir: Path, problems: Sequence[Problem]) -> tuple[Path, ...]:
    """Write both reports, each atomically, so CI never uploads a half-written file."""
    codequality = reports_dir / reports.CODEQUALITY
    sarif = reports_dir / reports.SARIF
    write_json_atomic(codequality, to_codequality(problems))
    write_json_atomic(sarif, to_sarif(problems))
    return (codequality, sarif)


def write_json_atomic(path: Path, data: Any) -> None:
    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
