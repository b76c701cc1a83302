"""Machine-readable open data at stable URLs, served by the app's own process.

    GET /api/v1/releases                     every public release, the latest first
    GET /api/v1/releases.atom?lang=id|en     the same as an Atom feed, what changed in words
    GET /api/v1/summary                      the programme's figures
    GET /api/v1/continuation?by=donor_type   continuation by donor type or months of stimulus
    GET /api/v1/aggregates?by=province,...   the suppressed cube over the chosen dimensions
    GET /api/v1/schema                       JSON Schema of every answer

Every answer is read from a stored release (docs/contract.md "Public releases"): the latest,
or the one ``?release=ID`` names, which never changes and may be cached for good.

Every error is JSON ``{"error": ...}`` with a status that says what went wrong: 400 for a
bad or repeated parameter, 404 for an unknown path under /api/, 405 for a method other
than GET or HEAD, 404 for a release that does not exist (or before the first), 503 when the
ledger cannot be read.

Mounted alongside Streamlit by ``dashboard/web/server.py`` (Streamlit's ASGI ``st.App``).
Endpoints are plain functions: Starlette runs them in a thread, away from the event loop.
"""

from __future__ import annotations

import functools
import logging
import os

from cachetools import LRUCache
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dashboard.core import config
from dashboard.core.caching import shared
from dashboard.core.errors import LedgerError, LedgerMoved
from dashboard.core.i18n import LANGUAGES
from dashboard.ledger.db import served_ledger
from dashboard.publish import feeds, open_data

HEADERS = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}


def _engine(url: str) -> Engine:
    return served_ledger(url)


def _url() -> str:
    return config.database_url(os.environ.get(config.DATABASE_URL_VARIABLE))


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=HEADERS)


LATEST = {**HEADERS}  # the latest release: a new one may be published
IMMUTABLE = {**HEADERS, "Cache-Control": "public, max-age=31536000, immutable"}


def _answer(build, headers: dict | None = None):
    try:
        answer, fixed = build()
        return JSONResponse(answer, headers=IMMUTABLE if fixed else (headers or LATEST))
    except open_data.NoRelease as missing:
        return _problem(404, str(missing))
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


def _release(request: Request) -> tuple[str, tuple[str, str], bool]:
    """The ledger's URL, the release asked for (the latest by default) as (id, time of
    publication: a ledger rebuilt at the same URL may reuse an id), and whether it was
    named (its answers then never change). NoRelease when there is none by that id."""
    url = _url()
    asked = _one(request, "release")
    info = open_data.publication(_engine(url), release=asked).release
    return url, (info.id, info.published_at.isoformat()), asked is not None


# A release never changes: each answer is computed once per release and kept. Requests for
# an answer being computed wait for that one computation (``shared``).
@shared(LRUCache(maxsize=32))
def _summary(url: str, release: tuple[str, str]) -> dict:
    return open_data.summary(_engine(url), release=release[0])


def summary(request: Request) -> JSONResponse:
    def build():
        url, release, fixed = _release(request)
        return _summary(url, release), fixed

    return _answer(build)


@shared(LRUCache(maxsize=128))
def _cube(url: str, release: tuple[str, str], by: tuple[str, ...]) -> dict:
    frame = open_data.aggregates(_engine(url), by, release=release[0])
    k = open_data.publication(_engine(url), release=release[0]).release.suppression_k
    rows = open_data.records(frame)
    return {"release": release[0], "by": list(by), "suppression_k": k, "rows": rows}


def aggregates(request: Request) -> JSONResponse:
    def build():
        by = open_data.parse_dimensions(_one(request, "by"))
        url, release, fixed = _release(request)
        return _cube(url, release, by), fixed

    return _answer(build)


@shared(LRUCache(maxsize=32))
def _continuation(url: str, release: tuple[str, str], by: str) -> dict:
    frame = open_data.continuation(_engine(url), by, release=release[0])
    k = open_data.publication(_engine(url), release=release[0]).release.suppression_k
    rows = open_data.records(frame)
    return {"release": release[0], "by": by, "suppression_k": k, "rows": rows}


def continuation(request: Request) -> JSONResponse:
    def build():
        by = _one(request, "by", "donor_type")
        if by not in ("donor_type", "stimulus"):
            raise ValueError("by is donor_type or stimulus")
        url, release, fixed = _release(request)
        return _continuation(url, release, by), fixed

    return _answer(build)


def releases(_request: Request) -> JSONResponse:
    def build():
        listed = open_data.releases(_engine(_url()))
        return {"releases": [info.listing() for info in listed]}, False

    return _answer(build)


def base_url(request: Request) -> str:
    """The site's address for links in a feed or an embed: ``LINGKARAN_PUBLIC_URL`` when set,
    else the address the request came to (HAProxy keeps the Host header)."""
    return config.public_url() or str(request.base_url).rstrip("/")


def language(request: Request) -> str:
    """``?lang=id|en`` (Indonesian by default); a ValueError for anything else."""
    lang = _one(request, "lang", "id")
    if lang not in LANGUAGES:
        raise ValueError(f"lang is {' or '.join(LANGUAGES)}, not {lang!r}")
    return lang


def releases_atom(request: Request) -> Response:
    """Every release as an Atom feed in the language asked for (Indonesian by default)."""
    try:
        lang = language(request)
        listed = open_data.releases(_engine(_url()))
    except ValueError as problem:
        return _problem(400, str(problem))
    except (SQLAlchemyError, LedgerError, LedgerMoved):
        logging.getLogger("lingkaran").exception("api: database error")
        return _problem(503, "the ledger database cannot be read right now")
    return Response(
        feeds.releases_feed(listed, base_url(request), lang),
        media_type="application/atom+xml; charset=utf-8",
        headers=LATEST,
    )


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
        ("/api/v1/releases", releases),
        ("/api/v1/releases.atom", releases_atom),
        ("/api/v1/summary", summary),
        ("/api/v1/aggregates", aggregates),
        ("/api/v1/continuation", continuation),
        ("/api/v1/schema", schema),
        ("/api/{rest:path}", not_found),  # after the real ones: anything else under /api/
    )
]
