"""`release lint RANGE`: the merge-request check for commit messages."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import invoke
from .gitfactory import History, Tag, linear


def test_clean_range_passes(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init", Tag("v1.0.0"), "feat(io): a", "fix!: b")
    result = invoke("lint", "v1.0.0..HEAD", "--path", str(tmp_path))
    assert result.exit_code == 0 and result.stdout.strip() == ""


def test_noise_and_unknown_types_fail(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init", Tag("v1.0.0"), "feat: ok", "Fixed stuff", "feature: nope")
    result = invoke("lint", "v1.0.0..HEAD", "--path", str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert [(f["subject"], f["problem"].split(" ")[0]) for f in findings] == [
        ("feature: nope", "unknown"),
        ("Fixed stuff", "not"),
    ]
    assert "git rebase -i" in result.stderr


def test_merge_commits_are_exempt(tmp_path: Path) -> None:
    h = History()
    h.commit("chore: init")
    h.tag("v1.0.0")
    h.commit("fix: on branch", branch="topic", start=1)
    h.commit("Merge branch 'topic'", merge=h.heads["topic"])
    h.write(tmp_path)
    assert invoke("lint", "v1.0.0..HEAD", "--path", str(tmp_path)).exit_code == 0


def test_bad_range_is_usage_error(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init")
    result = invoke("lint", "origin/main..HEAD", "--path", str(tmp_path))
    assert result.exit_code == 2 and "`origin/main` is not a commit here" in result.stderr
