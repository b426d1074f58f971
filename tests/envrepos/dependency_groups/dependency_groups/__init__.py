"""Text helpers: the code under test of this golden repository."""


def slugify(text: str) -> str:
    return "-".join(text.lower().split())
