import six

from failing_app import mean, median


def test_environment_is_healthy():
    # six is declared only in the `test` extra: the environment was built right.
    assert six.PY3


def test_mean():
    assert mean([1, 2, 3, 4]) == 2.5


def test_median_odd():
    assert median([3, 1, 2]) == 2


def test_median_even():
    # Fails for a real reason: median() ignores the lower middle value.
    assert median([4, 1, 3, 2]) == 2.5
