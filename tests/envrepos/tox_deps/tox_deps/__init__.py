"""A name helper: the code under test of this golden repository."""


def initials(name: str) -> str:
    return "".join(part[0].upper() for part in name.split() if part)
