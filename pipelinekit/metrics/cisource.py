"""Deployments as a CI system recorded them, instead of release tags: GitLab environments'
deployments and Jenkins builds of the release job, read through the existing clients
(pipelinekit.gitlab.client, pipelinekit.jenkins.client; one list request each, retried as
reads). Each becomes a `Point` (name, commit, time) that history.py walks like a tag."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelinekit.errors import ExternalError
from pipelinekit.metrics.history import Point

if TYPE_CHECKING:
    from pipelinekit.gitlab.client import GitLabClient
    from pipelinekit.jenkins.client import JenkinsClient


def gitlab_points(client: GitLabClient, project: str, environment: str) -> list[Point]:
    """Successful deployments to `environment`, at the time each finished (GitLab's
    `GET /projects/:id/deployments`; `finished_at` is newer than 15.x, `updated_at` before)."""
    from pipelinekit.gitlab.client import enc

    rows = client.list(
        f"/projects/{enc(project)}/deployments",
        f"the deployments of {project} to {environment}",
        {"environment": environment, "status": "success", "order_by": "id", "sort": "asc"},
    )
    points = []
    for row in rows:
        when = row.get("finished_at") or row.get("updated_at") or row.get("created_at")
        sha = row.get("sha")
        if isinstance(sha, str) and isinstance(when, str):
            name = f"{environment} #{row.get('iid', row.get('id'))}"
            points.append(Point(name, sha, _iso(when, client.url), None))
    return points


def jenkins_points(client: JenkinsClient, job: str) -> list[Point]:
    """Successful builds of `job` that recorded a git revision (the git plugin's BuildData),
    at the time each finished (start + duration)."""
    points = []
    for build in client.builds(job):
        sha = _revision(build)
        if build.get("result") != "SUCCESS" or sha is None:
            continue
        finished = int(build.get("timestamp") or 0) + int(build.get("duration") or 0)
        points.append(Point(f"{job} #{build.get('number')}", sha, finished // 1000, None))
    return points


def ci_points(source: str, project_dir: Path, environment: str, job: str | None) -> list[Point]:
    """The deployments of `source` (`gitlab` or `jenkins`) for the project at `project_dir`,
    with the server and project (or job) that `[tool.pipelinekit.register]` names."""
    from pipelinekit.register.project import load_repo

    ctx = load_repo(project_dir)
    if source == "gitlab":
        from pipelinekit.gitlab.client import gitlab_client_from
        from pipelinekit.gitlab.register import project_ref

        gs = ctx.settings.gitlab
        return gitlab_points(gitlab_client_from(gs.url, gs.timeout), project_ref(ctx), environment)
    from pipelinekit.jenkins.client import jenkins_client_from
    from pipelinekit.jenkins.register import job_full_name

    js = ctx.settings.jenkins
    client = jenkins_client_from(js.url, js.user, js.timeout)
    return jenkins_points(client, job or job_full_name(ctx))


def _revision(build: dict[str, Any]) -> str | None:
    for action in build.get("actions") or []:
        revision = action.get("lastBuiltRevision") if isinstance(action, dict) else None
        sha = revision.get("SHA1") if isinstance(revision, dict) else None
        if isinstance(sha, str):
            return sha
    return None


def _iso(text: str, server: str) -> int:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ExternalError(
            f"{server} gave a deployment time {text!r} that is not ISO 8601; check that the URL "
            "points at the GitLab API."
        ) from None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp())
