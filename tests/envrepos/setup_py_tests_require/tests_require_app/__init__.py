"""An attrs-based counter: the code under test of this golden repository."""

import attrs


@attrs.define
class Counter:
    counts: dict = attrs.field(factory=dict)

    def add(self, word: str) -> None:
        self.counts[word] = self.counts.get(word, 0) + 1
