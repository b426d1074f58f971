"""Options and output helpers shared by every command group (main, artifacts, register,
release), so `--format` means the same everywhere. Imports only click: cheap at start-up."""

from __future__ import annotations

import json
from typing import Any

import click

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def echo_json(data: Any) -> None:
    """JSON on stdout, through the same redaction as every message: a password in a
    configured URL must not leak through `--format json` where the text output masks it."""
    from pipelinekit.util.redact import redact

    click.echo(redact(json.dumps(data, indent=2, sort_keys=True)))
