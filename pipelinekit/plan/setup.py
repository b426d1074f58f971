"""What every job runs before its step: pipelinekit's own tool environment, made by uv from
the image's python3, with the extras the job's stages need. Shared by the planner (the common
setup) and the job builders (a job that installs its own tools, such as the audit)."""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from pipelinekit import __version__
from pipelinekit.config.models import Config
from pipelinekit.plan.model import BOOTSTRAP, TOOL_PYTHON, VENV_BIN, Job

EXTRAS_BY_STAGE = {
    "lint": "lint",
    "package": "package",
    "upload": "s3",
    "docker": "docker",
}
"""The pipelinekit extra each stage's tools come from, so CI installs only what it runs (the
test stages' pytest and coverage go into the project's environment instead)."""


def setup_lines(config: Config, jobs: Iterable[Job]) -> tuple[str, ...]:
    stage_names = {job.command[1] for job in jobs if job.command[:1] == ("stage",)}
    wanted = {EXTRAS_BY_STAGE[name] for name in stage_names if name in EXTRAS_BY_STAGE}
    if config.sentry.configured:
        wanted.add("sentry")  # the release job (and the docker job) talk to Sentry
    extras = sorted(wanted)
    index = f" --index-url {shlex.quote(config.ci.index_url)}" if config.ci.index_url else ""
    return (
        # The image's python3 may be the project's 3.8 (or have no venv module): it only
        # fetches uv, which finds or downloads a 3.11+ for pipelinekit.
        f"python3 -m pip install --quiet --upgrade{index} --target {BOOTSTRAP} "
        f"{shlex.quote('uv==' + config.ci.uv_version)}",
        f"{BOOTSTRAP}/bin/uv venv --quiet --allow-existing --seed --python "
        f'{shlex.quote(TOOL_PYTHON)} "$PIPELINEKIT_VENV"',
        install_line(config, extras),
    )


def install_line(config: Config, extras: Iterable[str]) -> str:
    """The shell line that installs pipelinekit with `extras` into its CI environment (every
    job's setup; a job whose tools only it needs adds its own, such as the audit's)."""
    chosen = sorted(extras)
    suffix = f"[{','.join(chosen)}]" if chosen else ""
    source = (config.ci.pipelinekit_source or f"=={__version__}").strip()
    if source.startswith("."):  # a source folder in the repository: pip's `path[extras]`
        spec = f"{source.rstrip('/')}{suffix}"
    elif source.startswith("@"):
        spec = f"pipelinekit{suffix} {source}"
    else:
        spec = f"pipelinekit{suffix}{source}"
    index = f" --index-url {shlex.quote(config.ci.index_url)}" if config.ci.index_url else ""
    return (
        f'{BOOTSTRAP}/bin/uv pip install --quiet --python "{VENV_BIN}/python"{index} '
        f"{shlex.quote(spec)}"
    )
