"""Binary logistic regression trained with full-batch gradient descent.

Plain NumPy keeps the example installable anywhere in seconds; the model is saved as
JSON (not pickle) so an artifact can be inspected, and loaded without executing code.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from churn.features import Standardizer

FORMAT_VERSION = 1


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # Clipping avoids overflow warnings in exp for extreme scores.
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


class LogisticRegression:
    """Logistic regression with L2 regularisation and built-in standardisation."""

    def __init__(
        self, learning_rate: float = 0.1, epochs: int = 500, l2: float = 0.01
    ) -> None:
        if learning_rate <= 0 or epochs <= 0 or l2 < 0:
            msg = "learning_rate and epochs must be positive, l2 non-negative"
            raise ValueError(msg)
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.l2 = l2
        self.scaler = Standardizer()
        self.weights: np.ndarray | None = None
        self.bias = 0.0

    def fit(self, x: np.ndarray, y: np.ndarray) -> LogisticRegression:
        """Fit on features `x` (n_samples, n_features) and 0/1 labels `y`."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if x.ndim != 2 or y.shape != (x.shape[0],):
            msg = f"expected x (n, k) and y (n,), got {x.shape} and {y.shape}"
            raise ValueError(msg)
        xs = self.scaler.fit_transform(x)
        n, k = xs.shape
        self.weights = np.zeros(k)
        self.bias = 0.0
        for _ in range(self.epochs):
            error = _sigmoid(xs @ self.weights + self.bias) - y
            self.weights -= self.learning_rate * (
                xs.T @ error / n + self.l2 * self.weights
            )
            self.bias -= self.learning_rate * float(error.mean())
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Probability of churn for each row of `x`."""
        if self.weights is None:
            msg = "model is not fitted; call fit() or load() first"
            raise RuntimeError(msg)
        xs = self.scaler.transform(np.asarray(x, dtype=float))
        return _sigmoid(xs @ self.weights + self.bias)

    def predict(self, x: np.ndarray, threshold: float = 0.5) -> np.ndarray:
        return (self.predict_proba(x) >= threshold).astype(int)

    def save(self, path: str | Path) -> None:
        if self.weights is None or self.scaler.mean is None or self.scaler.std is None:
            msg = "cannot save a model that is not fitted"
            raise RuntimeError(msg)
        state = {
            "format": FORMAT_VERSION,
            "weights": self.weights.tolist(),
            "bias": self.bias,
            "mean": self.scaler.mean.tolist(),
            "std": self.scaler.std.tolist(),
            "params": {
                "learning_rate": self.learning_rate,
                "epochs": self.epochs,
                "l2": self.l2,
            },
        }
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(state, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> LogisticRegression:
        state = json.loads(Path(path).read_text(encoding="utf-8"))
        if state.get("format") != FORMAT_VERSION:
            msg = f"{path}: unsupported model format {state.get('format')!r}"
            raise ValueError(msg)
        model = cls(**state["params"])
        model.weights = np.array(state["weights"], dtype=float)
        model.bias = float(state["bias"])
        model.scaler = Standardizer(
            mean=np.array(state["mean"], dtype=float),
            std=np.array(state["std"], dtype=float),
        )
        return model


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
