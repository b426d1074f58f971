"""The one HTTP seam of the server clients (Jenkins, GitLab, SonarQube, Sentry).

`make_session` is a requests session whose adapter retries through urllib3's own `Retry`:
only idempotent methods (a POST that failed may have been applied, so it is never repeated),
after a failed connection, a read timeout, a 429 or a 5xx, with exponential backoff and the
server's Retry-After respected; the final answer, error status included, goes back to the
caller. Every request without its own timeout gets `DEFAULT_TIMEOUT`.

`http_error` turns whatever a request ended in (a requests, python-jenkins or python-gitlab
exception, or a final error response) into one redacted paragraph naming the server, the verb
and the object, with each server's own sentences for its own fixes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipelinekit.errors import ExternalError
from pipelinekit.util.redact import redact

if TYPE_CHECKING:
    import requests

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = (429, 500, 502, 503, 504)
DEFAULT_TIMEOUT = 30.0
RETRIES = 3
BACKOFF_SECONDS = 0.25
"""urllib3 waits 0, 2*b, 4*b ... seconds between attempts (b: this backoff factor)."""

_QUERY = re.compile(r"\?[^\s'\"),]*")


def retry_policy(retries: int, backoff: float, reads: frozenset[str] = IDEMPOTENT) -> Any:
    """urllib3's Retry for the methods that are reads for this server (the idempotent ones,
    plus e.g. a query API's POST); raise_on_status off so the caller sees the final status."""
    from urllib3.util.retry import Retry

    return Retry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=reads,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


def mount_retries(
    session: requests.Session,
    retries: int | None = None,
    backoff: float | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    reads: frozenset[str] = IDEMPOTENT,
) -> requests.Session:
    """Mount the retrying adapter on `session` (also one a library made: python-jenkins',
    pip-audit's)."""
    from requests.adapters import HTTPAdapter

    class Adapter(HTTPAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            if not args and kwargs.get("timeout") is None:
                kwargs["timeout"] = timeout
            return super().send(request, *args, **kwargs)

    policy = retry_policy(
        RETRIES if retries is None else retries,
        BACKOFF_SECONDS if backoff is None else backoff,
        reads,
    )
    for scheme in ("http://", "https://"):
        session.mount(scheme, Adapter(max_retries=policy))
    return session


def make_session(
    retries: int | None = None, backoff: float | None = None, timeout: float = DEFAULT_TIMEOUT
) -> requests.Session:
    """A requests session with retries of idempotent calls and a default timeout."""
    import requests

    return mount_retries(requests.Session(), retries, backoff, timeout)


def attempts(session: requests.Session, method: str, url: str) -> int:
    """How many times `session` tries `method` on `url` before giving up."""
    total = getattr(getattr(session.get_adapter(url), "max_retries", None), "total", 0)
    return 1 + (int(total or 0) if method.upper() in IDEMPOTENT else 0)


@dataclass(frozen=True)
class Server:
    """How one server's failures read. `hints` maps a case to a template: an exact status
    ("401"), a status class ("3xx", "4xx", "5xx"), "timeout" or "unreachable". Templates may
    use {where} ("Jenkins at URL"), {url}, {verb}, {what}, {status}, {timeout}, {reason},
    {detail} and any field passed to `http_error`."""

    name: str
    url: str
    timeout: float
    hints: Mapping[str, str] = field(default_factory=dict)


_DEFAULTS = {
    "status": "{where} answered HTTP {status} when asked to {verb} {what}{detail}.",
    "timeout": "{where} did not answer within {timeout:g} s when asked to {verb} {what}.",
    "unreachable": "Cannot reach {where} to {verb} {what}: {reason}.",
}


def http_error(
    failure: BaseException | requests.Response,
    server: Server,
    verb: str,
    what: str,
    **fields: Any,
) -> ExternalError:
    """One redacted paragraph (exit 3) for a failed request to `server`."""
    status = status_of(failure)
    if status is not None:
        keys = [str(status), f"{status // 100}xx", "status"]
    elif isinstance(failure, BaseException) and is_timeout(failure):
        keys = ["timeout"]
    else:
        keys = ["unreachable"]
    template = next((server.hints[k] for k in keys if k in server.hints), _DEFAULTS[keys[-1]])
    url = _QUERY.sub("", server.url)
    values: dict[str, Any] = {
        "where": f"{server.name} at {url}",
        "url": url,
        "verb": verb,
        "what": what,
        "status": status,
        "timeout": server.timeout,
        "reason": reason(failure),
        "detail": "",
        **fields,
    }
    return ExternalError(" ".join(redact(template.format(**values)).split()))


def status_of(failure: BaseException | requests.Response) -> int | None:
    """The HTTP status a failure carries: a response's, a requests HTTPError's, python-gitlab's
    `response_code`, or one in the chain python-jenkins keeps as the exception's context."""
    if not isinstance(failure, BaseException):
        return int(failure.status_code)
    for exc in _chain(failure):
        code = getattr(exc, "response_code", None)
        if isinstance(code, int):
            return code
        response = getattr(exc, "response", None)
        if response is not None and getattr(response, "status_code", None):
            return int(response.status_code)
    return None


def is_timeout(exc: BaseException) -> bool:
    """A timed-out connect or read, also when urllib3 gave up retrying one (requests then
    raises ConnectionError around MaxRetryError around the timeout)."""
    import requests
    import urllib3.exceptions as u3

    for seen in _chain(exc):
        if isinstance(seen, requests.Timeout | TimeoutError):
            return True
        if isinstance(seen, u3.TimeoutError) and not isinstance(seen, u3.NewConnectionError):
            return True
    return False


def reason(failure: BaseException | requests.Response) -> str:
    """The first line of what went wrong, without query strings (tokens travel there)."""
    if not isinstance(failure, BaseException):
        return f"HTTP {failure.status_code}"
    text = str(failure)
    if "Connection refused" in text:
        return "connection refused"
    first = text.splitlines()[0] if text else type(failure).__name__
    return _QUERY.sub("", first)[:200]


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc`, its causes and (unless `from None` hid them) contexts, and what requests'
    ConnectionError and urllib3's MaxRetryError wrap."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        wrapped = [a for a in item.args if isinstance(a, BaseException)]
        inner = getattr(item, "reason", None)
        context = None if item.__suppress_context__ else item.__context__
        todo += [item.__cause__, context, *wrapped]
        if isinstance(inner, BaseException):
            todo.append(inner)
    return seen
