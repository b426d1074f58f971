from importlib.metadata import version

from stale_poetry_lock import Greeting


def test_render():
    # six is in [project].dependencies but not in poetry.lock.
    assert Greeting("world").render() == "hello, world"


def test_attrs_still_pinned_by_poetry_lock():
    # poetry.lock pins attrs 22.2.0; `poetry lock` (2.x) keeps that pin while adding six.
    assert version("attrs") == "22.2.0"
