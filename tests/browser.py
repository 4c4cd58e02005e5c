"""Open a local HTML file in Debian's headless Chromium: DOM, console messages, screenshot,
and (:class:`Page`) clicks and scripts over the DevTools protocol.

Console messages come from Chromium's own log (``--enable-logging=stderr``):
every ``console.*`` call, uncaught exception and Content-Security-Policy
violation appears as an ``INFO:CONSOLE`` line. Our pages never log, so any
such line is a failure.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--hide-scrollbars",
]
CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\]? ?(.*)")


def chromium() -> str | None:
    """Path of the chromium binary, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass(frozen=True)
class PageLoad:
    dom: str
    console: list
    screenshot: Path


def _run(args: list, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120
    )


def load(page: Path, tmp: Path, *, width: int = 1000, height: int = 2400) -> PageLoad:
    """Load ``page`` twice: once dumping the DOM after scripts ran, once taking a screenshot."""
    url = page.resolve().as_uri()
    dump = _run(["--dump-dom", url], tmp / "profile-dom")
    shot = tmp / (page.stem + ".png")
    snap = _run([f"--screenshot={shot}", f"--window-size={width},{height}", url], tmp / "profile-shot")
    console = [m.group(1) for line in (dump.stderr + snap.stderr).splitlines() if (m := CONSOLE.search(line))]
    return PageLoad(dump.stdout, console, shot)


def is_blank(png: Path) -> bool:
    """True when the screenshot is missing or a single colour."""
    if not png.exists():
        return True
    import matplotlib.image

    pixels = np.asarray(matplotlib.image.imread(str(png)))
    return float(pixels.std()) < 1e-3


class Page:
    """A page in headless Chromium driven over the DevTools protocol on a pipe.

    ``--remote-debugging-pipe`` makes Chromium read NUL-terminated JSON
    commands on fd 3 and answer on fd 4, so no websocket package or port is
    needed. Use as a context manager::

        with browser.Page(tmp_path) as page:
            page.open(path)
            page.click("#agents th:nth-child(2)")   # a real mouse click
            page.evaluate("document.title")

    ``console`` collects console messages, uncaught exceptions and log
    entries (CSP violations among them); our pages produce none.
    """

    def __init__(self, tmp: Path, *, width: int = 1000, height: int = 1600, timeout_s: float = 60.0):
        self.timeout_s = timeout_s
        self.console: list = []
        self._buf, self._next, self._events = b"", 0, []
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def _fds():  # in the child: the pipe ends become fds 3 and 4
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        args = [chromium(), *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={tmp / 'profile-cdp'}"]
        args += [f"--window-size={width},{height}", "about:blank"]
        self._proc = subprocess.Popen(
            args, preexec_fn=_fds, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        try:
            self._attach(width, height)
        except BaseException:
            self.close()
            raise

    def _attach(self, width: int, height: int) -> None:
        target = self._call("Target.createTarget", {"url": "about:blank", "newWindow": False})["targetId"]
        self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self._call(f"{domain}.enable", session=True)
        self._call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Stop Chromium (this process only)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait(timeout=30)
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass

    def _read(self) -> dict:
        deadline = time.monotonic() + self.timeout_s
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("chromium did not answer over the DevTools pipe")
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def _note(self, msg: dict) -> None:
        method, params = msg.get("method", ""), msg.get("params", {})
        if method == "Runtime.consoleAPICalled":
            self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.console.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Log.entryAdded":
            self.console.append(params["entry"].get("text", ""))
        self._events.append(method)

    def _call(self, method: str, params: dict | None = None, *, session: bool = False) -> dict:
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self._session
        os.write(self._to_chrome, json.dumps(msg).encode("utf-8") + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._note(reply)

    def _wait_event(self, method: str) -> None:
        while method not in self._events:
            self._note(self._read())

    def open(self, page: Path) -> None:
        """Load a local file and wait for its load event."""
        self._events.clear()
        self._call("Page.navigate", {"url": page.resolve().as_uri()}, session=True)
        self._wait_event("Page.loadEventFired")

    def evaluate(self, expression: str):
        """The JSON value of a JavaScript expression in the page; raises on a thrown exception."""
        result = self._call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("exception", {}).get("description", "exception"))
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real left click (mouse down and up) at the centre of the first element matching ``selector``."""
        box = self.evaluate(
            f"(function(){{var e=document.querySelector({json.dumps(selector)});if(!e)return null;"
            "e.scrollIntoView({block:'center'});var r=e.getBoundingClientRect();"
            "return [r.left+r.width/2, r.top+r.height/2];})()"
        )
        if box is None:
            raise LookupError(f"no element matches {selector!r}")
        for kind in ("mousePressed", "mouseReleased"):
            event = {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1}
            self._call("Input.dispatchMouseEvent", event, session=True)
