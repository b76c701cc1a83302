"""The public aggregates as published: suppressed, documented, the same on every surface.

The open-data page's downloads and the `/api/v1` routes both call these functions, so a
journalist who downloads a CSV and one who fetches the API get the same cells withheld.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from dashboard.labels import N_
from dashboard.ledger_files import CONTRACT_VERSION
from dashboard.privacy import suppress, suppression_k  # noqa: F401 - re-exported for the API
from queries import public
from queries.figures import ledger_figures

CUBE = ("month", "province", "occupation", "donor_type")
MAX_DIMENSIONS = len(CUBE)  # the work one request may ask for: no cube larger than the default
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
    "month": N_("First month of the coverage (YYYY-MM)."),
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
        "true when the cell counts fewer than k workers, or is withheld so that "
        "such a cell cannot be recovered from totals (complementary suppression)."
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
    """``province,occupation`` -> ('province', 'occupation'); ValueError names a bad one."""
    if not raw:
        return CUBE
    chosen = tuple(part.strip() for part in raw.split(",") if part.strip())
    unknown = [d for d in chosen if d not in public.DIMENSIONS]
    if unknown or not chosen or len(set(chosen)) != len(chosen):
        raise ValueError(
            f"by must list distinct dimensions from {', '.join(public.DIMENSIONS)}; got {raw!r}"
        )
    if len(chosen) > MAX_DIMENSIONS:
        raise ValueError(f"by lists {len(chosen)} dimensions: at most {MAX_DIMENSIONS} at once")
    return chosen


def aggregates(engine: Engine, by: tuple[str, ...] = CUBE, k: int | None = None) -> pd.DataFrame:
    """The cube over ``by`` with small cells withheld (nullable integer figures)."""
    frame = public.aggregates(engine, by)
    return suppress(frame, by, "workers", ("protected_months", "allocated_idr"), k)


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
    """The programme's figures (CONTRACT.md), worker counts under k withheld."""
    k = suppression_k() if k is None else k
    figures = ledger_figures(engine, None, as_of).as_report()
    for key in WORKER_COUNTS:
        if figures[key] < k and figures[key] != 0:
            figures[key] = None
    when = public.freshness(engine)
    return {
        "contract_version": CONTRACT_VERSION,
        "suppression_k": k,
        "figures": figures,
        "last_import": _utc(when["last_import"]),
        "last_allocation": _utc(when["last_allocation"]),
    }


def continuation(engine: Engine, by: str, k: int | None = None) -> pd.DataFrame:
    """The programme's continuation by ``donor_type`` or ``stimulus`` (CONTRACT.md v2), a
    group withheld (complementary included) when it has fewer than k ended or continued
    workers: the overview and ``/api/v1/continuation`` publish exactly this."""
    k = suppression_k() if k is None else k
    frame = public.continuation(engine, by)
    frame["smallest"] = frame[["ended_workers", "continued_workers"]].min(axis=1)
    frame = suppress(frame, [by], "smallest", ["ended_workers", "continued_workers"], k)
    return frame.drop(columns="smallest")


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
    cell_properties = {
        **{
            name: {"type": "string", "description": DATA_DICTIONARY[name]}
            for name in public.DIMENSIONS
        },
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
                        "required": [
                            "donated_idr",
                            "allocated_idr",
                            "balance_idr",
                            "covered_workers",
                            "protected_months",
                            "active_workers",
                            "claims_paid_count",
                            "claims_paid_idr",
                            "jht_saved_idr",
                            "confirmed_idr",
                            "unconfirmed_idr",
                            "ended_workers",
                            "continued_workers",
                            "as_of",
                            "donors",
                        ],
                        "properties": {
                            "donated_idr": {"type": "integer", "minimum": 0},
                            "allocated_idr": {"type": "integer", "minimum": 0},
                            "balance_idr": {"type": "integer", "minimum": 0},
                            "covered_workers": count,
                            "protected_months": {"type": "integer", "minimum": 0},
                            "active_workers": count,
                            "claims_paid_count": count,
                            "claims_paid_idr": {"type": "integer", "minimum": 0},
                            "jht_saved_idr": {"type": "integer", "minimum": 0},
                            "confirmed_idr": {"type": "integer", "minimum": 0},
                            "unconfirmed_idr": {"type": "integer", "minimum": 0},
                            "ended_workers": count,
                            "continued_workers": count,
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
                    "by": {"type": "array", "items": {"enum": list(public.DIMENSIONS)}},
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
