"""The deck and the slideshow from one content model: a QR code on every slide that reads
back (zxing-cpp, a decoder apart from segno) as the figure's page, exact amounts on the
notes, and a donor's slideshow refused where the route cannot know who is asking."""

from __future__ import annotations

import datetime as dt
import io

import zxingcpp
from PIL import Image
from pptx import Presentation as PptxPresentation
from pypdf import PdfReader
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard.accounts.access import OPERATOR
from dashboard.core.formatting import rupiah, short_rupiah
from dashboard.exports.deck import build_deck
from dashboard.exports.presentation import figure_link, presentation
from dashboard.exports.slideshow import slideshow_html
from dashboard.exports.statement import make_statement, render_statement
from dashboard.web import slides
from queries.figures import Period
from tests.conftest import TODAY

DONOR = "BUMN-001"
BASE = "https://lingkaran.example.org"


def test_every_deck_slide_carries_a_qr_code_to_the_donor_page_with_the_same_period(
    demo_engine,
):
    period = Period(dt.date(2016, 1, 1), TODAY)  # every donation of the demo
    content = presentation(demo_engine, OPERATOR, DONOR, period, TODAY, lang="en")
    deck = PptxPresentation(io.BytesIO(build_deck(content, BASE)))
    expected = f"{BASE}/donor?donor={DONOR}&lang=en&from={period.start}&to={period.end}"
    assert figure_link(content, BASE) == expected
    for slide in deck.slides:
        pictures = [shape for shape in slide.shapes if shape.shape_type == 13]  # PICTURE
        assert len(pictures) == 1
        read = zxingcpp.read_barcodes(Image.open(io.BytesIO(pictures[0].image.blob)))
        assert [code.text for code in read] == [expected]
    # The headline slide shows money short; its notes page keeps the exact amounts.
    numbers = deck.slides[1]
    texts = [shape.text_frame.text for shape in numbers.shapes if shape.has_text_frame]
    donated = content.figures.donated_idr
    assert short_rupiah(donated, "en") in texts
    assert rupiah(donated, "en") not in texts  # control: the slide itself shows it short
    assert rupiah(donated, "en") in numbers.notes_slide.notes_text_frame.text


def test_the_programme_slideshow_links_its_release_and_escapes_what_it_shows(demo_engine):
    content = presentation(demo_engine, OPERATOR, None, lang="id")
    content.title = "<script>alert(1)</script>"  # as if a ledger text reached the title
    page = slideshow_html(content, BASE).decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert page.count("<section") == 4 + len(content.charts)  # title, numbers, assured, method
    assert f"{BASE}/?release={content.release_id}&amp;lang=id" in page


def test_a_donor_slideshow_is_refused_in_production_and_served_in_demo(demo_url, monkeypatch):
    monkeypatch.setenv("LINGKARAN_DATABASE_URL", demo_url)
    client = TestClient(Starlette(routes=slides.routes))
    monkeypatch.setenv("LINGKARAN_MODE", "production")
    refused = client.get(f"/slides?donor={DONOR}&lang=en")
    assert refused.status_code == 403
    assert "log in" in refused.text
    assert client.get("/slides?lang=en").status_code == 200  # the programme is public
    monkeypatch.setenv("LINGKARAN_MODE", "demo")  # control: the same link where all may see
    served = client.get(f"/slides?donor={DONOR}&lang=en&fy=2025")
    assert served.status_code == 200
    assert "script-src 'sha256-" in served.headers["content-security-policy"]
    assert client.get("/slides?donor=NOPE").status_code == 404
    assert client.get(f"/slides?donor={DONOR}&from=31-01-2025").status_code == 400


def test_the_statement_carries_a_qr_code_to_the_donor_page_with_its_period(
    demo_engine, monkeypatch
):
    monkeypatch.setenv("LINGKARAN_PUBLIC_URL", BASE)
    period = Period(dt.date(2016, 1, 1), TODAY)
    statement = make_statement(demo_engine, OPERATOR, DONOR, period, TODAY)
    pdf = PdfReader(io.BytesIO(render_statement(demo_engine, OPERATOR, statement, "en")))
    assert len(pdf.pages) == 1
    images = [image.image for image in pdf.pages[0].images]
    read = [code.text for image in images for code in zxingcpp.read_barcodes(image)]
    assert read == [f"{BASE}/donor?donor={DONOR}&lang=en&from={period.start}&to={period.end}"]
