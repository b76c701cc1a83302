"""Machine-readable open data at stable URLs, served by the app's own process.

    GET /api/v1/summary                      the programme's figures
    GET /api/v1/continuation?by=donor_type   continuation by donor type or months of stimulus
    GET /api/v1/aggregates?by=province,...   the suppressed cube over the chosen dimensions
    GET /api/v1/schema                       JSON Schema of every answer

Every error is JSON ``{"error": ...}`` with a status that says what went wrong: 400 for a
bad or repeated parameter, 404 for an unknown path under /api/, 405 for a method other
than GET or HEAD, 503 when the ledger cannot be read.

Mounted alongside Streamlit by ``dashboard/web/server.py`` (Streamlit's ASGI ``st.App``).
Endpoints are plain functions: Starlette runs them in a thread, away from the event loop.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import threading

from cachetools import LRUCache
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dashboard.core import config
from dashboard.core.caching import shared
from dashboard.core.errors import LedgerError, LedgerMoved
from dashboard.ledger.db import served_ledger
from dashboard.publish import open_data
from queries.public import at_latest_version, at_version

HEADERS = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}


def _engine(url: str) -> Engine:
    return served_ledger(url)


def _url() -> str:
    return config.database_url(os.environ.get(config.DATABASE_URL_VARIABLE))


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=HEADERS)


def _answer(build):
    try:
        return JSONResponse(build(), headers=HEADERS)
    except ValueError as problem:
        return _problem(400, str(problem))
    except (SQLAlchemyError, LedgerError, LedgerMoved):
        logging.getLogger("lingkaran").exception("api: database error")
        return _problem(503, "the ledger database cannot be read right now")


def _one(request: Request, name: str, default: str | None = None) -> str | None:
    """A query parameter given at most once (``by=a&by=b`` is refused, not the last kept)."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValueError(f"{name} is given {len(values)} times: give it once")
    return values[0] if values else default


def _kept(answer, *args) -> dict:
    """``answer(url, version, *args, k, today)``, a ``shared`` cached function: every
    answer is kept per ledger version (an import or an allocation makes a new one),
    threshold and day (ages and continuation move with the date). At 2,000,000 workers the
    programme's figures take 0.1 s and a publication 41 s; a kept answer is a dictionary
    lookup. An answer is kept only when every read belonged to its version
    (``at_version``); one that met a write is read again at the new version, then the
    client is told to come back."""
    url = _url()
    return at_latest_version(
        _engine(url),
        lambda version: answer(url, version, *args, open_data.suppression_k(), dt.date.today()),
    )


def _at(url: str, version: tuple, compute):
    return at_version(_engine(url), version, compute)


@shared(LRUCache(maxsize=16))
def _summary(url: str, version: tuple, k: int, today: dt.date) -> dict:
    return _at(url, version, lambda: open_data.summary(_engine(url), k=k))


def summary(_request: Request) -> JSONResponse:
    return _answer(lambda: _kept(_summary))


# Cubes are the expensive answers: at most two are computed at once (the others wait, and
# the pages keep the rest of the machine), and each is kept per ledger version. Requests
# for a cube being computed wait for that one computation (``shared``).
_CUBE_SLOTS = threading.BoundedSemaphore(2)


@shared(LRUCache(maxsize=64))
def _cube(url: str, version: tuple, by: tuple[str, ...], k: int, today: dt.date) -> dict:
    with _CUBE_SLOTS:
        frame = _at(url, version, lambda: open_data.aggregates(_engine(url), by, k))
    return {"by": list(by), "suppression_k": k, "rows": open_data.records(frame)}


def aggregates(request: Request) -> JSONResponse:
    return _answer(lambda: _kept(_cube, open_data.parse_dimensions(_one(request, "by"))))


@shared(LRUCache(maxsize=16))
def _continuation(url: str, version: tuple, by: str, k: int, today: dt.date) -> dict:
    # by donor type reads every (donor, worker) pair: 2.9 s at 2,000,000 workers
    with _CUBE_SLOTS:
        frame = _at(url, version, lambda: open_data.continuation(_engine(url), by, k))
    return {"by": by, "suppression_k": k, "rows": open_data.records(frame)}


def continuation(request: Request) -> JSONResponse:
    def build() -> dict:
        by = _one(request, "by", "donor_type")
        if by not in ("donor_type", "stimulus"):
            raise ValueError("by is donor_type or stimulus")
        return _kept(_continuation, by)

    return _answer(build)


def schema(_request: Request) -> JSONResponse:
    return JSONResponse(open_data.json_schema(), headers=HEADERS)


def not_found(request: Request) -> JSONResponse:
    return _problem(404, f"no such API address: {request.url.path} (see /api/v1/schema)")


METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _get_only(endpoint):
    """The endpoint for GET and HEAD; a JSON 405 for any other method."""

    @functools.wraps(endpoint)
    def answer(request: Request) -> JSONResponse:
        if request.method not in ("GET", "HEAD"):
            response = _problem(405, f"{request.method} is not served here: use GET")
            response.headers["Allow"] = "GET, HEAD"
            return response
        return endpoint(request)

    return answer


routes = [
    Route(path, _get_only(endpoint), methods=METHODS)
    for path, endpoint in (
        ("/api/v1/summary", summary),
        ("/api/v1/aggregates", aggregates),
        ("/api/v1/continuation", continuation),
        ("/api/v1/schema", schema),
        ("/api/{rest:path}", not_found),  # after the real ones: anything else under /api/
    )
]
