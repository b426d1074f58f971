"""Prove that each test-support helper accepts good input AND rejects bad input.

A validator that never fails proves nothing, so every helper is shown both ways here.
JVM and node tools are slow to start, so files are batched: one Groovy parse run, one
recorder run and one npm-groovy-lint run cover all the Groovy cases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import gitlab, groovy, groovylint, tools
from tests.support.git import init_repo
from tests.support.groovy import GroovyError, Node
from tests.support.hadolint import codes, hadolint

# --- hand-written inputs ------------------------------------------------------------------------

VALID_JENKINSFILE = """\
// Declarative pipeline written by hand to prove the recorder and the parsers.
pipeline {
    agent {
        docker {
            image 'python:3.11-slim'
            args '-v /tmp:/tmp'
        }
    }
    options {
        timeout(time: 30, unit: 'MINUTES')
        buildDiscarder(logRotator(numToKeepStr: '20'))
        disableConcurrentBuilds()
    }
    environment {
        PIP_CACHE_DIR = "${WORKSPACE}/.cache/pip"
        APP_NAME = 'demo'
        TOKEN = credentials('sonar-token')
    }
    stages {
        stage('Lint') {
            steps {
                sh 'pipelinekit stage lint'
            }
        }
        stage('Tests') {
            parallel {
                stage('Unit') {
                    steps {
                        sh 'echo $HOME && pipelinekit stage test'
                        junit testResults: 'reports/junit.xml', allowEmptyResults: true
                    }
                }
                stage('Branch') {
                    steps {
                        sh "echo ${env.BRANCH_NAME} ${params.TARGET}"
                    }
                }
            }
        }
        stage('Release') {
            when {
                anyOf {
                    branch 'main'
                    buildingTag()
                }
            }
            steps {
                withCredentials([usernamePassword(credentialsId: 'pypi',
                        usernameVariable: 'U', passwordVariable: 'P')]) {
                    sh 'pipelinekit stage upload'
                }
            }
        }
    }
    post {
        always {
            recordIssues(tools: [sarif(pattern: 'reports/*.sarif')])
        }
        failure {
            echo 'failed'
        }
    }
}
"""

# The closing brace of `stages` is missing: Groovy reports the end of the file.
BROKEN_JENKINSFILE = """\
pipeline {
    agent any
    stages {
        stage('x') {
            steps { sh 'true' }
        }
}
"""

UNRESOLVED_CLASS = "def helper = new NoSuchHelper()\n"

LIBRARY_JENKINSFILE = """\
@Library('pipelinekit@v1') _
pipelinekitPipeline(python: '3.11')
"""

# A job name with both quotes and ${x}: single-quoted it stays literal, double-quoted it
# interpolates. The recorder must tell the two apart.
QUOTING = """\
node {
    sh 'echo a\\'b"${x}'
    sh "echo a'b\\"${x}"
    sleep 5
    env.DEPLOY = 'yes'
}
"""

RUNTIME_ERROR = """\
pipeline {
    def count = 1
    count.noSuchMethod()
}
"""

LIBRARY_STEP = """\
def call(Map config = [:]) {
    pipeline {
        agent { label config.agent }
        stages {
            stage('Build') {
                steps { sh "make ${config.target}" }
            }
        }
    }
}
"""


def outline(node: Node) -> list[Any]:
    """[name, args, [children...]] without line numbers, for whole-tree comparisons."""
    return [node["name"], node["args"], [outline(c) for c in node["children"]]]


def n(name: str, args: list[Any] | None = None, *children: list[Any]) -> list[Any]:
    """Expected outline of one node: n("stage", ["Lint"], n("steps", [], ...))."""
    return [name, args or [], list(children)]


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- tools.require ------------------------------------------------------------------------------


def test_require_skips_locally_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(tools.LOCATORS, "absent-tool", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="absent-tool"):
        tools.require("absent-tool")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        tools.require("absent-tool")


def test_require_returns_the_last_named_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(tools.LOCATORS, "tool-a", lambda: Path("/a"))
    monkeypatch.setitem(tools.LOCATORS, "tool-b", lambda: Path("/b"))
    assert tools.require("tool-a", "tool-b") == Path("/b")
    with pytest.raises(ValueError, match="unknown tool"):
        tools.find("no-such-locator")


def test_java_home_is_jdk_17() -> None:
    home = tools.require("java17")
    assert tools._java_version(home) is not None
    assert str(tools._java_version(home)).startswith("17")
    env = tools.java_env({"PATH": "/usr/bin", "JAVA_HOME": "/usr/lib/jvm/elsewhere"})
    assert env["JAVA_HOME"] == str(home)
    assert env["PATH"].startswith(str(home / "bin"))


# --- Groovy: parse ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def groovy_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("groovy")
    return {
        "valid": write(tmp, "valid/Jenkinsfile", VALID_JENKINSFILE),
        "broken": write(tmp, "broken/Jenkinsfile", BROKEN_JENKINSFILE),
        "unresolved": write(tmp, "Unresolved.groovy", UNRESOLVED_CLASS),
        "library": write(tmp, "library/Jenkinsfile", LIBRARY_JENKINSFILE),
        "quoting": write(tmp, "Quoting.groovy", QUOTING),
        "runtime": write(tmp, "Runtime.groovy", RUNTIME_ERROR),
        "step": write(tmp, "vars/pipelinekitBuild.groovy", LIBRARY_STEP),
    }


@pytest.fixture(scope="module")
def parsed(groovy_files: dict[str, Path]) -> dict[str, GroovyError | None]:
    results = groovy.parse_many(groovy_files.values())  # one JVM for all of them
    return {key: results[path.resolve()] for key, path in groovy_files.items()}


@pytest.mark.slow
def test_parse_accepts_valid_groovy(parsed: dict[str, GroovyError | None]) -> None:
    for key in ("valid", "library", "quoting", "runtime", "step"):
        assert parsed[key] is None, f"{key}: {parsed[key]}"


@pytest.mark.slow
def test_parse_reports_syntax_error_with_line(
    parsed: dict[str, GroovyError | None], groovy_files: dict[str, Path]
) -> None:
    error = parsed["broken"]
    assert error is not None
    assert error.line == BROKEN_JENKINSFILE.count("\n") + 1  # end of file: '}' expected
    assert "expecting '}'" in error.message
    assert str(error).startswith(f"{groovy_files['broken'].resolve()}:{error.line}:")


@pytest.mark.slow
def test_parse_reports_unresolved_class(parsed: dict[str, GroovyError | None]) -> None:
    error = parsed["unresolved"]
    assert error is not None
    assert "unable to resolve class NoSuchHelper" in error.message
    assert (error.line, error.column) == (1, 14)


@pytest.mark.slow
def test_parse_groovy_single_file(groovy_files: dict[str, Path]) -> None:
    error = groovy.parse_groovy(groovy_files["broken"])
    assert error is not None and error.line == 8


# --- Groovy: recorder ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recorded(groovy_files: dict[str, Path]) -> dict[str, Node | GroovyError]:
    keys = ["valid", "library", "quoting", "runtime", "broken"]
    results = groovy.record_many(groovy_files[k] for k in keys)
    return {key: results[groovy_files[key].resolve()] for key in keys}


def tree(recorded: dict[str, Node | GroovyError], key: str) -> Node:
    result = recorded[key]
    assert not isinstance(result, GroovyError), str(result)
    return result


@pytest.mark.slow
def test_recorder_records_declarative_tree(recorded: dict[str, Node | GroovyError]) -> None:
    log_rotator = {"call": "logRotator", "args": [{"numToKeepStr": "20"}], "children": []}
    creds = {
        "call": "usernamePassword",
        "args": [{"credentialsId": "pypi", "usernameVariable": "U", "passwordVariable": "P"}],
        "children": [],
    }
    sarif = {"call": "sarif", "args": [{"pattern": "reports/*.sarif"}], "children": []}
    cache_dir = {"gstring": "${WORKSPACE}/.cache/pip", "values": [{"ref": "WORKSPACE"}]}
    branch_echo = {
        "gstring": "echo ${env.BRANCH_NAME} ${params.TARGET}",
        "values": [{"ref": "env.BRANCH_NAME"}, {"ref": "params.TARGET"}],
    }
    unit_steps = n(
        "steps",
        [],
        n("sh", ["echo $HOME && pipelinekit stage test"]),
        n("junit", [{"testResults": "reports/junit.xml", "allowEmptyResults": True}]),
    )
    expected = n(
        "<script>",
        [],
        n(
            "pipeline",
            [],
            n(
                "agent",
                [],
                n("docker", [], n("image", ["python:3.11-slim"]), n("args", ["-v /tmp:/tmp"])),
            ),
            n(
                "options",
                [],
                n("timeout", [{"time": 30, "unit": "MINUTES"}]),
                n("buildDiscarder", [log_rotator]),
                n("disableConcurrentBuilds"),
            ),
            n(
                "environment",
                [],
                n("=", ["PIP_CACHE_DIR", cache_dir]),
                n("=", ["APP_NAME", "demo"]),
                n("=", ["TOKEN", {"call": "credentials", "args": ["sonar-token"], "children": []}]),
            ),
            n(
                "stages",
                [],
                n("stage", ["Lint"], n("steps", [], n("sh", ["pipelinekit stage lint"]))),
                n(
                    "stage",
                    ["Tests"],
                    n(
                        "parallel",
                        [],
                        n("stage", ["Unit"], unit_steps),
                        n("stage", ["Branch"], n("steps", [], n("sh", [branch_echo]))),
                    ),
                ),
                n(
                    "stage",
                    ["Release"],
                    n("when", [], n("anyOf", [], n("branch", ["main"]), n("buildingTag"))),
                    n(
                        "steps",
                        [],
                        n("withCredentials", [[creds]], n("sh", ["pipelinekit stage upload"])),
                    ),
                ),
            ),
            n(
                "post",
                [],
                n("always", [], n("recordIssues", [{"tools": [sarif]}])),
                n("failure", [], n("echo", ["failed"])),
            ),
        ),
    )
    assert outline(tree(recorded, "valid")) == expected


@pytest.mark.slow
def test_recorder_tree_helpers(recorded: dict[str, Node | GroovyError]) -> None:
    root = tree(recorded, "valid")
    assert groovy.stage_names(root) == ["Lint", "Tests", "Unit", "Branch", "Release"]
    env = groovy.assignments(groovy.find_one(root, "environment"))
    assert env["APP_NAME"] == "demo"
    assert groovy.text(env["PIP_CACHE_DIR"]) == "${WORKSPACE}/.cache/pip"
    release = groovy.stage(root, "Release")
    assert [n["name"] for n in groovy.child(release, "when")["children"]] == ["anyOf"]
    assert groovy.find_one(root, "junit")["line"] == 30  # lines are the Jenkinsfile's own
    with pytest.raises(AssertionError, match="expected one 'sh'"):
        groovy.find_one(root, "sh")
    with pytest.raises(TypeError):
        groovy.text({"ref": "env.X"})


@pytest.mark.slow
def test_recorder_tells_literal_from_interpolated(recorded: dict[str, Node | GroovyError]) -> None:
    node = groovy.find_one(tree(recorded, "quoting"), "node")
    sh_literal, sh_gstring = groovy.find_all(node, "sh")
    assert sh_literal["args"] == ["echo a'b\"${x}"]
    assert sh_gstring["args"] == [{"gstring": "echo a'b\"${x}", "values": [{"ref": "x"}]}]
    # Object.sleep(long) would sleep milliseconds; the recorder records it instead.
    assert groovy.child(node, "sleep")["args"] == [5]
    assert groovy.assignments(node) == {"env.DEPLOY": "yes"}


@pytest.mark.slow
def test_recorder_handles_library_annotation(recorded: dict[str, Node | GroovyError]) -> None:
    root = tree(recorded, "library")
    assert outline(root) == ["<script>", [], [["pipelinekitPipeline", [{"python": "3.11"}], []]]]


@pytest.mark.slow
def test_recorder_reports_errors_with_line(recorded: dict[str, Node | GroovyError]) -> None:
    runtime = recorded["runtime"]
    assert isinstance(runtime, GroovyError)
    assert runtime.line == 3
    assert "noSuchMethod" in runtime.message
    broken = recorded["broken"]
    assert isinstance(broken, GroovyError) and broken.line == 8


@pytest.mark.slow
def test_record_jenkinsfile_raises_on_error(groovy_files: dict[str, Path]) -> None:
    with pytest.raises(groovy.RecordingFailed, match=r"Runtime\.groovy:3: "):
        groovy.record_jenkinsfile(groovy_files["runtime"])


@pytest.mark.slow
def test_record_library_step_calls_call(groovy_files: dict[str, Path]) -> None:
    root = groovy.record_library_step(groovy_files["step"], {"agent": "gpu", "target": "all"})
    assert groovy.child(groovy.find_one(root, "agent"), "label")["args"] == ["gpu"]
    sh = groovy.find_one(root, "sh")
    assert groovy.text(sh["args"][0]) == "make all"
    assert groovy.stage_names(root) == ["Build"]


# --- npm-groovy-lint ----------------------------------------------------------------------------


@pytest.mark.slow
def test_npm_groovy_lint_passes_clean_jenkinsfile(groovy_files: dict[str, Path]) -> None:
    returncode, output = groovylint.npm_groovy_lint(groovy_files["valid"])
    assert returncode == 0, output
    assert "1 linted files" in output


@pytest.mark.slow
def test_npm_groovy_lint_flags_broken_file(groovy_files: dict[str, Path]) -> None:
    valid, broken = groovy_files["valid"].resolve(), groovy_files["broken"].resolve()
    findings = groovylint.npm_groovy_lint_findings(valid, broken)
    assert set(findings) == {valid, broken}
    assert [f for f in findings[valid] if f["severity"] == "error"] == []
    assert "NglParseError" in {f["rule"] for f in findings[broken] if f["severity"] == "error"}


# --- GitLab: schema and semantic checks ---------------------------------------------------------

VALID_GITLAB = """\
stages: [build, test, deploy]
variables:
  PIP_CACHE_DIR: .cache/pip
default:
  image: python:3.11
.python:
  before_script: [pip install -e .]
build:
  stage: build
  extends: .python
  script: [python -m build]
  artifacts:
    paths: [dist/]
unit:
  stage: test
  extends: .python
  needs: [build]
  script: [pytest]
  rules:
    - if: $CI_COMMIT_BRANCH
lint:
  stage: test
  needs: [{job: build, artifacts: false}]
  script:
    - !reference [.python, before_script]
    - ruff check .
prepare:
  stage: .pre
  script: [echo prepare]
publish:
  stage: deploy
  needs: [unit, lint]
  script: [twine upload dist/*]
  only: [tags]
"""


def test_validate_accepts_valid_pipeline() -> None:
    assert gitlab.validate_gitlab_ci(VALID_GITLAB) == []


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        pytest.param(
            "job:\n  script: [x]\n  scrpt: y\n",
            "schema: job: Additional properties are not allowed ('scrpt' was unexpected)",
            id="unknown-key",
        ),
        pytest.param(
            "stages: [build]\njob:\n  stage: lint\n  script: [x]\n",
            "job: stage 'lint' is not in stages ['.pre', 'build', '.post']",
            id="stage-not-in-stages",
        ),
        pytest.param(
            "stages: [build]\njob:\n  script: [x]\n",
            "job: stage 'test' is not in stages ['.pre', 'build', '.post']",
            id="default-stage-test-not-declared",
        ),
        pytest.param(
            "job:\n  stage: lint\n  script: [x]\n",
            "job: stage 'lint' is not in stages ['.pre', 'build', 'test', 'deploy', '.post']",
            id="default-stages",
        ),
        pytest.param(
            "a:\n  script: [x]\n  needs: [ghost]\n",
            "a: needs unknown job 'ghost'",
            id="needs-unknown",
        ),
        pytest.param(
            "a:\n  script: [x]\n  needs: [{job: ghost}]\n",
            "a: needs unknown job 'ghost'",
            id="needs-unknown-map-form",
        ),
        pytest.param(
            ".hidden:\n  script: [x]\na:\n  script: [x]\n  needs: [.hidden]\n",
            "a: needs unknown job '.hidden'",
            id="needs-hidden-job",
        ),
        pytest.param(
            "a:\n  script: [x]\n  needs: [b]\nb:\n  script: [x]\n  needs: [c]\n"
            "c:\n  script: [x]\n  needs: [a]\n",
            "needs cycle: a -> b -> c -> a",
            id="needs-cycle",
        ),
        pytest.param(
            "a:\n  stage: build\n  script: [x]\n  needs: [b]\nb:\n  stage: test\n  script: [x]\n",
            "a: needs 'b', which is in the later stage 'test'",
            id="needs-later-stage",
        ),
        pytest.param(
            "a:\n  script: [x]\n  dependencies: [ghost]\n",
            "a: dependencies unknown job 'ghost'",
            id="dependencies-unknown",
        ),
        pytest.param(
            "a:\n  script: [x]\n  only: [main]\n  rules: [{when: always}]\n",
            "a: mixes rules with only",
            id="only-with-rules",
        ),
        pytest.param(
            ".t:\n  only: [main]\na:\n  extends: .t\n  script: [x]\n  rules: [{when: always}]\n",
            "a: mixes rules with only",
            id="only-with-rules-via-extends",
        ),
        pytest.param(
            "a:\n  extends: .missing\n  script: [x]\n",
            "a: extends unknown job '.missing'",
            id="extends-unknown",
        ),
        pytest.param(
            ".x:\n  extends: .y\n.y:\n  extends: .x\na:\n  extends: .x\n  script: [x]\n",
            "circular extends",
            id="extends-cycle",
        ),
        pytest.param("a:\n  stage: test\n", "a: has no script", id="no-script"),
        pytest.param("a: [\n", "yaml:", id="yaml-syntax"),
        pytest.param("variables: {A: b}\n", "pipeline defines no jobs", id="no-jobs"),
    ],
)
def test_validate_rejects(yaml_text: str, expected: str) -> None:
    errors = gitlab.validate_gitlab_ci(yaml_text)
    assert any(expected in e for e in errors), errors


def test_validate_extends_supplies_stage_and_script() -> None:
    text = "stages: [lint]\n.t:\n  stage: lint\n  script: [ruff check .]\na:\n  extends: .t\n"
    assert gitlab.validate_gitlab_ci(text) == []
    # Without the template's stage, the job falls back to 'test', which is not declared.
    assert gitlab.validate_gitlab_ci(text.replace("  stage: lint\n", "")) != []


def test_validate_resolves_local_includes(tmp_path: Path) -> None:
    write(tmp_path, "ci/templates.yml", ".python:\n  image: python:3.11\n  script: [pytest]\n")
    text = "include:\n  - local: /ci/templates.yml\nunit:\n  extends: .python\n"
    assert gitlab.validate_gitlab_ci(text, base_dir=tmp_path) == []
    assert any("needs base_dir" in e for e in gitlab.validate_gitlab_ci(text))
    remote = "include:\n  - remote: https://example.invalid/x.yml\nunit:\n  script: [x]\n"
    assert any("offline" in e for e in gitlab.validate_gitlab_ci(remote))


def test_safe_job_name_matches_gitlab_ci_local() -> None:
    assert gitlab.safe_job_name("unit-tests_1") == "unit-tests_1"
    assert gitlab.safe_job_name("unit: fast") == "unitOiA" + "fast"  # ": " -> base64url "OiA"


# --- gitlab-ci-local ----------------------------------------------------------------------------

GCL_PIPELINE = """\
stages: [build, test]
build:
  stage: build
  image: python:3.11-slim
  script:
    - mkdir -p dist && echo wheel > dist/demo.whl
    - echo "branch=${CI_COMMIT_BRANCH:-none} tag=${CI_COMMIT_TAG:-none}"
  artifacts:
    paths: [dist/]
"unit: fast":
  stage: test
  needs: [build]
  script:
    - test -f dist/demo.whl
    - cat tracked.txt
broken:
  stage: test
  script:
    - echo about to fail
    - exit 3
"""


@pytest.fixture
def gcl_repo(tmp_path: Path) -> Path:
    return init_repo(
        tmp_path / "repo", {".gitlab-ci.yml": GCL_PIPELINE, "tracked.txt": "tracked-content\n"}
    )


def test_gcl_pipeline_is_valid_for_the_validator() -> None:
    assert gitlab.validate_gitlab_ci(GCL_PIPELINE) == []


@pytest.mark.slow
def test_gitlab_ci_local_runs_pipeline_pass_and_fail(gcl_repo: Path) -> None:
    returncode, output = gitlab.run_gitlab_ci_local(gcl_repo)
    assert returncode == 1, output  # 'broken' fails the pipeline
    assert " PASS  build" in output
    assert " PASS  unit: fast" in output
    assert " FAIL  broken" in output
    assert "branch=main tag=none" in gitlab.job_log(gcl_repo, "build")
    assert "tracked-content" in gitlab.job_log(gcl_repo, "unit: fast")
    assert "about to fail" in gitlab.job_log(gcl_repo, "broken")
    assert (gitlab.artifacts_dir(gcl_repo, "build") / "dist" / "demo.whl").read_text() == "wheel\n"
    # With shell isolation each job ran in its own copy; the repo itself stays clean.
    assert (gitlab.job_dir(gcl_repo, "unit: fast") / "dist" / "demo.whl").is_file()
    assert not (gcl_repo / "dist").exists()


@pytest.mark.slow
def test_gitlab_ci_local_tag_pipeline_selected_jobs(gcl_repo: Path) -> None:
    result = gitlab.run_gitlab_ci_local(
        gcl_repo,
        variables={"CI_COMMIT_TAG": "v1.2.3"},
        unset=["CI_COMMIT_BRANCH"],
        jobs=["unit: fast"],
        needs=True,
    )
    assert result.returncode == 0, result.output
    assert "branch=none tag=v1.2.3" in gitlab.job_log(gcl_repo, "build")
    assert "broken" not in result.output


@pytest.mark.slow
def test_list_jobs(gcl_repo: Path) -> None:
    jobs = {job["name"]: job for job in gitlab.list_jobs(gcl_repo)}
    assert set(jobs) == {"build", "unit: fast", "broken"}
    assert jobs["build"]["stage"] == "build"
    assert [n["job"] for n in jobs["unit: fast"]["needs"]] == ["build"]


# --- hadolint -----------------------------------------------------------------------------------


def test_hadolint_flags_bad_dockerfile() -> None:
    findings = hadolint("FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n")
    assert {"DL3015", "DL3009"} <= codes(findings)  # no --no-install-recommends, lists kept
    assert {f["line"] for f in findings} == {2}


def test_hadolint_passes_clean_dockerfile() -> None:
    clean = (
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update \\\n"
        " && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u12 \\\n"
        " && rm -rf /var/lib/apt/lists/*\n"
    )
    assert hadolint(clean) == []
    assert codes(hadolint("FROM\n")) == {"DL1000"}  # a parse error is a finding
