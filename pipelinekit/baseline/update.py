"""Measuring the project and writing its baseline: what `init` records on adoption and what
`pipelinekit baseline update` does after the debt went down.

The debt may only shrink: findings the baseline does not hold are refused unless they are
accepted with a reason, which is written beside each of them. Code that cannot run is never
recorded as debt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pipelinekit.baseline import ratchet, store
from pipelinekit.baseline.fingerprint import most_common
from pipelinekit.errors import CheckFailed
from pipelinekit.plan import reports
from pipelinekit.project import Project
from pipelinekit.stages import lint
from pipelinekit.stages.base import StageContext

SHOWN = 10
"""New findings named in the refusal; the lint reports hold all of them."""


@dataclass(frozen=True)
class Updated:
    path: Path
    recorded: int
    added: int
    fixed: int
    critical: tuple[str, ...]
    """`path:line CODE message` of findings that can never be debt (they fail the lint job)."""
    top: tuple[tuple[str, int], ...]
    created: bool
    coverage: float | None = None
    """The coverage floor the baseline now records."""
    coverage_before: float | None = None
    note: str = ""
    """What the measurement could not do (pylint configured but not installed)."""
    audit: int = 0
    """Audit findings the baseline records (`pipelinekit audit`)."""

    @property
    def findings(self) -> str:
        """`345 lint findings (E501 x120, F401 x30)`."""
        rules = ", ".join(f"{code} x{n}" for code, n in self.top)
        noun = "finding" if self.recorded == 1 else "findings"
        return f"{self.recorded} lint {noun}" + (f" ({rules})" if rules else "")


def update(
    project: Project,
    accept_reason: str | None = None,
    *,
    coverage: bool = False,
    coverage_optional: bool = False,
    output: Callable[[str], None] | None = None,
) -> Updated:
    """Measure the lint findings now and write the baseline: on a first run all of them; later
    the ones it already holds (fixed ones leave it) plus, with a reason, the new ones."""
    # isolated: pylint, where the repository runs it, runs in the project's environment here
    # as in the lint job, so what is recorded is what the job will find.
    ctx = StageContext(project.project_dir, project.facts, project.config, isolated=True)
    paths = lint.lint_paths(ctx) if project.config.lint.enabled else []
    linted = lint.measure(ctx, paths) if paths else None
    findings = linted.all if linted else []
    prefix = project.facts.root
    prints = ratchet.judge(project.project_dir, findings, None, prefix).fingerprints
    old = store.load(project.project_dir)
    current = ratchet.lint_entries(findings, prints, prefix=prefix)
    critical = tuple(
        f"{p.where} {p.code} {p.message}" for p in findings if ratchet.is_critical(p.code)
    )
    audited = measure_audit(project)
    if old is None:
        entries, added, fixed = current, 0, 0
        audit_entries = audited
    else:
        new = {fp: e for fp, e in current.items() if fp not in old.lint}
        new_audit = {fp: e for fp, e in audited.items() if fp not in old.audit}
        if new_audit and not accept_reason:
            listed = "; ".join(f"{e.path} {e.rule}" for e in list(new_audit.values())[:SHOWN])
            raise CheckFailed(
                f"{len(new_audit)} audit finding(s) new since the baseline ({listed}); the "
                "baseline only goes down. Fix them, or record them as debt with "
                '`pipelinekit baseline update --accept-new --reason "..."`.'
            )
        audit_entries = {fp: old.audit.get(fp, e) for fp, e in audited.items()}
        audit_entries |= {fp: replace(e, reason=accept_reason) for fp, e in new_audit.items()}
        if new and not accept_reason:
            listed = "; ".join(f"{e.path} {e.rule}" for e in list(new.values())[:SHOWN])
            more = f" and {len(new) - SHOWN} more" if len(new) > SHOWN else ""
            them = "them" if len(new) != 1 else "it"
            raise CheckFailed(
                f"{len(new)} lint finding{'s are' if len(new) != 1 else ' is'} new since the "
                f"baseline ({listed}{more}); the baseline only goes down. Fix {them}, or record "
                f'{them} as debt with `pipelinekit baseline update --accept-new --reason "..."`.'
            )
        entries = {fp: old.lint.get(fp, e) for fp, e in current.items() if fp in old.lint}
        entries |= {fp: replace(e, reason=accept_reason) for fp, e in new.items()}
        added, fixed = len(new), len(set(old.lint) - set(current))
    floor = old.coverage if old else None
    coverage_note = ""
    refused: CheckFailed | None = None
    try:
        measured = store.floor2(measure_coverage(project, output)) if coverage else None
    except CheckFailed as exc:  # failing or missing tests: the lint baseline is still worth keeping
        measured, refused = None, exc
        coverage_note = f"coverage not recorded: {exc.message}"
    if measured is not None:
        if floor is not None and measured < floor and not accept_reason:
            refused = CheckFailed(
                f"Coverage is {measured:.2f}%, below the {floor:.2f}% the baseline records; the "
                "floor only goes up. Add the tests back, or record the lower figure with "
                '`pipelinekit baseline update --coverage --accept-new --reason "..."`.'
            )
        else:
            floor = measured if floor is None or accept_reason else max(floor, measured)
    baseline = store.Baseline(lint=entries, coverage=floor, audit=audit_entries)
    path = store.save(project.project_dir, baseline)
    if refused is not None and not coverage_optional:
        raise refused
    return Updated(
        path=path,
        recorded=len(entries),
        added=added,
        fixed=fixed,
        critical=critical,
        top=tuple(most_common(e.rule for e in entries.values())),
        created=old is None,
        coverage=floor,
        coverage_before=old.coverage if old else None,
        note="; ".join(filter(None, [linted.note if linted else "", coverage_note])),
        audit=len(audit_entries),
    )


def measure_audit(project: Project) -> dict[str, store.Entry]:
    """The audit's findings now, as baseline entries (none when the audit is switched off)."""
    if not project.config.audit.enabled:
        return {}
    from pipelinekit.audit import ratchet as audit_ratchet
    from pipelinekit.audit.runner import audit

    report = audit(project.repo, project.facts, project.config)
    return audit_ratchet.entries(project.project_dir, report, project.facts.root)


def measure_coverage(project: Project, output: Callable[[str], None] | None) -> float:
    """The coverage figure now: the coverage stage in the project's own environment, as CI
    runs it, with no gate (the figure is what is asked for, not a verdict on it)."""
    from pipelinekit.stages import coverage as coverage_stage
    from pipelinekit.stages.coverage import parse_cobertura

    ungated = project.config.coverage.model_copy(update={"threshold": 0.0, "enabled": True})
    config = project.config.model_copy(update={"coverage": ungated})
    ctx = StageContext(project.project_dir, project.facts, config, isolated=True, output=output)
    result = coverage_stage.run(ctx)
    if result.status != "passed":
        raise CheckFailed(
            f"Coverage cannot be recorded: the tests did not pass ({result.summary}). Make them "
            "pass first (`pipelinekit stage test`), then update the baseline."
        )
    return parse_cobertura(ctx.reports_dir / reports.COBERTURA).percent
