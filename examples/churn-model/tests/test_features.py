from pathlib import Path

import numpy as np
import pytest

from churn.features import FEATURES, Standardizer, load_csv


def test_load_csv_reads_sample_by_column_name(sample_csv: Path) -> None:
    x, y = load_csv(sample_csv)
    assert x.shape == (50, len(FEATURES))
    assert set(np.unique(y)) <= {0.0, 1.0}
    # First data row of data/sample.csv: tenure 12, charges 22.27, 3 calls, 1 month.
    np.testing.assert_allclose(x[0], [12, 22.27, 3, 1])


def test_load_csv_names_missing_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("tenure_months,churned\n3,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="monthly_charges"):
        load_csv(bad)


def test_standardizer_centres_and_scales_but_keeps_constant_columns() -> None:
    x = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    z = Standardizer().fit_transform(x)
    np.testing.assert_allclose(z[:, 0].mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(z[:, 0].std(), 1.0)
    np.testing.assert_array_equal(z[:, 1], [0.0, 0.0, 0.0])


def test_standardizer_refuses_transform_before_fit() -> None:
    with pytest.raises(RuntimeError, match="before fit"):
        Standardizer().transform(np.ones((2, 2)))
