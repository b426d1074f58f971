from importlib.metadata import version

from subfolders_app import Point


def test_manhattan():
    assert Point(3, -4).manhattan() == 7


def test_attrs_is_constrained():
    # requirements/base.txt says attrs>=21; requirements/constraints.txt (named by
    # `-c constraints.txt` inside requirements/test.txt, so relative to requirements/)
    # pins it to 22.2.0.
    assert version("attrs") == "22.2.0"


def test_tests_requirements_txt_was_installed():
    import idna  # declared only in tests/requirements.txt

    assert idna.encode("bücher.example") == b"xn--bcher-kva.example"


def test_test_requirements_txt_was_installed():
    import six  # declared only in test_requirements.txt

    assert six.PY3


def test_requirements_dev_txt_was_installed():
    import colorama  # declared only in requirements-dev.txt

    assert colorama.Fore.RED
