"""What the CI says about the pipeline: its branch, or that it is a merge-request or tag one.

A detached CI checkout does not know its branch; GitLab, Jenkins and GitHub each name it in
their own variables, and name merge-request and tag pipelines in others. Those two kinds have
no release channel: asking them for a release is answered with what to run there instead,
never with advice to turn a PR or tag name into a channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pipelinekit.errors import UsageError

BRANCH_ENV = (
    "CI_COMMIT_BRANCH",
    "BRANCH_NAME",
    "GITHUB_REF_NAME",
    "GIT_LOCAL_BRANCH",
    "GIT_BRANCH",
)
"""Where CI systems name the branch of a detached checkout (GitLab, Jenkins multibranch,
GitHub, Jenkins' git plugin in plain jobs, where GIT_BRANCH is `origin/main`)."""
TAG_ENV = ("CI_COMMIT_TAG", "TAG_NAME")
"""Where GitLab and Jenkins name the tag of a tag pipeline."""
MERGE_REQUEST_ENV = ("CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CHANGE_ID")
TARGET_ENV = ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "CHANGE_TARGET", "GITHUB_BASE_REF")
"""The branch a merge request (GitLab), change request (Jenkins) or pull request targets."""
GITHUB_ENV = ("GITHUB_REF_TYPE", "GITHUB_EVENT_NAME", "GITHUB_HEAD_REF", "CI_PIPELINE_SOURCE")
ALL_ENV = (*BRANCH_ENV, *TAG_ENV, *MERGE_REQUEST_ENV, *TARGET_ENV, *GITHUB_ENV)
"""Every variable read here (tests clear them all)."""


class NotReleasePipeline(UsageError):
    """A merge-request or tag pipeline: nothing is released from it (exit 2 for `release`,
    an empty answer for `release next`)."""


def _first(env: Mapping[str, str], names: Iterable[str]) -> tuple[str, str] | None:
    return next(((n, env[n]) for n in names if env.get(n)), None)


def refuse_non_release_pipeline(env: Mapping[str, str]) -> None:
    """Raise NotReleasePipeline when the CI says this is a tag or merge-request pipeline."""
    tag = _first(env, TAG_ENV)
    if tag is None and env.get("GITHUB_REF_TYPE") == "tag" and env.get("GITHUB_REF_NAME"):
        tag = ("GITHUB_REF_NAME", env["GITHUB_REF_NAME"])
    if tag is not None:
        raise NotReleasePipeline(
            f"This is a tag pipeline ({tag[0]}={tag[1]}): a tag pipeline checks a release, it "
            "does not make one, so there is no next version here. Run `pipelinekit release "
            "verify` in tag pipelines; `release next` and `release` belong in the pipelines of "
            "the release branches."
        )
    change = _first(env, (*MERGE_REQUEST_ENV, "GITHUB_HEAD_REF"))
    if change is None and env.get("CI_PIPELINE_SOURCE") == "merge_request_event":
        change = ("CI_PIPELINE_SOURCE", "merge_request_event")
    if change is None and env.get("GITHUB_EVENT_NAME", "").startswith("pull_request"):
        change = ("GITHUB_EVENT_NAME", env["GITHUB_EVENT_NAME"])
    if change is not None:
        raise NotReleasePipeline(
            f"This is a merge-request pipeline ({change[0]}={change[1]}): merge requests have "
            "no release channel, so nothing is released from them. Check their commit messages "
            "with `pipelinekit release lint`; the version is computed in the pipeline of the "
            "release branch once the change is merged."
        )


def branch_from_env(env: Mapping[str, str], remotes: Iterable[str] = ()) -> str | None:
    """The branch the CI names; Jenkins' `origin/main` loses its remote prefix."""
    found = _first(env, BRANCH_ENV)
    if found is None:
        return None
    name = found[1].strip()
    for prefix in ("refs/heads/", "refs/remotes/", "remotes/"):
        name = name.removeprefix(prefix)
    if found[0] == "GIT_BRANCH":
        for remote in (*remotes, "origin"):
            if name.startswith(f"{remote}/"):
                return name[len(remote) + 1 :]
    return name


def merge_request_target(env: Mapping[str, str]) -> str | None:
    """The target branch of the merge/pull request this pipeline runs for, if any."""
    found = _first(env, TARGET_ENV)
    return found[1].strip() if found else None
