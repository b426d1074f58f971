"""CI/CD and versioning: a CI pipeline runs the checks (and a service has an image
definition), data and model files are versioned outside git, and releases follow a policy
(Conventional Commits over the recent history, semantic-version tags)."""

from __future__ import annotations

import os

from pipelinekit.audit import sec_monitoring
from pipelinekit.audit.model import Check, Hit, Skip
from pipelinekit.audit.repo import AuditRepo

SECTION = "cicd"

CI_FILES = (
    ".gitlab-ci.yml",
    "Jenkinsfile",
    "azure-pipelines.yml",
    ".circleci/config.yml",
    "bitbucket-pipelines.yml",
    ".travis.yml",
)


def ci_pipeline(repo: AuditRepo) -> list[Hit]:
    files = set(repo.files)
    has_ci = any(name in files for name in CI_FILES) or any(
        f.startswith(".github/workflows/") and f.endswith((".yml", ".yaml")) for f in files
    )
    out = []
    if not has_ci:
        out.append(
            Hit(
                "major",
                None,
                None,
                "no CI pipeline runs the tests and checks on every change: `pipelinekit init` "
                "generates a Jenkinsfile and a .gitlab-ci.yml for this repository",
                rule="no-ci",
            )
        )
    services = sec_monitoring.entry_points(repo)
    if services and not any(
        f.rsplit("/", 1)[-1].startswith(("Dockerfile", "Containerfile")) for f in files
    ):
        out.append(
            Hit(
                "minor",
                services[0][0],
                services[0][1],
                "this service has no container image definition: add a Dockerfile "
                "(`pipelinekit init` generates one) so it deploys the same everywhere",
                rule="no-dockerfile",
            )
        )
    return out


def large_files(repo: AuditRepo) -> list[Hit]:
    limit = int(repo.settings.large_file_mb * 1024 * 1024)
    sizes = _git_sizes(repo) if repo.is_git else None
    if sizes is None:
        sizes = {}
        for path in repo.files:
            try:
                sizes[path] = os.stat(repo.root / path).st_size
            except OSError:
                continue
    where = "committed to git" if repo.is_git else "in the repository"
    return [
        Hit(
            "major",
            path,
            None,
            f"{_size(size)} file {where}: keep data and models in DVC or Git "
            "LFS (`git lfs track`), or an artifact store, and commit only the pointer",
        )
        for path, size in sorted(sizes.items())
        if size > limit
    ]


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KiB"


def _git_sizes(repo: AuditRepo) -> dict[str, int] | None:
    """Path -> size of the blob git stores (an LFS pointer is small, as it should be)."""
    listing = repo.git("ls-files", "-s", "-z")
    if listing is None:
        return None
    blobs: dict[str, str] = {}
    for entry in listing.split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split()
        if path and len(parts) >= 2 and parts[0] != "160000":  # not a submodule
            blobs[path] = parts[1]
    if not blobs:
        return {}
    answer = repo.git(
        "cat-file",
        "--batch-check=%(objectname) %(objectsize)",
        stdin="\n".join(blobs.values()) + "\n",
    )
    if answer is None:
        return None
    size_of = {}
    for line in answer.splitlines():
        sha, _, size = line.partition(" ")
        if size.isdigit():
            size_of[sha] = int(size)
    return {path: size_of[sha] for path, sha in blobs.items() if sha in size_of}


def release_policy(repo: AuditRepo) -> list[Hit]:
    from pipelinekit.release.commits import parse_message
    from pipelinekit.release.tagformat import parse_tag

    if not repo.is_git:
        raise Skip("not a git repository")
    log = repo.git("log", "--no-merges", f"-n{repo.settings.history}", "--format=%B%x1e")
    if log is None:
        raise Skip("the repository has no commits yet")
    messages = [m for m in log.split("\x1e") if m.strip()]
    if not messages:
        raise Skip("the repository has no commits yet")
    share = sum(parse_message(m) is not None for m in messages) / len(messages)
    tag_format = repo.config.release.tag_format
    tags = (repo.git("tag", "--list") or "").split()
    versioned = [t for t in tags if parse_tag(tag_format, t)]
    out = []
    wanted = repo.settings.conventional_share
    if share < wanted:
        out.append(
            Hit(
                "minor",
                None,
                None,
                f"{share:.0%} of the last {len(messages)} commits follow Conventional Commits "
                f"(`feat: ...`, `fix: ...`), below {wanted:.0%}: adopt them so the next version "
                "and the changelog follow from the history (`pipelinekit release next`)",
                rule="conventional-commits",
            )
        )
    if not versioned:
        out.append(
            Hit(
                "minor",
                None,
                None,
                f"no semantic-version tag ({tag_format.replace('{version}', '1.2.3')}) marks a "
                "release: tag releases (`pipelinekit release`) so a deployed model or image "
                "names the code it came from",
                rule="semver-tags",
            )
        )
    return out


CHECKS = (
    Check(
        "ci-pipeline",
        SECTION,
        "A CI pipeline runs the checks (and services have a Dockerfile)",
        "Checks that run only on a laptop are skipped under deadline; a pipeline on every merge "
        "request, and an image built from a Dockerfile, make every change pass the same gate.",
        ci_pipeline,
    ),
    Check(
        "large-files",
        SECTION,
        "No large data or model files in git",
        "Every clone downloads every version of a committed data set or model forever; DVC or "
        "Git LFS version them beside the code without bloating the history.",
        large_files,
    ),
    Check(
        "release-policy",
        SECTION,
        "Releases follow a policy (Conventional Commits, semantic-version tags)",
        "Without a versioning policy nobody can say which code produced the model in "
        "production; conventional messages and semver tags make versions and changelogs "
        "mechanical.",
        release_policy,
    ),
)
