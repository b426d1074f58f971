"""Batching: the code under test of this golden repository."""

from itertools import batched


def chunks(items, size):
    return [list(batch) for batch in batched(items, size)]
