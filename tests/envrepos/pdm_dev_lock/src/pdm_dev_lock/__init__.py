"""An attrs-based record with validation: the code under test of this golden repository."""

import attrs


@attrs.define
class Temperature:
    celsius: float = attrs.field(validator=attrs.validators.ge(-273.15))

    @property
    def fahrenheit(self) -> float:
        return self.celsius * 9 / 5 + 32
