"""The embeds for other sites: the page and the SVG badge parsed back and compared with the
latest release's figures, their headers, and a donor the wall does not name (Starlette's
test client on the small demo; the embed in another site's page is in
tests/browser/test_embed_browser.py)."""

from __future__ import annotations

from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select, update
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard.core.config import DATABASE_URL_VARIABLE
from dashboard.core.formatting import number, rupiah
from dashboard.ledger.db import open_ledger
from dashboard.ledger.schema import Donor
from dashboard.publish import embeds, open_data
from dashboard.publish.privacy import shown_count

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def client(demo_copy_url, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_VARIABLE, demo_copy_url)
    return TestClient(Starlette(routes=embeds.routes))


@pytest.fixture
def ledger(demo_copy_url):
    engine = open_ledger(demo_copy_url)
    yield engine
    engine.dispose()


class Texts(HTMLParser):
    """The page's texts, its links and whether it holds a script or loads anything."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self.links.append(attributes["href"])
        if tag in ("script", "img", "link", "iframe", "object") or "src" in attributes:
            self.loads.append(tag)

    def handle_data(self, data):
        if data.strip():
            self.texts.append(data.strip())


def page_texts(body: str) -> Texts:
    parser = Texts()
    parser.feed(body)
    parser.close()
    return parser


def svg_texts(body: bytes) -> tuple[list[str], str, str]:
    root = ET.fromstring(body)  # well-formed XML or an exception
    assert root.tag == f"{SVG}svg"
    shown = [element.text for element in root.iter(f"{SVG}text")]
    return shown, root.find(f"{SVG}title").text, root.find(f"{SVG}desc").text


def named_and_anonymous(engine) -> tuple[str, str, str]:
    """A donor the latest wall names (its id and name), and an anonymous donor's id."""
    wall = open_data.donors_wall(engine)
    with engine.connect() as conn:
        donors = conn.execute(select(Donor.donor_id, Donor.name, Donor.show_name)).all()
    named = next(d for d in donors if d.show_name and d.name in set(wall["name"]))
    anonymous = next(d for d in donors if not d.show_name)
    return named.donor_id, named.name, anonymous.donor_id


@pytest.mark.parametrize(
    ("lang", "source"),
    [("id", "Sumber: GN Lingkaran, rilis"), ("en", "Source: GN Lingkaran, release")],
)
def test_the_programme_embed_shows_the_latest_release_figures(client, ledger, lang, source):
    info, totals = open_data.release_figures(ledger)
    expected = [
        shown_count(totals.covered_workers, info.suppression_k, lang),
        number(totals.protected_months, lang),
        rupiah(totals.claims_paid_idr, lang),
    ]
    answer = client.get(f"/embed/programme?lang={lang}")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    page = page_texts(answer.text)
    assert all(figure in page.texts for figure in expected), page.texts
    line = next(text for text in page.texts if text.startswith(source))
    assert f" {info.id} " in line and "CC BY 4.0" in line
    assert page.links == [f"/?release={info.id}&lang={lang}"] and page.loads == []
    # The control: the first release's worker-months, another figure, is not on the page.
    _first, earlier = open_data.release_figures(ledger, release=open_data.releases(ledger)[-1].id)
    assert number(earlier.protected_months, lang) not in page.texts

    badge = client.get(f"/embed/programme.svg?lang={lang}")
    assert badge.headers["content-type"].startswith("image/svg+xml")
    shown, title, desc = svg_texts(badge.content)
    assert all(figure in shown for figure in expected) and line in shown
    assert title.startswith("GN Lingkaran") and line in desc


def test_a_named_donor_embed_shows_its_row_of_the_wall(client, ledger):
    donor_id, name, _anonymous = named_and_anonymous(ledger)
    wall = open_data.donors_wall(ledger)
    row = wall[wall["name"] == name].iloc[0]
    page = page_texts(client.get(f"/embed/donor/{donor_id}?lang=en").text)
    assert name in page.texts and rupiah(int(row["donated_idr"]), "en") in page.texts
    assert page.links[0].startswith("/donors?release=")
    shown, title, _desc = svg_texts(client.get(f"/embed/donor/{donor_id}.svg").content)
    assert name in shown and rupiah(int(row["donated_idr"]), "id") in shown
    assert title.startswith(name)


def test_an_anonymous_or_unknown_donor_is_a_plain_404_that_tells_them_apart_in_nothing(
    client, ledger
):
    donor_id, _name, anonymous = named_and_anonymous(ledger)
    assert client.get(f"/embed/donor/{donor_id}").status_code == 200  # the control
    answers = [
        client.get(f"/embed/donor/{who}{kind}")
        for who in (anonymous, "NO-SUCH-DONOR")
        for kind in ("", ".svg")
    ]
    assert {a.status_code for a in answers} == {404}
    assert {a.text for a in answers} == {answers[0].text}
    assert answers[0].headers["content-type"].startswith("text/plain")
    assert "tidak ditampilkan namanya di dinding donatur" in answers[0].text


def test_withdrawing_consent_switches_the_donor_embed_off_at_once(client, ledger):
    donor_id, _name, _anonymous = named_and_anonymous(ledger)
    assert client.get(f"/embed/donor/{donor_id}.svg").status_code == 200
    with ledger.begin() as conn:
        conn.execute(update(Donor).where(Donor.donor_id == donor_id).values(show_name=False))
    assert client.get(f"/embed/donor/{donor_id}.svg").status_code == 404
    assert client.get(f"/embed/donor/{donor_id}").status_code == 404


def test_an_embed_may_be_framed_anywhere_and_sets_no_cookie(client):
    for address in ("/embed/programme", "/embed/programme.svg", "/embed/donor/nobody"):
        headers = client.get(address).headers
        assert "set-cookie" not in headers and "x-frame-options" not in headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors *" in policy and "default-src 'none'" in policy
        assert "script-src" not in policy  # nothing allows a script
    frozen = client.get("/embed/programme?release=2026-01")
    assert "immutable" in frozen.headers["cache-control"]
    assert "2026-01" in frozen.text
    assert client.get("/embed/programme?release=1999-01").status_code == 404
