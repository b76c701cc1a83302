"""A chart's link, as a reader shares it: copied from the chart's popover and opened in
another browser, it shows the same page, release, donor, period and language, at that chart."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import wait_for_app

pytestmark = pytest.mark.browser


def opened(page, address: str) -> None:
    page.goto(address)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    wait_for_app(page)


def shared_link(page, key: str) -> str:
    """The link the chart's "Share & download" popover offers."""
    page.locator(f".st-key-share-{key} button").first.click()
    return page.locator("[data-testid='stPopoverBody'] code").first.inner_text().replace("\n", "")


def in_view(page, key: str) -> bool:
    chart = page.locator(f".st-key-{key} [data-testid='stPlotlyChart']")
    chart.wait_for(timeout=60_000)
    box = chart.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] / 2 <= 1000


def test_a_public_charts_link_reopens_its_release_and_language_at_the_chart(app_url, browser, page):
    opened(page, f"{app_url}/?lang=en")
    link = shared_link(page, "province-map")
    asked = parse_qs(urlsplit(link).query)
    release = asked["release"][0]  # the release shown is pinned: the link outlives the next
    assert asked["lang"] == ["en"] and asked["chart"] == ["province-map"]

    elsewhere = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    opened(elsewhere, link)
    elsewhere.locator(".st-key-province-map[data-linked='true']").wait_for(timeout=30_000)
    assert in_view(elsewhere, "province-map")
    assert elsewhere.get_by_text(f"Release {release}, data to").count() == 1  # English
    # A control: the page opened without the chart's name stays at its top.
    opened(elsewhere, link.replace("&chart=province-map", ""))
    elsewhere.wait_for_timeout(1000)
    assert not in_view(elsewhere, "province-map")
    elsewhere.context.close()


def test_a_donor_charts_link_keeps_the_donor_and_the_period(app_url, page):
    opened(page, f"{app_url}/donor?donor=BUMN-001&from=2025-01-01&to=2025-12-31&lang=id")
    link = shared_link(page, "flow")
    asked = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path.endswith("/donor")
    assert {name: asked[name] for name in ("donor", "from", "to", "chart")} == {
        "donor": ["BUMN-001"],
        "from": ["2025-01-01"],
        "to": ["2025-12-31"],
        "chart": ["flow"],
    }
    assert "release" not in asked  # a donor's figures are not a release
    assert "lang" not in asked  # Indonesian is the default: no parameter
    # A control: a page opened without a period shares none.
    opened(page, f"{app_url}/donor?donor=BUMN-001&lang=id")
    assert "from" not in parse_qs(urlsplit(shared_link(page, "flow")).query)
