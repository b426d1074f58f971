"""The pipeline model: what every generated file and every local run derives from.

The model carries everything a renderer needs, so renderers add nothing but syntax. It imports
no planner: `pipelinekit.plan.planner.plan(facts, config)` builds it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from pipelinekit.env.model import EnvSpec

VENV = ".pipelinekit/venv"
"""Where CI jobs create pipelinekit's own environment (Python 3.11+); the project's
environment is apart from it (`.pipelinekit/envs/<key>`, built by the test stages)."""
VENV_BIN = "$PIPELINEKIT_VENV/bin"
BOOTSTRAP = ".pipelinekit/uv"
"""Where CI jobs put the uv that creates pipelinekit's environment, with the image's python3."""
UV_CACHE = ".cache/uv"
TOOL_PYTHON = ">=3.11"
"""pipelinekit's own interpreter: any 3.11+ uv finds on the image, else one uv downloads."""

RuleKind = Literal["branch", "default_branch", "merge_request", "tag"]
ReportKind = Literal["junit", "codequality", "sarif", "cobertura", "sonar", "image"]
CredentialKind = Literal["secret_text", "username_password"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rule(_Model):
    """When a job runs. A job with no rules runs in every pipeline the workflow admits."""

    kind: RuleKind
    pattern: str | None = None
    """A glob on the branch or tag name (`release/*`, `v*`); None matches any."""
    manual: bool = False


class Report(_Model):
    kind: ReportKind
    path: str
    """Relative to the repository root, where CI jobs run."""


class Credential(_Model):
    """A secret the job needs: a Jenkins credentials id bound to env variables; on GitLab the
    same variables are masked CI/CD variables of the project (never in the file)."""

    id: str
    kind: CredentialKind
    variable: str
    """The env variable for secret text, or for the username of a username/password pair."""
    password_variable: str | None = None


class Job(_Model):
    name: str
    stage: str
    command: tuple[str, ...]
    """The pipelinekit command the job runs (arguments after `pipelinekit`, paths relative
    to the repository root): CI runs it as the last line of `script`, the local runner
    directly."""
    script: tuple[str, ...]
    """Shell lines, already quoted for POSIX sh by the planner."""
    needs: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    reports: tuple[Report, ...] = ()
    artifacts: tuple[str, ...] = ()
    credentials: tuple[Credential, ...] = ()
    gpu: bool = False
    allow_failure: bool = False
    timeout_minutes: int | None = None
    uses_docker: bool = False
    """The job talks to a Docker daemon (image build): Jenkins runs it on a Docker node,
    GitLab gives it a docker:dind service (GPU jobs use the GPU runner's own daemon)."""
    full_history: bool = False
    """The job reads the whole git history and tags (release, Sonar blame). GitLab clones 20
    commits deep unless told otherwise; a Jenkins checkout is complete by default."""
    coverage_regex: str | None = None
    """GitLab `coverage:`: the regex that reads the total from the job log."""


class ImageSpec(_Model):
    """What the Dockerfile renderer needs: everything decided here, so rendering is syntax."""

    base: str
    gpu: bool
    python_version: str
    install_python: bool
    """The base has no suitable Python (CUDA images): install it from the distro/PPA."""
    requirement_files: tuple[str, ...]
    """The runtime requirement files of the project environment (not the dev and test
    ones), installed with `-r` before the source (a code change keeps the dependency layer)."""
    requirement_lines: tuple[str, ...] = ()
    """Runtime requirements declared outside requirement files and outside what the project's
    wheel brings (Pipfile, environment.yml, setup.cfg alone): installed with the files."""
    lock: str | None = None
    """The lock the project environment honours: its pins constrain the image too (the docker
    stage writes them beside the wheels it downloads)."""
    copied_files: tuple[str, ...]
    """Every pip requirement/constraint file, copied at its own path before the source so
    `-r`/`-c` includes between them resolve."""
    pyproject_build: bool = False
    """pyproject.toml is copied before the source: its [build-system] requires are installed
    there, so the project's wheel builds without an isolated build env (always true when
    `pyproject_dependencies` is)."""
    pyproject_dependencies: bool
    """Dependencies are static in pyproject.toml [project]; extract them before the source.
    Otherwise (setup.py, dynamic, Poetry's own table) the project's wheel is built with its
    dependencies after the source."""
    installable: bool
    """The project has packaging metadata, so it is built into a wheel (else copied)."""
    source_paths: tuple[str, ...] = (".",)
    """Folders that hold the code (`src`, `.`): the import path of an image that is not
    built into a wheel."""
    gpu_frameworks: tuple[str, ...]
    name: str
    packages: tuple[str, ...]
    """What the image's smoke test imports: the packages, else the top-level modules."""
    code_folders: tuple[str, ...] = ()
    """Top-level folders that hold the project's code: never left out of the build context,
    even when named like data (`data/`, `notebooks/`)."""


class SonarSpec(_Model):
    project_key: str
    project_name: str
    host_url: str | None
    organization: str | None
    sources: tuple[str, ...]
    tests: tuple[str, ...]
    python_version: str
    junit_path: str
    coverage_path: str


class Pipeline(_Model):
    name: str
    """The project's distribution name (used in titles and job names)."""
    root: str
    """The Python project's folder relative to the repository root ('.' when the same)."""
    python_version: str
    image: str
    default_branch: str
    branches: tuple[str, ...]
    """Branch globs that get pipelines (merge requests and tags always do)."""
    variables: dict[str, str]
    setup: tuple[str, ...]
    """Shell lines every job runs first: bootstrap uv, create pipelinekit's own environment
    on Python 3.11+ and install pipelinekit into it."""
    adopted: tuple[str, ...] = ()
    """What pipelinekit adopted from the repository, per stage (`init` and `plan` say it)."""
    environment: EnvSpec
    """The project's test environment (its Python, sources, lock): the test job builds it,
    the CI cache follows its key files."""
    stages: tuple[str, ...]
    jobs: tuple[Job, ...]
    timeout_minutes: int
    generator: str
    jenkins_agent_label: str | None = None
    jenkins_gpu_label: str = "gpu"
    jenkins_keep_builds: int = 20
    jenkins_docker_label: str = "docker"
    jenkins_uv_cache_dir: str | None = None
    gitlab_tags: tuple[str, ...] = ()
    gitlab_gpu_tags: tuple[str, ...] = ()
    gitlab_interruptible: bool = True
    gitlab_dind_image: str = "docker:27-dind"
    image_spec: ImageSpec
    sonar: SonarSpec

    def job(self, name: str) -> Job:
        for job in self.jobs:
            if job.name == name:
                return job
        raise KeyError(name)

    def levels(self) -> list[list[Job]]:
        """Jobs grouped by dependency depth: jobs in one level may run in parallel.

        Jenkins' declarative `parallel` and the local runner both use this; GitLab gets the
        same concurrency from `needs`.
        """
        depth: dict[str, int] = {}
        for job in self.jobs:  # jobs are in dependency order (validated by plan)
            depth[job.name] = 1 + max((depth[n] for n in job.needs), default=-1)
        grouped: dict[int, list[Job]] = {}
        for job in self.jobs:
            grouped.setdefault(depth[job.name], []).append(job)
        return [grouped[d] for d in sorted(grouped)]


STAGE_ORDER = ("verify", "lint", "test", "quality", "build", "publish", "release")


def describe(pipeline: Pipeline) -> str:
    """A readable tree of the model (`pipelinekit plan --format text`)."""
    lines = [f"pipeline {pipeline.name} (python {pipeline.python_version}, {pipeline.image})"]
    lines += [f"  adopted {line}" for line in pipeline.adopted]
    for number, level in enumerate(pipeline.levels(), start=1):
        together = " (parallel)" if len(level) > 1 else ""
        lines.append(f"  step {number}{together}")
        for job in level:
            extra = []
            if job.needs:
                extra.append("needs " + ", ".join(job.needs))
            if job.rules:
                extra.append("when " + " or ".join(_rule_text(r) for r in job.rules))
            if job.gpu:
                extra.append("gpu")
            suffix = f"  [{'; '.join(extra)}]" if extra else ""
            lines.append(f"    {job.stage}/{job.name}{suffix}")
            lines.extend(f"      $ {line}" for line in job.script)
            lines.extend(f"      report {r.kind}: {r.path}" for r in job.reports)
    return "\n".join(lines) + "\n"


def _rule_text(rule: Rule) -> str:
    text = rule.kind.replace("_", " ") + (f" {rule.pattern}" if rule.pattern else "")
    return text + (" (manual)" if rule.manual else "")
