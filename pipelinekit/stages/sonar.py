"""The sonar stage: refresh sonar-project.properties, run the scanner, wait for the quality gate.

A scanner exits 0 as soon as the analysis report is uploaded; the gate is computed later by
the server's Compute Engine. So the stage reads the task id from report-task.txt, polls
`/api/ce/task` until the task is done, then asks `/api/qualitygates/project_status` for that
analysis: a red gate fails the job (exit 1) with the failing conditions as a table.

SONAR_TOKEN reaches the scanner through its environment (sonar-scanner and pysonar both read
it), never a `-D` argument that `ps` would show, and it is registered for redaction before
anything can print it. The host goes on the command line as `-Dsonar.host.url` so the server
polled is the one the scanner uploaded to.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from pipelinekit.errors import ConfigError, ExternalError
from pipelinekit.plan import reports
from pipelinekit.sonar.client import Condition, QualityGate, SonarClient
from pipelinekit.sonar.properties import (
    REPORT_TASK,
    ReportTask,
    ci_parameters,
    find_report_task,
    read_report_task,
    refresh_properties,
)
from pipelinekit.stages.base import StageContext, StageResult, ToolRun, run_tool
from pipelinekit.util.fs import atomic_write
from pipelinekit.util.redact import redact, register_secret

NAME = "sonar"
GATE_REPORT = reports.SONAR_GATE
"""Gate status and conditions, under the reports folder, for CI artifacts and the runner."""

_COMPARATORS = {"LT": "<", "GT": ">", "EQ": "=", "NE": "!="}
_INSTALL_HINT = {
    "sonar-scanner": "install SonarScanner CLI (or run the job in the "
    'sonarsource/sonar-scanner-cli image), or set scanner = "pysonar" and `pip install pysonar`',
    "pysonar": "`pip install pysonar` in the job's environment",
}


def run(ctx: StageContext) -> StageResult:
    return analyse(ctx)


def analyse(ctx: StageContext, client: SonarClient | None = None) -> StageResult:
    """The stage, with the Web API client injectable (tests use fake clocks and stubs)."""
    cfg = ctx.config.sonar
    if not cfg.enabled:
        return StageResult(NAME, "skipped", "sonar: skipped (disabled: [tool.pipelinekit.sonar])")
    host = (cfg.host_url or ctx.env.get("SONAR_HOST_URL") or "").strip().rstrip("/")
    if not host:
        raise ConfigError(
            "No SonarQube server configured: set host_url in [tool.pipelinekit.sonar] or the "
            "SONAR_HOST_URL environment variable (a CI variable) and run the stage again."
        )
    token = ctx.env.get("SONAR_TOKEN", "")
    if not token.strip():
        raise ConfigError(
            "SONAR_TOKEN is not set. Create an analysis token in SonarQube and provide it as a "
            f"masked CI variable (GitLab) or the secret-text credential {cfg.credentials_id!r} "
            "bound to SONAR_TOKEN (Jenkins); never put it in a file."
        )
    register_secret(token)

    notes = [_write_properties(ctx)]
    scan = _scan(ctx, host, token)
    task = read_report_task(find_report_task(ctx.project_dir, scan.stdout + scan.stderr))
    client = client or SonarClient(host, token)
    ce = client.wait_for_task(task.ce_task_id, float(cfg.qualitygate_timeout))
    if ce.status != "SUCCESS" or not ce.analysis_id:
        raise ExternalError(
            f"SonarQube could not process the analysis (task {ce.id}: {ce.status}"
            f"{': ' + ce.error_message if ce.error_message else ''}). See the task under "
            "Project Settings > Background Tasks on the server; no quality gate was computed."
        )
    gate = client.quality_gate(ce.analysis_id)
    report = _write_gate_report(ctx, task, ce.analysis_id, gate)
    return _result(task, gate, notes, report)


def _write_properties(ctx: StageContext) -> str:
    from pipelinekit.plan.planner import plan
    from pipelinekit.sonar.render import render_sonar_properties

    spec = plan(ctx.facts, ctx.config).sonar
    # Same `source` as outputs.render_all, so the file is byte-identical to `render`'s.
    prefix = "" if ctx.facts.root == "." else ctx.facts.root.rstrip("/") + "/"
    source = f"{prefix}{ctx.facts.config_file or 'pyproject.toml'}"
    return refresh_properties(ctx.project_dir, render_sonar_properties(spec, source=source))


def scanner_argv(ctx: StageContext, host: str) -> list[str]:
    cfg = ctx.config.sonar
    base = list(cfg.scanner_args) if cfg.scanner_args else [cfg.scanner]
    params = ci_parameters(ctx.env, ctx.config.ci.default_branch) if cfg.branch_analysis else []
    return [*base, f"-Dsonar.host.url={host}", *params]


def _scan(ctx: StageContext, host: str, token: str) -> ToolRun:
    cfg = ctx.config.sonar
    argv = scanner_argv(ctx, host)
    # A report-task.txt left by an earlier run would make us wait for the wrong analysis.
    (ctx.project_dir / REPORT_TASK).unlink(missing_ok=True)
    env = {**ctx.env, "SONAR_TOKEN": token, "SONAR_HOST_URL": host}
    try:
        result = run_tool(
            argv,
            dataclasses.replace(ctx, env=env),
            timeout=cfg.scanner_timeout_minutes * 60.0,
        )
    except ExternalError as exc:
        if not isinstance(exc.__cause__, FileNotFoundError):
            raise
        hint = _INSTALL_HINT.get(argv[0], "check scanner_args in [tool.pipelinekit.sonar]")
        raise ExternalError(f"The scanner {argv[0]!r} is not on PATH: {hint}.") from exc
    if result.returncode != 0:
        output = redact(result.stdout + result.stderr)
        auth = any(s in output for s in ("Not authorized", "401", "403", "Unauthorized"))
        lines = [line for line in output.strip().splitlines() if line.strip()][-12:]
        raise ExternalError(
            f"The scanner `{argv[0]}` failed (exit {result.returncode})"
            f"{': check SONAR_TOKEN' if auth else ''}. Its last lines: "
            + " | ".join(line.strip() for line in lines)
        )
    return result


def _write_gate_report(
    ctx: StageContext, task: ReportTask, analysis_id: str, gate: QualityGate
) -> Path:
    path = ctx.reports_dir / GATE_REPORT
    data = {
        "status": gate.status,
        "ceTaskId": task.ce_task_id,
        "analysisId": analysis_id,
        "dashboardUrl": task.dashboard_url,
        "conditions": [dataclasses.asdict(c) for c in gate.conditions],
    }
    atomic_write(path, redact(json.dumps(data, indent=2)) + "\n")
    return path


def _result(task: ReportTask, gate: QualityGate, notes: list[str], report: Path) -> StageResult:
    where = f" ({task.dashboard_url})" if task.dashboard_url else ""
    if gate.status == "ERROR":
        failing = gate.failing
        details = [conditions_table(failing), *notes]
        return StageResult(
            NAME,
            "failed",
            redact(f"quality gate failed: {len(failing)} condition(s) not met{where}"),
            reports=(report,),
            details=redact("\n".join(details)),
        )
    if gate.status == "NONE":
        notes.append("No quality gate applies to this project on the server.")
    elif gate.status == "WARN":
        notes.append("Warning conditions:\n" + conditions_table(gate.failing))
    return StageResult(
        NAME,
        "passed",
        redact(f"quality gate {gate.status}{where}"),
        reports=(report,),
        details=redact("\n".join(notes)),
    )


def conditions_table(conditions: tuple[Condition, ...]) -> str:
    """Aligned columns: metric, comparator, threshold, actual."""
    rows = [("metric", "comparator", "threshold", "actual")]
    rows += [
        (c.metric, _COMPARATORS.get(c.comparator, c.comparator), c.threshold, c.actual)
        for c in conditions
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    )
