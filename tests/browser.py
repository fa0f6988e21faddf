"""A small Chrome DevTools Protocol client over `--remote-debugging-pipe`, for the HTML report tests:
open a page at a given window size, evaluate JavaScript, click like a user (real mouse events at
an element's centre), take a screenshot, and collect every console error, uncaught exception and
browser log error (a Content-Security-Policy violation is one).

The pipe needs no WebSocket library: Chromium reads NUL-terminated JSON commands on fd 3 and
writes its answers and events on fd 4.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent


def chromium_or_skip() -> str:
    """Debian's chromium; when it is missing, `scripts/install-browser` (as root), or skip."""
    if not os.path.exists(CHROMIUM):
        script = ROOT / "scripts" / "install-browser"
        try:
            done = subprocess.run(["bash", str(script)], check=False, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"{CHROMIUM} is missing and scripts/install-browser could not install it: {exc}")
        if done.returncode != 0 or not os.path.exists(CHROMIUM):
            reason = (done.stderr or done.stdout).strip().splitlines()[-3:]
            pytest.skip(f"{CHROMIUM} is missing and scripts/install-browser could not install it "
                        f"(exit {done.returncode}): {' / '.join(reason)}")
    return CHROMIUM


class BrowserError(RuntimeError):
    pass


class Page:
    def __init__(self, chromium: str = CHROMIUM, width: int = 1400, height: int = 1000, timeout: float = 60):
        self.timeout = timeout
        self.errors: list[str] = []
        self._profile = tempfile.TemporaryDirectory(prefix="layerlint-cdp-")
        to_child, self._to_browser = os.pipe()
        self._from_browser, from_child = os.pipe()
        # the child's ends, moved to 10 or above so that the shell's redirections to 3 and 4 (made
        # there, not in a preexec_fn: the test process runs threads) never overwrite one of them; bash,
        # since dash takes only one-digit descriptors
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_child, from_child)]
        os.close(to_child)
        os.close(from_child)
        arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                     "--disable-background-networking", "--disable-component-update", "--hide-scrollbars",
                     "--remote-debugging-pipe", f"--user-data-dir={self._profile.name}", "about:blank"]
        plumbing = f'exec "$0" "$@" 3<&{ends[0]} 4>&{ends[1]} {ends[0]}<&- {ends[1]}>&-'
        self._process = subprocess.Popen(["/bin/bash", "-c", plumbing, chromium, *arguments],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, pass_fds=ends)
        for fd in ends:
            os.close(fd)
        self._buffer = b""
        self._next = 0
        self._events: list[dict] = []
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    # -- the protocol ----------------------------------------------------------------------------
    def _send(self, message: dict) -> None:
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise BrowserError("no answer from Chromium in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self._event(message)
        return message

    def _event(self, message: dict) -> None:
        self._events.append(message)
        method, params = message["method"], message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append(f"exception: {details.get('exception', {}).get('description') or details.get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append("console.error: " + " ".join(str(a.get("value", a.get("description")))
                                                            for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.errors.append(f"log: {params['entry'].get('text')}")

    def _call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._send(message)
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def call(self, method: str, params: dict | None = None) -> dict:
        return self._call(method, params, self._session)

    # -- what a test does ------------------------------------------------------------------------
    def open(self, path: Path, fragment: str = "") -> None:
        url = path.resolve().as_uri() + fragment
        self.call("Page.navigate", {"url": "about:blank"})  # so that a new fragment loads the page again
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + self.timeout
        # a load event may still be the blank page's: wait until the document is this one, complete
        while self.evaluate("location.href + ' ' + document.readyState") != url + " complete":
            if time.monotonic() > deadline:
                raise BrowserError(f"{url} did not load in time")
            time.sleep(0.05)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A left click at the centre of the element, as the mouse would do it."""
        box = self.evaluate(f"(function () {{ var el = document.querySelector({json.dumps(selector)});"
                            "el.scrollIntoView({block: 'nearest'}); var r = el.getBoundingClientRect();"
                            "return [r.left + Math.min(r.width / 2, 40), r.top + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent",
                      {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1})

    def press(self, key: str) -> None:
        """A key pressed and released on the focused element (arrows, Enter)."""
        code = {"ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40, "Enter": 13}[key]
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": key,
                                                 "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code})

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self._call("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._profile.cleanup()
