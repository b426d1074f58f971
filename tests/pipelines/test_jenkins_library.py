"""The Jenkins shared library (pipelines/jenkins): Groovy 2.4 compiles every file, the
recorder runs the steps against stub DSL steps with a real `pipelinekit plan --format json`,
parameters are validated with the documented errors, and npm-groovy-lint passes.

All recordings run in one JVM (module fixture): a JVM start costs more than a recording.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from pipelinekit.config.refs import glob_to_regex
from tests.pipelines.conftest import JENKINS_LIBRARY, load
from tests.support import groovy
from tests.support.groovy import LibraryCall, Node, StepReturn
from tests.support.groovylint import npm_groovy_lint

pytestmark = pytest.mark.slow

PIPELINE_STEP = JENKINS_LIBRARY / "vars" / "pipelinekitPipeline.groovy"
STAGE_STEP = JENKINS_LIBRARY / "vars" / "pipelinekitStage.groovy"
FEATURE = {"BRANCH_NAME": "feature/x"}
MAIN = {"BRANCH_NAME": "main"}
TAG = {"BRANCH_NAME": "v1.2.3", "TAG_NAME": "v1.2.3"}
GLOB_CASES = [
    ("release/*", "release/1.0"),
    ("release/*", "release/1/2"),
    ("release/**", "release/1/2"),
    ("v?.x", "v1.x"),
    ("v?.x", "v12.x"),
    ("feat.x", "featAx"),
    ("main", "main"),
    ("main", "mainline"),
]


def plan_stub(plan: dict[str, Any]) -> list[StepReturn]:
    """`sh(returnStdout: true, script: '... plan --format json')` returns this plan."""
    return [{"name": "sh", "contains": "plan --format json", "value": json.dumps(plan)}]


def with_upload_gpu_job(plan: dict[str, Any]) -> dict[str, Any]:
    """The rich plan plus a tag-only GPU job with a username/password credential (the
    planner has no such job today; the library must still run one)."""
    plan = copy.deepcopy(plan)
    plan["jobs"].append(
        {
            **plan["jobs"][0],
            "name": "upload",
            "stage": "publish",
            "needs": ["package"],
            "rules": [{"kind": "tag", "pattern": "v*", "manual": False}],
            "credentials": [
                {
                    "id": "aws",
                    "kind": "username_password",
                    "variable": "AWS_ACCESS_KEY_ID",
                    "password_variable": "AWS_SECRET_ACCESS_KEY",
                }
            ],
            "reports": [],
            "script": ['"$PIPELINEKIT_VENV/bin/pipelinekit" stage upload'],
            "gpu": True,
        }
    )
    return plan


def glob_plan(plan: dict[str, Any], pattern: str) -> dict[str, Any]:
    plan = copy.deepcopy(plan)
    plan["jobs"] = [{**plan["jobs"][0], "rules": [{"kind": "branch", "pattern": pattern}]}]
    return plan


@pytest.fixture(scope="module")
def recorded(example_plan_json: str, rich_plan_json: str) -> dict[str, Node]:
    example, rich = load(example_plan_json), load(rich_plan_json)
    labelled_model = {**example, "jenkins_agent_label": "py311"}
    calls: dict[str, tuple[Any, dict[str, Any], dict[str, Any] | None, dict[str, str]]] = {
        # name: (step, parameters, plan the stub returns, env)
        "example": (PIPELINE_STEP, {}, example, FEATURE),
        "main": (PIPELINE_STEP, {"timeoutMinutes": 90}, with_upload_gpu_job(rich), MAIN),
        "tag": (PIPELINE_STEP, {"gpuLabel": "a100"}, with_upload_gpu_job(rich), TAG),
        "only": (PIPELINE_STEP, {"only": ["test", "package"]}, example, FEATURE),
        "agent": (PIPELINE_STEP, {"agentLabel": "linux", "path": "svc"}, example, FEATURE),
        "model-label": (PIPELINE_STEP, {}, labelled_model, FEATURE),
        "image": (PIPELINE_STEP, {"pythonImage": "registry/py:3.12"}, example, FEATURE),
        "unknown-key": (PIPELINE_STEP, {"agentLable": "x", "timeoutMinutes": 5}, None, FEATURE),
        "wrong-type": (PIPELINE_STEP, {"timeoutMinutes": "30", "only": "lint"}, None, FEATURE),
        "bad-values": (PIPELINE_STEP, {"timeoutMinutes": 0, "path": "../x"}, None, FEATURE),
        "unknown-job": (PIPELINE_STEP, {"only": ["lnt"]}, example, FEATURE),
        "stage": (STAGE_STEP, {"name": "test"}, example, FEATURE),
        "stage-sonar": (STAGE_STEP, {"name": "sonar", "path": "svc"}, rich, FEATURE),
        "stage-typo": (STAGE_STEP, {"name": "tset"}, example, FEATURE),
        "stage-missing": (STAGE_STEP, {"pipelinekitSpec": 3}, None, FEATURE),
    }
    for pattern, branch in GLOB_CASES:
        calls[f"glob {pattern} {branch}"] = (
            PIPELINE_STEP,
            {},
            glob_plan(example, pattern),
            {"BRANCH_NAME": branch},
        )
    trees = groovy.record_library_steps(
        LibraryCall(step, [params], {"env": env}, plan_stub(plan) if plan else [])
        for step, params, plan, env in calls.values()
    )
    return dict(zip(calls, trees, strict=True))


# --- helpers over recorded trees: scripted `parallel` branches are closures in its args ----


def nodes(node: Node) -> Iterator[Node]:
    """node and every descendant, including the bodies of closures passed as arguments."""
    yield node
    for arg in node["args"]:
        yield from _in_value(arg)
    for child in node["children"]:
        yield from nodes(child)


def _in_value(value: Any) -> Iterator[Node]:
    if isinstance(value, dict):
        if "closure" in value:
            for inner in value["closure"]:
                yield from nodes(inner)
        else:
            for item in value.values():
                yield from _in_value(item)
    elif isinstance(value, list):
        for item in value:
            yield from _in_value(item)


def named(node: Node, name: str) -> list[Node]:
    return [n for n in nodes(node) if n["name"] == name]


def stage_of(tree: Node, name: str) -> Node:
    found = [s for s in named(tree, "stage") if s["args"] == [name]]
    assert len(found) == 1, f"stage {name!r}: {len(found)} found"
    return found[0]


def shell_lines(node: Node) -> list[str]:
    return [s["args"][0] for s in named(node, "sh") if isinstance(s["args"][0], str)]


def error_text(tree: Node) -> str:
    errors = named(tree, "error")
    assert len(errors) == 1, [n["name"] for n in nodes(tree)]
    return groovy.text(errors[0]["args"][0])


# --- tests --------------------------------------------------------------------------------


def test_library_has_the_standard_layout() -> None:
    for step in ("pipelinekitPipeline", "pipelinekitStage"):
        assert (JENKINS_LIBRARY / "vars" / f"{step}.groovy").is_file()
        assert (JENKINS_LIBRARY / "vars" / f"{step}.txt").read_text().strip()
    readme = (JENKINS_LIBRARY / "README.md").read_text()
    assert "@Library('pipelinekit') _" in readme
    assert "globalLibraries" in readme  # the configuration-as-code of the global library


def test_every_library_file_compiles_with_groovy_24() -> None:
    files = sorted(JENKINS_LIBRARY.rglob("*.groovy"))
    assert len(files) >= 4
    errors = groovy.parse_many(files)
    assert {str(p): str(e) for p, e in errors.items() if e is not None} == {}


def test_pipeline_stages_come_from_the_real_plan(
    recorded: dict[str, Node], example_plan_json: str
) -> None:
    tree, plan = recorded["example"], load(example_plan_json)
    node = groovy.child(tree, "node")
    assert node["args"] == []  # any agent
    assert [c["name"] for c in node["children"]][:2] == ["checkout", "withDockerContainer"]
    planning = groovy.child(node, "withDockerContainer")
    assert planning["args"] == [{"image": "python:3.11-slim", "args": ""}]
    plan_sh = planning["children"][1]["args"][0]
    assert plan_sh["returnStdout"] is True and "plan --format json" in plan_sh["script"]

    assert [s["args"][0] for s in named(tree, "stage")] == [
        "setup",
        "lint + test + audit",
        "lint",
        "test",
        "audit",
        "package",
        "docker",
    ]
    timeout = groovy.find_one(tree, "timeout")
    assert timeout["args"] == [{"time": plan["timeout_minutes"], "unit": "MINUTES"}]
    env = groovy.find_one(tree, "withEnv")["args"][0]
    assert env == [f"{k}={v}" for k, v in sorted(plan["variables"].items())]
    assert shell_lines(stage_of(tree, "setup")) == plan["setup"]

    parallel = groovy.find_one(stage_of(tree, "lint + test + audit"), "parallel")["args"][0]
    assert parallel["failFast"] is False and set(parallel) == {"failFast", "lint", "test", "audit"}
    for job in plan["jobs"]:
        stage = stage_of(tree, job["name"])
        if job["uses_docker"]:  # the node's own daemon: no container, its own venv
            assert groovy.find_one(stage, "node")["args"] == [plan["jenkins_docker_label"]]
            assert named(stage, "withDockerContainer") == []
            assert shell_lines(stage) == [*plan["setup"], *job["script"]], job["name"]
            continue
        assert shell_lines(stage) == job["script"], job["name"]
        container = groovy.find_one(stage, "withDockerContainer")
        assert container["args"][0]["image"] == plan["image"]

    test = stage_of(tree, "test")
    published = [n["name"] for n in nodes(test) if n["name"] in {"junit", "recordCoverage"}]
    assert published == ["junit", "recordCoverage"]
    assert named(test, "junit")[0]["args"][0] == {
        "testResults": ".pipelinekit/reports/junit.xml",
        "allowEmptyResults": True,
    }
    assert named(test, "recordCoverage")[0]["args"][0]["tools"] == [
        {"parser": "COBERTURA", "pattern": ".pipelinekit/reports/coverage.xml"}
    ]
    timeouts = [n["args"][0]["time"] for n in named(test, "timeout")]
    assert timeouts == [30]  # the job's own limit from the model
    issues = named(stage_of(tree, "lint"), "recordIssues")[0]["args"][0]
    assert issues["tools"][0]["call"] == "sarif"
    assert issues["tools"][0]["args"][0]["pattern"] == ".pipelinekit/reports/ruff.sarif"
    archive = groovy.find_one(tree, "archiveArtifacts")
    assert archive["args"][0]["artifacts"] == "**/.pipelinekit/reports/**"


def test_rules_credentials_manual_and_gpu_on_the_default_branch(
    recorded: dict[str, Node],
) -> None:
    tree = recorded["main"]
    assert groovy.find_one(tree, "timeout")["args"][0]["time"] == 90
    assert shell_lines(stage_of(tree, "release-verify")) == []  # tag only
    assert "skipped: it runs for tag v*" in groovy.text(
        named(stage_of(tree, "release-verify"), "echo")[0]["args"][0]
    )
    release = stage_of(tree, "release")
    assert named(release, "input")[0]["args"] == [{"message": "Run release?"}]
    assert shell_lines(release)[-1] == '"$PIPELINEKIT_VENV/bin/pipelinekit" release'
    sonar = groovy.find_one(stage_of(tree, "sonar"), "withCredentials")
    assert sonar["args"][0] == [
        {
            "call": "string",
            "args": [{"credentialsId": "sonar-token", "variable": "SONAR_TOKEN"}],
            "children": [],
        }
    ]
    assert shell_lines(sonar) == ['"$PIPELINEKIT_VENV/bin/pipelinekit" stage sonar']
    assert named(stage_of(tree, "upload"), "node") == []  # GPU job skipped off tags


def test_tag_build_runs_tag_jobs_and_gpu_job_on_gpu_agent(
    recorded: dict[str, Node], rich_plan_json: str
) -> None:
    tree, plan = recorded["tag"], load(rich_plan_json)
    assert shell_lines(stage_of(tree, "release-verify"))[-1].endswith("release verify")
    assert shell_lines(stage_of(tree, "release")) == []
    upload = stage_of(tree, "upload")
    gpu_node = groovy.find_one(upload, "node")
    assert gpu_node["args"] == ["a100"]
    assert [c["name"] for c in gpu_node["children"]] == ["checkout", "withDockerContainer"]
    container = groovy.child(gpu_node, "withDockerContainer")
    assert container["args"] == [{"image": plan["image"], "args": "--gpus all"}]
    bound = groovy.find_one(container, "withCredentials")
    assert bound["args"][0][0]["call"] == "usernamePassword"
    assert bound["args"][0][0]["args"][0] == {
        "credentialsId": "aws",
        "usernameVariable": "AWS_ACCESS_KEY_ID",
        "passwordVariable": "AWS_SECRET_ACCESS_KEY",
    }
    # A GPU agent has its own workspace: the job creates its venv there first.
    assert shell_lines(bound) == [
        *plan["setup"],
        '"$PIPELINEKIT_VENV/bin/pipelinekit" stage upload',
    ]


def test_only_selects_jobs_and_cuts_their_needs(recorded: dict[str, Node]) -> None:
    tree = recorded["only"]
    assert [s["args"][0] for s in named(tree, "stage")] == ["setup", "test", "package"]
    assert named(tree, "parallel") == []


def test_agent_label_runs_on_the_agent_without_containers(recorded: dict[str, Node]) -> None:
    tree = recorded["agent"]
    assert groovy.child(tree, "node")["args"] == ["linux"]
    assert named(tree, "withDockerContainer") == []
    dirs = named(tree, "dir")
    assert dirs and all(d["args"] == ["svc"] for d in dirs)
    assert any("plan --format json" in json.dumps(n["args"]) for n in nodes(dirs[0]))


def test_model_agent_label_moves_jobs_after_planning(recorded: dict[str, Node]) -> None:
    tree = recorded["model-label"]
    planning, jobs = [c for c in tree["children"] if c["name"] == "node"]
    assert planning["args"] == [] and named(planning, "stage") == []
    assert jobs["args"] == ["py311"]
    assert [c["name"] for c in jobs["children"]] == ["checkout", "timeout"]
    assert named(jobs, "withDockerContainer") == []  # a labelled agent runs jobs as is
    assert len(named(jobs, "stage")) == 7


def test_python_image_overrides_every_container(recorded: dict[str, Node]) -> None:
    images = {n["args"][0]["image"] for n in named(recorded["image"], "withDockerContainer")}
    assert images == {"registry/py:3.12"}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "unknown-key",
            "pipelinekitPipeline: unknown parameter 'agentLable' (did you mean 'agentLabel'?). "
            "Valid parameters: agentLabel (a String), gpuLabel (a String), only (a List of "
            "Strings), path (a String), pipelinekitSpec (a String), pythonImage (a String), "
            "timeoutMinutes (an Integer). See the step help (vars/pipelinekitPipeline.txt).",
        ),
        (
            "wrong-type",
            "pipelinekitPipeline: parameter 'only' must be a List of Strings, got String 'lint'; "
            "parameter 'timeoutMinutes' must be an Integer, got String '30'. Valid parameters:",
        ),
        (
            "bad-values",
            "pipelinekitPipeline: parameter 'path' must be a folder inside the workspace such as "
            "'.' or 'services/model', got '../x'; parameter 'timeoutMinutes' must be at least 1, "
            "got 0. Valid parameters:",
        ),
        (
            "stage-missing",
            "pipelinekitStage: missing required parameter 'name' (a String); parameter "
            "'pipelinekitSpec' must be a String, got Integer 3. Valid parameters: name (a "
            "String), path (a String), pipelinekitSpec (a String).",
        ),
    ],
)
def test_invalid_parameters_stop_before_anything_runs(
    recorded: dict[str, Node], case: str, expected: str
) -> None:
    tree = recorded[case]
    assert error_text(tree).startswith(expected)
    assert [c["name"] for c in tree["children"]] == ["error"]  # no node, no sh


def test_unknown_job_in_only_is_an_error_listing_the_jobs(recorded: dict[str, Node]) -> None:
    tree = recorded["unknown-job"]
    assert error_text(tree) == (
        "pipelinekitPipeline: only names lnt, not a job of this project. Jobs: lint, test, audit, package, docker."
    )
    assert named(tree, "stage") == []


def test_help_documents_exactly_the_valid_parameters(recorded: dict[str, Node]) -> None:
    for step, case in (
        ("pipelinekitPipeline", "unknown-key"),
        ("pipelinekitStage", "stage-missing"),
    ):
        valid = re.search(r"Valid parameters: (.*?)\. See", error_text(recorded[case]))
        assert valid is not None
        names = sorted(re.findall(r"(\w+) \(", valid.group(1)))
        help_text = (JENKINS_LIBRARY / "vars" / f"{step}.txt").read_text()
        documented = sorted(re.findall(r"<dt><code>(\w+)</code>", help_text))
        assert documented == names, step


def test_stage_step_runs_one_job_and_publishes_its_reports(
    recorded: dict[str, Node], example_plan_json: str
) -> None:
    tree, plan = recorded["stage"], load(example_plan_json)
    assert named(tree, "node") == [] and named(tree, "stage") == []  # the caller's agent
    test_job = next(j for j in plan["jobs"] if j["name"] == "test")
    env = groovy.find_one(tree, "withEnv")
    assert shell_lines(env) == [*plan["setup"], *test_job["script"]]
    assert [n["name"] for n in nodes(env) if n["name"] in {"junit", "recordCoverage"}] == [
        "junit",
        "recordCoverage",
    ]
    sonar = recorded["stage-sonar"]
    assert groovy.child(sonar, "dir")["args"] == ["svc"]
    assert groovy.find_one(sonar, "withCredentials")["args"][0][0]["call"] == "string"


def test_stage_step_unknown_job_suggests_the_closest(recorded: dict[str, Node]) -> None:
    tree = recorded["stage-typo"]
    assert error_text(tree) == (
        "pipelinekitStage: no job named 'tset' in this project's plan (did you mean 'test'?). "
        "Jobs: lint, test, audit, package, docker. `pipelinekit plan` lists them."
    )
    assert named(tree, "withEnv") == []


@pytest.mark.parametrize(("pattern", "branch"), GLOB_CASES)
def test_branch_globs_match_like_the_renderer(
    recorded: dict[str, Node], pattern: str, branch: str
) -> None:
    """The library's glob reading equals pipelinekit.config.refs.glob_to_regex (the GLOB comparator
    of the rendered Jenkinsfile and the GitLab rules)."""
    tree = recorded[f"glob {pattern} {branch}"]
    ran = bool(shell_lines(stage_of(tree, "lint")))
    assert ran == bool(re.fullmatch(glob_to_regex(pattern), branch))


def test_npm_groovy_lint_passes_on_the_library() -> None:
    code, output = npm_groovy_lint(*sorted(JENKINS_LIBRARY.rglob("*.groovy")))
    assert code == 0, output
