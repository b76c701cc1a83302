"""Sentences generated from the ledger that a CSR report can quote as they are."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
from babel.lists import format_list

from dashboard.core import labels
from dashboard.core.formatting import month_text, number, percent, rupiah
from dashboard.core.i18n import translator
from dashboard.core.months import first_day, month_of

ROUNDED_TO_IDR = 1_000_000  # how a few claims' benefits are stated: about Rp 7,000,000


def claims_sentences(claims, k: int, lang: str = "id") -> list[str]:
    """The donor's paid claims (``queries.donor.claims``) as sentences made to be published,
    one per year of the incident, newest first.

    A published sentence never singles out a person
    (docs/contract.md "Quotable sentences"): no month, occupation, age band or province of a
    claimant; a year with fewer than ``k`` claims (the public pages' threshold) says "fewer
    than k" and its benefits rounded to the nearest Rp 1,000,000, so that one claim's exact
    amount cannot be read off it. The donor's own list of claims stays exact.
    """
    _ = translator(lang)
    if len(claims) == 0:
        return []
    years = pd.DataFrame(
        {
            "year": [month.year for month in claims["incident_month"]],
            "amount_idr": claims["amount_idr"].astype("int64"),
        }
    )
    sentences = []
    for year, rows in sorted(years.groupby("year"), reverse=True):
        count, amount = len(rows), int(rows["amount_idr"].sum())
        if count >= k:
            text = _(
                "In {year}, {count} paid claims brought {amount} to workers and their "
                "families, thanks to contributions paid from this donation."
            ).format(year=year, count=number(count, lang), amount=rupiah(amount, lang))
        else:
            rounded = (amount + ROUNDED_TO_IDR // 2) // ROUNDED_TO_IDR * ROUNDED_TO_IDR
            shown = (
                _("about {amount}").format(amount=rupiah(rounded, lang))
                if rounded
                else _("less than {amount}").format(amount=rupiah(ROUNDED_TO_IDR, lang))
            )
            text = _(
                "In {year}, fewer than {k} paid claims brought {amount} to workers and their "
                "families, thanks to contributions paid from this donation."
            ).format(year=year, k=k, amount=shown)
        sentences.append(text)
    return sentences


def confirmed_sentence(figures, lang: str = "id") -> str:
    """BPJS Ketenagakerjaan's confirmations (docs/contract.md): share of allocated rupiah."""
    _ = translator(lang)
    if not figures.allocated_idr:
        return _("Nothing is allocated yet, so BPJS Ketenagakerjaan has nothing to confirm.")
    share = Fraction(figures.confirmed_idr, figures.allocated_idr)
    return _(
        "{share} of allocated contributions confirmed received by BPJS Ketenagakerjaan "
        "({confirmed} of {allocated}; {unconfirmed} awaiting confirmation)."
    ).format(
        share=percent(share, lang),
        confirmed=rupiah(figures.confirmed_idr, lang),
        allocated=rupiah(figures.allocated_idr, lang),
        unconfirmed=rupiah(figures.unconfirmed_idr, lang),
    )


def continuation_sentence(figures, lang: str = "id", *, donor: bool = True) -> str:
    """The continuation rate with its two counts and its definition (docs/contract.md)."""
    _ = translator(lang)
    if figures.ended_workers is None:  # withheld by a public release: fewer than k
        return _(
            "Too few workers' protection ended three months ago or more to publish whether "
            "they went on paying themselves."
        )
    if figures.continued_workers is None:
        return _(
            "Of {ended} workers whose protection ended at least three months ago, too few "
            "went on paying themselves to publish their number."
        ).format(ended=number(figures.ended_workers, lang))
    if not figures.ended_workers:
        return (
            _(
                "No worker's protection from you ended three months ago or more yet: whether "
                "workers go on paying themselves cannot be measured yet."
            )
            if donor
            else _("No worker's protection ended three months ago or more yet.")
        )
    text = (
        _(
            "Of {ended} workers whose protection from you ended at least three months ago, "
            "{continued} went on paying themselves ({rate})."
        )
        if donor
        else _(
            "Of {ended} workers whose protection ended at least three months ago, "
            "{continued} went on paying themselves ({rate})."
        )
    )
    return text.format(
        ended=number(figures.ended_workers, lang),
        continued=number(figures.continued_workers, lang),
        rate=percent(Fraction(figures.continued_workers, figures.ended_workers), lang),
    )


def continuation_by_type_takeaway(
    programme: Fraction | None, by_type: list[Fraction], lang: str = "id"
) -> str | None:
    """What the eye must read before the continuation rates by donor type: the programme's
    rate beside them, and why a type's rate runs below it (a worker whose protection passed
    to another donor counts as ended, not continued, for the type that protected them
    first). None when the programme's rate is withheld or no type is shown."""
    if programme is None or not by_type:
        return None
    _ = translator(lang)
    if all(rate < programme for rate in by_type):
        text = _(
            "Every donor type's rate is below the programme's {rate}, as expected: a worker "
            "whose protection passed to another donor counts as ended, not continued, for "
            "the type that protected them first."
        )
    else:
        text = _(
            "The programme's rate is {rate}. A donor type's rate may run below it: a worker "
            "whose protection passed to another donor counts as ended, not continued, for "
            "the type that protected them first."
        )
    return text.format(rate=percent(programme, lang))


def jht_sentence(figures, lang: str = "id") -> str | None:
    """Old-age savings put into workers' JHT accounts, for donations with the JHT package."""
    if not figures.jht_saved_idr:
        return None
    _ = translator(lang)
    return _("{amount} put into workers' JHT old-age savings accounts.").format(
        amount=rupiah(figures.jht_saved_idr, lang)
    )


def v2_sentences(figures, lang: str = "id", *, donor: bool = True) -> list[str]:
    """The contract v2 lines every surface shows: confirmed, continuation, old-age savings."""
    lines = [confirmed_sentence(figures, lang), continuation_sentence(figures, lang, donor=donor)]
    saved = jht_sentence(figures, lang)
    return [*lines, saved] if saved else lines


def outlook_sentence(monthly, as_of, lang: str = "id") -> str | None:
    """What lies ahead of the date, from the donor's months (``queries.donor.monthly``):
    protection already paid for after this month is not history, and a donor with nobody
    protected now learns whether protection begins, resumes or has ended."""
    _ = translator(lang)
    if monthly.empty or not (monthly["protected_workers"] > 0).any():
        return None
    current = month_of(as_of)
    by_month = {
        month_of(m): int(v)
        for m, v in zip(monthly["month"], monthly["protected_workers"], strict=True)
    }
    ahead = [m for m, workers in sorted(by_month.items()) if m > current and workers > 0]
    now = by_month.get(current, 0)
    if not ahead:
        if now:
            return None
        last = max(m for m, workers in by_month.items() if workers > 0)
        return _("Protection paid by these donations ended after {month}.").format(
            month=month_text(first_day(last), lang)
        )
    until = month_text(first_day(ahead[-1]), lang)
    if now == 0 and not any(m < current and workers > 0 for m, workers in by_month.items()):
        # "Resumes" only after protection has run: these donations' first block lies ahead.
        return _(
            "Nobody is protected by these donations yet: protection begins in {month} for "
            "{workers} workers and is paid until {until}."
        ).format(
            month=month_text(first_day(ahead[0]), lang),
            workers=number(by_month[ahead[0]], lang),
            until=until,
        )
    if now == 0:
        return _(
            "Nobody is protected by these donations this month: protection resumes in "
            "{month} for {workers} workers and is paid until {until}."
        ).format(
            month=month_text(first_day(ahead[0]), lang),
            workers=number(by_month[ahead[0]], lang),
            until=until,
        )
    return _(
        "Paid ahead: {workers} workers are protected next month, and protection is paid "
        "until {until}. Later months on the chart are already paid for, not yet lived."
    ).format(workers=number(by_month.get(current + 1, 0), lang), until=until)


def lapse_sentences(lapses, lang: str = "id") -> list[str]:
    """Whose protection from the donor ends soon (``queries.donor.Lapses``), by month, and
    what one more block would cost at today's rate; nothing when nobody's ends."""
    _ = translator(lang)
    if not lapses.workers:
        return []
    months = format_list(
        [
            _("{workers} in {month}").format(
                workers=number(workers, lang), month=month_text(first_day(month), lang)
            )
            for month, workers in lapses.months
        ],
        locale=lang,
    )
    ending = _(
        "Workers whose protection from you ends in the next {days} days: {workers} ({months})."
    ).format(
        workers=number(lapses.workers, lang), days=(lapses.until - lapses.since).days, months=months
    )
    cost = _(
        "Extending them by one block like your latest donation ({block} months, {package}) "
        "would cost {cost} at today's rate of {rate} a worker-month: a figure, not a promise, "
        "since allocation decides who is served."
    ).format(
        block=number(lapses.block_months, lang),
        package=labels.package(lapses.package, lang),
        cost=rupiah(lapses.extension_idr, lang),
        rate=rupiah(lapses.monthly_idr, lang),
    )
    return [ending, cost]
