"""The terminal report: one table per section (its score, then each check's status and its
findings with file and line), then the overall score and how long the audit took."""

from __future__ import annotations

import io

from pipelinekit.audit.model import AuditReport

STATUS = {"pass": "pass", "fail": "FAIL", "skip": "skip"}
SHOWN_PER_CHECK = 20
"""Findings a check lists in the terminal: 15,000 rows are read by nobody (and took rich 24 s);
the other formats list every one."""


def to_text(report: AuditReport, width: int = 110) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    out = io.StringIO()
    console = Console(file=out, width=width, highlight=False, color_system=None, soft_wrap=False)
    for section in report.sections:
        score = "n/a (every check skipped)" if section.score is None else f"{section.score}/100"
        table = Table(title=f"{section.title}: {score}", title_justify="left", expand=True)
        table.add_column("check", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("where", overflow="fold")
        table.add_column("what to do", ratio=1, overflow="fold")
        for result in report.results:
            if result.check.section != section.id:
                continue
            table.add_row(result.check.id, STATUS[result.status], "", escape(result.message))
            # New findings first: they are what the ratchet gates on.
            ordered = sorted(result.findings, key=lambda f: f.baseline != "new")
            for f in ordered[:SHOWN_PER_CHECK]:
                new = " (new)" if f.baseline == "new" else ""
                table.add_row("", f"{f.severity}{new}", escape(f.where), escape(f.message))
            if len(ordered) > SHOWN_PER_CHECK:
                more = len(ordered) - SHOWN_PER_CHECK
                table.add_row("", "", "", f"... and {more} more (--format html or json lists all)")
        console.print(table)
    counts = {s: sum(r.status == s for r in report.results) for s in STATUS}
    console.print(
        f"Score {report.score}/100 for {escape(report.root)}: {len(report.results)} checks "
        f"({counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped), "
        f"{len(report.findings)} findings, in {report.seconds:.1f} s"
    )
    return out.getvalue()
