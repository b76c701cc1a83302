"""The contract's value spellings (docs/contract.md "Values"): parse one cell or say why not.
The values themselves are in ``dashboard.core.vocabulary``.

Every parser takes what a CSV or XLSX cell holds (text, or a number/date from an XLSX cell)
and returns the canonical value, or raises ``Invalid`` with a reason a person can act on.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from functools import cache, lru_cache

import pycountry

from dashboard.core.errors import Message, message
from dashboard.core.escaping import INVISIBLE
from dashboard.core.labels import N_, OCCUPATION_PEOPLE
from dashboard.core.months import month_index
from dashboard.core.vocabulary import GENDERS, MAX_IDR, OCCUPATIONS, PACKAGES, provinces

_YES = {"yes", "true", "1", "ya", "y"}
_NO = {"no", "false", "0", "tidak", "n"}

# re.ASCII: \d and \s are the ASCII ones only. Full-width or other scripts' digits
# (１５００００) are not among the contract's spellings, and int() would read them.
_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_MONEY = re.compile(r"(?:rp\s?)?(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?", re.IGNORECASE | re.ASCII)
_ENGLISH_GROUPING = re.compile(r"(?:rp\s?)?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.IGNORECASE | re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_ID_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


class Invalid(ValueError):
    """A cell that does not satisfy the contract: the reason (English text marked with ``N_``
    and its named values, rendered in the reader's language) and the fix where one is
    obvious. ``str()`` is the English reason."""

    def __init__(self, reason: str, suggestion: Message | None = None, **params: object) -> None:
        self.message = message(reason, **params)
        self.suggestion = suggestion
        super().__init__(str(self.message))


def is_blank(raw: object) -> bool:
    return raw is None or raw == "" or (type(raw) is str and raw[0].isspace() and not raw.strip())


def _text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def parse_id(raw: object) -> str:
    if type(raw) is str and _ID.fullmatch(raw):  # the common case, already canonical
        return raw
    value = _text(raw)
    if not _ID.fullmatch(value):
        raise Invalid(N_("an id is 1 to 64 characters of A-Z a-z 0-9 . _ -"))
    return value


def parse_money(raw: object) -> int:
    """Integer rupiah, greater than zero: ``1500000``, ``1.500.000``, ``Rp1.500.000,00``."""
    if type(raw) is str and raw.isascii() and raw.isdigit():  # plain rupiah: the common case
        amount = int(raw)
    elif isinstance(raw, bool):
        raise Invalid(N_("not a rupiah amount"))
    elif isinstance(raw, int | float):  # an XLSX numeric cell
        if isinstance(raw, float) and not raw.is_integer():
            raise Invalid(N_("fractions of a rupiah are not accepted"))
        amount = int(raw)
    else:
        text = _text(raw)
        match = _MONEY.fullmatch(text)
        if match is None:
            if text.replace(" ", "").lower().lstrip("rp").startswith("-"):
                raise Invalid(N_("amounts cannot be negative"))
            if _ENGLISH_GROUPING.fullmatch(text):
                raise Invalid(
                    N_(
                        "English digit grouping (1,500,000) is ambiguous: "
                        "write 1500000 or 1.500.000"
                    ),
                    _write(text.replace(",", ".")),
                )
            raise Invalid(N_("not a rupiah amount (write 1500000, 1.500.000 or Rp 1.500.000,00)"))
        whole, decimals = match.groups()
        if decimals and int(decimals) != 0:
            raise Invalid(N_("fractions of a rupiah are not accepted"))
        amount = int(whole.replace(".", ""))
    if amount < 0:
        raise Invalid(N_("amounts cannot be negative"))
    if amount == 0:
        raise Invalid(N_("the amount must be greater than zero"))
    if amount > MAX_IDR:
        raise Invalid(N_("the amount is too large"))
    return amount


def parse_date(raw: object, today: dt.date) -> dt.date:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY``, a real calendar day, not in the future."""
    if type(raw) is str and _ISO_DATE.fullmatch(raw):  # canonical spelling: the C parser
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise Invalid(N_("no such day on the calendar")) from None
    elif isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0):
            raise Invalid(N_("a date has no time of day"))
        day = raw.date()
    elif isinstance(raw, dt.date):
        day = raw
    else:
        text = _text(raw)
        if match := _ISO_DATE.fullmatch(text):
            year, month, day_of_month = (int(part) for part in match.groups())
        elif match := _ID_DATE.fullmatch(text):
            day_of_month, month, year = (int(part) for part in match.groups())
        else:
            raise Invalid(N_("a date is YYYY-MM-DD or DD/MM/YYYY"))
        try:
            day = dt.date(year, month, day_of_month)
        except ValueError:
            raise Invalid(N_("no such day on the calendar")) from None
    if day > today:
        raise Invalid(N_("the date lies in the future (today is {today})"), today=today.isoformat())
    return day


def parse_month(raw: object) -> int:
    """``YYYY-MM`` as a month index."""
    if type(raw) is str and len(raw) == 7:  # canonical: the common case, a few hundred values
        index = _canonical_month(raw)
        if index is not None:
            return index
    if isinstance(raw, dt.date):  # an XLSX date cell
        return month_index(raw.year, raw.month)
    match = _MONTH.fullmatch(_text(raw))
    if match is None:
        raise Invalid(N_("a month is YYYY-MM"))
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise Invalid(N_("no such month"))
    return month_index(year, month)


@lru_cache(maxsize=4096)
def _canonical_month(text: str) -> int | None:
    """The month index of a canonical ``YYYY-MM``, else None (the full parser says why)."""
    year, dash, month = text[:4], text[4], text[5:]
    if dash == "-" and text.isascii() and year.isdigit() and month.isdigit():
        if 1 <= int(month) <= 12:
            return month_index(int(year), int(month))
    return None


@cache
def _province_codes() -> frozenset[str]:
    return frozenset(provinces())


def parse_province(raw: object) -> str:
    if raw in _province_codes():  # canonical: the common case
        return raw
    code = _text(raw).upper()
    if code not in provinces():
        if code in {sub.code for sub in pycountry.subdivisions.get(country_code="ID")}:
            raise Invalid(N_("{code} is an island group, not a province"), code=code)
        named = _province_by_name().get(_folded(raw))
        if named is not None:
            raise Invalid(
                N_("a province is written as its ISO 3166-2:ID code, not its name"),
                _write(named),
            )
        raise Invalid(
            N_("not the ISO 3166-2:ID code of a province (for example ID-JB)"),
            _closest(_province_spelling(code), provinces()),
        )
    return code


def parse_occupation(raw: object) -> str:
    if type(raw) is str and raw in OCCUPATIONS:  # canonical: the common case
        return raw
    code = _text(raw).lower()
    if code not in OCCUPATIONS:
        named = _occupation_by_label().get(_folded(raw))
        raise Invalid(
            N_("occupation is one of {codes}"),
            _write(named) if named else _closest(code.replace(" ", "_"), OCCUPATIONS),
            codes=", ".join(OCCUPATIONS),
        )
    return code


def parse_choice(raw: object, choices: tuple[str, ...], *, upper: bool = False) -> str:
    value = _text(raw).upper() if upper else _text(raw).lower()
    if value not in choices:
        raise Invalid(
            N_("expected one of {choices}"),
            _closest(value, choices),
            choices=", ".join(choices),
        )
    return value


def parse_package(raw: object) -> str:
    value = _text(raw).lower()
    if value not in PACKAGES:
        raise Invalid(N_("package is jkk_jkm or jkk_jkm_jht (JKK+JKM and JKK+JKM+JHT accepted)"))
    return PACKAGES[value]


def parse_text(raw: object, longest: int, what: str = N_("a text")) -> str:
    """Free text (a donor's name, a reference): trimmed, 1 to ``longest`` characters, and
    refused when it holds a control or bidirectional-override character."""
    text = _text(raw)
    if not 1 <= len(text) <= longest:
        raise Invalid(
            N_("{what} is 1 to {longest} characters"), what=Message(what), longest=longest
        )
    found = INVISIBLE.search(text)
    if found:
        raise Invalid(
            N_(
                "{what} may not hold control or direction-changing characters "
                "(U+{code} at character {position})"
            ),
            what=Message(what),
            code=f"{ord(found.group()):04X}",
            position=found.start() + 1,
        )
    return text


def parse_reference(raw: object) -> str:
    """A confirmation's BPJS-TK reference: free text of 1 to 64 characters."""
    return parse_text(raw, 64, N_("a reference"))


def parse_name(raw: object) -> str:
    """A donor's name: free text of 1 to 200 characters."""
    return parse_text(raw, 200, N_("a name"))


def parse_gender(raw: object) -> str:
    if raw == "F" or raw == "M":  # canonical: the common case
        return raw
    value = _text(raw).upper()
    if value not in GENDERS:
        raise Invalid(N_("gender is F or M (P or L accepted)"))
    return GENDERS[value]


def parse_yes_no(raw: object) -> bool:
    value = _text(raw).lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise Invalid(N_("expected yes/no, true/false, 1/0 or ya/tidak"))


def parse_int_between(raw: object, low: int, high: int) -> int:
    text = raw if type(raw) is str and raw.isascii() and raw.isdigit() else _text(raw)
    if not (text.isascii() and text.isdigit()):
        raise Invalid(N_("expected a whole number from {low} to {high}"), low=low, high=high)
    value = int(text)
    if not low <= value <= high:
        raise Invalid(N_("expected a whole number from {low} to {high}"), low=low, high=high)
    return value


# Suggestions (docs/contract.md "Values"): where a refused cell has one obvious meaning, the
# refusal names the contract's spelling of it; the file itself is never rewritten.


def _write(value: str) -> Message:
    return message(N_("write {value}"), value=value)


def _folded(raw: object) -> str:
    """A name as people vary it: letter case, spaces, dots and hyphens left out."""
    return re.sub(r"[\s.\-_]+", " ", _text(raw)).strip().casefold()


@cache
def _province_by_name() -> dict[str, str]:
    """Folded province name -> code: the names Indonesians write, the ISO list's, and both
    without the DKI/DI prefix ("Jakarta", "Yogyakarta")."""
    names: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code="ID"):
        if sub.code in provinces():
            for name in (sub.name, provinces()[sub.code]):
                names[_folded(name)] = sub.code
                names[_folded(re.sub(r"^(DKI|DI)\s+", "", name))] = sub.code
    return names


@cache
def _occupation_by_label() -> dict[str, str]:
    """Folded label -> occupation code, from the labels both languages show."""
    labels: dict[str, str] = {}
    for code, (english, indonesian) in OCCUPATION_PEOPLE.items():
        for label in (english, indonesian, OCCUPATIONS[code], *OCCUPATIONS[code].split("/")):
            labels[_folded(label)] = code
        labels[_folded(code)] = code
    return labels


def _province_spelling(code: str) -> str:
    """``IDJB``, ``ID_JB``, ``JB`` -> ``ID-JB``: the code as the contract spells it."""
    letters = re.sub(r"[^A-Z]", "", code)
    if letters.startswith("ID") and len(letters) == 4:
        letters = letters[2:]
    return f"ID-{letters}" if len(letters) == 2 else code


def _closest(value: str, choices) -> Message | None:
    """``write X`` for the one choice a slip of one or two letters away, else nothing."""
    if value in choices:
        return _write(value)
    found = difflib.get_close_matches(value, list(choices), n=2, cutoff=0.75)
    return _write(found[0]) if len(found) == 1 else None
