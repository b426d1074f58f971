"""Running the audit: every check at once (threads; ruff and detect-secrets are processes of
their own, so two cores are busy), each timed, the whole timed, then scored.

A check that crashes is reported as skipped with the error, never as passed: a bug in one
check must not hide the other eight sections, nor pretend its own is clean.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipelinekit.audit import scoring
from pipelinekit.audit.model import SECTIONS, AuditReport, Check, CheckResult
from pipelinekit.audit.repo import AuditRepo, open_repo
from pipelinekit.config.models import Config
from pipelinekit.detect.facts import ProjectFacts
from pipelinekit.errors import ConfigError

SLOW_FIRST = ("secrets", "bugbear", "vulnerabilities", "docstrings", "repo-review")
"""Started first: they spawn processes or wait on the network."""
WORKERS = 8


def all_checks() -> tuple[Check, ...]:
    """Every check, in section order, then in each section's own order."""
    from pipelinekit.audit import (
        sec_cicd,
        sec_cloud,
        sec_code,
        sec_gpu,
        sec_monitoring,
        sec_packaging,
        sec_perf,
        sec_security,
        sec_tests,
    )

    modules = (sec_code, sec_tests, sec_perf, sec_gpu, sec_packaging, sec_cloud, sec_cicd)
    checks = [c for m in (*modules, sec_security, sec_monitoring) for c in m.CHECKS]
    order = list(SECTIONS)
    return tuple(sorted(checks, key=lambda c: order.index(c.section)))


def audit(
    root: Path, facts: ProjectFacts, config: Config, checks: Sequence[Check] | None = None
) -> AuditReport:
    """Audit the repository at `root` (its project described by `facts` and `config`)."""
    return run(open_repo(root, facts, config), checks)


def run(repo: AuditRepo, checks: Sequence[Check] | None = None) -> AuditReport:
    start = time.perf_counter()
    chosen = tuple(checks) if checks is not None else all_checks()
    skipped = set(repo.settings.skip)
    unknown = sorted(skipped - {c.id for c in all_checks()})
    if unknown:
        raise ConfigError(
            f"[tool.pipelinekit.audit] skip names unknown checks: {', '.join(unknown)}. Known "
            f"checks: {', '.join(c.id for c in all_checks())} (docs/audit.md)."
        )
    todo = [c for c in chosen if c.id not in skipped]
    todo.sort(key=lambda c: SLOW_FIRST.index(c.id) if c.id in SLOW_FIRST else len(SLOW_FIRST))
    with ThreadPoolExecutor(max_workers=min(WORKERS, max(1, len(todo)))) as pool:
        done = dict(
            zip([c.id for c in todo], pool.map(lambda c: _safe(c, repo), todo), strict=True)
        )
    results = tuple(
        done.get(c.id) or CheckResult(c, "skip", "skipped by [tool.pipelinekit.audit] skip", ())
        for c in chosen
    )
    sections = scoring.section_scores(results)
    return AuditReport(
        root=repo.root.name,
        score=scoring.overall(sections),
        sections=sections,
        results=results,
        seconds=time.perf_counter() - start,
        anchor=anchor(repo),
    )


def anchor(repo: AuditRepo) -> str:
    present = set(repo.files)
    candidates = [repo.in_project(f) for f in repo.facts.metadata_files]
    candidates += ["README.md", "README.rst", "README"]
    return next((c for c in candidates if c in present), "README.md")


def _safe(check: Check, repo: AuditRepo) -> CheckResult:
    try:
        return check.run(repo)
    except Exception as exc:  # a bug in one check: reported, never a pass
        from pipelinekit.util.redact import redact

        reason = f"the check could not run: {type(exc).__name__}: {redact(str(exc))[:200]}"
        return CheckResult(check, "skip", reason, ())
