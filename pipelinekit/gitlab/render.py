"""The .gitlab-ci.yml renderer: the model as GitLab CI YAML. Pure: model in, text out.

Concurrency comes from `needs` (a DAG), so jobs start as soon as what they need is done,
whatever their stage. Workflow rules admit merge-request pipelines, tags, and the configured
branches, and drop the duplicate branch pipeline while a merge request is open.
"""

from __future__ import annotations

from typing import Any

import yaml

from pipelinekit.config.refs import glob_to_regex
from pipelinekit.plan.model import Job, Pipeline, Rule
from pipelinekit.render.header import with_header

_REPORT_KEYS = {"junit": "junit", "codequality": "codequality"}
CACHE_VARIABLES = {
    # GitLab caches only paths inside the project folder.
    "PIP_CACHE_DIR": "$CI_PROJECT_DIR/.cache/pip",
    "UV_CACHE_DIR": "$CI_PROJECT_DIR/.cache/uv",
    "UV_PYTHON_INSTALL_DIR": "$CI_PROJECT_DIR/.cache/uv/python",
}
KEY_FILE_ORDER = (
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile.lock",
    "pyproject.toml",
    "Pipfile",
    "setup.py",
    "setup.cfg",
)
"""GitLab hashes at most two files into a cache key: the lock and the manifest come first."""
DIND_VARIABLES = {
    "DOCKER_HOST": "tcp://docker:2376",
    "DOCKER_TLS_CERTDIR": "/certs",
    "DOCKER_CERT_PATH": "/certs/client",
    "DOCKER_TLS_VERIFY": "1",
}


def render_gitlab_ci(pipeline: Pipeline, *, source: str) -> str:
    doc: dict[str, Any] = {
        "workflow": {"rules": _workflow_rules(pipeline)},
        "stages": list(pipeline.stages),
        "variables": dict(sorted({**pipeline.variables, **CACHE_VARIABLES}.items())),
        "default": _default(pipeline),
    }
    for job in pipeline.jobs:
        doc[job.name] = _job(pipeline, job)
    body = yaml.safe_dump(
        doc, sort_keys=False, default_flow_style=False, width=4096, allow_unicode=True
    )
    return with_header(body, comment="#", source=source)


def _default(pipeline: Pipeline) -> dict[str, Any]:
    default: dict[str, Any] = {
        "image": pipeline.image,
        "interruptible": pipeline.gitlab_interruptible,
        "cache": {
            # uv's download cache (content-addressed: a stale key costs downloads, never a
            # wrong install), keyed by what the project environment is built from.
            "key": {
                "files": cache_key_files(pipeline),
                "prefix": f"uv-py{pipeline.python_version}",
            },
            "paths": [".cache/uv", ".cache/pip"],
        },
        "before_script": list(pipeline.setup),
    }
    if pipeline.gitlab_tags:
        default["tags"] = list(pipeline.gitlab_tags)
    return default


def cache_key_files(pipeline: Pipeline) -> list[str]:
    """The two files (repository-relative) that best identify the project's environment."""
    files = pipeline.environment.key_files

    def rank(path: str) -> tuple[int, str]:
        name = path.rsplit("/", 1)[-1]
        return (KEY_FILE_ORDER.index(name) if name in KEY_FILE_ORDER else len(KEY_FILE_ORDER), path)

    chosen = sorted(files, key=rank)[:2] or [".gitlab-ci.yml"]
    prefix = "" if pipeline.root == "." else pipeline.root.rstrip("/") + "/"
    return [p if p == ".gitlab-ci.yml" else prefix + p for p in chosen]


def _branch_if(pattern: str) -> str:
    return f"$CI_COMMIT_BRANCH =~ {_re2(pattern)}"


def _re2(pattern: str) -> str:
    """A GitLab regex literal for a glob; `/` is escaped so the literal cannot end early."""
    return "/" + glob_to_regex(pattern).replace("/", "\\/") + "/"


def _workflow_rules(pipeline: Pipeline) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [
        {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'},
        {"if": "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS", "when": "never"},
        {"if": "$CI_COMMIT_TAG"},
        {"if": _branch_if(pipeline.default_branch)},
    ]
    rules.extend({"if": _branch_if(p)} for p in pipeline.branches if p != pipeline.default_branch)
    rules.append({"if": '$CI_PIPELINE_SOURCE == "schedule" || $CI_PIPELINE_SOURCE == "web"'})
    return rules


def _job(pipeline: Pipeline, job: Job) -> dict[str, Any]:
    out: dict[str, Any] = {"stage": job.stage, "needs": list(job.needs)}
    if job.gpu:
        out["tags"] = list(pipeline.gitlab_gpu_tags) or list(pipeline.gitlab_tags)
    if job.rules:
        out["rules"] = [_rule(rule, pipeline.default_branch) for rule in job.rules]
    variables: dict[str, str] = {}
    if job.full_history:
        variables.update(GIT_DEPTH="0", GIT_FETCH_EXTRA_FLAGS="--prune --quiet --tags")
    if job.uses_docker and not job.gpu:
        # A TLS docker:dind service; GPU builds use the GPU runner's own daemon instead.
        out["services"] = [{"name": pipeline.gitlab_dind_image, "alias": "docker"}]
        variables.update(DIND_VARIABLES)
    if variables:
        out["variables"] = dict(sorted(variables.items()))
    if job.timeout_minutes:
        out["timeout"] = f"{job.timeout_minutes} minutes"
    if job.coverage_regex:
        out["coverage"] = f"/{job.coverage_regex}/"
    if job.allow_failure:
        out["allow_failure"] = True
    out["script"] = list(job.script)
    artifacts = _artifacts(job)
    if artifacts:
        out["artifacts"] = artifacts
    return out


def _rule(rule: Rule, default_branch: str) -> dict[str, Any]:
    if rule.kind == "merge_request":
        condition = '$CI_PIPELINE_SOURCE == "merge_request_event"'
    elif rule.kind == "tag":
        condition = "$CI_COMMIT_TAG"
        if rule.pattern:
            condition += f" =~ {_re2(rule.pattern)}"
    elif rule.kind == "default_branch":
        condition = _branch_if(default_branch)
    else:
        condition = _branch_if(rule.pattern) if rule.pattern else "$CI_COMMIT_BRANCH"
    out: dict[str, Any] = {"if": condition}
    if rule.manual:
        out["when"] = "manual"
    return out


def _artifacts(job: Job) -> dict[str, Any]:
    reports: dict[str, Any] = {}
    paths = list(job.artifacts)
    for report in job.reports:
        if report.kind == "cobertura":
            reports["coverage_report"] = {"coverage_format": "cobertura", "path": report.path}
        elif report.kind in _REPORT_KEYS:
            reports[_REPORT_KEYS[report.kind]] = report.path
        paths.append(report.path)
    if not reports and not paths:
        return {}
    out: dict[str, Any] = {"when": "always", "expire_in": "30 days"}
    if reports:
        out["reports"] = reports
    out["paths"] = sorted(set(paths))
    return out
