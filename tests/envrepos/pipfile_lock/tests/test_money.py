from importlib.metadata import version

import idna

from pipfile_app import Money


def test_add():
    assert Money(150) + Money(250) == Money(400)


def test_idna_comes_from_dev_packages():
    # idna is declared only in the Pipfile's [dev-packages].
    assert idna.encode("bücher.example") == b"xn--bcher-kva.example"


def test_attrs_comes_from_pipfile_lock():
    # The Pipfile allows any attrs>=21; only Pipfile.lock pins 22.2.0.
    assert version("attrs") == "22.2.0"
