"""The one client pipelinekit uses to talk to GitLab's v4 API (python-gitlab underneath).

It goes through python-gitlab's raw `http_*` calls rather than its object managers so every
request is explicit (tests assert them one by one) and every failure passes one place that turns
it into a single line naming the server, the object and the fix. python-gitlab's own retries
are switched off (429 included); its session is pipelinekit.util.http's, whose adapter retries
idempotent calls (GET, PUT, DELETE) with backoff and never a POST, which may have been applied.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from pipelinekit.errors import UsageError
from pipelinekit.util.http import Server, http_error, make_session
from pipelinekit.util.redact import register_secret

T = TypeVar("T")

NO_RETRIES: dict[str, Any] = {"retry_transient_errors": False, "obey_rate_limit": False}
"""python-gitlab's own retries (which would repeat a POST after a 429 or a 5xx) stay off."""

_HINTS = {
    "401": "{where} refused the token (HTTP 401) when trying to {verb} {what}. Set GITLAB_TOKEN "
    "to a personal, group or project access token with the `api` scope.",
    "403": "{where} denied the token permission to {verb} {what} (HTTP 403). The token's user "
    "needs the Maintainer role on the project.",
    "404": "{where} has no {what} (HTTP 404) when trying to {verb} it. Check GITLAB_URL and "
    "register.gitlab.project, and that the token can see the project.",
    "4xx": "{where} rejected the request to {verb} {what} (HTTP {status}: {detail}). Run "
    "`pipelinekit register gitlab --dry-run` to see the live state.",
    "status": "{where} failed with HTTP {status} when trying to {verb} {what}; run again once "
    "the server is healthy.",
    "timeout": "{where} did not answer within {timeout:g} s when trying to {verb} {what}. Check "
    "the server, or raise register.gitlab.timeout.",
    "unreachable": "Cannot reach {where} to {verb} {what}: {reason}. Check GITLAB_URL.",
}
_HINTS["3xx"] = _HINTS["4xx"]


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
            self.url,
            private_token=token,
            timeout=timeout,
            retry_transient_errors=False,
            session=make_session(timeout=timeout),
        )
        self._where = Server("GitLab", self.url, timeout, _HINTS)

    def get(
        self, path: str, what: str, query: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """GET one object; None when it does not exist (404)."""

        def call() -> dict[str, Any] | None:
            try:
                result = self._gl.http_get(path, query_data=query or {}, **NO_RETRIES)
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
            result = self._gl.http_list(path, query_data=query or {}, get_all=True, **NO_RETRIES)
            return [r for r in result if isinstance(r, dict)]

        return self._read(what, call)

    def post(self, path: str, what: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._write(
            "create", what, lambda: self._gl.http_post(path, post_data=data, **NO_RETRIES)
        )

    def put(
        self, path: str, what: str, data: dict[str, Any], query: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return self._write(
            "update",
            what,
            lambda: self._gl.http_put(path, query_data=query or {}, post_data=data, **NO_RETRIES),
        )

    def delete(self, path: str, what: str) -> None:
        self._write("delete", what, lambda: self._gl.http_delete(path, **NO_RETRIES))

    def _write(self, verb: str, what: str, call: Callable[[], Any]) -> dict[str, Any]:
        result = self._call(verb, what, call)
        return result if isinstance(result, dict) else {}

    def _read(self, what: str, call: Callable[[], T]) -> T:
        return self._call("read", what, call)

    def _call(self, verb: str, what: str, call: Callable[[], T]) -> T:
        """One request (the session's adapter already retried it if it was idempotent)."""
        try:
            return call()
        except Exception as exc:
            detail = str(getattr(exc, "error_message", "") or "")[:200]
            raise http_error(exc, self._where, verb, what, detail=detail) from None


def gitlab_client_from(url: str | None, timeout: float) -> GitLabClient:
    """A client from settings plus environment; the token only ever comes from GITLAB_TOKEN."""
    url = os.environ.get("GITLAB_URL") or url
    if not url:
        raise UsageError(
            "No GitLab URL: set GITLAB_URL or register.gitlab.url in [tool.pipelinekit]."
        )
    return GitLabClient(url, os.environ.get("GITLAB_TOKEN") or None, timeout)
