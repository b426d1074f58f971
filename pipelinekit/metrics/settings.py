"""`[tool.pipelinekit.metrics]` and `[tool.pipelinekit.sentry]`: where metrics are pushed,
how a failed release is recognised, and which Sentry project hears about releases."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from pipelinekit.config.base import Section

PUSHGATEWAY_ENV = "PIPELINEKIT_PUSHGATEWAY"
"""Environment variable naming the Pushgateway; it wins over `metrics.pushgateway`."""
SENTRY_TOKEN_ENV = "SENTRY_AUTH_TOKEN"
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def check_http_url(value: str | None) -> str | None:
    """An http(s) URL with a host, or None; anything else is a ValueError naming the shape."""
    if value is not None and not re.match(r"^https?://[^\s/@]+(/\S*)?$", value):
        raise ValueError("must be an http(s) URL such as http://pushgateway.example.com:9091")
    return value


class MetricsConfig(Section):
    """Delivery metrics (`pipelinekit metrics`) and the Pushgateway every stage reports to."""

    pushgateway: str | None = None
    """Prometheus Pushgateway URL; when set (or PIPELINEKIT_PUSHGATEWAY is), every
    `pipelinekit stage` run pushes its duration and result, and the generated CI files carry
    it as the PIPELINEKIT_PUSHGATEWAY variable. A gateway that is down is a warning."""
    push_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    """Seconds a push may take before it counts as a gateway that is down."""
    failure_window_days: int = Field(default=7, ge=1, le=365)
    """A release whose patch release (same major.minor, patch + 1) follows within this many
    days counts as a failed change; the time between the two is its time to restore."""

    source: Literal["git", "gitlab", "jenkins"] = "git"
    """Where deployments come from: `git` (stable release tags), `gitlab` (successful
    deployments to `gitlab_environment`, project from `register.gitlab`) or `jenkins`
    (successful builds of `jenkins_job`, server from `register.jenkins`)."""
    gitlab_environment: str = "production"
    """The GitLab environment whose deployments count (source `gitlab`)."""
    jenkins_job: str | None = None
    """Full name of the job whose successful builds are deployments (source `jenkins`);
    default: the job `pipelinekit register jenkins` creates (folder/job_name)."""

    @field_validator("pushgateway")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_http_url(value)


class SentryConfig(Section):
    """Sentry releases: the release job (and optionally the docker job) creates the release,
    associates its commits, finalizes it and records a deploy. Configured when `org` and
    `project` are set; the token comes from SENTRY_AUTH_TOKEN and is never printed."""

    org: str | None = None
    """Organization slug."""
    project: str | None = None
    """Project slug."""
    url: str = "https://sentry.io"
    """Sentry's address; set it for a self-hosted Sentry."""
    environment: str = "production"
    """The environment a release job's deploy is recorded for."""
    release_name: str = "{version}"
    """The Sentry release name; `{version}` is the released SemVer version (Sentry suggests
    `package@{version}` when several projects share an organization)."""
    repository: str | None = None
    """The repository name as Sentry's repository integration knows it (`org/name`), sent
    with each commit; not set: commits are sent without one."""
    docker: bool = False
    """The docker job also records a deploy of a release image (tag pipelines) to
    `docker_environment`."""
    docker_environment: str = "image"
    """The environment the docker job's deploys are recorded for."""
    credentials_id: str = "sentry-auth-token"
    """Jenkins credentials id (secret text) bound to SENTRY_AUTH_TOKEN."""
    timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    """Seconds each request to Sentry may take (GET and PUT are retried, POST never)."""

    @field_validator("org", "project")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not _SLUG.match(value):
            raise ValueError("must be a Sentry slug: letters, digits, '-', '_' or '.'")
        return value

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        checked = check_http_url(value)
        assert checked is not None
        return checked

    @field_validator("release_name")
    @classmethod
    def _name(cls, value: str) -> str:
        if value.count("{version}") != 1 or "/" in value or not value.strip():
            raise ValueError("must contain `{version}` once and no `/`, e.g. 'myapp@{version}'")
        return value

    @model_validator(mode="after")
    def _both(self) -> SentryConfig:
        if (self.org is None) != (self.project is None):
            raise ValueError("set both `org` and `project` (or neither, to disable Sentry)")
        return self

    @property
    def configured(self) -> bool:
        return self.org is not None and self.project is not None
