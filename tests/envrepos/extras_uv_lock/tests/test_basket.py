from importlib.metadata import version

from extras_uv_lock import Item, basket_total


def test_basket_total():
    assert basket_total([Item("tea", 2.5, 2), Item("cake", 3.0)]) == 8.0


def test_attrs_comes_from_uv_lock():
    # The manifest allows any attrs>=21; only uv.lock pins 22.2.0.
    assert version("attrs") == "22.2.0"
