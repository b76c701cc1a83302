"""Chart images through kaleido and the system Chromium, and the message without one."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from dashboard.images import ChartImageUnavailable, browser_path, chart_image
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
