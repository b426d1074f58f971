"""A tiny attrs-based model: the code under test of this golden repository."""

import attrs


@attrs.define
class Item:
    name: str
    price: float
    quantity: int = 1

    def total(self) -> float:
        return self.price * self.quantity


def basket_total(items: list[Item]) -> float:
    return sum(item.total() for item in items)
