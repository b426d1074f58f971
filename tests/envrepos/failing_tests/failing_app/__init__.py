"""Averages: the code under test of this golden repository (it has a real bug)."""


def mean(values):
    return sum(values) / len(values)


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    # Bug: an even-length list should average the two middle values.
    return ordered[middle]
