"""The upload stage: publish dist/ (and the docker image report) as an immutable S3 release.

Everything lives in `pipelinekit.artifacts`; this module only maps its outcome to a
StageResult. A refused re-upload of a released version is a failed check (exit 1), the
same as drift: nothing external is broken and a blind retry would fail again.
"""

from __future__ import annotations

from pipelinekit.stages.base import StageContext, StageResult

NAME = "upload"


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.config.s3
    if not cfg.enabled:
        return StageResult(
            NAME, "skipped", "upload: skipped (disabled: [tool.pipelinekit.s3] enabled = false)"
        )
    from pipelinekit.artifacts.api import push_project
    from pipelinekit.errors import CheckFailed

    try:
        result = push_project(ctx.project_dir, ctx.facts.name, cfg, env=ctx.env)
    except CheckFailed as exc:
        return StageResult(NAME, "failed", "upload: refused", details=exc.message)
    m = result.manifest
    what = {
        "uploaded": "uploaded",
        "completed": "completed an interrupted upload of",
        "unchanged": "already released with identical files:",
    }[result.status]
    return StageResult(
        NAME,
        "passed",
        f"upload: {what} {m.project} {m.version} ({len(m.files)} file(s)) at {result.location}",
        details="\n".join(f"{f.name}  {f.size} bytes  sha256:{f.sha256}" for f in m.files),
    )
