"""The HTTP service: reads its settings from the environment, reports errors and metrics."""

import os

import boto3
import sentry_sdk
import tensorflow as tf
from fastapi import FastAPI
from prometheus_client import Counter, make_asgi_app

sentry_sdk.init(dsn=os.environ.get("SENTRY_DSN"))
for gpu in tf.config.list_physical_devices("GPU"):
    tf.config.experimental.set_memory_growth(gpu, True)

REQUESTS = Counter("predictions_total", "Predictions served")
app = FastAPI()
app.mount("/metrics", make_asgi_app())


def storage() -> object:
    """An S3 client for whichever provider the environment names."""
    return boto3.client("s3", endpoint_url=os.environ.get("S3_ENDPOINT_URL"))


@app.get("/predict")
def predict(x: float) -> dict[str, float]:
    """Score one value."""
    REQUESTS.inc()
    return {"y": 2 * x, "bucket": float(len(os.environ.get("MODEL_BUCKET", "")))}
