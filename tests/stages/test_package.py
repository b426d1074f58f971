"""The package stage with real `python -m build` and `twine check --strict` runs.

The bundled example builds with setuptools in an isolated environment, as CI does (which
downloads setuptools from the package index). The small projects use a tiny in-tree PEP 517
backend instead, so they build offline in about a second: this environment's setuptools is too
old to build wheels without the `wheel` package, and the stage's logic (cleaning, stamping,
twine, errors) does not depend on the backend.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from pipelinekit.config.models import Config
from pipelinekit.config.stages import PackageConfig
from pipelinekit.detect.facts import ProjectFacts
from pipelinekit.errors import ConfigError, ExternalError, UsageError
from pipelinekit.release.settings import ReleaseConfig
from pipelinekit.stages import get
from pipelinekit.stages import package as stage
from pipelinekit.stages.base import StageContext
from tests.repo_factory import write_files as write

from .conftest import make_ctx

REPO_ROOT = Path(__file__).resolve().parents[2]

PYPROJECT = """\
[build-system]
requires = []
build-backend = "_backend"
backend-path = ["."]

[project]
name = "calc-tools"
version = "0.1.0"
description = "Adds numbers."
readme = "README.md"
"""

BACKEND = """\
import base64, hashlib, io, os, tarfile, tomllib, zipfile
from pathlib import Path


def _meta():
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    readme = project["readme"]
    kind = "text/markdown" if readme.endswith(".md") else "text/x-rst"
    meta = (
        f"Metadata-Version: 2.1\\nName: {project['name']}\\nVersion: {project['version']}\\n"
        f"Summary: {project['description']}\\nDescription-Content-Type: {kind}\\n\\n"
        + Path(readme).read_text()
    )
    return project["name"].replace("-", "_"), project["version"], meta.encode()


def get_requires_for_build_wheel(config_settings=None):
    return []


get_requires_for_build_sdist = get_requires_for_build_wheel


def build_sdist(sdist_directory, config_settings=None):
    dist, version, meta = _meta()
    base = f"{dist}-{version}"
    with tarfile.open(os.path.join(sdist_directory, base + ".tar.gz"), "w:gz") as tar:
        for path in sorted(Path(".").rglob("*")):
            skip = any(p.startswith(".") or p in ("dist", "__pycache__") for p in path.parts)
            if path.is_file() and not skip:
                tar.add(path, f"{base}/{path}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(meta)
        tar.addfile(info, io.BytesIO(meta))
    return base + ".tar.gz"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist, version, meta = _meta()
    info = f"{dist}-{version}.dist-info"
    files = {str(p): p.read_bytes() for p in sorted(Path("calc").rglob("*.py"))}
    files[f"{info}/METADATA"] = meta
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\\nGenerator: t\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    record = "".join(
        f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}\\n"
        for p, d in files.items()
    )
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\\n").encode()
    name = f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as whl:
        for path, data in files.items():
            whl.writestr(path, data)
    return name
"""


@pytest.fixture
def calc(tmp_path: Path) -> Path:
    return write(
        tmp_path / "calc",
        {
            "pyproject.toml": PYPROJECT,
            "README.md": "# calc\n\nAdds numbers.\n",
            "calc/__init__.py": '__version__ = "0.1.0"\n',
            "_backend.py": BACKEND,
        },
    )


def fast(**settings: object) -> Config:
    return Config(package=PackageConfig(isolation=False, **settings))  # type: ignore[arg-type]


def ctx_for(project: Path, config: Config | None = None, **kwargs: object) -> StageContext:
    facts = ProjectFacts(name="calc-tools", packages=("calc",), build_system="setuptools")
    return make_ctx(project, config or fast(), facts=facts, **kwargs)  # type: ignore[arg-type]


def names(paths: tuple[Path, ...]) -> list[str]:
    return sorted(p.name for p in paths)


def test_builds_checks_and_cleans_only_its_own_files(calc: Path) -> None:
    assert get("package") is stage
    write(
        calc,
        {
            "dist/calc_tools-0.0.9-py3-none-any.whl": "old",
            "dist/calc-tools-0.0.9.tar.gz": "old, unnormalised name",
            "dist/other_pkg-1.0-py3-none-any.whl": "not ours",
            "dist/notes.txt": "not ours",
        },
    )
    result = stage.run(ctx_for(calc))
    assert result.status == "passed", result.details
    built = ["calc_tools-0.1.0-py3-none-any.whl", "calc_tools-0.1.0.tar.gz"]
    assert names(result.reports) == built
    assert result.summary == f"built {', '.join(built)}; twine check passed"
    assert sorted(p.name for p in (calc / "dist").iterdir()) == [
        *built, "notes.txt", "other_pkg-1.0-py3-none-any.whl",
    ]  # fmt: skip
    assert "calc-tools-0.0.9.tar.gz" in result.details


def test_twine_strict_failure(calc: Path) -> None:
    write(calc, {"README.rst": "Title\n===\n\n`broken\n"})
    pyproject = calc / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("README.md", "README.rst"))
    result = stage.run(ctx_for(calc))
    assert result.status == "failed" and result.exit_code == 1
    assert result.summary.startswith("package: twine check failed for calc_tools-0.1.0")
    assert "FAILED" in result.details
    assert len(result.reports) == 2


def test_build_failure(calc: Path) -> None:
    (calc / "README.md").unlink()
    result = stage.run(ctx_for(calc))
    assert result.status == "failed"
    assert result.summary == "package: build failed"
    assert "FileNotFoundError" in result.details


def test_version_from_environment_is_stamped_into_a_copy(calc: Path) -> None:
    before = (calc / "pyproject.toml").read_text()
    result = stage.run(ctx_for(calc, env={"PIPELINEKIT_VERSION": "1.2.0-rc.1"}))
    assert result.status == "passed", result.details
    assert names(result.reports) == [
        "calc_tools-1.2.0rc1-py3-none-any.whl",
        "calc_tools-1.2.0rc1.tar.gz",
    ]
    assert "version 1.2.0rc1 stamped from PIPELINEKIT_VERSION" in result.details
    assert (calc / "pyproject.toml").read_text() == before  # the checkout is untouched
    with zipfile.ZipFile(calc / "dist" / "calc_tools-1.2.0rc1-py3-none-any.whl") as whl:
        assert whl.read("calc/__init__.py").decode() == '__version__ = "1.2.0rc1"\n'
    with pytest.raises(UsageError, match="not a valid version"):
        stage.run(ctx_for(calc, env={"PIPELINEKIT_VERSION": "next"}))


def test_stamping_needs_a_version_file(calc: Path) -> None:
    # A version file the build does not read: the artifacts' names give it away.
    write(calc, {"VERSION": "0.1.0\n"})
    config = Config(
        package=PackageConfig(isolation=False), release=ReleaseConfig(version_files=["VERSION"])
    )
    with pytest.raises(ConfigError, match=r"ignored the stamped version 2\.0\.0"):
        stage.run(ctx_for(calc, config, env={"PIPELINEKIT_VERSION": "2.0.0"}))
    pyproject = calc / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('version = "0.1.0"', 'dynamic = ["version"]')
    )
    write(calc, {"calc/__init__.py": ""})
    with pytest.raises(ConfigError, match="no file holding the version"):
        stage.run(ctx_for(calc, env={"PIPELINEKIT_VERSION": "2.0.0"}))


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
        cwd=repo, check=True, capture_output=True,
    )  # fmt: skip


def test_version_from_release_policy(calc: Path) -> None:
    write(calc, {".gitignore": "dist/\n.pipelinekit/\n*.egg-info/\nbuild/\n", "data/big.bin": "x"})
    (calc / ".gitignore").write_text((calc / ".gitignore").read_text() + "data/\n")
    git(calc, "init", "-q", "-b", "main")
    git(calc, "add", "-A")
    git(calc, "commit", "-q", "-m", "chore: start")
    git(calc, "tag", "v0.1.0")
    (calc / "calc" / "more.py").write_text("X = 1\n")
    git(calc, "add", "-A")
    git(calc, "commit", "-q", "-m", "feat: more")
    result = stage.run(ctx_for(calc, fast(version_from="release")))
    assert result.status == "passed", result.details
    assert names(result.reports) == ["calc_tools-0.2.0-py3-none-any.whl", "calc_tools-0.2.0.tar.gz"]
    assert "0.2.0 stamped from the release policy" in result.details
    git(calc, "checkout", "-q", "-b", "spike")
    spike = stage.run(ctx_for(calc, fast(version_from="release")))
    assert names(spike.reports)[0] == "calc_tools-0.1.0-py3-none-any.whl"
    assert "has no release channel" in spike.details
    git(calc, "checkout", "-q", "main")
    git(calc, "tag", "v0.2.0")
    done = stage.run(ctx_for(calc, fast(version_from="release")))
    assert "version not stamped (No releasable change" in done.details


def test_build_and_twine_missing(calc: Path, no_site_python: str) -> None:
    with pytest.raises(ExternalError, match=r"-m pip install build twine"):
        stage.run(ctx_for(calc, python=no_site_python))


def test_skips(calc: Path) -> None:
    assert (
        stage.run(ctx_for(calc, Config(package=PackageConfig(enabled=False)))).status == "skipped"
    )
    bare = make_ctx(calc, facts=ProjectFacts(name="calc", packages=("calc",)))
    assert stage.run(bare).summary.startswith("package: nothing to build")


def test_bundled_example_builds_isolated(tmp_path: Path) -> None:
    project = tmp_path / "churn-model"
    shutil.copytree(
        REPO_ROOT / "examples" / "churn-model",
        project,
        ignore=shutil.ignore_patterns(".*cache", "*.egg-info", ".pipelinekit", "dist", "build"),
    )
    facts = ProjectFacts(name="churn-model", packages=("churn",), build_system="setuptools")
    result = stage.run(make_ctx(project, facts=facts, env={"PIPELINEKIT_VERSION": "0.3.0"}))
    assert result.status == "passed", result.details
    assert names(result.reports) == [
        "churn_model-0.3.0-py3-none-any.whl",
        "churn_model-0.3.0.tar.gz",
    ]
