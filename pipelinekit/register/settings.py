"""`[tool.pipelinekit.register]`: where and how a repository is registered on Jenkins and GitLab.

Kept apart from `pipelinekit.config.models.Config` so registration can evolve without touching the
other sections; `load_register_settings` validates this table itself, so it works whether or not
`Config` already declares a `register` field. Tokens are deliberately absent: they only ever
come from the environment (`JENKINS_TOKEN`, `GITLAB_TOKEN`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipelinekit.config.base import validate_table

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class JenkinsServer(_Section):
    url: str | None = None
    """Jenkins root URL; `JENKINS_URL` wins."""
    user: str | None = None
    """User that owns the API token; `JENKINS_USER` wins."""
    folder: str = ""
    """Folder path for the job, e.g. `ds/team-a`; created (with an ownership marker) if missing."""
    job_name: str | None = None
    """Default: the project's distribution name."""
    job_kind: Literal["pipeline", "multibranch"] = "pipeline"
    script_path: str = "Jenkinsfile"
    inline_script: bool = False
    """Pipeline jobs only: embed the Jenkinsfile (`CpsFlowDefinition`) instead of reading it
    from SCM; useful where agents cannot reach the repository."""
    repo_url: str | None = None
    """Git URL Jenkins clones; default: the `origin` remote of the repository."""
    branch: str | None = None
    """Pipeline jobs: the branch to build; default: `ci.default_branch`."""
    credentials_id: str | None = "git-credentials"
    """Jenkins credentials id for the clone; referenced by id, never embedded."""
    description: str | None = None
    timeout: float = Field(default=30.0, gt=0, le=600)
    """Seconds per HTTP request."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _check_http_url(value)


class VariableSpec(_Section):
    key: str
    env: str | None = None
    """Environment variable holding the value; default: same as `key`. Never a literal."""
    masked: bool = True
    protected: bool = False
    environment_scope: str = "*"

    @field_validator("key", "env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError("must be letters, digits and underscores, not starting with a digit")
        return value

    @property
    def source(self) -> str:
        return self.env or self.key


AccessLevel = Literal[0, 30, 40, 60]
"""GitLab access levels: 0 no one, 30 developer, 40 maintainer, 60 admin."""


class ProtectedBranchSpec(_Section):
    name: str
    push_access_level: AccessLevel = 40
    merge_access_level: AccessLevel = 40
    allow_force_push: bool = False


class ScheduleSpec(_Section):
    description: str
    """Identifies the schedule; pipelinekit only touches schedules it created."""
    cron: str
    ref: str | None = None
    """Default: `ci.default_branch`."""
    cron_timezone: str = "UTC"
    active: bool = True


class GitLabProject(_Section):
    url: str | None = None
    """GitLab root URL; `GITLAB_URL` wins."""
    project: str | int | None = None
    """`group/name` or numeric id; default: the path of the `origin` remote."""
    ci_file: str = ".gitlab-ci.yml"
    commit_mode: Literal["direct", "merge_request"] = "direct"
    mr_branch: str = "pipelinekit/update-ci"
    variables: list[VariableSpec] = Field(default_factory=list)
    protect_tags: bool = True
    """Protect the release tag pattern derived from `release.tag_format`."""
    tag_create_access_level: AccessLevel = 40
    protected_branches: list[ProtectedBranchSpec] = Field(default_factory=list)
    schedules: list[ScheduleSpec] = Field(default_factory=list)
    timeout: float = Field(default=30.0, gt=0, le=600)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _check_http_url(value)


class RegisterConfig(_Section):
    jenkins: JenkinsServer = Field(default_factory=JenkinsServer)
    gitlab: GitLabProject = Field(default_factory=GitLabProject)
    concurrency: int = Field(default=8, ge=1, le=64)
    """Parallel requests per server (and parallel repos in a fleet)."""


def _check_http_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"^https?://[^\s/]+", value):
        raise ValueError("must be an http(s) URL such as https://jenkins.example.com")
    return value


def parse_register(data: Any, *, source: Path | str) -> RegisterConfig:
    """Validate a register table; errors name the key path like the rest of the config."""
    return validate_table(RegisterConfig, data, source=source, prefix="tool.pipelinekit.register")
