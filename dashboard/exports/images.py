"""Charts as PNG or SVG files, rendered by kaleido in the system's Chromium.

kaleido 1.x drives a Chromium it finds through ``BROWSER_PATH``; here that defaults to
Debian's ``/usr/bin/chromium`` when present. Without a browser the caller gets
``ChartImageUnavailable`` with a message to show, never a download attempt.
"""

from __future__ import annotations

import functools
import os
import queue
import shutil
import threading
from collections.abc import Callable

import plotly.graph_objects as go
import plotly.io as pio

# kaleido bounds the drawing itself (90 s) but not the start of its Chromium: a browser that
# died while starting (seen once in a test run, with another Chromium busy beside it) left
# the caller waiting for ever. A render gets this long, and one more try.
RENDER_SECONDS = 60
RENDER_ATTEMPTS = 2
SYSTEM_CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}


class ChartImageUnavailable(RuntimeError):
    """No browser to render chart images with; the message says what to install or set."""


def browser_path() -> str | None:
    """The Chromium kaleido will use: BROWSER_PATH if it exists, else a system one."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if (os.path.exists(configured) or shutil.which(configured)) else None
    return next((path for path in SYSTEM_CHROMIUM if os.path.exists(path)), None)


def chart_image(figure: go.Figure, fmt: str = "png", width: int = 1200, height: int = 600) -> bytes:
    """The figure as PNG or SVG bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: use png or svg")
    browser = browser_path()
    if browser is None:
        raise ChartImageUnavailable(
            "Chart images need Chromium: install it (apt-get install chromium) or set "
            "BROWSER_PATH to a Chrome or Chromium executable."
        )
    os.environ["BROWSER_PATH"] = browser
    render = functools.partial(
        pio.to_image, figure, format=fmt, width=width, height=height, scale=2 if fmt == "png" else 1
    )
    for _attempt in range(RENDER_ATTEMPTS):
        try:
            return _within(RENDER_SECONDS, render)
        except _NoAnswer:
            continue
    raise ChartImageUnavailable(
        f"Chromium did not render the chart within {RENDER_SECONDS} s ({RENDER_ATTEMPTS} tries). "
        "Try again; if it persists, check that Chromium starts on this machine."
    )


class _NoAnswer(Exception):
    """The work did not finish in the time given."""


def _within(seconds: float, work: Callable[[], bytes]) -> bytes:
    """``work()`` in a daemon thread: its result or its exception, or ``_NoAnswer`` after
    ``seconds``. A Chromium that never answers then holds that thread, not the caller nor
    the process's exit."""
    done: queue.Queue = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            done.put((True, work()))
        except BaseException as problem:  # handed to the caller's thread below
            done.put((False, problem))

    threading.Thread(target=run, name="chart-image", daemon=True).start()
    try:
        finished, value = done.get(timeout=seconds)
    except queue.Empty:
        raise _NoAnswer from None
    if finished:
        return value
    raise value
