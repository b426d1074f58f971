"""The release job's Sentry step: when `[tool.pipelinekit.sentry]` is configured, a published
release is announced to Sentry (pipelinekit.metrics.sentry_release), and
`pipelinekit release sentry [TAG]` repeats that step alone, safely, after a failure.

The token is checked before the release changes anything; Sentry failing after the push is
exit 3 naming the command that completes it, since the release itself stands.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelinekit.errors import ExternalError

if TYPE_CHECKING:
    from pipelinekit.metrics.settings import SentryConfig


def sentry_settings(project_dir: Path) -> SentryConfig | None:
    """The Sentry settings when Sentry is configured (pydantic is loaded only here: the
    release job pays for it, `release next` does not)."""
    from pipelinekit.config.models import load_config

    settings = load_config(project_dir).sentry
    return settings if settings.configured else None


def preflight(settings: SentryConfig | None, env: Mapping[str, str] | None = None) -> None:
    if settings is not None:
        from pipelinekit.metrics.sentry_release import require_token

        require_token(settings, os.environ if env is None else env)


def announce_release(
    project_dir: Path,
    tag_format: str,
    tag: str,
    settings: SentryConfig,
    *,
    released_now: bool,
    environment: str | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Announce `tag`; the JSON the release commands add under `sentry`."""
    from pipelinekit.metrics.sentry_release import announce_tag

    try:
        done = announce_tag(
            project_dir,
            tag_format,
            tag,
            settings,
            os.environ if env is None else env,
            environment=environment,
        )
    except ExternalError as exc:
        if not released_now:
            raise
        raise ExternalError(
            f"{tag} was released and pushed, but Sentry was not updated: {exc.message} Once "
            f"Sentry answers, run `pipelinekit release sentry {tag}` to complete it (safe to "
            "repeat)."
        ) from exc
    return {"release": done.release, "steps": list(done.steps)}
