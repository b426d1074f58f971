"""`register jenkins|gitlab` as library calls: load repos, plan against the live server, apply.

The CLI only formats what these return, so the same runs are scriptable from Python.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelinekit.errors import PipelinekitError
from pipelinekit.register.fleet import each_repo, fleet_entries, load_repos, read_fleet
from pipelinekit.register.plan import Plan
from pipelinekit.register.project import RepoContext


def _entries(
    path: Path | None, fleet: Path | None, target: str
) -> list[tuple[Path, str, dict[str, Any]]]:
    if fleet is not None:
        spec, root = read_fleet(fleet)
        return fleet_entries(spec, root, target)
    repo = path or Path(".")
    return [(repo, str(repo), {})]


def register_jenkins(
    path: Path | None = None,
    *,
    fleet: Path | None = None,
    dry_run: bool = False,
    force: bool = False,
) -> list[Plan]:
    """One plan per Jenkins server named by the repos (normally one)."""
    from pipelinekit.jenkins import register as jr
    from pipelinekit.jenkins.client import jenkins_client_from

    entries = _entries(path, fleet, "jenkins")
    staging = Plan("jenkins", "")
    repos = load_repos(entries, staging, strict=fleet is None)
    groups: dict[tuple[str | None, str | None, float], list[RepoContext]] = {}
    for ctx in repos:
        js = ctx.settings.jenkins
        groups.setdefault((js.url, js.user, js.timeout), []).append(ctx)
    plans = []
    for (url, user, timeout), members in groups.items():
        client = jenkins_client_from(url, user, timeout)
        plan = Plan("jenkins", client.url, repos=[c.label for c in members])
        wanted = []
        for ctx in members:
            try:
                wanted.append(jr.desired_job(ctx))
            except PipelinekitError as exc:
                if fleet is None:
                    raise
                plan.fail(ctx.label, exc)
        concurrency = max(c.settings.concurrency for c in members)
        jr.plan(client, wanted, plan, concurrency)
        if not dry_run:
            jr.apply(client, plan, force=force, concurrency=concurrency)
        plans.append(plan)
    return _with_load_failures(plans, staging)


def register_gitlab(
    path: Path | None = None,
    *,
    fleet: Path | None = None,
    dry_run: bool = False,
    force: bool = False,
    merge_request: bool = False,
) -> list[Plan]:
    """One plan per GitLab server; repos are planned and applied concurrently, each on its own."""
    from pipelinekit.gitlab import register as gr
    from pipelinekit.gitlab.client import GitLabClient, gitlab_client_from

    overrides = {"gitlab": {"commit_mode": "merge_request"}} if merge_request else {}
    entries = [(p, label, _merge(o, overrides)) for p, label, o in _entries(path, fleet, "gitlab")]
    staging = Plan("gitlab", "")
    repos = load_repos(entries, staging, strict=fleet is None)
    groups: dict[tuple[str | None, float], list[RepoContext]] = {}
    for ctx in repos:
        groups.setdefault((ctx.settings.gitlab.url, ctx.settings.gitlab.timeout), []).append(ctx)
    plans = []
    for (url, timeout), members in groups.items():
        client: GitLabClient = gitlab_client_from(url, timeout)
        plan = Plan("gitlab", client.url, repos=[c.label for c in members])

        def work(ctx: RepoContext, client: GitLabClient = client, plan: Plan = plan) -> None:
            gr.plan_repo(client, ctx, plan)
            if not dry_run and ctx.label not in plan.failures:
                gr.apply_repo(client, plan, ctx.label, force=force)

        each_repo(members, plan, max(c.settings.concurrency for c in members), work)
        plan.changes.sort(key=lambda c: plan.repos.index(c.repo))
        plans.append(plan)
    return _with_load_failures(plans, staging)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    from pipelinekit.register.load import deep_merge

    return deep_merge(base, extra)


def _with_load_failures(plans: list[Plan], staging: Plan) -> list[Plan]:
    """Repos that could not even be loaded still belong in the report (first plan, or alone)."""
    if not staging.failures:
        return plans
    target = plans[0] if plans else Plan(staging.target, "(no server: every repo failed to load)")
    if not plans:
        plans.append(target)
    for repo, message in staging.failures.items():
        target.repos.append(repo)
        target.failures[repo] = message
        if repo in staging.errors:
            target.errors[repo] = staging.errors[repo]
    order = {label: i for i, label in enumerate(staging.repos)}
    target.repos.sort(key=lambda r: order.get(r, len(order)))
    return plans
