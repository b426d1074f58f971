"""The audit stage: the production-readiness audit in CI, its reports (JSON, SARIF for
Jenkins warnings-ng, GitLab Code Quality, HTML) in `.pipelinekit/reports/`. Report-only by
default; with `[tool.pipelinekit.audit] fail_on` it fails on new findings at that severity."""

from __future__ import annotations

from pathlib import Path

from pipelinekit.stages.base import StageContext, StageResult

NAME = "audit"


def repository_root(ctx: StageContext) -> Path:
    """The checkout root: the project's folder less `facts.root` (reports name paths from it)."""
    depth = len([p for p in Path(ctx.facts.root).parts if p not in ("", ".")])
    return ctx.project_dir.parents[depth - 1] if depth else ctx.project_dir


def run(ctx: StageContext) -> StageResult:
    from pipelinekit.audit.formats import write_all
    from pipelinekit.audit.stage import assess

    if not ctx.config.audit.enabled:
        return StageResult(
            NAME, "skipped", "audit: skipped (disabled: [tool.pipelinekit.audit] enabled = false)"
        )
    assessed = assess(repository_root(ctx), ctx.facts, ctx.config, ctx.project_dir)
    written = write_all(assessed.report, ctx.reports_dir)
    details = [f"{f.severity:8} {f.where} {f.code}: {f.message}" for f in assessed.report.findings]
    if assessed.failing:
        details.insert(0, assessed.verdict)
    return StageResult(
        NAME,
        "failed" if assessed.failing else "passed",
        assessed.summary,
        reports=written,
        details="\n".join(details[:40]),
    )
