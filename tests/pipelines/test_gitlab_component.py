"""The GitLab CI/CD component and the plain include template (pipelines/gitlab): generated
from the renderer (a regenerate-and-compare test keeps them from drifting), typed inputs,
valid against GitLab's CI schema after input interpolation, the same jobs as `pipelinekit
render` writes for the example, and a real gitlab-ci-local run of a project that includes
the template.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipelinekit.gitlab.render import render_gitlab_ci
from pipelinekit.plan.planner import plan
from pipelinekit.project import load_project
from scripts import gen_gitlab_component as gen
from tests.pipelines.conftest import GITLAB_DIR, copy_example
from tests.support.git import init_repo
from tests.support.gitlab import (
    is_job_key,
    job_log,
    list_jobs,
    run_gitlab_ci_local,
    validate_gitlab_ci,
)

COMPONENT = GITLAB_DIR / "templates" / "pipelinekit.yml"
PLAIN = GITLAB_DIR / "pipelinekit.gitlab-ci.yml"
PLACEHOLDER = re.compile(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]")
INPUT_TYPES = {"string", "number", "boolean", "array"}


def split_component(text: str) -> tuple[dict[str, Any], str]:
    """(the spec's inputs, the body after the `---` document separator)."""
    header, separator, body = text.partition("\n---\n")
    assert separator, "a component needs `---` between spec and body"
    inputs: dict[str, Any] = yaml.safe_load(header)["spec"]["inputs"]
    return inputs, body


def interpolate(text: str, values: dict[str, Any] | None = None) -> str:
    """GitLab's input interpolation: each `$[[ inputs.NAME ]]` becomes the given value or the
    default; a placeholder that is a whole value takes the value's type. Undeclared names are
    errors, as in GitLab."""
    inputs, body = split_component(text)
    values = values or {}
    assert set(values) <= set(inputs), f"undeclared inputs: {set(values) - set(inputs)}"
    given = {name: values.get(name, spec["default"]) for name, spec in inputs.items()}

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, str):
            whole = PLACEHOLDER.fullmatch(value)
            if whole:
                return given[whole.group(1)]
            return PLACEHOLDER.sub(lambda m: str(given[m.group(1)]), value)
        return value

    return yaml.safe_dump(fill(yaml.safe_load(body)), sort_keys=False, width=4096)


def jobs_of(text: str) -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load(text)
    return {k: v for k, v in doc.items() if is_job_key(k)}


# --- generation and drift -------------------------------------------------------------------


def test_committed_files_are_what_the_generator_writes() -> None:
    """The component and the template are generated from the renderer; any change to the
    renderer or the planner that changes jobs fails here until they are regenerated with
    `python scripts/gen_gitlab_component.py`."""
    for path, text in gen.outputs().items():
        assert path.read_text() == text, f"{path} is stale: run scripts/gen_gitlab_component.py"


def test_check_mode_reports_drift_and_write_mode_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "templates" / "pipelinekit.yml"
    stale.parent.mkdir()
    stale.write_text("stale: true\n")
    monkeypatch.setattr(gen, "COMPONENT", stale)
    monkeypatch.setattr(gen, "PLAIN", tmp_path / "plain.yml")
    monkeypatch.setattr(gen, "REPO_ROOT", tmp_path)
    assert gen.main(["--check"]) == 1
    assert stale.read_text() == "stale: true\n"
    assert "templates/pipelinekit.yml: out of date" in capsys.readouterr().out
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
    assert stale.read_text() == COMPONENT.read_text()


# --- the component's spec -------------------------------------------------------------------


def test_component_inputs_are_typed_with_defaults_and_descriptions() -> None:
    inputs, body = split_component(COMPONENT.read_text())
    assert set(inputs) == {"image", "pipelinekit_source", "path", "default_branch"}
    for name, spec in inputs.items():
        assert spec["type"] in INPUT_TYPES, name
        assert "default" in spec and spec["description"].strip(), name
    assert set(PLACEHOLDER.findall(body)) == set(inputs)  # each declared input is used


@pytest.mark.parametrize(
    "values",
    [
        {},
        {
            "image": "registry.example.com/py:3.12",
            "pipelinekit_source": "@ https://h/pipelinekit-0.1.0-py3-none-any.whl",
            "path": "services/churn",
            "default_branch": "master",
        },
    ],
    ids=["defaults", "custom"],
)
def test_component_is_valid_gitlab_ci_after_interpolation(values: dict[str, Any]) -> None:
    text = interpolate(COMPONENT.read_text(), values)
    assert validate_gitlab_ci(text) == []
    assert "$[[" not in text
    for name, value in values.items():
        assert value in text, name


def test_schema_check_catches_a_broken_component() -> None:
    broken = COMPONENT.read_text().replace("stage: lint", "stage: [lint]", 1)
    assert validate_gitlab_ci(interpolate(broken)) != []


def test_plain_template_is_valid_gitlab_ci() -> None:
    text = PLAIN.read_text()
    assert validate_gitlab_ci(text) == []
    doc = yaml.safe_load(text)
    assert doc["variables"]["PIPELINEKIT_SOURCE"] == gen.DEFAULT_SOURCE
    assert doc["default"]["image"] == "$PIPELINEKIT_IMAGE"
    assert (
        '"pipelinekit[docker,lint,package]$PIPELINEKIT_SOURCE"'
        in doc["default"]["before_script"][2]
    )


# --- the same jobs as the renderer ----------------------------------------------------------


@pytest.fixture(scope="module")
def example_rendered(tmp_path_factory: pytest.TempPathFactory) -> str:
    """`.gitlab-ci.yml` as pipelinekit renders it for the example (a git repository, so the
    release jobs are planned too)."""
    repo = copy_example(tmp_path_factory.mktemp("render") / "churn-model")
    init_repo(repo)
    project = load_project(repo)
    return render_gitlab_ci(plan(project.facts, project.config), source="pyproject.toml")


def normalized(job: dict[str, Any]) -> dict[str, Any]:
    """A job without what the component's `path` input adds: the explicit path argument
    `'.'` / `./`."""
    out = dict(job)
    out["script"] = [re.sub(r" (--path )?'\.'$", "", job["script"][-1])]
    if "artifacts" in job:
        text = yaml.safe_dump(job["artifacts"]).replace("./.pipelinekit", ".pipelinekit")
        out["artifacts"] = yaml.safe_load(text.replace("- ./dist/", "- dist/"))
    return out


def test_component_and_template_have_the_renderers_jobs(example_rendered: str) -> None:
    expected = {name: normalized(job) for name, job in jobs_of(example_rendered).items()}
    assert set(expected) == {
        "lint",
        "test",
        "audit",
        "package",
        "docker",
        "release-verify",
        "release",
    }
    component = jobs_of(interpolate(COMPONENT.read_text()))
    assert {name: normalized(job) for name, job in component.items()} == expected
    plain = jobs_of(PLAIN.read_text())
    assert {name: normalized(job) for name, job in plain.items()} == expected
    rendered, ours = yaml.safe_load(example_rendered), yaml.safe_load(PLAIN.read_text())
    assert ours["workflow"] == rendered["workflow"]
    assert ours["stages"] == rendered["stages"]


# --- executed -------------------------------------------------------------------------------


def including_project(root: Path, ci_yaml: str, files: dict[Path, str]) -> Path:
    """A copy of the example whose .gitlab-ci.yml includes our files (copied in: a local
    include must be in the project), as a git repository."""
    repo = copy_example(root / "churn-model")
    for source, target in files.items():
        (repo / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, repo / target)
    (repo / ".gitlab-ci.yml").write_text(ci_yaml)
    init_repo(repo)
    return repo


@pytest.mark.slow
def test_gitlab_ci_local_runs_a_project_including_the_template(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, pipelinekit_wheel: Path
) -> None:
    ci_yaml = yaml.safe_dump(
        {
            "include": [{"local": "ci/pipelinekit.gitlab-ci.yml"}],
            "variables": {"PIPELINEKIT_SOURCE": f"@ {pipelinekit_wheel.as_uri()}"},
        }
    )
    repo = including_project(tmp_path, ci_yaml, {PLAIN: "ci/pipelinekit.gitlab-ci.yml"})
    assert validate_gitlab_ci(ci_yaml, base_dir=repo) == []
    pip_cache = tmp_path_factory.getbasetemp() / "pip-cache"
    run = run_gitlab_ci_local(
        repo, variables={"PIP_CACHE_DIR": str(pip_cache)}, jobs=["lint", "test"], timeout=300
    )
    assert run.returncode == 0, run.output
    assert "[passed] lint: ruff: no problems" in job_log(repo, "lint")
    test_log = job_log(repo, "test")
    assert "[passed] coverage: coverage:" in test_log and "pytest: 11 passed" in test_log


@pytest.mark.slow
def test_gitlab_ci_local_reads_the_component_with_inputs(tmp_path: Path) -> None:
    """gitlab-ci-local interpolates the component's inputs: on `master` as the default
    branch the release job is offered (manual), on a tag only release-verify joins."""
    ci_yaml = yaml.safe_dump(
        {
            "include": [
                {
                    "local": "templates/pipelinekit.yml",
                    "inputs": {"default_branch": "master", "path": "."},
                }
            ]
        }
    )
    repo = including_project(tmp_path, ci_yaml, {COMPONENT: "templates/pipelinekit.yml"})
    on_master = {
        job["name"]: job["when"]
        for job in list_jobs(repo, variables={"CI_COMMIT_BRANCH": "master"})
    }
    assert on_master["release"] == "manual"
    assert on_master["lint"] == on_master["test"] == on_master["package"] == "on_success"
    assert on_master["release-verify"] == "never"
    on_tag = {
        job["name"]: job["when"]
        for job in list_jobs(
            repo, variables={"CI_COMMIT_TAG": "v1.2.3"}, unset=["CI_COMMIT_BRANCH"]
        )
    }
    assert on_tag["release-verify"] == "on_success" and on_tag["release"] == "never"
