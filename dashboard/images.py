"""Charts as PNG or SVG files, rendered by kaleido in the system's Chromium.

kaleido 1.x drives a Chromium it finds through ``BROWSER_PATH``; here that defaults to
Debian's ``/usr/bin/chromium`` when present. Without a browser the caller gets
``ChartImageUnavailable`` with a message to show, never a download attempt.
"""

from __future__ import annotations

import os
import shutil

import plotly.graph_objects as go
import plotly.io as pio

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
    return pio.to_image(
        figure, format=fmt, width=width, height=height, scale=2 if fmt == "png" else 1
    )
