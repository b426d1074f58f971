import sys

from py313_app import chunks


def test_chunks():
    assert chunks(range(5), 2) == [[0, 1], [2, 3], [4]]


def test_runs_on_python_313():
    # requires-python is ">=3.13" (itertools.batched itself needs 3.12+).
    assert sys.version_info[:2] == (3, 13)
