"""An attrs-based point: the code under test of this golden repository."""

import attrs


@attrs.define
class Point:
    x: int
    y: int

    def manhattan(self) -> int:
        return abs(self.x) + abs(self.y)
