import math


def rolling_mean(values, size):
    means = []
    for index in range(len(values) - size + 1):
        chunk = values[index : index + size]
        means.append(math.fsum(chunk) / size)
    return means
