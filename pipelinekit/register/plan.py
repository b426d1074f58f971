"""The plan both registrars produce: what exists, what will change, and how it went.

One data shape for Jenkins and GitLab keeps `--dry-run` output, `--format json`, the fleet
summary and the exit code identical across servers. A change never holds a secret: variable
changes say *that* a value differs, never what it is.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pipelinekit.errors import CheckFailed, PipelinekitError
from pipelinekit.util.redact import redact

Action = Literal["create", "update", "unchanged", "drift", "foreign"]
Status = Literal["planned", "done", "skipped", "failed"]

SYMBOL = {"create": "+", "update": "~", "unchanged": "=", "drift": "!", "foreign": "x"}
WRITES = {"create", "update"}


@dataclass
class Change:
    kind: str
    """folder, job, ci-file, variable, protected-tag, protected-branch, schedule."""
    name: str
    action: Action
    repo: str
    diff: list[str] = field(default_factory=list)
    note: str = ""
    status: Status = "planned"
    error: str = ""
    payload: Any = field(default=None, repr=False, compare=False)
    """Target-specific data the apply step needs (desired XML, API fields); never printed."""

    def writes(self, force: bool) -> bool:
        return self.action in WRITES or (force and self.action == "drift")

    def as_json(self) -> dict[str, Any]:
        data = {
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "repo": self.repo,
            "status": self.status,
            "note": self.note,
            "diff": self.diff,
        }
        if self.error:
            data["error"] = self.error
        return data


@dataclass
class Plan:
    target: str
    server: str
    changes: list[Change] = field(default_factory=list)
    repos: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    """repo -> why it could not be planned or applied (one line)."""
    errors: dict[str, PipelinekitError] = field(default_factory=dict, repr=False)
    """repo -> the error behind its failure, so a single-repo run keeps its exit code."""

    def fail(self, repo: str, error: PipelinekitError | str) -> None:
        if repo in self.failures:
            return
        if isinstance(error, PipelinekitError):
            self.errors[repo] = error
            error = error.message
        self.failures[repo] = redact(error)

    def counts(self, repo: str | None = None) -> Counter[str]:
        return Counter(c.action for c in self.changes if repo is None or c.repo == repo)

    def problems(self, force: bool) -> list[Change]:
        """Changes that make the run fail: foreign objects and drift not overwritten."""
        return [
            c
            for c in self.changes
            if c.action == "foreign" or c.status == "failed" or (c.action == "drift" and not force)
        ]

    def repo_status(self, repo: str, force: bool) -> str:
        if repo in self.failures:
            return "failed"
        bad = [c for c in self.problems(force) if c.repo == repo]
        if any(c.status == "failed" or c.action == "foreign" for c in bad):
            return "failed"
        return "drift" if bad else "ok"


def text_diff(live: Iterable[str], desired: Iterable[str], name: str) -> list[str]:
    """Unified diff lines (no trailing newlines), `live` first so `+` reads as 'will add'."""
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(
            list(live), list(desired), f"live/{name}", f"desired/{name}", lineterm="", n=2
        )
    ]


def render_text(plan: Plan, *, dry_run: bool, force: bool, verbose: bool) -> str:
    """Readable plan: one line per change, diffs indented below, then one total line."""
    mode = "dry run, nothing changed" if dry_run else "applied"
    lines = [f"register {plan.target} -> {plan.server} ({mode})"]
    for change in plan.changes:
        if change.action == "unchanged" and not verbose:
            continue
        line = f"  {SYMBOL[change.action]} {change.kind} {change.name}"
        note = change.note
        if change.action == "drift":
            note = note or (
                "edited outside pipelinekit; overwritten"
                if force and not dry_run
                else "edited outside pipelinekit; --force overwrites it"
            )
        if note:
            line += f"  ({note})"
        if change.status == "failed":
            line += f"  FAILED: {change.error}"
        lines.append(line)
        lines.extend(f"      {d}" for d in change.diff)
    for repo, message in sorted(plan.failures.items()):
        lines.append(f"  x repo {repo}  FAILED: {message}")
    total = plan.counts()
    lines.append(
        f"{total['create']} to create, {total['update']} to update, {total['unchanged']} "
        f"unchanged, {total['drift']} drifted, {total['foreign']} not owned, "
        f"{len(plan.failures)} repos failed."
    )
    return redact("\n".join(lines))


def render_summary(plan: Plan, *, force: bool) -> str:
    """The fleet table: one row per repository."""
    header = ("repo", "created", "updated", "unchanged", "drift", "status")
    rows = [header]
    for repo in plan.repos:
        c = plan.counts(repo)
        status = plan.repo_status(repo, force)
        if status == "failed":
            first = plan.failures.get(repo) or next(
                (x.error or f"{x.kind} {x.name} is not managed by pipelinekit")
                for x in plan.problems(force)
                if x.repo == repo and (x.status == "failed" or x.action == "foreign")
            )
            status = f"failed: {first}"
        rows.append(
            (repo, str(c["create"]), str(c["update"]), str(c["unchanged"]), str(c["drift"]), status)
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    out = [
        "  ".join(cell.ljust(w) for cell, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
        for r in rows
    ]
    failed = sum(1 for repo in plan.repos if plan.repo_status(repo, force) == "failed")
    out.append(f"{len(plan.repos)} repos: {len(plan.repos) - failed} ok, {failed} failed.")
    return redact("\n".join(out))


def as_json(plan: Plan, *, dry_run: bool, force: bool) -> dict[str, Any]:
    return {
        "target": plan.target,
        "server": plan.server,
        "dry_run": dry_run,
        "changes": [c.as_json() for c in plan.changes],
        "repos": {repo: plan.repo_status(repo, force) for repo in plan.repos},
        "failures": plan.failures,
        "counts": dict(plan.counts()),
    }


def raise_for_problems(plan: Plan, *, force: bool, dry_run: bool) -> None:
    """Exit 1 when a repo failed, an object is not ours, or drift was left in place."""
    problems = plan.problems(force)
    failed = [r for r in plan.repos if plan.repo_status(r, force) == "failed"]
    if not problems and not failed:
        return
    drift = [c for c in problems if c.action == "drift"]
    foreign = [c for c in problems if c.action == "foreign"]
    parts = []
    if failed:
        parts.append(f"{len(failed)} of {len(plan.repos)} repos failed ({', '.join(failed[:5])})")
    if foreign:
        parts.append(
            f"{len(foreign)} existing objects are not managed by pipelinekit and were left "
            "untouched (rename the job or remove the object)"
        )
    if drift:
        verb = "would be left" if dry_run else "were left"
        parts.append(
            f"{len(drift)} objects were edited outside pipelinekit and {verb} as they are; "
            "review the diff and re-run with --force to overwrite them"
        )
    raise CheckFailed(f"register {plan.target}: " + "; ".join(parts) + ".")
