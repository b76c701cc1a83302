"""The sustainability-report pack: one donor's fiscal year as the indicators a CSR report is
written with (GRI 203 and 413, POJK 51/2017, TJSL, SDG targets 1.3 and 8.8), in an XLSX
workbook.

Each indicator row names the framework and disclosure it serves, the figure from the ledger
(a number in its cell, formatted for the language, never text), its definition and the
query it comes from. A second sheet holds the methodology and the verification code of the
impact statement for the same donor, period and date, so a reader can check the figures; a
third is the GRI content index: each GRI disclosure and the rows of the first sheet that
answer it, or why the pack does not.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import Engine

from dashboard.accounts.access import Access
from dashboard.core import catalogue, labels
from dashboard.core.errors import LedgerError, NoDonation
from dashboard.core.escaping import inert_text
from dashboard.core.formatting import date_text
from dashboard.core.i18n import translator
from dashboard.exports.presentation import period_text
from dashboard.exports.statement import record_issue, statement_of
from queries import donor
from queries.figures import fiscal_year, ledger_figures

RUPIAH = {"id": '"Rp" #,##0', "en": '"IDR" #,##0'}  # as the pages write it in each language
COUNT = "#,##0"
SHARE = "0.0%"
SOURCE = "queries.figures.ledger_figures"  # where each figure of the pack comes from

# The frameworks and disclosures the pack serves, as their owners name them.
GRI_203_1 = ("GRI 203", "203-1 Infrastructure investments and services supported")
GRI_203_2 = ("GRI 203", "203-2 Significant indirect economic impacts")
GRI_413_1 = ("GRI 413", "413-1 Operations with local community engagement and development programs")
POJK_51 = ("POJK 51/POJK.03/2017", "Social responsibility (tanggung jawab sosial)")
TJSL = ("TJSL BUMN", "Social programme realisation (realisasi program TJSL)")
# SDG targets the programme contributes to (the Methodology sheet says a donor's counts are a
# contribution, not the national indicator): social protection for all (1.3, indicator
# 1.3.1) and safe working environments for workers in precarious employment (8.8).
SDG_1_3 = ("SDG 1.3", "1.3.1 Population covered by social protection floors/systems")
SDG_8_8 = ("SDG 8.8", "8.8 Safe and secure working environments for all workers")
# GRI disclosures of the topics the pack serves that it does not answer, in the content index.
GRI_OMITTED = (
    ("GRI 413", "413-2 Operations with significant negative impacts on local communities"),
)


@dataclass(frozen=True)
class Indicator:
    frameworks: tuple[tuple[str, str], ...]
    name: str
    value: int | float | None
    unit: str  # an openpyxl number format
    definition: str
    source: str


def report_pack(
    engine: Engine,
    access: Access,
    donor_id: str,
    year: int,
    lang: str = "id",
    today: dt.date | None = None,
) -> bytes:
    """The pack for ``donor_id``'s fiscal year beginning in ``year`` (its donations received
    then), figures as of the end of that year or today if it has not ended."""
    _ = translator(lang)
    today = today or dt.date.today()
    info = donor.donor_info(engine, access, donor_id)
    if info is None:
        raise LedgerError(f"no donor {donor_id!r}")
    period = fiscal_year(year, info.fiscal_year_start, today)
    if period.start > today:
        raise LedgerError(f"fiscal year {year} of {donor_id} has not begun")
    as_of = min(period.end, today)
    figures = ledger_figures(engine, donor_id, as_of, period)
    if figures.donated_idr == 0:
        raise NoDonation(donor_id, f"fiscal year {year}", "report pack", "--fiscal-year")
    head = donor.Headline(figures)
    statement = statement_of(period, figures)  # the figures above: not computed twice
    record_issue(engine, statement, access.who, "report pack")
    profile = donor.profile(engine, access, donor_id, period, as_of)
    rows = _indicators(figures, head, profile, lang)

    book = Workbook()
    sheet = book.active
    sheet.title = _("Indicators")
    named_period = period_text(period, lang)
    sheet.append([inert_text(f"{info.name} ({donor_id})")])
    covers = _("Donations received {period}; figures as of {date}.")
    sheet.append([covers.format(period=named_period, date=date_text(as_of, lang, "long"))])
    sheet.append([])
    header = [
        _("Framework"),
        _("Disclosure"),
        _("Indicator"),
        _("Value"),
        _("Definition"),
        _("Source query"),
    ]
    sheet.append(header)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=13)
    for row in rows:
        definition = row.definition
        if row.value is None:
            definition += " " + _("Empty: no worker can be counted for it yet.")
        for framework, disclosure in row.frameworks:
            sheet.append([framework, disclosure, row.name, row.value, definition, row.source])
            value = sheet.cell(row=sheet.max_row, column=4)
            value.number_format = row.unit
    for column, width in zip("ABCDEF", (22, 44, 46, 18, 70, 48), strict=True):
        sheet.column_dimensions[column].width = width
    for line in sheet.iter_rows(min_row=5):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A5"

    method = book.create_sheet(_("Methodology"))
    for line in _methodology(statement.code, named_period, as_of, lang):
        method.append([line])
    method.column_dimensions["A"].width = 120
    for line in method.iter_rows():
        line[0].alignment = Alignment(wrap_text=True, vertical="top")
    _content_index(book.create_sheet(_("GRI content index")), sheet, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _content_index(index, indicators, lang: str) -> None:
    """The GRI content index: each GRI disclosure of the Indicators sheet with the rows that
    answer it, read from that sheet (so the two cannot disagree), then the ones omitted."""
    _ = translator(lang)
    rows: dict[tuple[str, str], list[int]] = {}
    for line in indicators.iter_rows(min_row=5):
        framework, disclosure = line[0].value, line[1].value
        if framework and framework.startswith("GRI"):
            rows.setdefault((framework, disclosure), []).append(line[0].row)
    index.append(
        [
            _(
                "With reference to the GRI Standards (GRI 1: Foundation 2021): the disclosures "
                "this pack supports, and where."
            )
        ]
    )
    index.append([])
    index.append([_("GRI Standard"), _("Disclosure"), _("Location"), _("Omission")])
    for cell in index[3]:
        cell.font = Font(bold=True)
    where = _("Indicators sheet, rows {rows}")
    for (framework, disclosure), numbers in rows.items():
        index.append([framework, disclosure, where.format(rows=_ranges(numbers)), None])
    for framework, disclosure in GRI_OMITTED:
        omitted = _("Not covered by this pack: see the Methodology sheet.")
        index.append([framework, disclosure, None, omitted])
    for column, width in zip("ABCD", (16, 70, 36, 50), strict=True):
        index.column_dimensions[column].width = width


def _ranges(numbers: list[int]) -> str:
    """[5, 6, 7, 9] -> "5-7, 9"."""
    spans: list[list[int]] = []
    for number in sorted(numbers):
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _figure(
    frameworks: tuple[tuple[str, str], ...],
    key: str,
    figures,
    name: str,
    definition: str,
    *,
    lang: str,
) -> Indicator:
    """One of the contract's figures as an indicator: its value, unit and source from the
    catalogue (dashboard/core/catalogue.py), its name as the frameworks' readers know it."""
    figure = catalogue.BY_KEY[key]
    unit = RUPIAH[lang] if figure.money else COUNT
    return Indicator(frameworks, name, getattr(figures, key), unit, definition, f"{SOURCE}: {key}")


def _indicators(figures, head, profile, lang: str) -> list[Indicator]:
    _ = translator(lang)
    rows = [
        _figure(
            (GRI_203_1, POJK_51, TJSL),
            "donated_idr",
            figures,
            _("Contribution paid (donations received)"),
            _("The sum of the donations received in the period, in whole rupiah."),
            lang=lang,
        ),
        _figure(
            (GRI_203_1, TJSL),
            "allocated_idr",
            figures,
            _("Contributions paid to BPJS Ketenagakerjaan"),
            _(
                "The JKK (work accident) and JKM (death) (and JHT) contributions these "
                "donations paid: all coverage rows."
            ),
            lang=lang,
        ),
        _figure(
            (GRI_203_2, POJK_51, TJSL, SDG_1_3, SDG_8_8),
            "covered_workers",
            figures,
            _("Workers protected"),
            _("Distinct workers with at least one month of protection from these donations."),
            lang=lang,
        ),
        _figure(
            (GRI_203_2,),
            "protected_months",
            figures,
            _("Protected worker-months"),
            _("The months of protection of all coverage rows."),
            lang=lang,
        ),
        _figure(
            (GRI_203_2, POJK_51, SDG_8_8),
            "claims_paid_count",
            figures,
            _("Claims paid"),
            _(
                "Paid JKK (work accident) and JKM (death) claims whose incident fell in a "
                "month these donations covered."
            ),
            lang=lang,
        ),
        _figure(
            (GRI_203_2, POJK_51),
            "claims_paid_idr",
            figures,
            _("Benefits paid"),
            _("The benefits of those claims, paid to workers and their families."),
            lang=lang,
        ),
        Indicator(
            (GRI_203_2, SDG_1_3),
            _("Continuation rate"),
            _share(head.continuation_rate),
            SHARE,
            _(
                "Of the workers whose protection from these donations ended at least three "
                "months ago, the share who went on paying their own contributions."
            ),
            f"{SOURCE}: continued_workers / ended_workers",
        ),
        Indicator(
            (GRI_203_1,),
            _("Share confirmed by BPJS Ketenagakerjaan"),
            _share(head.confirmed_share),
            SHARE,
            _("Contributions BPJS Ketenagakerjaan confirmed it received, over those paid."),
            f"{SOURCE}: confirmed_idr / allocated_idr",
        ),
        _figure(
            (GRI_203_2,),
            "jht_saved_idr",
            figures,
            _("Old-age savings (JHT)"),
            _("Put into the workers' own JHT accounts by donations with the JHT package."),
            lang=lang,
        ),
    ]
    names = {
        "gender": lambda code: labels.gender(code, lang),
        "province": labels.province,
        "occupation": lambda code: labels.occupation(code, lang),
    }
    titles = {
        "gender": _("Workers protected, {group}"),
        "province": _("Workers protected in {group}"),
        "occupation": _("Workers protected, {group}"),
    }
    for dimension in ("gender", "province", "occupation"):
        frame = donor.breakdown(profile, dimension)
        for code, workers in zip(frame[dimension], frame["workers"], strict=True):
            rows.append(
                Indicator(
                    (GRI_413_1,),
                    titles[dimension].format(group=names[dimension](code)),
                    int(workers),
                    COUNT,
                    _(
                        "Distinct workers protected by these donations with this {attribute}, "
                        "as registered."
                    ).format(attribute=labels.column(dimension, lang).lower()),
                    f"queries.donor.profile: {dimension} = {code}",
                )
            )
    return rows


def _share(value: Fraction | None) -> float | None:
    """A share as the cell holds it (a fraction of 1, shown as a percentage); None: no one yet."""
    return None if value is None else float(value)


def _methodology(code: str, period: str, as_of: dt.date, lang: str) -> list[str]:
    _ = translator(lang)
    return [
        _("Methodology"),
        _(
            "Every figure comes from the Lingkaran allocation ledger, with the definitions of "
            "the Lingkaran data contract (version 3), for the donations received {period}, as "
            "of {date}."
        ).format(period=period, date=date_text(as_of, lang, "long")),
        _(
            "Donations buy BPJS Ketenagakerjaan contributions for informal workers month by "
            "month at the rate in force; a claim counts when its incident fell in a month the "
            "donations covered. Workers are pseudonymous: no name or identity number is held."
        ),
        _(
            "Workers by gender, province and occupation are distinct workers; a worker counts "
            "once in each breakdown, so each breakdown adds up to the workers protected."
        ),
        _(
            "Verification code of the impact statement for the same donor, period and date: "
            "{code}. Check it in the Lingkaran app (Verify a statement)."
        ).format(code=code),
        _(
            "SDG rows show these donations' contribution to target 1.3 (indicator 1.3.1: the "
            "population covered by social protection) and target 8.8 (safe working "
            "environments, for workers in precarious employment too): counts of workers and "
            "claims, not the national indicators themselves."
        ),
        _(
            "What the pack does not cover: GRI 203-1's infrastructure investments other than "
            "these contributions, GRI 413-2 (negative impacts on local communities), and the "
            "environmental parts of POJK 51 and TJSL."
        ),
    ]
