"""Train the model: `python scripts/train.py --data data.csv --out model.json`."""

import argparse


def main() -> None:
    """Parse the paths and train."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/srv/data/train.csv")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    print(args.data, args.out)


if __name__ == "__main__":
    main()
