"""Scoring, weak-password rules, CUDA lines and the docs' list of checks: the small pieces
the golden repositories exercise only through their results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelinekit.audit import scoring
from pipelinekit.audit.model import Check, CheckResult, Finding, Hit, Severity, Skip
from pipelinekit.audit.passwords import _json_weak, _lines_weak, weak
from pipelinekit.audit.runner import all_checks
from pipelinekit.audit.sec_gpu import builds_in, default_cuda
from tests.conftest import REPO_ROOT


def _result(section: str, *severities: Severity) -> CheckResult:
    check = Check("x", section, "t", "r", lambda _repo: [])
    findings = tuple(Finding("x", s, "a.py", 1, "m") for s in severities)
    return CheckResult(check, "fail" if findings else "pass", "", findings)


def test_penalty_grows_with_findings_up_to_twice_the_weight() -> None:
    assert scoring.check_penalty(_result("tests")) == 0
    assert scoring.check_penalty(_result("tests", "minor")) == 8
    assert scoring.check_penalty(_result("tests", "minor", "minor")) == 10
    assert scoring.check_penalty(_result("tests", *["minor"] * 50)) == 16
    assert scoring.check_penalty(_result("tests", "info", "major")) == 25 * 1.25


def test_a_critical_finding_dominates_every_clean_section() -> None:
    results = [_result(section) for section in ("tests", "gpu", "cloud", "monitoring")]
    clean = scoring.section_scores(results)
    assert scoring.overall(clean) == 100
    with_key = scoring.section_scores([*results, _result("security", "critical")])
    security = next(s for s in with_key if s.id == "security")
    assert security.score == 40 and security.findings == {"critical": 1}
    assert scoring.overall(with_key) == 40
    unscored = next(s for s in with_key if s.id == "performance")
    assert unscored.score is None and unscored.checks == 0


def test_no_scored_section_is_full_marks() -> None:
    assert scoring.overall(scoring.section_scores([])) == 100


@pytest.mark.parametrize(
    ("value", "user", "why"),
    [
        ("admin", None, "a default or well-known password"),
        ("Password", None, "a default or well-known password"),
        ("4711", None, "a short number"),
        ("analytics", "analytics", "the same as the user name"),
        ("${DB_PASSWORD}", None, None),
        ("{{ vault_db_password }}", None, None),
        ("%(pw)s", None, None),
        ("k7#Qp!x9Lw2", "analytics", None),
        ("", None, None),
        ("123456789012", None, None),
    ],
)
def test_weak(value: str, user: str | None, why: str | None) -> None:
    assert weak(value, user) == why


def test_line_formats_and_scopes() -> None:
    text = "[a]\nuser = bob\npassword = bob\n[b]\npassword = bob\nexport DB_PASS='admin'  # x\n"
    assert _lines_weak(text) == [
        (3, "the same as the user name"),
        (6, "a default or well-known password"),
    ]
    assert _json_weak('{"x": [{"user": "u", "password": "u"}]}') == [
        (1, "the same as the user name")
    ]
    assert _json_weak("not json") == []


def test_cuda_builds_of_a_dependency_file() -> None:
    pyproject = (
        'dependencies = [\n  "cupy-cuda11x>=13",  # GPU arrays\n  "jax[cuda12]",\n'
        '  "nvidia-cublas-cu12",\n  "torch==2.5.0",\n  "tensorflow==2.14.1",\n  "numpy==2.0",\n]\n'
    )
    assert [(b.framework, b.cuda, b.line) for b in builds_in(pyproject, "pyproject.toml")] == [
        ("cupy", "11", 2),
        ("jax", "12", 3),
        ("nvidia libraries", "12", 4),
        ("torch", "12", 5),
        ("tensorflow", "11", 6),
    ]
    requirements = "--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==2.0.1\n"
    # The index names the line: the pinned release's default wheels do not count.
    assert [(b.framework, b.cuda) for b in builds_in(requirements, "requirements.txt")] == [
        ("torch", "12.1")
    ]
    conda = "dependencies:\n  - pytorch::pytorch-cuda=11.8\n  - python=3.11\n"
    assert [(b.framework, b.cuda) for b in builds_in(conda, "environment.yml")] == [
        ("torch", "11.8")
    ]


def test_default_cuda_of_pinned_releases() -> None:
    assert (
        default_cuda("tensorflow", "2.14.1") == "11" and default_cuda("tensorflow", "2.16") == "12"
    )
    assert default_cuda("torch", "2.0.1") == "11" and default_cuda("torch", "2.5") == "12"
    assert default_cuda("torch", "2.11.0") == "13" and default_cuda("torch", "latest") is None


def test_a_crashing_check_is_a_skip_with_the_error(example_copy: Path) -> None:
    from pipelinekit.audit.repo import open_repo
    from pipelinekit.audit.runner import run
    from pipelinekit.project import load_project

    def broken(_repo: object) -> list[Hit]:
        raise RuntimeError("bug in the check")

    def unsure(_repo: object) -> list[Hit]:
        raise Skip("cannot tell")

    checks = [
        Check("bugbear", "code_quality", "t", "r", broken),
        Check("bandit", "security", "t", "r", unsure),
    ]
    project = load_project(example_copy)
    report = run(open_repo(project.repo, project.facts, project.config), checks)
    assert [(r.status, r.message) for r in report.results] == [
        ("skip", "the check could not run: RuntimeError: bug in the check"),
        ("skip", "cannot tell"),
    ]


def test_docs_list_every_check_with_its_rationale() -> None:
    doc = (REPO_ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    doc = doc.split("## The checks")[1].split("## Scores")[0]
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", doc, re.MULTILINE)
    assert listed == [c.id for c in all_checks()]


def test_imports_of_parses_only_modules_that_name_a_wanted_import(example_copy: Path) -> None:
    """On a large repository parsing every file cost more than the checks (scipy: 17 s): a
    module whose text names none of the wanted imports is answered without parsing it."""
    from pipelinekit.audit.repo import open_repo
    from pipelinekit.project import load_project

    package = example_copy / "src" / "churn"
    (package / "gpu.py").write_text("import tensorflow as tf\n\nMODEL = tf.keras\n")
    (package / "plain.py").write_text("def f(x):\n    return x + 1\n")
    project = load_project(example_copy)
    repo = open_repo(project.repo, project.facts, project.config)
    gpu, plain = (
        next(f for f in repo.python_files if f.endswith(name)) for name in ("/gpu.py", "/plain.py")
    )
    assert repo.imports_of(gpu, ("tensorflow", "boto3")) == {"tensorflow"}
    assert repo.imports_of(plain, ("tensorflow",)) == frozenset()
    assert f"ast:{plain}" not in repo._cache and f"ast:{gpu}" in repo._cache
