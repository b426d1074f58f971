"""The audit as a CI job and as a command: run it, mark recorded debt from the baseline, and
decide whether it fails (`fail_on`). The `audit` stage (pipelinekit.stages.audit) writes every
report format into `.pipelinekit/reports/`; it is report-only unless configured to gate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelinekit.audit import ratchet, runner
from pipelinekit.audit.model import AuditReport, Finding
from pipelinekit.baseline import store
from pipelinekit.config.models import Config
from pipelinekit.detect.facts import ProjectFacts

SHOWN = 10


@dataclass(frozen=True)
class Assessed:
    report: AuditReport
    failing: tuple[Finding, ...]
    fail_on: str

    @property
    def summary(self) -> str:
        """`audit: score 72/100, 9 findings (critical 1, major 3) in 2.1 s; report-only`."""
        r = self.report
        counts: dict[str, int] = {}
        for f in r.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        by = ", ".join(f"{s} {n}" for s, n in counts.items())
        debt = sum(f.baseline == "unchanged" for f in r.findings)
        known = f"; {debt} known as baseline debt" if debt else ""
        mode = "report-only" if self.fail_on == "none" else f"fails on new {self.fail_on}+"
        return (
            f"audit: score {r.score}/100, {len(r.findings)} findings"
            + (f" ({by})" if by else "")
            + f" in {r.seconds:.1f} s{known}; {mode}"
        )

    @property
    def verdict(self) -> str:
        """Why the audit fails: the new findings at the gated severities."""
        listed = "; ".join(f"{f.where} {f.code}" for f in self.failing[:SHOWN])
        more = f" and {len(self.failing) - SHOWN} more" if len(self.failing) > SHOWN else ""
        return (
            f"{len(self.failing)} new audit finding(s) at {self.fail_on} severity or above "
            f"({listed}{more}). Fix them, or record them as debt with `pipelinekit baseline "
            'update --accept-new --reason "..."`; [tool.pipelinekit.audit] fail_on sets the gate.'
        )


def assess(repo: Path, facts: ProjectFacts, config: Config, project_dir: Path) -> Assessed:
    report = runner.audit(repo, facts, config)
    report = ratchet.mark(report, project_dir, facts.root, store.load(project_dir))
    fail_on = config.audit.fail_on
    return Assessed(report, tuple(ratchet.failing(report, fail_on)), fail_on)
