"""Golden files: every generated file for every fixture layout, byte for byte.

Regenerate after an intended change with `PIPELINEKIT_UPDATE_GOLDEN=1 pytest tests/unit/test_golden.py`
and review the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelinekit.outputs import render_all
from pipelinekit.pipeline import plan
from pipelinekit.project import load_project
from tests.repo_factory import LAYOUTS

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
UPDATE = os.environ.get("PIPELINEKIT_UPDATE_GOLDEN") == "1"


def rendered(layout: str, root: Path) -> dict[str, str]:
    LAYOUTS[layout](root)
    project = load_project(root)
    pipeline = plan(project.facts, project.config)
    return {o.path: o.text for o in render_all(project.facts, project.config, pipeline)}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_golden(layout: str, tmp_path: Path) -> None:
    files = rendered(layout, tmp_path / "a")
    folder = GOLDEN / layout
    if UPDATE:
        for path, text in files.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text, encoding="utf-8")
    expected = {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    assert sorted(files) == sorted(expected)
    for path, text in files.items():
        assert text == expected[path], f"{layout}/{path} differs from its golden file"


@pytest.mark.parametrize("layout", ["src_setuptools", "subfolder_project"])
def test_rendering_is_deterministic(layout: str, tmp_path: Path) -> None:
    """Two renders of identical repos in different folders give identical bytes."""
    assert rendered(layout, tmp_path / "one") == rendered(layout, tmp_path / "two")
