import sys

import idna
import six

from conda_app import msgpack_to_dict, yaml_to_msgpack


def test_roundtrip():
    # pyyaml and msgpack-python (PyPI: msgpack) come from the conda dependencies.
    assert msgpack_to_dict(yaml_to_msgpack("a: 1\nb: [x, y]\n")) == {"a": 1, "b": ["x", "y"]}


def test_conda_and_pip_sections_were_installed():
    # six is a conda dependency; idna is only in the `pip:` sub-list.
    assert six.PY3
    assert idna.encode("bücher.example") == b"xn--bcher-kva.example"


def test_python_version_from_environment_yml():
    assert sys.version_info[:2] == (3, 11)
