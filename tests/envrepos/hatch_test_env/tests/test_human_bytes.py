import six

from hatch_test_env import human_bytes


def test_human_bytes():
    assert human_bytes(512) == "512 B"
    assert human_bytes(1536) == "1.5 KiB"
    assert human_bytes(3 * 1024**3) == "3.0 GiB"


def test_six_comes_from_the_hatch_test_env():
    # six is declared only in [tool.hatch.envs.test] dependencies.
    assert six.text_type("x") == "x"
