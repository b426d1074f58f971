"""`[tool.pipelinekit]` as typed pydantic models, and loading with clear, located errors.

Every model forbids unknown keys so a typo is an error with a did-you-mean, never silently
ignored. Every field has a default: a repository needs no config at all; `init` writes only
what differs from the defaults derived from the detected facts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from pipelinekit.artifacts.settings import S3Config
from pipelinekit.audit.settings import AuditConfig
from pipelinekit.config.base import ImageReference, Section, validate_table
from pipelinekit.config.file import read_config_table
from pipelinekit.config.refs import ref_glob_problem
from pipelinekit.config.stages import CoverageConfig, PackageConfig
from pipelinekit.docker.settings import DockerConfig
from pipelinekit.env import UV_VERSION
from pipelinekit.metrics.settings import MetricsConfig, SentryConfig
from pipelinekit.register.settings import RegisterConfig
from pipelinekit.release.settings import ReleaseConfig
from pipelinekit.sonar.settings import SonarConfig

CITarget = Literal["jenkins", "gitlab"]
_ALL_TARGETS: tuple[CITarget, ...] = ("jenkins", "gitlab")


class LintConfig(Section):
    """The lint stage: ruff check (and format check) with the repository's own ruff config."""

    enabled: bool = True
    """Plan a lint job."""
    format_check: bool | None = None
    """Check formatting: by default with the formatter the repository uses (ruff format, or
    black), and not at all when it uses none; true: always (ruff format unless it uses black);
    false: never."""
    paths: list[str] | None = None
    """What to lint; default: the source folders and test folders."""
    args: list[str] = Field(default_factory=list)
    """Extra arguments for `ruff check`."""
    pylint: bool | None = None
    """Run pylint (in the project's environment, where it must be installed): by default when
    the repository configures it (`[tool.pylint]`, `.pylintrc`, `pylintrc`); its findings join
    ruff's, baseline and ratchet included."""


class TestConfig(Section):
    """The test stage: pytest, or unittest when that is what the repository uses."""

    __test__ = False

    enabled: bool = True
    """Plan a test job (only when the repository has tests or `framework` is set)."""
    framework: Literal["pytest", "unittest"] | None = None
    """Override the detected test framework."""
    paths: list[str] | None = None
    """Test folders; default: the detected ones."""
    args: list[str] = Field(default_factory=list)
    """Extra arguments for pytest (or unittest discovery)."""
    timeout_minutes: int = Field(default=30, ge=1, le=1440)
    """The test job's time limit; a hanging test fails the stage."""
    python: str | None = None
    """The project's Python as X.Y (3.8 up); default: what the repository says
    (`.python-version`, `requires-python`, Pipfile, environment.yml, classifiers). It is also
    the CI image's and the Docker image's Python."""
    extras: list[str] | None = None
    """Extras of the project installed for the tests; default: those of `test`, `tests`,
    `testing` and `dev` that exist."""
    groups: list[str] | None = None
    """Dependency groups installed for the tests (PEP 735, Poetry groups, PDM dev groups, Hatch
    environments); default: those of `test`, `tests`, `testing` and `dev` that exist."""
    requirements: list[str] | None = None
    """Requirement files installed for the tests (paths relative to the project); default: the
    runtime and test ones where they conventionally live (`requirements.txt`,
    `requirements-dev.txt`, `requirements/test.txt`, `tests/requirements.txt`, ...)."""
    dependencies: list[str] = Field(default_factory=list)
    """More requirements (PEP 508 lines) for the test environment."""
    lock: str = "auto"
    """The lock honoured: `auto` (uv.lock, poetry.lock, pdm.lock, Pipfile.lock, pylock.toml,
    in that order), a lock file's path, or `none` to test against the newest releases."""
    install_project: Literal["auto"] | bool = "auto"
    """Install the project itself (editable); `auto` installs it when it can be built and
    tests it from the source tree otherwise (no metadata, a version placeholder)."""
    conda_packages: dict[str, str] = Field(default_factory=dict)
    """Conda package name -> the PyPI requirement that replaces it (`""` leaves it out), for
    environment.yml packages whose PyPI name differs or that exist only on conda."""

    @field_validator("dependencies")
    @classmethod
    def _requirements(cls, values: list[str]) -> list[str]:
        from packaging.requirements import InvalidRequirement, Requirement

        for value in values:
            try:
                Requirement(value)
            except InvalidRequirement as exc:
                raise ValueError(f"{value!r} is not a PEP 508 requirement: {exc}") from None
        return values

    @field_validator("python")
    @classmethod
    def _python_version(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = re.fullmatch(r"3\.(\d+)", value.strip())
        if not match or int(match[1]) < 8:
            raise ValueError("give the project's Python as X.Y, 3.8 or newer, such as '3.10'")
        return value.strip()


class CIConfig(Section):
    """What is generated and how every CI job gets pipelinekit."""

    targets: list[CITarget] = Field(default_factory=lambda: list(_ALL_TARGETS))
    """The CI systems to generate files for (`init --ci` sets this)."""
    default_branch: str = "main"
    """The branch releases are made from."""
    branches: list[str] = Field(default_factory=lambda: ["main", "develop", "release/*"])
    """Branch globs that get pipelines besides merge requests and tags."""
    pipelinekit_source: str | None = None
    """Where CI jobs install pipelinekit from: a version specifier (`==0.2.0`, `~=0.2`), a
    direct reference (`@ https://.../pipelinekit-0.2.0-py3-none-any.whl`, `@ git+https://...`)
    or a folder of the repository holding pipelinekit's source (`.` for pipelinekit itself,
    `./vendor/pipelinekit`). pipelinekit adds the extras the planned jobs need. Default: the
    exact version that rendered the file."""
    index_url: str | None = None
    """A private package index for that install."""
    image: str | None = None
    """A container image for the jobs; default: python:<detected version>-slim."""
    timeout_minutes: int = Field(default=60, ge=1, le=1440)
    """The whole pipeline's time limit."""
    uv_version: str = UV_VERSION
    """The uv release CI jobs bootstrap with: it creates pipelinekit's own environment (on
    Python 3.11+, found on the image or downloaded by uv) and the project's environment."""

    @field_validator("uv_version")
    @classmethod
    def _uv_version(cls, value: str) -> str:
        if not re.fullmatch(r"\d+(\.\d+){1,2}", value.strip()):
            raise ValueError("give an exact uv release such as '0.13.9'")
        return value.strip()

    @field_validator("pipelinekit_source")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        starts = ("@", "==", "~=", ">=", "<=", "!=", ">", "<", ".")
        if value is not None and not value.lstrip().startswith(starts):
            raise ValueError(
                "give a version specifier such as '==0.2.0', a direct reference such as "
                "'@ https://host/pipelinekit-0.2.0-py3-none-any.whl', or a folder such as '.'"
            )
        return value

    @field_validator("default_branch")
    @classmethod
    def _branch_name(cls, value: str) -> str:
        problem = ref_glob_problem(value)
        if problem or "*" in value or "?" in value:
            raise ValueError(f"not a usable branch name: {problem or 'it is a glob'}")
        return value

    @field_validator("branches")
    @classmethod
    def _branch_globs(cls, values: list[str]) -> list[str]:
        for value in values:
            problem = ref_glob_problem(value)
            if problem:
                raise ValueError(f"branch glob {value!r} is not usable: {problem}")
        return values


class JenkinsConfig(Section):
    """The generated Jenkinsfile."""

    agent_label: str | None = None
    """`agent { label ... }`; None runs in a docker agent with the CI image."""
    gpu_agent_label: str = "gpu"
    """The agent label of nodes with GPUs (jobs that need one run there, `--gpus all`)."""
    keep_builds: int = Field(default=20, ge=1, le=1000)
    """buildDiscarder: how many builds Jenkins keeps."""
    docker_agent_label: str = "docker"
    """The agent label of nodes with a Docker daemon, where image builds run."""
    uv_cache_dir: str | None = None
    """An absolute folder on the agents that keeps uv's download cache between builds (mounted
    into docker agents); default: `.cache/uv` in the workspace."""

    @field_validator("uv_cache_dir")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("give an absolute folder on the agent, such as '/var/cache/uv'")
        return value


class GitLabConfig(Section):
    """The generated .gitlab-ci.yml."""

    tags: list[str] = Field(default_factory=list)
    """Runner tags for every job."""
    gpu_tags: list[str] = Field(default_factory=lambda: ["gpu"])
    """Runner tags of jobs that need a GPU."""
    interruptible: bool = True
    """A newer pipeline on the same branch cancels this one."""
    dind_image: ImageReference = "docker:27-dind"
    """The Docker-in-Docker service for CPU image builds (GPU builds use the GPU runner's
    own daemon: dind cannot hand out GPUs)."""


class Config(Section):
    lint: LintConfig = Field(default_factory=LintConfig)
    test: TestConfig = Field(default_factory=TestConfig)
    coverage: CoverageConfig = Field(default_factory=CoverageConfig)
    package: PackageConfig = Field(default_factory=PackageConfig)
    sonar: SonarConfig = Field(default_factory=SonarConfig)
    docker: DockerConfig = Field(default_factory=DockerConfig)
    s3: S3Config = Field(default_factory=S3Config)
    release: ReleaseConfig = Field(default_factory=ReleaseConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    sentry: SentryConfig = Field(default_factory=SentryConfig)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    ci: CIConfig = Field(default_factory=CIConfig)
    jenkins: JenkinsConfig = Field(default_factory=JenkinsConfig)
    gitlab: GitLabConfig = Field(default_factory=GitLabConfig)
    register_: RegisterConfig = Field(default_factory=RegisterConfig, alias="register")
    """`[tool.pipelinekit.register]` (the field name avoids BaseModel's `register`)."""


def load_config(project_dir: Path) -> Config:
    """Load and validate the config of the project in `project_dir` (defaults if none)."""
    path, prefix, data = read_config_table(project_dir)
    return parse_config(data, source=path, prefix=prefix)


def parse_config(data: Any, *, source: Path | str, prefix: str = "tool.pipelinekit") -> Config:
    return validate_table(Config, data, source=source, prefix=prefix)
