"""ruff's rule families for the audit, in one real ruff process (`--output-format json`,
through the lint stage's invocation helpers): bugbear (B) for the code-quality section,
bandit's rules (S) for security, pandas-vet (PD), Perflint (PERF) and NumPy (NPY) for
performance. pipelinekit's own ruff runs them with ruff's defaults for everything else
(`--isolated`), so a repository's ignore list does not hide them; its excludes still hold.
"""

from __future__ import annotations

import posixpath

from pipelinekit.audit.model import Hit, Severity, Skip
from pipelinekit.audit.repo import AuditRepo, is_test_path
from pipelinekit.errors import PipelinekitError
from pipelinekit.stages.lint_findings import Problem

FAMILIES = "B,S,PD,PERF,NPY"

NOISE = frozenset({"S311"})
"""`random` is not for cryptography: in data-science code it draws samples, never keys."""


def problems(repo: AuditRepo) -> list[Problem]:
    """Every finding of the families, shared by the checks that split them (ruff runs once)."""
    return repo.once("ruff", lambda: _run(repo))


def _run(repo: AuditRepo) -> list[Problem]:
    from pipelinekit.stages import lint
    from pipelinekit.stages.base import StageContext

    if not repo.python_files and not any(f.endswith(".ipynb") for f in repo.files):
        return []
    excludes = (*repo.facts.lint_excludes, *repo.settings.exclude)
    facts = repo.facts.model_copy(update={"root": ".", "lint_excludes": excludes})
    ctx = StageContext(project_dir=repo.root, facts=facts, config=repo.config, env=repo.env)
    try:
        scope = repo.facts.root if repo.facts.root not in ("", ".") else "."
        found = lint.isolated_problems(ctx, [scope], FAMILIES, own=True)
    except PipelinekitError as exc:
        raise Skip(f"ruff could not run: {exc.message}") from exc
    if found is None:
        raise Skip("ruff could not check the code (it stopped before checking; run `ruff check .`)")
    return [p for p in found if p.code not in NOISE and not _assert_in_test(p)]


def _assert_in_test(problem: Problem) -> bool:
    """bandit's S101 (assert) is how pytest tests assert."""
    return problem.code == "S101" and is_test_path(problem.path)


def hits(repo: AuditRepo, prefixes: tuple[str, ...], severity: dict[str, Severity]) -> list[Hit]:
    """The shared run's findings whose rule starts with one of `prefixes`, as Hits; the
    severity is the longest matching key of `severity`."""
    out = []
    for p in problems(repo):
        if not p.code.startswith(prefixes):
            continue
        key = max((k for k in severity if p.code.startswith(k)), key=len)
        out.append(
            Hit(
                severity[key],
                posixpath.normpath(p.path),
                None if p.cell is not None else p.line,
                f"{p.text} ({p.code}{', ' + p.url if p.url else ''})",
                rule=p.code,
            )
        )
    return out
