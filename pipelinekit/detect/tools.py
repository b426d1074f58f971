"""The repository's own lint and format tools: which formatter it uses and the versions it pins.

A verdict must not change with a tool's release, and a repository that pins ruff 0.4 in its
pre-commit config or lock is judged by ruff 0.4. Pins are read, most trusted first, from
`.pre-commit-config.yaml` (hook `rev`), the locks (uv, Poetry, PDM, pylock), then exact
`==` pins in its requirement lines and files. The formatter is the one the repository
configures or runs as a hook; a repository with neither gets no format check. A repository
without ruff settings is judged by its flake8, isort and black ones, translated.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml

from pipelinekit.env.reqfile import normalize, read_requirement_file
from pipelinekit.env.source_model import Discovery, table

Formatter = Literal["ruff", "black"]
TOOLS = ("ruff", "black", "pylint")
PRE_COMMIT = ".pre-commit-config.yaml"
_HOOKS = {
    "ruff": "ruff",
    "ruff-check": "ruff",
    "ruff-format": "ruff",
    "black": "black",
    "black-jupyter": "black",
    "pylint": "pylint",
}
_EXACT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*===?\s*([0-9][^\s;,#]*)")


def _pre_commit(root: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load((root / PRE_COMMIT).read_text(encoding="utf-8", errors="replace"))
    except (OSError, yaml.YAMLError):
        return []
    repos = data.get("repos") if isinstance(data, dict) else None
    return [r for r in repos if isinstance(r, dict)] if isinstance(repos, list) else []


def _hook_ids(repo: Mapping[str, Any]) -> list[str]:
    hooks = repo.get("hooks")
    if not isinstance(hooks, list):
        return []
    return [str(h.get("id")) for h in hooks if isinstance(h, dict)]


def tool_pins(root: Path, files: frozenset[str], found: Discovery) -> dict[str, str]:
    """Tool -> the exact version the repository pins (ruff, black), first source winning."""
    pins: dict[str, str] = {}
    for repo in _pre_commit(root) if PRE_COMMIT in files else []:
        rev = str(repo.get("rev") or "").removeprefix("v")
        for hook in _hook_ids(repo):
            tool = _HOOKS.get(hook)
            if tool and re.fullmatch(r"\d+(\.\d+)+\S*", rev):
                pins.setdefault(tool, rev)
    for lock in found.locks:
        for name, version in _locked(root / lock.path, lock.kind):
            if name in TOOLS:
                pins.setdefault(name, version)
    for name, version in _requirement_pins(root, found):
        pins.setdefault(name, version)
    return dict(sorted(pins.items()))


def _locked(path: Path, kind: str) -> Iterable[tuple[str, str]]:
    if kind not in ("uv", "poetry", "pdm", "pylock"):
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    items = data.get("packages" if kind == "pylock" else "package")
    return [
        (normalize(item["name"]), str(item["version"]))
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("name"), str) and "version" in item
    ]


def _requirement_pins(root: Path, found: Discovery) -> Iterable[tuple[str, str]]:
    for source in found.sources:
        lines: list[str] = list(source.requirements)
        if source.kind == "requirements":
            parsed = read_requirement_file(root / source.path, root)
            lines += [line for line, _ in parsed.requirements]
        for line in lines:
            match = _EXACT.match(line)
            if match and normalize(match[1]) in TOOLS:
                yield normalize(match[1]), match[2]


def lints_notebooks(root: Path, files: frozenset[str], pyproject: Mapping[str, Any]) -> bool:
    """The repository lints its notebooks itself: its ruff config includes `*.ipynb`, or a
    pre-commit hook runs on them (nbQA, a ruff hook with `types_or: [jupyter]`)."""
    ruff: object = table(pyproject, "tool", "ruff")
    for name in ("ruff.toml", ".ruff.toml"):
        if name in files:
            with contextlib.suppress(OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                ruff = tomllib.loads((root / name).read_text(encoding="utf-8"))
    if isinstance(ruff, dict) and any(
        "ipynb" in str(ruff.get(key, "")) for key in ("include", "extend-include")
    ):
        return True
    for repo in _pre_commit(root) if PRE_COMMIT in files else []:
        hooks = repo.get("hooks")
        for hook in hooks if isinstance(hooks, list) else []:
            if not isinstance(hook, dict):
                continue
            hook_id = str(hook.get("id", ""))
            if hook_id.startswith("nbqa") or (
                hook_id.startswith("ruff") and "jupyter" in str(hook.get("types_or", ""))
            ):
                return True
    return "nbqa" in table(pyproject, "tool")


def formatter(root: Path, files: frozenset[str], pyproject: Mapping[str, Any]) -> Formatter | None:
    """The formatter the repository uses: configured (`[tool.ruff.format]`, a ruff.toml
    `[format]`, `[tool.black]`) or run as a pre-commit hook; None when it uses none."""
    hooks = {h for repo in _pre_commit(root) if PRE_COMMIT in files for h in _hook_ids(repo)}
    if "ruff-format" in hooks or "format" in table(pyproject, "tool", "ruff"):
        return "ruff"  # an empty [tool.ruff.format] says "we format with ruff" too
    for name in ("ruff.toml", ".ruff.toml"):
        if name in files:
            try:
                if "format" in tomllib.loads((root / name).read_text(encoding="utf-8")):
                    return "ruff"
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                pass
    if hooks & {"black", "black-jupyter"} or "black" in table(pyproject, "tool"):
        return "black"
    return None


# -- flake8, isort and black settings as ruff's -------------------------------------------------

_FLAKE8_DEFAULT = ("E", "F", "W", "C90")
"""flake8's own selection when its config names none."""
_FLAKE8_IGNORED = ("E121", "E123", "E126", "E226", "E24", "E704")
"""flake8's default `ignore` (its W503 and W504 are not ruff codes): in force unless the
config sets `ignore` itself (`extend-ignore` adds to it)."""
_FLAKE8_LINE_LENGTH = "79"
_ISORT_PROFILES_LIKE_RUFF = ("", "black", "hug")
"""isort profiles whose wrapping ruff's isort rules reproduce; others (google, django, ...)
sort or wrap differently, so import order is then not judged rather than judged wrongly."""
_ISORT_FLAGS = {
    "force_single_line": "force-single-line",
    "force_sort_within_sections": "force-sort-within-sections",
    "combine_as_imports": "combine-as-imports",
    "order_by_type": "order-by-type",
    "case_sensitive": "case-sensitive",
}
"""isort boolean settings ruff's isort has under another name."""


def flake8_section(
    root: Path, files: frozenset[str], setup_cfg: Any, tox_ini: Any
) -> tuple[str, dict[str, str]]:
    """(where, settings) of the repository's flake8 configuration, first file flake8 reads
    winning; ("", {}) without one. Inline `# comments` are cut (flake8 does not read them)."""
    import configparser

    for name, parser in ((".flake8", None), ("setup.cfg", setup_cfg), ("tox.ini", tox_ini)):
        if name not in files:
            continue
        if parser is None:
            parser = configparser.RawConfigParser(strict=False)
            with contextlib.suppress(configparser.Error, UnicodeDecodeError, OSError):
                parser.read(root / name, encoding="utf-8")
        if parser.has_section("flake8"):
            settings = {
                key.replace("_", "-"): "\n".join(
                    line.split("#", 1)[0] for line in value.splitlines()
                ).strip()
                for key, value in parser.items("flake8")
            }
            return f"{name} [flake8]", settings
    return "", {}


def lint_scope(
    root: Path,
    files: frozenset[str],
    pyproject: Mapping[str, Any],
    setup_cfg: Any,
    tox_ini: Any,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(excluded patterns, extra builtins) of the repository's ruff configuration, else its
    flake8 one: what even the critical pass, which ignores the repository's rule settings,
    must keep (a vendored folder is not its code; `_` installed by gettext is defined)."""
    ruff: Mapping[str, Any] = table(pyproject, "tool", "ruff")
    for name in ("ruff.toml", ".ruff.toml"):
        if name in files:
            with contextlib.suppress(OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                ruff = tomllib.loads((root / name).read_text(encoding="utf-8"))
    if ruff:
        lint = ruff.get("lint")
        lint = lint if isinstance(lint, dict) else {}
        excluded = [*_strings(ruff.get("exclude")), *_strings(ruff.get("extend-exclude"))]
        builtins = [*_strings(ruff.get("builtins")), *_strings(lint.get("builtins"))]
        return tuple(excluded), tuple(builtins)
    _, flake8 = flake8_section(root, files, setup_cfg, tox_ini)
    excluded = _words(flake8.get("exclude")) + _words(flake8.get("extend-exclude"))
    return tuple(excluded), tuple(_words(flake8.get("builtins")))


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def ruff_translation(
    root: Path,
    files: frozenset[str],
    pyproject: Mapping[str, Any],
    setup_cfg: Any,
    tox_ini: Any,
) -> tuple[str, tuple[str, ...]]:
    """A repository without ruff settings judged by the ones it has: flake8's selection,
    ignores (its defaults included), line length, excludes, builtins, per-file ignores and
    complexity, isort's first-party packages and flags, black's line length, as ruff
    command-line settings. ("", ()) when there is nothing to translate. Codes ruff does not
    know are dropped by the lint stage."""
    where, flake8 = flake8_section(root, files, setup_cfg, tox_ini)
    args: list[str] = []
    sources: list[str] = []
    if flake8:
        sources.append(where)
        select = _codes(flake8.get("select")) or list(_FLAKE8_DEFAULT)
        select += _codes(flake8.get("extend-select"))
        # pycodestyle's whitespace and blank-line checks (E1, E2, E3) are preview rules in
        # ruff, so without --preview a flake8 repository's E231 or E302 would pass unseen.
        args += ["--preview", "--select", ",".join(select)]
        ignore = _codes(flake8["ignore"]) if "ignore" in flake8 else list(_FLAKE8_IGNORED)
        ignore += _codes(flake8.get("extend-ignore"))
        if ignore:
            args += ["--ignore", ",".join(ignore)]
        length = flake8.get("max-line-length") or ""
        args += ["--line-length", length if length.isdigit() else _FLAKE8_LINE_LENGTH]
        excluded = _words(flake8.get("exclude")) + _words(flake8.get("extend-exclude"))
        if excluded:
            args += ["--extend-exclude", ",".join(excluded)]
        builtins = _words(flake8.get("builtins"))
        if builtins:
            args += ["--config", f"builtins = {builtins!r}"]
        per_file = _per_file_ignores(flake8.get("per-file-ignores", ""))
        if per_file:
            table_ = ", ".join(f"{pattern!r} = {codes!r}" for pattern, codes in per_file.items())
            args += ["--config", f"lint.per-file-ignores = {{{table_}}}"]
        complexity = flake8.get("max-complexity") or ""
        if complexity.isdigit():
            args += ["--config", f"lint.mccabe.max-complexity = {complexity}"]
    black_length = table(pyproject, "tool", "black").get("line-length")
    if "--line-length" not in args and isinstance(black_length, int):
        args += ["--line-length", str(black_length)]
        sources.append("[tool.black] line-length")
    isort = _isort_settings(root, files, pyproject, setup_cfg, tox_ini)
    if isort is not None:
        profile = str(isort.get("profile", "")).strip().strip("\"'")
        if profile in _ISORT_PROFILES_LIKE_RUFF:
            args += ["--extend-select", "I", *_isort_args(isort)]
            sources.append("isort settings")
        else:
            sources.append(f"isort profile {profile} not translated: import order not judged")
    return "; ".join(sources), tuple(args)


def _isort_args(isort: Mapping[str, Any]) -> list[str]:
    args: list[str] = []
    for key, option in (
        ("known_first_party", "known-first-party"),
        ("known_third_party", "known-third-party"),
    ):
        value = isort.get(key)
        names = [str(p) for p in value] if isinstance(value, list) else _words(str(value or ""))
        if names:
            args += ["--config", f"lint.isort.{option} = {names!r}"]
    for key, option in _ISORT_FLAGS.items():
        value = str(isort.get(key, "")).strip().lower()
        if value in ("true", "false"):
            args += ["--config", f"lint.isort.{option} = {value}"]
    after = str(isort.get("lines_after_imports", "")).strip()
    if after.lstrip("-").isdigit():
        args += ["--config", f"lint.isort.lines-after-imports = {after}"]
    return args


def _codes(value: str | None) -> list[str]:
    return [c for c in re.split(r"[\s,]+", value or "") if re.fullmatch(r"[A-Z]+[0-9]*", c)]


def _words(value: str | None) -> list[str]:
    return [w for w in re.split(r"[\s,]+", value or "") if w]


def _per_file_ignores(value: str) -> dict[str, list[str]]:
    """flake8's `pattern:CODES` entries (one per line, or comma-separated on one line)."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for token in re.split(r"[\s,]+", value.strip()):
        if ":" in token:
            current, _, code = token.partition(":")
            found.setdefault(current, [])
            token = code
        if current is not None and re.fullmatch(r"[A-Z]+[0-9]*", token):
            found[current].append(token)
    return {pattern: codes for pattern, codes in found.items() if codes}


def _isort_settings(
    root: Path, files: frozenset[str], pyproject: Mapping[str, Any], setup_cfg: Any, tox_ini: Any
) -> dict[str, Any] | None:
    if "isort" in table(pyproject, "tool"):
        return dict(table(pyproject, "tool", "isort"))
    for parser, section in ((setup_cfg, "isort"), (setup_cfg, "tool:isort"), (tox_ini, "isort")):
        if parser is not None and parser.has_section(section):
            return dict(parser.items(section))
    if ".isort.cfg" in files:
        import configparser

        parser = configparser.RawConfigParser(strict=False)
        with contextlib.suppress(configparser.Error, UnicodeDecodeError, OSError):
            parser.read(root / ".isort.cfg", encoding="utf-8")
        if parser.has_section("settings"):
            return dict(parser.items("settings"))
        return {}
    return None
