"""The lint stage's findings and their reports: ruff's diagnostics as Problems, then GitLab
Code Quality and SARIF 2.1.0 from one list of them.

Both reports carry every finding, recorded debt included: Code Quality says which ones the
baseline holds in the description, SARIF in `baselineState` (warnings-ng and GitHub read it),
so the CI view shows the new ones apart from the old.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipelinekit.plan import reports
from pipelinekit.util.fs import atomic_write

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

Severity = Literal["info", "minor", "major", "critical", "blocker"]
"""GitLab Code Quality severities, lowest to highest."""

SYNTAX_ERROR = "invalid-syntax"
FORMAT_CODE = "unformatted"

_SEVERITY_BY_PREFIX: tuple[tuple[str, Severity], ...] = (
    ("E9", "blocker"),  # E902: the file could not be read at all
    ("PLE", "major"),  # pylint errors: code that fails at run time
    ("F", "major"),  # pyflakes: undefined names, unused imports, likely bugs
    ("B", "major"),  # bugbear: likely bugs
    ("S", "major"),  # bandit: security
)


@dataclass(frozen=True)
class Problem:
    """One ruff diagnostic, normalised; `path` is relative to the repository (CI) root."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    message: str
    rule_name: str = ""
    url: str = ""
    cell: int | None = None
    """Notebook cell number; then `line` counts within that cell, as ruff reports it."""
    debt: bool = False
    """The committed baseline holds it: reported, not failing."""
    new: bool = False
    """Not in the baseline (only set when there is one)."""

    @property
    def severity(self) -> Severity:
        if self.code == SYNTAX_ERROR:
            return "blocker"
        if self.code == FORMAT_CODE:
            return "minor"
        for prefix, severity in _SEVERITY_BY_PREFIX:
            if self.code.startswith(prefix):
                return severity
        return "minor"

    @property
    def where(self) -> str:
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.column}"

    @property
    def text(self) -> str:
        """The message as shown in reports; notebooks name the cell the line refers to."""
        cell = f"cell {self.cell}: " if self.cell is not None else ""
        return f"{cell}{self.message}"


def parse_ruff_json(
    data: Sequence[dict[str, Any]], project_dir: Path, prefix: str = "."
) -> list[Problem]:
    """Ruff's JSON diagnostics -> sorted Problems with repository-relative paths.

    Handles ruff's older spellings of syntax errors (code E999 or null, message
    "SyntaxError: ...") and its newer one (code "invalid-syntax") alike.
    """
    problems = [problem_from(item, project_dir, prefix) for item in data]
    return sorted(problems, key=lambda p: (p.path, p.cell or 0, p.line, p.column, p.code))


def problem_from(item: dict[str, Any], project_dir: Path, prefix: str) -> Problem:
    start = item.get("location") or {}
    end = item.get("end_location") or start
    message = str(item.get("message") or "")
    code = item.get("code")
    if not code or code == "E999":  # ruff before 0.5 spells a syntax error E999
        code = SYNTAX_ERROR
        message = message.removeprefix("SyntaxError: ")
    cell = item.get("cell")
    return Problem(
        path=repo_path(str(item.get("filename", "")), project_dir, prefix),
        line=int(start.get("row") or 1),
        column=int(start.get("column") or 1),
        end_line=int(end.get("row") or start.get("row") or 1),
        end_column=int(end.get("column") or start.get("column") or 1),
        code=str(code),
        message=message,
        rule_name=str(item.get("name") or ""),
        url=str(item.get("url") or ""),
        cell=int(cell) if cell is not None else None,
    )


def repo_path(filename: str, project_dir: Path, prefix: str = ".") -> str:
    """`filename` (absolute, as ruff prints it) relative to the repository root.

    `prefix` is the project's folder inside the repository (`ProjectFacts.root`): GitLab
    and Jenkins resolve report paths against the checkout root, not the project folder.
    """
    path = Path(filename)
    if path.is_absolute():
        try:
            rel = path.resolve().relative_to(project_dir.resolve()).as_posix()
        except ValueError:
            rel = Path(os.path.relpath(path.resolve(), project_dir.resolve())).as_posix()
    else:
        rel = path.as_posix()
    return posixpath.normpath(posixpath.join(prefix, rel)) if prefix not in ("", ".") else rel


def format_problem(
    filename: str, project_dir: Path, prefix: str, formatter: str = "ruff format"
) -> Problem:
    """A file the formatter would change (`filename` absolute or project-relative)."""
    full = Path(filename) if Path(filename).is_absolute() else project_dir / filename
    return Problem(
        path=repo_path(str(full), project_dir, prefix),
        line=1,
        column=1,
        end_line=1,
        end_column=1,
        code=FORMAT_CODE,
        message=f"File would be reformatted by {formatter}",
    )


_SARIF_LEVEL: dict[Severity, str] = {
    "blocker": "error",
    "critical": "error",
    "major": "warning",
    "minor": "note",
    "info": "note",
}
"""warnings-ng maps SARIF error/warning/note to HIGH/NORMAL/LOW."""


def to_codequality(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    """GitLab Code Quality (Code Climate subset): one issue per problem."""
    seen: Counter[tuple[str, ...]] = Counter()
    return [
        codequality_issue(
            check_name=p.code,
            description=f"{p.code}: {p.text}" + (" (baseline debt)" if p.debt else ""),
            fingerprint=stable_fingerprint(seen, p.path, p.code, p.text),
            severity=p.severity,
            category="Style" if p.severity == "minor" else "Bug Risk",
            path=p.path,
            begin=p.line,
            end=p.end_line,
        )
        for p in problems
    ]


def stable_fingerprint(seen: Counter[tuple[str, ...]], *key: str) -> str:
    """A Code Quality fingerprint that stays the same while unrelated lines move, or GitLab
    reports every problem below an edit as new: it hashes the key (path, rule, message) and
    the occurrence number of that key in the file (`seen` counts them), but not the line."""
    occurrence = seen[key]
    seen[key] += 1
    return hashlib.sha256("\0".join([*key, str(occurrence)]).encode()).hexdigest()[:32]


def codequality_issue(
    *,
    check_name: str,
    description: str,
    fingerprint: str,
    severity: str,
    category: str,
    path: str,
    begin: int,
    end: int,
) -> dict[str, Any]:
    """One Code Quality issue, as GitLab's widget reads it."""
    return {
        "type": "issue",
        "description": description,
        "check_name": check_name,
        "fingerprint": fingerprint,
        "severity": severity,
        "categories": [category],
        "location": {"path": path, "lines": {"begin": begin, "end": end}},
    }


def to_sarif(problems: Sequence[Problem]) -> dict[str, Any]:
    """SARIF 2.1.0 with one run whose driver is ruff, as warnings-ng' SARIF parser reads."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for p in problems:
        if p.code not in rules:
            rule: dict[str, Any] = {
                "id": p.code,
                "shortDescription": {"text": p.rule_name or p.code},
            }
            if p.rule_name:
                rule["name"] = p.rule_name
            if p.url:
                rule["helpUri"] = p.url
            rules[p.code] = rule
        state = "unchanged" if p.debt else "new" if p.new else None
        region = {
            "startLine": p.line,
            "startColumn": p.column,
            "endLine": p.end_line,
            "endColumn": p.end_column,
        }
        results.append(
            sarif_result(
                rule_id=p.code,
                rule_index=list(rules).index(p.code),
                severity=p.severity,
                text=p.text,
                path=p.path,
                region=region,
                baseline_state=state,
            )
        )
    driver = {"name": "ruff", "informationUri": "https://docs.astral.sh/ruff/"}
    return sarif_log({**driver, "rules": list(rules.values())}, results)


def sarif_result(
    *,
    rule_id: str,
    rule_index: int,
    severity: Severity,
    text: str,
    path: str,
    region: dict[str, int] | None,
    baseline_state: str | None = None,
) -> dict[str, Any]:
    """One SARIF result; `baseline_state` (new, unchanged) is what warnings-ng and GitHub
    read to show new findings apart from recorded debt."""
    # A URI reference (SARIF 2.1.0 3.4.3): `my dir/é.py` is `my%20dir/%C3%A9.py`, or GitHub
    # code scanning and SonarQube's import reject the location.
    uri = urllib.parse.quote(path, safe="/")
    location: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}
    if region:
        location["region"] = region
    state = {"baselineState": baseline_state} if baseline_state else {}
    return {
        **state,
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL[severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": location}],
    }


def sarif_log(
    driver: dict[str, Any], results: list[dict[str, Any]], properties: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run of `driver` (name, informationUri, rules)."""
    run: dict[str, Any] = {"tool": {"driver": driver}, "results": results}
    if properties:
        run["properties"] = properties
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def write_reports(reports_dir: Path, problems: Sequence[Problem]) -> tuple[Path, ...]:
    """Write both reports, each atomically, so CI never uploads a half-written file."""
    codequality = reports_dir / reports.CODEQUALITY
    sarif = reports_dir / reports.SARIF
    write_json_atomic(codequality, to_codequality(problems))
    write_json_atomic(sarif, to_sarif(problems))
    return (codequality, sarif)


def write_json_atomic(path: Path, data: Any) -> None:
    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
