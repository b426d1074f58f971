"""The package stage: PEP 517 build of an sdist and a wheel, then `twine check --strict`.

`python -m build` builds the sdist first and the wheel from that sdist, so a file missing from
the sdist breaks the build here rather than for a user installing from it. Artifacts go to
`<project>/dist/`; only this project's previous wheels and sdists are removed from it first.

Version stamping: PIPELINEKIT_VERSION (set by a release job), or with `version_from =
"release"` the next version of the release policy, is written into a copy of the source tree
that is then built, never into the checkout (parallel stages and the run cache read it).
Backends that take the version from git get it through SETUPTOOLS_SCM_PRETEND_VERSION /
PDM_BUILD_SCM_VERSION. The built files' names are checked to carry the stamped version.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    canonicalize_version,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from pipelinekit.errors import ConfigError, ExternalError, UsageError
from pipelinekit.stages.base import StageContext, StageResult, ToolRun, run_tool
from pipelinekit.util.git import Git
from pipelinekit.util.redact import redact

NAME = "package"
DIST = "dist"
VERSION_ENV = "PIPELINEKIT_VERSION"
_COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".pipelinekit", ".venv", "venv", DIST, "build", "__pycache__", "*.egg-info",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".scannerwork",
)  # fmt: skip


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.config.package
    if not cfg.enabled:
        return StageResult(
            NAME, "skipped", "package: skipped (disabled: [tool.pipelinekit.package])"
        )
    if ctx.facts.build_system == "none":
        return StageResult(
            NAME,
            "skipped",
            "package: nothing to build (no pyproject.toml [build-system], setup.py or setup.cfg)",
        )
    version, notes = target_version(ctx)
    dist = ctx.project_dir / DIST
    removed = clean_dist(dist, ctx.facts.name)
    notes += [f"removed the previous build: {', '.join(removed)}"] if removed else []
    before = set(dist.iterdir()) if dist.is_dir() else set()

    with _source_tree(ctx, version) as (source, env):
        argv = [ctx.python, "-m", "build", "--outdir", str(dist), str(source)]
        if not cfg.isolation:
            argv.insert(3, "--no-isolation")
        built = _tool(ctx, argv, env, "build", cfg.timeout_minutes)
    if built.returncode != 0:
        return _failed("build failed", built, notes)
    artifacts = sorted(
        p for p in set(dist.iterdir()) - before if p.name.endswith((".whl", ".tar.gz"))
    )
    if not artifacts:
        return _failed("build reported success but wrote no wheel or sdist", built, notes)
    expected = canonicalize_version(version) if version else None
    wrong = [p.name for p in artifacts if expected and _artifact_version(p) != expected]
    if wrong:
        raise ConfigError(
            f"The build ignored the stamped version {version}: {', '.join(wrong)}. pipelinekit "
            "writes it into the files named by [tool.pipelinekit.release] version_files (or the "
            "detected ones); point that setting at the file the build reads the version from."
        )

    checked = _tool(
        ctx,
        [ctx.python, "-m", "twine", "check", "--strict", *map(str, artifacts)],
        ctx.env,
        "twine",
        cfg.timeout_minutes,
    )
    names = ", ".join(p.name for p in artifacts)
    if checked.returncode != 0:
        return _failed(f"twine check failed for {names}", checked, notes, artifacts)
    return StageResult(
        NAME,
        "passed",
        f"built {names}; twine check passed",
        reports=tuple(artifacts),
        details="\n".join(notes),
    )


def target_version(ctx: StageContext) -> tuple[str | None, list[str]]:
    """The PEP 440 version to stamp (None: build what the files say) and why."""
    explicit = ctx.env.get(VERSION_ENV, "").strip()
    if explicit:
        try:
            version = str(Version(explicit))
        except InvalidVersion as exc:
            raise UsageError(
                f"{VERSION_ENV}={explicit!r} is not a valid version (PEP 440, e.g. 1.4.0 or "
                "1.4.0rc1; SemVer 1.4.0-rc.1 is accepted too). Fix the variable or unset it."
            ) from exc
        return version, [f"version {version} stamped from {VERSION_ENV}"]
    if ctx.config.package.version_from == "release":
        return _release_version(ctx)
    return None, []


def _release_version(ctx: StageContext) -> tuple[str | None, list[str]]:
    from pipelinekit.release import safety
    from pipelinekit.release.plan import Repo, next_for
    from pipelinekit.release.policy import channel_for
    from pipelinekit.release.version import to_pep440

    config = ctx.config.release
    repo = Repo.open(ctx.project_dir, config)
    try:
        checkout = safety.resolve_checkout(
            repo.head, repo.head_ref, None, ctx.env, (config.push_remote,)
        )
        channel_for(checkout.branch, config)
    except UsageError as exc:
        return None, [f"version not stamped, the project's own is built: {exc.message}"]
    nv, _ = next_for(repo, checkout.branch if checkout.detached else None)
    if nv.version is None:
        return None, [f"version not stamped ({nv.reason})"]
    version = to_pep440(str(nv.version))
    return version, [f"version {version} stamped from the release policy ({nv.reason})"]


def clean_dist(dist: Path, project_name: str) -> list[str]:
    """Remove this project's wheels and sdists from `dist`; anything else there is kept."""
    if not dist.is_dir():
        return []
    ours = canonicalize_name(project_name)
    removed = []
    for path in sorted(dist.iterdir()):
        if path.is_file() and _artifact_name(path) == ours:
            path.unlink()
            removed.append(path.name)
    return removed


def _artifact_name(path: Path) -> str | None:
    try:
        if path.name.endswith(".whl"):
            return str(parse_wheel_filename(path.name)[0])
        if path.name.endswith(".tar.gz"):
            return str(parse_sdist_filename(path.name)[0])
    except (InvalidWheelFilename, InvalidSdistFilename):
        # Old setuptools wrote sdists named after the unnormalised project name.
        return canonicalize_name(path.name.rsplit("-", 1)[0])
    return None


def _artifact_version(path: Path) -> str | None:
    try:
        if path.name.endswith(".whl"):
            return canonicalize_version(parse_wheel_filename(path.name)[1])
        return canonicalize_version(parse_sdist_filename(path.name)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


@contextlib.contextmanager
def _source_tree(ctx: StageContext, version: str | None) -> Iterator[tuple[Path, dict[str, str]]]:
    """The folder to build and the build's environment: the project itself, or a stamped copy."""
    if version is None:
        yield ctx.project_dir, dict(ctx.env)
        return
    env = {**ctx.env, "SETUPTOOLS_SCM_PRETEND_VERSION": version, "PDM_BUILD_SCM_VERSION": version}
    with tempfile.TemporaryDirectory(prefix="pipelinekit-package-") as tmp:
        copy = Path(tmp) / ctx.project_dir.name
        _copy_project(ctx.project_dir, copy)
        stamp(copy, ctx, version)
        yield copy, env


def _copy_project(src: Path, dst: Path) -> None:
    """Tracked and unignored files when `src` is in a git work tree (data folders that are
    ignored stay behind), else everything but caches, environments and build output."""
    listed = Git(src).query("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is None:
        shutil.copytree(src, dst, ignore=_COPY_IGNORE, symlinks=True)
        return
    for rel in filter(None, listed.split("\0")):
        source = src / rel
        if source.is_file() or source.is_symlink():
            target = dst / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)


def stamp(tree: Path, ctx: StageContext, version: str) -> list[str]:
    """Write `version` into the version files of `tree`; returns their paths."""
    from pipelinekit.release import versionfiles
    from pipelinekit.release.trees import WorkTree

    files = versionfiles.resolve(WorkTree(tree), ctx.config.release)
    if not files and ctx.facts.version_source != "git":
        raise ConfigError(
            f"Cannot stamp version {version}: no file holding the version was found (looked "
            "for project.version in pyproject.toml and __version__ in the package). Name it "
            "in [tool.pipelinekit.release] version_files."
        )
    for vf in files:
        path = tree / vf.path
        path.write_text(
            versionfiles.write_version(vf, path.read_text(encoding="utf-8"), version),
            encoding="utf-8",
        )
    return [vf.path for vf in files]


def _tool(
    ctx: StageContext, argv: list[str], env: Mapping[str, str], module: str, minutes: int
) -> ToolRun:
    result = run_tool(argv, dataclasses.replace(ctx, env=env), timeout=minutes * 60.0)
    if result.returncode != 0 and f"No module named {module}" in result.stderr:
        raise ExternalError(
            f"{module} is not installed for {ctx.python}. Install it in the environment that "
            f"runs the stage (`{ctx.python} -m pip install build twine`, or "
            "`pip install pipelinekit[dev]`) and run the stage again."
        )
    return result


def _failed(
    summary: str, result: ToolRun, notes: list[str], artifacts: list[Path] | None = None
) -> StageResult:
    lines = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
    tail = [line for line in lines if line.strip()][-25:]
    return StageResult(
        NAME,
        "failed",
        f"package: {summary}",
        reports=tuple(artifacts or ()),
        details=redact("\n".join([*tail, *notes])),
    )
