"""The planner: `plan(facts, config) -> Pipeline`, pure and deterministic (same facts and
config, same model, byte for byte). The job builders live in `jobs`, pipelinekit's own setup
lines in `setup`, the image in `pipelinekit.docker.spec`, the environment in `pipelinekit.env`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipelinekit import __version__
from pipelinekit.baseline.decisions import adopted
from pipelinekit.config.models import Config
from pipelinekit.detect.facts import ProjectFacts
from pipelinekit.docker.spec import image_spec
from pipelinekit.env.planner import plan_env
from pipelinekit.errors import ConfigError
from pipelinekit.plan import reports
from pipelinekit.plan.jobs import plan_jobs
from pipelinekit.plan.model import STAGE_ORDER, UV_CACHE, VENV, Job, Pipeline, SonarSpec
from pipelinekit.plan.setup import setup_lines


def plan(facts: ProjectFacts, config: Config) -> Pipeline:
    """Build the pipeline model for a project from its facts and its configuration."""
    jobs = plan_jobs(facts, config)
    check_jobs(jobs)
    used = {job.stage for job in jobs}
    environment = plan_env(facts, config)
    cache = config.jenkins.uv_cache_dir or UV_CACHE
    return Pipeline(
        name=facts.name,
        root=facts.root,
        python_version=environment.python,
        image=config.ci.image or f"python:{environment.python}-slim",
        default_branch=config.ci.default_branch,
        branches=tuple(config.ci.branches),
        variables={
            "PIPELINEKIT_VENV": VENV,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYTHONUNBUFFERED": "1",
            "UV_CACHE_DIR": cache,
            "UV_PYTHON_INSTALL_DIR": f"{cache}/python",
            "UV_LINK_MODE": "copy",
            **_metrics_variables(config),
        },
        setup=setup_lines(config, jobs),
        adopted=adopted(facts, config, environment),
        environment=environment,
        stages=tuple(s for s in STAGE_ORDER if s in used),
        jobs=tuple(jobs),
        timeout_minutes=config.ci.timeout_minutes,
        generator=f"pipelinekit {__version__}",
        jenkins_agent_label=config.jenkins.agent_label,
        jenkins_gpu_label=config.jenkins.gpu_agent_label,
        jenkins_keep_builds=config.jenkins.keep_builds,
        jenkins_docker_label=config.jenkins.docker_agent_label,
        jenkins_uv_cache_dir=config.jenkins.uv_cache_dir,
        gitlab_tags=tuple(config.gitlab.tags),
        gitlab_gpu_tags=tuple(config.gitlab.gpu_tags),
        gitlab_interruptible=config.gitlab.interruptible,
        gitlab_dind_image=config.gitlab.dind_image,
        image_spec=image_spec(facts, config, environment.python),
        sonar=_sonar_spec(facts, config, environment.python),
    )


def _metrics_variables(config: Config) -> dict[str, str]:
    """The configured Pushgateway as a pipeline variable, so every job (and anything a job
    runs) reports to it; a CI/CD variable of the same name set in GitLab's project settings
    takes precedence over the file's."""
    from pipelinekit.metrics.settings import PUSHGATEWAY_ENV

    url = config.metrics.pushgateway
    return {PUSHGATEWAY_ENV: url} if url else {}


def sonar_project_key(name: str) -> str:
    """Sonar keys allow letters, digits, '-', '_', '.' and ':' with at least one non-digit."""
    key = re.sub(r"[^A-Za-z0-9_.:-]+", "_", name).strip("_") or "project"
    return key if not key.isdigit() else f"project_{key}"


def _sonar_spec(facts: ProjectFacts, config: Config, python: str) -> SonarSpec:
    sources = facts.source_dirs or (".",)
    return SonarSpec(
        project_key=sonar_project_key(config.sonar.project_key or facts.name),
        project_name=facts.name,
        host_url=config.sonar.host_url,
        organization=config.sonar.organization,
        sources=tuple(sources),
        tests=facts.tests.dirs,
        python_version=python,
        junit_path=f"{reports.REPORTS_DIR}/{reports.JUNIT}",
        coverage_path=f"{reports.REPORTS_DIR}/{reports.COBERTURA}",
    )


def check_jobs(jobs: Iterable[Job]) -> None:
    """Jobs must be unique, in dependency order, in known stages, and may only need jobs that
    are in every pipeline they are in (a tag-only job may need an always-job, not the reverse),
    or GitLab rejects the pipeline."""
    seen: dict[str, Job] = {}
    for job in jobs:
        if job.name in seen:
            raise ConfigError(f"Two jobs are named {job.name!r}; job names must be unique.")
        missing = [n for n in job.needs if n not in seen]
        if missing:
            raise ConfigError(
                f"Job {job.name!r} needs {', '.join(missing)}, which is not planned before it; "
                "enable that stage or drop the dependency."
            )
        narrower = [n for n in job.needs if seen[n].rules and seen[n].rules != job.rules]
        if narrower:
            raise ConfigError(
                f"Job {job.name!r} needs {', '.join(narrower)}, which runs in fewer pipelines "
                "than it does."
            )
        if job.stage not in STAGE_ORDER:
            raise ConfigError(f"Job {job.name!r} names unknown stage {job.stage!r}.")
        seen[job.name] = job
