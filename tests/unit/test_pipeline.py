from __future__ import annotations

import json

import pytest

from pipelinekit import __version__
from pipelinekit.config.models import Config, parse_config
from pipelinekit.detect.facts import ProjectFacts, TestFacts
from pipelinekit.docker.cuda import FRAMEWORK_CUDA, cuda_image
from pipelinekit.docker.render import render_dockerfile
from pipelinekit.errors import ConfigError
from pipelinekit.plan.model import Job, Rule, describe
from pipelinekit.plan.planner import check_jobs, plan, sonar_project_key


def test_plan_lint_and_test_run_in_parallel(facts: ProjectFacts) -> None:
    pipeline = plan(facts, Config())
    assert [job.name for job in pipeline.jobs] == ["lint", "test"]
    assert pipeline.stages == ("lint", "test")
    assert [[job.name for job in level] for level in pipeline.levels()] == [["lint", "test"]]
    assert pipeline.image == "python:3.11-slim"
    assert pipeline.job("lint").script == ('"$PIPELINEKIT_VENV/bin/pipelinekit" stage lint',)
    assert f"pipelinekit[lint]=={__version__}" in pipeline.setup[2]


def test_setup_bootstraps_uv_and_a_311_tool_environment(facts: ProjectFacts) -> None:
    """The image's python3 (the project's, maybe 3.8) only fetches uv; uv makes pipelinekit's
    own 3.11+ environment, apart from the project's."""
    old = facts.model_copy(update={"python_version": "3.8"})
    pipeline = plan(old, Config())
    assert pipeline.image == "python:3.8-slim"
    assert pipeline.setup == (
        "python3 -m pip install --quiet --upgrade --target .pipelinekit/uv uv==0.13.9",
        ".pipelinekit/uv/bin/uv venv --quiet --allow-existing --seed --python '>=3.11' "
        '"$PIPELINEKIT_VENV"',
        '.pipelinekit/uv/bin/uv pip install --quiet --python "$PIPELINEKIT_VENV/bin/python" '
        f"'pipelinekit[lint]=={__version__}'",
    )
    assert pipeline.environment.python == "3.8"
    pinned = parse_config({"ci": {"uv_version": "0.9.2"}, "test": {"python": "3.12"}}, source="p")
    assert "uv==0.9.2" in plan(old, pinned).setup[0]
    assert plan(old, pinned).image == "python:3.12-slim"


def test_test_job_builds_the_project_environment_itself(facts: ProjectFacts) -> None:
    """No install lines in CI: the stage builds the project's environment, as `run` does."""
    test = plan(facts, Config()).job("test")
    assert test.script == ('"$PIPELINEKIT_VENV/bin/pipelinekit" stage test',)
    assert [(r.kind, r.path) for r in test.reports] == [("junit", ".pipelinekit/reports/junit.xml")]
    assert test.timeout_minutes == 30


def test_subfolder_project_prefixes_paths_and_quotes(facts: ProjectFacts) -> None:
    sub = facts.model_copy(update={"root": "ml service"})
    pipeline = plan(sub, Config())
    assert pipeline.job("lint").script == (
        "\"$PIPELINEKIT_VENV/bin/pipelinekit\" stage lint 'ml service'",
    )
    test = pipeline.job("test")
    assert test.script == ("\"$PIPELINEKIT_VENV/bin/pipelinekit\" stage test 'ml service'",)
    assert test.reports[0].path == "ml service/.pipelinekit/reports/junit.xml"


def test_no_tests_no_test_job(facts: ProjectFacts) -> None:
    bare = facts.model_copy(update={"tests": TestFacts()})
    assert [job.name for job in plan(bare, Config()).jobs] == ["lint"]
    forced = parse_config({"test": {"framework": "unittest"}}, source="p")
    assert [job.name for job in plan(bare, forced).jobs] == ["lint", "test"]


def test_disabled_stages_and_overrides(facts: ProjectFacts) -> None:
    config = parse_config(
        {
            "lint": {"enabled": False},
            "ci": {"image": "registry.local/py:3.11", "index_url": "https://pypi.corp/simple"},
        },
        source="p",
    )
    pipeline = plan(facts, config)
    assert [job.name for job in pipeline.jobs] == ["test"]
    assert pipeline.stages == ("test",)
    assert pipeline.image == "registry.local/py:3.11"
    assert "--index-url https://pypi.corp/simple" in pipeline.setup[0]
    assert "--index-url https://pypi.corp/simple" in pipeline.setup[2]


def test_plan_is_deterministic_and_json_serialisable(facts: ProjectFacts) -> None:
    first = plan(facts, Config()).model_dump_json()
    assert first == plan(facts, Config()).model_dump_json()
    data = json.loads(first)
    assert data["jobs"][0]["name"] == "lint"
    assert data["sonar"]["project_key"] == "churn-model"


def test_image_spec_follows_gpu_framework(facts: ProjectFacts) -> None:
    cpu = plan(facts, Config()).image_spec
    assert (cpu.base, cpu.gpu, cpu.install_python) == ("python:3.11-slim", False, False)
    gpu = plan(facts.model_copy(update={"gpu_frameworks": ("torch",)}), Config()).image_spec
    assert gpu.gpu and gpu.install_python
    assert gpu.base == cuda_image(FRAMEWORK_CUDA["torch"])  # "auto": the framework's CUDA line
    pinned = parse_config({"docker": {"cuda": "12.4.1"}}, source="p")
    tf = plan(facts.model_copy(update={"gpu_frameworks": ("tensorflow",)}), pinned).image_spec
    assert tf.base == "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04"
    forced_cpu = parse_config({"docker": {"gpu": False}}, source="p")
    spec = plan(facts.model_copy(update={"gpu_frameworks": ("torch",)}), forced_cpu).image_spec
    assert not spec.gpu and spec.base == "python:3.11-slim"
    assert spec.requirement_files == ("requirements.txt",) and spec.pyproject_dependencies


def test_image_spec_reads_dependencies_before_the_source_only_when_static(
    facts: ProjectFacts,
) -> None:
    """setup.py install_requires, `dynamic = ["dependencies"]` or Poetry's own table: the
    list is not in pyproject.toml, so the project's wheel must bring its dependencies."""
    dynamic = plan(facts.model_copy(update={"static_dependencies": False}), Config()).image_spec
    assert dynamic.pyproject_build and not dynamic.pyproject_dependencies
    text = render_dockerfile(dynamic, source="p")
    assert "--no-deps" not in text and "--find-links /wheels/deps" in text
    assert "pip install --no-index /wheels/app/*.whl" in text
    static = render_dockerfile(plan(facts, Config()).image_spec, source="p")
    assert "/tmp/pyproject-requirements.txt" in static and "--no-deps /wheels/app" in static


@pytest.mark.parametrize(
    ("name", "key"),
    [("churn-model", "churn-model"), ("my project!", "my_project"), ("123", "project_123")],
)
def test_sonar_key_follows_sonar_rules(name: str, key: str) -> None:
    assert sonar_project_key(name) == key


def testcheck_jobs_rejects_bad_graphs() -> None:
    job = Job(name="a", stage="lint", command=("stage", "a"), script=("true",))
    with pytest.raises(ConfigError, match="unique"):
        check_jobs([job, job])
    with pytest.raises(ConfigError, match="needs b"):
        check_jobs([job.model_copy(update={"needs": ("b",)})])
    with pytest.raises(ConfigError, match="unknown stage"):
        check_jobs([job.model_copy(update={"stage": "nope"})])


def test_levels_follow_needs(facts: ProjectFacts) -> None:
    pipeline = plan(facts, Config())
    later = Job(
        name="package",
        stage="build",
        command=("stage", "package"),
        script=("true",),
        needs=("lint", "test"),
    )
    last = Job(
        name="upload",
        stage="publish",
        command=("stage", "upload"),
        script=("true",),
        needs=("package",),
    )
    bigger = pipeline.model_copy(update={"jobs": (*pipeline.jobs, later, last)})
    assert [[j.name for j in level] for level in bigger.levels()] == [
        ["lint", "test"],
        ["package"],
        ["upload"],
    ]
    with pytest.raises(KeyError):
        bigger.job("missing")


def test_describe_shows_steps_and_reports(facts: ProjectFacts) -> None:
    text = describe(plan(facts, Config()))
    assert text.startswith("pipeline churn-model (python 3.11, python:3.11-slim)\n")
    assert "step 1 (parallel)" in text
    assert "report junit: .pipelinekit/reports/junit.xml" in text


def with_stages(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    monkeypatch.setattr("pipelinekit.stages.implemented", lambda: ("lint", "test", *names))


def test_full_pipeline_graph(monkeypatch: pytest.MonkeyPatch, facts: ProjectFacts) -> None:
    with_stages(monkeypatch, "sonar", "package", "upload", "docker")
    config = parse_config(
        {
            "coverage": {"enabled": False},
            "sonar": {"enabled": True},
            "s3": {"enabled": True, "bucket": "ml-artifacts"},
            "release": {"release_job": "auto", "tag_format": "release-{version}"},
        },
        source="p",
    )
    pipeline = plan(facts.model_copy(update={"is_git": True, "gpu_frameworks": ("torch",)}), config)
    graph = {job.name: (job.stage, job.needs) for job in pipeline.jobs}
    assert graph == {
        "lint": ("lint", ()),
        "test": ("test", ()),
        "sonar": ("quality", ("lint", "test")),
        "release-verify": ("verify", ()),
        "package": ("build", ("lint", "test", "sonar")),
        "docker": ("build", ("lint", "test", "sonar", "package")),
        "upload": ("publish", ("package", "docker", "release-verify")),
        "release": ("release", ("lint", "test", "sonar")),
    }
    assert pipeline.stages == ("verify", "lint", "test", "quality", "build", "publish", "release")
    sonar = pipeline.job("sonar")
    assert sonar.credentials[0].variable == "SONAR_TOKEN" and sonar.full_history
    upload = pipeline.job("upload")
    assert upload.rules[0].kind == "tag" and upload.rules[0].pattern == "release-*"
    assert (upload.credentials[0].variable, upload.credentials[0].password_variable) == (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    )
    release = pipeline.job("release")
    assert release.rules == (Rule(kind="default_branch", manual=False),)
    assert release.command == ("release",)
    assert pipeline.job("release-verify").command == ("release", "verify")
    assert pipeline.job("package").artifacts == ("dist/",)
    docker = pipeline.job("docker")
    assert docker.gpu and docker.uses_docker and docker.reports[0].path.endswith("image.json")
    assert (docker.credentials[0].variable, docker.credentials[0].password_variable) == (
        "DOCKER_USERNAME",
        "DOCKER_PASSWORD",
    )


def test_subfolder_commands_carry_the_path(
    monkeypatch: pytest.MonkeyPatch, facts: ProjectFacts
) -> None:
    with_stages(monkeypatch, "package")
    sub = facts.model_copy(update={"root": "ml", "is_git": True})
    pipeline = plan(sub, Config())
    assert pipeline.job("package").command == ("stage", "package", "ml")
    assert pipeline.job("package").artifacts == ("ml/dist/",)
    assert pipeline.job("release-verify").command == ("release", "verify", "--path", "ml")
    assert pipeline.job("release").command == ("release", "ml")


def test_jobs_not_planned_without_module_or_metadata(
    monkeypatch: pytest.MonkeyPatch, facts: ProjectFacts
) -> None:
    config = parse_config({"sonar": {"enabled": True}, "s3": {"enabled": True}}, source="p")
    names = [job.name for job in plan(facts, config).jobs]
    assert names == ["lint", "test"]  # no sonar/upload modules, not a git repo: no release
    with_stages(monkeypatch, "package", "upload")
    bare = facts.model_copy(update={"build_system": "none", "installable": False})
    assert [job.name for job in plan(bare, config).jobs] == ["lint", "test"]
    # metadata that cannot be built (setup.cfg alone): no package job either
    cfg_only = facts.model_copy(update={"installable": False})
    assert "package" not in [job.name for job in plan(cfg_only, config).jobs]


def test_need_on_a_narrower_job_is_rejected() -> None:
    tag_only = Job(
        name="a", stage="verify", command=("x",), script=("x",), rules=(Rule(kind="tag"),)
    )
    always = Job(name="b", stage="build", command=("x",), script=("x",), needs=("a",))
    with pytest.raises(ConfigError, match="runs in fewer pipelines"):
        check_jobs([tag_only, always])
    check_jobs([tag_only, always.model_copy(update={"rules": (Rule(kind="tag"),)})])


def test_setup_installs_the_extras_of_the_planned_jobs(
    monkeypatch: pytest.MonkeyPatch, facts: ProjectFacts
) -> None:
    assert "'pipelinekit[lint]==0.1.0'" in plan(facts, Config()).setup[2]
    with_stages(monkeypatch, "package")
    assert "'pipelinekit[lint,package]==0.1.0'" in plan(facts, Config()).setup[2]
    config = parse_config(
        {"ci": {"pipelinekit_source": "@ https://h/p.whl"}, "lint": {"enabled": False}}, source="p"
    )
    assert plan(facts, config).setup[2].endswith("'pipelinekit[package] @ https://h/p.whl'")


def test_setup_can_install_pipelinekit_from_a_source_folder(facts: ProjectFacts) -> None:
    config = parse_config({"ci": {"pipelinekit_source": "./vendor/pipelinekit/"}}, source="p")
    assert plan(facts, config).setup[2].endswith("'./vendor/pipelinekit[lint]'")


def test_require_conventional_adds_a_release_lint_job_to_merge_requests(
    facts: ProjectFacts,
) -> None:
    """Hunt #13: `require_conventional` promised a `release lint` merge-request job and the
    planner never made one."""
    git = facts.model_copy(update={"is_git": True})
    assert "release-lint" not in [job.name for job in plan(git, Config()).jobs]
    config = parse_config({"release": {"require_conventional": True}}, source="p")
    job = plan(git, config).job("release-lint")
    assert (job.stage, job.needs, job.rules) == ("lint", (), (Rule(kind="merge_request"),))
    assert job.command == ("release", "lint") and job.full_history
    assert job.script == ('"$PIPELINEKIT_VENV/bin/pipelinekit" release lint',)
    sub = plan(git.model_copy(update={"root": "ml"}), config).job("release-lint")
    assert sub.command == ("release", "lint", "--path", "ml")
    off = parse_config({"release": {"require_conventional": True, "enabled": False}}, source="p")
    assert "release-lint" not in [job.name for job in plan(git, off).jobs]
