"""The one client pipelinekit uses to talk to GitLab's v4 API (python-gitlab underneath).

It goes through python-gitlab's raw `http_*` calls rather than its object managers so every
request is explicit (tests assert them one by one) and every failure passes one place that turns
it into a single line naming the server, the object and the fix. Reads are retried with backoff;
writes never are (python-gitlab's own retries are switched off for them, 429 included), because
a POST that timed out may still have been applied.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from pipelinekit.errors import ExternalError, UsageError
from pipelinekit.retry import retry_read
from pipelinekit.util.redact import redact, register_secret

T = TypeVar("T")

READ_ATTEMPTS = 3
BACKOFF_SECONDS = 0.25


def enc(value: str | int) -> str:
    """A path segment as GitLab wants it: `group/name` -> `group%2Fname`."""
    return quote(str(value), safe="")


class GitLabClient:
    def __init__(self, url: str, token: str | None, timeout: float) -> None:
        import gitlab

        if token:
            register_secret(token)
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._gl = gitlab.Gitlab(
            self.url, private_token=token, timeout=timeout, retry_transient_errors=False
        )

    def get(
        self, path: str, what: str, query: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """GET one object; None when it does not exist (404)."""

        def call() -> dict[str, Any] | None:
            try:
                result = self._gl.http_get(
                    path,
                    query_data=query or {},
                    retry_transient_errors=False,
                    obey_rate_limit=False,
                )
            except Exception as exc:
                if getattr(exc, "response_code", None) == 404:
                    return None
                raise
            return result if isinstance(result, dict) else {}

        return self._read(what, call)

    def list(
        self, path: str, what: str, query: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """GET every page of a list."""

        def call() -> list[dict[str, Any]]:
            result = self._gl.http_list(
                path,
                query_data=query or {},
                get_all=True,
                retry_transient_errors=False,
                obey_rate_limit=False,
            )
            return [r for r in result if isinstance(r, dict)]

        return self._read(what, call)

    def post(self, path: str, what: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._write(
            "create",
            what,
            lambda: self._gl.http_post(
                path, post_data=data, retry_transient_errors=False, obey_rate_limit=False
            ),
        )

    def put(
        self, path: str, what: str, data: dict[str, Any], query: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return self._write(
            "update",
            what,
            lambda: self._gl.http_put(
                path,
                query_data=query or {},
                post_data=data,
                retry_transient_errors=False,
                obey_rate_limit=False,
            ),
        )

    def delete(self, path: str, what: str) -> None:
        self._write(
            "delete",
            what,
            lambda: self._gl.http_delete(path, retry_transient_errors=False, obey_rate_limit=False),
        )

    def _write(self, verb: str, what: str, call: Callable[[], Any]) -> dict[str, Any]:
        try:
            result = call()
        except Exception as exc:
            raise self._error(exc, verb, what) from None
        return result if isinstance(result, dict) else {}

    def _read(self, what: str, call: Callable[[], T]) -> T:
        try:
            return retry_read(
                call, transient=_transient, attempts=READ_ATTEMPTS, backoff=BACKOFF_SECONDS
            )
        except Exception as exc:
            raise self._error(exc, "read", what) from None

    def _error(self, exc: BaseException, verb: str, what: str) -> ExternalError:
        code = getattr(exc, "response_code", None)
        detail = str(getattr(exc, "error_message", "") or "")[:200]
        where = f"GitLab at {self.url}"
        if code == 401:
            text = (
                f"{where} refused the token (HTTP 401) when trying to {verb} {what}. Set "
                "GITLAB_TOKEN to a personal, group or project access token with the `api` scope."
            )
        elif code == 403:
            text = (
                f"{where} denied the token permission to {verb} {what} (HTTP 403). The token's "
                "user needs the Maintainer role on the project."
            )
        elif code == 404:
            text = (
                f"{where} has no {what} (HTTP 404) when trying to {verb} it. Check GITLAB_URL and "
                "register.gitlab.project, and that the token can see the project."
            )
        elif code is not None and code < 500:
            text = (
                f"{where} rejected the request to {verb} {what} (HTTP {code}: {detail}). Run "
                "`pipelinekit register gitlab --dry-run` to see the live state."
            )
        elif code is not None:
            text = (
                f"{where} failed with HTTP {code} when trying to {verb} {what}; run again once "
                "the server is healthy."
            )
        elif _is_timeout(exc):
            text = (
                f"{where} did not answer within {self.timeout:g} s when trying to {verb} {what}. "
                "Check the server, or raise register.gitlab.timeout."
            )
        else:
            text = f"Cannot reach {where} to {verb} {what}: {_reason(exc)}. Check GITLAB_URL."
        return ExternalError(redact(text))


def gitlab_client_from(url: str | None, timeout: float) -> GitLabClient:
    """A client from settings plus environment; the token only ever comes from GITLAB_TOKEN."""
    url = os.environ.get("GITLAB_URL") or url
    if not url:
        raise UsageError(
            "No GitLab URL: set GITLAB_URL or register.gitlab.url in [tool.pipelinekit]."
        )
    return GitLabClient(url, os.environ.get("GITLAB_TOKEN") or None, timeout)


def _is_timeout(exc: BaseException) -> bool:
    import requests

    return isinstance(exc, requests.Timeout)


def _transient(exc: BaseException) -> bool:
    """Worth another read: the connection failed or timed out, or the server erred (5xx)."""
    status = getattr(exc, "response_code", None)
    return (status is None and _is_transport(exc)) or (status or 0) >= 500


def _is_transport(exc: BaseException) -> bool:
    import requests

    return isinstance(exc, requests.ConnectionError | requests.Timeout)


def _reason(exc: BaseException) -> str:
    if "Connection refused" in str(exc):
        return "connection refused"
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]
