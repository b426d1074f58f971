"""The four keys against values computed by hand from `edge_history` (see its docstring).

Lead times, window 2024-01-01..2024-02-01 (hours from the commit to its release):
v1.0.0 (first release: every commit it contains): c1 48, c2 16; v1.0.1: c3 0;
v1.1.0 (P = v1.0.1; the merge is not a change): c4 71, c5 47, c6 35; v1.1.1: none;
v1.1.2: c8 24. Sorted 0 16 24 35 47 48 71: median 35, p90 = 48 + 0.4 * (71 - 48) = 57.2.
Failed: v1.0.0 (v1.0.1 after 41 h) and v1.1.1 (v1.1.2 after 48 h); v1.1.0's patch v1.1.1
came after 12 days 1 hour, outside the 7 days. Rate 2/5, time to restore (41 + 48) / 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinekit.metrics.dora import LEAD_TIME, FourKeys, Window, band, bands, four_keys, p90
from pipelinekit.metrics.history import read_history
from pipelinekit.metrics.report import parse_moment, resolve_window
from tests.metrics.histories import Builder

JAN = Window(parse_moment("2024-01-01", "--since"), parse_moment("2024-02-01", "--until"))


def keys(repo: Path, window: Window = JAN, days: int = 7) -> FourKeys:
    return four_keys(read_history(repo, "v{version}"), window, days)


def test_deployments_are_stable_tags_of_the_format_at_their_creation_time(edge_repo: Path) -> None:
    history = read_history(edge_repo, "v{version}")
    assert [d.tag for d in history] == ["v1.0.0", "v1.0.1", "v1.1.0", "v1.1.1", "v1.1.2"]
    created = {d.tag: d.created for d in history}
    assert created["v1.0.0"] == parse_moment("2024-01-03T00:00Z", "t")  # tagger date
    assert created["v1.0.1"] == parse_moment("2024-01-04T17:00Z", "t")  # lightweight: commit
    assert created["v1.1.0"] == parse_moment("2024-01-07T23:00Z", "t")  # +01:00 offset
    by_tag = {d.tag: d for d in history}
    assert sorted(c.subject for c in by_tag["v1.0.0"].changes) == ["chore: init", "feat: a"]
    assert sorted(c.subject for c in by_tag["v1.1.0"].changes) == ["docs: e", "feat: c", "feat: d"]
    assert by_tag["v1.1.1"].changes == () and by_tag["v1.1.1"].previous == "v1.1.0"


def test_four_keys_match_hand_computed_values(edge_repo: Path) -> None:
    k = keys(edge_repo)
    assert k.deployments == 5
    assert k.deployment_frequency_per_week == pytest.approx(5 / (31 / 7))
    assert k.lead_time_commits == 7
    assert k.lead_time_median == pytest.approx(35.0)
    assert k.lead_time_p90 == pytest.approx(57.2)
    assert [(f.release, f.fixed_by, f.hours) for f in k.failures] == [
        ("v1.0.0", "v1.0.1", pytest.approx(41.0)),
        ("v1.1.1", "v1.1.2", pytest.approx(48.0)),
    ]
    assert k.change_failure_rate == pytest.approx(0.4)
    assert k.time_to_restore_median == pytest.approx(44.5)
    assert bands(k) == {
        "deployment_frequency": "high",
        "lead_time": "high",
        "change_failure_rate": "low",
        "time_to_restore": "medium",
    }


def test_window_is_half_open_and_offsets_count(edge_repo: Path) -> None:
    """[01-04T00:00Z, 01-22T00:00Z): v1.0.1, v1.1.0, v1.1.1; v1.1.2 at exactly `until` is out,
    yet it is still v1.1.1's fix (the fix may fall after the window)."""
    window = Window(
        parse_moment("2024-01-04T01:00+01:00", "--since"),
        parse_moment("2024-01-22T00:00:00Z", "--until"),
    )
    k = keys(edge_repo, window)
    assert k.deployments == 3
    assert k.deployment_frequency_per_week == pytest.approx(3 / (18 / 7))
    assert (k.lead_time_commits, k.lead_time_median) == (4, pytest.approx(41.0))
    assert k.lead_time_p90 == pytest.approx(47 + 0.7 * 24)
    assert k.change_failure_rate == pytest.approx(1 / 3)
    assert k.time_to_restore_median == pytest.approx(48.0)


def test_failure_window_is_configurable(edge_repo: Path) -> None:
    """With 13 days, v1.1.0 (patched by v1.1.1 after 289 h) failed too."""
    k = keys(edge_repo, days=13)
    assert [f.release for f in k.failures] == ["v1.0.0", "v1.1.0", "v1.1.1"]
    assert k.change_failure_rate == pytest.approx(0.6)
    assert k.time_to_restore_median == pytest.approx(48.0)


def test_an_empty_window_has_no_rates(edge_repo: Path) -> None:
    k = keys(edge_repo, Window(parse_moment("2023-01-01", "s"), parse_moment("2023-02-01", "u")))
    assert (k.deployments, k.deployment_frequency_per_week, k.lead_time_commits) == (0, 0.0, 0)
    assert k.change_failure_rate is None and k.lead_time_median is None
    assert set(bands(k).values()) == {"low", None}


def test_previous_release_is_by_creation_time_not_version(tmp_path: Path) -> None:
    """A hotfix on an old line: v1.0.1 is created after v2.0.0, so its P is v2.0.0 and P..R
    holds only the fix; it is still v1.0.0's patch (a failure) though v2.0.0 came between."""
    b = Builder()
    c1 = b.commit("chore: init", "2024-03-01T00:00:00+00:00")
    b.tag("v1.0.0", c1, "2024-03-01T06:00:00+00:00")
    c2 = b.commit("feat!: two", "2024-03-02T00:00:00+00:00")
    b.tag("v2.0.0", c2, "2024-03-02T06:00:00+00:00")
    c3 = b.commit("fix: old line", "2024-03-03T00:00:00+00:00", branch="v1.x", start=c1)
    b.tag("v1.0.1", c3, "2024-03-03T06:00:00+00:00")
    repo = b.write(tmp_path / "repo")
    history = read_history(repo, "v{version}")
    assert [(d.tag, d.previous) for d in history] == [
        ("v1.0.0", None),
        ("v2.0.0", "v1.0.0"),
        ("v1.0.1", "v2.0.0"),
    ]
    assert [c.subject for c in history[2].changes] == ["fix: old line"]
    k = four_keys(history, Window(history[0].created, history[2].created + 1), 7)
    assert [(f.release, f.hours) for f in k.failures] == [("v1.0.0", 48.0)]
    assert history[2].changes[0].committed == parse_moment("2024-03-03T00:00Z", "t")


def test_tag_format_with_prefix_ignores_other_tags(tmp_path: Path) -> None:
    b = Builder()
    c1 = b.commit("chore: init", "2024-03-01T00:00:00+00:00")
    b.tag("v1.0.0", c1, "2024-03-01T06:00:00+00:00")
    b.tag("api-1.0.0", c1, "2024-03-01T07:00:00+00:00")
    repo = b.write(tmp_path / "repo")
    assert [d.tag for d in read_history(repo, "api-{version}")] == ["api-1.0.0"]
    assert read_history(tmp_path / "repo", "release/{version}") == []


def test_default_window_and_bad_windows(edge_repo: Path) -> None:
    from pipelinekit.errors import UsageError

    history = read_history(edge_repo, "v{version}")
    now = parse_moment("2024-03-01", "now")
    window = resolve_window(history, None, None, now)
    assert (window.since, window.until) == (history[0].created, now)
    with pytest.raises(UsageError, match="--since must come before --until"):
        resolve_window(history, "2024-02-01", "2024-01-01")
    with pytest.raises(UsageError, match="--until 'soon' is not a date"):
        resolve_window(history, None, "soon")


def test_percentile_and_band_edges() -> None:
    assert p90([]) is None and p90([5.0]) == 5.0
    assert p90([float(i) for i in range(1, 11)]) == pytest.approx(9.1)  # numpy's default
    assert band(23.9, LEAD_TIME, lambda v, limit: v < limit) == "elite"
    assert band(24 * 365, LEAD_TIME, lambda v, limit: v < limit) == "low"
