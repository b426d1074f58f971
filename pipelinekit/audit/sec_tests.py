"""Tests: the repository has tests pipelinekit can run, and their coverage is gated (by the
repository's own fail_under, pipelinekit's threshold or the baseline's recorded floor) rather
than only printed."""

from __future__ import annotations

from pipelinekit.audit.model import Check, Hit, Skip
from pipelinekit.audit.repo import AuditRepo

SECTION = "tests"


def tests_present(repo: AuditRepo) -> list[Hit]:
    facts = repo.facts
    if facts.tests.framework or repo.config.test.framework:
        return []
    where = repo.in_project(facts.metadata_files[0]) if facts.metadata_files else None
    return [
        Hit(
            "major",
            where,
            None,
            "no tests found (no pytest or unittest tests in tests/ or beside the code): add "
            "tests for the data transformations and the model's interface before production",
        )
    ]


def coverage_gate(repo: AuditRepo) -> list[Hit]:
    from pipelinekit.stages.base import StageContext
    from pipelinekit.stages.coverage import coverage_gate as gate_of
    from pipelinekit.stages.coverage import pytest_addopts, read_repo_config

    if not (repo.facts.tests.framework or repo.config.test.framework):
        raise Skip("no tests to measure")
    if not repo.config.coverage.enabled:
        return [
            Hit(
                "minor",
                None,
                None,
                "coverage is switched off ([tool.pipelinekit.coverage] enabled = false): "
                "measure it, so untested code shows in every merge request",
            )
        ]
    project = repo.project_dir
    ctx = StageContext(project_dir=project, facts=repo.facts, config=repo.config, env=repo.env)
    gate = gate_of(ctx, read_repo_config(project, repo.env), pytest_addopts(project, repo.env))
    if gate.floor is not None:
        return []
    return [
        Hit(
            "minor",
            None,
            None,
            "test coverage is measured but not gated: record today's figure as a floor "
            "(`pipelinekit baseline update --coverage`) or set coverage.py's fail_under, so "
            "coverage can only go up",
        )
    ]


CHECKS = (
    Check(
        "tests-present",
        SECTION,
        "The repository has tests",
        "Without tests every change to a feature pipeline or model is checked by hand, if at all.",
        tests_present,
    ),
    Check(
        "coverage-gate",
        SECTION,
        "Test coverage is gated, not only reported",
        "A coverage figure nobody enforces drifts down; a floor that only goes up (the "
        "baseline's ratchet) keeps new code tested.",
        coverage_gate,
    ),
)
