import pandas as pd

DATA = "/home/alice/projects/churn/data/train.csv"


def main():
    frame = pd.read_csv(DATA)
    frame.to_parquet("/mnt/shared/models/churn.parquet")


if __name__ == "__main__":
    main()
