"""The one client pipelinekit uses to talk to Jenkins (python-jenkins underneath).

python-jenkins resolves authentication and the CSRF crumb; this class adds what it lacks for
registration: its session carries pipelinekit.util.http's retrying adapter (a timeout on every
request, retries with backoff for reads only: a POST that timed out may have been applied, so it
is never repeated), one-request reads of a whole folder tree, and errors turned into one line
naming the server, the object and the fix.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from pipelinekit.errors import ExternalError, UsageError
from pipelinekit.util.http import Server, http_error, mount_retries
from pipelinekit.util.redact import register_secret

T = TypeVar("T")

_HINTS = {
    "401": "{where} refused the credentials of user {who!r} (HTTP 401) when trying to {verb} "
    "{what}. Set JENKINS_USER and JENKINS_TOKEN (an API token from the user's Security page).",
    "403": "{where} denied user {who!r} permission to {verb} {what} (HTTP 403). Grant "
    "Overall/Read plus Job/Create and Job/Configure on the folder, or check that a proxy does "
    "not strip the crumb header.",
    "404": "{where} has no {what} (HTTP 404) when trying to {verb} it. Check JENKINS_URL "
    "(including any path prefix) and the folder setting.",
    "409": "{where} rejected the request to {verb} {what} (HTTP {status}): it probably exists "
    "already or changed meanwhile. Run `pipelinekit register jenkins --dry-run` to see the live "
    "state, then run again.",
    "status": "{where} failed with HTTP {status} when trying to {verb} {what}. The Jenkins "
    "system log has the cause; run again once the server is healthy.",
    "timeout": "{where} did not answer within {timeout:g} s when trying to {verb} {what}. "
    "Check the server's load, or raise register.jenkins.timeout.",
    "unreachable": "Cannot reach {where} to {verb} {what}: {reason}. Check JENKINS_URL and that "
    "the server is up.",
}
_HINTS["400"] = _HINTS["409"]


@dataclass(frozen=True)
class Item:
    """One item of the live tree: its full name, Jenkins class and (for folders) children."""

    full_name: str
    cls: str
    children: tuple[Item, ...] | None = None


def item_url(full_name: str) -> str:
    """`a/b` to `job/a/job/b/`, each segment percent-encoded as Jenkins expects."""
    return "".join(f"job/{quote(part, safe='')}/" for part in full_name.split("/"))


class JenkinsClient:
    def __init__(self, url: str, user: str | None, token: str | None, timeout: float) -> None:
        import jenkins

        if token:
            register_secret(token)
        self.url = url.rstrip("/")
        self.user = user
        self.timeout = timeout
        self._server = jenkins.Jenkins(self.url, username=user, password=token, timeout=timeout)
        mount_retries(self._server._session, timeout=timeout)
        self._where = Server("Jenkins", self.url, timeout, _HINTS)
        self._lock = threading.Lock()
        self._primed = False

    # -- reads (idempotent: retried) -------------------------------------------------------

    def version(self) -> str:
        """The `X-Jenkins` header of the root page, which Jenkins sends without auth."""
        return str(self._call("read the version of", "/", self._server.get_version))

    def whoami(self) -> str:
        data = self._call("read the user of", "/me", lambda: self._server.get_whoami())
        return str(data.get("id", ""))

    def plugins(self) -> dict[str, bool]:
        """Installed plugin short names -> active."""
        data = self._get_json("pluginManager/api/json?depth=1&tree=plugins[shortName,active]")
        return {p["shortName"]: bool(p.get("active", True)) for p in data.get("plugins", [])}

    def tree(self, folder: str, depth: int) -> list[Item]:
        """Items under `folder` down to `depth` levels, fetched in one request."""
        query = "jobs[name]"
        for _ in range(depth):
            query = f"jobs[name,{query}]"
        prefix = item_url(folder) if folder else ""
        data = self._get_json(f"{prefix}api/json?tree={query}", what=folder or "/")
        return _items(folder, data.get("jobs", []))

    def builds(self, full_name: str) -> list[dict[str, Any]]:
        """Every build of a job (`allBuilds`, not the last 100 of `builds`) with its result,
        start, duration (ms) and the git revision it built, in one request."""
        tree = "allBuilds[number,result,timestamp,duration,actions[lastBuiltRevision[SHA1]]]"
        data = self._get_json(f"{item_url(full_name)}api/json?tree={tree}", what=full_name)
        return [b for b in data.get("allBuilds", []) if isinstance(b, dict)]

    def get_config(self, full_name: str) -> str:
        return str(
            self._call(
                "read config.xml of", full_name, lambda: self._server.get_job_config(full_name)
            )
        )

    # -- writes (never retried) ------------------------------------------------------------

    def create_item(self, full_name: str, config_xml: str) -> None:
        """POST config.xml to the parent's createItem: one request, no existence probes."""
        parent, _, short = full_name.rpartition("/")
        url = f"{item_url(parent) if parent else ''}createItem?name={quote(short, safe='')}"
        self._post("create", full_name, url, config_xml)

    def update_config(self, full_name: str, config_xml: str) -> None:
        self._post("update", full_name, f"{item_url(full_name)}config.xml", config_xml)

    # -- plumbing ----------------------------------------------------------------------------

    def prime(self) -> None:
        """Resolve auth and the crumb once, before worker threads share the session."""
        with self._lock:
            if not self._primed:
                self._call("authenticate to", "/crumbIssuer", self._fetch_crumb)
                self._primed = True

    def _fetch_crumb(self) -> None:
        """One read of /crumbIssuer (none again: python-jenkins keeps the crumb)."""
        import requests

        self._server.maybe_add_crumb(requests.Request("GET", f"{self.url}/"))

    def _get_json(self, path: str, what: str | None = None) -> dict[str, Any]:
        import requests

        url = f"{self.url}/{path}"
        body = self._call(
            "read",
            what or path.split("?")[0],
            lambda: self._server.jenkins_open(requests.Request("GET", url)),
        )
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise ExternalError(
                f"Jenkins at {self.url} answered {path} with something that is not JSON; check "
                "that JENKINS_URL points at the Jenkins root, not a proxy login page."
            ) from exc
        return data if isinstance(data, dict) else {}

    def _post(self, verb: str, full_name: str, url: str, config_xml: str) -> None:
        import requests

        self.prime()
        request = requests.Request(
            "POST",
            f"{self.url}/{url}",
            data=config_xml.encode("utf-8"),
            headers={"Content-Type": "text/xml; charset=utf-8"},
        )
        self._call(verb, full_name, lambda: self._server.jenkins_open(request))

    def _call(self, verb: str, what: str, call: Callable[[], T]) -> T:
        """One request; the session's adapter already retried it if it was a read."""
        try:
            return call()
        except Exception as exc:
            raise http_error(exc, self._where, verb, what, who=self.user or "anonymous") from None


def jenkins_client_from(url: str | None, user: str | None, timeout: float) -> JenkinsClient:
    """A client from settings plus environment; the token only ever comes from JENKINS_TOKEN."""
    import os

    url = os.environ.get("JENKINS_URL") or url
    user = os.environ.get("JENKINS_USER") or user
    token = os.environ.get("JENKINS_TOKEN") or None
    if not url:
        raise UsageError(
            "No Jenkins URL: set JENKINS_URL or register.jenkins.url in [tool.pipelinekit]."
        )
    if token and not user:
        raise UsageError("JENKINS_TOKEN is set but no user: set JENKINS_USER as well.")
    return JenkinsClient(url, user, token, timeout)


def _items(prefix: str, jobs: list[dict[str, Any]]) -> list[Item]:
    items = []
    for job in jobs:
        name = job.get("name")
        if not isinstance(name, str):
            continue
        full = f"{prefix}/{name}" if prefix else name
        kids = job.get("jobs")
        children = tuple(_items(full, kids)) if isinstance(kids, list) else None
        items.append(Item(full, str(job.get("_class", "")), children))
    return items
