import sys

from py39_app import merged


def test_merged():
    assert merged({"a": 1, "b": 2}, {"b": 3}) == {"a": 1, "b": 3}


def test_runs_on_python_39():
    # requires-python is ">=3.8,<3.10" and .python-version pins 3.9.
    assert sys.version_info[:2] == (3, 9)
