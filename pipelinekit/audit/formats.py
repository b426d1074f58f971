"""Report formats by name (`--format`), and writing every report file the CI job keeps."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipelinekit.audit.model import AuditReport

FORMATS = ("text", "json", "sarif", "codequality", "html")
FILES = {
    "json": "audit.json",
    "sarif": "audit.sarif",
    "codequality": "audit-codequality.json",
    "html": "audit.html",
}
"""Format -> the report file the audit job writes into `.pipelinekit/reports/`."""


def render(report: AuditReport, fmt: str) -> str:
    """The report as text in `fmt`, redacted like every other output of pipelinekit."""
    from pipelinekit.audit.fmt_codequality import to_codequality
    from pipelinekit.audit.fmt_json import to_json
    from pipelinekit.audit.fmt_sarif import to_sarif
    from pipelinekit.util.redact import redact

    if fmt == "text":
        from pipelinekit.audit.fmt_text import to_text

        return redact(to_text(report))
    if fmt == "html":
        from pipelinekit.audit.fmt_html import to_html

        return redact(to_html(report))
    converters: dict[str, Callable[[AuditReport], Any]] = {
        "json": to_json,
        "sarif": to_sarif,
        "codequality": to_codequality,
    }
    return redact(json.dumps(converters[fmt](report), indent=2, ensure_ascii=False) + "\n")


def write_all(report: AuditReport, folder: Path) -> tuple[Path, ...]:
    """Every report file, each written atomically."""
    from pipelinekit.util.fs import atomic_write

    written = []
    for fmt, name in FILES.items():
        atomic_write(folder / name, render(report, fmt))
        written.append(folder / name)
    return tuple(written)
