"""The contract's kinds are registered once (dashboard.ledger.importer.KIND_REGISTRY) and
everything else reads the registry: the contract's own page, the export, the emptiness check
and the admin console's names agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.core.i18n import translator
from dashboard.ledger.db import open_ledger
from dashboard.ledger.importer import KIND_HANDLERS, KIND_REGISTRY, KINDS, contract_columns
from dashboard.ledger.importer.common import Kind
from dashboard.ledger.ledger_files import ledger_is_empty

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contract.md"


def documented_kinds() -> dict[str, tuple[str, ...]]:
    """Each ``### kind`` of the contract's page with the columns its "Columns:" line names."""
    text = CONTRACT.read_text()
    section = text[text.index("## The kinds") : text.index("\n## ", text.index("## The kinds") + 3)]
    kinds = {}
    for name, body in re.findall(r"^### (\w+)\n(.*?)(?=^### |\Z)", section, re.M | re.S):
        columns = re.search(r"Columns: (.*?)\.", body, re.S).group(1)
        kinds[name] = tuple(c.strip(" []\n") for c in columns.replace("\n", " ").split(","))
    return kinds


def test_every_kind_the_contract_describes_is_registered_in_its_order_with_its_columns():
    documented = documented_kinds()
    assert tuple(documented) == KINDS
    for kind, columns in documented.items():
        assert contract_columns(kind) == columns, kind


def test_every_kind_written_is_registered():
    """A kind's module whose class is left out of the registry would be imported by nobody."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    assert {type(kind) for kind in KIND_REGISTRY} == set(subclasses(Kind))
    assert list(KIND_HANDLERS) == list(KINDS)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_kind_is_named_in_both_languages(lang):
    for kind in KIND_REGISTRY:
        title = kind.title(lang)
        assert title.endswith(f"({kind.name})")
        if lang == "id":
            assert translator(lang)(kind.label) != kind.label, kind.name


def test_each_kind_exports_its_rows_and_a_new_ledger_is_empty(demo_engine, tmp_path):
    assert not ledger_is_empty(demo_engine)
    fresh = open_ledger(f"sqlite:///{tmp_path / 'new.db'}")
    assert ledger_is_empty(fresh)  # a new ledger holds the base rate and nothing else
    fresh.dispose()
    for kind in KIND_REGISTRY:
        with demo_engine.connect() as conn:
            rows = conn.execute(kind.export_query()).all()
        assert rows, f"the demo has no {kind.name}: the export is not checked"
        exported = kind.export_row(rows[0])
        assert len(exported) == len(contract_columns(kind.name))
        assert all(isinstance(cell, str) for cell in exported)
