"""Fixtures: git isolated from the user's config, and a CLI runner that maps errors like main()."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipelinekit.errors import PipelinekitError
from pipelinekit.release import cienv
from pipelinekit.release.cli import release

from .gitfactory import GIT_ENV


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    for name in cienv.ALL_ENV:  # the tests' own CI must not make them a CI pipeline
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    yield


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: str) -> Result:
    """Run `pipelinekit release ARGS` the way the main CLI does: errors → message + exit code."""
    result = CliRunner().invoke(release, list(args), standalone_mode=False)
    exc = result.exception
    if exc is None:
        return Result(0, result.stdout, result.stderr)
    if isinstance(exc, PipelinekitError):
        return Result(exc.exit_code, result.stdout, result.stderr + exc.message + "\n")
    if isinstance(exc, click.ClickException):
        return Result(exc.exit_code, result.stdout, result.stderr + exc.format_message() + "\n")
    raise exc
