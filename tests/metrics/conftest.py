"""Shared fixtures: the hand-computed history of test_dora.py, built once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.metrics.histories import Builder
from tests.support import tools
from tests.support.pushgateway import pushgateway


def edge_history() -> Builder:
    """Every edge of the definitions (times in the offsets a team spread over zones uses):

    c1 init 01-01T00:00Z, c2 01-02T10:00+02:00 (08:00Z)     v1.0.0 annotated 01-03T00:00Z
    c3 fix 01-04T12:00-05:00 (17:00Z)                       v1.0.1 lightweight (= 01-04T17:00Z)
                                                            floating v1, v1.0 lightweight on c3
    feature: c4 01-05T00:00Z, c5 01-06T00:00Z; main c6 01-06T12:00Z; merge m7 01-07T00:00Z
                                                            v1.1.0-rc.1 on c4 (prerelease)
                                                            v1.1.0 annotated 01-08T00:00+01:00
                                                            v1.1.1 annotated 01-20T00:00Z on
                                                            m7 too: a release of no new commit
    c8 fix 01-21T00:00Z                                     v1.1.2 annotated 01-22T00:00Z
                                                            v2.0.0-beta.1 annotated 01-23
    """
    b = Builder()
    c1 = b.commit("chore: init", "2024-01-01T00:00:00+00:00")
    c2 = b.commit("feat: a", "2024-01-02T10:00:00+02:00")
    b.tag("v1.0.0", c2, "2024-01-03T00:00:00+00:00")
    c3 = b.commit("fix: b", "2024-01-04T12:00:00-05:00")
    b.tag("v1.0.1", c3)
    b.tag("v1", c3)
    b.tag("v1.0", c3)
    c4 = b.commit("feat: c", "2024-01-05T00:00:00+00:00", branch="feature", start=c3)
    b.tag("v1.1.0-rc.1", c4, "2024-01-05T06:00:00+00:00")
    c5 = b.commit("feat: d", "2024-01-06T00:00:00+00:00", branch="feature")
    b.commit("docs: e", "2024-01-06T12:00:00+00:00")
    m7 = b.commit("Merge branch 'feature'", "2024-01-07T00:00:00+00:00", merge=c5)
    b.tag("v1.1.0", m7, "2024-01-08T00:00:00+01:00")
    b.tag("v1.1.1", m7, "2024-01-20T00:00:00+00:00")
    c8 = b.commit("fix: f", "2024-01-21T00:00:00+00:00")
    b.tag("v1.1.2", c8, "2024-01-22T00:00:00+00:00")
    b.tag("v2.0.0-beta.1", c8, "2024-01-23T00:00:00+00:00")
    assert c1 == 1
    return b


@pytest.fixture(scope="session")
def edge_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tools.require("git")
    return edge_history().write(tmp_path_factory.mktemp("edge") / "repo")


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[str]:
    """A real Pushgateway on a free loopback port (see tests/support/pushgateway.py)."""
    with pushgateway(tmp_path) as url:
        yield url
