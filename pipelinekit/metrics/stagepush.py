"""Every `pipelinekit stage` run reports its duration and result to the Pushgateway, when one
is configured (PIPELINEKIT_PUSHGATEWAY, else `[tool.pipelinekit.metrics] pushgateway`).

Monitoring must never break the pipeline it watches: a gateway that is down, slow or refusing
is one warning line on stderr, and the stage's own exit code stands.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pipelinekit.errors import PipelinekitError
from pipelinekit.metrics.settings import PUSHGATEWAY_ENV, MetricsConfig
from pipelinekit.release.cienv import BRANCH_ENV

if TYPE_CHECKING:
    from pipelinekit.stages.base import StageContext

REF_ENV = ("CI_COMMIT_REF_NAME", *BRANCH_ENV, "CI_COMMIT_TAG", "TAG_NAME")
"""Where GitLab, Jenkins and GitHub name the branch (or tag) a job builds."""


def gateway_url(config: MetricsConfig, env: Mapping[str, str]) -> str | None:
    """The Pushgateway to report to: the environment wins over the config; None: none."""
    return env.get(PUSHGATEWAY_ENV, "").strip() or config.pushgateway


def branch_name(env: Mapping[str, str], where: Path) -> str:
    """The branch (or tag) being built: the CI's variable, else git's current branch."""
    named = next((env[name] for name in REF_ENV if env.get(name)), None)
    if named:
        return named
    from pipelinekit.util.git import Git

    try:
        current = Git(where).run("rev-parse", "--abbrev-ref", "HEAD", check=False).strip()
    except PipelinekitError:
        current = ""
    return current if current and current != "HEAD" else "unknown"


def push_stage_run(
    config: MetricsConfig,
    *,
    project: str,
    stage: str,
    status: str,
    seconds: float,
    env: Mapping[str, str],
    where: Path,
    warn: Callable[[str], None],
) -> bool:
    """Push one stage run; True when it was pushed, False when no gateway is configured or
    it could not be reached (then `warn` says so)."""
    url = gateway_url(config, env)
    if not url:
        return False
    from pipelinekit.metrics.prometheus import push, stage_registry

    key = {"project": project, "stage": stage, "branch": branch_name(env, where)}
    try:
        push(
            url,
            stage_registry(status, seconds, time.time()),
            key,
            timeout=config.push_timeout_seconds,
        )
    except PipelinekitError as exc:
        warn(f"pipelinekit: warning: stage metrics not pushed: {exc.message}")
        return False
    return True


@contextmanager
def stage_metrics(
    ctx: StageContext, stage: str, *, warn: Callable[[str], None]
) -> Iterator[Callable[[str], None]]:
    """Time the block and push its outcome: the status it records (`passed`, `failed`,
    `skipped`), or `error` when it raised (an interrupt pushes nothing)."""
    started = time.monotonic()
    outcome: list[str] = []

    def done(status: str) -> None:
        push_stage_run(
            ctx.config.metrics,
            project=ctx.facts.name,
            stage=stage,
            status=status,
            seconds=time.monotonic() - started,
            env=ctx.env,
            where=ctx.project_dir,
            warn=warn,
        )

    try:
        yield outcome.append
    except Exception:
        done("error")
        raise
    done(outcome[-1] if outcome else "error")
