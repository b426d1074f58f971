import six

from tox_deps import initials


def test_initials():
    assert initials("ada  lovelace") == "AL"


def test_six_comes_from_tox_deps():
    # six is declared only in requirements-test.txt, which tox.ini's deps name with -r.
    assert six.ensure_str("ok") == "ok"
