"""The code under test of this golden repository (a flat module)."""


def double(value: int) -> int:
    return value * 2
