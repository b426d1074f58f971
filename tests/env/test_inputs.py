"""What the installer gets: lock pins, stale-lock and conda errors, local paths, origins.

The lock readers are checked on the real lock files of tests/envrepos (written by uv, Poetry,
PDM, pipenv and pip-tools); the error paths on small hand-made inputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinekit.config.models import Config, parse_config
from pipelinekit.detect.facts import LockFile
from pipelinekit.detect.repo import detect
from pipelinekit.env import conda
from pipelinekit.env.inputs import absolute_paths, plan_install
from pipelinekit.env.locks import Pin, read_pins
from pipelinekit.env.planner import plan_env
from pipelinekit.errors import ConfigError
from tests.repo_factory import write_files

ENVREPOS = Path(__file__).resolve().parents[1] / "envrepos"


@pytest.mark.parametrize(
    ("repo", "kind", "path"),
    [
        ("extras_uv_lock", "uv", "uv.lock"),
        ("poetry_groups_lock", "poetry", "poetry.lock"),
        ("pdm_dev_lock", "pdm", "pdm.lock"),
        ("pipfile_lock", "pipfile", "Pipfile.lock"),
        ("pylock_toml", "pylock", "pylock.toml"),
        ("hashed_requirements", "pinned", "requirements.txt"),
    ],
)
def test_real_locks_pin_the_old_attrs(repo: str, kind: str, path: str) -> None:
    """Each golden repository locks attrs below its newest release; every reader finds it."""
    pins = {p.name: p for p in read_pins(ENVREPOS / repo, LockFile(kind=kind, path=path))}  # type: ignore[arg-type]
    assert "attrs" in pins, sorted(pins)
    assert pins["attrs"].version.split(".")[0] in {"21", "22"}
    assert all(p.name == p.name.lower() for p in pins.values())


def test_pins_with_several_versions_need_markers(tmp_path: Path) -> None:
    (tmp_path / "poetry.lock").write_text(
        '[[package]]\nname = "numpy"\nversion = "1.24.4"\nmarkers = "python_version < \\"3.9\\""\n'
        '[[package]]\nname = "numpy"\nversion = "1.26.4"\nmarkers = "python_version >= \\"3.9\\""\n'
        '[[package]]\nname = "scipy"\nversion = "1.0"\n'
        '[[package]]\nname = "scipy"\nversion = "1.1"\n'
        '[[package]]\nname = "lib"\nversion = "0.1"\n[package.source]\ntype = "git"\n'
    )
    pins = read_pins(tmp_path, LockFile(kind="poetry", path="poetry.lock"))
    assert [p.constraint() for p in pins] == [
        'numpy==1.24.4 ; python_version < "3.9"',
        'numpy==1.26.4 ; python_version >= "3.9"',
    ]  # scipy twice without markers: left to the resolver; a git source: no version pin


def test_unreadable_lock_says_how_to_refresh(tmp_path: Path) -> None:
    (tmp_path / "pdm.lock").write_text("[[package]\n")
    with pytest.raises(
        ConfigError, match=r"pdm.lock cannot be read as a pdm lock.*pdm lock --update-reuse"
    ):
        read_pins(tmp_path, LockFile(kind="pdm", path="pdm.lock"))


def _poetry_repo(root: Path, lock_packages: list[tuple[str, str]]) -> Path:
    lock = "".join(f'[[package]]\nname = "{n}"\nversion = "{v}"\n' for n, v in lock_packages)
    return write_files(
        root,
        {
            "pyproject.toml": """\
                [tool.poetry]
                name = "app"
                version = "1.0.0"
                [tool.poetry.dependencies]
                python = "^3.9"
                attrs = ">=21"
                pywin32 = { version = "*", markers = "sys_platform == 'win32'" }
                [tool.poetry.group.test.dependencies]
                pytest = "*"
                six = "*"
                [build-system]
                requires = ["poetry-core"]
                build-backend = "poetry.core.masonry.api"
            """,
            "app/__init__.py": "",
            "poetry.lock": lock,
        },
    )


def test_stale_lock_names_what_is_missing(tmp_path: Path) -> None:
    root = _poetry_repo(tmp_path, [("attrs", "22.2.0"), ("pytest", "7.4.0")])
    spec = plan_env(detect(root), Config())
    with pytest.raises(ConfigError) as caught:
        plan_install(root, spec, native_locks=True)
    message = caught.value.message
    assert "poetry.lock no longer matches" in message
    assert "six (pyproject.toml [tool.poetry.group.test])" in message
    assert "pywin32" not in message  # Windows-only: rightly not in a lock for Linux
    assert "poetry lock" in message and 'lock = "none"' in message


def test_fresh_lock_becomes_constraints_beside_the_manifest(tmp_path: Path) -> None:
    root = _poetry_repo(tmp_path, [("attrs", "22.2.0"), ("pytest", "7.4.0"), ("six", "1.16.0")])
    plan = plan_install(root, plan_env(detect(root), Config()), native_locks=True)
    assert plan.native is None  # uv cannot read poetry.lock: its pins constrain instead
    assert [p.constraint() for p in plan.pins] == ["attrs==22.2.0", "pytest==7.4.0", "six==1.16.0"]
    assert plan.project == "."
    assert [line.text for line in plan.lines] == ["pytest", "six", "coverage"]
    assert plan.origins["six"] == ["pyproject.toml [tool.poetry.group.test]"]
    assert plan.origins["attrs"] == ["pyproject.toml [tool.poetry.dependencies]"]


def test_uv_lock_is_synced_natively_and_pins_the_rest(tmp_path: Path) -> None:
    root = ENVREPOS / "extras_uv_lock"
    spec = plan_env(detect(root), Config())
    native = plan_install(root, spec, native_locks=True)
    assert native.native is not None and native.native.kind == "uv"
    assert native.native_extras == ["test"] and native.native_project
    assert native.project is None  # uv sync installs the project
    assert any(p.name == "attrs" for p in native.pins)
    fallback = plan_install(root, spec, native_locks=False)  # pip: the lock as constraints
    assert fallback.native is None and fallback.project == ".[test]"


def test_conda_packages_map_to_pypi_or_fail_clearly(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app.py": "",
            "environment.yml": "dependencies:\n  - python=3.11\n  - pytorch>=2\n  - cudatoolkit=11.8\n  - r-base\n",
        },
    )
    spec = plan_env(detect(tmp_path), Config())
    with pytest.raises(ConfigError) as caught:
        plan_install(tmp_path, spec, native_locks=True)
    message = caught.value.message
    assert "environment.yml lists r-base, which exists only on conda" in message
    assert 'conda_packages = { "r-base" = "" }' in message
    mapped = parse_config({"test": {"conda_packages": {"r-base": ""}}}, source="p")
    plan = plan_install(tmp_path, plan_env(detect(tmp_path), mapped), native_locks=True)
    assert [line.text for line in plan.lines if "environment.yml" in line.origin] == ["torch>=2"]
    assert any("left out cudatoolkit" in note for note in plan.notes)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("numpy=1.24", ["numpy==1.24.*"]),
        ("conda-forge::numpy >=1.20", ["numpy>=1.20"]),
        ("py-xgboost==1.7.6=cpu_py39", ["xgboost==1.7.6"]),
        ("matplotlib-base", ["matplotlib"]),
        ("pip", []),
    ],
)
def test_conda_spec_conversion(spec: str, expected: list[str]) -> None:
    assert conda.to_pypi([spec], {}).requirements == expected


def test_local_paths_become_absolute(tmp_path: Path) -> None:
    assert absolute_paths("-e ./libs/x", tmp_path) == f"-e {(tmp_path / 'libs' / 'x').as_uri()}"
    spaced = tmp_path / "My Projekt ü"
    assert absolute_paths("-e ./lib", spaced).endswith("/My%20Projekt%20%C3%BC/lib")
    assert absolute_paths("x @ ./libs/x", tmp_path) == f"x @ {(tmp_path / 'libs' / 'x').as_uri()}"
    assert absolute_paths("pandas>=2", tmp_path) == "pandas>=2"


def test_missing_configured_requirement_file(tmp_path: Path) -> None:
    write_files(tmp_path, {"app.py": "", "tests/test_app.py": ""})
    spec = plan_env(
        detect(tmp_path), parse_config({"test": {"requirements": ["ci/x.txt"]}}, source="p")
    )
    with pytest.raises(ConfigError, match=r"ci/x.txt does not exist"):
        plan_install(tmp_path, spec, native_locks=True)


def test_pin_constraint_text() -> None:
    assert Pin("a", "1", "python_version < '3.9'").constraint() == "a==1 ; python_version < '3.9'"
