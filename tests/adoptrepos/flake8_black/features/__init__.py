"""Feature engineering for the churn model."""

from features.windows import rolling_mean


def scaled(values, lower, upper):
    span = upper - lower
    return [(value - lower) / span if span else 0.0 for value in values]


def window(values, start, offset):
    # black puts spaces around the slice colon of complex bounds; flake8 is told (E203)
    return values[start + offset : start + offset + 3]


def describe(name, values):
    return f"{name}: {len(values)} values, avg {sum(values) / max(len(values), 1):.3f}, {values[0]}"


__all__ = ["describe", "rolling_mean", "scaled", "window"]
