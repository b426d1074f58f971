"""Scores: 0-100 per section and overall, weighted so that one critical finding dominates.

A check costs its section the weight of its worst finding, plus a quarter of that for each
further finding of that check, at most twice the weight (a hundred unsorted imports are one
habit, not a hundred problems). A section with a critical finding scores at most 40, and so
does the repository: no number of clean sections outweighs a committed cloud key. Findings
of severity `info` cost nothing; a section whose every check was skipped has no score and
does not count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pipelinekit.audit.model import SECTIONS, SEVERITIES, CheckResult, SectionScore, Severity

WEIGHT: dict[Severity, float] = {"critical": 60.0, "major": 25.0, "minor": 8.0, "info": 0.0}
CRITICAL_CAP = 40


def check_penalty(result: CheckResult) -> float:
    if not result.findings:
        return 0.0
    worst = min(result.findings, key=lambda f: SEVERITIES.index(f.severity)).severity
    weight = WEIGHT[worst]
    return min(weight * (1 + 0.25 * (len(result.findings) - 1)), 2 * weight)


def section_scores(results: Sequence[CheckResult]) -> tuple[SectionScore, ...]:
    out = []
    for section, title in SECTIONS.items():
        mine = [r for r in results if r.check.section == section]
        ran = [r for r in mine if r.status != "skip"]
        findings = Counter(f.severity for r in mine for f in r.findings)
        score: int | None = None
        if ran:
            score = max(0, round(100 - sum(check_penalty(r) for r in ran)))
            if findings["critical"]:
                score = min(score, CRITICAL_CAP)
        out.append(
            SectionScore(
                id=section,
                title=title,
                score=score,
                checks=len(mine),
                failed=sum(r.status == "fail" for r in mine),
                skipped=sum(r.status == "skip" for r in mine),
                findings={s: findings[s] for s in SEVERITIES if findings[s]},
            )
        )
    return tuple(out)


def overall(sections: Sequence[SectionScore]) -> int:
    """The mean of the scored sections, capped at 40 when any finding is critical."""
    scored = [s.score for s in sections if s.score is not None]
    if not scored:
        return 100
    score = round(sum(scored) / len(scored))
    if any(s.findings.get("critical") for s in sections):
        score = min(score, CRITICAL_CAP)
    return score
