"""Every check against golden repositories: `unhealthy` holds what the checklist names (each
check's positive case, with the file and line an auditor would point at), `healthy` holds the
same kind of service done right (each check's negative case: it must pass, not skip). Real
ruff, detect-secrets, sp-repo-review, interrogate and pip-audit (against the OSV stand-in)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipelinekit.audit.model import AuditReport, Finding
from pipelinekit.audit.runner import all_checks
from tests.audit.conftest import AUDITREPOS, make_repo, run_audit
from tests.audit.osv import OsvStandIn

SERVICE = "src/ml_service/service.py"

POSITIVE: dict[str, tuple[str, str | None, int | None, str]] = {
    "bugbear": ("major", SERVICE, 15, r"B006"),
    "docstrings": ("minor", SERVICE, 1, r"4 of 4 public"),
    "type-checker": ("minor", "pyproject.toml", None, r"type checker"),
    "script-paths": ("major", "scripts/train.py", 3, r"/home/alice/projects/churn/data/train\.csv"),
    "notebooks": ("major", "notebooks/explore.ipynb", None, r"cell 2 carries 3 KiB of output"),
    "tests-present": ("major", "pyproject.toml", None, r"no tests found"),
    "dataframe-habits": ("minor", SERVICE, 26, r"PD002"),
    "tf-memory": ("major", SERVICE, 6, r"set_memory_growth"),
    "cuda-base": ("major", "Dockerfile", 1, r"CUDA 12\.1 .* torch is built for CUDA 11\.8"),
    "repo-review": ("major", "pyproject.toml", None, r"build-system"),
    "version-source": ("major", "pyproject.toml", 4, r"placeholder"),
    "locks": ("major", "requirements.txt", 1, r"4 of 6 requirements are not pinned"),
    "s3-hardcoded": ("major", SERVICE, 12, r"endpoint_url='http://minio\.internal:9000'"),
    "ci-pipeline": ("major", None, None, r"no CI pipeline"),
    "large-files": ("major", "data/transactions.csv", None, r"13 KiB file committed to git"),
    "release-policy": ("minor", None, None, r"33% of the last 3 commits"),
    "secrets": ("critical", SERVICE, 9, r"AWS Access Key"),
    "weak-passwords": ("major", "config/app.ini", 3, r"default or well-known password"),
    "bandit": ("major", SERVICE, 18, r"S301"),
    "vulnerabilities": (
        "major",
        "requirements.txt",
        None,
        r"requests 2\.19\.0 .*CVE-2018-18074.*2\.20\.0",
    ),
    "error-monitoring": ("major", SERVICE, 11, r"sentry_sdk\.init"),
    "metrics": ("minor", SERVICE, 11, r"Prometheus"),
}
"""check -> (severity, path, line, message pattern) of a finding it must report on
`unhealthy`. coverage-gate needs tests to judge: its positive case is below."""


def test_every_check_has_a_positive_and_a_negative_case() -> None:
    ids = {c.id for c in all_checks()}
    assert ids == set(POSITIVE) | {"coverage-gate"}


def _matching(
    report: AuditReport, check: str, expected: tuple[str, str | None, int | None, str]
) -> list[Finding]:
    severity, path, line, pattern = expected
    return [
        f
        for f in report.findings
        if f.check == check
        and (f.severity, f.path, f.line) == (severity, path, line)
        and re.search(pattern, f.message)
    ]


@pytest.mark.parametrize("check", sorted(POSITIVE))
def test_positive(unhealthy: AuditReport, check: str) -> None:
    result = next(r for r in unhealthy.results if r.check.id == check)
    assert result.status == "fail", result.message
    found = _matching(unhealthy, check, POSITIVE[check])
    assert found, [(f.severity, f.path, f.line, f.message) for f in result.findings]


@pytest.mark.parametrize("check", sorted({c.id for c in all_checks()}))
def test_negative(healthy: AuditReport, check: str) -> None:
    result = next(r for r in healthy.results if r.check.id == check)
    assert (result.status, result.findings) == ("pass", ()), result.message


def test_the_healthy_repository_scores_full_marks(healthy: AuditReport) -> None:
    assert healthy.score == 100
    assert all(s.score == 100 for s in healthy.sections)


def test_a_critical_finding_caps_the_score(unhealthy: AuditReport) -> None:
    security = next(s for s in unhealthy.sections if s.id == "security")
    assert security.findings["critical"] == 1
    assert unhealthy.score <= 40 and security.score is not None and security.score <= 40


def test_the_other_findings_of_the_unhealthy_repository(unhealthy: AuditReport) -> None:
    """Beyond the one finding each positive case names: every weak password and both release
    policy findings, and no secret value in any message."""
    weak = sorted((f.path, f.line) for f in unhealthy.findings if f.check == "weak-passwords")
    assert weak == [
        ("config/app.ini", 3),
        ("config/service.json", 1),
        ("config/settings.yaml", 4),
        ("config/settings.yaml", 6),
    ]
    assert {f.rule for f in unhealthy.findings if f.check == "release-policy"} == {
        "conventional-commits",
        "semver-tags",
    }
    text = " ".join(f.message for f in unhealthy.findings)
    assert "AKIAZ7Q3LXK4MJ2WPV5N" not in text and "changeme" not in text


def test_vulnerability_queries_reach_the_stand_in(unhealthy: AuditReport, osv: OsvStandIn) -> None:
    asked = {(q["package"]["name"], q["version"]) for q in osv.queries}
    assert ("requests", "2.19.0") in asked and ("torch", "2.0.1+cu118") in asked
    assert all(q["package"]["ecosystem"] == "PyPI" for q in osv.queries)


def test_coverage_gate_fails_when_coverage_is_not_gated(tmp_path: Path) -> None:
    target = make_repo("healthy", tmp_path / "repo", ["feat: x"], ["v1.0.0"])
    pyproject = target / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace(
            "[tool.coverage.report]\nfail_under = 80\n", ""
        ),
        encoding="utf-8",
    )
    report = run_audit(target)
    result = next(r for r in report.results if r.check.id == "coverage-gate")
    assert result.status == "fail"
    assert "measured but not gated" in result.findings[0].message


def test_checks_skip_with_the_reason_where_they_cannot_judge(tmp_path: Path) -> None:
    """A plain folder (not git) with one module: history, services, GPU and S3 checks skip
    and say why; skipping is never passing."""
    shutil.copytree(AUDITREPOS / "healthy" / "scripts", tmp_path / "repo")
    report = run_audit(tmp_path / "repo")
    reasons = {r.check.id: r.message for r in report.results if r.status == "skip"}
    assert reasons["release-policy"] == "not a git repository"
    assert reasons["error-monitoring"].startswith("no service entry point")
    assert reasons["tf-memory"] == "TensorFlow is not used"
    assert reasons["s3-hardcoded"] == "no S3 client library is used"
    assert reasons["vulnerabilities"].startswith("no pinned releases")
