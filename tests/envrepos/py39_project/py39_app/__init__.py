"""Dictionary merging: the code under test of this golden repository."""


def merged(base: dict, override: dict) -> dict:
    return {**base, **override}
