"""`pipelinekit audit` as a process (formats, --output, exit codes), the audit stage with
the baseline's ratchet and the gate, the bundled example (no false positive), and the job
the planner adds to every pipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelinekit.audit.runner import audit
from pipelinekit.baseline import store
from pipelinekit.plan.planner import plan
from pipelinekit.project import load_project
from pipelinekit.stages import audit as audit_stage
from pipelinekit.stages.base import StageContext
from tests.audit.conftest import make_repo
from tests.audit.osv import OsvStandIn, osv_server
from tests.conftest import REPO_ROOT


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipelinekit", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    with osv_server() as server:
        yield make_repo("unhealthy", tmp_path / "repo", ["initial"], [], server.url)


def test_json_on_stdout_and_the_time_on_stderr(repo: Path) -> None:
    done = cli("audit", str(repo), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["score"] <= 40
    assert "AKIAZ7Q3LXK4MJ2WPV5N" not in done.stdout + done.stderr
    assert done.stderr.startswith(f"audit: score {data['score']}/100, ")
    assert " checks in " in done.stderr


def test_output_file_and_text_default(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "audit.sarif"
    done = cli("audit", str(repo), "--format", "sarif", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"
    text = cli("audit", str(repo))
    assert text.returncode == 0 and "Security: " in text.stdout


def test_bad_input_is_one_paragraph_and_exit_2(tmp_path: Path) -> None:
    missing = cli("audit", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    wrong = cli("audit", str(tmp_path), "--format", "xml")
    assert wrong.returncode == 2 and "xml" in wrong.stderr


def test_unknown_skipped_check_is_a_config_error(repo: Path) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'skip = ["secretz"]\n')
    done = cli("audit", str(repo))
    assert done.returncode == 2
    assert "skip names unknown checks: secretz" in done.stderr


def test_fail_on_gates_new_findings_and_the_baseline_holds_old_ones(repo: Path) -> None:
    """fail_on = major: the command exits 1 naming new findings; recorded as debt in the
    baseline (what `init` does on adoption), they no longer fail; a new one does."""
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'fail_on = "major"\n')
    first = cli("audit", str(repo))
    assert first.returncode == 1
    assert "new audit finding(s) at major severity or above" in first.stderr
    from pipelinekit.baseline.update import update

    project = load_project(repo)
    done = update(project)
    assert done.audit > 0
    recorded = store.load(repo)
    assert recorded is not None and len(recorded.audit) == done.audit
    assert cli("audit", str(repo)).returncode == 0
    (repo / "config" / "extra.ini").write_text("[db]\npassword = admin\n")
    again = cli("audit", str(repo))
    assert again.returncode == 1 and "config/extra.ini:2 weak-passwords" in again.stderr


def test_baseline_update_refuses_new_audit_findings_without_a_reason(repo: Path) -> None:
    from pipelinekit.baseline.update import update
    from pipelinekit.errors import CheckFailed

    first = update(load_project(repo))
    # Unchanged code: the same debt; the baseline file's own hashes are no new "secrets".
    assert update(load_project(repo)).audit == first.audit > 0
    # One finding: `admin` is a weak password, not a secret to revoke (tool_secrets).
    (repo / "config" / "extra.ini").write_text("[db]\npassword = admin\n")
    with pytest.raises(
        CheckFailed, match=r"1 audit finding\(s\) new .*\(config/extra\.ini weak-passwords\)"
    ):
        update(load_project(repo))
    accepted = update(load_project(repo), "a local test database")
    entry = [e for e in store.load(repo).audit.values() if e.path == "config/extra.ini"]  # type: ignore[union-attr]
    assert accepted.added == 0 and entry and entry[0].reason == "a local test database"


def test_stage_writes_the_reports_and_marks_debt(repo: Path) -> None:
    from pipelinekit.baseline.update import update

    update(load_project(repo))
    (repo / "config" / "extra.ini").write_text("[db]\npassword = admin\n")
    project = load_project(repo)
    ctx = StageContext(repo, project.facts, project.config)
    result = audit_stage.run(ctx)
    assert result.status == "passed"  # report-only by default
    assert "report-only" in result.summary and "known as baseline debt" in result.summary
    names = sorted(p.name for p in result.reports)
    assert names == ["audit-codequality.json", "audit.html", "audit.json", "audit.sarif"]
    sarif = json.loads((ctx.reports_dir / "audit.sarif").read_text())
    states = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["baselineState"]
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "weak-passwords"
    }
    assert states["config/extra.ini"] == "new" and states["config/app.ini"] == "unchanged"


def test_stage_disabled(repo: Path) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "enabled = false\n")
    project = load_project(repo)
    result = audit_stage.run(StageContext(repo, project.facts, project.config))
    assert result.status == "skipped"
    assert "audit" not in [j.name for j in plan(project.facts, project.config).jobs]


def test_subfolder_project_reports_repository_paths(tmp_path: Path) -> None:
    """A project in `services/api` of a repository: the stage audits the checkout and names
    files from its root, as GitLab and Jenkins resolve them."""
    import shutil

    root = tmp_path / "mono"
    (root / "services").mkdir(parents=True)
    make_repo("unhealthy", root / "services" / "api", ["initial"], [])
    shutil.rmtree(root / "services" / "api" / ".git")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    project = load_project(root)
    assert project.facts.root == "services/api"
    ctx = StageContext(project.project_dir, project.facts, project.config)
    assert audit_stage.repository_root(ctx) == root.resolve()
    audit_stage.run(ctx)
    data = json.loads((ctx.reports_dir / "audit.json").read_text())
    assert any(f["path"] == "services/api/config/app.ini" for f in data["findings"])


def test_the_planner_adds_a_report_only_audit_job(
    monkeypatch: pytest.MonkeyPatch, example_copy: Path
) -> None:
    monkeypatch.setattr("pipelinekit.stages.implemented", lambda: ("audit", "lint", "test"))
    project = load_project(example_copy)
    pipeline = plan(project.facts, project.config)
    job = pipeline.job("audit")
    assert job.stage == "lint" and job.needs == () and not job.allow_failure
    assert job.command == ("stage", "audit")
    assert "pipelinekit[audit]==" in job.script[0]
    assert {r.kind: r.path for r in job.reports} == {
        "codequality": ".pipelinekit/reports/audit-codequality.json",
        "sarif": ".pipelinekit/reports/audit.sarif",
    }
    assert all("audit" not in line for line in pipeline.setup)


def test_no_false_positive_on_the_bundled_example(example_copy: Path) -> None:
    """The example is a small, tidy library-style project: nothing critical or major but
    the truth that it has no CI pipeline yet (`pipelinekit init` writes one); the minor
    findings are each true of it (no licence file, no type checker configured, coverage not
    gated, numpy not pinned)."""
    project = load_project(example_copy)
    report = audit(project.repo, project.facts, project.config)
    serious = [
        (f.check, f.severity) for f in report.findings if f.severity in ("critical", "major")
    ]
    assert serious == [("ci-pipeline", "major")]
    minor = sorted((f.check, f.rule) for f in report.findings if f.severity == "minor")
    assert minor == [
        ("coverage-gate", ""),
        ("locks", "unpinned"),
        ("repo-review", "PY003"),
        ("type-checker", "MY100"),
    ]
    checks = {r.check.id: r.status for r in report.results}
    for clean in ("bugbear", "bandit", "secrets", "weak-passwords", "notebooks", "script-paths"):
        assert checks[clean] == "pass"


def test_the_files_init_generates_give_the_audit_nothing_to_report(example_copy: Path) -> None:
    """pipelinekit's own output is healthy code: after `pipelinekit init` the CI pipeline is
    there and no finding points at a file init wrote (the generated Jenkinsfile's
    `passwordVariable: 'DOCKER_PASSWORD'` was once a "secret")."""
    done = cli("init", str(example_copy))
    assert done.returncode == 0, done.stderr
    generated = {"Jenkinsfile", ".gitlab-ci.yml", "Dockerfile", "sonar-project.properties"}
    assert generated <= {p.name for p in example_copy.iterdir()}
    project = load_project(example_copy)
    report = audit(project.repo, project.facts, project.config)
    assert [(f.check, f.path, f.line) for f in report.findings if f.path in generated] == []
    assert next(r for r in report.results if r.check.id == "ci-pipeline").status == "pass"


def test_an_unreachable_vulnerability_service_is_a_skip_never_a_pass(tmp_path: Path) -> None:
    with osv_server() as server:
        url = server.url
    target = make_repo("unhealthy", tmp_path / "repo", ["initial"], [], url)  # server stopped
    report = audit(*(lambda p: (p.repo, p.facts, p.config))(load_project(target)))
    result = next(r for r in report.results if r.check.id == "vulnerabilities")
    assert result.status == "skip"
    assert url in result.message and "could not be asked" in result.message


def test_a_failing_vulnerability_service_is_a_skip(tmp_path: Path) -> None:
    with osv_server(status=503) as server:
        target = make_repo("unhealthy", tmp_path / "repo", ["initial"], [], server.url)
        report = audit(*(lambda p: (p.repo, p.facts, p.config))(load_project(target)))
        retried = len(server.queries)
    result = next(r for r in report.results if r.check.id == "vulnerabilities")
    assert result.status == "skip"
    assert retried >= 2  # urllib3's Retry asked again before giving up


def test_osv_stand_in_answers_like_the_documented_api(osv: OsvStandIn) -> None:
    from pipelinekit.audit.tool_vulns import VulnerabilityClient

    client = VulnerabilityClient(osv.url, timeout=5)
    found = client.query("requests", "2.19.0")
    assert [(v.id, v.aliases, v.fixed_in) for v in found] == [
        ("CVE-2018-18074", ("GHSA-x84v-xcm2-53pg",), ("2.20.0",))  # pip-audit prefers CVE ids
    ]
    assert client.query("requests", "2.32.3") == []
    assert client.query("requests", "not a version") == []


def test_a_project_in_a_subfolder_is_audited_as_its_ci_job_sees_it(tmp_path: Path) -> None:
    """`audit services/api` in a monorepo: as the CI job run from the checkout sees it, paths
    from the repository root (the JSON contract) and the root's CI file counted; the other
    project's code is not this one's. An untracked folder inside a repository is audited on
    its own."""
    from tests.support.git import init_repo

    root = init_repo(
        tmp_path / "mono",
        {
            ".gitlab-ci.yml": "test:\n  script: [pytest]\n",
            "libs/other/mod.py": "def f(x=[]):\n    return x\n",
            "services/api/pyproject.toml": (
                '[project]\nname = "api"\nversion = "1.0.0"\ndependencies = ["fastapi>=0.100"]\n'
            ),
            "services/api/app/__init__.py": "",
            "services/api/app/main.py": "def handler(items=[]):\n    return items\n",
            "services/api/tests/test_main.py": "def test_ok():\n    assert True\n",
        },
    )
    done = cli("audit", "services/api", "--format", "json", cwd=root)
    report = json.loads(done.stdout)
    paths = {f["path"] for f in report["findings"] if f["path"]}
    assert "services/api/app/main.py" in paths
    assert not any(p.startswith("libs/") for p in paths)
    assert "services/api/pyproject.toml" in paths  # the project's own checks: its folder's
    ci = next(c for c in report["checks"] if c["id"] == "ci-pipeline")
    assert ci["status"] == "pass", ci

    scratch = root / "scratch"
    scratch.mkdir()
    (scratch / "job.py").write_text("def run(x=[]):\n    return x\n")
    alone = json.loads(cli("audit", "scratch", "--format", "json", cwd=root).stdout)
    assert {f["path"] for f in alone["findings"] if f["check"] == "bugbear"} == {"job.py"}
