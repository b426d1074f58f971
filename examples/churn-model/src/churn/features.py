"""Reading the customer table and turning it into model inputs.

Feature engineering lives here, apart from the model, so that training and serving
apply the exact same transformation: the fitted `Standardizer` is saved with the model.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FEATURES = ("tenure_months", "monthly_charges", "support_calls", "contract_months")
"""Input columns, in the order the model sees them."""
TARGET = "churned"


def load_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a customer CSV into a float feature matrix and a 0/1 target vector.

    Columns are looked up by name, so extra columns (ids, free text) are ignored and the
    column order in the file does not matter.
    """
    with Path(path).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in (*FEATURES, TARGET) if c not in (reader.fieldnames or ())]
        if missing:
            msg = f"{path}: missing column(s): {', '.join(missing)}"
            raise ValueError(msg)
        rows = list(reader)
    if not rows:
        msg = f"{path}: no data rows"
        raise ValueError(msg)
    x = np.array([[float(row[c]) for c in FEATURES] for row in rows], dtype=float)
    y = np.array([int(row[TARGET]) for row in rows], dtype=float)
    return x, y


@dataclass
class Standardizer:
    """Zero-mean, unit-variance scaling; constant columns are left unscaled (std 1)."""

    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    def fit(self, x: np.ndarray) -> Standardizer:
        self.mean = x.mean(axis=0)
        std = x.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        if self.mean is None or self.std is None:
            msg = "Standardizer.transform called before fit"
            raise RuntimeError(msg)
        return (x - self.mean) / self.std

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        return self.fit(x).transform(x)
