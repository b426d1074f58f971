"""Dependency sources declared in pyproject.toml: `[project]`, its extras, PEP 735 groups, uv's
dev list, Poetry's tables and groups, PDM dev groups and Hatch environments.

pyproject.toml is where most repositories declare dependencies and Poetry's own constraint syntax
needs translating (`^1.2` becomes `>=1.2,<2.0`), so its readers and that translation are one
module, apart from the dispatcher in `sources`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pipelinekit.detect.facts import DependencySource
from pipelinekit.env.reqfile import normalize
from pipelinekit.env.source_model import role_of, split_self, str_list, table

_HATCH_TEST_ENVS = frozenset({"default", "test", "tests", "testing", "hatch-test", "dev"})

_POETRY_TOKEN = re.compile(r"(\^|~=|~|>=|<=|==|!=|>|<|=)?\s*(\d+(?:\.\d+)*(?:\.\*)?)")


def pyproject_sources(data: Mapping[str, Any], project: str) -> Iterable[DependencySource]:
    where = "pyproject.toml"
    meta = table(data, "project")
    dynamic = str_list(meta.get("dynamic"))
    if meta and "dependencies" not in dynamic:
        yield DependencySource(
            kind="project", path=where, requirements=tuple(str_list(meta.get("dependencies")))
        )
    for name, lines in sorted(table(meta, "optional-dependencies").items()):
        requirements, extras = split_self(str_list(lines), project)
        yield DependencySource(
            kind="extra",
            path=where,
            name=normalize(name),
            role=role_of(name),
            requirements=requirements,
            extras=extras,
        )
    groups = table(data, "dependency-groups")
    for name in sorted(groups):
        requirements, extras = split_self(_group_lines(groups, name, ()), project)
        yield DependencySource(
            kind="group",
            path=where,
            name=normalize(name),
            role=role_of(name),
            requirements=requirements,
            extras=extras,
        )
    uv_dev = str_list(table(data, "tool", "uv").get("dev-dependencies"))
    if uv_dev and "dev" not in {normalize(g) for g in groups}:
        yield DependencySource(
            kind="group", path=where, name="dev", role="test", requirements=tuple(uv_dev)
        )
    yield from _poetry_sources(data, project)
    for name, lines in sorted(table(data, "tool", "pdm", "dev-dependencies").items()):
        requirements, extras = split_self(_pdm_lines(str_list(lines)), project)
        yield DependencySource(
            kind="pdm-group",
            path=where,
            name=normalize(name),
            role=role_of(name),
            requirements=requirements,
            extras=extras,
        )
    for name, env in sorted(table(data, "tool", "hatch", "envs").items()):
        if not isinstance(env, dict):
            continue
        lines = str_list(env.get("dependencies")) + str_list(env.get("extra-dependencies"))
        features = tuple(normalize(f) for f in str_list(env.get("features")))
        if lines or features:
            yield DependencySource(
                kind="hatch-env",
                path=where,
                name=name,
                role="test" if name in _HATCH_TEST_ENVS else "other",
                requirements=tuple(lines),
                extras=features,
            )


def _group_lines(groups: Mapping[str, Any], name: str, seen: tuple[str, ...]) -> list[str]:
    """A PEP 735 group's requirements with `{include-group = ...}` expanded (cycles cut)."""
    key = next((k for k in groups if normalize(k) == normalize(name)), None)
    if key is None or normalize(name) in seen:
        return []
    out: list[str] = []
    for item in groups[key] if isinstance(groups[key], list) else []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            out += _group_lines(groups, item["include-group"], (*seen, normalize(name)))
    return out


def _pdm_lines(lines: list[str]) -> list[str]:
    """PDM's `-e file:///${PROJECT_ROOT}/libs/x` lines as paths relative to the project."""
    out = []
    for line in lines:
        line = line.replace("file:///${PROJECT_ROOT}/", "./").replace("${PROJECT_ROOT}", ".")
        out.append(line)
    return out


def _poetry_sources(data: Mapping[str, Any], project: str) -> Iterable[DependencySource]:
    poetry = table(data, "tool", "poetry")
    if not poetry:
        return
    where = "pyproject.toml"
    main = table(poetry, "dependencies")
    optional = {normalize(n) for n, spec in main.items() if table(spec).get("optional") is True}
    requirements = tuple(
        line
        for name, spec in main.items()
        if normalize(name) not in optional
        for line in poetry_requirements(name, spec)
    )
    if main:
        yield DependencySource(kind="poetry", path=where, requirements=requirements)
    for extra, names in sorted(table(poetry, "extras").items()):
        wanted = {normalize(n) for n in str_list(names)}
        lines = tuple(
            line
            for name, spec in main.items()
            if normalize(name) in wanted
            for line in poetry_requirements(name, spec)
        )
        yield DependencySource(
            kind="extra", path=where, name=normalize(extra), role=role_of(extra), requirements=lines
        )
    groups: list[tuple[str, dict[str, Any]]] = []
    if table(poetry, "dev-dependencies"):
        groups.append(("dev", table(poetry, "dev-dependencies")))
    groups += [(name, table(g, "dependencies")) for name, g in table(poetry, "group").items()]
    for name, deps in sorted(groups, key=lambda g: g[0]):
        lines = tuple(line for n, spec in deps.items() for line in poetry_requirements(n, spec))
        reqs, extras = split_self(lines, project)
        yield DependencySource(
            kind="poetry-group",
            path=where,
            name=normalize(name),
            role=role_of(name),
            requirements=reqs,
            extras=extras,
        )


def poetry_requirements(name: str, spec: object) -> list[str]:
    """A Poetry dependency as PEP 508 lines (one per alternative of a multiple-constraint list);
    `python` itself yields nothing."""
    if name.lower() == "python":
        return []
    if isinstance(spec, list):
        return [line for item in spec for line in poetry_requirements(name, item)]
    if isinstance(spec, str):
        return [name + _poetry_version(spec)]
    if not isinstance(spec, dict):
        return [name]
    extras = str_list(spec.get("extras"))
    head = name + (f"[{','.join(extras)}]" if extras else "")
    markers = [m for m in (_poetry_markers(spec),) if m]
    if isinstance(spec.get("git"), str):
        ref = next((spec[k] for k in ("rev", "tag", "branch") if isinstance(spec.get(k), str)), "")
        sub = (
            f"#subdirectory={spec['subdirectory']}"
            if isinstance(spec.get("subdirectory"), str)
            else ""
        )
        line = f"{head} @ git+{spec['git']}{'@' + ref if ref else ''}{sub}"
    elif isinstance(spec.get("url"), str):
        line = f"{head} @ {spec['url']}"
    elif isinstance(spec.get("path"), str):
        path = spec["path"] if spec["path"].startswith((".", "/")) else f"./{spec['path']}"
        return [("-e " if spec.get("develop") else "") + path]
    else:
        version = spec.get("version")
        line = head + (_poetry_version(version) if isinstance(version, str) else "")
    return [line + (f" ; {' and '.join(markers)}" if markers else "")]


def _poetry_version(spec: str) -> str:
    converted = poetry_to_pep440(spec)
    if converted is None or "||" in converted:
        return ""  # `*`, or alternatives PEP 440 cannot say: the resolver (or the lock) decides
    return converted


def _poetry_markers(spec: Mapping[str, Any]) -> str:
    parts = []
    if isinstance(spec.get("markers"), str):
        parts.append(f"({spec['markers']})")
    python = spec.get("python")
    if isinstance(python, str):
        converted = poetry_to_pep440(python)
        if converted and "||" not in converted:
            for clause in converted.split(","):
                match = re.fullmatch(r"(~=|===|==|!=|>=|<=|>|<)(.+)", clause.strip())
                if match:
                    field_ = "python_full_version" if match[2].count(".") >= 2 else "python_version"
                    parts.append(f'{field_} {match[1]} "{match[2]}"')
    if isinstance(spec.get("platform"), str):
        parts.append(f'sys_platform == "{spec["platform"]}"')
    return " and ".join(parts)


def poetry_to_pep440(spec: str) -> str | None:
    """Poetry's constraint syntax as PEP 440: `^3.10` -> `>=3.10,<4.0`, `~3.10` -> `>=3.10,<3.11`,
    a bare `3.10` -> `==3.10`. `||` alternatives stay separated by ` || ` (PEP 440 has no OR);
    `*` means no requirement (None)."""
    alternatives = []
    for alternative in spec.split("||"):
        clauses = [c for op, v in _POETRY_TOKEN.findall(alternative) for c in _poetry_clause(op, v)]
        if not clauses:
            return None
        alternatives.append(",".join(clauses))
    return " || ".join(alternatives)


def _poetry_clause(op: str, version: str) -> list[str]:
    parts = [int(p) for p in version.split(".") if p.isdigit()]
    if op == "^":
        nonzero = next((i for i, p in enumerate(parts) if p), len(parts) - 1)
        upper = [*parts[:nonzero], parts[nonzero] + 1]
    elif op == "~":
        upper = [parts[0] + 1] if len(parts) == 1 else [parts[0], parts[1] + 1]
    else:
        return [f"=={version}" if op in ("", "=") else f"{op}{version}"]
    return [f">={version}", "<" + ".".join(str(p) for p in [*upper, 0][: max(2, len(upper))])]
