"""An attrs-based model: the code under test of this golden repository."""

import attrs
import six


@attrs.define
class Greeting:
    who: str

    def render(self) -> str:
        return six.ensure_str(f"hello, {self.who}")
