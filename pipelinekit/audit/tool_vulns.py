"""Known vulnerabilities of the releases the repository pins, asked of pip-audit's OSV service
(`pip_audit._service.osv.OsvService`, the service behind `pip-audit --vulnerability-service
osv --osv-url URL`) at the configured URL.

`VulnerabilityClient` is the one network seam (tests point it at a loopback stand-in shaped
like OSV's documented `POST /v1/query`): timeouts on every call, retries with backoff through
pipelinekit.util.http's policy for the query (a read: safe to repeat), and a service that
cannot be reached makes the check a skip with the reason, never a pass.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from pipelinekit.audit.model import Hit, Skip
from pipelinekit.audit.repo import AuditRepo

WORKERS = 8


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    path: str
    """Where it is pinned (repository-relative)."""


@dataclass(frozen=True)
class Vulnerability:
    id: str
    aliases: tuple[str, ...]
    description: str
    fixed_in: tuple[str, ...]


class Unreachable(Exception):
    """The vulnerability service did not answer (or answered with an error)."""


class VulnerabilityClient:
    """pip-audit's OSV service at `url`, with a timeout and retries."""

    def __init__(self, url: str, timeout: float, cache_dir: Path | None = None) -> None:
        from pip_audit._service.osv import OsvService

        from pipelinekit.util.http import IDEMPOTENT, mount_retries

        self.url = url
        self.service = OsvService(cache_dir=cache_dir, timeout=cast(Any, timeout), osv_url=url)
        # an OSV query is a POST that only reads: safe to repeat
        mount_retries(self.service.session, 2, 0.5, timeout=timeout, reads=IDEMPOTENT | {"POST"})

    def query(self, name: str, version: str) -> list[Vulnerability]:
        import requests
        from packaging.version import InvalidVersion, Version
        from pip_audit._service.interface import ResolvedDependency, ServiceError

        try:
            dependency = ResolvedDependency(name=name, version=Version(version))
        except InvalidVersion:
            return []
        try:
            _spec, results = self.service.query(dependency)
        except (requests.RequestException, ServiceError, ValueError) as exc:
            raise Unreachable(f"{type(exc).__name__}: {_short(exc)}") from exc
        except Exception as exc:  # pip-audit's ConnectionError and friends
            raise Unreachable(f"{type(exc).__name__}: {_short(exc)}") from exc
        return [
            Vulnerability(
                id=str(r.id),
                aliases=tuple(sorted(str(a) for a in r.aliases)),
                description=r.description,
                fixed_in=tuple(str(v) for v in r.fix_versions),
            )
            for r in results
        ]


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or "no detail"


def pins(repo: AuditRepo) -> list[Pin]:
    """Every release the repository pins: its locks, else its requirement files' `==` lines."""
    from pipelinekit.env.locks import read_pins
    from pipelinekit.errors import PipelinekitError

    found: dict[tuple[str, str], Pin] = {}
    for lock in repo.facts.locks:
        try:
            for pin in read_pins(repo.project_dir, lock):
                found.setdefault(
                    (pin.name, pin.version), Pin(pin.name, pin.version, repo.in_project(lock.path))
                )
        except PipelinekitError:
            continue
    if found:
        return list(found.values())
    from packaging.requirements import InvalidRequirement, Requirement

    from pipelinekit.env.reqfile import logical_lines

    for source in repo.facts.dependency_sources:
        if source.kind != "requirements":
            continue
        path = repo.in_project(source.path)
        for line in logical_lines(repo.text(path) or ""):
            try:
                req = Requirement(line.split(" --hash", 1)[0].strip())
            except InvalidRequirement:
                continue
            specs = list(req.specifier)
            if (
                len(specs) == 1
                and specs[0].operator in ("==", "===")
                and "*" not in specs[0].version
            ):
                found.setdefault(
                    (req.name, specs[0].version), Pin(req.name, specs[0].version, path)
                )
    return list(found.values())


def audit(repo: AuditRepo, client: VulnerabilityClient | None = None) -> list[Hit]:
    pinned = pins(repo)
    if not pinned:
        raise Skip("no pinned releases to look up (no lock, no `==` requirements)")
    try:
        client = client or VulnerabilityClient(
            repo.settings.vulnerability_url, repo.settings.vulnerability_timeout_s
        )
    except ImportError as exc:
        raise Skip("pip-audit is not installed (pip install 'pipelinekit[audit]')") from exc
    first = pinned[0]
    try:
        answers = {first: client.query(first.name, first.version)}
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            rest = pool.map(lambda p: (p, client.query(p.name, p.version)), pinned[1:])
            answers.update(rest)
    except Unreachable as exc:
        raise Skip(
            f"the vulnerability service at {client.url} could not be asked ({exc}); the "
            f"{len(pinned)} pinned releases are unchecked: set [tool.pipelinekit.audit] "
            "vulnerability_url to a reachable OSV endpoint"
        ) from exc
    out = []
    for pin, vulns in sorted(answers.items(), key=lambda item: (item[0].name, item[0].version)):
        for vuln in vulns:
            ids = ", ".join((vuln.id, *vuln.aliases))
            fix = (
                f"upgrade to {vuln.fixed_in[0]} or later"
                if vuln.fixed_in
                else "no fixed release yet: replace or isolate it"
            )
            out.append(
                Hit(
                    "major",
                    pin.path,
                    None,
                    f"{pin.name} {pin.version} has a known vulnerability ({ids}): "
                    f"{vuln.description[:200]}; {fix}",
                    rule=vuln.id,
                )
            )
    return out
