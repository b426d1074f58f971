"""Many repositories in one run: the fleet file, loading every repo, running both registrars.

A repository that cannot be loaded, planned or applied is a failed row, never an abort: the
others are still registered and the run exits 1 at the end. Only when the one read every Jenkins
job depends on (the live tree) fails does the run stop, since no repository could succeed then.

Fleet file (TOML or YAML), paths relative to the file; overrides use the
`[tool.pipelinekit.register]` keys::

    concurrency = 8
    [[repos]]
    path = "team-a/churn-model"
    jenkins = { folder = "team-a" }
    gitlab = { project = "team-a/churn-model" }
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelinekit.errors import PipelinekitError, UsageError
from pipelinekit.register.plan import Plan
from pipelinekit.register.project import RepoContext, load_repo


class FleetEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    jenkins: dict[str, Any] = Field(default_factory=dict)
    gitlab: dict[str, Any] = Field(default_factory=dict)


class Fleet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    concurrency: int | None = Field(default=None, ge=1, le=64)
    repos: list[FleetEntry] = Field(min_length=1)


def read_fleet(path: Path) -> tuple[Fleet, Path]:
    """Parse and validate a fleet file; any problem is a usage error (nothing was changed)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"Cannot read fleet file {path}: {exc.strerror}.") from exc
    try:
        if path.suffix in {".yml", ".yaml"}:
            data: Any = yaml.safe_load(text)
            data = {"repos": data} if isinstance(data, list) else data
        else:
            data = tomllib.loads(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(
            f"Fleet file {path} is not valid {path.suffix.lstrip('.') or 'TOML'}: {exc}"
        ) from exc
    try:
        return Fleet.model_validate(data), path.parent
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise UsageError(
            f"Fleet file {path} is invalid: {where}. It needs a `repos` list of tables with a "
            "`path` and optional `jenkins`/`gitlab` overrides."
        ) from exc


def load_repos(
    entries: list[tuple[Path, str, dict[str, Any]]], plan: Plan, *, strict: bool
) -> list[RepoContext]:
    """Load every repo; in a fleet (not `strict`) one that fails is recorded and skipped."""
    loaded = []
    for path, label, overrides in entries:
        plan.repos.append(label)
        try:
            loaded.append(load_repo(path, label, overrides))
        except PipelinekitError as exc:
            if strict:
                raise
            plan.fail(label, exc)
    return loaded


def fleet_entries(fleet: Fleet, root: Path, target: str) -> list[tuple[Path, str, dict[str, Any]]]:
    out = []
    for entry in fleet.repos:
        overrides = {target: getattr(entry, target)} if getattr(entry, target) else {}
        if fleet.concurrency:
            overrides["concurrency"] = fleet.concurrency
        out.append((root / entry.path, entry.path, overrides))
    return out


def each_repo(
    repos: list[RepoContext], plan: Plan, concurrency: int, work: Callable[[RepoContext], None]
) -> None:
    """Run `work` per repo on a bounded pool; a repo's error fails that repo only."""

    def guarded(ctx: RepoContext) -> None:
        try:
            work(ctx)
        except PipelinekitError as exc:
            plan.fail(ctx.label, exc)

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(repos) or 1))) as pool:
        list(pool.map(guarded, repos))
