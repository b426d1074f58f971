"""An attrs-based model: the code under test of this golden repository."""

import attrs
import six


@attrs.define
class Tag:
    name: str

    def label(self) -> str:
        return six.ensure_str(self.name).upper()
