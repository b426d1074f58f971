"""An attrs-based version record: the code under test of this golden repository."""

import attrs


@attrs.frozen(order=True)
class Release:
    major: int
    minor: int
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> "Release":
        return cls(*(int(part) for part in text.split(".")))
