"""The programme as one IATI activity (IATI Standard 2.03), built from a stored public release.

`lingkaran export iati --release ID` writes it (docs/guide.md, its section "IATI activity
file"). Like the API and the Data Package, every figure is read from a release
(``open_data.publication``), never from the ledger, so the file holds nothing below the
public surface:

- incoming funds (transaction type 1) per donor type and year: the release's donations by
  donor type and month (the overview's chart), summed by year, exact. Anonymous gifts the
  release still holds back (docs/contract.md "Public releases") are in no month yet, so in no
  transaction either;
- disbursements (type 3) to BPJS Ketenagakerjaan per year in which the coverage starts: the
  release's one-way ``year`` table, as published (with its offset; a withheld year is left
  out, as everywhere on the public surface);
- results: workers protected per year (the same table) and the continuation rate (the
  release's headline figures, exact, or no actual value when the release withholds them).

A year already closed when an earlier release was published is never edited in place: when
a later release restates its incoming funds (late data), the file keeps the first published
figure and adds a correcting transaction, negative or positive, dated at the restating
release. No text from the ledger reaches the file: donors appear only as their type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import Engine

from dashboard.core import config
from dashboard.core.labels import DONOR_TYPES, donor_type
from dashboard.publish import open_data

IATI_VERSION = "2.03"
LANGUAGES = ("en", "id")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ACTIVITY_CODE = "GN-LINGKARAN"  # appended to the organisation's identifier

# IATI codelists (2.03): OrganisationType for each donor type. A company is a private sector
# body in the recipient country (72); a BUMN is public sector (15); individuals and
# communities have no code of their own (90, other), their narrative says which.
ORGANISATION_TYPES = {"corporate": "72", "soe": "15", "personal": "90", "community": "90"}
BPJS_TYPE = "15"  # BPJS Ketenagakerjaan: a public social security body
INCOMING_FUNDS, DISBURSEMENT = "1", "3"
SECTOR_SOCIAL_PROTECTION = "16010"  # OECD DAC CRS purpose code (vocabulary 1)
SDG_GOALS = ("1", "8")  # TagVocabulary 2: SDG goals
SDG_TARGETS = ("1.3", "8.8")  # TagVocabulary 3: SDG targets (social protection; labour rights)

TEXTS = {
    "title": {
        "en": "GN Lingkaran: BPJS Ketenagakerjaan protection for informal workers",
        "id": "GN Lingkaran: perlindungan BPJS Ketenagakerjaan bagi pekerja informal",
    },
    "description": {
        "en": (
            "Donors (companies' CSR, state-owned enterprises, communities and individuals) pay "
            "the JKK (work accident) and JKM (death) contributions of vulnerable informal "
            "workers to BPJS Ketenagakerjaan. Figures from public release {release} (data to "
            "{as_of}); figures below the programme's totals are withheld under {k} workers and "
            "carry a small offset, as the methodology page explains."
        ),
        "id": (
            "Donatur (CSR perusahaan, BUMN, komunitas dan perorangan) membayar iuran JKK "
            "(kecelakaan kerja) dan JKM (kematian) pekerja informal rentan kepada BPJS "
            "Ketenagakerjaan. Angka dari rilis publik {release} (data sampai {as_of}); angka di "
            "bawah total program disembunyikan bila kurang dari {k} pekerja dan diberi sedikit "
            "penyimpangan, seperti dijelaskan halaman metodologi."
        ),
    },
    "reporting_org": {"en": "GN Lingkaran", "id": "GN Lingkaran"},
    "donors": {
        "en": "Donors of GN Lingkaran (aggregated by donor type)",
        "id": "Donatur GN Lingkaran (dijumlahkan per jenis donatur)",
    },
    "bpjs": {"en": "BPJS Ketenagakerjaan", "id": "BPJS Ketenagakerjaan"},
    "incoming": {
        "en": "Donations received in {year} from donors of this type",
        "id": "Donasi yang diterima pada {year} dari donatur jenis ini",
    },
    "restated": {
        "en": "Restatement in release {release} of the donations received in {year}: "
        "{before} published in release {first}, now {after}",
        "id": "Koreksi pada rilis {release} atas donasi yang diterima pada {year}: "
        "{before} menurut rilis {first}, kini {after}",
    },
    "disbursed": {
        "en": "JKK and JKM contributions paid for coverage starting in {year}",
        "id": "Iuran JKK dan JKM yang dibayarkan untuk perlindungan yang dimulai pada {year}",
    },
    "result": {"en": "Workers protected by BPJS Ketenagakerjaan", "id": "Pekerja terlindungi"},
    "workers": {
        "en": "Workers whose protection paid by donations started in the year",
        "id": "Pekerja yang perlindungannya dari donasi dimulai pada tahun itu",
    },
    "continuation": {
        "en": "Continuation rate: workers who paid their own contributions after the "
        "donations ended, per 100 whose donations ended",
        "id": "Tingkat keberlanjutan: pekerja yang membayar iuran sendiri setelah donasi "
        "berakhir, per 100 yang donasinya berakhir",
    },
}


@dataclass(frozen=True)
class Transaction:
    """One IATI transaction as the file carries it: integer rupiah, possibly negative (a
    correction)."""

    ref: str
    kind: str  # INCOMING_FUNDS or DISBURSEMENT
    day: dt.date
    value_idr: int
    description: dict[str, str]
    donor_type: str | None = None  # incoming funds: whose type provided it


def organisation() -> str:
    """The reporting organisation's IATI identifier (``LINGKARAN_IATI_ORG``)."""
    return config.iati_org()


def activity_identifier(org: str | None = None) -> str:
    return f"{org or organisation()}-{ACTIVITY_CODE}"


def incoming_by_year(published: open_data.Published) -> dict[tuple[str, int], int]:
    """Donations by (donor type, year received) as the release shows them month by month."""
    growth = published.growth
    totals: dict[tuple[str, int], int] = {}
    for code in DONOR_TYPES:
        column = f"donated_{code}_idr"
        if column not in growth:
            continue
        for month, amount in zip(growth["month"], growth[column], strict=True):
            if int(amount):
                key = (code, month.year)
                totals[key] = totals.get(key, 0) + int(amount)
    return totals


def year_table(published: open_data.Published) -> dict[int, dict[str, int]]:
    """The release's one-way ``year`` table, published cells only: workers and rupiah."""
    table = published.tables[("year",)]
    shown = table[~table["suppressed"]]
    return {
        int(row["year"]): {
            "workers": int(row["workers"]),
            "allocated_idr": int(row["allocated_idr"]),
        }
        for row in shown.to_dict("records")
    }


def _period_end(year: int, as_of: dt.date) -> dt.date:
    return min(dt.date(year, 12, 31), as_of)


def incoming_transactions(engine: Engine, release: open_data.ReleaseInfo, org: str):
    """Incoming funds per donor type and year, walking every release up to ``release``: a
    year closed by an earlier release keeps the figure first published then, and each later
    change is a transaction of its own, dated at the release that made it."""
    history = [r for r in reversed(open_data.releases(engine)) if r.as_of <= release.as_of]
    closed_in: dict[int, str] = {}  # year -> the first release published after it ended
    recorded: dict[tuple[str, int], int] = {}  # what the file says so far of a closed year
    transactions: list[Transaction] = []
    for info in history:
        figures = incoming_by_year(open_data.publication(engine, release=info.id))
        for year in {year for _code, year in figures} | {year for _code, year in recorded}:
            if dt.date(year, 12, 31) <= info.as_of:
                closed_in.setdefault(year, info.id)
        for code, year in sorted(set(figures) | set(recorded)):
            amount = figures.get((code, year), 0)
            if year not in closed_in:  # still open: the year so far, at the release asked for
                if info is history[-1]:
                    transactions.append(_incoming(org, code, year, amount, release.as_of))
            elif closed_in[year] == info.id:  # closed now: its first figure, at the year's end
                recorded[(code, year)] = amount
                transactions.append(_incoming(org, code, year, amount, dt.date(year, 12, 31)))
            elif recorded.get((code, year), 0) != amount:  # restated by a later release
                before = recorded.get((code, year), 0)
                recorded[(code, year)] = amount
                transactions.append(
                    _restated(org, code, year, before, amount, info, closed_in[year])
                )
    return transactions


def _incoming(org: str, code: str, year: int, amount: int, day: dt.date) -> Transaction:
    return Transaction(
        f"{activity_identifier(org)}-IN-{code}-{year}",
        INCOMING_FUNDS,
        day,
        amount,
        {lang: TEXTS["incoming"][lang].format(year=year) for lang in LANGUAGES},
        code,
    )


def _restated(org, code, year, before, after, info, first) -> Transaction:
    return Transaction(
        f"{activity_identifier(org)}-IN-{code}-{year}-R{info.id}",
        INCOMING_FUNDS,
        info.as_of,
        after - before,
        {
            lang: TEXTS["restated"][lang].format(
                release=info.id, year=year, before=before, after=after, first=first
            )
            for lang in LANGUAGES
        },
        code,
    )


def disbursements(published: open_data.Published, org: str) -> list[Transaction]:
    """Contributions paid to BPJS Ketenagakerjaan per year the coverage starts."""
    as_of = published.release.as_of
    return [
        Transaction(
            f"{activity_identifier(org)}-OUT-{year}",
            DISBURSEMENT,
            _period_end(year, as_of),
            cell["allocated_idr"],
            {lang: TEXTS["disbursed"][lang].format(year=year) for lang in LANGUAGES},
        )
        for year, cell in sorted(year_table(published).items())
        if cell["allocated_idr"]
    ]


def continuation_percent(summary: dict) -> str | None:
    """Continued per 100 ended workers, one decimal; None when the release withholds it."""
    ended, continued = summary.get("ended_workers"), summary.get("continued_workers")
    if not ended or continued is None:
        return None
    return f"{continued * 100 / ended:.1f}"


def activity(engine: Engine, release: str | None = None, org: str | None = None) -> bytes:
    """The IATI activity file (UTF-8 XML) of the release ``release`` (the latest by default).
    NoRelease when there is none by that id."""
    published = open_data.publication(engine, release=release)
    info = published.release
    org = org or organisation()
    # Stamped with the release's publication, not the clock: one release, one file, byte
    # for byte, whenever it is exported.
    published_at = info.listing()["published_at"]
    root = etree.Element("iati-activities", {"version": IATI_VERSION})
    root.set("generated-datetime", published_at)
    act = etree.SubElement(root, "iati-activity", {"default-currency": "IDR"})
    act.set("last-updated-datetime", published_at)
    act.set(XML_LANG, "en")
    etree.SubElement(act, "iati-identifier").text = activity_identifier(org)
    _narratives(etree.SubElement(act, "reporting-org", ref=org, type="90"), "reporting_org")
    _narratives(etree.SubElement(act, "title"), "title")
    facts = {"release": info.id, "as_of": info.as_of.isoformat(), "k": info.suppression_k}
    _narratives(etree.SubElement(act, "description", type="1"), "description", **facts)
    _narratives(etree.SubElement(act, "participating-org", role="1", type="90"), "donors")
    _narratives(
        etree.SubElement(act, "participating-org", role="2", ref=org, type="90"), "reporting_org"
    )
    _narratives(etree.SubElement(act, "participating-org", role="4", type=BPJS_TYPE), "bpjs")
    etree.SubElement(act, "activity-status", code="2")  # implementation
    months = published.growth["month"]
    start = min(months) if len(months) else info.as_of
    etree.SubElement(act, "activity-date", type="2", **{"iso-date": start.isoformat()})
    etree.SubElement(act, "recipient-country", code="ID", percentage="100")
    etree.SubElement(act, "sector", vocabulary="1", code=SECTOR_SOCIAL_PROTECTION, percentage="100")
    for goal in SDG_GOALS:
        etree.SubElement(act, "tag", vocabulary="2", code=goal)
    for target in SDG_TARGETS:
        etree.SubElement(act, "tag", vocabulary="3", code=target)
    transactions = incoming_transactions(engine, info, org) + disbursements(published, org)
    for transaction in sorted(transactions, key=lambda t: (t.day, t.kind, t.ref)):
        _transaction(act, transaction)
    _results(act, published)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _narratives(parent, key: str, **values) -> None:
    for lang in LANGUAGES:
        narrative = etree.SubElement(parent, "narrative")
        narrative.set(XML_LANG, lang)
        narrative.text = TEXTS[key][lang].format(**values) if values else TEXTS[key][lang]


def _texts(parent, texts: dict[str, str]) -> None:
    for lang in LANGUAGES:
        narrative = etree.SubElement(parent, "narrative")
        narrative.set(XML_LANG, lang)
        narrative.text = texts[lang]


def _transaction(act, transaction: Transaction) -> None:
    element = etree.SubElement(act, "transaction", ref=transaction.ref)
    etree.SubElement(element, "transaction-type", code=transaction.kind)
    day = transaction.day.isoformat()
    etree.SubElement(element, "transaction-date", {"iso-date": day})
    value = etree.SubElement(element, "value", {"currency": "IDR", "value-date": day})
    value.text = str(int(transaction.value_idr))  # integer rupiah, never a float
    _texts(etree.SubElement(element, "description"), transaction.description)
    if transaction.kind == INCOMING_FUNDS:
        code = transaction.donor_type
        provider = etree.SubElement(element, "provider-org", type=ORGANISATION_TYPES[code])
        _texts(provider, {lang: donor_type(code, lang) for lang in LANGUAGES})
    else:
        _narratives(etree.SubElement(element, "receiver-org", type=BPJS_TYPE), "bpjs")


def _results(act, published: open_data.Published) -> None:
    """One output result with two indicators: workers protected per year (baseline 0 in the
    year before the first) and the continuation rate (docs/contract.md "continued_workers")
    over the programme up to the release's day."""
    info = published.release
    years = year_table(published)
    result = etree.SubElement(act, "result", type="1", **{"aggregation-status": "1"})
    _narratives(etree.SubElement(result, "title"), "result")
    workers = etree.SubElement(result, "indicator", measure="1", ascending="1")
    _narratives(etree.SubElement(workers, "title"), "workers")
    first = min(years) if years else info.as_of.year
    etree.SubElement(workers, "baseline", year=str(first - 1), value="0")
    for year, cell in sorted(years.items()):
        start = dt.date(year, 1, 1)
        _period(workers, start, dt.date(year, 12, 31), str(cell["workers"]))
    rate = etree.SubElement(result, "indicator", measure="2", ascending="1")
    _narratives(etree.SubElement(rate, "title"), "continuation")
    # No baseline: no continuation was measured for these workers before the programme.
    months = published.growth["month"]
    start = min(months) if len(months) else dt.date(first, 1, 1)
    _period(rate, start, info.as_of, continuation_percent(published.summary))


def _period(indicator, start: dt.date, end: dt.date, actual: str | None) -> None:
    period = etree.SubElement(indicator, "period")
    etree.SubElement(period, "period-start", {"iso-date": start.isoformat()})
    etree.SubElement(period, "period-end", {"iso-date": end.isoformat()})
    if actual is not None:
        etree.SubElement(period, "actual", value=actual)
