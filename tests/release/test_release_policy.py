"""The policy on real repositories: bump rules, major_on_zero, reverts, merges, squashes,
channels, odd tags, tags on other branches and a 10k-commit history."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import semver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelinekit.config.models import parse_config
from pipelinekit.errors import UsageError
from pipelinekit.release.plan import Repo as ReleaseRepo
from pipelinekit.release.plan import next_for
from pipelinekit.release.settings import ReleaseConfig

from .gitfactory import History, Repo, Tag, conventional_history, linear


def next_of(path: Path, branch: str | None = None, **config: Any) -> str | None:
    repo = ReleaseRepo.open(path, parse_config({"release": config}, source="test").release)
    nv, _ = next_for(repo, branch)
    return str(nv.version) if nv.version else None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("feat: x", "1.3.0"),
        ("fix: x", "1.2.4"),
        ("perf: x", "1.2.4"),
        ("feat(scope)!: x", "2.0.0"),
        ("docs!: x", "2.0.0"),
        ("chore: x\n\nBREAKING CHANGE: y", "2.0.0"),
        ("docs: x", None),
        ("style: x", None),
        ("not conventional at all", None),
    ],
)
def test_every_default_bump_rule(tmp_path: Path, message: str, expected: str | None) -> None:
    linear(tmp_path, "chore: init", Tag("v1.2.3"), "docs: noise", message)
    assert next_of(tmp_path) == expected


def test_strongest_bump_wins_and_range_starts_at_last_release(tmp_path: Path) -> None:
    linear(
        tmp_path,
        "chore: init",
        Tag("v1.0.0"),
        "feat!: old break",
        Tag("v2.0.0"),
        "fix: a",
        "feat: b",
        "fix: c",
    )
    assert next_of(tmp_path) == "2.1.0"


def test_configured_bump_map(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init", Tag("v1.0.0"), "docs: manual", "feat: thing")
    assert next_of(tmp_path, bump_types={"docs": "patch"}) == "1.0.1"  # feat no longer listed
    assert next_of(tmp_path, bump_types={"docs": "major", "feat": "minor"}) == "2.0.0"


@pytest.mark.parametrize(("major_on_zero", "expected"), [(False, "0.5.0"), (True, "1.0.0")])
def test_major_on_zero(tmp_path: Path, major_on_zero: bool, expected: str) -> None:
    linear(tmp_path, "chore: init", Tag("v0.4.2"), "feat!: new api")
    assert next_of(tmp_path, major_on_zero=major_on_zero) == expected


def test_first_release_without_tags_starts_from_initial_version(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init", "feat: first")
    assert next_of(tmp_path) == "0.1.0"
    assert next_of(tmp_path, initial_version="1.4.2") == "1.5.0"


def test_revert_inside_range_cancels_the_reverted_commit(tmp_path: Path) -> None:
    repo = linear(tmp_path, "chore: init", Tag("v1.0.0"), "fix: small", "feat: risky")
    risky = repo.head()
    repo.commit(f'Revert "feat: risky"\n\nThis reverts commit {risky}.')
    assert next_of(tmp_path) == "1.0.1"
    # reverting the revert brings the feature back
    revert = repo.head()
    repo.commit(f'Revert "Revert "feat: risky""\n\nThis reverts commit {revert}.')
    assert next_of(tmp_path) == "1.1.0"


def test_git_reapply_message_restores_the_reverted_feature(tmp_path: Path) -> None:
    """git 2.43+ words a revert of a revert `Reapply "<subject>"`."""
    repo = linear(tmp_path, "chore: init", Tag("v1.0.0"), "feat: risky")
    risky = repo.head()
    repo.commit(f'Revert "feat: risky"\n\nThis reverts commit {risky}.')
    assert next_of(tmp_path) is None
    repo.commit(f'Reapply "feat: risky"\n\nThis reverts commit {repo.head()}.')
    assert next_of(tmp_path) == "1.1.0"


def test_revert_of_released_commit_is_a_patch(tmp_path: Path) -> None:
    repo = linear(tmp_path, "chore: init", "feat: shipped")
    shipped = repo.head()
    repo.tag("v1.1.0")
    repo.commit(f"revert: feat: shipped\n\nRefs: {shipped[:10]}")
    assert next_of(tmp_path) == "1.1.1"
    assert next_of(tmp_path, revert_bump="none") is None


def test_revert_only_range_cancels_to_nothing(tmp_path: Path) -> None:
    repo = linear(tmp_path, "chore: init", Tag("v1.0.0"), "feat!: breaking idea")
    repo.commit(f'Revert "feat!: breaking idea"\n\nThis reverts commit {repo.head()}.')
    assert next_of(tmp_path) is None


def test_merge_commits_count_their_branch_not_their_message(tmp_path: Path) -> None:
    h = History()
    h.commit("chore: init")
    h.tag("v1.0.0")
    base = h.heads["main"]
    h.commit("docs: on main")
    h.commit("feat(data): on a branch", branch="feature/x", start=base)
    h.commit("fix: also on it", branch="feature/x")
    h.commit("Merge branch 'feature/x' into 'main'", merge=h.heads["feature/x"])
    h.write(tmp_path)
    repo = ReleaseRepo.open(tmp_path, ReleaseConfig())
    nv, _ = next_for(repo, None)
    assert str(nv.version) == "1.1.0"
    assert nv.nonconventional == ()  # merge commits are not reported as non-conventional


def test_squash_merge_body_lists_breaking_change(tmp_path: Path) -> None:
    linear(
        tmp_path,
        "chore: init",
        Tag("v1.0.0"),
        "Feature/loader (#42)\n\n* feat(io): loader\n\n* fix: edge case\n\n* feat!: new format",
    )
    assert next_of(tmp_path) == "2.0.0"
    assert next_of(tmp_path, squash_commits=False) is None


def test_squash_merge_with_conventional_title_and_footer(tmp_path: Path) -> None:
    linear(
        tmp_path,
        "chore: init",
        Tag("v1.0.0"),
        "fix: loader (#43)\n\n* tidy\n\nBREAKING CHANGE: renamed",
    )
    assert next_of(tmp_path) == "2.0.0"


def test_odd_tags_are_ignored(tmp_path: Path) -> None:
    linear(
        tmp_path,
        "chore: init",
        Tag("v1.0.0"),
        "feat: a",
        Tag("v1.1"),
        Tag("latest", annotated=False),
        Tag("v9.9.9.9"),
        Tag("1.5.0"),
        Tag("V2.0.0"),
        Tag("deploy-2024-01-01"),
        "fix: b",
    )
    assert next_of(tmp_path) == "1.1.0"


def test_lightweight_version_tags_still_mark_releases(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init", "feat: a", Tag("v1.1.0", annotated=False), "fix: b")
    assert next_of(tmp_path) == "1.1.1"


def test_custom_tag_format(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init", Tag("v5.0.0"), Tag("demo-1.2.0"), "feat: a")
    assert next_of(tmp_path, tag_format="demo-{version}") == "1.3.0"


def test_highest_reachable_version_is_the_base_not_the_newest_tag(tmp_path: Path) -> None:
    # a stray older tag on a newer commit must not pull the version backwards
    linear(tmp_path, "chore: init", Tag("v2.0.0"), "fix: a", Tag("v1.9.0"), "fix: b")
    assert next_of(tmp_path) == "2.0.1"


def test_tags_on_other_branches_are_not_the_base(tmp_path: Path) -> None:
    h = History()
    h.commit("chore: init")
    h.tag("v1.0.0")
    fork = h.heads["main"]
    h.commit("feat!: big rewrite", branch="next", start=fork)
    h.tag("v2.0.0")
    h.commit("fix: hotfix on main")
    h.write(tmp_path)
    assert next_of(tmp_path) == "1.0.1"


def test_version_taken_by_another_branch_is_refused(tmp_path: Path) -> None:
    h = History()
    h.commit("chore: init")
    h.tag("v1.0.0")
    fork = h.heads["main"]
    h.commit("fix: on maintenance", branch="maint", start=fork)
    h.tag("v1.0.1")
    h.commit("fix: on main")
    h.write(tmp_path)
    repo = ReleaseRepo.open(tmp_path, ReleaseConfig())
    from pipelinekit.release.plan import build_plan

    with pytest.raises(UsageError, match=r"tag v1\.0\.1 already exists"):
        build_plan(repo, None, for_release=False)


def test_prerelease_channels_count_on_from_existing_tags(tmp_path: Path) -> None:
    repo = linear(tmp_path, "chore: init", Tag("v1.2.0"))
    repo.git("checkout", "-q", "-b", "develop")
    repo.commit("feat: a")
    assert next_of(tmp_path) == "1.3.0-beta.1"
    repo.tag("v1.3.0-beta.1")
    assert next_of(tmp_path) is None  # nothing new since beta.1
    repo.commit("docs: only docs")
    assert next_of(tmp_path) is None
    repo.commit("fix: b")
    assert next_of(tmp_path) == "1.3.0-beta.2"
    # an rc of the same version on a release branch has its own counter
    repo.git("checkout", "-q", "-b", "release/1.3")
    assert next_of(tmp_path) == "1.3.0-rc.1"
    repo.tag("v1.3.0-rc.1")
    repo.tag("v1.3.0-rc.2", "HEAD~1")  # made by another pipeline on an older commit
    repo.commit("fix: c")
    assert next_of(tmp_path) == "1.3.0-rc.3"
    # a breaking change moves the target, and the counter restarts
    repo.git("checkout", "-q", "develop")
    repo.commit("feat!: d")
    assert next_of(tmp_path) == "2.0.0-beta.1"
    # main releases the stable version of all of it
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "develop")
    assert next_of(tmp_path) == "2.0.0"


def test_prerelease_counter_sees_tags_from_unmerged_branches(tmp_path: Path) -> None:
    h = History()
    h.commit("chore: init")
    h.tag("v1.0.0")
    fork = h.heads["main"]
    h.commit("feat: x", branch="develop", start=fork)
    h.commit("feat: y", branch="other", start=fork)
    h.tag("v1.1.0-beta.1")
    h.tag("v1.1.0-beta.4")
    h.write(tmp_path)
    Repo(tmp_path).git("checkout", "-q", "develop")
    assert next_of(tmp_path) == "1.1.0-beta.5"


def test_branch_without_channel_is_refused(tmp_path: Path) -> None:
    repo = linear(tmp_path, "chore: init", "feat: a")
    repo.git("checkout", "-q", "-b", "feature/x")
    with pytest.raises(UsageError) as err:
        next_of(tmp_path)
    assert "feature/x" in err.value.message and "channels" in err.value.message
    assert (
        next_of(tmp_path, channels=[{"branch": "feature/*", "prerelease": "alpha"}])
        == "0.1.0-alpha.1"
    )


def test_ten_thousand_commit_history(tmp_path: Path) -> None:
    history, expected = conventional_history(10_000, tag_every=97)
    started = time.perf_counter()
    history.write(tmp_path / "big")
    built = time.perf_counter() - started
    assert int(Repo(tmp_path / "big").git("rev-list", "--count", "HEAD")) == 10_000
    started = time.perf_counter()
    assert next_of(tmp_path / "big") == expected
    computed = time.perf_counter() - started
    assert built < 20 and computed < 2, (built, computed)


def test_ten_thousand_commits_without_any_tag(tmp_path: Path) -> None:
    h = History()
    for i in range(10_000):
        h.commit("fix: x" if i % 2 else "docs: y")
    h.commit("feat: last")
    h.write(tmp_path)
    assert next_of(tmp_path) == "0.1.0"


def test_realistic_history_with_merges_reverts_and_noise(tmp_path: Path) -> None:
    history, expected = conventional_history(3_000, tag_every=50, realistic=True, seed=11)
    history.write(tmp_path)
    assert expected
    assert next_of(tmp_path) == expected


MESSAGES = st.sampled_from(
    [
        "feat: a",
        "fix: b",
        "perf: c",
        "docs: d",
        "chore: e",
        "feat!: f",
        "refactor: g\n\nBREAKING CHANGE: h",
        "wip",
    ]
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    last=st.tuples(st.integers(0, 3), st.integers(0, 20), st.integers(0, 20)),
    messages=st.lists(MESSAGES, min_size=1, max_size=6),
    major_on_zero=st.booleans(),
)
def test_next_version_is_always_greater_than_the_last_release(
    tmp_path_factory: pytest.TempPathFactory,
    last: tuple[int, int, int],
    messages: list[str],
    major_on_zero: bool,
) -> None:
    path = tmp_path_factory.mktemp("prop")
    tag = "v{}.{}.{}".format(*last)
    # the files carry the last release's version (a version above every tag is refused)
    linear(path, "chore: init", Tag(tag), *messages, version=tag[1:])
    result = next_of(path, major_on_zero=major_on_zero)
    releasable = any(
        m.split(":")[0].rstrip("!") in ("feat", "fix", "perf") or "!" in m or "BREAKING" in m
        for m in messages
    )
    assert (result is not None) == releasable
    if result is not None:
        assert semver.Version.parse(result) > semver.Version.parse(tag[1:])


def test_channel_globs_follow_the_ci_glob_rules(tmp_path: Path) -> None:
    repo = linear(tmp_path, "chore: init", Tag("v1.0.0"), "fix: a")
    repo.git("checkout", "-q", "-b", "release/2.x/hotfix")
    with pytest.raises(UsageError, match="matches no entry"):
        next_of(tmp_path)  # `release/*` stays within one path segment, as in CI rules
    channels = [{"branch": "release/**", "prerelease": "rc"}]
    assert next_of(tmp_path, channels=channels) == "1.0.1-rc.1"
