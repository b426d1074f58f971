"""Two small statistics, each exercised by its own test file (so xdist spreads them)."""


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def spread(values: list[float]) -> float:
    return max(values) - min(values)
