"""An attrs-based stack: the code under test of this golden repository (a flat module)."""

import attrs


@attrs.define
class Stack:
    items: list = attrs.field(factory=list)

    def push(self, item) -> None:
        self.items.append(item)

    def pop(self):
        return self.items.pop()
