"""`plaintable.from_table`: the pydantic-free fast accept for dataclass sections.

The property that matters: whatever it accepts, pydantic (the authority, via the real config
loader) accepts too and builds the same value; whatever pydantic rejects, it rejects.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelinekit.config.models import parse_config
from pipelinekit.config.plaintable import from_table
from pipelinekit.errors import ConfigError
from pipelinekit.release.settings import ChannelConfig, ReleaseConfig

BUMPS = st.sampled_from(["major", "minor", "patch", "none", "huge", 1, True])
SCALARS = st.one_of(st.booleans(), st.integers(-2, 2), st.text(max_size=12), st.none())
CHANNEL = st.dictionaries(
    st.sampled_from(["branch", "prerelease", "branchh"]),
    st.one_of(st.sampled_from(["main", "release/*", "a b", "alpha", "rc", "dev"]), SCALARS),
    max_size=3,
)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "enabled": st.one_of(st.booleans(), SCALARS),
    "tag_format": st.one_of(
        st.sampled_from(["v{version}", "{version}", "x", "r-{version}"]), SCALARS
    ),
    "bump_types": st.one_of(
        st.dictionaries(st.sampled_from(["feat", "fix", "docs"]), BUMPS), SCALARS
    ),
    "major_on_zero": st.one_of(st.booleans(), SCALARS),
    "initial_version": st.one_of(
        st.sampled_from(["0.0.0", "1.2.3", "1.0.0-rc.1", "01.0.0"]), SCALARS
    ),
    "channels": st.one_of(st.lists(CHANNEL, max_size=3), SCALARS),
    "types": st.one_of(
        st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3), SCALARS
    ),
    "changelog_file": SCALARS,
    "version_files": st.one_of(st.lists(st.text(max_size=8), max_size=2), SCALARS),
    "commit_message": st.one_of(
        st.sampled_from(["chore(release): {version}", "fix: {version}", "{nope}", " "]), SCALARS
    ),
    "release_job": st.one_of(st.sampled_from(["manual", "auto", "never"]), SCALARS),
    "no_such_key": SCALARS,
}
TABLES = st.dictionaries(st.sampled_from(sorted(VALUES)), st.none(), max_size=5).flatmap(
    lambda keys: st.fixed_dictionaries({k: VALUES[k] for k in keys})
)


def _pydantic(table: dict[str, Any]) -> ReleaseConfig | None:
    try:
        return parse_config({"release": table}, source="pyproject.toml").release
    except ConfigError:
        return None


@settings(max_examples=400, deadline=None)
@given(TABLES)
def test_fast_accept_never_disagrees_with_pydantic(table: dict[str, Any]) -> None:
    fast = from_table(ReleaseConfig, table)
    authority = _pydantic(table)
    if fast is not None:
        assert authority == fast
    if authority is None:
        assert fast is None


def test_exact_tables_are_built_without_pydantic() -> None:
    table = {
        "tag_format": "rel-{version}",
        "bump_types": {"feat": "minor", "docs": "patch"},
        "channels": [{"branch": "trunk"}, {"branch": "next", "prerelease": "beta"}],
        "version_files": ["VERSION"],
        "repository_url": None,
    }
    built = from_table(ReleaseConfig, table)
    assert built is not None
    assert built.channels == [ChannelConfig("trunk"), ChannelConfig("next", "beta")]
    assert built.bump_types == {"feat": "minor", "docs": "patch"}
    assert built == _pydantic(table)


@pytest.mark.parametrize(
    "table",
    [
        {"major_on_zero": 1},  # pydantic's lax mode may coerce; the fast path never does
        {"enabled": "yes"},
        {"bump_types": {"feat": "huge"}},
        {"channels": [{"branch": "a b"}]},  # __post_init__ refuses
        {"channels": [{}]},  # required field missing
        {"tag_fromat": "v{version}"},
        {"bump_types": {1: "minor"}},
        {"types": ("a",)},
        "not a table",
    ],
)
def test_anything_unusual_is_left_to_pydantic(table: Any) -> None:
    assert from_table(ReleaseConfig, table) is None


def test_release_next_imports_neither_pydantic_nor_the_full_config(tmp_path: Any) -> None:
    """The point of the fast path: `release next` on a project with a plain release table."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0.1.0"\n'
        '[tool.pipelinekit.release]\ntag_format = "v{version}"\nmajor_on_zero = true\n'
        '[[tool.pipelinekit.release.channels]]\nbranch = "main"\n'
    )
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@e", "PATH": "/usr/bin:/bin"}
    for message in ("chore: init", "feat: first"):
        subprocess.run(
            ["git", "-C", str(tmp_path), "commit", "-q", "--allow-empty", "-m", message],
            check=True,
            env=env,
        )
    code = (
        "import sys\n"
        "from pipelinekit.cli import main\n"
        "sys.argv = ['pipelinekit', 'release', 'next']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('pydantic', 'pipelinekit.config.models') if m in sys.modules)\n"
        "print('heavy:', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == ["0.1.0", "heavy: []"]
