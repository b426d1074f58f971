"""Tools run with their output streamed live: each line as it comes, the whole output in a
log, the last lines kept for messages, and a tool that overruns stopped with its children."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelinekit.util.stream import MAX_KEPT, StreamTimeout, run_streamed

SLOW_LINES = "import time\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.3)\n"


def test_lines_arrive_while_the_tool_runs_and_land_in_the_log(tmp_path: Path) -> None:
    arrivals: list[tuple[str, float]] = []
    start = time.monotonic()
    result = run_streamed(
        [sys.executable, "-c", SLOW_LINES],
        cwd=tmp_path,
        on_line=lambda line: arrivals.append((line, time.monotonic() - start)),
        log=tmp_path / "logs" / "tool.log",
    )
    assert result.returncode == 0 and [a for a, _ in arrivals] == ["0", "1", "2"]
    assert arrivals[0][1] < arrivals[-1][1] - 0.4  # live, not all at the end
    assert (tmp_path / "logs" / "tool.log").read_text() == "0\n1\n2\n"
    assert result.tail(2) == "1\n2"


def test_only_the_last_lines_are_kept_in_memory(tmp_path: Path) -> None:
    code = f"for i in range({MAX_KEPT + 50}):\n    print(i)\nimport sys; sys.exit(3)\n"
    result = run_streamed([sys.executable, "-c", code], cwd=tmp_path)
    assert result.returncode == 3 and len(result.lines) == MAX_KEPT
    assert result.lines[-1] == str(MAX_KEPT + 49) and result.log is None


def test_an_overrun_stops_the_tool_and_its_children(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    code = (
        "import subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
        "print('started', flush=True)\ntime.sleep(60)\n"
    )
    with pytest.raises(StreamTimeout) as caught:
        run_streamed([sys.executable, "-c", code], cwd=tmp_path, timeout=2)
    assert caught.value.lines == ["started"]
    child = marker.read_text()
    time.sleep(0.3)
    alive = subprocess.run(["ps", "-p", child, "-o", "stat="], capture_output=True, text=True)
    assert alive.stdout.strip() in ("", "Z")  # gone (or a zombie awaiting its dead parent)


def test_a_missing_program(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run_streamed([str(tmp_path / "nope")], cwd=tmp_path)
