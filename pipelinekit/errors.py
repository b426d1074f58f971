"""The error tree. Every error the user can meet carries its message and its exit code.

Exit codes (the CLI contract): 0 ok, 1 a check failed, 2 bad usage/config/input (nothing was
changed), 3 an external system is unreachable or refused.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 3


class PipelinekitError(Exception):
    """Base class: `message` is one user-facing paragraph; `exit_code` follows the contract."""

    exit_code: int = EXIT_BAD_INPUT

    def __init__(self, message: str) -> None:
        from pipelinekit.util.redact import redact

        super().__init__(redact(message))

    @property
    def message(self) -> str:
        return str(self.args[0])


class UsageError(PipelinekitError):
    """A wrong argument or an unusable input; nothing was changed."""


class ConfigError(PipelinekitError):
    """`[tool.pipelinekit]` (or pipelinekit.toml) is invalid: bad TOML, unknown key, wrong type."""


class DetectError(PipelinekitError):
    """The repository cannot be understood (no Python package, not a git repo where needed)."""


class WriteError(PipelinekitError):
    """A file could not be written (read-only folder, refusal to overwrite a foreign file)."""


class CheckFailed(PipelinekitError):
    """A check ran and failed: drift, failing stage, red quality gate, failed verify."""

    exit_code = EXIT_CHECK_FAILED


class ExternalError(PipelinekitError):
    """An external system (server, remote, registry, daemon, tool) is unreachable or refused."""

    exit_code = EXIT_UNREACHABLE
