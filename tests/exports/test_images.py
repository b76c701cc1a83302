"""Chart images through kaleido and the system Chromium, and the message without one."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from dashboard.exports.images import ChartImageUnavailable, browser_path, chart_image
from tests.conftest import IN_CI

FIGURE = go.Figure(go.Bar(x=["JKK", "JKM"], y=[3_317_824_000, 2_058_000_000]))


@pytest.mark.browser
@pytest.mark.parametrize("fmt, start", [("png", b"\x89PNG"), ("svg", b"<svg")])
def test_a_chart_renders_as_an_image_with_the_system_chromium(fmt, start):
    if browser_path() is None and not IN_CI:
        pytest.skip("no Chromium here")
    image = chart_image(FIGURE, fmt)
    assert image.startswith(start)
    assert len(image) > 1000


def test_without_a_browser_the_message_says_what_to_do(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(ChartImageUnavailable, match="apt-get install chromium"):
        chart_image(FIGURE, "png")


def test_a_chromium_that_never_answers_is_tried_again_then_named(monkeypatch):
    """kaleido waits for ever on a browser that died while starting: the caller does not."""
    import threading

    import plotly.io as pio

    from dashboard.exports import images

    monkeypatch.setattr(images, "RENDER_SECONDS", 0.2)
    monkeypatch.setattr(images, "browser_path", lambda: "/usr/bin/chromium")
    never = threading.Event()
    calls: list[str] = []

    def first_hangs(figure, **options):
        calls.append(options["format"])
        if len(calls) == 1:
            never.wait(30)  # the stuck first try; released when the test ends
        return b"\x89PNG" + b"0" * 2000

    monkeypatch.setattr(pio, "to_image", first_hangs)
    try:
        assert chart_image(FIGURE, "png").startswith(b"\x89PNG")
        assert calls == ["png", "png"]

        def always_hangs(figure, **options):
            never.wait(30)

        monkeypatch.setattr(pio, "to_image", always_hangs)
        with pytest.raises(ChartImageUnavailable, match="did not render the chart within"):
            chart_image(FIGURE, "svg")
    finally:
        never.set()


def test_a_rendering_error_reaches_the_caller(monkeypatch):
    import plotly.io as pio

    from dashboard.exports import images

    monkeypatch.setattr(images, "browser_path", lambda: "/usr/bin/chromium")

    def broken(figure, **options):
        raise ValueError("bad figure")

    monkeypatch.setattr(pio, "to_image", broken)
    with pytest.raises(ValueError, match="bad figure"):
        chart_image(FIGURE, "png")
