"""Sentences generated from the ledger that a CSR report can quote as they are."""

from __future__ import annotations

from dashboard import labels
from dashboard.formatting import month_text, rupiah

_WHAT = {
    "JKK": "menerima manfaat jaminan kecelakaan kerja (JKK)",
    "JKM": "menerima santunan kematian (JKM)",
    "JHT": "menerima jaminan hari tua (JHT)",
}


def claim_sentence(claim: dict) -> str:
    """One paid claim, anonymised: who (occupation, age band, province), when, what, how much."""
    who = labels.occupation(claim["occupation"]).lower()
    family = "keluarga seorang " if claim["program"] == "JKM" else "seorang "
    return (
        f"Pada {month_text(claim['incident_month'])}, {family}{who} berusia "
        f"{claim['age_band']} tahun di {labels.province(claim['province'])} "
        f"{_WHAT.get(claim['program'], 'menerima manfaat')} sebesar "
        f"{rupiah(claim['amount_idr'])}, berkat iuran yang dibayar dari donasi ini."
    )
