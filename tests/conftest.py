from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.benchvenv import clean_copy

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = REPO_ROOT / "examples" / "churn-model"


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A fresh copy of the bundled example repository."""
    target = tmp_path / "churn-model"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".pipelinekit", "*.egg-info"))
    return target


@pytest.fixture(scope="session")
def pipelinekit_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pipelinekit as generated CI jobs install it: a wheel of this checkout, built once."""
    folder = tmp_path_factory.mktemp("wheel")
    # from a copy: setuptools builds in the source folder (build/, egg-info), and two
    # pytest-xdist workers building the checkout at once broke each other's build
    source = clean_copy(tmp_path_factory.mktemp("source") / "pipelinekit")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(folder),
            str(source),
        ],
        check=True,
    )
    return next(folder.glob("pipelinekit-*.whl"))


@pytest.fixture
def readonly_mount(tmp_path: Path) -> Iterator[Path]:
    """A folder on a tmpfs that the test fills, then remounted read-only, so even root
    cannot write there (os.access and open both see EROFS). Needs root and mount(8)."""
    mount = tmp_path / "ro"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("mount(8) is not available")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def make_readonly(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup`), the Docker tests share one worker: each worker
    would otherwise start its own dockerd and build the same stand-in images."""
    docker_dir = REPO_ROOT / "tests" / "docker"
    for item in items:
        if docker_dir in Path(item.path).parents:
            item.add_marker(pytest.mark.xdist_group("docker"))
