"""SemVer ⇄ PEP 440 mapping: exact for the forms Python metadata can carry, refused otherwise."""

from __future__ import annotations

import pytest
import semver
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelinekit.errors import UsageError
from pipelinekit.release.version import bump, from_pep440, is_stable_semver, parse, to_pep440

numbers = st.integers(min_value=0, max_value=10_000)
tokens = st.sampled_from(["alpha", "beta", "rc"])


@pytest.mark.parametrize(
    ("semver_form", "pep440"),
    [
        ("2.0.0-rc.1", "2.0.0rc1"),
        ("1.4.0-beta.2", "1.4.0b2"),
        ("0.3.1-alpha.3", "0.3.1a3"),
        ("10.20.30", "10.20.30"),
        ("1.0.0-rc.0", "1.0.0rc0"),
    ],
)
def test_documented_pairs_map_both_ways(semver_form: str, pep440: str) -> None:
    assert to_pep440(semver_form) == pep440
    assert from_pep440(pep440) == semver_form


@pytest.mark.parametrize(
    ("version", "words"),
    [
        ("1.0.0-dev.1", "prerelease `dev.1`"),
        ("1.0.0-rc1", "prerelease `rc1`"),
        ("1.0.0-rc.1.2", "prerelease `rc.1.2`"),
        ("1.0.0+build.5", "build metadata"),
        ("1.0", "not a SemVer version"),
    ],
)
def test_semver_without_pep440_twin_is_refused(version: str, words: str) -> None:
    with pytest.raises(UsageError) as err:
        to_pep440(version)
    assert words in err.value.message
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    "pep440", ["1.0.0.post1", "1.0.0.dev3", "1!1.0.0", "1.0.0+local", "1.0", "1.0.0c1"]
)
def test_pep440_without_semver_twin_is_refused(pep440: str) -> None:
    with pytest.raises(UsageError, match="can map to SemVer; it must be"):
        from_pep440(pep440)


def test_bump_levels_and_stability() -> None:
    v = parse("1.2.3")
    assert [str(bump(v, lvl)) for lvl in ("major", "minor", "patch", "none")] == [
        "2.0.0",
        "1.3.0",
        "1.2.4",
        "1.2.3",
    ]
    assert is_stable_semver("1.2.3")
    assert not is_stable_semver("1.2.3-rc.1")
    assert not is_stable_semver("banana")


@settings(max_examples=150, deadline=None)
@given(numbers, numbers, numbers, st.one_of(st.none(), st.tuples(tokens, numbers)))
def test_semver_round_trips_through_pep440(
    major: int, minor: int, patch: int, pre: tuple[str, int] | None
) -> None:
    version = f"{major}.{minor}.{patch}" + (f"-{pre[0]}.{pre[1]}" if pre else "")
    assert from_pep440(to_pep440(version)) == version


@settings(max_examples=150, deadline=None)
@given(
    numbers,
    numbers,
    numbers,
    st.one_of(st.none(), st.tuples(st.sampled_from(["a", "b", "rc"]), numbers)),
)
def test_pep440_round_trips_through_semver_and_keeps_order(
    major: int, minor: int, patch: int, pre: tuple[str, int] | None
) -> None:
    pep = f"{major}.{minor}.{patch}" + (f"{pre[0]}{pre[1]}" if pre else "")
    sv = from_pep440(pep)
    assert to_pep440(sv) == pep
    # prereleases sort below their release in both schemes
    if pre:
        assert semver.Version.parse(sv) < semver.Version.parse(f"{major}.{minor}.{patch}")
