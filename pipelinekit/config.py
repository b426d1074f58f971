"""`[tool.pipelinekit]` as typed pydantic models, and loading with clear, located errors.

Every model forbids unknown keys so a typo is an error with a did-you-mean, never silently
ignored. Every field has a default: a repository needs no config at all; `init` writes only
what differs from the defaults derived from the detected facts.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from pipelinekit.artifacts.settings import S3Config
from pipelinekit.docker.settings import DockerConfig
from pipelinekit.errors import ConfigError
from pipelinekit.refs import ref_glob_problem
from pipelinekit.register.settings import RegisterConfig
from pipelinekit.release.settings import ReleaseConfig
from pipelinekit.settings_base import Section
from pipelinekit.sonar.settings import SonarConfig
from pipelinekit.stage_settings import CoverageConfig, PackageConfig

CONFIG_FILES = ("pyproject.toml", "pipelinekit.toml")
"""Where config is read from, in order: `[tool.pipelinekit]` in pyproject.toml, else the
top level of pipelinekit.toml (for setup.py-only projects, where adding a pyproject.toml would
change how pip builds them)."""

CITarget = Literal["jenkins", "gitlab"]
_ALL_TARGETS: tuple[CITarget, ...] = ("jenkins", "gitlab")


class LintConfig(Section):
    """The lint stage: ruff check (and format check) with the repository's own ruff config."""

    enabled: bool = True
    """Plan a lint job."""
    format_check: bool = True
    """Also run `ruff format --check`."""
    paths: list[str] | None = None
    """What to lint; default: the source folders and test folders."""
    args: list[str] = Field(default_factory=list)
    """Extra arguments for `ruff check`."""


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


class GitLabConfig(Section):
    """The generated .gitlab-ci.yml."""

    tags: list[str] = Field(default_factory=list)
    """Runner tags for every job."""
    gpu_tags: list[str] = Field(default_factory=lambda: ["gpu"])
    """Runner tags of jobs that need a GPU."""
    interruptible: bool = True
    """A newer pipeline on the same branch cancels this one."""
    dind_image: str = "docker:27-dind"
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
    ci: CIConfig = Field(default_factory=CIConfig)
    jenkins: JenkinsConfig = Field(default_factory=JenkinsConfig)
    gitlab: GitLabConfig = Field(default_factory=GitLabConfig)
    register_: RegisterConfig = Field(default_factory=RegisterConfig, alias="register")
    """`[tool.pipelinekit.register]` (the field name avoids BaseModel's `register`)."""


def config_location(project_dir: Path) -> tuple[Path, tuple[str, ...]]:
    """The file that holds (or will hold) the config and the table path inside it."""
    pyproject = project_dir / "pyproject.toml"
    if pyproject.is_file():
        return pyproject, ("tool", "pipelinekit")
    return project_dir / "pipelinekit.toml", ()


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a syntax error names the file, line and column."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}. Fix the syntax at that line and column and run "
            "the command again."
        ) from exc
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from exc


def load_config(project_dir: Path) -> Config:
    """Load and validate the config of the project in `project_dir` (defaults if none)."""
    path, table = config_location(project_dir)
    if not path.is_file():
        return Config()
    data: Any = read_toml(path)
    for key in table:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    return parse_config(data, source=path, prefix=".".join(table))


def parse_config(data: Any, *, source: Path | str, prefix: str = "tool.pipelinekit") -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: `{prefix}` must be a table, not {type(data).__name__}.")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source, prefix)) from exc


def _describe(exc: ValidationError, source: Path | str, prefix: str) -> str:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = ".".join([prefix, *loc] if prefix else loc)
        if err["type"] == "extra_forbidden":
            known = _known_keys(loc[:-1])
            hint = difflib.get_close_matches(loc[-1], known, n=1)
            suggestion = f" Did you mean `{hint[0]}`?" if hint else ""
            problems.append(
                f"unknown key `{key}`.{suggestion} Valid keys here: {', '.join(sorted(known))}."
            )
        else:
            given = err.get("input")
            problems.append(f"`{key}`: {err['msg']} (got {given!r}).")
    return (
        f"{source}: invalid pipelinekit configuration: {' '.join(problems)} "
        "Correct the key or value; `pipelinekit init --help` lists the defaults."
    )


def _known_keys(path: list[str]) -> list[str]:
    model: type[BaseModel] = Config
    for part in path:
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        annotation = fields[part].annotation if part in fields else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        else:
            return []
    return [f.alias or name for name, f in model.model_fields.items()]
