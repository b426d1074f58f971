"""Sentry's releases API: one client per Sentry server (sentry.io or self-hosted).

Endpoints (Sentry's documented Web API, `/api/0/organizations/{org}/releases/...`): retrieve,
create and update a release (commits and `dateReleased`, which finalizes it), list and create
its deploys. The session of pipelinekit.util.http repeats only idempotent calls (GET, PUT) after
a connection failure, a 429 or a 5xx; a POST that timed out may have happened, so it is never
repeated, and the caller re-reads state before writing instead. The token travels only in the
Authorization header and is registered for redaction.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pipelinekit.errors import ExternalError
from pipelinekit.util.http import Server, http_error, make_session
from pipelinekit.util.redact import redact, register_secret

if TYPE_CHECKING:
    import requests

_DOWN = (
    "{where} did not answer {verb} {what}: {reason}. Check `[tool.pipelinekit.sentry] url` and "
    "that Sentry is reachable from here; re-running is safe (nothing is created twice)."
)
_TOKEN = (
    "Sentry refused {verb} {what} (HTTP {status}): check SENTRY_AUTH_TOKEN; it needs the "
    "`project:releases` scope (an internal integration or an organization token) in "
    "organization {org!r}."
)
_HINTS = {
    "401": _TOKEN,
    "403": _TOKEN,
    "status": "Sentry rejected {verb} {what} (HTTP {status}){detail}. Check the organization "
    "and project slugs in `[tool.pipelinekit.sentry]`.",
    "timeout": _DOWN,
    "unreachable": _DOWN,
}


class SentryClient:
    """Releases of one Sentry organization, authenticated with an auth token."""

    def __init__(
        self,
        base_url: str,
        org: str,
        token: str,
        *,
        timeout: float = 15.0,
        session: requests.Session | None = None,
    ) -> None:
        register_secret(token)
        self.base_url = base_url.rstrip("/")
        self.org = org
        self.timeout = timeout
        self.session = session if session is not None else make_session(timeout=timeout)
        self._server = Server("Sentry", self.base_url, timeout, _HINTS)
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def _url(self, version: str | None = None, *rest: str) -> str:
        path = f"/api/0/organizations/{urllib.parse.quote(self.org, safe='')}/releases/"
        if version is not None:
            path += urllib.parse.quote(version, safe="") + "/"
        return self.base_url + path + "".join(f"{part}/" for part in rest)

    def _call(self, method: str, url: str, body: Mapping[str, Any] | None = None) -> Any:
        """The decoded JSON answer (None for a 404); every failure is an ExternalError."""
        import requests

        try:
            response = self.session.request(
                method, url, json=body, headers=self._headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise http_error(exc, self._server, method, self._path(url), org=self.org) from None
        if response.status_code == 404 and method == "GET":
            return None
        if response.status_code >= 400:
            detail = _detail(response)
            path = self._path(url)
            raise http_error(response, self._server, method, path, org=self.org, detail=detail)
        try:
            return response.json() if response.content else {}
        except ValueError as exc:
            raise ExternalError(
                f"Sentry at {redact(self.base_url)} answered {self._path(url)} with something "
                "that is not JSON; is `[tool.pipelinekit.sentry] url` Sentry's address?"
            ) from exc

    def _path(self, url: str) -> str:
        return url.removeprefix(self.base_url)

    def release(self, version: str) -> dict[str, Any] | None:
        """The release, or None when Sentry has none of that name."""
        found = self._call("GET", self._url(version))
        return found if isinstance(found, dict) else None

    def create_release(self, version: str, project: str, ref: str) -> dict[str, Any]:
        body = {"version": version, "projects": [project], "ref": ref}
        return dict(self._call("POST", self._url(), body))

    def set_commits(self, version: str, commits: list[dict[str, str]]) -> None:
        """Associate commits (PUT replaces them: safe to repeat)."""
        self._call("PUT", self._url(version), {"commits": commits})

    def finalize(self, version: str, released: str) -> None:
        """Set `dateReleased` (ISO 8601): Sentry's "finalize"."""
        self._call("PUT", self._url(version), {"dateReleased": released})

    def deploys(self, version: str) -> list[dict[str, Any]]:
        found = self._call("GET", self._url(version, "deploys"))
        return [d for d in found if isinstance(d, dict)] if isinstance(found, list) else []

    def create_deploy(
        self, version: str, environment: str, project: str, name: str | None = None
    ) -> None:
        body: dict[str, Any] = {"environment": environment, "projects": [project]}
        if name:
            body["name"] = name
        self._call("POST", self._url(version, "deploys"), body)


def _detail(response: requests.Response) -> str:
    """Sentry's `{"detail": "..."}` (or a field's errors) as `: ...`, or nothing."""
    try:
        data = response.json()
    except ValueError:
        return ""
    if isinstance(data, dict) and data:
        text = str(data.get("detail") or "; ".join(f"{k}: {v}" for k, v in data.items()))
        return f": {redact(text)[:300]}"
    return ""
