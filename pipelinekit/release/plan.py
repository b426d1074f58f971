"""The release as a plan: the policy's answer plus every file, the tag and the push.

`release next`, `release --dry-run` and `release` all go through `compute` / `build_plan`, so
what a dry run shows is exactly what a release does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelinekit.errors import CheckFailed, UsageError
from pipelinekit.release import guards, safety
from pipelinekit.release.commits import Commit, parse_commit, read_commits
from pipelinekit.release.filechanges import (
    changelog_change,
    current_versions,
    head_tree,
    version_changes,
)
from pipelinekit.release.policy import NextVersion, channel_for, latest_in_channel, next_version
from pipelinekit.release.settings import ChannelConfig, ReleaseConfig
from pipelinekit.release.tagformat import format_tag
from pipelinekit.release.tags import TagSet, read_tags
from pipelinekit.release.version import to_pep440
from pipelinekit.util.git import Git

if TYPE_CHECKING:
    from pipelinekit.release.gitops import FileChange, Published
    from pipelinekit.release.versionfiles import VersionFile


@dataclass
class Repo:
    """A project inside a git work tree: `project` may be a subfolder of `root`."""

    project: Path
    root: Path
    git: Git
    config: ReleaseConfig
    head: str
    head_ref: str
    """HEAD's symbolic name: `refs/heads/<branch>`, or `HEAD` when detached."""
    shallow: bool
    notes: list[str] = field(default_factory=list)
    """What the safety checks repaired (unshallowed, fetched tags), for the output."""

    @classmethod
    def open(cls, project: Path, config: ReleaseConfig) -> Repo:
        if not config.enabled:
            raise UsageError(
                "Releases are disabled (`tool.pipelinekit.release.enabled = false`); enable them "
                "to use `pipelinekit release`."
            )
        if not project.is_dir():
            raise UsageError(f"{project} is not a directory; pass the project folder as PATH.")
        git = Git(project)
        # one process answers four questions; this runs on every `release next`
        out = git.run(
            "rev-parse", "--show-toplevel", "--is-shallow-repository", "HEAD",
            "--symbolic-full-name", "HEAD", check=False,
        ).splitlines()  # fmt: skip
        if len(out) < 4:
            git.run("rev-parse", "--show-toplevel")  # raises "not a git repository" if so
            raise UsageError(f"The repository at {project} has no commits yet; commit first.")
        root, shallow, head, head_ref = out[:4]
        return cls(project.resolve(), Path(root), git, config, head, head_ref, shallow == "true")


def commits_since(git: Git, tags: TagSet, commit: str) -> list[Commit]:
    last = tags.last_stable()
    return read_commits(git, [commit, f"^{last.commit}"] if last else [commit])


def compute(
    repo: Repo,
    channel: ChannelConfig,
    *,
    commit: str = "HEAD",
    tags: TagSet | None = None,
) -> NextVersion:
    """The policy's answer for `commit` on `channel`, from history read straight from git."""
    git, config = repo.git, repo.config
    tags = tags if tags is not None else read_tags(git, config.tag_format, commit)
    parsed = [
        parse_commit(c, squash=config.squash_commits) for c in commits_since(git, tags, commit)
    ]
    shipped: frozenset[str] = frozenset()
    if channel.prerelease is not None:
        last = tags.last_stable()
        previous = latest_in_channel(tags, channel, last.version if last else None)
        if previous is not None:
            since = [f"^{last.commit}"] if last else []
            shipped = frozenset(git.run("rev-list", previous.commit, *since).split())
    return next_version(parsed, tags, channel, config, shipped_in_channel=shipped)


def prepare(repo: Repo, branch: str | None, *, for_release: bool) -> tuple[safety.Checkout, TagSet]:
    """Run the clone safety checks; `for_release` adds clean tree and not behind."""
    git, config = repo.git, repo.config
    checkout = safety.resolve_checkout(
        repo.head, repo.head_ref, branch, remotes=(config.push_remote,)
    )
    tags = read_history(repo)
    if for_release:
        safety.ensure_clean(git)
        safety.ensure_not_behind(git, config, checkout)
    return checkout, tags


def read_history(repo: Repo) -> TagSet:
    """Full history and the remote's release tags (repaired or refused), then the tags."""
    git, config = repo.git, repo.config
    safety.ensure_full_history(git, config, repo.notes, shallow=repo.shallow)
    tags = read_tags(git, config.tag_format)
    if safety.sync_tags(git, config, repo.notes, tags):
        tags = read_tags(git, config.tag_format)
    if tags.ignored:
        shown = ", ".join(tags.ignored[:3]) + (" ..." if len(tags.ignored) > 3 else "")
        repo.notes.append(
            f"{len(tags.ignored)} tag(s) look like versions but are not release tags of "
            f"tag_format {config.tag_format!r} (another format, or +build metadata), so they "
            f"are ignored: {shown}"
        )
    return tags


@dataclass(frozen=True)
class ReleasePlan:
    """Everything `release` will do; `next.version` None means nothing to do."""

    next: NextVersion
    checkout: safety.Checkout
    remote: str
    tag: str | None = None
    commit_message: str | None = None
    tag_message: str | None = None
    files: tuple[FileChange, ...] = ()
    changelog_section: str | None = None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        nv = self.next
        version = str(nv.version) if nv.version else None
        return {
            "version": version,
            "pep440": to_pep440(version) if version else None,
            "tag": self.tag,
            "previous_tag": nv.last.name if nv.last else None,
            "bump": nv.level,
            "channel": {"branch": nv.channel.branch, "prerelease": nv.channel.prerelease},
            "branch": self.checkout.branch,
            "reason": nv.reason,
            "files": [c.path for c in self.files],
            "changelog": self.changelog_section,
            "commit_message": self.commit_message,
            "tag_message": self.tag_message,
            "push": {"remote": self.remote, "branch": self.checkout.branch, "tag": self.tag}
            if version
            else None,
            "nonconventional": [
                {"sha": c.commit.sha, "subject": c.commit.subject} for c in nv.nonconventional
            ],
            "notes": list(self.notes),
        }


def next_for(repo: Repo, branch: str | None) -> tuple[NextVersion, safety.Checkout]:
    """What `release next` answers: safe history, the branch's channel, the policy, and the
    same refusals as `--dry-run`, so the two never disagree."""
    checkout, tags = prepare(repo, branch, for_release=False)
    nv = compute(repo, channel_for(checkout.branch, repo.config), tags=tags)
    if nv.version is not None:
        _guard(repo, nv, tags, checkout, current_versions(repo, head_tree(repo)))
    return nv, checkout


def _guard(
    repo: Repo,
    nv: NextVersion,
    tags: TagSet,
    checkout: safety.Checkout,
    files: list[tuple[VersionFile, str]],
) -> None:
    from pipelinekit.release.versionfiles import read_version

    config = repo.config
    guards.refuse_released(repo.git, nv, tags.all, checkout.branch)
    found = [(vf.spec, read_version(vf, text)) for vf, text in files]
    guards.refuse_downgrade(nv, found, config.tag_format, config.push_remote)


def build_plan(
    repo: Repo, branch: str | None, *, for_release: bool, today: dt.date | None = None
) -> ReleasePlan:
    """The full plan: version, new file contents, changelog section, commit and tag messages."""
    from pipelinekit.release import changelog

    config = repo.config
    checkout, tags = prepare(repo, branch, for_release=for_release)
    nv = compute(repo, channel_for(checkout.branch, config), tags=tags)
    notes = tuple(repo.notes)
    if nv.version is None:
        return ReleasePlan(nv, checkout, config.push_remote, notes=notes)
    if config.require_conventional and nv.nonconventional:
        listed = "; ".join(
            f"{c.commit.sha[:7]} {c.commit.subject!r}" for c in nv.nonconventional[:5]
        )
        raise CheckFailed(
            f"{len(nv.nonconventional)} commit(s) since the last release are not Conventional "
            f"Commits ({listed}) and `tool.pipelinekit.release.require_conventional` is true. "
            "Reword them (`git rebase -i`) before they reach the release branch."
        )
    version = str(nv.version)
    tag = format_tag(config.tag_format, version)
    tree = head_tree(repo)
    current = current_versions(repo, tree)
    _guard(repo, nv, tags, checkout, current)
    values = {"version": version, "tag": tag}
    files = version_changes(tree, current, to_pep440(version))
    section = None
    if config.changelog_file:
        date = (today or dt.datetime.now(dt.UTC).date()).isoformat()
        section, link = changelog.render_section(
            version=version,
            tag=tag,
            previous_tag=nv.last.name if nv.last else None,
            date=date,
            changes=nv.changes,
            config=config,
            repo_url=_repo_url(repo),
        )
        files.append(changelog_change(repo, tree, section, link))
    return ReleasePlan(
        nv,
        checkout,
        config.push_remote,
        tag=tag,
        commit_message=config.commit_message.format(**values),
        tag_message=config.tag_message.format(**values),
        files=tuple(files),
        changelog_section=section,
        notes=notes,
    )


def _repo_url(repo: Repo) -> str | None:
    from pipelinekit.release import changelog

    if repo.config.repository_url:
        return repo.config.repository_url.rstrip("/")
    url = repo.git.run("remote", "get-url", repo.config.push_remote, check=False).strip()
    return changelog.web_url(url) if url else None


def execute(repo: Repo, plan: ReleasePlan) -> Published:
    """Carry out a plan built with `for_release=True`."""
    from pipelinekit.release.gitops import publish

    assert plan.tag is not None and plan.commit_message is not None and plan.tag_message is not None
    return publish(
        repo.git,
        root=repo.root,
        head=plan.checkout.head,
        branch=plan.checkout.branch,
        detached=plan.checkout.detached,
        remote=plan.remote,
        files=list(plan.files),
        commit_message=plan.commit_message,
        tag=plan.tag,
        tag_message=plan.tag_message,
    )
