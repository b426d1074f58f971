"""Clean venvs for the benchmarks: every tool, pipelinekit included, runs from its own venv.

A tool run from the developer's interpreter pays for whatever that interpreter's site-packages
import at start-up (.pth files, editable-install finders), which the peers in their own venvs do
not; measuring everyone the same way keeps the ratios honest.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path.home() / ".cache" / "pipelinekit-bench"


def tool_venv(venv: Path, requirement: str, script: str) -> Path:
    """`script` of `requirement` installed in `venv` (reused when it already runs)."""
    exe = venv / "bin" / script
    if exe.exists() and subprocess.run([str(exe), "--help"], capture_output=True).returncode == 0:
        return exe
    print(f"installing {requirement} into {venv} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", requirement], check=True)
    return exe


def pipelinekit_venv(cache: Path = CACHE, extras: str = "") -> Path:
    """The `pipelinekit` script of this checkout in `cache/pipelinekit`, reinstalled (without
    touching its dependencies) on every call so the current code is what gets measured."""
    venv = cache / "pipelinekit"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "pip"), "install", "-q"]
    with tempfile.TemporaryDirectory() as tmp:
        source = clean_copy(Path(tmp) / "pipelinekit")
        target = f"{source}[{extras}]" if extras else str(source)
        subprocess.run([*pip, target], check=True)  # adds missing dependencies/extras only
        subprocess.run([*pip, "--no-deps", "--force-reinstall", str(source)], check=True)
    return venv / "bin" / "pipelinekit"


def clean_copy(dest: Path) -> Path:
    """The checkout's sources copied to `dest`: pip builds a project in its own folder, and
    setuptools would leave `build/` and `pipelinekit.egg-info` in the checkout."""
    ignore = shutil.ignore_patterns(
        ".git", ".tools", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
    )
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest
