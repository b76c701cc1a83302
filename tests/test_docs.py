"""The documents the code cites are in the repository, and hold what is cited."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ("dashboard", "queries", "pages", "tests", "bench")
CITED = re.compile(r"docs/([a-z_]+\.md)(?: \"([^\"]+)\")?")


def _citations() -> list[tuple[Path, str, str | None]]:
    found = []
    for folder in CODE:
        for path in (ROOT / folder).rglob("*.py"):
            for document, section in CITED.findall(path.read_text(encoding="utf-8")):
                found.append((path.relative_to(ROOT), document, section or None))
    return found


def _sections(document: str) -> set[str]:
    """A document's headings, and the `keys` its tables define (a figure's name)."""
    text = (ROOT / "docs" / document).read_text(encoding="utf-8")
    headings = set(re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE))
    keys = set(re.findall(r"^\| `([a-z_]+)`", text, flags=re.MULTILINE))
    return headings | keys


def test_every_document_the_code_cites_is_in_the_repository():
    citations = _citations()
    assert len(citations) > 50  # the contract is cited throughout
    missing = {(str(path), document) for path, document, _ in citations}
    missing = {(path, doc) for path, doc in missing if not (ROOT / "docs" / doc).is_file()}
    assert not missing


def test_every_cited_section_is_in_the_document_cited():
    cited = {(str(path), doc, section) for path, doc, section in _citations() if section}
    absent = sorted(
        (path, doc, section)
        for path, doc, section in cited
        if (ROOT / "docs" / doc).is_file() and section not in _sections(doc)
    )
    assert not absent
    assert {"Allocation", "Figures", "Files", "Values", "rates", "continued_workers"} <= (
        _sections("contract.md")
    )
    assert {doc for _, doc, section in cited} > {"contract.md"}  # other documents too


def test_no_file_outside_the_repository_is_cited():
    for folder in CODE:
        for path in (ROOT / folder).rglob("*.py"):
            if path != Path(__file__):
                assert "CONTRACT.md" not in path.read_text(encoding="utf-8"), path
