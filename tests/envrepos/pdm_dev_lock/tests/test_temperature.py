from importlib.metadata import version

import idna
import pytest

from pdm_dev_lock import Temperature


def test_conversion():
    assert Temperature(100.0).fahrenheit == 212.0


def test_below_absolute_zero_is_rejected():
    with pytest.raises(ValueError):
        Temperature(-300.0)


def test_dev_dependency_group_was_installed():
    # idna is declared only in [tool.pdm.dev-dependencies] test.
    assert idna.encode("bücher.example") == b"xn--bcher-kva.example"


def test_attrs_comes_from_pdm_lock():
    # The manifest allows any attrs>=21; only pdm.lock pins 22.2.0.
    assert version("attrs") == "22.2.0"
