import six

from cfg_app import Color


def test_hex():
    # attrs comes from [options] install_requires.
    assert Color(255, 128, 0).hex() == "#ff8000"


def test_test_extra_was_installed():
    # six is declared only in [options.extras_require] test.
    assert six.PY3
