"""Run a tool with its output streamed live and kept: a 30-minute test run shows progress in
the CI log as it happens, and a failure still has its last lines and a full log to point to.

stdout and stderr are merged (the order a person reads them in), each line goes to `on_line`
as it arrives and to the log file, and the last MAX_KEPT lines stay in memory for messages.
On timeout the tool's whole process group is stopped, politely first.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelinekit.util.redact import redact

MAX_KEPT = 400
"""Output lines kept in memory (the whole output is in the log file)."""
GRACE_S = 5.0

LineSink = Callable[[str], None]


class StreamTimeout(Exception):
    """The tool ran longer than its timeout and was stopped."""

    def __init__(self, argv: Sequence[str], timeout: float, lines: list[str]) -> None:
        super().__init__(f"{' '.join(argv[:3])} did not finish within {timeout:.0f} s")
        self.lines = lines


@dataclass(frozen=True)
class StreamResult:
    returncode: int
    lines: tuple[str, ...]
    """The last MAX_KEPT lines, without line ends."""
    log: Path | None

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def tail(self, n: int = 20) -> str:
        kept = [line.rstrip() for line in self.lines if line.strip()]
        return "\n".join(kept[-n:]) if kept else "(no output)"


def run_streamed(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    on_line: LineSink | None = None,
    log: Path | None = None,
    timeout: float | None = None,
) -> StreamResult:
    """Run `argv`, passing each output line to `on_line` as it comes; raises FileNotFoundError
    when the program does not exist and StreamTimeout when it overruns `timeout`."""
    kept: deque[str] = deque(maxlen=MAX_KEPT)
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
    sink = log.open("w", encoding="utf-8", errors="replace") if log is not None else None
    try:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except BaseException:
        if sink is not None:
            sink.close()
        raise
    assert process.stdout is not None
    stdout = process.stdout

    def pump() -> None:
        for raw in iter(stdout.readline, b""):
            # a tool may echo a secret (an index URL with its password): never into a log
            line = redact(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
            kept.append(line)
            if sink is not None:
                sink.write(line + "\n")
                sink.flush()
            if on_line is not None:
                on_line(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_group(process)
        _finish(reader, sink)
        raise StreamTimeout(argv, timeout or 0.0, list(kept)) from None
    except BaseException:  # Ctrl-C: stop the tool too, then let the interrupt through
        stop_group(process)
        _finish(reader, sink)
        raise
    _finish(reader, sink)
    return StreamResult(code, tuple(kept), log)


def _finish(reader: threading.Thread, sink: object) -> None:
    """Wait for the last lines; a daemon the tool left behind may hold the pipe open, so the
    wait is bounded and the reader (a daemon thread) is then left to it."""
    reader.join(GRACE_S)
    if sink is not None and not reader.is_alive():
        sink.close()  # type: ignore[attr-defined]


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, SIGKILL it if it is still there after GRACE_S."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=GRACE_S)
            return
        except subprocess.TimeoutExpired:
            continue
