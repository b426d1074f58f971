"""Conventional Commits 1.0 parsing, message by message."""

from __future__ import annotations

import pytest

from pipelinekit.release.commits import Commit, parse_commit, parse_message


@pytest.mark.parametrize(
    ("message", "kind", "scope", "breaking", "description"),
    [
        ("feat: add x", "feat", None, False, "add x"),
        ("fix(io): handle empty", "fix", "io", False, "handle empty"),
        ("feat(api)!: drop v1", "feat", "api", True, "drop v1"),
        ("chore!: drop py3.8", "chore", None, True, "drop py3.8"),
        ("FEAT: shouting", "feat", None, False, "shouting"),
        ("refactor: x\n\nBREAKING CHANGE: y is gone", "refactor", None, True, "x"),
        ("refactor: x\n\nBREAKING-CHANGE: y is gone", "refactor", None, True, "x"),
        ("fix(model-v2): a\n\nbody\n\nRefs: #12", "fix", "model-v2", False, "a"),
    ],
)
def test_conventional_headers_and_footers(
    message: str, kind: str, scope: str | None, breaking: bool, description: str
) -> None:
    parsed = parse_message(message)
    assert parsed is not None
    assert (parsed.type, parsed.scope, parsed.breaking, parsed.description) == (
        kind,
        scope,
        breaking,
        description,
    )


@pytest.mark.parametrize(
    "message",
    [
        "Add a feature",
        "feat:no space",
        "feat : space before colon",
        "feat(): ",
        "fix(a)(b): nested",
        "Merge branch 'x' into 'main'",
        "feat add x",
        "",
    ],
)
def test_non_conventional_messages(message: str) -> None:
    assert parse_message(message) is None


def test_lowercase_breaking_change_footer_is_not_breaking() -> None:
    parsed = parse_message("fix: a\n\nbreaking change: nope")
    assert parsed is not None and not parsed.breaking


def test_breaking_notes_are_kept_for_the_changelog() -> None:
    parsed = parse_message("feat!: new io\n\nBREAKING CHANGE: read() returns a frame")
    assert parsed is not None
    assert parsed.breaking_notes == ("read() returns a frame",)


def test_git_and_conventional_reverts_name_the_reverted_commit() -> None:
    sha = "a" * 40
    git_style = parse_message(f'Revert "feat: add x"\n\nThis reverts commit {sha}.')
    conv = parse_message("revert: feat: add x\n\nRefs: abcdef1")
    assert git_style is not None and conv is not None
    assert (git_style.type, git_style.reverts, git_style.description) == (
        "revert",
        sha,
        "feat: add x",
    )
    assert (conv.type, conv.reverts) == ("revert", "abcdef1")
    assert parse_message("fix: a\n\nRefs: abcdef1") is not None
    assert parse_message("fix: a\n\nRefs: abcdef1").reverts is None  # type: ignore[union-attr]


def test_squash_body_lines_count_as_commits() -> None:
    commit = Commit(
        "1" * 40,
        ("0" * 40,),
        "Big PR (#12)\n\n* feat(io): read parquet\n* fix: typo\n- docs: readme\n* not conventional",
    )
    parsed = parse_commit(commit)
    assert [(c.type, c.scope) for c in parsed.changes] == [
        ("feat", "io"),
        ("fix", None),
        ("docs", None),
    ]
    assert parse_commit(commit, squash=False).changes == ()
    assert commit.subject == "Big PR (#12)"
    assert not commit.is_merge
