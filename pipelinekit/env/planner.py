"""plan_env(facts, config, purpose) -> EnvSpec: which Python, sources, lock and extras.

Pure and deterministic like the pipeline planner: the same facts and config give the same
spec, so the CI files (which carry its Python and cache key files) and every run agree.

What the test environment installs by default: the runtime sources (the project itself with
its dependencies, or, when it cannot be built, their requirement lines), the extras and groups
named `test`, `tests`, `testing` and `dev` that exist, the runtime and test requirement files,
setup.py's `tests_require`, tox's `[testenv] deps`, Pipfile's `[dev-packages]`, and the
constraint files. `[tool.pipelinekit.test]` replaces any of those choices.
"""

from __future__ import annotations

from pipelinekit.config.models import Config, TestConfig
from pipelinekit.detect.facts import DependencySource, LockFile, ProjectFacts
from pipelinekit.env.locks import lock_file
from pipelinekit.env.model import EnvSpec, Purpose
from pipelinekit.env.python import allows
from pipelinekit.env.reqfile import normalize
from pipelinekit.errors import ConfigError

EXTRA_KINDS = frozenset({"extra"})
GROUP_KINDS = frozenset({"group", "poetry-group", "pdm-group", "hatch-env"})


def plan_env(facts: ProjectFacts, config: Config, purpose: Purpose = "test") -> EnvSpec:
    """The project environment for the test jobs (`test`) or the Docker image (`runtime`)."""
    cfg = config.test
    install = _install_project(facts, cfg)
    extras = _chosen(facts, cfg.extras, EXTRA_KINDS, "extras") if purpose == "test" else set()
    groups = _chosen(facts, cfg.groups, GROUP_KINDS, "groups") if purpose == "test" else set()
    files = None if cfg.requirements is None else {p.removeprefix("./") for p in cfg.requirements}
    selected: list[DependencySource] = []
    left_out: list[DependencySource] = []
    for source in facts.dependency_sources:
        if _selected(source, purpose, extras, groups, files):
            selected.append(source)
        else:
            left_out.append(source)
    known = {s.path for s in facts.dependency_sources}
    for path in sorted(files - known) if files else []:  # a file in a place detect does not look
        selected.append(DependencySource(kind="requirements", path=path, role="test"))
    project_extras = sorted(
        {normalize(e) for s in selected for e in s.extras}
        | {s.name for s in selected if s.kind == "extra" and s.name}
    )
    # Extras another source asks for (Hatch `features`, `pkg[test]`) are installed too: with
    # the project when it is installed, as their own lines when it is not.
    named = [s for s in left_out if s.kind == "extra" and s.name in project_extras]
    selected += named
    left_out = [s for s in left_out if s not in named]
    lock = _lock(facts, cfg)
    tools: list[str] = []
    if purpose == "test":
        if (cfg.framework or facts.tests.framework or "pytest") == "pytest":
            tools.append("pytest")
        if config.coverage.enabled:
            tools.append("coverage")
    key_files = {s.path for s in selected} | set(facts.dependency_files)
    key_files |= set(facts.metadata_files)
    if lock is not None:
        key_files.add(lock.path)
    python, python_from = facts.python_version, facts.python_from
    if cfg.python:
        python, python_from = cfg.python, "[tool.pipelinekit.test] python"
        if not allows(facts.requires_python, cfg.python):
            raise ConfigError(
                f"[tool.pipelinekit.test] python = {cfg.python!r} is outside what the project "
                f"allows ({facts.requires_python!r}, its stated Python requirement): it could "
                "not be installed on it. Choose a version it allows, or widen the requirement."
            )
    return EnvSpec(
        purpose=purpose,
        python=python,
        python_from=python_from,
        install_project=install,
        project_extras=tuple(project_extras),
        not_installed_reason=None if install else _not_installed_reason(facts, cfg),
        source_paths=() if install else tuple(sorted(set(facts.source_dirs) or {"."})),
        sources=tuple(selected),
        left_out=tuple(left_out),
        lock=lock,
        indexes=facts.package_indexes,
        dependencies=tuple(cfg.dependencies) if purpose == "test" else (),
        conda_packages=tuple(sorted(cfg.conda_packages.items())),
        test_tools=tuple(tools),
        pretend_version=install and facts.version_source == "git" and not facts.is_git,
        key_files=tuple(sorted(key_files)),
    )


def _install_project(facts: ProjectFacts, cfg: TestConfig) -> bool:
    if cfg.install_project == "auto":
        return facts.installable
    if cfg.install_project and facts.build_system == "none":
        raise ConfigError(
            "[tool.pipelinekit.test] install_project = true, but the project has no packaging "
            "metadata to build it from (no pyproject.toml [project] or setup.py). Add the "
            'metadata, or set install_project = "auto" to test it from the source tree.'
        )
    return bool(cfg.install_project)


def _not_installed_reason(facts: ProjectFacts, cfg: TestConfig) -> str:
    if cfg.install_project is False:
        return "[tool.pipelinekit.test] install_project = false"
    return facts.not_installable_reason or "it cannot be built"


def _chosen(
    facts: ProjectFacts, configured: list[str] | None, kinds: frozenset[str], key: str
) -> set[str]:
    """Names of the extras (or groups) to install: the configured ones, which must exist, or
    the conventional test names that do."""
    found = [s for s in facts.dependency_sources if s.kind in kinds and s.name]
    available = {s.name for s in found if s.name}
    if configured is None:  # named by convention: `test`, `dev`, Hatch's test environments
        return {s.name for s in found if s.name and s.role == "test"}
    wanted = {normalize(n) for n in configured}
    missing = sorted(wanted - {normalize(n) for n in available})
    if missing:
        raise ConfigError(
            f"[tool.pipelinekit.test] {key}: {', '.join(missing)} not found in the project. "
            f"It declares {', '.join(sorted(available)) or 'none'}; run `pipelinekit detect` to "
            "see every dependency source, and correct the list."
        )
    return {name for name in available if normalize(name) in wanted}


def _selected(
    source: DependencySource,
    purpose: Purpose,
    extras: set[str],
    groups: set[str],
    files: set[str] | None,
) -> bool:
    if source.kind == "constraints":
        return True
    if source.kind in EXTRA_KINDS:
        return source.name in extras
    if source.kind in GROUP_KINDS:
        return source.name in groups
    if source.kind == "requirements":
        if files is not None:
            return source.path in files
        return source.role == "runtime" or (purpose == "test" and source.role == "test")
    if source.role == "runtime":
        return True
    return purpose == "test" and source.role == "test"


def _lock(facts: ProjectFacts, cfg: TestConfig) -> LockFile | None:
    if cfg.lock == "none":
        return None
    if cfg.lock == "auto":
        return next((lock for lock in facts.locks if lock.kind != "pinned"), None)
    path = cfg.lock.removeprefix("./")
    known = next((lock for lock in facts.locks if lock.path == path), None)
    found = known or lock_file(path)
    if found is None:
        raise ConfigError(
            f"[tool.pipelinekit.test] lock = {cfg.lock!r}: not a lock pipelinekit can read. Give "
            "a uv.lock, poetry.lock, pdm.lock, Pipfile.lock, pylock.toml or a pinned requirements "
            'file, "auto" (the default) or "none".'
        )
    return found
