from importlib.metadata import version

import idna
import pytest

from pylock_app import Span


def test_span_length():
    assert len(Span(3, 10)) == 7


def test_reversed_span_is_rejected():
    with pytest.raises(ValueError):
        Span(5, 1)


def test_test_extra_was_installed():
    # idna is declared only in the `test` extra.
    assert idna.encode("bücher.example") == b"xn--bcher-kva.example"


def test_attrs_comes_from_pylock_toml():
    # The manifest allows any attrs>=21; only pylock.toml pins 22.2.0.
    assert version("attrs") == "22.2.0"
