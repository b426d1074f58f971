from __future__ import annotations

import pytest

from pipelinekit.retry import retry_read


def test_retries_transient_failures_with_doubling_backoff() -> None:
    calls: list[int] = []
    slept: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("reset")
        return "ok"

    assert (
        retry_read(
            flaky,
            transient=lambda e: isinstance(e, ConnectionError),
            attempts=3,
            backoff=0.5,
            sleep=slept.append,
        )
        == "ok"
    )
    assert slept == [0.5, 1.0]


def test_gives_up_after_attempts_and_never_retries_permanent_errors() -> None:
    slept: list[float] = []

    def down() -> None:
        raise ConnectionError("refused")

    with pytest.raises(ConnectionError):
        retry_read(down, transient=lambda e: True, attempts=2, backoff=0.1, sleep=slept.append)
    assert slept == [0.1]

    def denied() -> None:
        raise PermissionError("403")

    with pytest.raises(PermissionError):
        retry_read(denied, transient=lambda e: False, attempts=5, backoff=0.1, sleep=slept.append)
    assert slept == [0.1]
