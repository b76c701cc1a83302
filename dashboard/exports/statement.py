"""The donor impact statement (.pdf) and its verification code.

The code is an HMAC of the donor, the period, the date and the contract's figures, keyed
with ``LINGKARAN_STATEMENT_KEY``: anyone can have the app recompute the figures for the
same donor, period and date and check the code, and nobody without the key can make a code
for other figures. A changed figure, period or code fails verification.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from dashboard.accounts.access import Access
from dashboard.core.catalogue import SINCE_V2, SINCE_V3
from dashboard.core.config import public_url, statement_key
from dashboard.core.errors import NoDonation
from dashboard.core.formatting import date_text, number
from dashboard.core.i18n import translator
from dashboard.core.months import month_of
from dashboard.exports import qr
from dashboard.exports.presentation import donor_link, headline_numbers, period_text
from dashboard.exports.sentences import claims_sentences, v2_sentences
from dashboard.ledger.schema import Donor, IssuedStatement
from dashboard.publish.privacy import suppression_k
from queries import donor
from queries.figures import ALL_TIME, LedgerFigures, Period, in_fiscal_terms, ledger_figures

FONTS = Path(__file__).resolve().parent / "fonts"


@dataclass(frozen=True)
class Statement:
    donor_id: str
    period: Period
    as_of: dt.date
    figures: dict
    code: str


def verification_code(donor_id: str, period: Period, as_of: dt.date, figures: dict) -> str:
    """``ABCD-EFGH-JKLM-NPQR-STUV``: 100 bits of HMAC-SHA256 over the canonical statement."""
    canonical = json.dumps(
        {
            "donor_id": donor_id,
            "from": period.start.isoformat() if period.start else None,
            "to": period.end.isoformat() if period.end else None,
            "as_of": as_of.isoformat(),
            "figures": {k: v for k, v in figures.items() if k not in ("as_of", "donor_id")},
        },
        sort_keys=True,
    )
    digest = hmac.new(statement_key(), canonical.encode("utf-8"), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode("ascii")[:20]
    return "-".join(text[i : i + 4] for i in range(0, 20, 4))


def make_statement(
    engine: Engine,
    access: Access,
    donor_id: str,
    period: Period = ALL_TIME,
    as_of: dt.date | None = None,
) -> Statement:
    access.require(donor_id)
    as_of = as_of or dt.date.today()
    figures = ledger_figures(engine, donor_id, as_of, period)
    if figures.donated_idr == 0:  # the donor page refuses the same: nothing to state
        period_words = f"the period {period_text(period, 'en')}"
        raise NoDonation(donor_id, period_words, "statement", "--from and --to, or --fiscal-year")
    return statement_of(period, figures)


def statement_of(period: Period, figures: LedgerFigures) -> Statement:
    """The statement of figures already computed (a page that shows them asks no more)."""
    report = figures.as_report()
    return Statement(
        figures.donor_id,
        period,
        figures.as_of,
        report,
        verification_code(figures.donor_id, period, figures.as_of, report),
    )


@dataclass(frozen=True)
class Restated:
    """An issued statement whose day's figures later data has changed."""

    code: str
    document: str
    period: Period
    as_of: dt.date
    stated: dict
    now: dict


def restated_statements(engine: Engine, access: Access, donor_id: str) -> list[Restated]:
    """The donor's issued statements and report packs whose figures the ledger no longer
    gives for their day (docs/contract.md "As of": the donor is told of a restatement)."""
    access.require(donor_id)
    found = []
    for issued in _issued(engine, Donor.donor_id == donor_id):
        now = ledger_figures(engine, donor_id, issued.as_of, issued.period).as_report()
        if {k: v for k, v in now.items() if k in issued.figures} != issued.figures:
            found.append(
                Restated(
                    issued.code, issued.document, issued.period, issued.as_of, issued.figures, now
                )
            )
    return found


@dataclass(frozen=True)
class Verification:
    confirmed: bool
    figures: dict | None  # the figures the code signs, shown only when it matches
    # For a statement on record whose day's figures later data changed: today's reading.
    restated: dict | None = None


def record_issue(engine: Engine, statement: Statement, who: str, document: str) -> None:
    """Keep ``statement`` on record as issued (once per code: the same code is the same
    statement), so that its verification checks what it said (docs/contract.md "As of")."""
    with engine.begin() as conn:
        known = conn.execute(
            select(IssuedStatement.code).where(IssuedStatement.code == statement.code)
        ).first()
        if known:
            return
        key = conn.execute(select(Donor.id).where(Donor.donor_id == statement.donor_id)).scalar()
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(IssuedStatement).values(
                        code=statement.code,
                        donor_key=key,
                        period_start=statement.period.start,
                        period_end=statement.period.end,
                        as_of=statement.as_of,
                        figures=json.dumps(statement.figures, sort_keys=True),
                        document=document,
                        issued_by=who[:320],
                        issued_at=dt.datetime.now(dt.UTC),
                    )
                )
        except IntegrityError:  # issued at the same moment by another request: on record
            pass


@dataclass(frozen=True)
class _Issued:
    code: str
    donor_id: str
    document: str
    period: Period
    as_of: dt.date
    figures: dict


def _issued(engine: Engine, condition) -> list[_Issued]:
    """Issued statements on record that meet ``condition``, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                IssuedStatement.code,
                Donor.donor_id,
                IssuedStatement.document,
                IssuedStatement.period_start,
                IssuedStatement.period_end,
                IssuedStatement.as_of,
                IssuedStatement.figures,
            )
            .join(Donor, Donor.id == IssuedStatement.donor_key)
            .where(condition)
            .order_by(IssuedStatement.issued_at)
        ).all()
    return [
        _Issued(code, donor_id, document, Period(start, end), as_of, json.loads(figures))
        for code, donor_id, document, start, end, as_of, figures in rows
    ]


def verify_statement(
    engine: Engine,
    donor_id: str,
    period: Period,
    as_of: dt.date,
    code: str,
    claimed: dict | None = None,
    *,
    restatement: bool = False,
) -> Verification:
    """Check a statement's code (and ``claimed`` figures): against the figures it was issued
    with when it is on record, else against the ledger's figures recomputed (a statement
    issued before statements were recorded).

    A recorded statement is checked against its record alone: the answer says nothing of
    what the ledger holds now, so codes cannot be used to watch a donor's figures change
    (issue 27). Whether later data has restated it is computed only when ``restatement``
    is asked, for the donor's own users."""
    given = code.strip().upper().replace(" ", "")
    recorded = _issued(engine, IssuedStatement.code == given)
    if recorded:
        issued = recorded[0]
        same = (issued.donor_id, issued.period, issued.as_of) == (
            donor_id,
            Period(period.start, period.end),
            as_of,
        )
        stated = issued.figures
        matches = same and hmac.compare_digest(
            verification_code(donor_id, period, as_of, stated), given
        )
        if claimed is not None:
            matches = matches and all(stated.get(k) == v for k, v in claimed.items())
        if not matches:
            return Verification(False, None)
        if not restatement:
            return Verification(True, stated)
        figures = ledger_figures(engine, donor_id, as_of, period).as_report()
        now = {k: v for k, v in figures.items() if k in stated}
        return Verification(True, stated, restated=figures if now != stated else None)
    figures = ledger_figures(engine, donor_id, as_of, period).as_report()
    matches = hmac.compare_digest(verification_code(donor_id, period, as_of, figures), given)
    # A statement issued before contract v3 (or v2) signed the figures of its version only:
    # it still verifies while those figures stand (a JHT claim v1 counted makes it fail, as
    # it should).
    for older in (SINCE_V3, SINCE_V2 + SINCE_V3):
        if matches:
            break
        signed = {k: v for k, v in figures.items() if k not in older}
        matches = hmac.compare_digest(verification_code(donor_id, period, as_of, signed), given)
    if claimed is not None:
        matches = matches and all(figures.get(k) == v for k, v in claimed.items())
    return Verification(matches, figures if matches else None)


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=18)

    def multi_cell(self, w, h=None, text="", *args, **kwargs):  # noqa: ANN001, ANN201
        """Paragraphs flow down the page: each starts at the left margin below the last."""
        kwargs.setdefault("new_x", "LMARGIN")
        kwargs.setdefault("new_y", "NEXT")
        return super().multi_cell(w, h, text, *args, **kwargs)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(110, 110, 120)
        self.multi_cell(0, 3.6, self.footer_text, align="C")


def render_statement(
    engine: Engine, access: Access, statement: Statement, lang: str = "id"
) -> bytes:
    """The statement as a PDF: figures, one chart, the claims made possible, methodology;
    kept on record as issued to ``access.who``."""
    _ = translator(lang)
    record_issue(engine, statement, access.who, "statement")
    info = donor.donor_info(engine, access, statement.donor_id)
    period = in_fiscal_terms(statement.period, info.fiscal_year_start)
    # Exactly the figures the code signs, not a second computation that could differ.
    signed = LedgerFigures(**{**statement.figures, "as_of": statement.as_of})
    headline = headline_numbers(signed, lang)
    months = donor.monthly(engine, access, statement.donor_id, period)
    claims = donor.claims(engine, access, statement.donor_id, period, statement.as_of)
    address = public_url()
    if address:
        footer = _(
            "Verification code {code}. Check it at {address}/verify with donor {donor}, the "
            "period and the date of this statement."
        ).format(code=statement.code, donor=statement.donor_id, address=address)
    else:
        footer = _(
            "Verification code {code}. Check it in the Lingkaran app (Verify a statement) "
            "with donor {donor}, the period and the date of this statement."
        ).format(code=statement.code, donor=statement.donor_id)
    pdf = _Document(footer)
    pdf.set_title(f"{_('Donor impact statement')}: {info.name} ({info.donor_id})")
    pdf.set_author("GN Lingkaran (Lingkaran)")
    pdf.set_subject(_("GN Lingkaran: social security for vulnerable informal workers"))
    pdf.set_lang(lang)
    pdf.add_page()
    # A QR code to the donor's page with the same period, top right; the heading beside it.
    page = donor_link(address or qr.DEFAULT_BASE, statement.donor_id, period, lang)
    side = 18
    pdf.image(io.BytesIO(qr.png(page)), x=pdf.w - pdf.r_margin - side, y=8, w=side, h=side)
    pdf.link(pdf.w - pdf.r_margin - side, 8, side, side, page)
    beside = pdf.epw - side - 4
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(beside, 9, _("Donor impact statement"))
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(beside, 7, f"{info.name} ({info.donor_id})")
    pdf.set_font("DejaVu", "", 10)
    if period.is_all_time:
        span = _("all donations")
    elif period.fiscal_name is not None:
        span = _("donations received {period}").format(period=period_text(period, lang))
    else:
        start = date_text(period.start, lang, "long") if period.start else _("the start")
        end = date_text(period.end, lang, "long") if period.end else _("today")
        span = _("donations received {start} – {end}").format(start=start, end=end)
    pdf.multi_cell(
        0,
        5.5,
        _("Covers {span}; figures as of {date}.").format(
            span=span, date=date_text(statement.as_of, lang, "long")
        ),
    )
    pdf.ln(3)

    pdf.set_font("DejaVu", "", 10)
    for label, value in headline:
        pdf.cell(95, 7, label, border="B")
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(0, 7, value, border="B", align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 9.5)
    for line in v2_sentences(signed, lang):
        pdf.multi_cell(0, 5, "• " + line)
        pdf.ln(0.6)
    pdf.ln(3)

    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, _("Workers protected each month"))
    _bar_chart(pdf, months, lang, statement.as_of)
    pdf.ln(4)

    methodology = _(
        "Each donation pays BPJS Ketenagakerjaan contributions (JKK work accident and JKM "
        "death) for informal workers in blocks of consecutive months from the month after it "
        "was received, "
        "oldest registrations first, never a partial block; a JHT donation adds old-age "
        "savings. A paid JKK or JKM claim counts when it happened in a month this donor's "
        "money protected; JHT payouts are the worker's own savings and never count. "
        "Confirmed: BPJS Ketenagakerjaan confirmed receiving the contribution. Continued: "
        "a worker paid their own contributions within three months after the donor's last "
        "protected month. Figures follow the Lingkaran data contract v3 and equal the "
        "Lingkaran app and its report command."
    )
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, _("Claims made possible"))
    pdf.set_font("DejaVu", "", 9)
    # One sentence per year, never one per claim: a statement is made to be shown, and a
    # claim told by month, occupation, age and province is one person (docs/contract.md
    # "Quotable sentences"). The years listed, newest first, are as many as leave room on
    # the page for the rest: a statement is one page, not a second one holding a paragraph.
    tail = 6 + _height(pdf, methodology, 4.8) + 3 + 6 + 5 + 4
    if claims.empty:
        pdf.multi_cell(0, 5, _("No claim has been paid in this period yet."))
    years = claims_sentences(claims, suppression_k(), lang)
    for line in years:
        sentence = "• " + line
        if pdf.get_y() + _height(pdf, sentence, 4.8) + 5 + tail > pdf.page_break_trigger:
            pdf.multi_cell(0, 5, _("… and the paid claims of earlier years, on the donor page."))
            break
        pdf.multi_cell(0, 4.8, sentence)
        pdf.ln(0.8)
    pdf.ln(3)

    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, _("Methodology"))
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 4.8, methodology)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(0, 6, _("Verification code: {code}").format(code=statement.code))
    return bytes(pdf.output())


def _height(pdf: FPDF, text: str, line_height: float) -> float:
    """How tall ``text`` would be as a full-width paragraph in the current font, in mm."""
    return pdf.multi_cell(0, line_height, text, dry_run=True, output="HEIGHT")


def _bar_chart(pdf: FPDF, months, lang: str, as_of: dt.date) -> None:
    """Monthly protected workers as bars, drawn with the PDF's own shapes (no image)."""
    _ = translator(lang)
    width, height = pdf.epw, 42
    left, top = pdf.l_margin, pdf.get_y() + 2
    if months.empty:
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, _("No worker has been protected in this period yet."))
        return
    values = [int(v) for v in months["protected_workers"]]
    peak = max(values) or 1
    axis = 14  # mm for the value labels on the left
    left, width = left + axis, width - axis
    step = width / len(values)
    current = month_of(as_of)
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(90, 90, 100)
    pdf.set_draw_color(225, 225, 225)
    for share in (0, 0.5, 1):  # gridlines with their values: the chart has a scale
        y = top + height - height * share
        pdf.line(left, y, left + width, y)
        pdf.set_xy(left - axis, y - 2)
        pdf.cell(axis - 1.5, 4, number(round(peak * share), lang), align="R")
    ahead = 0
    for i, (month, value) in enumerate(zip(months["month"], values, strict=True)):
        if month_of(month) > current:  # already paid for, not yet lived: lighter
            pdf.set_fill_color(150, 214, 196)
            ahead += 1
        else:
            pdf.set_fill_color(0, 158, 115)
        bar = height * value / peak
        pdf.rect(left + i * step, top + height - bar, max(step * 0.8, 0.2), bar, style="F")
    pdf.set_draw_color(180, 180, 180)
    pdf.line(left, top + height, left + width, top + height)
    pdf.set_xy(left, top + height + 1)
    first, last = months["month"].iloc[0], months["month"].iloc[-1]
    pdf.cell(width / 2, 4, first.strftime("%Y-%m"))
    pdf.cell(width / 2, 4, last.strftime("%Y-%m"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(left, top - 4)
    pdf.cell(width, 4, _("Workers protected"), align="L")
    if ahead:
        pdf.set_xy(left, top + height + 5)
        pdf.multi_cell(
            width,
            3.5,
            _(
                "Lighter bars: months after {date} already paid for (protection bought "
                "ahead), not yet lived."
            ).format(date=date_text(as_of, lang, "long")),
        )
        top += 4
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(top + height + 6)
