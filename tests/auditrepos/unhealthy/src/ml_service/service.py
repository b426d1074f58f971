import pickle

import boto3
import numpy as np
import pandas as pd
import tensorflow as tf
from fastapi import FastAPI

AWS_ACCESS_KEY_ID = "AKIAZ7Q3LXK4MJ2WPV5N"

app = FastAPI()
s3 = boto3.client("s3", endpoint_url="http://minio.internal:9000", region_name="eu-west-1")


def load_model(path, cache={}):
    if path not in cache:
        obj = s3.get_object(Bucket="acme-models", Key=path)
        cache[path] = pickle.loads(obj["Body"].read())
    return cache[path]


def features(df):
    rows = []
    for _, row in df.iterrows():
        rows.append(row["amount"] * 2)
    df.dropna(inplace=True)
    noise = np.random.rand(len(rows))
    return rows, noise


@app.get("/predict")
def predict(x: float):
    model = load_model("s3://acme-models/churn.pkl")
    return {"y": float(model.predict(pd.DataFrame({"x": [x]}))[0]), "tf": tf.__version__}
