"""Both catalogs are complete: every message in the code has a translation in each language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from dashboard.i18n import LANGUAGES, catalog, translator

ROOT = Path(__file__).resolve().parents[1]


def messages_in_code() -> set[str]:
    found = set()
    for folder in ("dashboard", "pages"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
        ):
            found.add(message)
    return found


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_message_is_translated(lang):
    missing = sorted(messages_in_code() - set(catalog(lang)))
    assert not missing, f"untranslated in {lang}: {missing}"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_translations_keep_their_placeholders(lang):
    for message, translated in catalog(lang).items():
        assert set(re.findall(r"{\w+}", message)) == set(re.findall(r"{\w+}", translated)), message


def test_indonesian_and_english_differ_where_they_should():
    assert translator("id")("Donated") == "Donasi"
    assert translator("en")("Donated") == "Donated"
    with pytest.raises(ValueError, match="unknown language"):
        translator("fr")
