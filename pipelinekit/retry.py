"""Retries with exponential backoff for idempotent reads (never for writes: a POST that timed
out may have happened, and repeating it is not safe)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def retry_read(
    call: Callable[[], T],
    *,
    transient: Callable[[BaseException], bool],
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`call()`, retried after `backoff`, `2*backoff`, ... while it fails transiently; the last
    or a non-transient exception propagates unchanged for the caller to describe."""
    delay = backoff
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as exc:
            if attempt == attempts or not transient(exc):
                raise
            sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover
