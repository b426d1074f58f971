"""The text table `detect` and `doctor` print."""

from __future__ import annotations

from pipelinekit.util.table import table_lines


def test_columns_as_wide_as_their_widest_cell() -> None:
    lines = table_lines(
        [("ok", "python", "3.11", "(runs every stage)"), ("skip", "jenkins", "no URL")]
    )
    assert lines == [
        "ok    python   3.11  (runs every stage)",
        "skip  jenkins  no URL",
    ]


def test_last_column_not_padded_and_gap_chosen() -> None:
    assert table_lines([("a", ""), ("long", "x")], gap=" ") == ["a", "long x"]
    assert table_lines([]) == []
