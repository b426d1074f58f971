"""The generated CI files pass the metrics and Sentry settings through: the Pushgateway as a
pipeline variable, SENTRY_AUTH_TOKEN bound to the release (and docker) job, the `sentry` extra
installed; and the docker job announces a release image."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from pipelinekit.config.models import parse_config
from pipelinekit.plan.planner import plan
from pipelinekit.project import load_project
from pipelinekit.render.outputs import render_all
from tests.metrics.test_prometheus import tiny_project

GATEWAY = "http://pushgateway.example.com:9091"
CONFIG = {
    "metrics": {"pushgateway": GATEWAY},
    "sentry": {"org": "acme", "project": "tiny", "docker": True},
}


def rendered(tmp_path: Path, config: dict[str, object]) -> dict[str, str]:
    repo = tiny_project(tmp_path / "repo")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    project = load_project(repo)
    parsed = parse_config(config, source="pyproject.toml")
    return {o.path: o.text for o in render_all(project.facts, parsed, plan(project.facts, parsed))}


def test_gitlab_and_jenkins_carry_the_gateway_and_the_token(tmp_path: Path) -> None:
    files = rendered(tmp_path, CONFIG)
    gitlab = yaml.safe_load(files[".gitlab-ci.yml"])
    assert gitlab["variables"]["PIPELINEKIT_PUSHGATEWAY"] == GATEWAY
    assert "[docker,lint,package,sentry]" in gitlab["default"]["before_script"][2]
    jenkins = files["Jenkinsfile"]
    assert f"PIPELINEKIT_PUSHGATEWAY = '{GATEWAY}'" in jenkins
    binding = "string(credentialsId: 'sentry-auth-token', variable: 'SENTRY_AUTH_TOKEN')"
    assert jenkins.count(binding) == 2  # the release job and the docker job
    for stage in ("release", "docker"):
        start = jenkins.index(f"stage('{stage}')")
        end = jenkins.find("stage(", start + 1)
        assert binding in jenkins[start : end if end > 0 else None], stage


def test_nothing_is_added_without_the_settings(tmp_path: Path) -> None:
    files = rendered(tmp_path, {})
    assert "PIPELINEKIT_PUSHGATEWAY" not in files[".gitlab-ci.yml"] + files["Jenkinsfile"]
    assert (
        "SENTRY_AUTH_TOKEN" not in files["Jenkinsfile"] and "sentry" not in files[".gitlab-ci.yml"]
    )
