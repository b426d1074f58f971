"""Register a repository's CI setup on GitLab: the CI file, variables, protection, schedules.

Every object is read live, compared, and written only when it differs. pipelinekit owns only
what it declares: variables named in the settings, the release tag pattern, the listed branches,
schedules whose description starts with `[pipelinekit]`, and a CI file that mentions
pipelinekit; a hand-written CI file or someone else's schedule is never touched. Protection
rules that differ from the settings were changed by a person, so they are drift: replacing them
briefly removes the protection, which only `--force` may do.
"""

from __future__ import annotations

import base64
import os
import re
from typing import Any

from pipelinekit.errors import CheckFailed, PipelinekitError, UsageError
from pipelinekit.gitlab.client import GitLabClient, enc
from pipelinekit.register.plan import Action, Change, Plan, text_diff
from pipelinekit.register.project import RepoContext, project_path_from_remote
from pipelinekit.register.settings import VariableSpec
from pipelinekit.release.tagformat import protected_tag_pattern
from pipelinekit.util.redact import register_secret

SCHEDULE_PREFIX = "[pipelinekit] "
COMMIT_MESSAGE = "ci: update {path} (pipelinekit register gitlab)"
_MASKABLE = re.compile(r"^[A-Za-z0-9@_\-:+/=.~]{8,}$")
Step = tuple[str, str, dict[str, Any], dict[str, Any] | None]
"""(method, path, body, query) of one API write."""
ORDER = ("variable", "protected-tag", "protected-branch", "ci-file", "schedule")
"""Apply order: the commit starts a pipeline, so its variables and protection come first."""


def project_ref(ctx: RepoContext) -> str:
    ref = ctx.settings.gitlab.project
    if ref is None and ctx.origin:
        ref = project_path_from_remote(ctx.origin)
    if ref is None:
        raise UsageError(
            f"{ctx.label}: no GitLab project: set register.gitlab.project or add an "
            "`origin` remote."
        )
    return str(ref)


def _variable_values(ctx: RepoContext) -> dict[str, str]:
    """Values from the environment only; each is registered as a secret before anything runs."""
    values = {}
    for spec in ctx.settings.gitlab.variables:
        value = os.environ.get(spec.source)
        if value is None:
            raise UsageError(
                f"{ctx.label}: GitLab variable {spec.key} takes its value from the environment "
                f"variable {spec.source}, which is not set. Export it (values never come from "
                "files)."
            )
        register_secret(value)
        if spec.masked and not _MASKABLE.match(value):
            raise UsageError(
                f"{ctx.label}: GitLab cannot mask variable {spec.key}: a masked value needs 8 or "
                "more characters from A-Z a-z 0-9 @ _ - : + / = . ~ and no spaces. Set "
                "masked = false for it or change the value."
            )
        values[spec.key] = value
    return values


def plan_repo(client: GitLabClient, ctx: RepoContext, plan_: Plan) -> None:
    """Append the changes one repository needs; failures are recorded against the repo."""
    try:
        _plan_repo(client, ctx, plan_)
    except PipelinekitError as exc:
        plan_.fail(ctx.label, exc)


def _plan_repo(client: GitLabClient, ctx: RepoContext, plan_: Plan) -> None:
    gs = ctx.settings.gitlab
    ci_path = ctx.path / gs.ci_file
    if not ci_path.is_file():
        raise UsageError(
            f"{ctx.label}: {gs.ci_file} does not exist; run `pipelinekit render` first."
        )
    ci_text = ci_path.read_text(encoding="utf-8")
    values = _variable_values(ctx)
    ref = project_ref(ctx)
    project = client.get(f"/projects/{enc(ref)}", f"project {ref}")
    if project is None:
        raise UsageError(f"{ctx.label}: GitLab has no project {ref} (or the token cannot see it).")
    pid = project["id"]
    base = f"/projects/{pid}"
    branch = str(project.get("default_branch") or ctx.config.ci.default_branch)
    changes = _variables(client, base, ctx, gs.variables, values)
    if gs.protect_tags:
        changes += _protected(
            client,
            base,
            ctx,
            "protected-tag",
            "protected_tags",
            {
                "name": protected_tag_pattern(ctx.config.release.tag_format),
                "create_access_level": gs.tag_create_access_level,
            },
        )
    for pb in gs.protected_branches:
        changes += _protected(
            client, base, ctx, "protected-branch", "protected_branches", pb.model_dump()
        )
    changes.append(_ci_file(client, base, ctx, branch, ci_text))
    changes += _schedules(client, base, ctx, branch)
    plan_.changes.extend(changes)


def _variables(
    client: GitLabClient,
    base: str,
    ctx: RepoContext,
    specs: list[VariableSpec],
    values: dict[str, str],
) -> list[Change]:
    if not specs:
        return []
    live = {
        (v.get("key"), v.get("environment_scope", "*")): v
        for v in client.list(f"{base}/variables", "CI/CD variables")
    }
    out = []
    for spec in specs:
        want = {
            "key": spec.key,
            "value": values[spec.key],
            "masked": spec.masked,
            "protected": spec.protected,
            "environment_scope": spec.environment_scope,
        }
        name = (
            spec.key if spec.environment_scope == "*" else f"{spec.key} [{spec.environment_scope}]"
        )
        have = live.get((spec.key, spec.environment_scope))
        if have is None:
            out.append(
                Change(
                    "variable",
                    name,
                    "create",
                    ctx.label,
                    note="value from $" + spec.source,
                    payload=("POST", f"{base}/variables", want, None),
                )
            )
            continue
        diff = [
            f"{k}: {have.get(k)} -> {want[k]}"
            for k in ("masked", "protected")
            if have.get(k) != want[k]
        ]
        if have.get("value") != want["value"]:
            diff.append("value: changed (not shown)")
        if not diff:
            out.append(Change("variable", name, "unchanged", ctx.label))
            continue
        query = (
            None
            if spec.environment_scope == "*"
            else {"filter[environment_scope]": spec.environment_scope}
        )
        out.append(
            Change(
                "variable",
                name,
                "update",
                ctx.label,
                diff=diff,
                payload=("PUT", f"{base}/variables/{enc(spec.key)}", want, query),
            )
        )
    return out


def _levels(rule: dict[str, Any], field: str) -> int | None:
    levels = rule.get(field) or []
    return int(levels[0]["access_level"]) if levels and "access_level" in levels[0] else None


def _protected(
    client: GitLabClient,
    base: str,
    ctx: RepoContext,
    kind: str,
    endpoint: str,
    want: dict[str, Any],
) -> list[Change]:
    name = str(want["name"])
    have = client.get(f"{base}/{endpoint}/{enc(name)}", f"{kind} {name}")
    post = ("POST", f"{base}/{endpoint}", want, None)
    if have is None:
        return [Change(kind, name, "create", ctx.label, payload=[post])]
    diff = []
    for key, value in want.items():
        if key == "name":
            continue
        live = _levels(have, key + "s") if key.endswith("_level") else have.get(key)
        if live != value:
            diff.append(f"{key}: {live} -> {value}")
    if not diff:
        return [Change(kind, name, "unchanged", ctx.label)]
    delete: Step = ("DELETE", f"{base}/{endpoint}/{enc(name)}", {}, None)
    note = "changed outside pipelinekit; --force re-creates it (briefly unprotected)"
    return [Change(kind, name, "drift", ctx.label, diff=diff, note=note, payload=[delete, post])]


def _ci_file(
    client: GitLabClient, base: str, ctx: RepoContext, target: str, content: str
) -> Change:
    gs = ctx.settings.gitlab
    source = target
    open_mr = None
    if gs.commit_mode == "merge_request":
        mrs = client.list(
            f"{base}/merge_requests",
            "merge requests",
            {"state": "opened", "source_branch": gs.mr_branch, "target_branch": target},
        )
        open_mr = mrs[0] if mrs else None
        if open_mr:
            source = gs.mr_branch
    live_file = client.get(
        f"{base}/repository/files/{enc(gs.ci_file)}", f"{gs.ci_file} on {source}", {"ref": source}
    )
    live = base64.b64decode(live_file["content"]).decode("utf-8") if live_file else None
    if live == content:
        note = f"merge request !{open_mr['iid']} pending" if open_mr else ""
        return Change("ci-file", gs.ci_file, "unchanged", ctx.label, note=note)
    if live is not None and "pipelinekit" not in live:
        return Change(
            "ci-file",
            gs.ci_file,
            "foreign",
            ctx.label,
            note="not generated by pipelinekit; left untouched",
        )
    lint = client.post(f"{base}/ci/lint", f"CI lint of {gs.ci_file}", {"content": content})
    if not lint.get("valid", False):
        errors = "; ".join(str(e) for e in lint.get("errors", [])) or "no details"
        raise CheckFailed(
            f"{ctx.label}: GitLab's CI lint rejects {gs.ci_file}: {errors}. Fix the config "
            "and render again."
        )
    action: Action = "create" if live is None else "update"
    commit: dict[str, Any] = {
        "branch": target,
        "commit_message": COMMIT_MESSAGE.format(path=gs.ci_file),
        "actions": [{"action": action, "file_path": gs.ci_file, "content": content}],
    }
    steps: list[tuple[str, str, dict[str, Any], None]] = []
    note = f"commit to {target}"
    if gs.commit_mode == "merge_request":
        commit["branch"] = gs.mr_branch
        note = f"commit to {gs.mr_branch}"
        if open_mr is None:
            commit.update(start_branch=target, force=True)
            mr = {
                "source_branch": gs.mr_branch,
                "target_branch": target,
                "title": f"Update {gs.ci_file} (pipelinekit)",
                "remove_source_branch": True,
            }
            steps.append(("POST", f"{base}/merge_requests", mr, None))
            note += " and open a merge request"
        else:
            note += f" (merge request !{open_mr['iid']})"
    steps.insert(0, ("POST", f"{base}/repository/commits", commit, None))
    diff = text_diff((live or "").splitlines(), content.splitlines(), gs.ci_file)
    return Change("ci-file", gs.ci_file, action, ctx.label, diff=diff, note=note, payload=steps)


def _schedules(client: GitLabClient, base: str, ctx: RepoContext, branch: str) -> list[Change]:
    specs = ctx.settings.gitlab.schedules
    if not specs:
        return []
    live = {
        s.get("description"): s
        for s in client.list(f"{base}/pipeline_schedules", "pipeline schedules")
    }
    out = []
    for spec in specs:
        desc = SCHEDULE_PREFIX + spec.description
        want = {
            "description": desc,
            "ref": spec.ref or branch,
            "cron": spec.cron,
            "cron_timezone": spec.cron_timezone,
            "active": spec.active,
        }
        have = live.get(desc)
        if have is None:
            out.append(
                Change(
                    "schedule",
                    spec.description,
                    "create",
                    ctx.label,
                    note=spec.cron,
                    payload=[("POST", f"{base}/pipeline_schedules", want, None)],
                )
            )
            continue
        diff = [f"{k}: {have.get(k)} -> {v}" for k, v in want.items() if have.get(k) != v]
        if not diff:
            out.append(Change("schedule", spec.description, "unchanged", ctx.label))
            continue
        put = ("PUT", f"{base}/pipeline_schedules/{have['id']}", want, None)
        out.append(
            Change("schedule", spec.description, "update", ctx.label, diff=diff, payload=[put])
        )
    return out


def apply_repo(client: GitLabClient, plan_: Plan, repo: str, *, force: bool) -> None:
    """Write one repository's changes in ORDER; the first failure skips the rest of that repo."""
    todo = [c for c in plan_.changes if c.repo == repo and c.writes(force)]
    todo.sort(key=lambda c: ORDER.index(c.kind))
    for change in todo:
        if repo in plan_.failures:
            change.status, change.error = "skipped", "an earlier change of this repo failed"
            continue
        steps = change.payload if isinstance(change.payload, list) else [change.payload]
        try:
            for method, path, data, query in steps:
                what = f"{change.kind} {change.name}"
                if method == "POST":
                    client.post(path, what, data)
                elif method == "PUT":
                    client.put(path, what, data, query)
                else:
                    client.delete(path, what)
        except PipelinekitError as exc:
            change.status, change.error = "failed", exc.message
            plan_.fail(repo, exc)
            continue
        change.status = "done"
