from features import describe, rolling_mean, scaled, window


def test_scaled():
    assert scaled([1, 3], 1, 3) == [0.0, 1.0]


def test_window_and_mean():
    assert window([0, 1, 2, 3, 4, 5], 1, 1) == [2, 3, 4]
    assert rolling_mean([1, 2, 3], 2) == [1.5, 2.5]
    assert describe("x", [1.0]).startswith("x: 1 values")
