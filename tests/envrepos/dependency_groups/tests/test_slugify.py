import six

from dependency_groups import slugify


def test_slugify():
    assert slugify("  Hello   Big World ") == "hello-big-world"


def test_six_comes_from_the_included_group():
    # six is declared only in the "extra-tools" group, which "test" includes.
    assert six.ensure_str(b"ok") == "ok"
