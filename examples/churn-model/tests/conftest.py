"""Shared fixtures: a synthetic, linearly separable-ish data set with a fixed seed."""

from pathlib import Path

import numpy as np
import pytest

SAMPLE_CSV = Path(__file__).resolve().parent.parent / "data" / "sample.csv"


@pytest.fixture
def synthetic() -> tuple[np.ndarray, np.ndarray]:
    """400 rows whose label depends on a known linear score, so a fit must recover it."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 4)) * [10.0, 30.0, 1.5, 8.0] + [36.0, 70.0, 1.5, 8.0]
    score = (x - x.mean(axis=0)) / x.std(axis=0) @ np.array([-1.5, 1.0, 2.0, -1.0])
    y = (score + rng.normal(scale=0.5, size=400) > 0).astype(float)
    return x, y


@pytest.fixture
def sample_csv() -> Path:
    return SAMPLE_CSV
