"""Keep a Changelog sections from the policy's changes, and inserting them into the file.

Rendering is pure (date and URLs are arguments) so the section shown by `--dry-run` is
byte-for-byte what `release` writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from pipelinekit.release.policy import Change
from pipelinekit.release.settings import ReleaseConfig

HEADER = (
    "# Changelog\n\n"
    "All notable changes to this project are documented in this file. The format is based on\n"
    "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/), and this project adheres to\n"
    "[Semantic Versioning](https://semver.org/spec/v2.0.0.html).\n"
)
BREAKING = "Breaking changes"
_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")
_LINK_DEF = re.compile(r"^\[[^\]]+\]: \S")
_RELEASE_HEADING = re.compile(r"^## (?!\[?Unreleased\]?)", re.IGNORECASE)


def web_url(remote_url: str) -> str | None:
    """The web page of a remote (`git@host:g/p.git`, `https://tok@host/g/p`); None if local.

    Credentials in the remote URL are dropped here, so they can never reach the changelog. An
    http(s) remote keeps its scheme and port (a server on `:8443` serves its pages there);
    an ssh or git remote's port is its git daemon's, not the web server's, so it is dropped
    and the page is https.
    """
    url = remote_url.strip()
    scheme = "https"
    if "://" in url:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:  # `host:notaport`
            return None
        if parts.scheme not in ("http", "https", "ssh", "git") or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
        if parts.scheme in ("http", "https"):
            scheme = parts.scheme
            host = f"{host}:{port}" if port else host
    else:
        match = _SCP_LIKE.match(url)
        if match is None:
            return None
        host, path = match["host"], match["path"]
    path = path.strip("/").removesuffix(".git")
    return f"{scheme}://{host}/{path}" if path else None


def _links(repo: str) -> tuple[str, str, str]:
    """Commit, compare and tag URL templates: GitLab (`/-/`) or GitHub style by host."""
    sep = "/-" if "gitlab" in urlsplit(repo).netloc else ""
    tag_page = "/-/tags/{tag}" if sep else "/releases/tag/{tag}"
    return (
        f"{repo}{sep}/commit/{{sha}}",
        f"{repo}{sep}/compare/{{prev}}...{{tag}}",
        repo + tag_page,
    )


def render_section(
    *,
    version: str,
    tag: str,
    previous_tag: str | None,
    date: str,
    changes: Sequence[Change],
    config: ReleaseConfig,
    repo_url: str | None,
) -> tuple[str, str | None]:
    """The `## [version] - date` section and its link definition (None without a repo URL)."""
    commit_url = _links(repo_url)[0] if repo_url else None
    groups: dict[str, list[str]] = {
        BREAKING: [],
        **{h: [] for h in config.changelog_sections.values()},
    }
    for change in changes:
        entry = _entry(change, commit_url)
        if change.change.breaking:
            notes = change.change.breaking_notes or (change.change.description,)
            groups[BREAKING].extend(_entry(change, commit_url, text=n) for n in notes)
        heading = config.changelog_sections.get(change.change.type)
        if heading is not None and entry not in groups[heading]:
            groups[heading].append(entry)
    title = f"[{version}]" if repo_url else version
    lines = [f"## {title} - {date}", ""]
    for heading, entries in groups.items():
        if entries:
            lines += [f"### {heading}", "", *entries, ""]
    if len(lines) == 2:
        lines += ["No user-facing changes.", ""]
    link = None
    if repo_url:
        _, compare, tag_page = _links(repo_url)
        target = (
            compare.format(prev=previous_tag, tag=tag) if previous_tag else tag_page.format(tag=tag)
        )
        link = f"[{version}]: {target}"
    return "\n".join(lines), link


def _entry(change: Change, commit_url: str | None, text: str | None = None) -> str:
    conv = change.change
    scope = f"**{conv.scope}:** " if conv.scope else ""
    sha = change.commit.commit.sha
    ref = f"[{sha[:7]}]({commit_url.format(sha=sha)})" if commit_url else sha[:7]
    return f"- {scope}{text or conv.description} ({ref})"


def insert_section(existing: str | None, section: str, link: str | None) -> str:
    """The changelog with `section` above the newest release (below any Unreleased section)."""
    lines = (existing if existing is not None and existing.strip() else HEADER).splitlines()
    at = next((i for i, line in enumerate(lines) if _RELEASE_HEADING.match(line)), None)
    if at is None:  # no release yet: after the intro, before any link definitions
        end = next((i for i, line in enumerate(lines) if _LINK_DEF.match(line)), len(lines))
        at = end
        while at > 0 and not lines[at - 1].strip():
            at -= 1
        lines[at:end] = [""]
        at += 1
    lines[at:at] = [*section.rstrip("\n").splitlines(), ""]
    if link:
        defs = [i for i, line in enumerate(lines) if _LINK_DEF.match(line)]
        first_release_def = next(
            (i for i in defs if not lines[i].lower().startswith("[unreleased]")), None
        )
        if first_release_def is not None:
            lines.insert(first_release_def, link)
        elif defs:
            lines.insert(defs[-1] + 1, link)
        else:
            while lines and not lines[-1].strip():
                lines.pop()
            lines += ["", link]
    return "\n".join(lines).rstrip("\n") + "\n"
