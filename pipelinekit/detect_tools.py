"""The repository's own lint and format tools: which formatter it uses and the versions it pins.

A verdict must not change with a tool's release, and a repository that pins ruff 0.4 in its
pre-commit config or lock is judged by ruff 0.4. Pins are read, most trusted first, from
`.pre-commit-config.yaml` (hook `rev`), the locks (uv, Poetry, PDM, pylock), then exact
`==` pins in its requirement lines and files. The formatter is the one the repository
configures or runs as a hook; a repository with neither gets no format check.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml

from pipelinekit.env.reqfile import normalize, read_requirement_file
from pipelinekit.env.sources import Discovery, table

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


# -- the repository's own test command ----------------------------------------------------------

_SELECT_WITH_VALUE = frozenset({"-m", "-k", "--ignore", "--ignore-glob", "--deselect", "-p"})
"""pytest options that choose what runs (kept from the repository's own command)."""
_TAKES_VALUE = frozenset(
    {"-n", "--numprocesses", "--dist", "--cov", "--cov-report", "--cov-config", "--junitxml"}
    | {"--junit-xml", "-c", "--rootdir", "--maxfail", "--timeout", "-W", "-o", "--log-level"}
    | {"--durations", "--basetemp", "-r", "--tb", "--color", "--cov-fail-under", "--reruns"}
    | {"--confcutdir", "--import-mode", "--html"}
)
"""Other pytest options whose value is the next word (dropped with it)."""
_PYTEST = re.compile(r"(?:^|[\s;&|(])(?:python3?\s+-m\s+pytest|py\.test|pytest)(?=\s|$)")


def test_command(root: Path, files: frozenset[str]) -> tuple[str, list[str], list[str]] | None:
    """(where, pytest arguments) of the repository's own test run, most authoritative first:
    tox's `[testenv] commands`, a noxfile session, a Makefile `test` target, a GitHub
    workflow step: (where, selecting options, paths). Only what selects tests is kept
    (`-m "not slow"`, `-k`, `--ignore`, paths): reports, coverage and parallelism are the
    test stage's business."""
    candidates: list[tuple[str, str]] = []
    if "tox.ini" in files:
        candidates += [("tox.ini [testenv] commands", c) for c in _tox_commands(root / "tox.ini")]
    if "noxfile.py" in files:
        candidates += [("noxfile.py", c) for c in _nox_commands(root / "noxfile.py")]
    for name in ("Makefile", "makefile", "GNUmakefile"):
        if name in files:
            candidates += [(f"{name} test target", c) for c in _make_test(root / name)]
    # .github is a dot-folder, which detection's walk prunes: look for it directly.
    for path in sorted((root / ".github" / "workflows").glob("*.y*ml")):
        candidates += [(f".github/workflows/{path.name}", c) for c in _workflow_runs(path)]
    for where, command in candidates:
        args = _pytest_args(command, root)
        if args is not None:
            options: list[str] = []
            paths: list[str] = []
            pending = False
            for arg in args:
                if pending or arg.startswith("-"):
                    options.append(arg)
                    pending = arg in _SELECT_WITH_VALUE
                else:
                    paths.append(arg)
            return where, options, paths
    return None


def _pytest_args(command: str, root: Path) -> list[str] | None:
    match = _PYTEST.search(command)
    if match is None:
        return None
    rest = re.split(r"\s*(?:&&|\|\||;|\|)\s*", command[match.end() :])[0]
    try:
        tokens = shlex.split(rest)
    except ValueError:
        return None
    kept: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        name, eq, _ = token.partition("=")
        if name in _SELECT_WITH_VALUE:
            if eq:
                kept.append(token)
            elif index + 1 < len(tokens):
                kept += [token, tokens[index + 1]]
                index += 1
        elif name in _TAKES_VALUE and not eq:
            index += 1  # drop the option's value with it
        elif not token.startswith("-") and (root / token.split("::")[0]).exists():
            kept.append(token)  # a path or node id to run
        index += 1
    return kept


def _tox_commands(path: Path) -> list[str]:
    import configparser

    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return []
    value = parser.get("testenv", "commands", fallback="")
    return [line.strip() for line in value.splitlines() if line.strip()]


def _nox_commands(path: Path) -> list[str]:
    import ast

    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "run"
        ):
            words = [
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if len(words) == len(node.args) and words:
                found.append(shlex.join(words))
    return found


def _make_test(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    recipe: list[str] = []
    inside = False
    for line in lines:
        if re.match(r"^test\s*:", line):
            inside = True
        elif inside and line.startswith("\t"):
            recipe.append(line.strip().lstrip("@-"))
        elif inside and line.strip() and not line.startswith("\t"):
            break
    return recipe


def _workflow_runs(path: Path) -> list[str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, yaml.YAMLError):
        return []
    jobs = data.get("jobs") if isinstance(data, dict) else None
    runs = []
    for job in jobs.values() if isinstance(jobs, dict) else []:
        steps = job.get("steps") if isinstance(job, dict) else None
        for step in steps if isinstance(steps, list) else []:
            if isinstance(step, dict) and isinstance(step.get("run"), str):
                runs += step["run"].splitlines()
    return runs


# -- flake8, isort and black settings as ruff's -------------------------------------------------

_FLAKE8_DEFAULT = ("E", "F", "W", "C90")
"""flake8's own selection when its config names none."""


def ruff_translation(
    root: Path,
    files: frozenset[str],
    pyproject: Mapping[str, Any],
    setup_cfg: Any,
    tox_ini: Any,
) -> tuple[str, tuple[str, ...]]:
    """A repository without ruff settings judged by the ones it has: flake8's selection,
    ignores, line length, excludes, per-file ignores and complexity, isort's first-party
    packages, black's line length, as ruff command-line settings. ("", ()) when there is
    nothing to translate. Codes ruff does not know are dropped by the lint stage."""
    import configparser

    flake8: dict[str, str] = {}
    where = ""
    for name, parser in ((".flake8", None), ("setup.cfg", setup_cfg), ("tox.ini", tox_ini)):
        if name not in files:
            continue
        if parser is None:
            parser = configparser.RawConfigParser(strict=False)
            with contextlib.suppress(configparser.Error, UnicodeDecodeError, OSError):
                parser.read(root / name, encoding="utf-8")
        if parser.has_section("flake8"):
            flake8 = {k.replace("_", "-"): v for k, v in parser.items("flake8")}
            where = f"{name} [flake8]"
            break
    args: list[str] = []
    sources: list[str] = []
    if flake8:
        sources.append(where)
        select = _codes(flake8.get("select")) or list(_FLAKE8_DEFAULT)
        select += _codes(flake8.get("extend-select"))
        # pycodestyle's whitespace and blank-line checks (E1, E2, E3) are preview rules in
        # ruff, so without --preview a flake8 repository's E231 or E302 would pass unseen.
        args += ["--preview", "--select", ",".join(select)]
        ignore = _codes(flake8.get("ignore")) + _codes(flake8.get("extend-ignore"))
        if ignore:
            args += ["--ignore", ",".join(ignore)]
        if (flake8.get("max-line-length") or "").strip().isdigit():
            args += ["--line-length", flake8["max-line-length"].strip()]
        excluded = _codes(flake8.get("exclude")) + _codes(flake8.get("extend-exclude"))
        if excluded:
            args += ["--extend-exclude", ",".join(excluded)]
        per_file = _per_file_ignores(flake8.get("per-file-ignores", ""))
        if per_file:
            table_ = ", ".join(f"{pattern!r} = {codes!r}" for pattern, codes in per_file.items())
            args += ["--config", f"lint.per-file-ignores = {{{table_}}}"]
        complexity = (flake8.get("max-complexity") or "").strip()
        if complexity.isdigit():
            args += ["--config", f"lint.mccabe.max-complexity = {complexity}"]
    black_length = table(pyproject, "tool", "black").get("line-length")
    if "--line-length" not in args and isinstance(black_length, int):
        args += ["--line-length", str(black_length)]
        sources.append("[tool.black] line-length")
    isort = _isort_settings(root, files, pyproject, setup_cfg, tox_ini)
    if isort is not None:
        args += ["--extend-select", "I"]
        first_party = [p for p in re.split(r"[\s,]+", str(isort.get("known_first_party", ""))) if p]
        if isinstance(isort.get("known_first_party"), list):
            first_party = [str(p) for p in isort["known_first_party"]]
        if first_party:
            args += ["--config", f"lint.isort.known-first-party = {first_party!r}"]
        sources.append("isort settings")
    return "; ".join(sources), tuple(args)


def _codes(value: str | None) -> list[str]:
    return [c for c in re.split(r"[\s,]+", value or "") if c and not c.startswith("#")]


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
