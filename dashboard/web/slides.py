"""The slideshow at a link that reopens it exactly, served beside Streamlit:

    GET /slides?lang=en&slide=3                                   the programme, latest release
    GET /slides?release=ID                                        the programme at a release
    GET /slides?donor=ID&from=2025-01-01&to=2025-12-31&slide=3    a donor, donations in a period
    GET /slides?donor=ID&fy=2025                                  a donor's fiscal year 2025/26

The programme's slides read only the stored public release. A donor's slides are served
here in demo mode only (every donor is visible there): in production this route has no
login (Streamlit's session is not a request's), so it refuses, and a logged-in donor takes
the same document from the presentation page, which checks ``access.require`` first.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from dashboard.accounts.access import DEMO, Access, AccessDenied, mode
from dashboard.core.errors import LedgerError, LedgerMoved
from dashboard.core.i18n import DEFAULT_LANGUAGE, translator
from dashboard.exports.presentation import presentation
from dashboard.exports.slideshow import POLICY, slideshow_html
from dashboard.publish import api, open_data
from dashboard.web.shell import DEMO_VISITOR
from queries import donor
from queries.figures import ALL_TIME, Period, fiscal_year

HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _day(request: Request, name: str) -> dt.date | None:
    text = api._one(request, name)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} is a date like 2025-01-31, not {text!r}") from None


def donor_period(request: Request, fiscal_start: int, today: dt.date) -> Period:
    """``fy=2025`` (the fiscal year beginning in 2025) or ``from``/``to``; all time without."""
    year = api._one(request, "fy")
    if year is not None:
        if not year.isdigit():
            raise ValueError(f"fy is a year like 2025, not {year!r}")
        return fiscal_year(int(year), fiscal_start, today)
    start, end = _day(request, "from"), _day(request, "to")
    if start and end and start > end:
        start, end = end, start
    return Period(start, end) if start or end else ALL_TIME


def _plain(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message, status_code=status, headers=HEADERS)


def slides(request: Request) -> Response:
    lang = DEFAULT_LANGUAGE
    try:
        lang = api.language(request)
        _ = translator(lang)
        engine = api._engine(api._url())
        donor_id = api._one(request, "donor")
        if donor_id is None:
            content = presentation(
                engine, None, None, lang=lang, release_id=api._one(request, "release")
            )
        else:
            if mode() != DEMO:
                raise AccessDenied(donor_id)
            access = Access.everything(DEMO_VISITOR, admin=True)
            info = donor.donor_info(engine, access, donor_id)
            if info is None:
                return _plain(404, _("There is no donor {donor}.").format(donor=donor_id))
            today = dt.date.today()
            period = donor_period(request, info.fiscal_year_start, today)
            as_of = today if period.end is None or period.end >= today else period.end
            content = presentation(engine, access, donor_id, period, as_of, lang)
    except ValueError as problem:
        return _plain(400, str(problem))
    except AccessDenied:
        return _plain(
            403,
            translator(lang)(
                "A donor's slideshow opens from the Presentation page after you log in."
            ),
        )
    except open_data.NoRelease:
        return _plain(404, translator(lang)("No public release has been published yet."))
    except (SQLAlchemyError, LedgerError, LedgerMoved):
        logging.getLogger("lingkaran").exception("slides: database error")
        return _plain(503, "the ledger database cannot be read right now")
    return Response(
        slideshow_html(content, api.base_url(request)),
        media_type="text/html; charset=utf-8",
        headers=HEADERS,
    )


routes = [Route("/slides", slides, methods=["GET", "HEAD"])]
