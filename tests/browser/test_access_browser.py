"""Every reader: a screen reader, the keyboard, a phone and a printer, in a real Chromium."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest

from dashboard.core import labels
from dashboard.core.formatting import number, rupiah
from dashboard.ledger.db import open_ledger
from dashboard.publish import open_data
from tests.browser.conftest import accessibility_problems, wait_for_app

pytestmark = pytest.mark.browser


def opened(page, address: str) -> None:
    page.goto(address)
    page.locator('[data-testid="stPlotlyChart"], [data-testid="stMarkdown"]').first.wait_for(
        timeout=60_000
    )
    wait_for_app(page)


def largest(frame, by: str) -> tuple[str, int]:
    shown = frame[~frame["suppressed"].astype(bool)]
    row = shown.loc[shown["workers"].astype("int64").idxmax()]
    return row[by], int(row["workers"])


def overview_figures(demo_url: str, lang: str) -> dict[str, list[str]]:
    """For each chart of the overview (by its key), figures its text must state, read from
    the latest release here rather than from the chart."""
    engine = open_ledger(demo_url)
    release = open_data.release_figures(engine)[0].id
    growth = open_data.monthly_protection(engine, release=release)
    claims = open_data.paid_claims(engine, release=release)
    by = {
        name: open_data.covered_by(engine, name, release=release)
        for name in ("province", "occupation", "gender", "age_band")
    }
    engine.dispose()
    occupation, occupation_workers = largest(by["occupation"], "occupation")
    gender, gender_workers = largest(by["gender"], "gender")
    band, band_workers = largest(by["age_band"], "age_band")
    province, province_workers = largest(by["province"], "province")
    lived = growth["protected_workers"].dropna()
    shown_claims = claims[~claims["suppressed"].astype(bool)]
    return {
        "active": [number(int(lived.iloc[0]), lang), number(int(lived.iloc[-1]), lang)],
        "donations": [number(int(growth["cumulative_corporate_idr"].iloc[-1]), lang)],
        "province-map": [labels.province(province), number(province_workers, lang)],
        "occupation": [labels.occupation(occupation, lang), number(occupation_workers, lang)],
        "gender": [labels.gender(gender, lang), number(gender_workers, lang)],
        "age_band": [str(band), number(band_workers, lang)],
        "claims": [number(int(shown_claims["amount_idr"].max()), lang)],
    }


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_chart_on_the_overview_states_its_figures(app_url, page, demo_url, lang):
    """A screen reader meets each chart as a figure named by what it shows, in the page's
    language: its title and its figures, computed here from the release."""
    expected = overview_figures(demo_url, lang)
    opened(page, f"{app_url}/?lang={lang}")
    page.locator(".st-key-claims [data-testid='stPlotlyChart']").wait_for(timeout=60_000)
    # On a loaded machine the page's elements arrive over several messages: wait for all.
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length >= n",
        arg=len(expected),
        timeout=60_000,
    )
    assert page.locator('[data-testid="stPlotlyChart"]').count() == len(expected)
    for key, figures in expected.items():
        # The name as Chromium's accessibility tree gives it.
        said = page.locator(f".st-key-{key}").aria_snapshot()
        assert said.lstrip("- ").startswith(("figure", "'figure")), said
        for figure in figures:
            assert re.search(rf"(?<![\d.,]){re.escape(figure)}(?![\d.,]*\d)", said), (key, figure)
    # A control: the other language's words are not what this page says.
    other = "Pekerja terlindungi per" if lang == "en" else "Workers protected by"
    assert other not in page.locator('[data-testid="stMain"]').aria_snapshot()


TABBABLE = """() => {
    const stops = [...document.querySelectorAll(
        'a[href], button:not([disabled]), input:not([disabled]), select, textarea, summary, '
        + '[tabindex]:not([tabindex="-1"])')];
    return stops.filter(
        e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden');
}"""


def tab_presses(page, start, goal) -> int:
    """How many presses of Tab take the keyboard from ``start`` to ``goal``."""
    start.focus()
    for presses in range(1, 200):
        page.keyboard.press("Tab")
        if goal.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError("Tab never reached the goal")


def controls_between(page, start, goal) -> int:
    """Tab stops the page really has between ``start`` and ``goal``, in document order."""
    return page.evaluate(
        f"""([start, goal]) => {{
            const stops = ({TABBABLE})();
            return stops.indexOf(goal) - stops.indexOf(start) - 1;
        }}""",
        [start.element_handle(), goal.element_handle()],
    )


def test_the_charts_are_not_in_the_tab_order(app_url, page):
    """From the last control before the charts to the first after the map, the keyboard
    stops only at what the page really offers between them: no chart's toolbar."""
    opened(page, f"{app_url}/?lang=en")
    page.locator(".st-key-province-map [data-testid='stPlotlyChart']").wait_for(timeout=60_000)
    start = page.get_by_role("button", name="Help for Claims paid")
    goal = page.locator('[data-testid="stExpander"] summary').first
    between = """() => {
        const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
        const goal = document.querySelector('[data-testid="stExpander"] summary');
        return goal ? charts.filter(c => c.compareDocumentPosition(goal) & 4).length : 0;
    }"""
    # The charts arrive one by one while the script runs: the map may be drawn before the
    # two growth charts (a clean-clone CI run counted 1 here). Wait for all, then count.
    page.wait_for_function(f"({between})() >= 3", timeout=60_000)
    assert page.evaluate(between) == 3  # the two growth charts and the map
    assert page.locator(".modebar-btn").count() == 0
    # Each chart's one "Share & download" button is a stop (its link and files wait inside
    # the popover, out of the Tab order until it is opened): three charts, three stops.
    assert page.locator(".st-key-share-active button").first.is_visible()
    assert tab_presses(page, start, goal) == controls_between(page, start, goal) + 1 == 4
    # A control: a button inside a chart is a stop the walk counts.
    page.evaluate(
        """() => document.querySelector('[data-testid="stPlotlyChart"]')
            .appendChild(document.createElement('button'))"""
    )
    assert tab_presses(page, start, goal) == 5


EVERY_PAGE = (
    "",
    "donors",
    "methodology",
    "open-data",
    "releases",
    "presentation",
    "verify",
    "donor?donor=BUMN-001",
    "compare?donor=BUMN-001",
    "admin",
)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_page_has_a_serious_accessibility_violation(app_url, page, lang):
    """axe-core on every page of the demo (the admin console included: the demo visitor is
    an administrator); the production sign-in page is checked in test_login_browser."""
    found = {}
    for path in EVERY_PAGE:
        sep = "&" if "?" in path else "?"
        opened(page, f"{app_url}/{path}{sep}lang={lang}")
        page.wait_for_timeout(1000)  # charts are drawn after the script run
        if problems := accessibility_problems(page):
            found[path] = problems
    assert found == {}
    # A control: a caption back at Streamlit's own 60% opacity is found.
    page.evaluate(
        """() => document.querySelector('[data-testid="stCaptionContainer"]')
            .style.opacity = '0.6'"""
    )
    assert any(problem.startswith("color-contrast") for problem in accessibility_problems(page))


@pytest.mark.parametrize("path", ["?lang=en", "donor?donor=BUMN-001&lang=id"])
def test_the_dark_scheme_has_no_serious_accessibility_violation(app_url, browser, path):
    """Streamlit draws its dark theme for a system that prefers it: the captions and the
    language switch stay readable there too."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme="dark")
    page = context.new_page()
    try:
        opened(page, f"{app_url}/{path}")
        text = page.evaluate("getComputedStyle(document.querySelector('.stApp')).color")
        assert min(int(part) for part in re.findall(r"\d+", text)[:3]) > 200  # light on dark
        assert accessibility_problems(page) == []
    finally:
        context.close()


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("path", ["", "donor?donor=BUMN-001"])
def test_a_phone_reads_the_page_without_sideways_scrolling(app_url, browser, path, lang):
    """At 390 px the page never scrolls sideways; the Sankey and the tile map keep the width
    their labels need (720 px) and scroll in their own box instead of colliding, a box the
    keyboard can reach and scroll (axe-core finds nothing serious on the phone either)."""
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    try:
        sep = "&" if "?" in path else "?"
        opened(page, f"{app_url}/{path}{sep}lang={lang}")
        roomy = page.locator('[class*="st-key-roomy-"]')
        roomy.last.locator("svg.main-svg").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        assert page.evaluate("document.querySelector('.stMain').scrollWidth") <= PHONE["width"]
        expected = 2 if path else 1  # the donor page's Sankey and map; the overview's map
        assert roomy.count() == expected
        for box in roomy.all():
            drawn = float(box.locator("svg.main-svg").first.get_attribute("width"))
            assert drawn >= 720
            assert box.evaluate("box => box.scrollWidth > box.clientWidth")  # it scrolls
            # ... and the keyboard can scroll it: the box takes focus, the arrow moves it.
            box.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("box => box.scrollLeft > 0", arg=box.element_handle())
        assert accessibility_problems(page) == []
        # A control: every other chart fits the phone.
        others = page.locator('[data-testid="stPlotlyChart"] svg.main-svg:first-child').all()
        assert [float(svg.get_attribute("width")) <= PHONE["width"] for svg in others].count(
            False
        ) == expected
    finally:
        context.close()


def test_a_printed_donor_page_holds_the_page_and_not_the_sidebar(app_url, page, demo_url):
    """Printed (Chromium's own print to PDF, A4): no sidebar or buttons, the figures and the
    charts' words on paper, each chart scaled to the paper's width, on a few pages."""
    from queries.figures import ledger_figures

    engine = open_ledger(demo_url)
    figures = ledger_figures(engine, "BUMN-001", dt.date.today())
    engine.dispose()
    opened(page, f"{app_url}/donor?donor=BUMN-001&lang=id")
    page.locator(".st-key-claims-chart svg.main-svg").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Dinding donatur" in sidebar  # the navigation the paper must not carry
    # Each chart's drawing's width on paper, as the browser lays the page out for print.
    page.evaluate(
        """() => window.addEventListener('beforeprint', () => { window.printedWidths =
            [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg.main-svg')]
            .map(drawing => drawing.getBoundingClientRect().width); })"""
    )
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = "\n".join(sheet.extract_text() for sheet in pdf.pages)
    assert "Dinding donatur" not in text and "Bahasa Indonesia" not in text
    assert rupiah(figures.donated_idr) in text  # the headline
    assert "Donasi 2024" in text  # the Sankey's words
    assert "Pekerja terlindungi per provinsi" in text  # the map's title
    assert 3 <= len(pdf.pages) <= 10
    # Each chart fitted the paper (A4 inside the margins) while printing, the Sankey
    # (940 px on the screen) too, and is back at its screen size after.
    printed = page.evaluate("window.printedWidths")
    assert len(printed) >= 8 and max(printed) <= 681
    on_screen = page.locator(".st-key-flow svg.main-svg").first.bounding_box()["width"]
    assert on_screen > 681
    # A control: the same page printed without the stylesheet carries the sidebar.
    page.evaluate(
        """() => document.querySelectorAll('style')
            .forEach(style => style.textContent.includes('roomy') && style.remove())"""
    )
    bare = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
    assert "Dinding donatur" in "\n".join(sheet.extract_text() for sheet in bare.pages)
