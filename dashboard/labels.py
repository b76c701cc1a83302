"""How domain codes read on screen, and the one colour each keeps on every page."""

from __future__ import annotations

from dashboard.values import OCCUPATIONS, provinces

DONOR_TYPES = {
    "corporate": "Perusahaan (CSR)",
    "soe": "BUMN",
    "personal": "Perorangan",
    "community": "Komunitas",
}
PROGRAMS = {
    "JKK": "JKK (kecelakaan kerja)",
    "JKM": "JKM (kematian)",
    "JHT": "JHT (hari tua)",
}
OUTCOMES = {
    "protected": "Terlindungi, tanpa klaim",
    "JKK": "Klaim JKK dibayar",
    "JKM": "Klaim JKM dibayar",
}
GENDERS = {"F": "Perempuan", "M": "Laki-laki"}

# Colour-blind-safe (Okabe-Ito); the same meaning has the same colour on every page.
PROGRAM_COLOURS = {"JKK": "#E69F00", "JKM": "#D55E00", "JHT": "#56B4E9"}
OUTCOME_COLOURS = {"protected": "#009E73", "JKK": "#E69F00", "JKM": "#D55E00"}
DONOR_TYPE_COLOURS = {
    "corporate": "#0072B2",
    "soe": "#009E73",
    "personal": "#CC79A7",
    "community": "#F0E442",
}
MONEY_COLOUR = "#0072B2"
WORKERS_COLOUR = "#009E73"
NEUTRAL_COLOUR = "#999999"


def occupation(code: str, lang: str = "id") -> str:
    """``Nelayan`` (id) or ``Fisher`` (en) from the contract code."""
    if lang == "en":
        return code.replace("_", " ").capitalize()
    return OCCUPATIONS.get(code, code).capitalize()


def province(code: str) -> str:
    return provinces().get(code, code)


def donor_type(code: str) -> str:
    return DONOR_TYPES.get(code, code)


def gender(code: str) -> str:
    return GENDERS.get(code, code)
