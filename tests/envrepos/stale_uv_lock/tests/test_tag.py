from importlib.metadata import version

from stale_uv_lock import Tag


def test_label():
    # six is in [project].dependencies but not in uv.lock.
    assert Tag("beta").label() == "BETA"


def test_attrs_still_pinned_by_uv_lock():
    # uv.lock pins attrs 22.2.0; re-locking with `uv lock` keeps that pin while adding six.
    assert version("attrs") == "22.2.0"
