"""What the installer gets for an EnvSpec: requirement lines with their origin, requirement and
constraint files, lock pins, the project's own install, and the native lock sync.

This is where files are read (the planner stays pure), so every problem with the inputs is
found here, before anything is created: an unreadable source, a conda-only package, a lock that
no longer matches its manifest, a configured requirement file that does not exist.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from pipelinekit.detect.facts import DependencySource, LockFile
from pipelinekit.env import conda
from pipelinekit.env.locks import REFRESH, Pin, read_pins, stale_names
from pipelinekit.env.model import EnvSpec
from pipelinekit.env.reqfile import normalize, parse_requirement, read_requirement_file
from pipelinekit.env.sources_setup import tox_line
from pipelinekit.errors import ConfigError

TOOL_ORIGIN = "pipelinekit (the test stages run it)"
_LOCAL = re.compile(r"^(-e\s+|--editable[=\s]+)?(\.{1,2}/\S*|\.)(.*)$")
_DIRECT_LOCAL = re.compile(r"^(\S+\s*@\s*)(\.{1,2}/\S*)(.*)$")
METADATA_KINDS = frozenset({"project", "poetry", "setup"})
"""Runtime sources the project's own install brings (setup's tests_require aside)."""
_COVERED = {
    "uv": {"project", "extra", "group"},
    "pylock": {"project", "extra", "group"},
    "poetry": {"project", "poetry", "poetry-group", "extra"},
    "pdm": {"project", "extra", "group", "pdm-group"},
    "pipfile": {"pipfile"},
    "pinned": set(),
}
"""Source kinds each lock was made from: their names must all be in it."""


@dataclass(frozen=True)
class Line:
    text: str
    origin: str


@dataclass
class InstallPlan:
    lines: list[Line] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    """Requirement files (`-r`), project-relative."""
    constraint_files: list[str] = field(default_factory=list)
    lock: LockFile | None = None
    indexes: list[str] = field(default_factory=list)
    pins: list[Pin] = field(default_factory=list)
    """The lock's releases, passed as constraints."""
    project: str | None = None
    """The project's own install: `.` or `.[extra,...]` (project-relative)."""
    editable: bool = True
    native: LockFile | None = None
    """uv.lock (`uv sync --locked`) or pylock.toml (`uv pip install -r`), installed first."""
    native_project: bool = False
    """The native uv sync installs the project itself too."""
    native_extras: list[str] = field(default_factory=list)
    native_groups: list[str] = field(default_factory=list)
    key_paths: set[Path] = field(default_factory=set)
    """Files outside the spec's key files that decide what is installed: requirement files
    reached through includes (inside the project or not), local path dependencies' metadata,
    files setup.py reads."""
    origins: dict[str, list[str]] = field(default_factory=dict)
    """Package name -> where it is declared, for error messages."""
    notes: list[str] = field(default_factory=list)
    """Said once in the output (what was left out, or how)."""

    def declare(self, text: str, origin: str) -> None:
        parsed = parse_requirement(text)
        if parsed:
            places = self.origins.setdefault(parsed[0], [])
            if origin not in places:
                places.append(origin)

    @property
    def empty(self) -> bool:
        return not (self.lines or self.files or self.project)


def describe(source: DependencySource) -> str:
    """Where a source is, as a person would look for it."""
    name = source.name or ""
    where = {
        "project": "[project] dependencies",
        "extra": f"extra {name!r}",
        "group": f"[dependency-groups] {name}",
        "poetry": "[tool.poetry.dependencies]",
        "poetry-group": f"[tool.poetry.group.{name}]",
        "pdm-group": f"[tool.pdm.dev-dependencies] {name}",
        "hatch-env": f"[tool.hatch.envs.{name}]",
        "setup": name,
        "tox": "[testenv] deps",
        "pipfile": f"[{name}]",
        "conda": "dependencies",
        "conda-pip": "pip dependencies",
    }.get(source.kind, "")
    return f"{source.path} {where}".strip()


def plan_install(project_dir: Path, spec: EnvSpec, *, native_locks: bool) -> InstallPlan:
    """Read every selected source of `spec`; `native_locks`: the engine syncs uv.lock and
    pylock.toml itself (uv), else their pins become constraints (pip)."""
    plan = InstallPlan(editable=spec.purpose == "test", indexes=list(spec.indexes))
    for source in spec.sources:
        if source.problem:
            raise ConfigError(
                f"{project_dir / source.path} cannot be read: {source.problem}. Fix the file, "
                "or leave it out of the test environment with [tool.pipelinekit.test] "
                "requirements/groups."
            )
    lock = spec.lock
    covered: set[str] = set()
    if lock is not None:
        plan.lock = lock
        plan.pins = read_pins(project_dir, lock)
        if lock.kind == "pinned":
            plan.constraint_files.append(lock.path)
        native = native_locks and lock.kind in ("uv", "pylock")
        covered = _COVERED[lock.kind]
        if native:
            plan.native = lock
            plan.native_extras = [
                s.name
                for s in spec.sources
                if s.kind == "extra" and s.name and s.path == "pyproject.toml"
            ]
            plan.native_extras = sorted(set(plan.native_extras) | set(spec.project_extras))
            plan.native_groups = [s.name for s in spec.sources if s.kind == "group" and s.name]
            plan.native_project = lock.kind == "uv" and spec.install_project
        else:
            _check_fresh(project_dir, spec, lock, plan.pins, covered)
    for source in spec.sources:
        if (
            plan.native is not None
            and source.kind in _COVERED[plan.native.kind]
            and source.path == "pyproject.toml"
        ):
            for text in source.requirements:
                plan.declare(text, describe(source))
            continue
        _add_source(project_dir, spec, source, plan)
    for text in spec.dependencies:
        plan.lines.append(Line(text, "[tool.pipelinekit.test] dependencies"))
        plan.declare(text, "[tool.pipelinekit.test] dependencies")
    if spec.install_project and not (plan.native and plan.native.kind == "uv"):
        extras = f"[{','.join(spec.project_extras)}]" if spec.project_extras else ""
        plan.project = f".{extras}"
    declared = set(plan.origins)
    for tool in spec.test_tools:
        if tool not in declared:
            plan.lines.append(Line(tool, TOOL_ORIGIN))
    plan.notes += not_installed_note(spec)
    if spec.install_project:
        plan.key_paths.update(setup_py_reads(project_dir))
    return plan


_METADATA = ("pyproject.toml", "setup.py", "setup.cfg")


def local_metadata(text: str, base: Path) -> list[Path]:
    """The packaging metadata of a local path requirement (`-e ./libs/x`, `x @ ./libs/x`):
    its own dependencies change what the environment holds."""
    match = _LOCAL.match(text) or _DIRECT_LOCAL.match(text)
    if not match:
        return []
    folder = (base / match[2]).resolve()
    return [folder / name for name in _METADATA if (folder / name).is_file()]


def setup_py_reads(project_dir: Path) -> list[Path]:
    """Text files a setup.py names in string literals (`open("requirements/base.txt")`,
    `read_reqs("base.txt")`): what it reads at build time decides the dependencies."""
    setup_py = project_dir / "setup.py"
    try:
        tree = ast.parse(setup_py.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    names = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.endswith((".txt", ".in", ".cfg", ".toml", ".json"))
        and "\n" not in node.value
    }
    subfolders = sorted(d for d in project_dir.iterdir() if d.is_dir() and d.name[0] != ".")
    folders = [project_dir, *subfolders]
    found = {project_dir / name for name in names if (project_dir / name).is_file()}
    found |= {
        d / name for d in folders for name in names if "/" not in name and (d / name).is_file()
    }
    return sorted(found)


def not_installed_note(spec: EnvSpec) -> list[str]:
    """What is said once when the project is tested from its source tree."""
    if spec.install_project:
        return []
    return [
        f"the project is not installed: {spec.not_installed_reason}; its tests run from the "
        f"source tree with {', '.join(spec.source_paths)} on the import path"
    ]


def brought_by_project(spec: EnvSpec, source: DependencySource) -> bool:
    """Installed with the project itself (`-e .[extras]`): its extras and runtime metadata."""
    return spec.install_project and (
        source.kind == "extra" or (source.kind in METADATA_KINDS and source.role == "runtime")
    )


def _add_source(
    project_dir: Path, spec: EnvSpec, source: DependencySource, plan: InstallPlan
) -> None:
    origin = describe(source)
    if brought_by_project(spec, source):
        for text in source.requirements:
            plan.declare(text, origin)
        return
    if source.kind in ("requirements", "constraints"):
        path = project_dir / source.path
        if not path.is_file():
            raise ConfigError(
                f"{path} does not exist: [tool.pipelinekit.test] requirements names it. Correct "
                "the path (relative to the project folder) or drop it from the list."
            )
        parsed = read_requirement_file(path, project_dir)
        if parsed.unreadable:
            raise ConfigError(
                f"{path} includes {', '.join(parsed.unreadable)}, which cannot be read. Correct "
                "the `-r` line, or leave the file out with [tool.pipelinekit.test] requirements."
            )
        plan.key_paths.update(parsed.read)
        for text, where in parsed.requirements:
            plan.declare(text, where)
            plan.key_paths.update(local_metadata(text, (project_dir / where).parent))
        target = plan.files if source.kind == "requirements" else plan.constraint_files
        target.append(source.path)
        return
    lines, converted = source_lines(spec, source)
    if converted is not None:
        if converted.conda_only:
            names = ", ".join(converted.conda_only)
            verb = "exists" if len(converted.conda_only) == 1 else "exist"
            raise ConfigError(
                f"{project_dir / source.path} lists {names}, which {verb} "
                "only on conda, not on PyPI, so the test environment cannot be built with them. "
                "Map each to a PyPI requirement or leave it out with [tool.pipelinekit.test] "
                f'conda_packages, e.g. conda_packages = {{ "{converted.conda_only[0]}" = "" }}.'
            )
        if converted.left_out:
            plan.notes.append(
                f"{source.path}: left out {', '.join(converted.left_out)} (part of the "
                "interpreter, or bundled by the PyPI wheels)"
            )
    for text in lines:
        plan.key_paths.update(local_metadata(text, project_dir))
        text = absolute_paths(text, project_dir)
        plan.lines.append(Line(text, origin))
        plan.declare(text, origin)


def source_lines(
    spec: EnvSpec, source: DependencySource
) -> tuple[list[str], conda.Converted | None]:
    """A table source's lines as the installer takes them: conda specs as PyPI requirements
    (with the conversion, whose conda-only names the caller decides about), tox's
    factor-conditional lines decided for the spec's Python. Shared by the test environment
    and the image's dependency layer, so both install the same thing."""
    if source.kind == "conda":
        converted = conda.to_pypi(list(source.requirements), dict(spec.conda_packages))
        return converted.requirements, converted
    if source.kind == "tox":
        lines = [tox_line(line, spec.python) for line in source.requirements]
        return [line for line in lines if line is not None], None
    return list(source.requirements), None


def is_local(text: str) -> bool:
    """A requirement naming local source (`-e ./libs/x`, `pkg @ ./x`)."""
    return bool(_LOCAL.match(text) or _DIRECT_LOCAL.match(text))


def absolute_paths(text: str, project_dir: Path) -> str:
    """Local paths in a table's requirement (`-e ./libs/x`, `pkg @ ./x`) made absolute: the
    generated requirements file lives elsewhere than the table that declared them."""
    local = _LOCAL.match(text)
    if local:  # as a file: URI, so a path with spaces stays one word for pip too
        target = (project_dir / local[2]).resolve().as_uri()
        return f"{'-e ' if local[1] else ''}{target}{local[3]}"
    direct = _DIRECT_LOCAL.match(text)
    if direct:
        return f"{direct[1]}{(project_dir / direct[2]).resolve().as_uri()}{direct[3]}"
    return text


def _check_fresh(
    project_dir: Path, spec: EnvSpec, lock: LockFile, pins: list[Pin], covered: set[str]
) -> None:
    """Every requirement the lock was made from must be in it (markers for this Python and
    platform taken into account: a Windows-only package is not missing from a Linux lock)."""
    declared: dict[str, str] = {}
    for source in spec.sources:
        if source.kind not in covered:
            continue
        for text in source.requirements:
            name = _applicable_name(text, spec.python)
            if name:
                declared.setdefault(name, describe(source))
    missing = stale_names(pins, declared)
    if missing:
        where = "; ".join(f"{name} ({declared[name]})" for name in missing)
        raise ConfigError(
            f"{project_dir / lock.path} no longer matches what the project declares: {where} "
            f"{'is' if len(missing) == 1 else 'are'} not in the lock. "
            f"{REFRESH[lock.kind].capitalize()}, "
            'commit the lock and run again; or set [tool.pipelinekit.test] lock = "none" to '
            "test against the newest releases."
        )


def _applicable_name(text: str, python: str) -> str | None:
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        parsed = parse_requirement(text)
        return parsed[0] if parsed else None
    if requirement.url:
        return None  # direct references are not locked by version
    marker = requirement.marker
    environment = {"python_version": python, "python_full_version": f"{python}.0", "extra": ""}
    if marker is not None and not marker.evaluate(environment):
        return None
    return normalize(requirement.name)
