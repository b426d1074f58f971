from importlib.metadata import version

import idna

from poetry_groups_lock import Settings


def test_settings_url_with_idna_host():
    # idna is declared only in [tool.poetry.group.test.dependencies].
    settings = Settings(host=idna.encode("bücher.example").decode(), port=9000)
    assert settings.url() == "http://xn--bcher-kva.example:9000"


def test_attrs_comes_from_poetry_lock():
    # The manifest allows any attrs>=21; only poetry.lock pins 22.2.0.
    assert version("attrs") == "22.2.0"
