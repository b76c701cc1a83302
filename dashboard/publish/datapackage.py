"""A release, whole, as a Data Package (Frictionless Data): one CSV per public table and a
``datapackage.json`` that describes every column with a Table Schema, so that a researcher
can load or compare two releases with ordinary tools (docs/contract.md "Public releases").

Every text from the ledger (a donor's chosen name) is made inert on its way into a file
(``dashboard.core.escaping.inert``), as every other download is.
"""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
from sqlalchemy import Engine

from dashboard.core.escaping import inert
from dashboard.ledger.ledger_files import CONTRACT_VERSION
from dashboard.publish import open_data

LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
MEANINGS = {
    **open_data.DATA_DICTIONARY,
    "month": "First day of the month (YYYY-MM-DD).",
    "protected_workers": "Workers protected in the month; missing when withheld.",
    "program": "JKK (work accident) or JKM (death).",
    "claims": "Paid claims in a month protected by donations; missing when withheld.",
    "amount_idr": "Benefits paid for those claims, integer rupiah; missing when withheld.",
    "figure": "A programme figure (docs/contract.md, as the methodology page defines it).",
    "value": "Its value as published; empty when withheld.",
    "name": "The donor's name, for donors who chose to be named; empty for the pool.",
    "type": "corporate, soe, personal, community, or anonymous for the pool.",
    "donated_idr": "Donations received, integer rupiah.",
    "donors": "Donors in the row (1, or the pool's size).",
}


def resources(published: open_data.Published) -> dict[str, pd.DataFrame]:
    """Every table of the release, by file name."""
    frames = {f"open-data-{'-'.join(by)}": frame for by, frame in published.tables.items()}
    growth = published.growth
    frames["monthly-protection"] = growth[
        [c for c in ("month", "protected_workers", "suppressed") if c in growth]
    ]
    frames["claims-by-year"] = published.claims_by_year
    frames["claims-by-program"] = published.claims_by_program
    for by, frame in published.continuation.items():
        frames[f"continuation-{by.replace('_', '-')}"] = frame
    frames["summary"] = pd.DataFrame(
        {
            "figure": list(published.summary),
            "value": [None if v is None else str(v) for v in published.summary.values()],
        }
    )
    frames["donors-wall"] = published.wall
    return frames


def data_package(engine: Engine, release: str | None = None) -> bytes:
    """The release (the latest by default) as a zipped Data Package."""
    published = open_data.publication(engine, release=release)
    info = published.release
    files, described = {}, []
    for name, frame in resources(published).items():
        path = f"{name}.csv"
        files[path] = inert(frame).to_csv(index=False).encode("utf-8")
        described.append(
            {
                "name": name,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "encoding": "utf-8",
                "schema": {"fields": [_field(frame, c) for c in frame.columns]},
            }
        )
    descriptor = {
        "profile": "tabular-data-package",
        "name": f"lingkaran-release-{info.id}",
        "title": f"GN Lingkaran open data, release {info.id} (data to {info.as_of})",
        "version": info.id,
        "created": open_data._utc(info.published_at),
        "licenses": [LICENCE],
        "description": (
            f"The public surface of GN Lingkaran as of {info.as_of}: contract v"
            f"{CONTRACT_VERSION}, groups of fewer than {info.suppression_k} workers withheld, "
            f"every figure below the headline perturbed by at most {info.steps_at_most} "
            "steps (the methodology page explains both)."
        ),
        "resources": described,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor, indent=2, ensure_ascii=False))
        for path, content in files.items():
            archive.writestr(path, content)
    return buffer.getvalue()


def _field(frame: pd.DataFrame, column: str) -> dict:
    values = frame[column]
    if column in ("month",):
        kind = "date"
    elif pd.api.types.is_bool_dtype(values):
        kind = "boolean"
    elif pd.api.types.is_integer_dtype(values):
        kind = "integer"
    else:
        kind = "string"
    field = {"name": column, "type": kind}
    if column in MEANINGS:
        field["description"] = MEANINGS[column]
    return field
