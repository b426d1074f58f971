"""Performance: the numpy and pandas habits that cost minutes on real data (ruff's
pandas-vet, Perflint and NumPy rules), found by the audit's one ruff run."""

from __future__ import annotations

from pipelinekit.audit import tool_ruff
from pipelinekit.audit.model import Check, Hit
from pipelinekit.audit.repo import AuditRepo

SECTION = "performance"


def dataframe_habits(repo: AuditRepo) -> list[Hit]:
    return tool_ruff.hits(
        repo, ("PD", "PERF", "NPY"), {"PD": "minor", "PERF": "minor", "NPY": "minor"}
    )


CHECKS = (
    Check(
        "dataframe-habits",
        SECTION,
        "No slow pandas/numpy idioms (ruff's PD, PERF and NPY rules)",
        "`iterrows` loops, `inplace=True`, `.values`, list building in loops and numpy's legacy "
        "random API are slow or ambiguous on production-sized data; ruff names each with the "
        "vectorised or explicit alternative.",
        dataframe_habits,
        tool="ruff",
    ),
)
