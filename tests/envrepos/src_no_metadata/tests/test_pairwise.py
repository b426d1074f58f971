import six

from src_app import pairwise_sums


def test_pairwise_sums():
    # src_app lives in src/ and nothing installs it: src/ must be on the import path.
    assert pairwise_sums([1, 2, 4]) == [3, 6]


def test_requirements_were_installed():
    # six is declared only in requirements.txt.
    assert six.PY3
