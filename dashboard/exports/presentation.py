"""What a forum presentation shows: headline numbers and charts with one-line takeaways.

``presentation`` gathers, for the whole programme or one donor and a period, the figures
and the series of each chart from the same queries the pages use; the slide deck draws
them as native PowerPoint charts, so the numbers in the deck are the numbers in the app.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy import Engine

from dashboard.accounts.access import Access
from dashboard.core import catalogue, labels
from dashboard.core.formatting import (
    date_text,
    month_text,
    number,
    percent,
    rupiah,
    short_rupiah,
)
from dashboard.core.i18n import translator
from dashboard.exports.sentences import v2_sentences
from dashboard.publish import open_data
from dashboard.publish.privacy import shown_count, suppression_k
from queries import donor
from queries.figures import (
    ALL_TIME,
    LedgerFigures,
    Period,
    cuts,
    in_fiscal_terms,
    ledger_figures,
)

TOP = 10


@dataclass(frozen=True)
class Chart:
    key: str
    kind: str  # "line", "bar" (horizontal) or "column"
    title: str
    takeaway: str
    categories: list[str]
    series: dict[str, list[int]]
    unit: str


@dataclass
class Presentation:
    lang: str
    title: str
    subtitle: str
    as_of: dt.date
    figures: LedgerFigures
    headline: list[tuple[str, str]]
    charts: list[Chart] = field(default_factory=list)
    footnote: str = ""
    growth: list[str | None] = field(default_factory=list)  # per headline number
    # Contract v2's lines: confirmed by BPJS-TK, continuation, old-age savings (sentences.py)
    assurance: list[str] = field(default_factory=list)
    # Whose figures, and from where: what a QR code and a link back need (figure_link)
    donor_id: str | None = None
    period: Period = ALL_TIME
    release_id: str | None = None


@dataclass(frozen=True)
class HeadlineNumber:
    key: str  # a LedgerFigures field (docs/contract.md "Figures")
    label: str  # English msgid, translated where shown
    money: bool

    def shown(self, figures: LedgerFigures, lang: str) -> str:
        value = getattr(figures, self.key)
        if value is None:  # a public count under k, withheld by its release
            return shown_count(None, suppression_k(), lang)
        return rupiah(value, lang) if self.money else number(value, lang)

    def named(self, figures: LedgerFigures, lang: str) -> str:
        """The label in ``lang``; "now" only when the figures are of today: workers active
        on a past day are those protected in its month (docs/contract.md "As of")."""
        _ = translator(lang)
        if self.key == "active_workers" and cuts(figures.as_of):
            return _("Workers protected in {month}").format(month=month_text(figures.as_of, lang))
        return _(self.label)


# The headline numbers, in the order every page, deck and statement shows them.
HEADLINE = tuple(HeadlineNumber(f.key, f.label, f.money) for f in catalogue.HEADLINE)


def previous_period(period: Period) -> Period | None:
    """The period of the same length just before ``period`` (None when it is open-ended)."""
    if period.start is None or period.end is None:
        return None
    length = period.end - period.start
    end = period.start - dt.timedelta(days=1)
    return Period(end - length, end)


def growth_texts(now: LedgerFigures, before: LedgerFigures, lang: str) -> list[str | None]:
    """``+12,5% vs previous period`` per headline number; "new" from zero."""
    _ = translator(lang)
    texts = []
    for headline in HEADLINE:
        old, new = getattr(before, headline.key), getattr(now, headline.key)
        if old == 0:
            texts.append(_("new") if new else None)
        else:
            change = percent((new - old) / old, lang)
            texts.append(
                _("{change} vs previous period").format(change=("+" if new >= old else "") + change)
            )
    return texts


def period_text(period: Period, lang: str) -> str:
    """A period as a reader says it: "all time", "1 January 2025 – today", or "fiscal year
    2025/26 (1 April 2025 – 31 March 2026)" for a donor's fiscal year."""
    _ = translator(lang)
    if period.is_all_time:
        return _("all time")
    start = date_text(period.start, lang, "long") if period.start else _("the start")
    end = date_text(period.end, lang, "long") if period.end else _("today")
    if period.fiscal_name is not None:
        # "in": it follows "donations received" wherever a period is named.
        return _("in fiscal year {name} ({start} – {end})").format(
            name=period.fiscal_name, start=start, end=end
        )
    return f"{start} – {end}"


def release_note(release: open_data.ReleaseInfo, lang: str) -> str:
    """Which release a public figure comes from, and what its perturbation means."""
    _ = translator(lang)
    text = _("Release {release}, data to {date}.").format(
        release=release.id, date=date_text(release.as_of, lang, "long")
    )
    if release.steps_at_most:
        text += " " + _(
            "Breakdowns carry a small offset that protects single workers, so their parts "
            "may not add up to the totals exactly."
        )
    return text


def headline_numbers(figures: LedgerFigures, lang: str) -> list[tuple[str, str]]:
    """(label, value) of every headline number, in ``lang``."""
    return [(headline.named(figures, lang), headline.shown(figures, lang)) for headline in HEADLINE]


def forum_numbers(content: Presentation) -> list[tuple[str, str, str]]:
    """(label, value as a forum says it, exact value) of every headline number: money
    shortened ("Rp 19,1 miliar"), the exact amount kept for the slide's note."""
    numbers = []
    for (label, exact), headline in zip(content.headline, HEADLINE, strict=True):
        value = getattr(content.figures, headline.key)
        shown = short_rupiah(value, content.lang) if headline.money and value is not None else exact
        numbers.append((label, shown, exact))
    return numbers


def donor_link(base: str, donor_id: str, period: Period, lang: str) -> str:
    """A donor's page with ``period`` chosen (``/donor?donor=ID&from=...&to=...``)."""
    query = {"donor": donor_id, "lang": lang}
    if period.start:
        query["from"] = period.start.isoformat()
    if period.end:
        query["to"] = period.end.isoformat()
    return base.rstrip("/") + "/donor?" + urlencode(query)


def figure_link(content: Presentation, base: str) -> str:
    """The page a slide's figures come from, at their release or period: the programme's
    overview at the release (``/?release=ID``), a donor's page with the same period."""
    if content.donor_id is not None:
        return donor_link(base, content.donor_id, content.period, content.lang)
    query = {"release": content.release_id, "lang": content.lang}
    return base.rstrip("/") + "/?" + urlencode(query)


def _monthly_chart(months: pd.DataFrame, lang: str) -> Chart:
    _ = translator(lang)
    categories = [m.strftime("%Y-%m") for m in months["month"]]
    values = [int(v) for v in months["protected_workers"]]
    if values and max(values) > 0:
        peak = values.index(max(values))
        takeaway = _("Protection peaked at {workers} workers in {month}.").format(
            workers=number(values[peak], lang), month=month_text(months["month"].iloc[peak], lang)
        )
    else:
        takeaway = _("No worker has been protected in this period yet.")
    return Chart(
        "protected",
        "line",
        _("Workers protected each month"),
        takeaway,
        categories,
        {_("Workers protected"): values},
        _("workers"),
    )


def _ranked_chart(key: str, frame: pd.DataFrame, column: str, name, title: str, lang: str) -> Chart:
    _ = translator(lang)
    top = frame.sort_values(["workers", column], ascending=[False, True]).head(TOP)
    categories = [name(code) for code in top[column]]
    values = [int(v) for v in top["workers"]]
    takeaway = (
        _("Largest group: {group}, with {workers} protected workers.").format(
            group=categories[0], workers=number(values[0], lang)
        )
        if values
        else _("No worker has been protected in this period yet.")
    )
    return Chart(key, "bar", title, takeaway, categories, {_("Workers"): values}, _("workers"))


def _claims_chart(
    claims: pd.DataFrame,
    lang: str,
    title: str | None = None,
    total: tuple[int | None, int] | None = None,
) -> Chart:
    """Paid claims per program, in rupiah (claims: program, claims, amount_idr).

    ``total``: the exact number and rupiah of all claims, where ``claims`` is a release's
    table by program (with its ``suppressed`` flags; published figures carry offsets; the
    number is None when even it is withheld). Programs withheld show together as one column
    that brings the chart to the exact total; where only the offsets keep the columns from
    adding up, the takeaway says so beside the exact total
    (docs/contract.md "Public releases").
    """
    _ = translator(lang)
    withheld_programs = False
    if "suppressed" in claims.columns:
        withheld_programs = bool(claims["suppressed"].any())
        claims = claims[~claims["suppressed"]].astype({"claims": "int64", "amount_idr": "int64"})
    by_program = claims.groupby("program")[["claims", "amount_idr"]].sum()
    programs = [p for p in labels.PROGRAMS if p in by_program.index]
    amounts = [int(by_program.loc[p, "amount_idr"]) for p in programs]
    if total is None:
        count, amount = int(by_program["claims"].sum()) if len(by_program) else 0, sum(amounts)
    else:
        count, amount = total
    offsets_note = ""
    if count is None:  # so few claims in all that even their number is withheld
        programs, amounts = [], []
        takeaway = _("Too few claims have been paid to show them without identifying anyone.")
    elif not count:
        takeaway = _("No claim has been paid in this period yet.")
    else:
        takeaway = _("{claims} paid claims brought {amount} to workers and their families.")
        takeaway = takeaway.format(claims=number(count, lang), amount=rupiah(amount, lang))
        if withheld_programs:
            programs.append(_("Programs with few claims (withheld)"))
            amounts.append(amount - sum(amounts))
        elif sum(amounts) != amount:
            offsets_note = " " + _(
                "Each program's amount carries a small privacy offset, so the columns need "
                "not add up to this total."
            )
    return Chart(
        "claims",
        "column",
        title or _("Benefits paid by program (rupiah)"),
        takeaway + offsets_note,
        # Named with their gloss ("JKK (kecelakaan kerja)"): a bare "JKK" means nothing to
        # most readers of a deck.
        [labels.program(code, lang) for code in programs],
        {_("Benefits paid"): amounts},
        "Rp" if lang == "id" else "IDR",
    )


def _money_chart(months: pd.DataFrame, lang: str) -> Chart:
    _ = translator(lang)
    categories = [m.strftime("%Y-%m") for m in months["month"]]
    donated = [int(v) for v in months["cumulative_donated_idr"]]
    allocated = [int(v) for v in months["cumulative_allocated_idr"]]
    share = allocated[-1] / donated[-1] if donated and donated[-1] else 0
    return Chart(
        "money",
        "line",
        _("Donated and allocated, cumulative (rupiah)"),
        _("{share} of the money donated already pays contributions.").format(
            share=percent(share, lang)
        ),
        categories,
        {_("Donated"): donated, _("Allocated"): allocated},
        "Rp" if lang == "id" else "IDR",
    )


def presentation(
    engine: Engine,
    access: Access,
    donor_id: str | None = None,
    period: Period = ALL_TIME,
    as_of: dt.date | None = None,
    lang: str = "id",
    release_id: str | None = None,
) -> Presentation:
    """The deck's content for one donor (their donations in ``period``) or the programme
    (at its latest release, or the one ``release_id`` names)."""
    _ = translator(lang)
    as_of = as_of or dt.date.today()
    k = suppression_k()
    release = None
    if donor_id is not None:
        access.require(donor_id)  # before any figure of this donor is computed
        figures = ledger_figures(engine, donor_id, as_of, period)
    else:
        # The programme as the public sees it: its latest release, all time, data to the
        # release's cut-off (docs/contract.md "Public releases"): a period's figures beside
        # it would be unprotected counts that the release's perturbation exists to prevent.
        release, figures = open_data.release_figures(engine, release=release_id)
        k = release.suppression_k
        period, as_of = ALL_TIME, release.as_of
    if donor_id is not None:
        info = donor.donor_info(engine, access, donor_id)
        period = in_fiscal_terms(period, info.fiscal_year_start)  # "fiscal year 2025/26"
        title = info.name
        months = donor.monthly(engine, access, donor_id, period)
        profile = donor.profile(engine, access, donor_id, period, as_of)
        provinces = donor.breakdown(profile, "province")
        occupations = donor.breakdown(profile, "occupation")
        claims = donor.claims(engine, access, donor_id, period, as_of).assign(claims=1)
        total = None  # a donor sees its own claims one by one
        claims_title = _("Benefits paid by program (rupiah)")
        money = _money_chart(months, lang) if not months.empty else None
    else:
        title = _("GN Lingkaran programme")
        # The public publication (dashboard/publish/open_data.py): withheld cells suppressed
        # together, so nothing here can be subtracted from anything else to find them.
        months = open_data.monthly_protection(engine, k, release.id)
        if not months.empty:
            months = months[~months["suppressed"] & (months["month"] <= as_of)]
        provinces = open_data.covered_by(engine, "province", k, release.id)
        occupations = open_data.covered_by(engine, "occupation", k, release.id)
        provinces = provinces[~provinces["suppressed"]].astype({"workers": "int64"})
        occupations = occupations[~occupations["suppressed"]].astype({"workers": "int64"})
        # Claims all time per program (per quarter, the rarer program's cells would all be
        # withheld); what is withheld shows as one sum against the all-time published total.
        published = open_data.publication(engine, k, release.id)
        claims = published.claims_by_program
        total = (published.claims_total, published.claims_total_idr)
        claims_title = _("Benefits paid by program, all time (rupiah)")
        money = None
    charts = []
    if not months.empty:
        charts.append(_monthly_chart(months, lang))
    if money is not None:
        charts.append(money)
    charts.append(
        _ranked_chart(
            "province",
            provinces,
            "province",
            labels.province,
            _("Workers protected by province (top 10)"),
            lang,
        )
    )
    charts.append(
        _ranked_chart(
            "occupation",
            occupations,
            "occupation",
            lambda code: labels.occupation(code, lang),
            _("Workers protected by occupation"),
            lang,
        )
    )
    charts.append(_claims_chart(claims, lang, claims_title, total))
    subtitle = _("Impact report, donations received {period}").format(
        period=period_text(period, lang)
    )
    footnote = _(
        "Data as of {date}. Figures as defined by the Lingkaran data contract v3; public "
        "groups of fewer than {k} workers are withheld."
    ).format(date=date_text(as_of, lang, "long"), k=k)
    if release is not None:
        footnote += " " + release_note(release, lang)
    before = previous_period(period) if donor_id is not None else None
    growth = (
        growth_texts(figures, ledger_figures(engine, donor_id, before.end, before), lang)
        if before is not None
        else []
    )
    return Presentation(
        lang,
        title,
        subtitle,
        as_of,
        figures,
        headline_numbers(figures, lang),
        charts,
        footnote,
        growth,
        v2_sentences(figures, lang, donor=donor_id is not None),
        donor_id,
        period,
        release.id if release is not None else None,
    )
