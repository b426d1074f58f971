"""Plain-text tables for the commands' text output (`detect`, `doctor`): columns aligned.

Each column is as wide as its widest cell, so a long name or status never runs into the next
column; the last column is not padded (no trailing spaces).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def table_lines(rows: Iterable[Sequence[str]], gap: str = "  ") -> list[str]:
    """`rows` as lines with every column padded to its widest cell, `gap` between columns."""
    rows = [list(row) for row in rows]
    widths: dict[int, int] = {}
    for row in rows:
        for index, cell in enumerate(row[:-1]):
            widths[index] = max(widths.get(index, 0), len(cell))
    return [
        gap.join([*(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])), *row[-1:]]).rstrip()
        for row in rows
    ]
