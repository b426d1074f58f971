"""Sequence helpers: the code under test of this golden repository (src layout, no metadata)."""


def pairwise_sums(values):
    return [values[i] + values[i + 1] for i in range(len(values) - 1)]
