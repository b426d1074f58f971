"""The set of generated files for a repository, and writing / drift-checking them.

Writing is all-or-nothing: ownership and writability of every target are checked before the
first byte is written, then each file is written atomically.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelinekit.config.models import Config
from pipelinekit.detect.facts import ProjectFacts
from pipelinekit.docker.render import render_dockerfile, render_dockerignore
from pipelinekit.errors import CheckFailed, WriteError
from pipelinekit.gitlab.render import render_gitlab_ci
from pipelinekit.jenkins.render import render_jenkinsfile
from pipelinekit.plan.model import Pipeline
from pipelinekit.render.header import inspect, source_of
from pipelinekit.sonar.render import render_sonar_properties
from pipelinekit.util.fs import atomic_write, writable_problem


@dataclass(frozen=True)
class Output:
    path: str
    """Relative to the repository folder the command was given."""
    text: str


def _prefix(facts: ProjectFacts) -> str:
    return "" if facts.root == "." else facts.root.rstrip("/") + "/"


def retired(facts: ProjectFacts, outputs: list[Output]) -> list[str]:
    """Files pipelinekit generates in some configuration but not in this one (a CI target or
    the image dropped since the last init): one left behind would claim to be current."""
    prefix = _prefix(facts)
    every = ["Jenkinsfile", ".gitlab-ci.yml", f"{prefix}Dockerfile", f"{prefix}.dockerignore"]
    current = {out.path for out in outputs}
    return [path for path in every if path not in current]


def render_all(facts: ProjectFacts, config: Config, pipeline: Pipeline) -> list[Output]:
    """Every file pipelinekit generates for this repository, in a stable order."""
    prefix = _prefix(facts)
    source = f"{prefix}{facts.config_file or 'pyproject.toml'}"
    outputs = []
    if "jenkins" in config.ci.targets:
        outputs.append(Output("Jenkinsfile", render_jenkinsfile(pipeline, source=source)))
    if "gitlab" in config.ci.targets:
        outputs.append(Output(".gitlab-ci.yml", render_gitlab_ci(pipeline, source=source)))
    if config.docker.enabled:
        outputs.append(
            Output(f"{prefix}Dockerfile", render_dockerfile(pipeline.image_spec, source=source))
        )
        outputs.append(
            Output(
                f"{prefix}.dockerignore", render_dockerignore(pipeline.image_spec, source=source)
            )
        )
    outputs.append(
        Output(
            f"{prefix}sonar-project.properties",
            render_sonar_properties(pipeline.sonar, source=source),
        )
    )
    return outputs


@dataclass(frozen=True)
class WriteResult:
    path: str
    action: str
    """'created', 'updated', 'unchanged', 'replaced' (a foreign file, with --force), 'removed'
    (generated, no longer wanted) or 'kept' (no longer wanted, but edited by hand)."""


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None  # a blocked parent folder is reported by the writability check
    except IsADirectoryError as exc:
        raise WriteError(
            f"{path} is a folder where pipelinekit would write a file; move it aside and run "
            "the command again. Nothing was written."
        ) from exc
    except UnicodeDecodeError:
        return "\x00binary"


@dataclass(frozen=True)
class PlannedWrite:
    output: Output
    target: Path
    action: str


def prepare_writes(
    repo: Path, outputs: list[Output], *, force: bool = False, retire: Sequence[str] = ()
) -> list[PlannedWrite]:
    """Decide every write and refuse (raising, nothing written) before any byte is written:
    a foreign or hand-edited file without --force, or a folder that is not writable. Files in
    `retire` (see `retired`) are removed when they are ours, kept when edited by hand."""
    plan: list[PlannedWrite] = []
    own_source = source_of(outputs[0].text) if outputs else None
    for path in retire:
        current = _read(repo / path)
        ownership = inspect(current).ownership
        if _other_project(current, own_source):
            continue  # another project's file: not this project's to remove
        if ownership in ("ours", "edited"):
            action = "removed" if ownership == "ours" else "kept"
            plan.append(PlannedWrite(Output(path, ""), repo / path, action))
    refusals = []
    for out in outputs:
        target = repo / out.path
        current = _read(target)
        state = inspect(current)
        if current == out.text:
            plan.append(PlannedWrite(out, target, "unchanged"))
        elif state.ownership == "missing":
            plan.append(PlannedWrite(out, target, "created"))
        elif not force and (other := _other_project(current, source_of(out.text))):
            refusals.append(
                f"{out.path} is the pipeline of another project of this repository (generated "
                f"from {other}): a repository has one {out.path}, at its root."
            )
        elif state.ownership == "ours":
            plan.append(PlannedWrite(out, target, "updated"))
        elif force:
            plan.append(PlannedWrite(out, target, "replaced"))
        else:
            refusals.append(_refusal(out, current or "", state.ownership))
    if refusals:
        raise WriteError(
            " ".join(refusals)
            + " Nothing was written. Move the file aside, or run again with --force to replace it."
        )
    for item in plan:
        quiet = item.action in ("unchanged", "kept")
        problem = None if quiet else writable_problem(item.target.parent)
        if problem:
            raise WriteError(
                f"Cannot write {item.output.path}: {problem}. Nothing was written; fix the "
                "permissions and run the command again."
            )
    return plan


def _other_project(current: str | None, source: str | None) -> str | None:
    """The config a file on disk was generated from, when it is another project's (a folder
    other than `source`'s): `init libs/b` in a monorepo must not take over, or remove,
    libs/a's CI files unasked."""
    old_source = source_of(current)
    if old_source is None or source is None:
        return None
    same = old_source.rpartition("/")[0] == source.rpartition("/")[0]
    return None if same else old_source


def apply_writes(plan: list[PlannedWrite]) -> list[WriteResult]:
    for item in plan:
        if item.action == "removed":
            item.target.unlink(missing_ok=True)
        elif item.action not in ("unchanged", "kept"):
            atomic_write(item.target, item.output.text)
    return [WriteResult(item.output.path, item.action) for item in plan]


def _refusal(out: Output, current: str, ownership: str) -> str:
    why = "was not generated by pipelinekit" if ownership == "foreign" else "was edited by hand"
    diff = unified_diff(current, out.text, out.path)
    return f"{out.path} {why}; refusing to overwrite it. The change would be:\n{diff}"


def unified_diff(old: str, new: str, path: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{path} (on disk)",
            tofile=f"{path} (generated)",
        )
    )


@dataclass(frozen=True)
class Drift:
    path: str
    reason: str
    """'missing', 'stale' (config or pipelinekit changed), 'edited' (changed by hand),
    'foreign' (a file pipelinekit does not own stands where it would write), 'no longer
    generated' (a CI target or the image was dropped from the config)."""
    diff: str


def check_outputs(repo: Path, outputs: list[Output], retire: Sequence[str] = ()) -> list[Drift]:
    drifts = []
    for path in retire:
        current = _read(repo / path)
        if inspect(current).ownership in ("ours", "edited"):
            drifts.append(Drift(path, "no longer generated", unified_diff(current or "", "", path)))
    for out in outputs:
        current = _read(repo / out.path)
        if current == out.text:
            continue
        state = inspect(current)
        reason = {"missing": "missing", "ours": "stale"}.get(state.ownership, state.ownership)
        drifts.append(Drift(out.path, reason, unified_diff(current or "", out.text, out.path)))
    return drifts


def raise_on_drift(drifts: list[Drift]) -> None:
    if drifts:
        names = ", ".join(f"{d.path} ({d.reason})" for d in drifts)
        raise CheckFailed(
            f"Generated files are out of date: {names}. Run `pipelinekit render` to regenerate "
            "them and remove the ones no longer generated (a file edited by hand needs its "
            "change moved into [tool.pipelinekit])."
        )
