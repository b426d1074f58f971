"""Command line for training and scoring.

python -m churn train data/sample.csv --model models/churn.json
python -m churn predict models/churn.json data/sample.csv
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from churn import __version__
from churn.features import load_csv
from churn.model import LogisticRegression, accuracy


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="churn",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="fit a model on a CSV and save it")
    train.add_argument("data", help="CSV with the feature columns and `churned`")
    train.add_argument(
        "--model", default="models/churn.json", help="where to save the model"
    )
    train.add_argument("--epochs", type=int, default=500)
    train.add_argument("--learning-rate", type=float, default=0.1)
    predict = sub.add_parser("predict", help="score a CSV with a saved model")
    predict.add_argument("model", help="a model saved by `train`")
    predict.add_argument("data")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        x, y = load_csv(args.data)
        if args.command == "train":
            model = LogisticRegression(
                learning_rate=args.learning_rate, epochs=args.epochs
            )
            model.fit(x, y)
            model.save(args.model)
            score = accuracy(y, model.predict(x))
            print(f"trained on {len(y)} rows, training accuracy {score:.3f}")
            print(f"model saved to {args.model}")
        else:
            model = LogisticRegression.load(args.model)
            for p in model.predict_proba(x):
                print(f"{p:.4f}")
    except (OSError, ValueError) as exc:
        print(f"churn: error: {exc}", file=sys.stderr)
        return 2
    return 0
