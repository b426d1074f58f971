"""An attrs-based settings object: the code under test of this golden repository."""

import attrs


@attrs.frozen
class Settings:
    host: str = "localhost"
    port: int = 8080

    def url(self) -> str:
        return f"http://{self.host}:{self.port}"
