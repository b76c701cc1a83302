"""Translations: gettext catalogs (``dashboard/core/locale/<lang>/LC_MESSAGES/messages.po``).

Messages are written in English in the code, wrapped in ``_()``; the catalogs are managed
with Babel (``pybabel extract -F babel.cfg -k _ -o messages.pot .`` then ``pybabel update``)
and read here with Babel's own .po reader, so no compiled .mo file has to be kept in step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache
def catalog(lang: str) -> dict[str, str]:
    """msgid -> translation for ``lang`` (untranslated entries left out)."""
    with catalog_path(lang).open("rb") as handle:
        messages = read_po(handle, locale=lang)
    return {m.id: m.string for m in messages if m.id and isinstance(m.id, str) and m.string}


def translator(lang: str) -> Callable[[str], str]:
    """``_`` for ``lang``: the catalog's translation, the English text if there is none."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    translations = catalog(lang)
    return lambda message: translations.get(message, message)


LANGUAGE_VARIABLE = "LINGKARAN_LANG"


def environment_language(environ: Mapping[str, str]) -> str:
    """The command line's language when no ``--lang`` is given: ``LINGKARAN_LANG`` (id or
    en), else the locale (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``, as POSIX reads
    them) when it is Indonesian, else English."""
    chosen = environ.get(LANGUAGE_VARIABLE, "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        locale = environ.get(variable, "")
        if locale:
            return "id" if locale.lower().startswith("id") else "en"
    return "en"
