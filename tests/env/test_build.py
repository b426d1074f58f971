"""Project environments on disk, built by the real uv: the key, reuse, rebuilds, pruning,
concurrent builders, failures that leave nothing half-built, and the installer's errors as
one paragraph naming the file and the package (uv resolves against the package index)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

from pipelinekit.config.models import Config, parse_config
from pipelinekit.detect.facts import LockFile
from pipelinekit.detect.repo import detect
from pipelinekit.env import build
from pipelinekit.env.build import ENVS_DIR, KEEP, MARKER, ensure
from pipelinekit.env.engine import install_error, trust_env
from pipelinekit.env.inputs import InstallPlan, plan_install
from pipelinekit.env.locks import Pin
from pipelinekit.env.planner import plan_env
from pipelinekit.errors import CheckFailed, ConfigError, ExternalError
from pipelinekit.util.stream import StreamResult
from tests.repo_factory import write_files

NO_TOOLS = parse_config(
    {"test": {"framework": "unittest"}, "coverage": {"enabled": False}}, source="p"
)


def tiny(root: Path, dependencies: str = "[]", extra: str = "") -> Path:
    """A project with nothing to download: its own package, no dependencies, unittest."""
    return write_files(
        root,
        {
            "pyproject.toml": (
                f'[project]\nname = "tiny"\nversion = "1.0"\ndependencies = {dependencies}\n'
                '[build-system]\nrequires = ["setuptools>=61"]\n'
                'build-backend = "setuptools.build_meta"\n' + extra
            ),
            "tiny/__init__.py": "VALUE = 42\n",
            "tests/test_tiny.py": "import unittest\n",
        },
    )


def make(root: Path, config: Config = NO_TOOLS, lines: list[str] | None = None) -> build.ProjectEnv:
    out = lines if lines is not None else []
    return ensure(root, plan_env(detect(root), config), out=out.append)


def test_built_once_then_reused_until_a_source_changes(tmp_path: Path) -> None:
    root = tiny(tmp_path / "p")
    lines: list[str] = []
    first = make(root, lines=lines)
    assert not first.reused and first.python.is_file()
    assert any(line.startswith("environment: installing the project (editable)") for line in lines)
    value = subprocess.run(
        [str(first.python), "-c", "import tiny; print(tiny.VALUE)"], capture_output=True, text=True
    )
    assert value.stdout.strip() == "42"  # the project itself, installed editable
    second = make(root)
    assert second.reused and second.key == first.key and second.path == first.path
    assert (root / ".pipelinekit" / ".gitignore").read_text().endswith("*\n")  # never committed
    # a table pipelinekit does not build from: same environment
    with (root / "pyproject.toml").open("a") as fh:
        fh.write("[tool.ruff]\nline-length = 99\n")
    assert make(root).reused
    # a dependency: a new one
    text = (
        (root / "pyproject.toml")
        .read_text()
        .replace(
            "dependencies = []", "dependencies = [\"tiny-dep-missing>=0; python_version < '3'\"]"
        )
    )
    (root / "pyproject.toml").write_text(text)
    third = make(root)
    assert not third.reused and third.key != first.key


def test_an_incomplete_environment_is_rebuilt(tmp_path: Path) -> None:
    root = tiny(tmp_path / "p")
    first = make(root)
    (first.path / MARKER).unlink()  # as if the build was killed before its end
    assert not make(root).reused
    marker = json.loads((first.path / MARKER).read_text())
    assert marker["key"] == first.key and marker["python"].count(".") == 2


def test_only_the_newest_environments_are_kept(tmp_path: Path) -> None:
    root = tiny(tmp_path / "p")
    made = []
    for n in range(KEEP + 2):
        text = (root / "pyproject.toml").read_text()
        (root / "pyproject.toml").write_text(
            text.replace(f'version = "1.{n}"', f'version = "1.{n + 1}"')
            if n
            else text.replace('version = "1.0"', 'version = "1.1"')
        )
        made.append(make(root).path)
    left = sorted(p.name for p in (root / ENVS_DIR).iterdir() if p.is_dir())
    assert len(left) == KEEP and made[-1].name in left and made[0].name not in left


def test_two_builders_at_once_build_once(tmp_path: Path) -> None:
    root = tiny(tmp_path / "p")
    results: list[build.ProjectEnv] = []
    threads = [threading.Thread(target=lambda: results.append(make(root))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.reused for r in results) == [False, True]


def test_unresolvable_requirement_leaves_nothing_and_names_the_file(tmp_path: Path) -> None:
    root = tiny(tmp_path / "p")
    (root / "requirements-dev.txt").write_text("pipelinekit-no-such-package-xyz==1.0\n")
    with pytest.raises(CheckFailed) as caught:
        make(root)
    message = caught.value.message
    assert "cannot be resolved" in message
    assert "pipelinekit-no-such-package-xyz is declared in requirements-dev.txt" in message
    assert not any(p.is_dir() for p in (root / ENVS_DIR).iterdir())


def test_no_interpreter_for_the_version(tmp_path: Path) -> None:
    root = tiny(tmp_path / "p")
    spec = plan_env(
        detect(root),
        parse_config({"test": {"python": "3.31"}, "coverage": {"enabled": False}}, source="p"),
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "UV_PYTHON_DOWNLOADS": "never"}
    with pytest.raises(
        ExternalError, match=r"No Python 3.31 was found on this machine.*uv python install 3.31"
    ):
        ensure(root, spec, out=lambda _line: None, environ=env)


def test_a_lock_the_manifest_outgrew_is_stale_not_unresolvable() -> None:
    """`attrs>=23` declared, `attrs==22.2.0` locked: the resolver says no, but the cause is the
    lock, so the answer is to refresh it (exit 2), not to fix a requirement."""
    plan = InstallPlan(
        lock=LockFile(kind="poetry", path="poetry.lock"), pins=[Pin("attrs", "22.2.0")]
    )
    plan.declare("attrs>=23", "pyproject.toml [tool.poetry.dependencies]")
    output = (
        "error: No solution found when resolving dependencies:",
        "  ╰─▶ Because you require attrs>=23 and attrs==22.2.0, we can conclude that your requirements are unsatisfiable.",
    )
    error = install_error(StreamResult(1, output, None), plan, Path("/p"))
    assert isinstance(error, ConfigError) and error.exit_code == 2
    assert (
        "locks attrs==22.2.0, which pyproject.toml [tool.poetry.dependencies] does not allow"
        in error.message
    )
    assert "poetry lock" in error.message


def test_a_requirement_file_that_contradicts_the_lock_is_named() -> None:
    """uv.lock is fresh; requirements-dev.txt pins another attrs: the file is the problem."""
    plan = InstallPlan(lock=LockFile(kind="uv", path="uv.lock"), pins=[Pin("attrs", "22.2.0")])
    plan.declare("attrs>=21", "pyproject.toml [project] dependencies")
    plan.declare("attrs==23.1.0", "requirements-dev.txt")
    output = (
        "  ╰─▶ Because you require attrs==23.1.0 and attrs==22.2.0, we can conclude that your requirements are unsatisfiable.",
    )
    error = install_error(StreamResult(1, output, None), plan, Path("/p"))
    assert isinstance(error, ConfigError)
    assert error.message.startswith("requirements-dev.txt and /p/uv.lock disagree about attrs")
    assert "uv lock" not in error.message  # refreshing the lock would not help


def test_a_private_package_missing_from_the_index_says_how_to_declare_the_index() -> None:
    plan = InstallPlan(
        lock=LockFile(kind="poetry", path="poetry.lock"), pins=[Pin("corp-utils", "1.2.0")]
    )
    plan.declare("corp-utils>=1.2,<2.0", "pyproject.toml [tool.poetry.dependencies]")
    output = (
        "error: No solution found when resolving dependencies:",
        "  ╰─▶ Because corp-utils was not found in the package registry and you require corp-utils>=1.2,<2.0, we can conclude that your requirements are unsatisfiable.",
    )
    error = install_error(StreamResult(1, output, None), plan, Path("/p"))
    assert isinstance(error, CheckFailed)  # not "the lock is stale": the lock is fine
    assert "corp-utils is declared in pyproject.toml [tool.poetry.dependencies]" in error.message
    assert "[[tool.poetry.source]]" in error.message


def test_a_build_backends_own_error_is_kept() -> None:
    output = (
        "error: Failed to build `scm-app @ file:///p`",
        "  cause: The build backend returned an error",
        "  cause: Call to `setuptools.build_meta.build_editable` failed (exit status: 1)",
        "         [stderr]",
        "         Traceback (most recent call last):",
        '           File "<string>", line 14, in <module>',
        "         LookupError: setuptools-scm was unable to detect version for /p.",
        "hint: This usually indicates a problem with the package or the build environment.",
    )
    error = install_error(StreamResult(1, output, None), InstallPlan(), Path("/p"))
    assert "LookupError: setuptools-scm was unable to detect version" in error.message


def test_uv_trusts_the_ca_bundle_pip_is_told_about(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert trust_env({"PIP_CERT": str(bundle)})["SSL_CERT_FILE"] == str(bundle)
    assert trust_env({"PIP_CERT": str(bundle), "SSL_CERT_FILE": "/x"})["SSL_CERT_FILE"] == "/x"
    assert "SSL_CERT_FILE" not in trust_env({"PIP_CERT": str(tmp_path / "missing.pem")})


@pytest.mark.parametrize(
    ("output", "kind", "fragment"),
    [
        (
            [
                "error: No solution found when resolving dependencies:",
                "  ╰─▶ Because you require attrs>=30 and attrs==22.2.0, we can conclude that your requirements are unsatisfiable.",
            ],
            CheckFailed,
            "attrs is declared in pyproject.toml [project] dependencies",
        ),
        (
            [
                "error: Failed to fetch: `https://pypi.org/simple/attrs/`",
                "  Caused by: dns error: failed to lookup address information",
            ],
            ExternalError,
            "package index could not be reached",
        ),
        (
            [
                "error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided. To update the lockfile, run `uv lock`."
            ],
            Exception,
            "uv.lock no longer matches pyproject.toml",
        ),
    ],
)
def test_installer_failures_become_one_paragraph(
    output: list[str], kind: type[Exception], fragment: str
) -> None:
    plan = InstallPlan()
    plan.declare("attrs>=21", "pyproject.toml [project] dependencies")
    error = install_error(StreamResult(1, tuple(output), None), plan, Path("/p"))
    assert isinstance(error, kind) and fragment in error.message and "\n" not in error.message


def test_pip_and_venv_where_uv_cannot_run(tmp_path: Path) -> None:
    """Without uv the same plan is built with venv and pip, said once, the lock as constraints."""
    root = tiny(tmp_path / "p", dependencies='["attrs>=21"]')
    (root / "requirements-dev.txt").write_text("six\n")
    (root / "pylock.toml").write_text(
        'lock-version = "1.0"\ncreated-by = "hand"\n'
        '[[packages]]\nname = "attrs"\nversion = "22.2.0"\n'
    )
    lines: list[str] = []
    env = {**os.environ, "PIPELINEKIT_UV": str(tmp_path / "no-uv")}
    built = ensure(root, plan_env(detect(root), NO_TOOLS), out=lines.append, environ=env)
    assert any("uv is not available here" in line for line in lines)
    assert any(line.endswith("with pip") for line in lines if "installing" in line)
    versions = subprocess.run(
        [str(built.python), "-c", "import attrs, six; print(attrs.__version__)"],
        capture_output=True,
        text=True,
    )
    assert versions.stdout.strip() == "22.2.0", versions.stderr


def key_of(root: Path, project_dir: Path | None = None) -> str:
    """The environment key `ensure` would compute, without building anything."""
    project_dir = project_dir or root
    spec = plan_env(detect(project_dir), NO_TOOLS)
    plan = plan_install(project_dir, spec, native_locks=True)
    return build.env_key(project_dir, spec, None, "uv", plan.key_paths)


def test_the_key_covers_every_file_the_environment_is_built_from(tmp_path: Path) -> None:
    """Bug hunt: environments were reused after a constraint file outside the project, a local
    path dependency's metadata or a file setup.py reads had changed."""
    mono = write_files(
        tmp_path / "mono",
        {
            "constraints.txt": "attrs==23.1.0\n",
            "svc/mod.py": "X = 1\n",
            "svc/requirements.txt": "-c ../constraints.txt\nattrs\n-e ./libs/helper\n",
            "svc/libs/helper/pyproject.toml": '[project]\nname = "helper"\nversion = "1"\n',
            "svc/tests/test_mod.py": "",
        },
    )
    svc = mono / "svc"
    before = key_of(mono, svc)
    (mono / "constraints.txt").write_text("attrs==22.2.0\n")
    after_constraint = key_of(mono, svc)
    assert after_constraint != before
    helper = svc / "libs" / "helper" / "pyproject.toml"
    helper.write_text(helper.read_text() + 'dependencies = ["colorama"]\n')
    assert key_of(mono, svc) != after_constraint

    setup = write_files(
        tmp_path / "setup",
        {
            "setup.py": (
                "import os\nfrom setuptools import setup\n\n"
                "def read(name):\n    return open(os.path.join('reqs', name)).read().split()\n\n"
                "setup(name='s', version='1', py_modules=['s'], install_requires=read('base.txt'))\n"
            ),
            "s.py": "",
            "reqs/base.txt": "attrs\n",
            "tests/test_s.py": "",
        },
    )
    first = key_of(setup)
    (setup / "reqs" / "base.txt").write_text("attrs\nidna\n")
    assert key_of(setup) != first
    (setup / "README.md").write_text("unrelated\n")
    assert key_of(setup) == key_of(setup)


def test_generated_inputs_do_not_outlive_the_build(tmp_path: Path) -> None:
    root = tiny(tmp_path / "p")
    (root / "requirements-dev.txt").write_text("pipelinekit-no-such-package-xyz==1.0\n")
    with pytest.raises(CheckFailed):
        make(
            root,
            config=parse_config(
                {"test": {"dependencies": ["six"]}, "coverage": {"enabled": False}}, source="p"
            ),
        )
    assert sorted(p.name for p in (root / ENVS_DIR).iterdir() if not p.name.endswith(".lock")) == []


def test_a_git_versioned_project_outside_git_builds_as_0_0_0(tmp_path: Path) -> None:
    """setuptools-scm cannot see a version without .git (a copy, an export): build it as
    0.0.0 and say so, instead of failing on a project that is fine."""
    root = write_files(
        tmp_path / "scm",
        {
            "pyproject.toml": (
                '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\n'
                'build-backend = "setuptools.build_meta"\n'
                '[project]\nname = "scm-app"\ndynamic = ["version"]\n'
                '[tool.setuptools]\npackages = ["scm_app"]\n[tool.setuptools_scm]\n'
            ),
            "scm_app/__init__.py": "",
            "tests/test_app.py": "",
        },
    )
    lines: list[str] = []
    built = make(root, lines=lines)
    assert any("built as 0.0.0" in line for line in lines)
    version = subprocess.run(
        [str(built.python), "-c", "import importlib.metadata as m; print(m.version('scm-app'))"],
        capture_output=True,
        text=True,
    )
    assert version.stdout.strip() == "0.0.0"
