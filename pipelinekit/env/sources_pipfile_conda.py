"""Dependency sources of Pipfile and conda environment files, and the Python each pins.

Both are whole-environment files of other installers (pipenv, conda) rather than Python packaging
metadata: their entries are translated here (Pipfile tables to PEP 508 lines, conda specs kept
as conda specs with their `pip:` sub-list apart), and their interpreter pins are read as PEP 440.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from pipelinekit.detect.facts import DependencySource, Role
from pipelinekit.env.conda import version_spec
from pipelinekit.env.reqfile import INCLUDE, normalize, relative
from pipelinekit.env.source_model import Discovery, add_file, include_kind, str_list, table

_PIPFILE_ROLES: dict[str, Role] = {"packages": "runtime", "dev-packages": "test"}


def pipfile_sources(root: Path, found: Discovery) -> None:
    try:
        data = tomllib.loads((root / "Pipfile").read_text(encoding="utf-8", errors="replace"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        found.sources.append(DependencySource(kind="pipfile", path="Pipfile", problem=str(exc)))
        return
    sources = data.get("source")
    found.pipfile_sources = list(sources) if isinstance(sources, list) else []
    for section, packages in data.items():
        if section in ("source", "requires", "pipenv", "scripts") or not isinstance(packages, dict):
            continue
        role = _PIPFILE_ROLES.get(section, "other")
        lines = tuple(
            line for name, spec in packages.items() if (line := pipfile_requirement(name, spec))
        )
        found.sources.append(
            DependencySource(
                kind="pipfile", path="Pipfile", name=section, role=role, requirements=lines
            )
        )
    requires = table(data, "requires")
    full, short = requires.get("python_full_version"), requires.get("python_version")
    if isinstance(full, str):
        found.python_pins["Pipfile"] = f"=={full}"
    elif isinstance(short, str):
        found.python_pins["Pipfile"] = f"=={short}.*"


def pipfile_requirement(name: str, spec: object) -> str:
    """A Pipfile entry as one PEP 508 line (`"*"`, a specifier, or a table)."""
    if isinstance(spec, str):
        return name if spec.strip() in ("*", "") else f"{name}{spec.strip()}"
    if not isinstance(spec, dict):
        return name
    extras = str_list(spec.get("extras"))
    head = name + (f"[{','.join(extras)}]" if extras else "")
    if isinstance(spec.get("path"), str):
        path = spec["path"] if spec["path"].startswith((".", "/")) else f"./{spec['path']}"
        return ("-e " if spec.get("editable") else "") + path
    if isinstance(spec.get("git"), str):
        ref = spec.get("ref")
        line = f"{head} @ git+{spec['git']}{'@' + ref if isinstance(ref, str) else ''}"
    elif isinstance(spec.get("file"), str):
        line = f"{head} @ {spec['file']}"
    else:
        version = spec.get("version")
        line = head + (
            version.strip() if isinstance(version, str) and version.strip() != "*" else ""
        )
    markers = [spec["markers"]] if isinstance(spec.get("markers"), str) else []
    markers += [
        f"{key} {value.strip()}"
        if value.strip()[:2] in ("==", "!=", ">=", "<=")
        else f'{key} == "{value}"'
        for key in (
            "os_name",
            "sys_platform",
            "platform_machine",
            "platform_system",
            "python_version",
        )
        if isinstance(value := spec.get(key), str)
    ]
    return line + (f" ; {' and '.join(markers)}" if markers else "")


CONDA_SPEC = re.compile(r"\s*(?:[\w.-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)")
"""A conda match spec (`conda-forge::numpy >=1.24`): not PEP 508, so `packaging` cannot read it."""


def conda_sources(root: Path, rel: str, found: Discovery) -> None:
    """A conda environment: conda specs (`pytorch::pytorch>=2`) and its `pip:` sub-list."""
    try:
        data = yaml.safe_load((root / rel).read_text(encoding="utf-8", errors="replace"))
    except (OSError, yaml.YAMLError) as exc:
        problem = " ".join(str(exc).split())
        found.sources.append(DependencySource(kind="conda", path=rel, problem=problem))
        return
    items = data.get("dependencies") if isinstance(data, dict) else None
    conda: list[str] = []
    pip_lines: list[str] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            for line in str_list(item.get("pip")):
                include = INCLUDE.fullmatch(line.strip())
                if include:
                    target = relative((root / rel).parent / include[3], root)
                    if (root / target).is_file():
                        add_file(found, DependencySource(kind=include_kind(include), path=target))
                elif line.strip():
                    pip_lines.append(line.strip())
            continue
        match = CONDA_SPEC.fullmatch(str(item))
        if not match:
            continue
        if normalize(match[1]) == "python":
            spec = conda_python_spec(match[2])
            if spec:
                found.python_pins.setdefault(rel, spec)
        else:
            conda.append(str(item).strip())
    found.sources.append(DependencySource(kind="conda", path=rel, requirements=tuple(conda)))
    if pip_lines:
        found.sources.append(
            DependencySource(kind="conda-pip", path=rel, name="pip", requirements=tuple(pip_lines))
        )


def conda_python_spec(constraint: str) -> str | None:
    """A conda version constraint on python as PEP 440 (`=3.10` means `3.10.*`)."""
    return version_spec(constraint) or None
