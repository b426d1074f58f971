"""The installers behind one tiny protocol: uv (the engine), and pip + venv where uv cannot run.

An engine creates a virtual environment for an interpreter and installs an InstallPlan into it,
streaming the installer's own output (its progress) line by line. Failures become one
paragraph that names the package and the file that declares it: exit 1 when the resolver says
no, 2 for bad input (a stale lock), 3 when the package index or an interpreter is out of reach.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipelinekit.env.inputs import InstallPlan
from pipelinekit.env.locks import REFRESH
from pipelinekit.env.reqfile import normalize
from pipelinekit.errors import CheckFailed, ConfigError, ExternalError, PipelinekitError
from pipelinekit.util.stream import LineSink, StreamResult, StreamTimeout, run_streamed

INSTALL_TIMEOUT_S = 3600.0
GENERATED_REQUIREMENTS = "pipelinekit-requirements.txt"
GENERATED_CONSTRAINTS = "pipelinekit-constraints.txt"
_REQUIRE = re.compile(r"(?:you require|depends on|requires?) ([A-Za-z0-9][A-Za-z0-9._-]*)")
_NOT_FOUND = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*) was not found in the package registry")
_TLS = re.compile(r"certificate|CERTIFICATE_VERIFY_FAILED|UnknownIssuer", re.IGNORECASE)
_NETWORK = re.compile(
    r"dns error|failed to lookup address|Connection refused|timed out|Could not connect|"
    r"network|Failed to fetch|tcp connect error|No route to host|Temporary failure in name",
    re.IGNORECASE,
)


class Engine(Protocol):
    name: str

    def create(self, env_dir: Path, python: str, cwd: Path, out: LineSink) -> None: ...

    def install(
        self, env_dir: Path, plan: InstallPlan, project_dir: Path, out: LineSink
    ) -> None: ...


def env_python(env_dir: Path) -> Path:
    return env_dir / "bin" / "python"


@dataclass
class _Runner:
    """Runs one installer command, streaming its lines, and turns failures into errors."""

    environ: Mapping[str, str]

    def __call__(
        self,
        argv: list[str],
        cwd: Path,
        out: LineSink,
        *,
        what: str,
        extra_env: Mapping[str, str] | None = None,
    ) -> StreamResult:
        env = {**trust_env(self.environ), **(extra_env or {})}
        try:
            return run_streamed(
                argv,
                cwd=cwd,
                env=env,
                on_line=lambda line: out(f"  {line}"),
                timeout=INSTALL_TIMEOUT_S,
            )
        except FileNotFoundError as exc:
            raise ExternalError(f"Cannot run {argv[0]} to {what}: it is not installed.") from exc
        except StreamTimeout as exc:
            raise ExternalError(
                "Installing the test environment did not finish within "
                f"{INSTALL_TIMEOUT_S / 60:.0f} "
                f"minutes ({what}); check the package index is reachable."
            ) from exc


CA_VARIABLES = ("PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
"""Where teams point pip and requests at their proxy's CA bundle; uv reads SSL_CERT_FILE."""


def trust_env(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` with SSL_CERT_FILE set from the CA bundle pip or requests are told to trust,
    when it is not set itself: behind a TLS-inspecting proxy, what works for pip works for uv."""
    env = dict(environ)
    if not env.get("SSL_CERT_FILE"):
        bundle = next((env[v] for v in CA_VARIABLES if env.get(v) and os.path.isfile(env[v])), None)
        if bundle:
            env["SSL_CERT_FILE"] = bundle
    return env


def write_inputs(env_dir: Path, plan: InstallPlan) -> tuple[Path | None, Path | None]:
    """The plan's own lines and the lock pins as files beside the environment, for the
    installer's `-r` and `-c` (removed again when it is done)."""
    requirements = constraints = None
    if plan.lines:
        requirements = env_dir.parent / f"{env_dir.name}.{GENERATED_REQUIREMENTS}"
        body = "".join(
            f"{line.text}  # {line.origin}\n" if not line.text.startswith("-") else f"{line.text}\n"
            for line in plan.lines
        )
        requirements.write_text(body, encoding="utf-8")
    if plan.pins:
        constraints = env_dir.parent / f"{env_dir.name}.{GENERATED_CONSTRAINTS}"
        constraints.write_text(
            "".join(pin.constraint() + "\n" for pin in plan.pins), encoding="utf-8"
        )
    return requirements, constraints


def remove_inputs(env_dir: Path) -> None:
    """The generated requirement and constraint files, once the installer is done with them."""
    for name in (GENERATED_REQUIREMENTS, GENERATED_CONSTRAINTS):
        (env_dir.parent / f"{env_dir.name}.{name}").unlink(missing_ok=True)


def install_args(env_dir: Path, plan: InstallPlan, project_dir: Path) -> list[str]:
    """`-r`/`-c`/`-e` arguments shared by `uv pip install` and `pip install`."""
    requirements, constraints = write_inputs(env_dir, plan)
    args: list[str] = [a for url in plan.indexes for a in ("--extra-index-url", url)]
    if requirements is not None:
        args += ["-r", str(requirements)]
    for rel in plan.files:
        args += ["-r", str(project_dir / rel)]
    if constraints is not None:
        args += ["-c", str(constraints)]
    for rel in plan.constraint_files:
        args += ["-c", str(project_dir / rel)]
    if plan.project is not None:
        target = str(project_dir) + plan.project[1:]
        args += ["-e", target] if plan.editable else [target]
    return args


class UvEngine:
    name = "uv"

    def __init__(self, uv: str, environ: Mapping[str, str]) -> None:
        self.uv = uv
        self.run = _Runner(environ)

    def create(self, env_dir: Path, python: str, cwd: Path, out: LineSink) -> None:
        result = self.run(
            [self.uv, "venv", "--no-project", "--python", python, str(env_dir)],
            cwd,
            out,
            what="create the environment",
        )
        if result.returncode != 0:
            raise no_interpreter(python, result)

    def install(self, env_dir: Path, plan: InstallPlan, project_dir: Path, out: LineSink) -> None:
        python = str(env_python(env_dir))
        if plan.native is not None and plan.native.kind == "uv":
            argv = [
                self.uv,
                "sync",
                "--locked",
                "--inexact",
                "--python",
                python,
                "--no-default-groups",
            ]
            argv += [a for extra in plan.native_extras for a in ("--extra", extra)]
            argv += [a for group in plan.native_groups for a in ("--group", group)]
            if not plan.native_project:
                argv.append("--no-install-project")
            if not plan.editable:
                argv.append("--no-editable")
            self._check(
                self.run(
                    argv,
                    project_dir,
                    out,
                    what="sync uv.lock",
                    extra_env={"UV_PROJECT_ENVIRONMENT": str(env_dir)},
                ),
                plan,
                project_dir,
            )
        elif plan.native is not None:
            argv = [self.uv, "pip", "install", "--python", python, "--preview-features", "pylock"]
            argv += ["-r", str(project_dir / plan.native.path)]
            argv += [a for extra in plan.native_extras for a in ("--extra", extra)]
            argv += [a for group in plan.native_groups for a in ("--group", group)]
            self._check(
                self.run(argv, project_dir, out, what=f"install {plan.native.path}"),
                plan,
                project_dir,
            )
        if not plan.empty:
            argv = [
                self.uv,
                "pip",
                "install",
                "--python",
                python,
                *install_args(env_dir, plan, project_dir),
            ]
            self._check(
                self.run(argv, project_dir, out, what="install the requirements"), plan, project_dir
            )

    def _check(self, result: StreamResult, plan: InstallPlan, project_dir: Path) -> None:
        if result.returncode != 0:
            raise install_error(result, plan, project_dir)


class PipEngine:
    """venv + pip: slower, and locks only as constraints, but it runs wherever Python does."""

    name = "pip"

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.run = _Runner(environ)

    def create(self, env_dir: Path, python: str, cwd: Path, out: LineSink) -> None:
        if not os.path.isabs(python):
            raise ExternalError(
                f"No Python {python} was found on this machine (PATH, pyenv), and without uv "
                "none can be downloaded. Install it, or set [tool.pipelinekit.test] python."
            )
        result = self.run(
            [python, "-m", "venv", str(env_dir)], cwd, out, what="create the environment"
        )
        if result.returncode != 0:
            raise ExternalError(f"{python} -m venv failed: {result.tail(5)}")

    def install(self, env_dir: Path, plan: InstallPlan, project_dir: Path, out: LineSink) -> None:
        if plan.empty:
            return
        argv = [str(env_python(env_dir)), "-m", "pip", "install", "--disable-pip-version-check"]
        result = self.run(
            [*argv, *install_args(env_dir, plan, project_dir)],
            project_dir,
            out,
            what="install the requirements",
        )
        if result.returncode != 0:
            raise install_error(result, plan, project_dir)


def find_uv(environ: Mapping[str, str]) -> str | None:
    """The uv binary: PIPELINEKIT_UV, then the `uv` package beside pipelinekit, then PATH."""
    override = environ.get("PIPELINEKIT_UV")
    if override:
        return override if os.access(override, os.X_OK) else None
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        pass
    beside = Path(sys.executable).parent / "uv"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("uv", path=environ.get("PATH"))


def choose_engine(environ: Mapping[str, str], note: Callable[[str], None]) -> Engine:
    uv = find_uv(environ)
    if uv is not None:
        return UvEngine(uv, environ)
    note(
        "uv is not available here (pip install uv); building the environment with venv and "
        "pip instead, which is slower and honours locks as constraints"
    )
    return PipEngine(environ)


# -- errors -------------------------------------------------------------------------------------


def no_interpreter(python: str, result: StreamResult) -> PipelinekitError:
    return ExternalError(
        f"No Python {python} was found on this machine (PATH, pyenv) and uv could not provide "
        f"one ({_cause(result)}). Install Python {python} (`uv python install {python}`, `pyenv "
        f"install {python}` or the distribution's package), or choose another version with "
        "[tool.pipelinekit.test] python."
    )


def install_error(result: StreamResult, plan: InstallPlan, project_dir: Path) -> PipelinekitError:
    """The installer's failure as one paragraph naming the packages and their files."""
    text = result.output
    cause = _cause(result)
    if "needs to be updated" in text and "--locked" in text:
        return ConfigError(
            f"{project_dir / 'uv.lock'} no longer matches pyproject.toml ({cause}). "
            f"{REFRESH['uv'].capitalize()}, commit uv.lock and run again; or set "
            '[tool.pipelinekit.test] lock = "none" to test against the newest releases.'
        )
    if _TLS.search(cause):
        return ExternalError(
            f"The package index's TLS certificate is not trusted ({cause}). Behind a "
            "TLS-inspecting proxy, let uv use the machine's certificates (UV_SYSTEM_CERTS=1) or "
            "point SSL_CERT_FILE (or PIP_CERT) at the proxy's CA bundle."
        )
    if _NETWORK.search(cause):
        return ExternalError(
            f"The package index could not be reached while building the test environment "
            f"({cause}). Check the network and the index settings (UV_INDEX_URL, PIP_INDEX_URL)."
        )
    missing = list(dict.fromkeys(m.lower() for m in _NOT_FOUND.findall(text)))
    if plan.lock is not None and not missing:
        clash = _lock_clash(plan, cause, project_dir)
        if clash is not None:
            return clash
    names = missing + [n.lower() for n in _REQUIRE.findall(cause) if n.lower() not in missing]
    declared = [(n, plan.origins[normalize(n)]) for n in names if normalize(n) in plan.origins]
    where = "; ".join(f"{name} is declared in {', '.join(places)}" for name, places in declared)
    hint = f" {where}." if where else ""
    if missing:
        return CheckFailed(
            f"The test environment cannot be resolved: {cause}.{hint} Correct the name; or, if "
            "it comes from a private index, declare that index where the project's tool reads "
            "it ([[tool.poetry.source]], [[tool.pdm.source]], Pipfile [[source]]) or set "
            "UV_EXTRA_INDEX_URL."
        )
    if "No solution found" in text or "ResolutionImpossible" in text or "conflict" in text.lower():
        return CheckFailed(
            f"The test environment cannot be resolved: {cause}.{hint} Correct the requirement "
            "in that file, or override what is installed under [tool.pipelinekit.test] "
            "(dependencies, requirements, extras, groups, lock)."
        )
    return CheckFailed(
        f"Installing the test environment failed: {cause}.{hint} The installer's last lines "
        "are above."
    )


_MANIFESTS = ("pyproject.toml", "Pipfile", "setup.py", "setup.cfg")
"""Files a lock is made from: a lock that contradicts them is stale."""


def _lock_clash(plan: InstallPlan, cause: str, project_dir: Path) -> PipelinekitError | None:
    """A lock pin the resolver could not satisfy: a stale lock when the manifest excludes it,
    a conflict when another file (requirements-dev.txt) pins something else."""
    assert plan.lock is not None
    pinned = {pin.name: pin for pin in plan.pins}
    clash = [pinned[normalize(n)] for n in _REQUIRE.findall(cause) if normalize(n) in pinned]
    if not clash:
        return None
    pin = clash[0]
    lock = project_dir / plan.lock.path
    origins = plan.origins.get(pin.name, [])
    others = [o for o in origins if not o.startswith(_MANIFESTS)]
    if others:
        return ConfigError(
            f"{', '.join(others)} and {lock} disagree about {pin.name}: the lock holds "
            f"{pin.version} ({cause}). Align that file with the lock, or leave it out of the "
            "test environment with [tool.pipelinekit.test] requirements."
        )
    return ConfigError(
        f"{lock} no longer matches what the project declares: it locks "
        f"{pin.name}=={pin.version}, which {'; '.join(origins) or 'the project'} does not allow "
        f"({cause}). {REFRESH[plan.lock.kind].capitalize()}, commit the lock and run again; or "
        'set [tool.pipelinekit.test] lock = "none" to test against the newest releases.'
    )


_EXCEPTION = re.compile(r"^\s*(\w+(Error|Exception|Warning)\b.*|error: .*)$")


def _backend_error(lines: tuple[str, ...]) -> str | None:
    """The last exception line of a build backend's `[stderr]` block in uv's output
    (setuptools-scm's LookupError, a SyntaxError in setup.py), which uv's summary drops."""
    inside = False
    found = None
    for line in lines:
        if line.strip() == "[stderr]":
            inside = True
        elif inside and (match := _EXCEPTION.match(line)):
            found = match[1].strip()
    return found


def _cause(result: StreamResult) -> str:
    """The lines that say what went wrong (uv's `error:`/`cause:` lines, pip's `ERROR:`)."""
    lines = [line.strip() for line in result.lines if line.strip()]
    backend = _backend_error(result.lines)
    picked: list[str] = []
    following = False  # uv wraps a long cause to the terminal width: rejoin its lines
    for raw in result.lines:
        line = raw.strip()
        if re.match(r"(error|ERROR|cause|hint)\b", line) or line.startswith("╰─▶"):
            picked.append(re.sub(r"^(error|ERROR|cause|hint):\s*", "", line))
            following = True
        elif following and line and raw[:1].isspace() and not line.startswith(("\u00d7", "help:")):
            picked[-1] += " " + line
        else:
            following = False
    if backend:  # what the build backend said, before uv's generic hint
        picked = [line for line in picked if not line.startswith("Build failures")] + [backend]
    text = " ".join(picked[-6:] or lines[-3:]) or f"exit {result.returncode}"
    return text.rstrip(".")[:600]
