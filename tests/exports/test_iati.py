"""`lingkaran export iati`: the file passes IATI's own 2.03 schema, and every figure in it is
the release's, read back from the XML (docs/guide.md, its section "IATI activity file")."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from lxml import etree

from dashboard.cli import main
from dashboard.exports import iati
from dashboard.ledger.db import open_ledger
from dashboard.publish import open_data, releases
from tests.conftest import TODAY, write_csv

SCHEMA = Path(__file__).resolve().parents[1] / "iati_schema" / "iati-activities-schema.xsd"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def iati_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))  # its includes sit beside it: offline


def export(url: str, tmp_path: Path, *options: str):
    out = tmp_path / "activity.xml"
    result = CliRunner().invoke(main, ["--db", url, "export", "iati", *options, "--out", out])
    return result, out


def transactions(document, kind: str) -> list[dict]:
    return [
        {
            "ref": t.get("ref"),
            "day": t.find("transaction-date").get("iso-date"),
            "value": int(t.find("value").text),
            "element": t,
        }
        for t in document.iter("transaction")
        if t.find("transaction-type").get("code") == kind
    ]


def provider_type(transaction) -> str:
    """The donor type an incoming transaction names (its ref: ...-IN-<type>-<year>...)."""
    return transaction["ref"].split("-IN-")[1].split("-")[0]


def test_the_file_is_valid_iati_2_03_and_a_broken_one_is_not(demo_url, tmp_path, iati_schema):
    result, out = export(demo_url, tmp_path)
    assert result.exit_code == 0, result.output
    document = etree.parse(str(out))
    assert iati_schema.validate(document), iati_schema.error_log
    activity = document.getroot().find("iati-activity")
    assert activity.get("default-currency") == "IDR"
    assert {n.get(LANG) for n in activity.find("title")} == {"en", "id"}
    tags = {(t.get("vocabulary"), t.get("code")) for t in activity.iter("tag")}
    assert {("3", "1.3"), ("3", "8.8")} <= tags
    # Controls: the schema does refuse a file without its identifier, or with a bad date.
    broken = etree.fromstring(etree.tostring(document))
    identifier = broken.find("iati-activity/iati-identifier")
    identifier.getparent().remove(identifier)
    assert not iati_schema.validate(broken)
    broken = etree.fromstring(etree.tostring(document))
    broken.find(".//transaction-date").set("iso-date", "2026-13-01")
    assert not iati_schema.validate(broken)


def test_every_figure_is_the_releases_own(demo_url, demo_engine, tmp_path):
    """Incoming funds per donor type and year add up to the release's donations by month;
    each year's disbursement, and workers protected, are the release's year table; the
    continuation rate is its headline figures'."""
    result, out = export(demo_url, tmp_path, "--release", "2026-10")
    assert result.exit_code == 0, result.output
    document = etree.parse(str(out))
    published = open_data.publication(demo_engine, release="2026-10")
    donated = defaultdict(int)
    for row in published.growth.to_dict("records"):
        for code in ("corporate", "soe", "personal", "community"):
            donated[(code, row["month"].year)] += int(row[f"donated_{code}_idr"])
    filed = defaultdict(int)
    for transaction in transactions(document, "1"):
        year = int(transaction["ref"].split("-IN-")[1].split("-")[1])
        filed[(provider_type(transaction), year)] += transaction["value"]
    assert filed == {key: value for key, value in donated.items() if value}
    assert sum(filed.values()) > 0
    table = published.tables[("year",)]
    shown = table[~table["suppressed"]]
    disbursed = {int(t["ref"].rsplit("-", 1)[1]): t["value"] for t in transactions(document, "3")}
    assert disbursed == {int(r.year): int(r.allocated_idr) for r in shown.itertuples()}
    for transaction in transactions(document, "3"):
        receiver = transaction["element"].find("receiver-org/narrative")
        assert receiver.text == "BPJS Ketenagakerjaan"
    workers, rate = document.getroot().iter("indicator")
    actual = {
        int(p.find("period-start").get("iso-date")[:4]): int(p.find("actual").get("value"))
        for p in workers.iter("period")
    }
    assert actual == {int(r.year): int(r.workers) for r in shown.itertuples()}
    figures = published.summary
    expected = round(figures["continued_workers"] * 100 / figures["ended_workers"], 1)
    assert float(rate.find("period/actual").get("value")) == expected
    assert rate.find("period/period-end").get("iso-date") == "2026-10-31"


def test_no_donor_is_named_or_counted_apart(demo_url, demo_engine, tmp_path):
    """Donors appear only as their type: no name from the donors wall, no ref of a donor."""
    _result, out = export(demo_url, tmp_path)
    text = out.read_text(encoding="utf-8")
    names = [n for n in open_data.donors_wall(demo_engine)["name"].dropna() if len(n) > 3]
    assert names and not [name for name in names if name in text]
    providers = etree.parse(str(out)).getroot().iter("provider-org")
    assert all(p.get("ref") is None for p in providers)


def test_release_picks_the_named_release_and_an_unknown_one_is_a_clear_error(
    demo_url, demo_engine, tmp_path
):
    result, out = export(demo_url, tmp_path, "--release", "2026-05")
    assert result.exit_code == 0, result.output
    assert "release 2026-05" in result.output
    document = etree.parse(str(out))
    description = document.find(".//description/narrative").text
    assert "release 2026-05 (data to 2026-05-31)" in description
    growth = open_data.publication(demo_engine, release="2026-05").growth
    so_far = sum(
        int(row[f"donated_{code}_idr"])
        for row in growth.to_dict("records")
        if row["month"].year == 2026
        for code in ("corporate", "soe", "personal", "community")
    )
    this_year = [t for t in transactions(document, "1") if t["ref"].endswith("-2026")]
    assert {t["day"] for t in this_year} == {"2026-05-31"}  # the year so far, at its day
    assert sum(t["value"] for t in this_year) == so_far
    result, _ = export(demo_url, tmp_path, "--release", "2031-01")
    assert result.exit_code == 1
    assert "there is no release '2031-01'" in result.output
    assert "Traceback" not in result.output


def test_a_later_release_restating_a_closed_year_adds_a_transaction(demo_copy_url, tmp_path):
    """A donation received in 2025 but imported after 2025 closed: the next release's file
    keeps 2025 as first published and adds the difference, dated at the restating release."""
    from dashboard.ledger.importer import import_file

    engine = open_ledger(demo_copy_url)
    try:
        open_data._stored.cache_clear()
        before = export(demo_copy_url, tmp_path, "--release", "2026-10")[1].read_bytes()
        header = ["donor_id", "name", "type"]
        import_file(
            engine, "donors", write_csv(tmp_path, "d.csv", header, [["LATE", "Lat", "soe"]])
        )
        header = ["donation_id", "donor_id", "received_on", "amount_idr"]
        rows = [["LATE-1", "LATE", "2025-06-15", "5000000"]]
        import_file(engine, "donations", write_csv(tmp_path, "g.csv", header, rows))
        releases.publish(engine, TODAY, 10, today=TODAY)
        result, out = export(demo_copy_url, tmp_path, "--release", "2026-11-24")
        assert result.exit_code == 0, result.output
        soe_2025 = [
            t for t in transactions(etree.parse(str(out)), "1") if "-IN-soe-2025" in t["ref"]
        ]
        first = transactions(etree.fromstring(before).getroottree(), "1")
        original = [t for t in first if t["ref"].endswith("-IN-soe-2025")]
        assert [t["value"] for t in soe_2025 if t["ref"].endswith("-2025")] == [
            t["value"] for t in original
        ]
        corrections = [t for t in soe_2025 if "-R" in t["ref"]]
        assert [(t["value"], t["day"]) for t in corrections] == [(5_000_000, TODAY.isoformat())]
        texts = corrections[0]["element"].find("description/narrative").text
        assert "Restatement in release 2026-11-24" in texts
    finally:
        engine.dispose()
        open_data._stored.cache_clear()


def test_a_lower_restatement_is_a_negative_transaction_and_open_years_are_not_corrections(
    monkeypatch,
):
    """Three releases: 2025 first published closed at 9,000,000, then restated to 7,000,000
    (a ledger corrected and migrated, say): the file files 9,000,000 at 2025's end and
    -2,000,000 at the restating release; 2026, still open, is one year-to-date figure."""
    import pandas as pd

    def info(identifier: str, day: dt.date) -> open_data.ReleaseInfo:
        moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        return open_data.ReleaseInfo(identifier, day, moment, "[]", "exact", 10, 0, 0, 0, {})

    history = {
        "2025-11": (info("2025-11", dt.date(2025, 11, 30)), {"2025-03": 4_000_000}),
        "2026-01": (info("2026-01", dt.date(2026, 1, 31)), {"2025-03": 9_000_000}),
        "2026-02": (
            info("2026-02", dt.date(2026, 2, 28)),
            {"2025-03": 7_000_000, "2026-01": 1_000_000, "2026-02": 500_000},
        ),
    }

    def publication(_engine, release=None):
        chosen, months = history[release]
        growth = pd.DataFrame(
            {
                "month": [dt.date.fromisoformat(m + "-01") for m in months],
                "donated_community_idr": list(months.values()),
            }
        )
        return SimpleNamespace(growth=growth, release=chosen)

    monkeypatch.setattr(
        open_data, "releases", lambda _engine: [i for i, _ in reversed(history.values())]
    )
    monkeypatch.setattr(open_data, "publication", publication)
    filed = iati.incoming_transactions(None, history["2026-02"][0], "XX-TEST")
    assert [(t.ref.split("GN-LINGKARAN-")[1], t.day.isoformat(), t.value_idr) for t in filed] == [
        ("IN-community-2025", "2025-12-31", 9_000_000),
        ("IN-community-2025-R2026-02", "2026-02-28", -2_000_000),
        ("IN-community-2026", "2026-02-28", 1_500_000),
    ]
