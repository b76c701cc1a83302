"""The public aggregates as published: suppressed, documented, the same on every surface.

The open-data page's downloads and the `/api/v1` routes both call these functions, so a
journalist who downloads a CSV and one who fetches the API get the same cells withheld.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import threading
from dataclasses import dataclass

import pandas as pd
from cachetools import LRUCache
from sqlalchemy import Engine

from dashboard.core import catalogue
from dashboard.core.caching import shared
from dashboard.core.errors import LedgerMoved
from dashboard.core.labels import N_
from dashboard.core.months import month_of
from dashboard.ledger.db import ledger_identity, served_ledger
from dashboard.ledger.ledger_files import CONTRACT_VERSION
from dashboard.publish.disclosure import (
    COVER,
    DISTINCT,
    SUM,
    Link,
    Publication,
    Relation,
    suppress_jointly,
)
from dashboard.publish.privacy import suppression_k
from queries import public
from queries.figures import ledger_figures

# The public surface publishes a fixed set of tables, suppressed together (dashboard/
# disclosure.py): every one- and two-way table of these dimensions. Time is the year the
# coverage started; months are too fine to publish across 38 provinces without giving
# small groups away (issue 11).
DIMENSIONS = ("year", "province", "occupation", "gender", "age_band", "donor_type")
PLAN = tuple(
    by for size in (1, 2) for by in itertools.combinations(DIMENSIONS, size)
)  # 6 one-way and 15 two-way tables
CUBE = ("province", "occupation")  # the open-data page's first table
MAX_DIMENSIONS = 2
PARTITION = {"province", "occupation", "gender", "age_band"}  # one value per worker
FIGURES = public.FIGURES
WORKER_COUNTS = (
    "covered_workers",
    "active_workers",
    "claims_paid_count",
    "ended_workers",
    "continued_workers",
)

# English in the API's JSON schema; translated where a page shows them.
DATA_DICTIONARY = {
    "year": N_("Year in which the coverage started (YYYY)."),
    "province": N_("ISO 3166-2:ID code of the worker's province (38 provinces)."),
    "occupation": N_("Contract occupation code (farmer, fisher, street_vendor, ...)."),
    "gender": N_("F or M."),
    "age_band": N_("Age of the worker in the current year, in bands (15–24 ... 65+)."),
    "donor_type": N_("corporate (CSR), soe (BUMN), personal or community."),
    "workers": N_("Distinct workers with coverage in the cell; missing when suppressed."),
    "protected_months": N_("Worker-months of that coverage; missing when suppressed."),
    "allocated_idr": N_(
        "Contributions paid for that coverage, integer rupiah; missing when suppressed."
    ),
    "suppressed": N_(
        "true when the cell counts fewer than k workers, or is withheld so that no such cell "
        "can be worked out from any combination of published figures (complementary "
        "suppression, audited across every public table at once)."
    ),
    "stimulus": N_("Months donations paid for the worker in all, in bands (1–3 ... 13+)."),
    "ended_workers": N_(
        "Workers whose last month protected by the group's donations lies more than three "
        "months before the current month; missing when suppressed."
    ),
    "continued_workers": N_(
        "Ended workers who paid their own contributions in one of the three months after "
        "that last month; missing when suppressed."
    ),
}


def parse_dimensions(raw: str | None) -> tuple[str, ...]:
    """``occupation,province`` -> the published table ('province', 'occupation'); a
    ValueError names what is wrong (an unknown dimension, or more than two)."""
    if not raw:
        return CUBE
    chosen = tuple(part.strip() for part in raw.split(",") if part.strip())
    unknown = [d for d in chosen if d not in DIMENSIONS]
    if unknown or not chosen or len(set(chosen)) != len(chosen):
        raise ValueError(
            f"by must list one or two distinct dimensions from {', '.join(DIMENSIONS)}; got {raw!r}"
        )
    if len(chosen) > MAX_DIMENSIONS:
        raise ValueError(
            f"by lists {len(chosen)} dimensions: the open data publishes tables of one or "
            f"two dimensions (finer tables would give small groups away)"
        )
    return tuple(d for d in DIMENSIONS if d in chosen)


def aggregates(engine: Engine, by: tuple[str, ...] = CUBE, k: int | None = None) -> pd.DataFrame:
    """One published table (``by`` as ``parse_dimensions`` orders it), withheld cells missing."""
    return publication(engine, k).tables[tuple(d for d in DIMENSIONS if d in by)].copy()


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: withheld figures become null, never zero."""
    return [
        {key: (None if pd.isna(value) else _plain(value)) for key, value in row.items()}
        for row in frame.to_dict("records")
    ]


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    return value


def summary(engine: Engine, as_of: dt.date | None = None, k: int | None = None) -> dict:
    """The programme's figures (docs/contract.md), worker counts under k withheld."""
    k = suppression_k() if k is None else k
    figures = ledger_figures(engine, None, as_of).as_report()
    for key in WORKER_COUNTS:
        if figures[key] < k and figures[key] != 0:
            figures[key] = None
    if as_of is None or as_of == dt.date.today():  # the published claims hold all of it
        figures["claims_paid_count"] = publication(engine, k).claims_total
    when = public.freshness(engine)
    return {
        "contract_version": CONTRACT_VERSION,
        "suppression_k": k,
        "figures": figures,
        "last_import": _utc(when["last_import"]),
        "last_allocation": _utc(when["last_allocation"]),
    }


def continuation(engine: Engine, by: str, k: int | None = None) -> pd.DataFrame:
    """The programme's continuation by ``donor_type`` or ``stimulus`` (docs/contract.md), a
    group withheld when it has fewer than k ended, continued or not continued workers, or
    when it would give such a group away: the overview and ``/api/v1/continuation``
    publish exactly this."""
    if by not in ("donor_type", "stimulus"):
        raise ValueError(f"continuation is by donor_type or stimulus, not {by!r}")
    return publication(engine, k).continuation[by].copy()


def paid_claims(engine: Engine, k: int | None = None) -> pd.DataFrame:
    """Paid JKK and JKM claims in a covered month by year of the incident and program:
    ``claims`` and ``amount_idr``, withheld together with the by-program totals."""
    return publication(engine, k).claims_by_year.copy()


def claims_by_program(engine: Engine, k: int | None = None) -> pd.DataFrame:
    """The same claims per program, all time."""
    return publication(engine, k).claims_by_program.copy()


def monthly_protection(engine: Engine, k: int | None = None) -> pd.DataFrame:
    """``public.monthly_protection`` up to the current month, ``protected_workers`` missing
    in a month with fewer than k (or where that would give one away)."""
    return publication(engine, k).growth.copy()


def covered_by(engine: Engine, by: str, k: int | None = None) -> pd.DataFrame:
    """Covered workers by one worker attribute as published: the one-way table."""
    return aggregates(engine, (by,), k)[[by, "workers", "suppressed"]]


# ── The publication: every public table, suppressed together ─────────────────────────────


@dataclass(frozen=True)
class Published:
    """Everything the public surface shows, each withheld cell missing and marked."""

    tables: dict[tuple[str, ...], pd.DataFrame]
    growth: pd.DataFrame
    claims_by_year: pd.DataFrame
    claims_by_program: pd.DataFrame
    claims_total: int | None  # the count, None when withheld
    claims_total_idr: int
    continuation: dict[str, pd.DataFrame]

    def cells(self) -> tuple[int, int]:
        """How many cells the open-data tables hold, and how many of them are withheld."""
        frames = list(self.tables.values())
        return sum(map(len, frames)), sum(int(f["suppressed"].sum()) for f in frames)


PUBLICATIONS = 8  # kept per process (each ledger, version, k and month), least recent out


def publication(engine: Engine, k: int | None = None, today: dt.date | None = None) -> Published:
    """The publication of the ledger as it stands, built once per ledger version, k and
    month (ages, continuation and the current month move with it) and shared by the pages
    and the API. Visitors who ask while it is being built wait for that build."""
    k = suppression_k() if k is None else k
    today = today or dt.date.today()
    return public.at_latest_version(engine, lambda version: _published(engine, version, k, today))


@shared(
    LRUCache(maxsize=PUBLICATIONS),
    key=lambda engine, version, k, today: (ledger_identity(engine), version, k, month_of(today)),
)
def _published(engine: Engine, version: tuple, k: int, today: dt.date) -> Published:
    # Those who waited for a build that met a write would each build this version again
    # (41 s) only to find it moved on: a version already gone is not built.
    if public.ledger_version(engine) != version:
        raise LedgerMoved(f"the ledger moved on from version {version}")
    # Audited as one ledger: a write landing during the build would give tables of two
    # versions, which the audit never saw together (nothing is kept then).
    return public.at_version(engine, version, lambda: _build(engine, k, today))


def keep_warm(
    url: str, every: float = 60.0, stop: threading.Event | None = None
) -> threading.Thread:
    """A background thread of the serving process that builds the publication as soon as
    the ledger changes (an import, an allocation) or a month begins, so that the first
    visitor after it does not wait for the build (41 s at 2,000,000 workers)."""

    stop = stop or threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                publication(served_ledger(url))  # the process's engine: its pool, its bounds
            except Exception:  # noqa: BLE001 - a missing or busy ledger: try again later
                logging.getLogger("lingkaran").warning("publication not prepared", exc_info=True)
            stop.wait(every)

    thread = threading.Thread(target=run, name="lingkaran-publication", daemon=True)
    thread.start()
    return thread


def _build(engine: Engine, k: int, today: dt.date) -> Published:
    figures = ledger_figures(engine, None, today)
    return Published(
        _tables(engine, figures, k, today),
        _growth(engine, figures, k, today),
        *_claims(engine, figures, k),
        _continuation(engine, figures, k, today),
    )


def _withheld_frame(
    frame: pd.DataFrame, cells: list, withheld: set, figures: tuple[str, ...]
) -> pd.DataFrame:
    frame = frame.reset_index(drop=True).copy()
    # bool even when empty: a float column would make frame[~suppressed] pick columns
    frame["suppressed"] = pd.Series([cell in withheld for cell in cells], dtype=bool)
    for column in figures:
        frame[column] = frame[column].astype("Int64").mask(frame["suppressed"])
    return frame


def _tables(engine: Engine, figures, k: int, today: dt.date):
    """The 21 open-data tables, related to each other and to the programme's totals."""
    total = ("total", ())
    publication = Publication(size=lambda cell: cell["workers"], unit={"allocated_idr": 1000})
    publication.add(
        total,
        {
            "workers": figures.covered_workers,
            "protected_months": figures.protected_months,
            "allocated_idr": figures.allocated_idr,
        },
    )
    publication.forced.add(total)
    # Within a cell: worker-months are at least the workers, and the rupiah lie between the
    # worker-months at the lowest and at the highest monthly price of the published rates.
    rates = public.rate_schedule(engine)
    cheapest = int(rates["monthly_idr"].min()) if len(rates) else 0
    dearest = int((rates["monthly_idr"] + rates["jht_monthly_idr"]).max()) if len(rates) else 0
    publication.links += [
        Link((("workers", 1.0), ("protected_months", -1.0))),
        Link((("protected_months", float(cheapest)), ("allocated_idr", -1.0))),
        Link((("allocated_idr", 1.0), ("protected_months", -float(dearest)))),
    ]
    frames: dict[tuple[str, ...], pd.DataFrame] = {}
    cell_ids: dict[tuple[str, ...], list] = {}
    children: dict[tuple[tuple[str, ...], str], dict] = {}
    cube = public.publication_cube(engine, today)
    for by in PLAN:
        frame = plan_table(cube, by)
        frames[by] = frame
        cell_ids[by] = []
        for row in frame.itertuples(index=False):
            values = dict(zip(frame.columns, row, strict=True))
            key = tuple(str(values[d]) for d in by)
            cell = (",".join(by), key)
            cell_ids[by].append(cell)
            publication.add(cell, {f: int(values[f]) for f in FIGURES})
            # the coarser tables this cell is a part of: drop one dimension
            for dropped in by:
                coarse = tuple(d for d in by if d != dropped)
                coarse_key = tuple(v for d, v in zip(by, key, strict=True) if d != dropped)
                parent = (",".join(coarse), coarse_key) if coarse else total
                children.setdefault((coarse, dropped), {}).setdefault(parent, []).append(cell)
    for (_coarse, dropped), lines in children.items():
        for parent, parts in lines.items():
            for figure in FIGURES:
                kind = SUM if figure != "workers" or dropped in PARTITION else DISTINCT
                publication.relations.append(Relation(figure, parent, tuple(parts), kind))
    primary = [c for c, v in publication.cells.items() if 0 < v["workers"] < k]
    withheld = suppress_jointly(publication, primary)
    return {by: _withheld_frame(frames[by], cell_ids[by], withheld, FIGURES) for by in PLAN}


def plan_table(cube: dict[str, pd.DataFrame], by: tuple[str, ...]) -> pd.DataFrame:
    """One table of the plan summed from ``public.publication_cube``: the same cells as
    ``public.aggregates(by)``. Distinct workers come from the count that matches whether
    the table has a year, a donor type, both or neither (see publication_cube)."""
    keys = list(by)
    sums = cube["sums"].groupby(keys)[["protected_months", "allocated_idr"]].sum()
    source = {
        (True, True): "by_year_type",
        (True, False): "by_year",
        (False, True): "by_type",
        (False, False): "workers",
    }["year" in by, "donor_type" in by]
    workers = cube[source].groupby(keys)["workers"].sum()
    frame = sums.join(workers, how="outer").fillna(0).reset_index()
    frame = frame[frame["workers"] > 0].sort_values(keys).reset_index(drop=True)
    return frame[[*keys, *FIGURES]].astype(dict.fromkeys(FIGURES, "int64"))


def _growth(engine: Engine, figures, k: int, today: dt.date) -> pd.DataFrame:
    """Workers protected each month up to this one: each month's count is its worker-months,
    so the months (with those paid ahead, never shown) add up to the published total."""
    series = public.monthly_protection(engine, today)
    if series.empty:
        return series.assign(suppressed=pd.Series(dtype=bool))
    total = ("total", ())
    publication = Publication(size=lambda cell: cell["workers"])
    publication.add(
        total, {"workers": figures.covered_workers, "protected_months": figures.protected_months}
    )
    publication.forced.add(total)
    current = month_of(today)
    cells = []
    for month, count in zip(series["month"], series["protected_workers"], strict=True):
        cell = ("month", month.isoformat())
        cells.append(cell)
        publication.add(cell, {"workers": int(count), "protected_months": int(count)})
        if month_of(month) > current:
            publication.hidden.add(cell)
        elif month_of(month) == current and figures.active_workers >= k:
            publication.forced.add(cell)  # the headline's "protected now"
    publication.links.append(Link((("workers", 1.0), ("protected_months", -1.0))))
    publication.relations += [
        Relation("protected_months", total, tuple(cells)),
        Relation("workers", total, tuple(cells), DISTINCT),
    ]
    primary = [
        c for c in cells if 0 < publication.cells[c]["workers"] < k and c not in publication.hidden
    ]
    withheld = suppress_jointly(publication, primary)
    shown = [month_of(m) <= current for m in series["month"]]
    frame = _withheld_frame(series, cells, withheld, ("protected_workers",))
    return frame[shown].reset_index(drop=True)


def _claims(engine: Engine, figures, k: int):
    """Paid claims by year and program, by program, and in all, suppressed together."""
    by_year = public.paid_claims(engine, "year")
    by_program = public.attributed_claims(engine)
    total = ("total", ())
    publication = Publication(size=lambda cell: cell["claims"], unit={"amount_idr": 1000})
    publication.add(
        total, {"claims": figures.claims_paid_count, "amount_idr": figures.claims_paid_idr}
    )
    publication.forced.add(total)
    program_cells, year_cells = [], []
    for row in by_program.itertuples(index=False):
        cell = ("program", row.program)
        program_cells.append(cell)
        publication.add(cell, {"claims": int(row.claims), "amount_idr": int(row.amount_idr)})
    for row in by_year.itertuples(index=False):
        cell = ("year,program", (row.year, row.program))
        year_cells.append(cell)
        publication.add(cell, {"claims": int(row.claims), "amount_idr": int(row.amount_idr)})
    for figure in ("claims", "amount_idr"):
        publication.relations.append(Relation(figure, total, tuple(program_cells)))
        for program in program_cells:
            parts = tuple(c for c in year_cells if c[1][1] == program[1])
            publication.relations.append(Relation(figure, program, parts))
    primary = [c for c, v in publication.cells.items() if 0 < v["claims"] < k]
    withheld = suppress_jointly(publication, primary)
    claims_total = None if total in withheld else figures.claims_paid_count
    return (
        _withheld_frame(by_year, year_cells, withheld, ("claims", "amount_idr")),
        _withheld_frame(by_program, program_cells, withheld, ("claims", "amount_idr")),
        claims_total,
        figures.claims_paid_idr,  # published whole, as in the summary
    )


def _continuation(engine: Engine, figures, k: int, today: dt.date) -> dict[str, pd.DataFrame]:
    """Continuation by donor type and by months of stimulus, with the programme's figure.

    A group is sensitive when it has fewer than k ended workers, or fewer than k (but some)
    who continued or who did not. Bands of stimulus partition the ended workers; donor
    types overlap (a worker counts in each type that protected them), so they only bound
    the programme's figure from above.
    """
    total = ("total", ())
    publication = Publication(
        size=lambda cell: min(cell["ended"], cell["continued"]),
        floors={"ended": 1, "continued": 0, "stopped": 0},
    )
    publication.add(
        total,
        {
            "ended": figures.ended_workers,
            "continued": figures.continued_workers,
            "stopped": figures.ended_workers - figures.continued_workers,
        },
    )
    publication.forced.add(total)
    frames, cell_ids = {}, {}
    for by in ("stimulus", "donor_type"):
        frame = public.continuation(engine, by, today)
        frame = frame[frame["ended_workers"] > 0].reset_index(drop=True)
        frames[by], cell_ids[by] = frame, []
        for group, ended, continued in zip(
            frame[by], frame["ended_workers"], frame["continued_workers"], strict=True
        ):
            cell = (by, group)
            cell_ids[by].append(cell)
            publication.add(
                cell,
                {
                    "ended": int(ended),
                    "continued": int(continued),
                    "stopped": int(ended - continued),
                },
            )
        for figure in ("ended", "continued", "stopped"):
            if by == "stimulus":
                publication.relations.append(Relation(figure, total, tuple(cell_ids[by])))
            elif figure != "stopped":  # the programme's ended (continued) workers are each
                publication.relations.append(  # ended (continued) in at least one type
                    Relation(figure, total, tuple(cell_ids[by]), COVER)
                )
    primary = [
        cell
        for cell, v in publication.cells.items()
        if v["ended"] < k or 0 < v["continued"] < k or 0 < v["stopped"] < k
    ]
    withheld = suppress_jointly(publication, primary)
    return {
        by: _withheld_frame(
            frames[by], cell_ids[by], withheld, ("ended_workers", "continued_workers")
        )
        for by in frames
    }


def _utc(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC (SQLite hands back the stored UTC time without its zone)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def json_schema() -> dict:
    """JSON Schema (2020-12) of the API's answers."""
    count = {"type": ["integer", "null"], "minimum": 0}
    amount = {"type": "integer", "minimum": 0}  # rupiah or worker-months, never withheld
    cell_properties = {
        **{name: {"type": "string", "description": DATA_DICTIONARY[name]} for name in DIMENSIONS},
        **{name: {**count, "description": DATA_DICTIONARY[name]} for name in public.FIGURES},
        "suppressed": {"type": "boolean", "description": DATA_DICTIONARY["suppressed"]},
    }
    cell_properties["year"] = {"type": "integer", "description": DATA_DICTIONARY["year"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/api/v1/schema",
        "title": "Lingkaran open data",
        "$defs": {
            "summary": {
                "type": "object",
                "required": ["contract_version", "suppression_k", "figures"],
                "properties": {
                    "contract_version": {"type": "string"},
                    "suppression_k": {"type": "integer", "minimum": 2},
                    "last_import": {"type": ["string", "null"]},
                    "last_allocation": {"type": ["string", "null"]},
                    "figures": {
                        "type": "object",
                        "required": [*catalogue.KEYS, "as_of", "donors"],
                        "properties": {
                            **{
                                figure.key: count if figure.unit == catalogue.COUNT else amount
                                for figure in catalogue.FIGURES
                            },
                            "as_of": {"type": "string", "format": "date"},
                            "donors": {"type": "integer", "minimum": 0},
                        },
                        "additionalProperties": False,
                    },
                },
            },
            "continuation": {
                "type": "object",
                "required": ["by", "suppression_k", "rows"],
                "properties": {
                    "by": {"enum": ["donor_type", "stimulus"]},
                    "suppression_k": {"type": "integer", "minimum": 2},
                    "rows": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ended_workers", "continued_workers", "suppressed"],
                            "properties": {
                                "donor_type": {"type": "string"},
                                "stimulus": {"type": "string"},
                                "ended_workers": count,
                                "continued_workers": count,
                                "suppressed": {"type": "boolean"},
                            },
                            "additionalProperties": False,
                        },
                    },
                },
            },
            "aggregates": {
                "type": "object",
                "required": ["by", "suppression_k", "rows"],
                "properties": {
                    "by": {
                        "type": "array",
                        "items": {"enum": list(DIMENSIONS)},
                        "minItems": 1,
                        "maxItems": MAX_DIMENSIONS,
                    },
                    "suppression_k": {"type": "integer", "minimum": 2},
                    "rows": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [*public.FIGURES, "suppressed"],
                            "properties": cell_properties,
                            "additionalProperties": False,
                        },
                    },
                },
            },
        },
    }
