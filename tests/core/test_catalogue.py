"""The figures' catalogue is the one list: the ledger's figures, the open data's schema, the
checks, the statement and the headline numbers all follow it."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

from dashboard.core import catalogue
from dashboard.exports import presentation, statement
from dashboard.ledger.schema import Donor
from dashboard.publish.open_data import json_schema
from queries import checks
from queries.figures import LedgerFigures, ledger_figures

TODAY = dt.date(2026, 12, 6)


def test_the_ledger_computes_exactly_the_catalogued_figures():
    fields = [field.name for field in dataclasses.fields(LedgerFigures)]
    assert fields == [*catalogue.KEYS, "as_of", "donor_id", "donors"]


def test_the_open_data_schema_types_every_figure_and_no_other():
    figures = json_schema()["$defs"]["summary"]["properties"]["figures"]
    assert set(figures["required"]) == set(figures["properties"])
    assert set(figures["properties"]) == {*catalogue.KEYS, "as_of", "donors"}
    for figure in catalogue.FIGURES:
        nullable = "null" in figures["properties"][figure.key]["type"]
        assert nullable == (figure.unit == catalogue.COUNT), figure.key


def test_every_consumer_reads_the_catalogue():
    assert [h.key for h in presentation.HEADLINE] == [f.key for f in catalogue.HEADLINE]
    assert [h.money for h in presentation.HEADLINE] == [f.money for f in catalogue.HEADLINE]
    assert checks.ADDITIVE == catalogue.ADDITIVE
    assert statement.SINCE_V2 == (
        "jht_saved_idr",
        "confirmed_idr",
        "unconfirmed_idr",
        "ended_workers",
        "continued_workers",
    )


def test_an_additive_figure_of_the_programme_is_the_sum_of_its_donors(demo_engine):
    """The flag decides what ``lingkaran check`` compares: it must be true of the ledger."""
    programme = ledger_figures(demo_engine, None, TODAY)
    with demo_engine.connect() as conn:
        donor_ids = conn.execute(select(Donor.donor_id)).scalars().all()
    donors = [ledger_figures(demo_engine, donor_id, TODAY) for donor_id in donor_ids]
    for figure in catalogue.FIGURES:
        total = sum(getattr(d, figure.key) for d in donors)
        if figure.additive:
            assert getattr(programme, figure.key) == total, figure.key
        else:  # a worker two donors covered is one worker of the programme
            assert getattr(programme, figure.key) <= total, figure.key
    assert programme.covered_workers < sum(d.covered_workers for d in donors)
