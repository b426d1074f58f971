"""Customer-churn prediction with a small, dependency-light logistic regression."""

from churn.features import FEATURES, Standardizer, load_csv
from churn.model import LogisticRegression

__version__ = "0.1.0"

__all__ = ["FEATURES", "LogisticRegression", "Standardizer", "__version__", "load_csv"]
