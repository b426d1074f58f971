"""Debian's Chromium, headless, driven over the DevTools protocol (websocket-client): load a
page, collect what its console and the network saw, evaluate JavaScript in it. Started on a
free loopback port with its own profile folder and stopped by PID."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import tools
from tests.support.pushgateway import free_port


@dataclass
class Page:
    """What a page load produced: console errors and warnings, exceptions, requests."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


class Browser:
    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.next_id = 0

    def call(
        self, method: str, params: dict[str, Any] | None = None, page: Page | None = None
    ) -> Any:
        """Send one command and return its result; events that arrive meanwhile go to `page`."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if page is not None:
                _record(page, message)

    def load(self, url: str, timeout: float = 30) -> Page:
        page = Page()
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.call(f"{domain}.enable", page=page)
        self.call("Page.navigate", {"url": url}, page=page)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv())
            _record(page, message)
            if message.get("method") == "Page.loadEventFired":
                return page
        raise TimeoutError(f"{url} did not finish loading in {timeout} s")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(str(result["exceptionDetails"]))
        return result["result"].get("value")


def _record(page: Page, message: dict[str, Any]) -> None:
    method, params = message.get("method"), message.get("params", {})
    if method == "Runtime.consoleAPICalled" and params.get("type") in (
        "error",
        "warning",
        "assert",
    ):
        page.errors.append(json.dumps(params.get("args")))
    elif method == "Runtime.exceptionThrown":
        page.errors.append(json.dumps(params.get("exceptionDetails")))
    elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
        page.errors.append(params["entry"].get("text", ""))
    elif method == "Network.requestWillBeSent":
        page.requests.append(params["request"]["url"])


@contextmanager
def chromium(folder: Path) -> Iterator[Browser]:
    binary = tools.require("chromium")
    import websocket

    port = free_port()
    log = (folder / "chromium.log").open("wb")
    proc = subprocess.Popen(
        [
            str(binary), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking",
            f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={folder / 'profile'}", "about:blank",
        ],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        target = _page_target(port, proc)
        socket = websocket.create_connection(target, timeout=30, suppress_origin=True)
        try:
            yield Browser(socket)
        finally:
            socket.close()
    finally:
        proc.kill()
        proc.wait(timeout=10)
        log.close()


def _page_target(port: int, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as answer:
                pages = [t for t in json.load(answer) if t.get("type") == "page"]
            if pages:
                return str(pages[0]["webSocketDebuggerUrl"])
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("chromium did not start its DevTools endpoint")
        time.sleep(0.2)
