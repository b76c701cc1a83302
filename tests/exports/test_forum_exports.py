"""The deck and the statement, opened back with python-pptx and pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pptx import Presentation as PptxPresentation
from pypdf import PdfReader

from dashboard.accounts.access import OPERATOR
from dashboard.core import labels
from dashboard.core.formatting import rupiah
from dashboard.exports.deck import build_deck
from dashboard.exports.presentation import forum_numbers, presentation
from dashboard.exports.statement import make_statement, render_statement, verify_statement
from queries import donor
from queries.figures import ALL_TIME, Period, ledger_figures
from tests.conftest import TODAY

DONOR = "BUMN-001"


def charts_of(deck_bytes: bytes) -> dict[str, dict[str, list]]:
    deck = PptxPresentation(io.BytesIO(deck_bytes))
    found = {}
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_chart:
                title = next(s.text_frame.text for s in slide.shapes if s.has_text_frame)
                plot = shape.chart.plots[0]
                found[title] = {
                    "categories": list(plot.categories),
                    **{series.name: list(series.values) for series in plot.series},
                }
    return found


def test_the_deck_has_its_slides_and_native_charts_with_the_query_series(demo_engine):
    content = presentation(demo_engine, OPERATOR, DONOR, as_of=TODAY, lang="en")
    deck = PptxPresentation(io.BytesIO(build_deck(content)))
    # title, numbers, confirmed/continued/saved, charts, methodology
    assert len(deck.slides) == 4 + len(content.charts)
    assured = [shape.text_frame.text for shape in deck.slides[2].shapes if shape.has_text_frame]
    assert assured[0] == "Confirmed, continued, saved"
    figures = content.figures
    assert f"Of {figures.ended_workers} workers whose protection from you ended" in assured[1]
    assert "confirmed received by BPJS Ketenagakerjaan" in assured[1]
    assert "old-age savings" in assured[1]  # PT Listrik Kepulauan gave JHT donations
    texts = [shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame]
    assert texts[0] == "PT Listrik Kepulauan (Persero)"
    assert "Impact report" in texts[1]

    charts = charts_of(build_deck(content))
    months = donor.monthly(demo_engine, OPERATOR, DONOR)
    protected = charts["Workers protected each month"]
    assert protected["categories"] == [m.strftime("%Y-%m") for m in months["month"]]
    assert protected["Workers protected"] == [float(v) for v in months["protected_workers"]]
    provinces = charts["Workers protected by province (top 10)"]
    top = donor.breakdown(
        donor.profile(demo_engine, OPERATOR, DONOR, as_of=TODAY), "province"
    ).head(10)
    assert provinces["Workers"] == [float(v) for v in top["workers"]][::-1]  # drawn bottom-up
    claims = charts["Benefits paid by program (rupiah)"]
    paid = donor.claims(demo_engine, OPERATOR, DONOR, as_of=TODAY)
    assert sum(claims["Benefits paid"]) == paid["amount_idr"].sum()


def test_the_deck_speaks_the_chosen_language(demo_engine):
    indonesian = charts_of(
        build_deck(presentation(demo_engine, OPERATOR, None, as_of=TODAY, lang="id"))
    )
    assert "Pekerja terlindungi per bulan" in indonesian
    assert "Workers protected each month" not in indonesian


@pytest.mark.parametrize(
    "lang, label, money",
    [("id", "Pernyataan dampak donasi", "Rp "), ("en", "Donor impact statement", "IDR ")],
)
def test_the_statement_pdf_holds_the_figures_in_the_chosen_language(
    demo_engine, lang, label, money
):
    statement = make_statement(demo_engine, OPERATOR, DONOR, as_of=TODAY)
    text = "\n".join(
        page.extract_text()
        for page in PdfReader(
            io.BytesIO(render_statement(demo_engine, OPERATOR, statement, lang))
        ).pages
    )
    figures = ledger_figures(demo_engine, DONOR, TODAY)
    assert label in text
    assert rupiah(figures.donated_idr, lang) in text
    assert rupiah(figures.claims_paid_idr, lang) in text
    assert statement.code in text
    assert money in text


def test_a_statement_verifies_and_a_tampered_one_does_not(demo_engine):
    period = Period()
    statement = make_statement(demo_engine, OPERATOR, DONOR, period, TODAY)
    ok = verify_statement(demo_engine, DONOR, period, TODAY, statement.code.lower())
    assert ok.confirmed and ok.figures == statement.figures

    forged_code = statement.code[:-1] + ("A" if statement.code[-1] != "A" else "B")
    assert not verify_statement(demo_engine, DONOR, period, TODAY, forged_code).confirmed
    inflated = {**statement.figures, "covered_workers": statement.figures["covered_workers"] + 1}
    assert not verify_statement(
        demo_engine, DONOR, period, TODAY, statement.code, claimed=inflated
    ).confirmed
    other_period = Period(TODAY.replace(year=TODAY.year - 1), None)
    assert not verify_statement(demo_engine, DONOR, other_period, TODAY, statement.code).confirmed
    assert not verify_statement(demo_engine, "CSR-001", period, TODAY, statement.code).confirmed


def test_a_statement_issued_before_contract_v2_or_v3_still_verifies(demo_engine):
    """Its code signed its version's figures only; they stand, so it verifies. A v1 code over
    a changed figure does not."""
    from dashboard.core.catalogue import SINCE_V2, SINCE_V3
    from dashboard.exports.statement import verification_code

    period = Period()
    figures = make_statement(demo_engine, OPERATOR, DONOR, period, TODAY).figures
    v2 = {k: v for k, v in figures.items() if k not in SINCE_V3}
    assert "paid_ahead_months" in figures and "paid_ahead_months" not in v2
    code = verification_code(DONOR, period, TODAY, v2)
    assert verify_statement(demo_engine, DONOR, period, TODAY, code).confirmed
    v1 = {k: v for k, v in v2.items() if k not in SINCE_V2}
    code = verification_code(DONOR, period, TODAY, v1)
    assert verify_statement(demo_engine, DONOR, period, TODAY, code).confirmed
    with_jht_claim = {**v1, "claims_paid_count": v1["claims_paid_count"] + 1}
    stale = verification_code(DONOR, period, TODAY, with_jht_claim)
    assert not verify_statement(demo_engine, DONOR, period, TODAY, stale).confirmed


def test_a_statement_signed_with_another_key_does_not_verify(demo_engine, monkeypatch):
    statement = make_statement(demo_engine, OPERATOR, DONOR, Period(), TODAY)
    monkeypatch.setenv("LINGKARAN_STATEMENT_KEY", "production-secret")
    assert not verify_statement(demo_engine, DONOR, Period(), TODAY, statement.code).confirmed


def test_the_cli_exports_a_deck_and_a_statement(demo_url, tmp_path):
    from click.testing import CliRunner

    from dashboard.cli import main

    runner = CliRunner()
    deck = runner.invoke(
        main,
        [
            "--db",
            demo_url,
            "export",
            "deck",
            "--lang",
            "en",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "--out",
            str(tmp_path / "deck.pptx"),
        ],
    )
    assert deck.exit_code == 0, deck.output
    assert len(PptxPresentation(str(tmp_path / "deck.pptx")).slides) >= 6
    statement = runner.invoke(
        main,
        [
            "--db",
            demo_url,
            "export",
            "statement",
            "--donor",
            DONOR,
            "--out",
            str(tmp_path / "s.pdf"),
        ],
    )
    assert statement.exit_code == 0, statement.output
    assert "verification code" in statement.output
    unknown = runner.invoke(
        main,
        [
            "--db",
            demo_url,
            "export",
            "statement",
            "--donor",
            "NOPE",
            "--out",
            str(tmp_path / "x.pdf"),
        ],
    )
    assert unknown.exit_code == 1 and "no donor with id 'NOPE'" in unknown.output


def test_growth_compares_with_the_previous_period_of_the_same_length(demo_engine):
    from dashboard.exports.presentation import previous_period

    period = Period(dt.date(2024, 7, 1), dt.date(2024, 12, 31))  # 184 days
    assert previous_period(period) == Period(dt.date(2023, 12, 30), dt.date(2024, 6, 30))
    assert previous_period(Period()) is None
    content = presentation(demo_engine, OPERATOR, DONOR, period, TODAY, "en")
    now = ledger_figures(demo_engine, DONOR, TODAY, period).donated_idr
    before = ledger_figures(
        demo_engine, DONOR, dt.date(2024, 6, 30), previous_period(period)
    ).donated_idr
    expected = "new" if before == 0 else f"{(now - before) / before:+.1%}"
    assert content.growth[0].startswith(expected)


def test_the_programme_deck_counts_the_claims_the_headline_counts(demo_engine, monkeypatch):
    monkeypatch.setenv("LINGKARAN_SUPPRESSION_K", "2")  # the small demo: nothing withheld
    content = presentation(demo_engine, OPERATOR, None, as_of=TODAY, lang="en")
    claims = next(chart for chart in content.charts if chart.key == "claims")
    figures = ledger_figures(demo_engine, None, TODAY)
    assert claims.takeaway.startswith(
        f"{figures.claims_paid_count} paid claims brought {rupiah(figures.claims_paid_idr, 'en')}"
    )
    # The programs' columns carry the release's offsets: they add up to the exact total, or
    # the takeaway says beside it why they do not.
    adds_up = sum(next(iter(claims.series.values()))) == figures.claims_paid_idr
    assert adds_up != ("privacy offset" in claims.takeaway)


def released_with_k(url: str, k: int):
    """The demo copy with its history replaced by one release as of TODAY with this k."""
    from dashboard.ledger.db import open_ledger
    from dashboard.publish import open_data, releases

    engine = open_ledger(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM releases")
    open_data._stored.cache_clear()
    releases.publish(engine, TODAY, k, today=TODAY)
    return engine


def test_claims_withheld_by_program_still_add_up_to_the_headline(demo_copy_url):
    # k = 50 on the small demo (70 JKK and 11 JKM claims, 81 in all): JKM is withheld, and
    # JKK with it, as the published total minus JKK would give JKM away.
    engine = released_with_k(demo_copy_url, 50)
    content = presentation(engine, OPERATOR, None, as_of=TODAY, lang="en")
    claims = next(chart for chart in content.charts if chart.key == "claims")
    figures = ledger_figures(engine, None, TODAY)
    assert figures.claims_paid_count == 81
    assert claims.categories == ["Programs with few claims (withheld)"]
    assert next(iter(claims.series.values())) == [figures.claims_paid_idr]
    assert claims.takeaway.startswith("81 paid claims brought IDR ")


def test_claims_too_few_in_all_are_not_counted_at_all(demo_copy_url):
    engine = released_with_k(demo_copy_url, 200)  # 81 claims in all: under k
    content = presentation(engine, OPERATOR, None, as_of=TODAY, lang="en")
    claims = next(chart for chart in content.charts if chart.key == "claims")
    assert claims.categories == []
    assert claims.takeaway == (
        "Too few claims have been paid to show them without identifying anyone."
    )


def test_a_name_stored_with_control_and_direction_characters_prints_without_them(
    demo_copy_url,
):
    """Import refuses them now; a ledger written before may still hold a bell and a
    right-to-left override in a donor's name. Deck and statement drop both."""
    from sqlalchemy import update

    from dashboard.ledger.db import open_ledger
    from dashboard.ledger.schema import Donor

    engine = open_ledger(demo_copy_url)
    with engine.begin() as conn:
        conn.execute(
            update(Donor)
            .where(Donor.donor_id == DONOR)
            .values(name="PT Bel\x07l \u202elivE\u202c Tbk")
        )
    deck = PptxPresentation(
        io.BytesIO(build_deck(presentation(engine, OPERATOR, DONOR, as_of=TODAY, lang="en")))
    )
    texts = [
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    statement = make_statement(engine, OPERATOR, DONOR, as_of=TODAY)
    pdf = PdfReader(io.BytesIO(render_statement(engine, OPERATOR, statement, "en")))
    texts += pdf.pages[0].extract_text().splitlines()
    engine.dispose()
    named = [text for text in texts if "PT Bel" in text]
    assert len(named) >= 2
    assert all("PT Bell livE Tbk" in text for text in named)


def test_every_slide_is_titled_and_the_deck_says_what_it_is(demo_engine):
    """A title placeholder on every slide (the outline and screen readers name slides by
    it) and the document's own title, author and language."""
    content = presentation(demo_engine, OPERATOR, DONOR, as_of=TODAY, lang="en")
    deck = PptxPresentation(io.BytesIO(build_deck(content)))
    titles = [slide.shapes.title.text if slide.shapes.title else None for slide in deck.slides]
    assert None not in titles and "" not in titles
    assert titles[0] == content.title
    assert titles[1] == "Headline numbers" and titles[-1] == "Methodology"
    assert [chart.title for chart in content.charts] == titles[3:-1]
    properties = deck.core_properties
    assert properties.title == f"{content.title}: {content.subtitle}"
    assert properties.author and properties.language == "en-GB"


def test_headline_numbers_are_sized_to_stay_on_one_line(demo_engine):
    content = presentation(demo_engine, OPERATOR, None, as_of=TODAY, lang="en")
    deck = PptxPresentation(io.BytesIO(build_deck(content)))
    numbers = deck.slides[1]
    values = {value for _label, value, _exact in forum_numbers(content)}  # money short
    boxes = [s for s in numbers.shapes if s.has_text_frame and s.text_frame.text in values]
    assert len(boxes) == len(values)
    longest = max(boxes, key=lambda box: len(box.text_frame.text))
    assert len(longest.text_frame.text) >= 15  # "IDR 17.6 billion": would wrap at 26 pt
    for box in boxes:
        assert box.text_frame.word_wrap is False
        size = box.text_frame.paragraphs[0].font.size.pt
        # at 0.62 em a character, the number fits the 3-inch box
        assert len(box.text_frame.text) * 0.62 * size <= 3.0 * 72 + 1
    assert longest.text_frame.paragraphs[0].font.size.pt < 26


def test_the_statement_names_itself_and_where_to_check_it(demo_engine, monkeypatch):
    monkeypatch.setenv("LINGKARAN_PUBLIC_URL", "https://lingkaran.example.org/")
    statement = make_statement(demo_engine, OPERATOR, DONOR, as_of=TODAY)
    reader = PdfReader(io.BytesIO(render_statement(demo_engine, OPERATOR, statement, "en")))
    name = donor.donor_info(demo_engine, OPERATOR, DONOR).name
    assert reader.metadata.title == f"Donor impact statement: {name} ({DONOR})"
    assert reader.metadata.author
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert f"Check it at https://lingkaran.example.org/verify with donor {DONOR}" in text
    assert statement.code in text
    assert "Workers protected" in text  # the chart's axis is named


def test_the_statement_is_one_page_and_accounts_for_every_claim(demo_engine):
    # The donor with the most paid claims: more than one page could hold.
    most = max(
        donor.donors(demo_engine, OPERATOR)["donor_id"],
        key=lambda d: len(donor.claims(demo_engine, OPERATOR, d, ALL_TIME, TODAY)),
    )
    statement = make_statement(demo_engine, OPERATOR, most, as_of=TODAY)
    reader = PdfReader(io.BytesIO(render_statement(demo_engine, OPERATOR, statement, "en")))
    assert len(reader.pages) == 1  # no second page holding a paragraph
    text = " ".join(reader.pages[0].extract_text().split())
    assert "`" not in text
    claims = donor.claims(demo_engine, OPERATOR, most, statement.period, TODAY)
    assert len(claims) > 12
    listed = text.split("Claims made possible")[1].split("Methodology")[0]
    # One sentence per year of the incident, never one per claim (one person).
    years = sorted({month.year for month in claims["incident_month"]}, reverse=True)
    told = re.findall(r"• In (\d{4}),", listed)
    assert told and told == [str(year) for year in years[: len(told)]], (told, years)
    assert (len(told) < len(years)) == ("paid claims of earlier years" in listed)
    for claim in claims.to_dict("records"):
        assert labels.province(claim["province"]) not in listed
        assert claim["incident_month"].strftime("%B %Y") not in listed
    assert f"Verification code: {statement.code}" in text


@pytest.mark.parametrize("kind", ["statement", "deck"])
def test_the_cli_refuses_a_period_without_donations_as_the_page_does(demo_url, tmp_path, kind):
    from click.testing import CliRunner

    from dashboard.cli import main

    out = tmp_path / f"empty.{'pdf' if kind == 'statement' else 'pptx'}"
    result = CliRunner().invoke(
        main,
        ["--db", demo_url, "export", kind, "--donor", DONOR, "--from", "2010-01-01"]
        + ["--to", "2010-12-31", "--out", str(out)],
    )
    assert result.exit_code == 1
    assert f"{DONOR} made no donation in the" in result.output
    assert "Choose a period with donations" in result.output
    assert not out.exists()


def test_an_issued_statement_stays_what_it_said_when_late_data_restates_its_day(
    cli, engine, tmp_path
):
    """docs/contract.md "As of": a claim paid before the statement's day but imported after
    it was issued restates the day's figures; the statement still verifies, with the figures
    it stated, and the verification says the ledger now reads otherwise."""
    from tests.conftest import write_csv
    from tests.ledgers import CLAIM_HEADER, import_all, worked_example

    files = worked_example(tmp_path)
    files["claims"] = write_csv(
        tmp_path,
        "k1.csv",
        CLAIM_HEADER,
        [["K1", "A", "JKK", "2024-08-10", "paid", "2024-09-05", "5000000"]],
    )
    import_all(cli, files)
    assert cli("allocate").exit_code == 0
    day = dt.date(2024, 9, 30)
    issued = make_statement(engine, OPERATOR, "D1", ALL_TIME, day)
    assert issued.figures["claims_paid_count"] == 1
    render_statement(engine, OPERATOR, issued, "en")  # issuing it puts it on record

    late = write_csv(
        tmp_path,
        "k2.csv",
        CLAIM_HEADER,
        [["K2", "B", "JKM", "2024-08-20", "paid", "2024-09-10", "42000000"]],
    )
    assert cli("import", "claims", late).exit_code == 0
    public = verify_statement(engine, "D1", ALL_TIME, day, issued.code)
    assert public.confirmed and public.figures == issued.figures
    assert public.restated is None  # the public learns nothing of what changed since
    verified = verify_statement(engine, "D1", ALL_TIME, day, issued.code, restatement=True)
    assert verified.confirmed and verified.figures == issued.figures
    assert verified.restated["claims_paid_count"] == 2
    assert verified.restated["claims_paid_idr"] == 47_000_000

    # The same code for another day is not this statement; a statement made now verifies
    # against today's reading of the day, with nothing restated.
    assert not verify_statement(engine, "D1", ALL_TIME, dt.date(2024, 9, 29), issued.code).confirmed
    again = make_statement(engine, OPERATOR, "D1", ALL_TIME, day)
    fresh = verify_statement(engine, "D1", ALL_TIME, day, again.code, restatement=True)
    assert fresh.confirmed and fresh.restated is None and fresh.figures["claims_paid_count"] == 2


def test_claims_columns_with_offsets_say_why_they_do_not_add_up():
    import pandas as pd

    from dashboard.exports.presentation import _claims_chart

    released = pd.DataFrame(
        {
            "program": ["JKK", "JKM"],
            "claims": [70, 12],
            "amount_idr": [1_005_000_000, 505_000_000],
            "suppressed": [False, False],
        }
    )
    offset = _claims_chart(released, "en", total=(81, 1_500_000_000))
    assert offset.categories == ["JKK (work accident)", "JKM (death)"]
    assert offset.series["Benefits paid"] == [1_005_000_000, 505_000_000]
    assert offset.takeaway == (
        "81 paid claims brought IDR 1,500,000,000 to workers and their families. Each "
        "program's amount carries a small privacy offset, so the columns need not add up to "
        "this total."
    )
    exact = _claims_chart(released, "en", total=(81, 1_510_000_000))
    assert exact.takeaway.endswith("families.")
    # A withheld program shows as the column that brings the chart to the exact total.
    released.loc[1, "suppressed"] = True
    withheld = _claims_chart(released, "en", total=(81, 1_500_000_000))
    assert withheld.categories == ["JKK (work accident)", "Programs with few claims (withheld)"]
    assert withheld.series["Benefits paid"] == [1_005_000_000, 495_000_000]
    assert withheld.takeaway.endswith("families.")
