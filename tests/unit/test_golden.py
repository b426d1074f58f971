"""Golden files: every generated file for every fixture layout, byte for byte.

Regenerate after an intended change with `python -m tests.support.update_golden` and review the
diff like code; this test only compares, so it fails whenever the output moved.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.repo_factory import LAYOUTS
from tests.support import update_golden
from tests.support.update_golden import FOLDER, GOLDEN, rendered, update


def golden_files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_golden(layout: str, tmp_path: Path) -> None:
    files = rendered(layout, tmp_path / FOLDER)
    expected = golden_files(GOLDEN / layout)
    assert sorted(files) == sorted(expected)
    for path, text in files.items():
        assert text == expected[path], f"{layout}/{path} differs from its golden file"


def tampered_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "golden"
    shutil.copytree(GOLDEN, copy)
    (copy / "src_setuptools" / "Jenkinsfile").write_text("edited\n", encoding="utf-8")
    return copy


def test_golden_fails_on_a_difference_whatever_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old `PIPELINEKIT_UPDATE_GOLDEN=1` made this test rewrite its expectations and pass."""
    monkeypatch.setenv("PIPELINEKIT_UPDATE_GOLDEN", "1")
    monkeypatch.setattr(sys.modules[__name__], "GOLDEN", tampered_copy(tmp_path))
    with pytest.raises(AssertionError, match="src_setuptools/Jenkinsfile differs"):
        test_golden("src_setuptools", tmp_path / "repo")
    assert (update_golden.GOLDEN / "src_setuptools" / "Jenkinsfile").read_text() != "edited\n"


def test_update_command_writes_the_golden_files(tmp_path: Path) -> None:
    """The update command, into a copy: a changed file is rewritten, a stale one removed, and
    the result is the checked-in golden tree."""
    copy = tampered_copy(tmp_path)
    (copy / "src_setuptools" / "stale.txt").write_text("old\n", encoding="utf-8")
    assert update(copy) == [
        "written src_setuptools/Jenkinsfile",
        "removed src_setuptools/stale.txt",
    ]
    assert golden_files(copy) == golden_files(GOLDEN)
    assert update(copy) == []


@pytest.mark.parametrize("layout", ["src_setuptools", "subfolder_project"])
def test_rendering_is_deterministic(layout: str, tmp_path: Path) -> None:
    """Two renders of identical repos in different folders give identical bytes."""
    assert rendered(layout, tmp_path / "one") == rendered(layout, tmp_path / "two")
