"""Regenerate the golden files of tests/golden after an intended change to what is rendered.

Run from the checkout: `python -m tests.support.update_golden`, then review `git diff
tests/golden` like code. The golden test itself only ever compares (it cannot pass by
rewriting what it compares against); this is the one way to write the files.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.repo_factory import LAYOUTS

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
STAGES = ("lint", "test")
"""The stages the golden files plan with (as every unit test does, see tests/unit/conftest.py),
so they do not change as stage modules are added."""
FOLDER = "a"
"""The folder each layout is built in: it names a project nothing else names (requirements_only)."""


def rendered(layout: str, root: Path) -> dict[str, str]:
    """Every file pipelinekit generates for the fixture `layout` built in `root`."""
    from unittest import mock

    from pipelinekit.plan.planner import plan
    from pipelinekit.project import load_project
    from pipelinekit.render.outputs import render_all

    LAYOUTS[layout](root)
    with mock.patch("pipelinekit.stages.implemented", lambda: STAGES):
        project = load_project(root)
        pipeline = plan(project.facts, project.config)
        return {o.path: o.text for o in render_all(project.facts, project.config, pipeline)}


def update(golden: Path = GOLDEN) -> list[str]:
    """Write every layout's files under `golden/<layout>`, delete files no longer generated;
    returns what changed, as `written|removed layout/path` lines."""
    changes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for layout in sorted(LAYOUTS):
            files = rendered(layout, Path(tmp) / layout / FOLDER)
            folder = golden / layout
            for path, text in files.items():
                target = folder / path
                if not target.is_file() or target.read_text(encoding="utf-8") != text:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
                    changes.append(f"written {layout}/{path}")
            stale = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
            for old in sorted(stale):
                if old.relative_to(folder).as_posix() not in files:
                    old.unlink()
                    changes.append(f"removed {layout}/{old.relative_to(folder).as_posix()}")
    return changes


def main() -> int:
    changes = update()
    for line in changes:
        print(line)
    print(f"{len(changes)} golden file(s) changed; review them with `git diff tests/golden`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
