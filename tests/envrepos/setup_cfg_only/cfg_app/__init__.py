"""An attrs-based color: the code under test of this golden repository."""

import attrs


@attrs.frozen
class Color:
    red: int
    green: int
    blue: int

    def hex(self) -> str:
        return f"#{self.red:02x}{self.green:02x}{self.blue:02x}"
