"""Sentences generated from the ledger that a CSR report can quote as they are."""

from __future__ import annotations

from fractions import Fraction

from dashboard import labels
from dashboard.formatting import month_text, number, percent, rupiah
from dashboard.i18n import translator


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
        who=who.format(occupation=labels.occupation(claim["occupation"], lang).lower()),
        age=claim["age_band"],
        province=labels.province(claim["province"]),
        what=what.format(amount=rupiah(claim["amount_idr"], lang)),
    )


def confirmed_sentence(figures, lang: str = "id") -> str:
    """BPJS Ketenagakerjaan's confirmations (CONTRACT.md v2): share of allocated rupiah."""
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
    """The continuation rate with its two counts and its definition (CONTRACT.md v2)."""
    _ = translator(lang)
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
