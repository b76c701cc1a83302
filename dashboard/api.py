"""Machine-readable open data at stable URLs, served by the app's own process.

    GET /api/v1/summary                      the programme's figures
    GET /api/v1/continuation?by=donor_type   continuation by donor type or months of stimulus
    GET /api/v1/aggregates?by=province,...   the suppressed cube over the chosen dimensions
    GET /api/v1/schema                       JSON Schema of both answers

Mounted alongside Streamlit by ``dashboard/server.py`` (Streamlit's ASGI ``st.App``).
Endpoints are plain functions: Starlette runs them in a thread, away from the event loop.
"""

from __future__ import annotations

import functools
import logging
import os

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dashboard import config, open_data
from dashboard.db import open_ledger

HEADERS = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}


@functools.cache
def _engine(url: str) -> Engine:
    return open_ledger(url)


def _ledger() -> Engine:
    return _engine(config.database_url(os.environ.get(config.DATABASE_URL_VARIABLE)))


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=HEADERS)


def _answer(build):
    try:
        return JSONResponse(build(), headers=HEADERS)
    except ValueError as problem:
        return _problem(400, str(problem))
    except SQLAlchemyError:
        logging.getLogger("lingkaran").exception("api: database error")
        return _problem(503, "the ledger database cannot be read right now")


def summary(_request: Request) -> JSONResponse:
    return _answer(lambda: open_data.summary(_ledger()))


def aggregates(request: Request) -> JSONResponse:
    def build() -> dict:
        by = open_data.parse_dimensions(request.query_params.get("by"))
        frame = open_data.aggregates(_ledger(), by)
        return {
            "by": list(by),
            "suppression_k": open_data.suppression_k(),
            "rows": open_data.records(frame),
        }

    return _answer(build)


def continuation(request: Request) -> JSONResponse:
    def build() -> dict:
        by = request.query_params.get("by", "donor_type")
        if by not in ("donor_type", "stimulus"):
            raise ValueError("by is donor_type or stimulus")
        return {
            "by": by,
            "suppression_k": open_data.suppression_k(),
            "rows": open_data.records(open_data.continuation(_ledger(), by)),
        }

    return _answer(build)


def schema(_request: Request) -> JSONResponse:
    return JSONResponse(open_data.json_schema(), headers=HEADERS)


routes = [
    Route("/api/v1/summary", summary),
    Route("/api/v1/aggregates", aggregates),
    Route("/api/v1/continuation", continuation),
    Route("/api/v1/schema", schema),
]
