import idna
import six

from tests_require_app import Counter


def test_counter():
    counter = Counter()
    for word in ["a", "b", "a"]:
        counter.add(word)
    assert counter.counts == {"a": 2, "b": 1}


def test_tests_require_was_installed():
    # six is declared only in setup(tests_require=[...]).
    assert six.ensure_text(b"x") == "x"


def test_test_extra_was_installed():
    # idna is declared only in setup(extras_require={"test": [...]}).
    assert idna.encode("bücher.example") == b"xn--bcher-kva.example"
