"""The one way this package runs git: argument lists, no shell, redacted and classified errors.

Plain `git` subprocesses rather than gitpython: each query is one process with a
machine-readable format, which is what keeps `release next` fast on a 10k-commit history.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipelinekit.errors import DetectError, ExternalError, PipelinekitError, UsageError
from pipelinekit.redact import redact

NETWORK_TIMEOUT = 300.0
"""Seconds a fetch/push/ls-remote may take before it counts as an unreachable remote."""


class GitError(PipelinekitError):
    """A local git command failed unexpectedly (exit 2: nothing was changed)."""


class Git:
    """git in one working tree; `env` extends the process environment (identity, index file)."""

    def __init__(self, path: Path, env: Mapping[str, str] | None = None) -> None:
        self.path = path
        self._env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}

    def run(
        self,
        *args: str,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
        network: bool = False,
        check: bool = True,
    ) -> str:
        """Run `git args` and return stdout; a failure raises an error naming the command.

        `network` marks fetch/push/ls-remote: their failures mean an unreachable or refusing
        remote (exit 3), while a local failure is exit 2.
        """
        proc = self._spawn(args, stdin, env, network)
        if check and proc.returncode != 0:
            raise self._error(args, proc.stderr, network)
        return proc.stdout

    def ok(self, *args: str) -> bool:
        """True when `git args` exits 0 (for yes/no questions like `cat-file -e`)."""
        return self._spawn(args, None, None, False).returncode == 0

    def _spawn(
        self,
        args: Sequence[str],
        stdin: str | None,
        env: Mapping[str, str] | None,
        network: bool,
    ) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                ["git", "-C", str(self.path), *args],
                input=stdin,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="surrogateescape",
                env={**self._env, **(env or {})},
                timeout=NETWORK_TIMEOUT if network else None,
                check=False,
            )
        except FileNotFoundError as exc:
            raise UsageError(
                "git is not installed or not on PATH; install git (e.g. `apt-get install git`) "
                "and run the command again."
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise ExternalError(
                f"`git {' '.join(args)}` in {self.path} did not finish within "
                f"{NETWORK_TIMEOUT:.0f} s; check that the remote is reachable."
            ) from exc

    def _error(self, args: Sequence[str], stderr: str, network: bool) -> PipelinekitError:
        detail = " ".join(line.strip() for line in stderr.strip().splitlines()[-4:])
        command = redact("git " + " ".join(args))
        if "not a git repository" in stderr:
            return DetectError(
                f"{self.path} is not inside a git repository; releases are computed from git "
                "history. Run the command in a clone of the project."
            )
        if network:
            return ExternalError(
                f"`{command}` failed in {self.path}: {redact(detail)} Check the remote URL, "
                "network access and push rights, then run the command again."
            )
        return GitError(f"`{command}` failed in {self.path}: {redact(detail)}")
