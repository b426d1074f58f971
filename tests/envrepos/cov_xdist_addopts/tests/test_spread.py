from stats import spread


def test_spread():
    assert spread([4.0, 1.0, 3.0]) == 3.0
