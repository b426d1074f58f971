"""`pipelinekit init`: detect, write `[tool.pipelinekit]` (only what differs from the
defaults) and the generated files. It never prompts, and writes everything or nothing."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table

from pipelinekit.config.file import config_location
from pipelinekit.config.models import Config, parse_config
from pipelinekit.errors import WriteError
from pipelinekit.plan.planner import plan
from pipelinekit.project import Project, load_project
from pipelinekit.render.outputs import (
    WriteResult,
    apply_writes,
    prepare_writes,
    render_all,
    retired,
)
from pipelinekit.util.fs import atomic_write, writable_problem

_COMMENT = "pipelinekit: defaults come from the repository itself; see `pipelinekit plan`."


@dataclass(frozen=True)
class InitResult:
    project: Project
    config_path: Path
    config_action: str
    files: list[WriteResult]
    adopted: tuple[str, ...] = ()
    """What was adopted from the repository, per stage."""
    baseline: str | None = None
    """What adoption recorded (`pipelinekit-baseline.json: recorded, 345 lint findings ...`),
    or why it did not."""


def init(
    path: Path,
    *,
    ci: list[str] | None = None,
    force: bool = False,
    baseline: bool = True,
    coverage: bool = False,
    output: Callable[[str], None] | None = None,
) -> InitResult:
    project = load_project(path, at_git_root=True)
    overrides: dict[str, dict[str, Any]] = {}
    if ci is not None and sorted(ci) != sorted(project.config.ci.targets):
        overrides["ci"] = {"targets": ci}
    config_path, table_path = config_location(project.project_dir)
    old_text = _read_keeping_newlines(config_path) if config_path.exists() else None
    new_text = _with_settings(old_text, table_path, overrides)
    config = _effective_config(project.config, overrides, config_path)
    project = Project(project.repo, project.facts, config)
    pipeline = plan(project.facts, config)
    outputs = render_all(project.facts, config, pipeline)
    retire = retired(project.facts, outputs)
    writes = prepare_writes(project.repo, outputs, force=force, retire=retire)
    if new_text != old_text:
        problem = writable_problem(config_path.parent)
        if problem:
            raise WriteError(f"Cannot write {config_path}: {problem}. Nothing was written.")
        atomic_write(config_path, new_text)
    action = "unchanged" if new_text == old_text else ("updated" if old_text else "created")
    written = apply_writes(writes)
    recorded = _record_baseline(project, coverage, output) if baseline else None
    return InitResult(project, config_path, action, written, pipeline.adopted, recorded)


def _record_baseline(
    project: Project, coverage: bool, output: Callable[[str], None] | None
) -> str | None:
    """Adoption: the lint debt the repository carries today (and with `coverage`, its
    coverage figure, which takes a run of the test suite), so its first pipeline fails only on
    what is new and on code that cannot run. Kept when one exists."""
    from pipelinekit.baseline import store
    from pipelinekit.baseline.update import update
    from pipelinekit.errors import PipelinekitError

    if store.path_for(project.project_dir).exists():
        return None
    try:
        done = update(project, coverage=coverage, coverage_optional=True, output=output)
    except PipelinekitError as exc:  # no ruff, failing tests: init itself succeeded
        return f"{store.FILE}: not recorded ({exc.message})"
    text = f"{store.FILE}: recorded, {done.findings}"
    if done.critical:
        text += f"; {len(done.critical)} never debt (code that cannot run)"
    if done.note:
        text += f"; {done.note}"
    if done.coverage is not None:
        text += f"; coverage floor {done.coverage:.2f}%"
    elif project.facts.tests.framework and project.config.coverage.enabled:
        text += "; the coverage floor is recorded by `pipelinekit baseline update --coverage`"
    return text


def _effective_config(
    current: Config, overrides: dict[str, dict[str, Any]], source: Path
) -> Config:
    data = current.model_dump(exclude_unset=True, by_alias=True)
    for section, values in overrides.items():
        data.setdefault(section, {}).update(values)
    return parse_config(data, source=source)


def _has_table(text: str, table_path: tuple[str, ...]) -> bool:
    data: Any = tomllib.loads(text)
    for key in table_path:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def _read_keeping_newlines(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def _with_settings(
    text: str | None, table_path: tuple[str, ...], overrides: dict[str, dict[str, Any]]
) -> str:
    """Add the pipelinekit table and the overrides, keeping every comment and format, and the
    file's newlines (a CRLF file stays CRLF: no line of it changes but the ones added)."""
    crlf = text is not None and "\r\n" in text
    if text is not None and crlf:
        text = text.replace("\r\n", "\n")
    new = _edited(text, table_path, overrides)
    return new.replace("\n", "\r\n") if crlf else new


def _edited(
    text: str | None, table_path: tuple[str, ...], overrides: dict[str, dict[str, Any]]
) -> str:
    if text and table_path and not _has_table(text, table_path):
        # A new table goes at the end, after a blank line, whatever the file holds: tomlkit
        # would put it inside a `tool` defined by dotted keys (`tool.black.x = 1`) at the top.
        appended = text.rstrip("\n") + "\n\n" + _edited(None, table_path, overrides)
        try:
            tomllib.loads(appended)
            return appended
        except tomllib.TOMLDecodeError:
            pass  # e.g. `tool = {...}` inline: only an edit in place is valid TOML
    doc = tomlkit.parse(text or "")
    container: Any = doc
    for index, key in enumerate(table_path):
        if key not in container:
            last = index == len(table_path) - 1
            table = tomlkit.table(is_super_table=not last)
            if last:
                table.add(tomlkit.comment(_COMMENT))
            container.append(key, table)
        container = container[key]
    if not table_path and _COMMENT not in doc.as_string():
        doc.add(tomlkit.comment(_COMMENT))
    for section, values in overrides.items():
        if section not in container:
            container.append(section, tomlkit.table())
        target: Table = container[section]
        for key, value in values.items():
            target[key] = value
    return doc.as_string()
