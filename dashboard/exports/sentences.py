"""Sentences generated from the ledger that a CSR report can quote as they are."""

from __future__ import annotations

from fractions import Fraction

from babel.lists import format_list

from dashboard.core import labels
from dashboard.core.formatting import month_text, number, percent, rupiah
from dashboard.core.i18n import translator
from dashboard.core.months import first_day, month_of


def claim_sentence(claim: dict, lang: str = "id") -> str:
    """One paid claim, anonymised: who (occupation, age band, province), when, what, how much."""
    _ = translator(lang)
    what = {
        "JKK": _("received a work-accident (JKK) benefit of {amount}"),
        "JKM": _("received the death benefit (JKM) of {amount}"),
        "JHT": _("received an old-age (JHT) benefit of {amount}"),
    }.get(claim["program"], _("received a benefit of {amount}"))
    who = _("the family of a {occupation}") if claim["program"] == "JKM" else _("a {occupation}")
    sentence = _(
        "In {month}, {who} aged {age} in {province} {what}, thanks to contributions "
        "paid from this donation."
    )
    return sentence.format(
        month=month_text(claim["incident_month"], lang),
        who=who.format(occupation=labels.occupation_person(claim["occupation"], lang)),
        age=claim["age_band"],
        province=labels.province(claim["province"]),
        what=what.format(amount=rupiah(claim["amount_idr"], lang)),
    )


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
