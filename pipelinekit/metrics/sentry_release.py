"""A release tag announced to Sentry: create the release, associate the commits it shipped,
finalize it at the tag's time and record a deploy for the environment.

Idempotent: every step reads Sentry's state first (the release, its deploys) and writes only
what is missing, and the writes that are repeated are PUTs with the same values (the commits,
`dateReleased` = the tag's creation time). Re-running after a failure, or on a release Sentry
already knows, creates nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipelinekit.errors import UsageError
from pipelinekit.metrics.history import Deployment, read_history
from pipelinekit.metrics.report import iso
from pipelinekit.metrics.sentry import SentryClient
from pipelinekit.metrics.settings import SENTRY_TOKEN_ENV, SentryConfig


@dataclass(frozen=True)
class Announcement:
    release: str
    steps: tuple[str, ...]
    """What was done, in order (`created`, `exists`, `3 commits`, ...)."""


def require_token(settings: SentryConfig, env: Mapping[str, str]) -> str:
    """SENTRY_AUTH_TOKEN, checked before anything changes (a release must not be pushed when
    the Sentry step after it cannot run)."""
    token = env.get(SENTRY_TOKEN_ENV, "").strip()
    if not token:
        raise UsageError(
            f"Sentry is configured (`[tool.pipelinekit.sentry]` org {settings.org!r}) but "
            f"{SENTRY_TOKEN_ENV} is not set. Give the job a token with the `project:releases` "
            f"scope (GitLab: a masked CI/CD variable; Jenkins: the secret-text credential "
            f"{settings.credentials_id!r}), or remove the sentry table. Nothing was changed."
        )
    return token


def release_name(settings: SentryConfig, version: str) -> str:
    return settings.release_name.replace("{version}", version)


def commit_payload(deployment: Deployment, repository: str | None) -> list[dict[str, str]]:
    """The release's commits in the shape of Sentry's `commits` parameter."""
    commits = []
    for change in deployment.changes:
        commit = {
            "id": change.sha,
            "message": change.subject,
            "author_name": change.author,
            "author_email": change.email,
            "timestamp": iso(change.committed),
        }
        if repository:
            commit["repository"] = repository
        commits.append(commit)
    return commits


def announce(
    client: SentryClient,
    settings: SentryConfig,
    deployment: Deployment,
    *,
    environment: str,
    deploy_name: str | None = None,
) -> Announcement:
    """Bring Sentry up to date with one release; see the module docstring."""
    assert settings.project is not None
    name = release_name(settings, str(deployment.version))
    steps: list[str] = []
    existing = client.release(name)
    if existing is None:
        client.create_release(name, settings.project, deployment.commit)
        steps.append("created")
    else:
        steps.append("exists")
    commits = commit_payload(deployment, settings.repository)
    if commits:
        client.set_commits(name, commits)
        steps.append(f"{len(commits)} commits")
    if existing is None or not existing.get("dateReleased"):
        client.finalize(name, iso(deployment.created))
        steps.append("finalized")
    if any(d.get("environment") == environment for d in client.deploys(name)):
        steps.append(f"deploy to {environment} already recorded")
    else:
        client.create_deploy(name, environment, settings.project, deploy_name)
        steps.append(f"deploy to {environment} recorded")
    return Announcement(name, tuple(steps))


def announce_tag(
    path: Path,
    tag_format: str,
    tag: str,
    settings: SentryConfig,
    env: Mapping[str, str],
    *,
    environment: str | None = None,
    deploy_name: str | None = None,
    client: SentryClient | None = None,
) -> Announcement:
    """Announce the stable release `tag` of the repository at `path`."""
    token = require_token(settings, env)
    deployment = next((d for d in read_history(path, tag_format) if d.tag == tag), None)
    if deployment is None:
        raise UsageError(
            f"{tag!r} is not a stable release tag of this repository (tag format "
            f"{tag_format!r}); Sentry releases are made for stable releases only."
        )
    assert settings.org is not None
    if client is None:
        client = SentryClient(settings.url, settings.org, token, timeout=settings.timeout_seconds)
    return announce(
        client,
        settings,
        deployment,
        environment=environment or settings.environment,
        deploy_name=deploy_name,
    )
