"""Hostile text reaches the screen as text: a donor's name and a URL parameter never become
a link, an image or markup (issue 11, part 3)."""

from __future__ import annotations

from sqlalchemy import update

from dashboard.ledger.db import open_ledger
from dashboard.ledger.schema import Donor

LINK = "[klik di sini](https://evil.example/login)"
HOSTILE_NAME = f"**PT Palsu** {LINK} ![x](https://evil.example/pixel.png) $x^2$"


def test_a_donor_id_from_the_url_is_shown_as_text(open_page, demo_url):
    at = open_page(demo_url, "donor_impact", donor=LINK)
    warning = " ".join(w.value for w in at.warning)
    assert "klik di sini" in warning
    assert LINK not in warning  # the brackets and parentheses arrive escaped
    assert "\\[klik di sini\\]\\(https\u2060\\:" in warning  # a joiner: never a bare link


def test_the_presentation_header_shows_a_donor_name_as_text(open_page, demo_copy_url):
    engine = open_ledger(demo_copy_url)
    with engine.begin() as conn:
        conn.execute(update(Donor).where(Donor.donor_id == "CSR-001").values(name=HOSTILE_NAME))
    engine.dispose()
    at = open_page(demo_copy_url, "presentation")
    at.selectbox(key="scope").select("CSR-001").run()
    assert not at.exception
    headers = [h.value for h in at.header]
    assert HOSTILE_NAME not in headers
    shown = [h for h in headers if "PT Palsu" in h]
    assert shown and all(r"\*\*PT Palsu\*\*" in h and r"\!\[x\]" in h for h in shown)
