"""Every place a repository declares requirements, found from its files alone.

One `DependencySource` per declaration: the `[project]` table, each extra, each PEP 735
dependency group, Poetry's main table and groups, PDM dev groups, Hatch environments,
requirement files where they conventionally live (root `*requirements*.txt`, `requirements/`,
`tests/`, `src/` as Kedro keeps them), setup.py and setup.cfg lists, tox `deps`, Pipfile
sections and conda environment files. Each carries a role from its name (runtime, test, other)
that decides what the test environment installs by default; the Docker image takes the runtime
ones only.

Table-based sources are turned into PEP 508 lines here (Poetry's `^1.2` becomes `>=1.2,<2.0`),
so the installer gets one syntax; requirement files are passed to the installer as they are.
Nothing here imports or runs the project's code.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelinekit.detect.facts import DependencySource, LockFile, LockKind, Role, SourceKind
from pipelinekit.env.conda import version_spec
from pipelinekit.env.reqfile import (
    INCLUDE,
    is_pinned,
    normalize,
    parse_requirement,
    read_requirement_file,
    relative,
)

TEST_NAMES = ("test", "tests", "testing", "dev")
"""Extras and groups installed for tests by default ([tool.pipelinekit.test] extras/groups)."""
_TEST_TOKENS = frozenset(
    {"test", "tests", "testing", "dev", "devel", "develop", "development", "ci"}
)
_RUNTIME_TOKENS = frozenset(
    {"", "base", "common", "core", "main", "prod", "production", "runtime", "install", "default"}
)
_GPU_TOKENS = frozenset({"gpu", "cuda"})
_HATCH_TEST_ENVS = frozenset({"default", "test", "tests", "testing", "hatch-test", "dev"})
LOCK_FILES: tuple[tuple[str, LockKind], ...] = (
    ("uv.lock", "uv"),
    ("poetry.lock", "poetry"),
    ("pdm.lock", "pdm"),
    ("Pipfile.lock", "pipfile"),
)
"""Lock file -> kind, in the order a lock is preferred when a repository has several."""
CONDA_FILES = ("environment.yml", "environment.yaml", "conda.yml", "conda.yaml")
_REQUIREMENT_FILE = re.compile(
    r"(?:tests?/|src/)?[^/]*requirements?[^/]*\.(?:txt|in)|requirements/[^/]+\.(?:txt|in)"
)
_CONSTRAINT_FILE = re.compile(r"constraints?[^/]*\.txt")
_PYLOCK = re.compile(r"pylock(?:\.[^/.]+)?\.toml")
_POETRY_TOKEN = re.compile(r"(\^|~=|~|>=|<=|==|!=|>|<|=)?\s*(\d+(?:\.\d+)*(?:\.\*)?)")
_TOX_FACTOR = re.compile(r"^(!?[\w.,{}!-]+):(?!//)\s*(.*)$")
_TOX_RUNTIME = re.compile(r"\{(?:env:|posargs|tty:|envdir|envname|envtmpdir|\[)")
_TOX_REF = re.compile(r"\{\[([^\]]+)\]([^}]+)\}")
_PIPFILE_ROLES: dict[str, Role] = {"packages": "runtime", "dev-packages": "test"}
_SETUP_LISTS: tuple[tuple[str, Role], ...] = (
    ("install_requires", "runtime"),
    ("tests_require", "test"),
)


@dataclass
class Discovery:
    """What `discover` found: the sources in install order, the locks, and interpreter pins
    from Pipfile and conda files (as PEP 440 specifiers)."""

    sources: list[DependencySource] = field(default_factory=list)
    locks: list[LockFile] = field(default_factory=list)
    python_pins: dict[str, str] = field(default_factory=dict)
    indexes: list[str] = field(default_factory=list)
    pipfile_sources: list[object] = field(default_factory=list)
    """Package index URLs besides PyPI (Poetry/PDM/Pipfile sources, uv indexes)."""
    included_files: set[str] = field(default_factory=set)
    """Files reached through `-r`/`-c` includes (part of the environment's key)."""


def table(data: object, *keys: str) -> dict[str, Any]:
    """The nested TOML table at `keys`, or {} when any level is missing or not a table."""
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def str_list(value: object) -> list[str]:
    """A TOML/ast value as a list of strings: a lone string is one item, other items are dropped."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def role_of(name: str | None) -> Role:
    """test for the conventional test names, other for the rest (docs, gpu, lint, ...)."""
    return "test" if name is not None and normalize(name) in TEST_NAMES else "other"


def discover(
    root: Path,
    files: frozenset[str],
    pyproject: Mapping[str, Any],
    setup_cfg: configparser.RawConfigParser | None,
    setup_py: Mapping[str, object] | None,
    tox_ini: configparser.RawConfigParser | None,
) -> Discovery:
    """Every dependency source of the project at `root` (`files` relative to it)."""
    found = Discovery()
    project_name = normalize(_project_name(pyproject, setup_cfg, setup_py))
    add = found.sources.append
    for source in _pyproject_sources(pyproject, project_name):
        add(source)
    if setup_cfg is not None:
        for source in _setup_cfg_sources(setup_cfg, project_name):
            add(source)
    if setup_py is not None:
        for source in _setup_py_sources(setup_py, project_name):
            add(source)
    _requirement_files(root, files, pyproject, found)
    for rel in CONDA_FILES:
        if rel in files:
            _conda_sources(root, rel, found)
    if "Pipfile" in files:
        _pipfile_sources(root, found)
    if tox_ini is not None:
        _tox_sources(root, "tox.ini", tox_ini, project_name, found)
    legacy = table(pyproject, "tool", "tox").get("legacy_tox_ini")
    if isinstance(legacy, str):
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read_string(legacy)
        except configparser.Error:
            pass
        else:
            _tox_sources(root, "pyproject.toml", parser, project_name, found)
    found.locks[:0] = _locks(files)
    found.indexes = _indexes(pyproject, found)
    return found


def _project_name(
    pyproject: Mapping[str, Any],
    setup_cfg: configparser.RawConfigParser | None,
    setup_py: Mapping[str, object] | None,
) -> str:
    for candidate in (
        table(pyproject, "project").get("name"),
        table(pyproject, "tool", "poetry").get("name"),
        setup_cfg.get("metadata", "name", fallback=None) if setup_cfg else None,
        (setup_py or {}).get("name"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return ""


def split_self(lines: Iterable[str], project: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(requirements, extras of the project itself): `mypkg[test]` in an extra of mypkg means
    'also install my extra test'."""
    kept: list[str] = []
    extras: list[str] = []
    for line in lines:
        parsed = parse_requirement(line)
        if project and parsed and parsed[0] == project and "@" not in line:
            extras.extend(sorted(parsed[1]))
        else:
            kept.append(line.strip())
    return tuple(kept), tuple(extras)


# -- pyproject.toml -----------------------------------------------------------------------------


def _pyproject_sources(data: Mapping[str, Any], project: str) -> Iterable[DependencySource]:
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


# -- setup.py and setup.cfg ---------------------------------------------------------------------


def _setup_py_sources(kwargs: Mapping[str, object], project: str) -> Iterable[DependencySource]:
    for key, role in _SETUP_LISTS:
        lines = str_list(kwargs.get(key))
        if lines:
            yield DependencySource(
                kind="setup",
                path="setup.py",
                name=key,
                role=role,
                requirements=tuple(lines),
            )
    extras = kwargs.get("extras_require")
    for name, value in sorted(extras.items()) if isinstance(extras, dict) else []:
        requirements, self_extras = split_self(str_list(value), project)
        yield DependencySource(
            kind="extra",
            path="setup.py",
            name=normalize(str(name)),
            role=role_of(str(name)),
            requirements=requirements,
            extras=self_extras,
        )


def _setup_cfg_sources(
    cfg: configparser.RawConfigParser, project: str
) -> Iterable[DependencySource]:
    for key, role in _SETUP_LISTS:
        lines = _cfg_lines(cfg.get("options", key, fallback=""))
        if lines:
            yield DependencySource(
                kind="setup",
                path="setup.cfg",
                name=key,
                role=role,
                requirements=tuple(lines),
            )
    if cfg.has_section("options.extras_require"):
        for name, value in sorted(cfg.items("options.extras_require")):
            requirements, extras = split_self(_cfg_lines(value), project)
            yield DependencySource(
                kind="extra",
                path="setup.cfg",
                name=normalize(name),
                role=role_of(name),
                requirements=requirements,
                extras=extras,
            )


def _cfg_lines(value: str) -> list[str]:
    """An INI list value (one requirement per line, `;` in markers kept, `#` comments dropped)."""
    return [
        line.strip()
        for line in value.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


# -- requirement files --------------------------------------------------------------------------


def file_role(rel: str) -> Role:
    """A requirement file's role from where it is and what it is called: `tests/...`,
    `requirements-dev.txt`, `requirements/test.txt` -> test; `requirements.txt`,
    `requirements/base.txt` -> runtime; `requirements-docs.txt` -> other."""
    if rel.split("/")[0] in ("tests", "test") and "/" in rel:
        return "test"
    tokens = _name_tokens(rel)
    if tokens & _TEST_TOKENS:
        return "test"
    if tokens <= _RUNTIME_TOKENS:
        return "runtime"
    return "other"


def _name_tokens(rel: str) -> set[str]:
    """The words of a requirement file's name: `requirements/gpu-cu121.txt` -> gpu, cu121."""
    stem = rel.rpartition("/")[2].rsplit(".", 1)[0]
    return {
        t
        for t in re.split(r"[-_.\s]+", stem.lower())
        if t not in ("requirements", "requirement", "reqs")
    }


def is_gpu_variant(rel: str) -> bool:
    """A requirement file for the GPU build (`requirements-gpu.txt`, `requirements/cuda.txt`):
    its role is `other` (not installed for the tests), but a GPU image installs it."""
    return bool(_name_tokens(rel) & _GPU_TOKENS)


def _requirement_files(
    root: Path, files: frozenset[str], pyproject: Mapping[str, Any], found: Discovery
) -> None:
    dynamic = table(pyproject, "tool", "setuptools", "dynamic")
    # `dependencies = {file = [...]}`, and one level deeper for extras:
    # `optional-dependencies.gpu = {file = [...]}`
    specs = [*dynamic.values(), *table(dynamic, "optional-dependencies").values()]
    listed = {f for spec in specs for f in str_list(table(spec).get("file"))}
    candidates = sorted(f for f in files if _REQUIREMENT_FILE.fullmatch(f) or f in listed)
    compiled = {f.rsplit(".", 1)[0] for f in candidates if f.endswith(".txt")}
    for rel in candidates:
        parsed = read_requirement_file(root / rel, root)
        found.included_files.update(f for f in parsed.files if f != rel)
        role = file_role(rel)
        if rel.endswith(".in") and rel.rsplit(".", 1)[0] in compiled:
            role = "other"  # pip-tools: the compiled .txt beside it is what gets installed
        found.sources.append(DependencySource(kind="requirements", path=rel, role=role))
        if role != "other" and is_pinned([line for line, _ in parsed.requirements]):
            found.locks.append(LockFile(kind="pinned", path=rel))
    for rel in sorted(f for f in files if _CONSTRAINT_FILE.fullmatch(f)):
        found.sources.append(DependencySource(kind="constraints", path=rel))


# -- tox ----------------------------------------------------------------------------------------


def _tox_sources(
    root: Path,
    where: str,
    ini: configparser.RawConfigParser,
    project: str,
    found: Discovery,
) -> None:
    """`[testenv] deps` and `extras`: `{[section]key}` references are followed once, `-r`
    files become requirement sources, factor-conditional lines (`py39: mock`) are kept as they
    are and decided for the environment's Python (`tox_line`)."""
    if not ini.has_section("testenv"):
        return
    raw = _tox_expand(ini, ini.get("testenv", "deps", fallback=""))
    lines: list[str] = []
    for line in _cfg_lines(raw):
        if _TOX_RUNTIME.search(line):
            continue  # a substitution tox resolves at run time ({env:X}, {posargs})
        line = line.replace("{toxinidir}/", "").replace("{toxinidir}", ".")
        include = INCLUDE.fullmatch(line)
        if include:
            rel = relative(root / include[3], root)
            if (root / rel).is_file():
                _add_file(
                    found, DependencySource(kind=_include_kind(include), path=rel, role="test")
                )
            continue
        lines.append(line)
    extras = tuple(
        normalize(e)
        for e in _cfg_lines(ini.get("testenv", "extras", fallback="").replace(",", "\n"))
    )
    requirements, self_extras = split_self(lines, project)
    if requirements or extras or self_extras:
        found.sources.append(
            DependencySource(
                kind="tox",
                path=where,
                name="testenv",
                role="test",
                requirements=requirements,
                extras=extras + self_extras,
            )
        )


def _add_file(found: Discovery, source: DependencySource) -> None:
    """Add a file named by a tool (tox, conda); one already found takes the tool's role, so
    `requirements-tox.txt` that tox installs for the tests is a test source."""
    for index, known in enumerate(found.sources):
        if known.path == source.path:
            if known.role == "other":
                found.sources[index] = known.model_copy(update={"role": source.role})
            return
    found.sources.append(source)


def tox_line(line: str, python: str | None) -> str | None:
    """A tox deps line for the environment's Python: the requirement, or None when its factor
    condition (`py311: x`, `py310,py311: x`, `!py27: x`, `py3{10,11}-lint: x`) leaves it out.
    Factors other than `pyXY` name environments pipelinekit does not run, so they never match;
    `python` None (detection, before a Python is chosen) keeps every line."""
    factor = _TOX_FACTOR.match(line)
    if factor is None:
        return line
    if python is None:
        return factor[2]
    alternatives = _expand_braces(factor[1]).split(",")
    major, _, minor = python.partition(".")
    names = {"py", f"py{major}", f"py{major}{minor}"}
    for alternative in alternatives:
        parts = [p for p in alternative.split("-") if p]
        if parts and all(
            (p[1:] not in names) if p.startswith("!") else (p in names) for p in parts
        ):
            return factor[2]
    return None


def _expand_braces(text: str) -> str:
    """tox's `py3{10,11}` -> `py310,py311` (one level, as tox's own factor lists use it)."""
    match = re.search(r"([\w!.-]*)\{([^{}]*)\}([\w!.-]*)", text)
    if match is None:
        return text
    expanded = ",".join(f"{match[1]}{opt}{match[3]}" for opt in match[2].split(","))
    return _expand_braces(text[: match.start()] + expanded + text[match.end() :])


def _tox_expand(ini: configparser.RawConfigParser, value: str) -> str:
    def lookup(match: re.Match[str]) -> str:
        return ini.get(match[1], match[2], fallback="")

    return _TOX_REF.sub(lookup, value)


# -- Pipfile and conda --------------------------------------------------------------------------


def _pipfile_sources(root: Path, found: Discovery) -> None:
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


def _conda_sources(root: Path, rel: str, found: Discovery) -> None:
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
                        _add_file(found, DependencySource(kind=_include_kind(include), path=target))
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


def _include_kind(include: re.Match[str]) -> SourceKind:
    """`-r x` / `--requirement x` include a requirement file, `-c` / `--constraint` constrain."""
    return "constraints" if (include[1] or include[2]) in ("-c", "--constraint") else "requirements"


def conda_python_spec(constraint: str) -> str | None:
    """A conda version constraint on python as PEP 440 (`=3.10` means `3.10.*`)."""
    return version_spec(constraint) or None


# -- package indexes ----------------------------------------------------------------------------

_PYPI = re.compile(r"https?://(pypi\.org|pypi\.python\.org|files\.pythonhosted\.org)/")


def _indexes(pyproject: Mapping[str, Any], found: Discovery) -> list[str]:
    """Index URLs of Poetry, PDM, uv and Pipfile sources, PyPI itself left out."""
    entries: list[object] = []
    for keys in (("tool", "poetry", "source"), ("tool", "pdm", "source"), ("tool", "uv", "index")):
        value: Any = pyproject
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        entries += value if isinstance(value, list) else []
    entries += found.pipfile_sources
    urls = [str(e["url"]) for e in entries if isinstance(e, dict) and isinstance(e.get("url"), str)]
    return list(dict.fromkeys(u for u in urls if not _PYPI.match(u)))


# -- locks --------------------------------------------------------------------------------------


def _locks(files: frozenset[str]) -> list[LockFile]:
    """Lock files beside the manifest, preferred first (pinned requirement files come after)."""
    locks = [LockFile(kind=kind, path=name) for name, kind in LOCK_FILES if name in files]
    locks += [LockFile(kind="pylock", path=f) for f in sorted(files) if _PYLOCK.fullmatch(f)]
    return locks
