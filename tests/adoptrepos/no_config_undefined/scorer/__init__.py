import json
import math
import os


def score(x,y):
    if x == None:
        return 0.0
    return math.hypot(x,y)


def load(path):
    with open(path) as fh:
        return json.load(fh)


def calibrate(values):
    total = sum(values)
    return [v / totl for v in values]
