"""An attrs-based range type: the code under test of this golden repository."""

import attrs


@attrs.frozen
class Span:
    start: int
    end: int = attrs.field()

    @end.validator
    def _check_end(self, attribute, value):
        if value < self.start:
            raise ValueError("end before start")

    def __len__(self) -> int:
        return self.end - self.start
