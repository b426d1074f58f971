"""GPU: TensorFlow told not to take all the GPU's memory, and GPU framework builds whose CUDA
line matches the image they run in (a cu118 torch in a CUDA 12 base, or the reverse, fails at
the first kernel launch, on the GPU node, after the build passed)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from pipelinekit.audit.model import Check, Hit, Skip
from pipelinekit.audit.repo import AuditRepo

SECTION = "gpu"

_MEMORY_SETTINGS = re.compile(
    r"set_memory_growth|set_logical_device_configuration|set_virtual_device_configuration"
    r"|per_process_gpu_memory_fraction|TF_GPU_ALLOCATOR"
    # growth switched on, not off: `allow_growth = True`, `TF_FORCE_GPU_ALLOW_GROWTH=true`
    # (ENV, YAML, os.environ[...] = "true")
    r"|allow_growth\s*=\s*True|TF_FORCE_GPU_ALLOW_GROWTH[\"'\]]*\s*(?:[=:]\s*|\s+)[\"']?(?i:true)"
)
"""Any of these limits TensorFlow's memory (in code, a Dockerfile ENV or a CI variable)."""


def tf_memory(repo: AuditRepo) -> list[Hit]:
    users = [f for f in repo.python_files if repo.imports_of(f, ("tensorflow",))]
    if not users:
        raise Skip("TensorFlow is not used")
    configured = (
        f
        for f in repo.files
        if repo.own(f)
        and (
            f.endswith((".py", ".ipynb", ".env", ".yml", ".yaml", ".cfg", ".ini", ".toml"))
            or "Dockerfile" in f
        )
    )
    if any(_limits_memory(repo.text(f) or "") for f in configured):
        return []
    entry = next((f for f in users if "__main__" in (repo.text(f) or "")), users[0])
    line = _import_line(repo, entry)
    return [
        Hit(
            "major",
            entry,
            line,
            "TensorFlow takes all the GPU's memory at start unless told otherwise "
            f"({len(users)} file{'s' if len(users) != 1 else ''} import it, none limits it): call "
            "tf.config.experimental.set_memory_growth(gpu, True) for each GPU before use, or set "
            "TF_FORCE_GPU_ALLOW_GROWTH=true in the image, so other jobs can share the GPU",
        )
    ]


def _limits_memory(text: str) -> bool:
    """A memory setting on a line that is not a comment (`# TODO: set_memory_growth` in the
    code or a YAML file limits nothing)."""
    return bool(_MEMORY_SETTINGS.search(text)) and any(
        _MEMORY_SETTINGS.search(line) and not line.lstrip().startswith(("#", ";"))
        for line in text.splitlines()
    )


def _import_line(repo: AuditRepo, path: str) -> int | None:
    for number, text in enumerate((repo.text(path) or "").splitlines(), 1):
        if re.match(r"\s*(import|from)\s+tensorflow\b", text):
            return number
    return None


# --- CUDA builds against the image's base ---------------------------------------------------


@dataclass(frozen=True)
class Build:
    framework: str
    cuda: str
    """`11.8`, `12` (major only when the package names no minor)."""
    path: str
    line: int
    spec: str


_PINNED = re.compile(r"^(tensorflow|tensorflow-gpu|torch)\s*==\s*([0-9][\w.]*)\s*(?:;|$)", re.I)
_NAME = re.compile(r"^(?:[\w.-]+::)?([A-Za-z0-9][\w.-]*)")

_QUOTED = re.compile(r'"([^"]*)"')
_BASE = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.I | re.M)
_BASE_CUDA = re.compile(r"(?:nvidia/cuda:|-cuda|cuda)(\d{2})\.(\d)")


def default_cuda(framework: str, version: str) -> str | None:
    """The CUDA major the default PyPI wheels of a pinned release are built for: TensorFlow
    2.15 moved to CUDA 12 (its tested build configurations), torch 2.1 to 12 and 2.11 to 13
    (pipelinekit.docker.cuda keeps the current table)."""
    try:
        v = Version(version)
    except InvalidVersion:
        return None
    if framework.startswith("tensorflow"):
        return "11" if v < Version("2.15") else "12"
    if v < Version("2.1"):
        return "11"
    return "12" if v < Version("2.11") else "13"


def builds(repo: AuditRepo) -> list[Build]:
    sources = {repo.in_project(f) for f in repo.facts.dependency_files}
    # pyproject.toml declares dependencies too (a metadata file, not a dependency file)
    sources |= {repo.in_project(s.path) for s in repo.facts.dependency_sources}
    sources |= {repo.in_project(lock.path) for lock in repo.facts.locks}
    return [b for path in sorted(sources) for b in builds_in(repo.text(path) or "", path)]


def builds_in(text: str, path: str) -> list[Build]:
    """The GPU builds one dependency file declares: a CUDA line it names (detection's
    `cuda_line`: `+cu118`, a `/whl/cu121` index, `cupy-cuda11x`, `jax[cuda12]`, `cudf-cu12`,
    conda's `pytorch-cuda=12.1`), else the default wheels of a pinned `torch`/`tensorflow`."""
    from pipelinekit.detect.deps import cuda_line

    conda = path.endswith((".yml", ".yaml"))
    named: list[Build] = []
    pinned: list[Build] = []
    for number, raw in enumerate(text.splitlines(), 1):
        # `dependencies = ["fastapi", "torch==2.2.0"]` (a TOML array on one line): each item
        items = _QUOTED.findall(raw) if path.endswith(".toml") and raw.count('"') > 2 else [raw]
        for item in items:
            # `  - torch==...` (conda), `  "torch==...",` (pyproject), `torch==... # note`
            line = item.split(" #", 1)[0].strip().lstrip("-").strip().strip("\"',").strip()
            if not line:
                continue
            cuda = cuda_line(line, conda=conda)
            if cuda:
                named.append(Build(_framework(line), cuda, path, number, line))
            elif (match := _PINNED.match(line)) and (
                line_cuda := default_cuda(match[1].lower(), match[2])
            ):
                pinned.append(Build(match[1].lower(), line_cuda, path, number, line))
    declared = {b.framework for b in named}
    return named + [b for b in pinned if b.framework not in declared]


def _framework(line: str) -> str:
    """What a declaring line installs: `torch` for PyTorch's wheel index and conda's
    `pytorch-cuda`, `cupy` for `cupy-cuda11x`, `nvidia libraries` for `nvidia-cublas-cu12`,
    else the requirement's name."""
    match = _NAME.match(line)
    name = match[1].lower() if match else line
    if "download.pytorch.org" in line or name == "pytorch-cuda":
        return "torch"
    if name.startswith("cupy"):
        return "cupy"
    return "nvidia libraries" if name.startswith("nvidia-") else name


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def bases(repo: AuditRepo) -> list[tuple[str, int, str, str]]:
    """(path, line, image, CUDA major.minor) of every CUDA base image the repository builds on."""
    out = []
    for path in repo.files:
        name = path.rsplit("/", 1)[-1]
        if not (
            name.startswith("Dockerfile") or name.endswith(".Dockerfile") or name == "Containerfile"
        ):
            continue
        text = repo.text(path) or ""
        for match in _BASE.finditer(text):
            cuda = _BASE_CUDA.search(match[1])
            if cuda:
                out.append((path, _line(text, match.start()), match[1], f"{cuda[1]}.{cuda[2]}"))
    return out


def cuda_base(repo: AuditRepo) -> list[Hit]:
    found = builds(repo)
    if not found:
        raise Skip("no GPU framework build with a known CUDA line is declared")
    images = bases(repo)
    if not images:
        raise Skip("no CUDA base image in the repository's Dockerfiles")
    out = []
    for path, line, image, cuda in images:
        for build in found:
            if build.cuda.split(".")[0] != cuda.split(".")[0]:
                out.append(
                    Hit(
                        "major",
                        path,
                        line,
                        f"the image builds on CUDA {cuda} ({image}) but {build.framework} is built "
                        f"for CUDA {build.cuda} ({build.path}:{build.line}: {build.spec}): use a "
                        f"CUDA {build.cuda.split('.')[0]} base image or the framework's build for "
                        f"CUDA {cuda.split('.')[0]}",
                    )
                )
    return out


CHECKS = (
    Check(
        "tf-memory",
        SECTION,
        "TensorFlow does not take all GPU memory",
        "By default TensorFlow allocates nearly all memory of every visible GPU at start: a "
        "second process on the node then fails with out-of-memory. Memory growth or a limit "
        "lets jobs share GPUs.",
        tf_memory,
    ),
    Check(
        "cuda-base",
        SECTION,
        "GPU framework builds match the image's CUDA",
        "A framework wheel built for one CUDA major version does not run on a base image of "
        "another; the image builds fine and the job fails on the GPU node.",
        cuda_base,
    ),
)
