"""The slideshow as a presenter drives it: a real Chromium opens its link, keys and a
clicker's page keys move the slides, the link keeps the slide, reopening it shows that
slide again, and the QR code on the slide reads back (zxing-cpp) as the figure's page."""

from __future__ import annotations

import urllib.parse

import pytest
import zxingcpp
from PIL import Image

from dashboard.core.formatting import short_rupiah
from dashboard.ledger.db import open_ledger
from dashboard.publish import open_data
from tests.browser.conftest import ARTIFACTS, accessibility_problems

pytestmark = pytest.mark.browser

DONOR = "BUMN-001"


def shown(page) -> tuple[str, str]:
    """The visible slide's number ("3 / 9") and its title."""
    slide = page.locator("section.slide:visible")
    assert slide.count() == 1
    return slide.locator("footer .count").inner_text(), slide.locator("h1").inner_text()


def slide_in_url(page) -> str | None:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query).get("slide", [None])[0]


def test_keys_and_clicker_move_the_slides_and_the_link_keeps_the_slide(app_url, browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    link = f"{app_url}/slides?donor={DONOR}&from=2024-01-01&to=2024-12-31&lang=en"
    page.goto(link)
    count, title = shown(page)
    total = int(count.split("/")[1])
    assert (count, title) == (f"1 / {total}", page.title().rsplit(" (", 1)[0])
    assert "January 1, 2024 – December 31, 2024" in page.locator("p.subtitle").inner_text()
    moves = [
        ("ArrowRight", 2, "Headline numbers"),
        ("Space", 3, "Confirmed, continued, saved"),
        ("PageDown", 4, "Workers protected each month"),
        ("ArrowLeft", 3, "Confirmed, continued, saved"),
        ("Shift+Space", 2, "Headline numbers"),
        ("PageUp", 1, None),
        ("End", total, "Methodology"),
        ("ArrowRight", total, "Methodology"),  # the last slide stays the last
        ("Home", 1, None),
    ]
    for key, number, heading in moves:
        page.keyboard.press(key)
        count, title = shown(page)
        assert count == f"{number} / {total}", key
        if heading is not None:
            assert title == heading, key
        assert slide_in_url(page) == str(number), key
    page.keyboard.press("PageDown")
    assert shown(page)[1] == "Headline numbers"
    # The headline in forum size, the exact amount beside it.
    first = page.locator("section.slide:visible .numbers > div").first
    assert first.locator(".value").inner_text().endswith(("million", "billion"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "slideshow-headline-en.png"))

    page.keyboard.press("PageDown")
    page.keyboard.press("PageDown")  # the first chart
    reopened = context.new_page()
    reopened.goto(page.url)
    assert shown(reopened) == (f"4 / {total}", "Workers protected each month")
    assert shown(reopened) == shown(page)
    # Control: the same link without its slide opens at the title, so the check above
    # really read the slide from the link.
    reopened.goto(link)
    assert shown(reopened)[0] == f"1 / {total}"
    # f: the slides fill the screen (the Fullscreen API), f again leaves it.
    reopened.keyboard.press("f")
    reopened.wait_for_function("document.fullscreenElement !== null")
    assert reopened.evaluate("document.fullscreenElement.id") == "deck"
    reopened.keyboard.press("f")
    reopened.wait_for_function("document.fullscreenElement === null")
    assert errors == []
    context.close()


def test_the_programme_slideshow_speaks_indonesian_and_its_qr_code_reads_as_the_release(
    app_url, demo_url, browser, tmp_path
):
    engine = open_ledger(demo_url)
    info, figures = open_data.release_figures(engine)
    engine.dispose()
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{app_url}/slides?slide=2")
    assert shown(page) == (shown(page)[0], "Angka utama")
    assert shown(page)[0].startswith("2 / ")
    values = page.locator("section.slide:visible .numbers .value").all_inner_texts()
    assert short_rupiah(figures.claims_paid_idr, "id") in values
    assert short_rupiah(figures.claims_paid_idr, "en") not in values  # control: the language
    picture = tmp_path / "qr.png"
    page.locator("section.slide:visible footer .qr svg").screenshot(path=str(picture))
    read = zxingcpp.read_barcodes(Image.open(picture))
    assert [code.text for code in read] == [f"{app_url}/?release={info.id}&lang=id"]
    page.screenshot(path=str(ARTIFACTS / "slideshow-headline-id.png"))
    assert accessibility_problems(page) == []  # axe-core; the control is in test_access
    context.close()
