"""A golden repository copied, pointed at this checkout's pipelinekit wheel and initialised
(`pipelinekit init --ci gitlab`) in a git repository, ready for gitlab-ci-local: the generated
jobs install pipelinekit from the wheel, as a real runner installs it from the index."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.support.git import init_repo


def generated_repo(
    source: Path,
    dest: Path,
    wheel: Path,
    *,
    settings: str = "",
    init_args: Sequence[str] = (),
) -> tuple[Path, str]:
    """(the repository, init's output). `settings` are more `[tool.pipelinekit.*]` tables,
    written as pipelinekit.toml keys where the repository has no pyproject.toml."""
    repo = dest / source.name
    shutil.copytree(source, repo)
    text = f'[tool.pipelinekit.ci]\npipelinekit_source = "@ {wheel.as_uri()}"\n{settings}'
    if (repo / "pyproject.toml").is_file():
        with (repo / "pyproject.toml").open("a") as fh:
            fh.write("\n" + text)
    else:
        (repo / "pipelinekit.toml").write_text(text.replace("[tool.pipelinekit.", "["))
    init = subprocess.run(
        [sys.executable, "-m", "pipelinekit", "init", str(repo), "--ci", "gitlab", *init_args],
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    init_repo(repo)
    return repo, init.stdout
