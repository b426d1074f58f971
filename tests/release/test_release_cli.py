"""The `release` command group: PATH or subcommand first, --format, and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import invoke
from .gitfactory import Tag, linear, published


def test_help_lists_subcommands_but_not_the_path_shim() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for name in ("next", "verify", "lint"):
        assert name in result.stdout
    assert "_run" not in result.stdout
    assert "[PATH] | COMMAND" in result.stdout


def test_path_and_options_in_any_order(tmp_path: Path) -> None:
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"), "fix: a")
    for args in (
        (str(repo.path), "--dry-run", "--format", "json"),
        ("--dry-run", "--format", "json", str(repo.path)),
        ("--format", "json", str(repo.path), "--dry-run"),
    ):
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert json.loads(result.stdout)["version"] == "1.0.1"


def test_no_arguments_release_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"), "feat: a")
    monkeypatch.chdir(repo.path)
    result = invoke("--dry-run")
    assert result.exit_code == 0 and "version:  1.1.0" in result.stdout
    assert invoke("next").stdout == "1.1.0\n"
    assert invoke().exit_code == 0
    assert repo.git("describe", "--exact-match") == "v1.1.0"


def test_next_prints_only_the_version_or_nothing(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init", Tag("v1.0.0"), "docs: a")
    result = invoke("next", str(tmp_path))
    assert result.exit_code == 0 and result.stdout == ""
    assert "nothing to release" in result.stderr
    data = json.loads(invoke("next", str(tmp_path), "--format", "json").stdout)
    assert data["version"] is None and data["previous_tag"] == "v1.0.0" and data["bump"] == "none"


def test_dry_run_with_nothing_to_release(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init", Tag("v1.0.0"))
    result = invoke("--dry-run", str(tmp_path), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["version"] is None


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("[tool.pipelinekit.release]\nenabled = false\n", "Releases are disabled"),
        ("[tool.pipelinekit.release]\ntag_format = 'v'\n", "tool.pipelinekit.release.tag_format"),
        ("[tool.pipelinekit.release]\nchannels = [{branch = 'x'}]\n", "matches no entry"),
    ],
)
def test_config_problems_are_exit_2(tmp_path: Path, setup: str, words: str) -> None:
    repo = linear(tmp_path, "chore: init", "feat: a")
    with (repo.path / "pyproject.toml").open("a") as fh:
        fh.write("\n" + setup)
    result = invoke("next", str(tmp_path))
    assert result.exit_code == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_not_a_repository_or_not_a_folder(tmp_path: Path) -> None:
    result = invoke("next", str(tmp_path))
    assert result.exit_code == 2 and "not inside a git repository" in result.stderr
    result = invoke("next", str(tmp_path / "missing"))
    assert result.exit_code == 2 and "is not a directory" in result.stderr
