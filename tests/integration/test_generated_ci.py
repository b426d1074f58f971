"""Generated CI files checked by the real tools: GitLab's own CI schema and gitlab-ci-local
executing the pipeline, Groovy 2.4 (Jenkins' Groovy line) compiling and running each
Jenkinsfile against recording stubs of the declarative DSL, npm-groovy-lint, and hadolint.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipelinekit.config.models import parse_config
from pipelinekit.plan.planner import plan
from pipelinekit.project import load_project
from pipelinekit.render.outputs import render_all
from tests.conftest import EXAMPLE
from tests.repo_factory import LAYOUTS
from tests.support import groovy
from tests.support.git import commit_all, init_repo
from tests.support.gitlab import job_log, run_gitlab_ci_local, validate_gitlab_ci
from tests.support.groovylint import npm_groovy_lint
from tests.support.hadolint import hadolint

pytestmark = pytest.mark.slow

HOSTILE = "a'b\"c${x}$(id)`id`\\d]]>&<: #{y} *!@%"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Generated files of the example and of every fixture layout: {name: {path: text}}."""
    out: dict[str, dict[str, str]] = {}
    for name, build in [("example", None), *sorted(LAYOUTS.items())]:
        root = tmp_path_factory.mktemp(name)
        if build is None:
            subprocess.run(["cp", "-r", f"{EXAMPLE}/.", str(root)], check=True)
        else:
            build(root)
        project = load_project(root)
        pipeline = plan(project.facts, project.config)
        out[name] = {o.path: o.text for o in render_all(project.facts, project.config, pipeline)}
    return out


@pytest.fixture(scope="module")
def jenkinsfiles(
    rendered: dict[str, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("jenkinsfiles")
    paths = {}
    for name, files in rendered.items():
        paths[name] = folder / f"{name}.Jenkinsfile"
        paths[name].write_text(files["Jenkinsfile"])
    return paths


def test_gitlab_ci_valid_for_every_layout(rendered: dict[str, dict[str, str]]) -> None:
    for name, files in rendered.items():
        assert validate_gitlab_ci(files[".gitlab-ci.yml"]) == [], name


def test_schema_check_can_fail(rendered: dict[str, dict[str, str]]) -> None:
    """The validator is not a rubber stamp: a typo'd key and an unknown need are caught."""
    text = rendered["example"][".gitlab-ci.yml"]
    broken = text.replace("  needs: []\n", "  needs: [nope]\n", 1).replace(
        "artifacts:", "artifact:", 1
    )
    errors = validate_gitlab_ci(broken)
    assert any("nope" in e for e in errors) and len(errors) >= 2


def test_jenkinsfiles_compile_with_groovy_24(jenkinsfiles: dict[str, Path]) -> None:
    errors = groovy.parse_many(jenkinsfiles.values())
    assert {str(p): e for p, e in errors.items() if e is not None} == {}


def test_jenkinsfile_declarative_structure(jenkinsfiles: dict[str, Path]) -> None:
    tree = groovy.record_jenkinsfile(jenkinsfiles["example"])
    pipeline = groovy.find_one(tree, "pipeline")
    top = [c["name"] for c in pipeline["children"]]
    assert top == ["agent", "options", "environment", "stages", "post"]
    assert (
        groovy.text(groovy.find_one(groovy.child(pipeline, "agent"), "image")["args"][0])
        == "python:3.11-slim"
    )
    assert groovy.stage_names(pipeline) == [
        "setup",
        "lint + test + audit",
        "lint",
        "test",
        "audit",
        "package",
        "docker",
    ]
    docker_agent = groovy.child(groovy.stage(pipeline, "docker"), "agent")
    assert groovy.text(groovy.find_one(docker_agent, "label")["args"][0]) == "docker"
    parallel = groovy.child(groovy.stage(pipeline, "lint + test + audit"), "parallel")
    assert [groovy.text(s["args"][0]) for s in parallel["children"] if s["name"] == "stage"] == [
        "lint",
        "test",
        "audit",
    ]
    test_stage = groovy.stage(pipeline, "test")
    shells = [groovy.text(n["args"][0]) for n in groovy.find_all(test_stage, "sh")]
    assert shells[-1] == '"$PIPELINEKIT_VENV/bin/pipelinekit" stage coverage'
    junit = groovy.find_one(groovy.child(test_stage, "post"), "junit")
    assert junit["args"][0]["testResults"] == ".pipelinekit/reports/junit.xml"
    env = groovy.assignments(groovy.child(pipeline, "environment"))
    assert env["PIPELINEKIT_VENV"] == ".pipelinekit/venv"
    options = [c["name"] for c in groovy.child(pipeline, "options")["children"]]
    assert options[:2] == ["timeout", "buildDiscarder"]


def test_hostile_values_stay_literal_in_groovy(tmp_path: Path) -> None:
    """Quotes, `${x}`, `$(cmd)`, backslashes and newlines in values: the recorded strings are
    exactly the input (no interpolation, no early string end), so nothing can be injected."""
    root = tmp_path / "repo"
    LAYOUTS["src_setuptools"](root)
    project = load_project(root)
    hostile_newline = HOSTILE + "\nnext line"
    config = parse_config(
        {
            "ci": {"image": hostile_newline, "pipelinekit_source": "@ " + HOSTILE},
            "jenkins": {"gpu_agent_label": HOSTILE},
        },
        source="p",
    )
    facts = project.facts.model_copy(update={"root": "we'ird ${dir}"})
    path = tmp_path / "Jenkinsfile"
    path.write_text(render_all(facts, config, plan(facts, config))[0].text)
    tree = groovy.record_jenkinsfile(path)
    image = groovy.find_one(groovy.child(groovy.find_one(tree, "pipeline"), "agent"), "image")[
        "args"
    ][0]
    assert image == hostile_newline  # a plain string: Groovy interpolated nothing
    shells = [n["args"][0] for n in groovy.find_all(tree, "sh")]
    assert all(isinstance(s, str) for s in shells)
    assert any("'we'\"'\"'ird ${dir}'" in s for s in shells)  # shell-quoted, Groovy-literal


def test_npm_groovy_lint_passes(jenkinsfiles: dict[str, Path]) -> None:
    code, output = npm_groovy_lint(jenkinsfiles["example"], jenkinsfiles["subfolder_project"])
    assert code == 0, output


def test_dockerfiles_are_hadolint_clean(rendered: dict[str, dict[str, str]]) -> None:
    for name, files in rendered.items():
        for path, text in files.items():
            if path.endswith("Dockerfile"):
                assert hadolint(text) == [], f"{name}/{path}"


def test_gitlab_ci_local_runs_example_pipeline(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, pipelinekit_wheel: Path
) -> None:
    """The generated .gitlab-ci.yml runs for real: jobs create their venv, install
    pipelinekit and the project, and run `pipelinekit stage lint|test`; then a broken test
    in the copy makes the test job fail."""
    repo = tmp_path / "churn-model"
    subprocess.run(["cp", "-r", str(EXAMPLE), str(repo)], check=True)
    with (repo / "pyproject.toml").open("a") as fh:
        fh.write(
            f'\n[tool.pipelinekit.ci]\npipelinekit_source = "@ {pipelinekit_wheel.as_uri()}"\n'
        )
    subprocess.run(
        [sys.executable, "-m", "pipelinekit", "init", str(repo)], check=True, capture_output=True
    )
    init_repo(repo)
    pip_cache = tmp_path_factory.getbasetemp() / "pip-cache"
    variables = {"PIP_CACHE_DIR": str(pip_cache)}

    # The docker job needs a Docker daemon: tests/docker builds the image against a real one.
    passed = run_gitlab_ci_local(
        repo, variables=variables, jobs=["lint", "test", "audit", "package"], timeout=600
    )
    assert passed.returncode == 0, passed.output
    assert "[passed] lint: ruff: no problems" in job_log(repo, "lint")
    audit_log = job_log(repo, "audit")
    assert "[passed] audit: audit: score " in audit_log and "; report-only" in audit_log
    test_log = job_log(repo, "test")
    assert "[passed] coverage: coverage: " in test_log and "pytest: 11 passed" in test_log
    assert "[passed] package: " in job_log(repo, "package")

    test_file = repo / "tests" / "test_features.py"
    test_file.write_text(
        test_file.read_text() + "\n\ndef test_broken() -> None:\n    assert 1 + 1 == 3\n"
    )
    commit_all(repo, "break a test")
    failed = run_gitlab_ci_local(repo, variables=variables, jobs=["test"], timeout=600)
    assert failed.returncode != 0
    log = job_log(repo, "test")
    assert "[failed] coverage: " in log and "11 passed, 1 failed" in log
    assert "test_broken" in log
