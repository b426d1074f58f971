import idna

from placeholder_app import Release


def test_parse_and_order():
    # attrs comes from [project].dependencies, though the project itself cannot be built.
    assert Release.parse("1.10.0") > Release.parse("1.9.3")


def test_dependency_group_was_installed():
    # idna is declared only in [dependency-groups] test.
    assert idna.encode("bücher.example") == b"xn--bcher-kva.example"
