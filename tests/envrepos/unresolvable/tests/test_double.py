from unresolvable_app import double


def test_double():
    # Passes in any environment; the point of this repository is that requirements.txt
    # names a package that does not exist, so no environment can be built.
    assert double(21) == 42
