"""The one client pipelinekit uses to talk to Jenkins (python-jenkins underneath).

python-jenkins resolves authentication and the CSRF crumb; this class adds what it lacks for
registration: a timeout on every request, retries with backoff for reads only (a POST that timed
out may have been applied, so it is never repeated), one-request reads of a whole folder tree,
and errors turned into one line naming the server, the object and the fix.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from pipelinekit.errors import ExternalError, UsageError
from pipelinekit.retry import retry_read
from pipelinekit.util.redact import redact, register_secret

T = TypeVar("T")

READ_ATTEMPTS = 3
BACKOFF_SECONDS = 0.25


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
        self._lock = threading.Lock()
        self._primed = False

    # -- reads (idempotent: retried) -------------------------------------------------------

    def version(self) -> str:
        """The `X-Jenkins` header of the root page, which Jenkins sends without auth."""
        return str(self._read("read the version of", "/", self._server.get_version))

    def whoami(self) -> str:
        data = self._read("read the user of", "/me", lambda: self._server.get_whoami())
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
            self._read(
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
                self._read("authenticate to", "/crumbIssuer", self._fetch_crumb)
                self._primed = True

    def _fetch_crumb(self) -> None:
        """One read of /crumbIssuer (none again: python-jenkins keeps the crumb)."""
        import requests

        self._server.maybe_add_crumb(requests.Request("GET", f"{self.url}/"))

    def _get_json(self, path: str, what: str | None = None) -> dict[str, Any]:
        import requests

        url = f"{self.url}/{path}"
        body = self._read(
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
        try:
            self._server.jenkins_open(request)
        except Exception as exc:
            raise self._error(exc, verb, full_name) from None

    def _read(self, verb: str, what: str, call: Callable[[], T]) -> T:
        try:
            return retry_read(
                call, transient=_transient, attempts=READ_ATTEMPTS, backoff=BACKOFF_SECONDS
            )
        except Exception as exc:
            raise self._error(exc, verb, what) from None

    def _error(self, exc: BaseException, verb: str, what: str) -> ExternalError:
        status = _status(exc)
        where = f"Jenkins at {self.url}"
        who = self.user or "anonymous"
        if status == 401:
            text = (
                f"{where} refused the credentials of user {who!r} (HTTP 401) when trying to "
                f"{verb} {what}. Set JENKINS_USER and JENKINS_TOKEN (an API token from the "
                "user's Security page)."
            )
        elif status == 403:
            text = (
                f"{where} denied user {who!r} permission to {verb} {what} (HTTP 403). Grant "
                "Overall/Read plus Job/Create and Job/Configure on the folder, or check that a "
                "proxy does not strip the crumb header."
            )
        elif status == 404:
            text = (
                f"{where} has no {what} (HTTP 404) when trying to {verb} it. Check JENKINS_URL "
                "(including any path prefix) and the folder setting."
            )
        elif status == 409 or status == 400:
            text = (
                f"{where} rejected the request to {verb} {what} (HTTP {status}): it probably "
                "exists already or changed meanwhile. Run `pipelinekit register jenkins "
                "--dry-run` to see the live state, then run again."
            )
        elif status is not None:
            text = (
                f"{where} failed with HTTP {status} when trying to {verb} {what}. The Jenkins "
                "system log has the cause; run again once the server is healthy."
            )
        elif _is_timeout(exc):
            text = (
                f"{where} did not answer within {self.timeout:g} s when trying to {verb} {what}. "
                "Check the server's load, or raise register.jenkins.timeout."
            )
        else:
            text = (
                f"Cannot reach {where} to {verb} {what}: {_reason(exc)}. Check JENKINS_URL and "
                "that the server is up."
            )
        return ExternalError(redact(text))


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


def _status(exc: BaseException) -> int | None:
    """HTTP status behind a python-jenkins exception (it keeps the HTTPError as context)."""
    seen: BaseException | None = exc
    while seen is not None:
        response = getattr(seen, "response", None)
        if response is not None and getattr(response, "status_code", None):
            return int(response.status_code)
        if type(seen).__name__ == "NotFoundException":
            return 404
        seen = seen.__cause__ or seen.__context__
    return None


def _is_timeout(exc: BaseException) -> bool:
    names = {"Timeout", "ReadTimeout", "ConnectTimeout", "TimeoutException", "TimeoutError"}
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ in names:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _transient(exc: BaseException) -> bool:
    """Worth another read: the connection failed or timed out, or the server erred (5xx)."""
    status = _status(exc)
    return (status is None and _is_transport(exc)) or (status or 0) >= 500


def _is_transport(exc: BaseException) -> bool:
    import requests

    return _is_timeout(exc) or isinstance(exc, requests.ConnectionError)


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "Connection refused" in str(exc):
        return "connection refused"
    return text[:200]
