"""Dependency sources of setuptools and tox: setup.py and setup.cfg lists and extras, and tox's
`[testenv] deps` and `extras` (in tox.ini or pyproject's `legacy_tox_ini`).

These share the INI reading (`cfg_lines`) and are the older, setuptools-era ways to declare
requirements; tox's factor conditions (`py311: x`) are decided here too, for the environment's
Python (`tox_line`), because only tox lines have them.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from pipelinekit.detect.facts import DependencySource, Role
from pipelinekit.env.reqfile import INCLUDE, normalize, relative
from pipelinekit.env.source_model import (
    Discovery,
    add_file,
    include_kind,
    role_of,
    split_self,
    str_list,
)

_TOX_FACTOR = re.compile(r"^(!?[\w.,{}!-]+):(?!//)\s*(.*)$")
_TOX_RUNTIME = re.compile(r"\{(?:env:|posargs|tty:|envdir|envname|envtmpdir|\[)")
_TOX_REF = re.compile(r"\{\[([^\]]+)\]([^}]+)\}")
_SETUP_LISTS: tuple[tuple[str, Role], ...] = (
    ("install_requires", "runtime"),
    ("tests_require", "test"),
)


def setup_py_sources(kwargs: Mapping[str, object], project: str) -> Iterable[DependencySource]:
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


def setup_cfg_sources(
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


# -- tox ----------------------------------------------------------------------------------------


def tox_sources(
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
                add_file(found, DependencySource(kind=include_kind(include), path=rel, role="test"))
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
