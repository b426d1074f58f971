"""The HTML report: one self-contained page (inline CSS and SVG, no script, no web font, no
CDN) that opens offline from a CI artifact. A bar chart of the section scores, the checks per
section, and the findings grouped by file, worst first."""

from __future__ import annotations

from html import escape

from pipelinekit.audit.model import SEVERITIES, AuditReport, Finding

BAR_W, GAP, CHART_H, LABEL_H = 56, 18, 160, 54
COLOURS = {"good": "#2e7d32", "fair": "#f9a825", "poor": "#c62828", "none": "#9e9e9e"}
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#222}
h1{margin-bottom:.2rem} .meta{color:#555;margin-top:0}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.pass{color:#2e7d32}.fail{color:#c62828;font-weight:600}.skip{color:#777}
.critical{color:#fff;background:#b71c1c;padding:0 .3rem}.major{color:#c62828}
.minor{color:#8d6e00}.info{color:#555} details{margin:.3rem 0} summary{cursor:pointer}
svg text{font-size:12px;font-family:inherit}
"""


def grade(score: int | None) -> str:
    if score is None:
        return "none"
    return "good" if score >= 80 else "fair" if score >= 50 else "poor"


def chart(report: AuditReport) -> str:
    """An inline SVG bar per section (height = score, a 2-pixel stub at 0; a grey stub when
    not scored)."""
    width = len(report.sections) * (BAR_W + GAP) + GAP
    parts = [
        f'<svg id="scores" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{CHART_H + LABEL_H}" role="img" aria-label="Section scores">'
    ]
    for i, s in enumerate(report.sections):
        x = GAP + i * (BAR_W + GAP)
        height = max(2, round(CHART_H * (s.score if s.score is not None else 4) / 100))
        y = CHART_H - height
        value = "n/a" if s.score is None else str(s.score)
        parts.append(
            f'<rect class="bar" data-section="{escape(s.id)}" data-score="{value}" x="{x}" '
            f'y="{y}" width="{BAR_W}" height="{height}" fill="{COLOURS[grade(s.score)]}">'
            f"<title>{escape(s.title)}: {value}</title></rect>"
            f'<text x="{x + BAR_W / 2}" y="{max(y - 4, 12)}" text-anchor="middle">{value}</text>'
            f'<text x="{x + BAR_W / 2}" y="{CHART_H + 16}" text-anchor="middle">'
            f"{escape(_short(s.title))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _short(title: str) -> str:
    return {"CI/CD and versioning": "CI/CD", "Cloud portability": "Cloud"}.get(title, title)


def to_html(report: AuditReport) -> str:
    body = [
        f"<h1>Production-readiness audit: {escape(report.root)}</h1>",
        f'<p class="meta">Score <strong id="score">{report.score}</strong>/100 · '
        f"{len(report.results)} checks · {len(report.findings)} findings · "
        f"{report.seconds:.1f} s</p>",
        chart(report),
        "<h2>Checks</h2>",
    ]
    for section in report.sections:
        score = "n/a" if section.score is None else f"{section.score}/100"
        body.append(f"<h3>{escape(section.title)}: {score}</h3><table>")
        body.append("<tr><th>check</th><th>status</th><th>result</th></tr>")
        for r in report.results:
            if r.check.section == section.id:
                body.append(
                    f'<tr><td title="{escape(r.check.rationale)}">{escape(r.check.id)}</td>'
                    f'<td class="{r.status}">{r.status}</td><td>{escape(r.message)}</td></tr>'
                )
        body.append("</table>")
    body.append(f'<h2>Findings by file</h2><div id="files">{by_file(report)}</div>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Audit: {escape(report.root)}</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def by_file(report: AuditReport) -> str:
    groups: dict[str, list[Finding]] = {}
    for f in report.findings:
        groups.setdefault(f.path or "(repository)", []).append(f)

    def worst(items: list[Finding]) -> int:
        return min(SEVERITIES.index(f.severity) for f in items)

    if not groups:
        return "<p>No findings.</p>"
    out = []
    for path, items in sorted(groups.items(), key=lambda kv: (worst(kv[1]), kv[0])):
        rows = "".join(
            f'<tr><td class="{f.severity}">{f.severity}</td><td>{f.line or ""}</td>'
            f"<td>{escape(f.check)}</td><td>{escape(f.message)}</td></tr>"
            for f in sorted(items, key=lambda f: (SEVERITIES.index(f.severity), f.line or 0))
        )
        out.append(
            f'<details class="file" open><summary><code>{escape(path)}</code> '
            f"({len(items)})</summary><table><tr><th>severity</th><th>line</th><th>check</th>"
            f"<th>what to do</th></tr>{rows}</table></details>"
        )
    return "".join(out)
