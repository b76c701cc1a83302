"""Sentences generated from the ledger that a CSR report can quote as they are."""

from __future__ import annotations

from dashboard import labels
from dashboard.formatting import month_text, rupiah
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
