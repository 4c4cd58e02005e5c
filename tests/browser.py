"""Open a local HTML file in Debian's headless Chromium: DOM, console messages, screenshot.

Console messages come from Chromium's own log (``--enable-logging=stderr``):
every ``console.*`` call, uncaught exception and Content-Security-Policy
violation appears as an ``INFO:CONSOLE`` line. Our pages never log, so any
such line is a failure.
"""

from __future__ import annotations

import re
import shutil
import subprocess
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
