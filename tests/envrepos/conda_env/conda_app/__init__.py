"""Config round-tripping: the code under test of this golden repository."""

import msgpack
import yaml


def yaml_to_msgpack(text: str) -> bytes:
    return msgpack.packb(yaml.safe_load(text))


def msgpack_to_dict(blob: bytes) -> dict:
    return msgpack.unpackb(blob)
