"""Secret redaction used by every error path and log line.

Two mechanisms: values of environment variables whose names look secret are replaced wherever
they occur, and credentials embedded in URLs (`https://user:token@host`) are masked.
"""

from __future__ import annotations

import os
import re
from typing import Any, TextIO

MASK = "****"
_SECRET_NAME = re.compile(
    r"(TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)"
)
_URL_USERINFO = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/@:\s]*):(?P<pw>[^/@\s]+)@"
)
_URL_TOKEN = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<token>[^/@:\s]{12,})@")
"""`https://TOKEN@host`: a lone userinfo as long as a token is one (`git@`, `ci@` are names)."""
_TOKEN_SHAPES = re.compile(
    r"\b(?:glpat-[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"
    r"|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|sq[pua]_[0-9a-f]{30,})\b"
)
"""Tokens by their published shapes (GitLab, GitHub, Slack, AWS key ids, SonarQube), masked
wherever they appear, whichever variable (or file) they came from."""
_MIN_SECRET_LEN = 4
_extra_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Remember a secret that did not come from a secret-named environment variable."""
    if len(value) >= _MIN_SECRET_LEN:
        _extra_secrets.add(value)


def secret_values(environ: dict[str, str] | None = None) -> list[str]:
    """Secret values currently known, longest first so overlapping secrets mask fully."""
    env = os.environ if environ is None else environ
    values = {
        v for k, v in env.items() if _SECRET_NAME.search(k.upper()) and len(v) >= _MIN_SECRET_LEN
    }
    values |= _extra_secrets
    return sorted(values, key=len, reverse=True)


def redact(text: str, environ: dict[str, str] | None = None) -> str:
    """Return `text` with every known secret and every URL password replaced by a mask."""
    for value in secret_values(environ):
        text = text.replace(value, MASK)
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _URL_TOKEN.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    return _TOKEN_SHAPES.sub(MASK, text)


def without_credentials(url: str) -> str:
    """`url` with any userinfo removed, for files that are committed (sonar.host.url): a
    generated file never carries a credential, masked or not."""
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@", r"\1", url.strip())


class RedactingStream:
    """stdout or stderr with every write redacted: one guarantee for every output path (text,
    JSON, progress lines, tracebacks of --debug), whichever code printed it."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)  # encoding, flush, isatty, fileno, buffer ...
