"""The public aggregates as published: suppressed, documented, the same on every surface.

The open-data page's downloads and the `/api/v1` routes both call these functions, so a
journalist who downloads a CSV and one who fetches the API get the same cells withheld.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import threading
import zlib
from dataclasses import dataclass, field

import pandas as pd
from cachetools import LRUCache
from sqlalchemy import Connection, Engine, select

from dashboard.core import catalogue
from dashboard.core.caching import shared
from dashboard.core.errors import LedgerError
from dashboard.core.labels import N_
from dashboard.core.months import month_of
from dashboard.ledger.db import ledger_identity, served_ledger
from dashboard.ledger.ledger_files import CONTRACT_VERSION
from dashboard.ledger.schema import Release
from dashboard.publish.disclosure import (
    COVER,
    DISTINCT,
    SUM,
    Link,
    Publication,
    Relation,
    suppress_jointly,
)
from dashboard.publish.perturbation import Perturbation
from queries import public
from queries.figures import LedgerFigures, connected, ledger_figures, reading

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
CELL_KEYS = ("workers_key", "sums_key")  # each cell's key for the perturbation, never shown
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


def aggregates(
    engine: Engine,
    by: tuple[str, ...] = CUBE,
    k: int | None = None,
    release: str | None = None,
) -> pd.DataFrame:
    """One published table (``by`` as ``parse_dimensions`` orders it), withheld cells missing."""
    table = publication(engine, k, release).tables[tuple(d for d in DIMENSIONS if d in by)]
    return table.copy()


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


def summary(engine: Engine, k: int | None = None, release: str | None = None) -> dict:
    """The programme's figures (docs/contract.md) as the release published them: exact,
    worker counts under k withheld."""
    published = publication(engine, k, release)
    info = published.release
    return {
        "contract_version": CONTRACT_VERSION,
        "suppression_k": info.suppression_k,
        "release": info.id,
        "published_at": _utc(info.published_at),
        "figures": dict(published.summary),
    }


def continuation(
    engine: Engine, by: str, k: int | None = None, release: str | None = None
) -> pd.DataFrame:
    """The programme's continuation by ``donor_type`` or ``stimulus`` (docs/contract.md), a
    group withheld when it has fewer than k ended, continued or not continued workers, or
    when it would give such a group away: the overview and ``/api/v1/continuation``
    publish exactly this."""
    if by not in ("donor_type", "stimulus"):
        raise ValueError(f"continuation is by donor_type or stimulus, not {by!r}")
    return publication(engine, k, release).continuation[by].copy()


def paid_claims(engine: Engine, k: int | None = None, release: str | None = None) -> pd.DataFrame:
    """Paid JKK and JKM claims in a covered month by year of the incident and program:
    ``claims`` and ``amount_idr``, withheld together with the by-program totals."""
    return publication(engine, k, release).claims_by_year.copy()


def claims_by_program(
    engine: Engine, k: int | None = None, release: str | None = None
) -> pd.DataFrame:
    """The same claims per program, all time."""
    return publication(engine, k, release).claims_by_program.copy()


def monthly_protection(
    engine: Engine, k: int | None = None, release: str | None = None
) -> pd.DataFrame:
    """``public.monthly_protection`` up to the current month, ``protected_workers`` missing
    in a month with fewer than k (or where that would give one away)."""
    return publication(engine, k, release).growth.copy()


def covered_by(
    engine: Engine, by: str, k: int | None = None, release: str | None = None
) -> pd.DataFrame:
    """Covered workers by one worker attribute as published: the one-way table."""
    return aggregates(engine, (by,), k, release)[[by, "workers", "suppressed"]]


def donors_wall(engine: Engine, k: int | None = None, release: str | None = None) -> pd.DataFrame:
    """The donors wall as published: named donors and the anonymous pool."""
    return publication(engine, k, release).wall.copy()


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
    summary: dict = field(default_factory=dict)  # the programme's figures, as published
    wall: pd.DataFrame = field(default_factory=pd.DataFrame)  # the donors wall
    release: ReleaseInfo | None = None  # set when read from the store

    def cells(self) -> tuple[int, int]:
        """How many cells the open-data tables hold, and how many of them are withheld."""
        frames = list(self.tables.values())
        return sum(map(len, frames)), sum(int(f["suppressed"].sum()) for f in frames)


RELEASES_KEPT = 8  # releases kept loaded per process (each ledger and release), least recent out


class NoRelease(LedgerError):
    """No public release has been published yet, or none with the id asked for."""


@dataclass(frozen=True)
class ReleaseInfo:
    """What a release says of itself: its id, its cut-off, when it was published, how its
    figures are protected, and what changed since the one before (docs/contract.md
    "Public releases")."""

    id: str
    as_of: dt.date
    published_at: dt.datetime
    ledger_version: str
    method: str
    suppression_k: int
    steps_at_most: int  # how many steps a figure may lie from the truth (0: exact)
    cells: int
    cells_changed: int
    changes: dict

    def listing(self) -> dict:
        """The release as ``/api/v1/releases`` lists it."""
        return {
            "id": self.id,
            "as_of": self.as_of.isoformat(),
            "published_at": _utc(self.published_at),
            "ledger_version": self.ledger_version,
            "method": self.method,
            "suppression_k": self.suppression_k,
            "steps_at_most": self.steps_at_most,
            "cells": self.cells,
            "cells_changed": self.cells_changed,
            "changes": self.changes,
        }


def release_info(row) -> ReleaseInfo:
    changes = json.loads(row.changes)
    return ReleaseInfo(
        row.id,
        row.as_of,
        row.published_at,
        row.ledger_version,
        row.method,
        row.suppression_k,
        changes.get("steps_at_most", 0),
        row.cells,
        row.cells_changed,
        changes,
    )


_INFO_COLUMNS = [c for c in Release.__table__.c if c.name != "payload"]


@connected
def releases(conn: Connection) -> list[ReleaseInfo]:
    """Every release, the latest first (without their contents)."""
    rows = conn.execute(select(*_INFO_COLUMNS).order_by(Release.as_of.desc())).all()
    return [release_info(row) for row in rows]


@connected
def latest_release(conn: Connection) -> ReleaseInfo | None:
    """The latest release, or None before the first."""
    row = conn.execute(select(*_INFO_COLUMNS).order_by(Release.as_of.desc()).limit(1)).first()
    return None if row is None else release_info(row)


def publication(engine: Engine, k: int | None = None, release: str | None = None) -> Published:
    """Everything the public surface shows: the release ``release`` (the latest by default)
    as it was stored. Nothing is computed from the ledger here: a process start serves the
    latest release at once, and publishing a new one never makes a visitor wait. NoRelease
    when there is none (yet, or by that id). ``k`` is the release's own."""
    with reading(engine) as conn:
        chosen = select(Release.id, Release.published_at)
        if release is None:
            row = conn.execute(chosen.order_by(Release.as_of.desc()).limit(1)).first()
            if row is None:
                raise NoRelease("no public release has been published yet")
        else:
            row = conn.execute(chosen.where(Release.id == release)).first()
            if row is None:
                raise NoRelease(f"there is no release {release!r}")
    return _stored(engine, row.id, row.published_at)


@shared(
    LRUCache(maxsize=RELEASES_KEPT),
    key=lambda engine, release, published_at: (ledger_identity(engine), release, published_at),
)
def _stored(engine: Engine, release: str, published_at: dt.datetime) -> Published:
    """A stored release, read and unpacked once per process: a release never changes. Its
    time of publication is part of the key: a ledger rebuilt at the same address may hold
    another release under the same id."""
    with reading(engine) as conn:
        row = conn.execute(select(*Release.__table__.c).where(Release.id == release)).one()
        info = release_info(row)
        return unpack(row.payload, info)


def release_figures(
    engine: Engine, release: str | None = None
) -> tuple[ReleaseInfo, LedgerFigures]:
    """A release (the latest by default) and the programme's figures it published, as
    LedgerFigures (a worker count under k is None). NoRelease when there is none."""
    published = publication(engine, release=release)
    return published.release, figures_of(published.summary)


def figures_of(summary: dict) -> LedgerFigures:
    values = dict(summary)
    values["as_of"] = dt.date.fromisoformat(values["as_of"])
    return LedgerFigures(**values, donor_id=None)


def pack(published: Published) -> bytes:
    """A release's contents as compressed JSON (every frame with its columns' types)."""
    document = {
        "tables": {",".join(by): _frame_json(frame) for by, frame in published.tables.items()},
        "growth": _frame_json(published.growth),
        "claims_by_year": _frame_json(published.claims_by_year),
        "claims_by_program": _frame_json(published.claims_by_program),
        "claims_total": published.claims_total,
        "claims_total_idr": published.claims_total_idr,
        "continuation": {by: _frame_json(f) for by, f in published.continuation.items()},
        "summary": published.summary,
        "wall": _frame_json(published.wall),
    }
    return zlib.compress(json.dumps(document, ensure_ascii=False).encode(), 6)


def unpack(payload: bytes, info: ReleaseInfo | None = None) -> Published:
    document = json.loads(zlib.decompress(payload))
    return Published(
        {tuple(by.split(",")): _json_frame(f) for by, f in document["tables"].items()},
        _json_frame(document["growth"]),
        _json_frame(document["claims_by_year"]),
        _json_frame(document["claims_by_program"]),
        document["claims_total"],
        document["claims_total_idr"],
        {by: _json_frame(f) for by, f in document["continuation"].items()},
        summary=document["summary"],
        wall=_json_frame(document["wall"]),
        release=info,
    )


def _frame_json(frame: pd.DataFrame) -> dict:
    types = []
    for column in frame.columns:
        values = frame[column]
        if len(values) and isinstance(values.iloc[0], dt.date):
            types.append("date")
        else:
            types.append(str(values.dtype))
    rows = [
        [None if _missing(value) else _json_value(value) for value in row]
        for row in frame.itertuples(index=False)
    ]
    return {"columns": list(frame.columns), "types": types, "rows": rows}


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _json_value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return _plain(value)


def _json_frame(document: dict) -> pd.DataFrame:
    frame = pd.DataFrame(document["rows"], columns=document["columns"])
    for column, kind in zip(document["columns"], document["types"], strict=True):
        if kind == "date":
            frame[column] = [dt.date.fromisoformat(v) for v in frame[column]]
        elif kind in ("Int64", "int64", "bool"):
            frame[column] = frame[column].astype(kind)
    return frame


def keep_warm(
    url: str, every: float = 60.0, stop: threading.Event | None = None
) -> threading.Thread:
    """A background thread of the serving process that loads the latest release as soon as
    one is published (reading and unpacking it, nothing built), so that no visitor waits
    even for that."""

    stop = stop or threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                publication(served_ledger(url))  # the process's engine: its pool, its bounds
            except NoRelease:
                pass
            except Exception:  # noqa: BLE001 - a missing or busy ledger: try again later
                logging.getLogger("lingkaran").warning("release not loaded", exc_info=True)
            stop.wait(every)

    thread = threading.Thread(target=run, name="lingkaran-release", daemon=True)
    thread.start()
    return thread


def build(
    engine: Engine, k: int, as_of: dt.date, perturbation: Perturbation | None = None
) -> Published:
    """The whole public surface of the ledger as of ``as_of`` (docs/contract.md "As of"),
    audited as one publication and perturbed by ``perturbation`` (none: exact figures, as
    the attack test's control publishes them). A release stores exactly this."""
    perturbation = perturbation or Perturbation.exact()
    figures = ledger_figures(engine, None, as_of)
    claims = _claims(engine, figures, k, as_of, perturbation)
    return Published(
        _tables(engine, figures, k, as_of, perturbation),
        _growth(engine, figures, k, as_of, perturbation),
        *claims,
        _continuation(engine, figures, k, as_of, perturbation),
        summary=_summary_figures(figures, k, claims[2]),
        wall=_wall(engine, k, as_of),
    )


def _summary_figures(figures, k: int, claims_total: int | None) -> dict:
    """The programme's figures, exact (the headline), worker counts under k withheld."""
    report = figures.as_report()
    for key in WORKER_COUNTS:
        if report[key] < k and report[key] != 0:
            report[key] = None
    report["claims_paid_count"] = claims_total
    return report


def _wall(engine: Engine, k: int, as_of: dt.date) -> pd.DataFrame:
    """The donors wall as of ``as_of``: a named donor's workers, or the anonymous pool's,
    withheld under k (the rupiah are the donors' own, published with their consent)."""
    wall = public.donors_wall(engine, as_of)
    wall["workers"] = wall["workers"].astype("Int64").mask(wall["workers"] < k)
    return wall


def _withheld_frame(
    frame: pd.DataFrame, cells: list, withheld: set, figures: tuple[str, ...]
) -> pd.DataFrame:
    frame = frame.reset_index(drop=True).copy()
    # bool even when empty: a float column would make frame[~suppressed] pick columns
    frame["suppressed"] = pd.Series([cell in withheld for cell in cells], dtype=bool)
    for column in figures:
        frame[column] = frame[column].astype("Int64").mask(frame["suppressed"])
    return frame


def _tables(engine: Engine, figures, k: int, as_of: dt.date, perturbation: Perturbation):
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
    cube = public.publication_cube(engine, as_of, perturbation.salt)
    noisy: dict[tuple[str, ...], pd.DataFrame] = {}
    for by in PLAN:
        frame = plan_table(cube, by)
        noisy[by] = perturbation.frame(
            frame,
            {"workers": "workers_key", "protected_months": "sums_key", "allocated_idr": "sums_key"},
        )
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
    primary += [  # a perturbed count under k reads as a small group: withheld as well
        cell
        for by in PLAN
        for cell, shown in zip(cell_ids[by], noisy[by]["workers"], strict=True)
        if shown < k
    ]
    withheld = suppress_jointly(publication, primary)
    return {
        by: _withheld_frame(
            frames[by].assign(**noisy[by]).drop(columns=list(CELL_KEYS)),
            cell_ids[by],
            withheld,
            FIGURES,
        )
        for by in PLAN
    }


def plan_table(cube: dict[str, pd.DataFrame], by: tuple[str, ...]) -> pd.DataFrame:
    """One table of the plan summed from ``public.publication_cube``: the same cells as
    ``public.aggregates(by)``. Distinct workers come from the count that matches whether
    the table has a year, a donor type, both or neither (see publication_cube)."""
    keys = list(by)
    sums = cube["sums"].groupby(keys)[["protected_months", "allocated_idr", "sums_key"]].sum()
    source = {
        (True, True): "by_year_type",
        (True, False): "by_year",
        (False, True): "by_type",
        (False, False): "workers",
    }["year" in by, "donor_type" in by]
    workers = cube[source].groupby(keys)[["workers", "workers_key"]].sum()
    frame = sums.join(workers, how="outer").fillna(0).reset_index()
    frame = frame[frame["workers"] > 0].sort_values(keys).reset_index(drop=True)
    return frame[[*keys, *FIGURES, *CELL_KEYS]].astype(
        dict.fromkeys((*FIGURES, *CELL_KEYS), "int64")
    )


def _growth(
    engine: Engine, figures, k: int, today: dt.date, perturbation: Perturbation
) -> pd.DataFrame:
    """Workers protected each month up to this one: each month's count is its worker-months,
    so the months (with those paid ahead, never shown) add up to the published total."""
    series = public.monthly_protection(engine, today, perturbation.salt)
    if series.empty:
        return series.drop(columns="key").assign(suppressed=pd.Series(dtype=bool))
    noisy = perturbation.frame(series, {"protected_workers": "key"})
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
        c
        for c, shown in zip(cells, noisy["protected_workers"], strict=True)
        if 0 < publication.cells[c]["workers"]
        and (publication.cells[c]["workers"] < k or shown < k)
        and c not in publication.hidden
    ]
    withheld = suppress_jointly(publication, primary)
    shown = [month_of(m) <= current for m in series["month"]]
    frame = _withheld_frame(
        series.assign(**noisy).drop(columns="key"), cells, withheld, ("protected_workers",)
    )
    return frame[shown].reset_index(drop=True)


def _claims(engine: Engine, figures, k: int, as_of: dt.date, perturbation: Perturbation):
    """Paid claims by year and program, by program, and in all, suppressed together."""
    by_year = public.paid_claims(engine, "year", as_of, perturbation.salt)
    by_program = public.attributed_claims(engine, as_of, perturbation.salt)
    claim_keys = {"claims": "key", "amount_idr": "key"}
    noisy_year = perturbation.frame(by_year, claim_keys)
    noisy_program = perturbation.frame(by_program, claim_keys)
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
    primary += [
        cell
        for cells, noisy in ((year_cells, noisy_year), (program_cells, noisy_program))
        for cell, shown in zip(cells, noisy["claims"], strict=True)
        if shown < k
    ]
    withheld = suppress_jointly(publication, primary)
    claims_total = None if total in withheld else figures.claims_paid_count
    figures_shown = ("claims", "amount_idr")
    return (
        _withheld_frame(
            by_year.assign(**noisy_year).drop(columns="key"), year_cells, withheld, figures_shown
        ),
        _withheld_frame(
            by_program.assign(**noisy_program).drop(columns="key"),
            program_cells,
            withheld,
            figures_shown,
        ),
        claims_total,
        figures.claims_paid_idr,  # published whole, as in the summary
    )


def _continuation(
    engine: Engine, figures, k: int, today: dt.date, perturbation: Perturbation
) -> dict[str, pd.DataFrame]:
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
    frames, cell_ids, noisy = {}, {}, {}
    for by in ("stimulus", "donor_type"):
        frame = public.continuation(engine, by, today, perturbation.salt)
        frame = frame[frame["ended_workers"] > 0].reset_index(drop=True)
        frames[by], cell_ids[by] = frame, []
        shown = perturbation.frame(frame, {"ended_workers": "key", "continued_workers": "key"})
        # continued workers are some of the ended ones, perturbed or not
        shown["continued_workers"] = shown["continued_workers"].clip(upper=shown["ended_workers"])
        noisy[by] = shown
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
    for by in frames:  # perturbed groups that read as small are withheld as well
        ended, continued = noisy[by]["ended_workers"], noisy[by]["continued_workers"]
        small = (ended < k) | ((continued > 0) & (continued < k))
        small |= (ended - continued > 0) & (ended - continued < k)
        primary += [cell for cell, flag in zip(cell_ids[by], small, strict=True) if flag]
    withheld = suppress_jointly(publication, primary)
    return {
        by: _withheld_frame(
            frames[by].assign(**noisy[by]).drop(columns="key"),
            cell_ids[by],
            withheld,
            ("ended_workers", "continued_workers"),
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
    release_id = {"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$"}
    listed = {
        "type": "object",
        "required": ["id", "as_of", "published_at", "method", "suppression_k", "cells_changed"],
        "properties": {
            "id": release_id,
            "as_of": {"type": "string", "format": "date"},
            "published_at": {"type": "string", "format": "date-time"},
            "ledger_version": {"type": "string"},
            "method": {"enum": ["cell-key", "exact"]},
            "suppression_k": {"type": "integer", "minimum": 2},
            "steps_at_most": {"type": "integer", "minimum": 0},
            "cells": {"type": "integer", "minimum": 0},
            "cells_changed": {"type": "integer", "minimum": 0},
            "changes": {"type": "object"},
        },
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/api/v1/schema",
        "title": "Lingkaran open data",
        "$defs": {
            "releases": {
                "type": "object",
                "required": ["releases"],
                "properties": {"releases": {"type": "array", "items": listed}},
                "additionalProperties": False,
            },
            "summary": {
                "type": "object",
                "required": [
                    "contract_version",
                    "suppression_k",
                    "release",
                    "published_at",
                    "figures",
                ],
                "properties": {
                    "contract_version": {"type": "string"},
                    "suppression_k": {"type": "integer", "minimum": 2},
                    "release": release_id,
                    "published_at": {"type": "string", "format": "date-time"},
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
                "required": ["release", "by", "suppression_k", "rows"],
                "properties": {
                    "release": release_id,
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
                "required": ["release", "by", "suppression_k", "rows"],
                "properties": {
                    "release": release_id,
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
