from pathlib import Path

import numpy as np
import pytest

from churn.model import LogisticRegression, accuracy


def test_fit_recovers_the_signs_of_the_true_coefficients(
    synthetic: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = synthetic
    model = LogisticRegression(epochs=300).fit(x, y)
    assert model.weights is not None
    assert np.array_equal(np.sign(model.weights), [-1.0, 1.0, 1.0, -1.0])
    assert accuracy(y, model.predict(x)) > 0.85


def test_probabilities_are_in_unit_interval_and_threshold_controls_labels(
    synthetic: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = synthetic
    model = LogisticRegression(epochs=100).fit(x, y)
    proba = model.predict_proba(x)
    assert proba.shape == (len(y),)
    assert np.all((proba > 0) & (proba < 1))
    assert model.predict(x, threshold=1.0).sum() == 0
    assert model.predict(x, threshold=0.0).sum() == len(y)


def test_save_and_load_round_trip_gives_identical_predictions(
    synthetic: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    x, y = synthetic
    model = LogisticRegression(epochs=50).fit(x, y)
    path = tmp_path / "nested" / "model.json"
    model.save(path)
    loaded = LogisticRegression.load(path)
    np.testing.assert_allclose(loaded.predict_proba(x), model.predict_proba(x))
    assert loaded.epochs == 50


def test_unfitted_model_cannot_predict_or_save(tmp_path: Path) -> None:
    model = LogisticRegression()
    with pytest.raises(RuntimeError, match="not fitted"):
        model.predict(np.ones((1, 4)))
    with pytest.raises(RuntimeError, match="not fitted"):
        model.save(tmp_path / "m.json")


def test_invalid_shapes_and_hyperparameters_are_rejected() -> None:
    with pytest.raises(ValueError, match="epochs"):
        LogisticRegression(epochs=0)
    with pytest.raises(ValueError, match="expected x"):
        LogisticRegression().fit(np.ones((3, 2)), np.ones(4))
