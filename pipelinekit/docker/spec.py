"""image_spec(facts, config, python) -> ImageSpec: what the image installs, decided from the
project environment's runtime flavour (`env.planner.plan_env(purpose="runtime")`), so the image
and the tests agree about what the project needs.

The dependency layer gets the runtime requirement files (plus the GPU variant files,
`requirements/gpu.txt`, in a GPU image), the static `[project] dependencies`, and the lines of
every other runtime source the project's own wheel does not bring: Pipfile `[packages]`,
environment.yml (conda specs as their PyPI names, its `pip:` list), and setup.cfg's
`install_requires` when setup.cfg alone cannot be built. Pure: no file is read here.
"""

from __future__ import annotations

from pipelinekit.config.models import Config
from pipelinekit.detect.facts import ProjectFacts
from pipelinekit.env.inputs import METADATA_KINDS, is_local, source_lines
from pipelinekit.env.model import EnvSpec
from pipelinekit.env.sources import CONDA_FILES
from pipelinekit.env.sources_reqfiles import is_gpu_variant
from pipelinekit.plan.model import ImageSpec

_NOT_PIP_FILES = frozenset({"conda", "conda-pip", "pipfile"})
"""Dependency files pip cannot read as requirement files (the image takes their lines)."""


def image_spec(facts: ProjectFacts, config: Config, python: str) -> ImageSpec:
    from pipelinekit.env.planner import plan_env

    runtime = plan_env(facts, config, purpose="runtime")
    gpu = pipeline_gpu(facts, config)
    if config.docker.base_image:
        base = config.docker.base_image
    elif gpu:
        from pipelinekit.docker import cuda

        line = config.docker.cuda
        auto = cuda.cuda_for(facts.gpu_frameworks, facts.cuda_line)
        base = cuda.cuda_image(auto if line == cuda.AUTO else line)
    else:
        base = f"python:{python}-slim"
    # Official python images carry the interpreter; anything else (CUDA runtime images,
    # a custom base) gets the required one installed unless it is Ubuntu 22.04's own.
    install_python = not base.startswith("python:")
    files = [s.path for s in runtime.sources if s.kind == "requirements" and not s.problem]
    if gpu and config.test.requirements is None:
        files += [
            s.path
            for s in runtime.left_out
            if s.kind == "requirements" and s.role == "other" and is_gpu_variant(s.path)
        ]
    # Files pip reads as requirement or constraint files: each is copied before the source so
    # the `-r`/`-c` includes between them resolve, whatever they are called (`base.pip`).
    not_pip = {s.path for s in facts.dependency_sources if s.kind in _NOT_PIP_FILES}
    not_pip |= {p for p in facts.dependency_files if p in (*CONDA_FILES, "Pipfile")}
    not_pip |= {lock.path for lock in facts.locks if lock.kind != "pinned"}
    return ImageSpec(
        base=base,
        gpu=gpu,
        python_version=python,
        install_python=install_python,
        requirement_files=tuple(files),
        requirement_lines=_table_lines(runtime, facts.installable),
        lock=runtime.lock.path if runtime.lock and runtime.lock.kind != "pinned" else None,
        copied_files=tuple(p for p in facts.dependency_files if p not in not_pip),
        pyproject_build=facts.installable
        and (facts.config_file == "pyproject.toml" or facts.static_dependencies),
        pyproject_dependencies=facts.installable and facts.static_dependencies,
        installable=facts.installable,
        source_paths=runtime.source_paths or (".",),
        gpu_frameworks=facts.gpu_frameworks,
        name=facts.name,
        packages=facts.packages or facts.modules,
        code_folders=tuple(
            sorted(
                {d.split("/")[0] for d in facts.source_dirs if d != "."}
                | (set(facts.packages) if "." in facts.source_dirs else set())
            )
        ),
    )


def _table_lines(runtime: EnvSpec, installable: bool) -> tuple[str, ...]:
    """Requirement lines of the runtime sources that are neither files (copied and read by
    pip) nor brought by the project's own wheel. Lines naming local source (`-e ./libs/x`)
    cannot be built before the source is copied and are left out, as in requirement files;
    conda-only packages are left out too (the test environment's build names them)."""
    lines: list[str] = []
    for source in runtime.sources:
        if source.kind in ("requirements", "constraints") or source.problem:
            continue
        if installable and (source.kind in METADATA_KINDS or source.kind == "extra"):
            continue
        for line in source_lines(runtime, source)[0]:
            if not is_local(line) and line not in lines and line.isprintable():
                lines.append(line)
    return tuple(lines)


def pipeline_gpu(facts: ProjectFacts, config: Config) -> bool:
    """Whether the image is a GPU image (its smoke test needs a GPU node)."""
    return bool(facts.gpu_frameworks) if config.docker.gpu is None else config.docker.gpu
