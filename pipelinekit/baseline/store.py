"""The baseline file: `pipelinekit-baseline.json` beside the project's metadata, committed.

One finding per line (fingerprint, rule, path), sorted, no line numbers and no dates, so a
merge request shows exactly which debt a change removed or, with a recorded reason, accepted.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelinekit import __version__
from pipelinekit.errors import ConfigError
from pipelinekit.util.fs import atomic_write

FILE = "pipelinekit-baseline.json"
VERSION = 1


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule: str
    path: str
    reason: str | None = None
    """Why a finding was accepted as debt after the baseline was made (`--accept-new`)."""


@dataclass
class Baseline:
    lint: dict[str, Entry] = field(default_factory=dict)
    """fingerprint -> entry."""
    coverage: float | None = None
    """The coverage floor, percent of lines and branches."""
    audit: dict[str, Entry] = field(default_factory=dict)
    """fingerprint -> entry: the production-readiness audit's findings (`pipelinekit audit`)."""

    def holds(self, fingerprint: str) -> bool:
        return fingerprint in self.lint


def floor2(percent: float) -> float:
    """A coverage figure as recorded: rounded down to 0.01 points, so the file never claims
    more than was measured (66.666 is 66.66, not 66.67 that the same run would then miss)."""
    return math.floor(percent * 100) / 100


def path_for(project_dir: Path) -> Path:
    return project_dir / FILE


def load(project_dir: Path) -> Baseline | None:
    """The committed baseline, None when the project has none."""
    path = path_for(project_dir)
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")  # an editor's BOM is no reason to fail
        if "<<<<<<<" in text:
            raise ValueError("it holds merge-conflict markers; resolve the conflict")
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ValueError(f"not a version {VERSION} baseline")
        lint = data["lint"]["findings"]
        if not isinstance(lint, list):
            raise ValueError(f"not a version {VERSION} baseline")
        entries = _entries(lint)
        audit = _entries(data.get("audit", {}).get("findings", []))
        coverage = _percent(data.get("coverage"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"{path} cannot be read as a pipelinekit baseline ({exc}). Restore it from git, or "
            "delete it and run `pipelinekit baseline update` to measure the project again."
        ) from exc
    return Baseline(
        lint={e.fingerprint: e for e in entries},
        coverage=coverage,
        audit={e.fingerprint: e for e in audit},
    )


def _entries(items: object) -> list[Entry]:
    if not isinstance(items, list):
        raise ValueError(f"not a version {VERSION} baseline")
    return [
        Entry(str(e["fingerprint"]), str(e["rule"]), str(e["path"]), e.get("reason")) for e in items
    ]


def _percent(section: object) -> float | None:
    """The recorded coverage figure: absent (null) is none; anything but 0-100 is an error."""
    if section is None:
        return None
    value = section.get("percent") if isinstance(section, dict) else section
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ValueError(f"coverage.percent must be a number from 0 to 100, not {value!r}")
    return float(value)


def render(baseline: Baseline) -> str:
    """The file's text: stable order, one finding per line (the audit's section only when it
    holds findings, so a baseline without them reads as before)."""
    coverage = (
        f'  "coverage": {{"percent": {baseline.coverage:.2f}}},\n'
        if baseline.coverage is not None
        else ""
    )
    audit = _section("audit", baseline.audit) + ",\n" if baseline.audit else ""
    return (
        "{\n"
        f'  "version": {VERSION},\n'
        f'  "generated_by": "pipelinekit {__version__}",\n'
        f"{coverage}{audit}"
        f"{_section('lint', baseline.lint)}\n}}\n"
    )


def _section(name: str, found: dict[str, Entry]) -> str:
    entries = sorted(found.values(), key=lambda e: (e.path, e.rule, e.fingerprint))
    lines = []
    for entry in entries:
        item: dict[str, Any] = {"fingerprint": entry.fingerprint, "rule": entry.rule}
        item["path"] = entry.path
        if entry.reason:
            item["reason"] = entry.reason
        lines.append("      " + json.dumps(item, ensure_ascii=False))
    findings = ",\n".join(lines)
    return (
        f'  "{name}": {{\n    "count": {len(entries)},\n    "findings": [\n'
        f"{findings}{chr(10) if findings else ''}"
        "    ]\n  }"
    )


def save(project_dir: Path, baseline: Baseline) -> Path:
    path = path_for(project_dir)
    atomic_write(path, render(baseline))
    return path
