"""The one way this package runs git: argument lists, no shell, redacted and classified errors.

Plain `git` subprocesses rather than gitpython: each query is one process with a
machine-readable format, which is what keeps `release next` fast on a 10k-commit history.
Output is read as bytes and decoded without newline translation, so a CRLF file read from a
blob is the file byte for byte.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipelinekit.errors import DetectError, ExternalError, PipelinekitError, UsageError
from pipelinekit.util.redact import redact

NETWORK_TIMEOUT = 300.0
"""Seconds a fetch/push/ls-remote may take before it counts as an unreachable remote."""
LOCAL_TIMEOUT = 120.0
"""Seconds a local command may take (a hung filesystem or lock must not hang a CI job)."""
_INHERITED = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR")
"""Set by a git hook or an outer git command: they would point our git at another repository."""
_RACE = ("cannot lock ref", "stale info", "fetch first", "non-fast-forward", "already exists")
"""What a remote says when another push moved the branch or created the tag meanwhile."""


class GitError(PipelinekitError):
    """A local git command failed unexpectedly (exit 2: nothing was changed)."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr
        """git's whole stderr (the message keeps only its end), for callers that classify."""


class Git:
    """git in one working tree; `env` extends the process environment (identity, index file)."""

    def __init__(self, path: Path, env: Mapping[str, str] | None = None) -> None:
        self.path = path
        inherited = {k: v for k, v in os.environ.items() if k not in _INHERITED}
        self._env = {**inherited, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}

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
        return _text(self.raw(*args, stdin=stdin, env=env, network=network, check=check))

    def raw(
        self,
        *args: str,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
        network: bool = False,
        check: bool = True,
    ) -> bytes:
        """`run`, returning stdout as git wrote it (for blobs that must be decoded strictly)."""
        proc = self._spawn(args, stdin, env, network)
        if check and proc.returncode != 0:
            raise self._error(args, _text(proc.stderr), network)
        return proc.stdout

    def query(self, *args: str) -> str | None:
        """stdout of a local query whose answer is optional (image labels, file lists): None
        when git is missing, fails, times out or the folder is not a repository."""
        try:
            proc = self._spawn(args, None, None, False)
        except PipelinekitError:
            return None
        return _text(proc.stdout) if proc.returncode == 0 else None

    def ok(self, *args: str) -> bool:
        """True when `git args` exits 0 (for yes/no questions like `cat-file -e`)."""
        return self._spawn(args, None, None, False).returncode == 0

    def _spawn(
        self,
        args: Sequence[str],
        stdin: str | None,
        env: Mapping[str, str] | None,
        network: bool,
    ) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                ["git", "-C", str(self.path), *args],
                input=None if stdin is None else stdin.encode("utf-8", "surrogateescape"),
                capture_output=True,
                env={**self._env, **(env or {})},
                timeout=NETWORK_TIMEOUT if network else LOCAL_TIMEOUT,
                check=False,
            )
        except FileNotFoundError as exc:
            raise UsageError(
                "git is not installed or not on PATH; install git (e.g. `apt-get install git`) "
                "and run the command again."
            ) from exc
        except subprocess.TimeoutExpired as exc:
            command = redact("git " + " ".join(args))
            if not network:
                raise GitError(
                    f"`{command}` in {self.path} did not finish within {LOCAL_TIMEOUT:.0f} s; "
                    "check for a stale .git/index.lock or a hung filesystem, then run again."
                ) from exc
            raise ExternalError(
                f"`{command}` in {self.path} did not finish within "
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
        if network and args[:1] == ("push",) and any(r in stderr for r in _RACE):
            return ExternalError(
                f"`{command}` was rejected because the remote moved meanwhile (another push "
                f"updated the branch or created the tag first): {redact(detail)} Fetch "
                "(`git pull --ff-only`; in CI: run the pipeline of the newest commit) and run "
                "the command again."
            )
        if network:
            return ExternalError(
                f"`{command}` failed in {self.path}: {redact(detail)} Check the remote URL, "
                "network access and push rights, then run the command again."
            )
        return GitError(f"`{command}` failed in {self.path}: {redact(detail)}", stderr)


def _text(data: bytes) -> str:
    """git's bytes as text: UTF-8, undecodable bytes kept (surrogateescape), newlines as is."""
    return data.decode("utf-8", "surrogateescape")
