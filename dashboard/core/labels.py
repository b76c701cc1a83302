"""How domain codes read on screen, and the one colour each keeps on every page."""

from __future__ import annotations

from dashboard.core.i18n import DEFAULT_LANGUAGE, translator
from dashboard.core.vocabulary import OCCUPATIONS, provinces


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Marks a message for the catalogs; it is translated where it is shown."""
    return message


DONOR_TYPES = {
    "corporate": N_("Company (CSR)"),
    "soe": N_("State-owned enterprise (BUMN)"),
    "personal": N_("Individual"),
    "community": N_("Community"),
}
PROGRAMS = {
    "JKK": N_("JKK (work accident)"),
    "JKM": N_("JKM (death)"),
    "JHT": N_("JHT (old age)"),
}
OUTCOMES = {
    "protected": N_("Protected, no claim"),
    "JKK": N_("JKK (work accident) claim paid"),
    "JKM": N_("JKM (death) claim paid"),
}
# Every program named with its gloss wherever it is shown: "JKK" alone means nothing to most.
PACKAGES = {
    "jkk_jkm": N_("JKK + JKM (work accident, death)"),
    "jkk_jkm_jht": N_("JKK + JKM + JHT (work accident, death, old age)"),
}
GENDERS = {"F": N_("Women"), "M": N_("Men")}
# Column headings of the tables pages show; downloads keep the machine names.
COLUMNS = {
    "donation_id": N_("Donation"),
    "received_on": N_("Received"),
    "amount_idr": N_("Amount"),
    "allocated_idr": N_("Allocated"),
    "balance_idr": N_("Balance"),
    "workers": N_("Workers"),
    "protected_months": N_("Worker-months"),
    "program": N_("Program"),
    "incident_month": N_("Incident month"),
    "province": N_("Province"),
    "occupation": N_("Occupation"),
    "gender": N_("Gender"),
    "age_band": N_("Age band"),
    "by": N_("Grouped by"),
    "group": N_("Group"),
    "worker_id": N_("Worker (pseudonymous id)"),
    "start_month": N_("First month"),
    "months": N_("Months"),
    "figure": N_("Figure"),
    "growth_percent": N_("Growth"),
    "imported_at": N_("Imported at"),
    "kind": N_("Kind"),
    "file_name": N_("File"),
    "new": N_("New"),
    "updated": N_("Updated"),
    "unchanged": N_("Unchanged"),
    "at": N_("At"),
    "who": N_("Who"),
    "action": N_("Action"),
    "detail": N_("Detail"),
    "package": N_("Package"),
    "confirmed_idr": N_("Confirmed by BPJS-TK"),
    "unconfirmed_rows": N_("Rows awaiting confirmation"),
    "confirmed_on": N_("Confirmed on"),
    "reference": N_("BPJS-TK reference"),
    "donor_type": N_("Donor type"),
    "stimulus": N_("Months of stimulus"),
    "ended_workers": N_("Ended"),
    "continued_workers": N_("Continued"),
    "continuation_rate": N_("Continuation rate"),
    "year": N_("Year"),
    "claims": N_("Claims paid"),
}

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


def occupation(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """``Nelayan`` (id) or ``Fisher`` (en) from the contract code."""
    if lang == "en":
        return code.replace("_", " ").capitalize()
    return OCCUPATIONS.get(code, code).capitalize()


# An occupation as a person, for sentences ("the family of a fisher", "seorang nelayan"):
# "home industry" or "ojek" name the trade, not the one who works in it. Both languages
# here, as the contract's occupation names are (values.OCCUPATIONS), not in the catalogs.
OCCUPATION_PEOPLE = {
    "farmer": ("farmer", "petani"),
    "fisher": ("fisher", "nelayan"),
    "street_vendor": ("street vendor", "pedagang kaki lima"),
    "motorcycle_taxi": ("motorcycle-taxi (ojek) driver", "pengemudi ojek"),
    "domestic_worker": ("domestic worker", "pekerja rumah tangga"),
    "construction_laborer": ("construction laborer", "buruh bangunan"),
    "market_porter": ("market porter", "buruh gendong/kuli pasar"),
    "waste_picker": ("waste picker", "pemulung"),
    "home_industry": ("home-industry worker", "pekerja industri rumahan"),
    "other": ("worker in another occupation", "pekerja dengan pekerjaan lain"),
}


def occupation_person(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """``a {occupation}`` reads right: ``home-industry worker`` (en), ``pengemudi ojek`` (id)."""
    english, indonesian = OCCUPATION_PEOPLE.get(code, (code.replace("_", " "), code))
    return indonesian if lang == "id" else english


# A tile-grid map of the 38 provinces: (column, row) from the north-west, roughly where each
# lies, and the short name Indonesians use for it. Drawn from the package, nothing fetched.
PROVINCE_TILES = {
    "ID-AC": (0, 0, "Aceh"),
    "ID-SU": (1, 1, "Sumut"),
    "ID-RI": (2, 1, "Riau"),
    "ID-KR": (3, 1, "Kepri"),
    "ID-SB": (1, 2, "Sumbar"),
    "ID-JA": (2, 2, "Jambi"),
    "ID-BE": (2, 3, "Bengkulu"),
    "ID-SS": (3, 3, "Sumsel"),
    "ID-BB": (4, 3, "Babel"),
    "ID-LA": (3, 4, "Lampung"),
    "ID-JK": (4, 4, "DKI"),
    "ID-BT": (3, 5, "Banten"),
    "ID-JB": (4, 5, "Jabar"),
    "ID-JT": (5, 5, "Jateng"),
    "ID-YO": (5, 6, "DIY"),
    "ID-JI": (6, 5, "Jatim"),
    "ID-BA": (7, 5, "Bali"),
    "ID-NB": (8, 5, "NTB"),
    "ID-NT": (9, 5, "NTT"),
    "ID-KB": (5, 2, "Kalbar"),
    "ID-KT": (6, 2, "Kalteng"),
    "ID-KU": (7, 1, "Kaltara"),
    "ID-KI": (7, 2, "Kaltim"),
    "ID-KS": (7, 3, "Kalsel"),
    "ID-SR": (8, 2, "Sulbar"),
    "ID-SN": (8, 3, "Sulsel"),
    "ID-GO": (9, 1, "Gorontalo"),
    "ID-ST": (9, 2, "Sulteng"),
    "ID-SG": (9, 3, "Sultra"),
    "ID-SA": (10, 1, "Sulut"),
    "ID-MU": (11, 1, "Malut"),
    "ID-MA": (11, 3, "Maluku"),
    "ID-PD": (12, 2, "PBD"),
    "ID-PB": (13, 2, "Pabar"),
    "ID-PA": (14, 2, "Papua"),
    "ID-PT": (13, 3, "Papteng"),
    "ID-PE": (14, 3, "Papeg"),
    "ID-PS": (14, 4, "Papsel"),
}


def province(code: str) -> str:
    return provinces().get(code, code)


def donor_type(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return translator(lang)(DONOR_TYPES[code]) if code in DONOR_TYPES else code


def program(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return translator(lang)(PROGRAMS[code]) if code in PROGRAMS else code


def package(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return translator(lang)(PACKAGES[code]) if code in PACKAGES else code


def outcome(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return translator(lang)(OUTCOMES[code]) if code in OUTCOMES else code


def column(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A table column's heading: ``amount_idr`` reads "Jumlah" (id) or "Amount" (en)."""
    return translator(lang)(COLUMNS[name]) if name in COLUMNS else name


def gender(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return translator(lang)(GENDERS[code]) if code in GENDERS else code
