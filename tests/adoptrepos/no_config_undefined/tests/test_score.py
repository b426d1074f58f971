from scorer import score


def test_score():
    assert score(3, 4) == 5.0
    assert score(None, 1) == 0.0
