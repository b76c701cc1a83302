"""An embed as a partner's site shows it: a page of another origin (a second local HTTP
server) frames the programme's embed in both languages and shows its SVG badge, in a real
Chromium, and nothing is fetched from any other host."""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.parse

import pytest

from dashboard.core.formatting import number
from dashboard.ledger.db import open_ledger
from dashboard.publish import open_data
from tests.browser.conftest import ARTIFACTS
from tests.load import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def partner_site(tmp_path, app_url):
    """The partner's page, served from another origin, with the embeds' snippets in it."""
    (tmp_path / "index.html").write_text(
        "<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'><title>Mitra</title></head>"
        "<body><h1>Situs mitra</h1>"
        f"<iframe id='id' title='Lingkaran' src='{app_url}/embed/programme?lang=id'"
        " width='600' height='230'></iframe>"
        f"<iframe id='en' title='Lingkaran' src='{app_url}/embed/programme?lang=en'"
        " width='600' height='230'></iframe>"
        f"<img alt='Lingkaran' src='{app_url}/embed/programme.svg?lang=id'>"
        "</body></html>"
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_partner_page_of_another_origin_shows_the_embed_and_fetches_nothing_else(
    app_url, partner_site, demo_url, browser
):
    engine = open_ledger(demo_url)
    info, totals = open_data.release_figures(engine)
    engine.dispose()
    assert urllib.parse.urlsplit(partner_site).netloc != urllib.parse.urlsplit(app_url).netloc
    context = browser.new_context(viewport={"width": 1300, "height": 800})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{partner_site}/index.html")
    for lang in ("id", "en"):
        frame = page.frame_locator(f"iframe#{lang}")
        figure = number(totals.protected_months, lang)
        frame.get_by_text(figure, exact=True).wait_for(timeout=30_000)
        assert f"{info.id}" in frame.locator("p.source").inner_text()
    badge = page.locator("img")
    badge.wait_for()
    assert page.evaluate("document.querySelector('img').naturalWidth") > 0  # the SVG drew
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "embed-partner-site.png"), full_page=True)
    context.close()
    hosts = {urllib.parse.urlsplit(url).netloc for url in requested}
    assert len(requested) >= 4  # the page, two frames, the badge: the recording works
    assert hosts == {
        urllib.parse.urlsplit(partner_site).netloc,
        urllib.parse.urlsplit(app_url).netloc,
    }
