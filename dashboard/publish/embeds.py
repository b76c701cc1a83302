"""Embeds for donors' and partners' own sites: a small page for an iframe and a static SVG
badge with the programme's headline figures, or a named donor's line of the donors wall,
as the latest release (or the one ``?release=`` names) published them.

    GET /embed/programme?lang=id|en          the page     GET /embed/programme.svg
    GET /embed/donor/{donor_id}?lang=id|en   the page     GET /embed/donor/{donor_id}.svg

Only what the public surface already shows: the headline of the overview, and a donor's
row of the donors wall, which the wall holds only for a donor who chose to be named. The
donor switches the embed off with that same choice (``show_name``): from the moment it is
no longer set the embed answers 404, before the next release takes the name off the wall.

Each answer stands alone: inline CSS and system fonts, no script, no cookie, no image or
font fetched from anywhere; its Content-Security-Policy forbids fetching anything at all
and lets any site frame it. Built with ElementTree, which escapes every text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from dashboard.core.errors import LedgerError, LedgerMoved
from dashboard.core.escaping import visible
from dashboard.core.formatting import date_text, number, rupiah
from dashboard.core.i18n import DEFAULT_LANGUAGE, translator
from dashboard.publish import api, open_data
from dashboard.publish.privacy import shown_count
from queries import public

# Any site may frame an embed; nothing may be fetched from it (no script, image, font or
# style sheet: the CSS is inline). No X-Frame-Options: Streamlit sends none either.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *; base-uri 'none'"
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
LATEST = {**HEADERS, "Cache-Control": "public, max-age=300"}
IMMUTABLE = {**HEADERS, "Cache-Control": "public, max-age=31536000, immutable"}
FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
LICENCE = "CC BY 4.0"
SVG = "http://www.w3.org/2000/svg"


class NotNamed(LookupError):
    """The donor is not one the latest release's donors wall names (or not named today)."""


@dataclass(frozen=True)
class Embed:
    """What an embed shows: a heading, figures (label, value as text), the source line and
    where its link goes."""

    lang: str
    heading: str
    subheading: str
    figures: list[tuple[str, str]]
    source: str
    link: str
    link_text: str


def source_line(info: open_data.ReleaseInfo, lang: str) -> str:
    _ = translator(lang)
    return _("Source: GN Lingkaran, release {release} (data to {date}), licence {licence}.").format(
        release=info.id, date=date_text(info.as_of, lang, "long"), licence=LICENCE
    )


def programme_embed(engine, lang: str, release: str | None = None) -> Embed:
    """The overview's headline as the release published it (a count under k withheld)."""
    _ = translator(lang)
    info, totals = open_data.release_figures(engine, release=release)
    k = info.suppression_k
    return Embed(
        lang,
        "GN Lingkaran",
        _("Programme overview"),
        [
            (_("Workers protected"), shown_count(totals.covered_workers, k, lang)),
            (_("Protected worker-months"), number(totals.protected_months, lang)),
            (_("Claims paid"), shown_count(totals.claims_paid_count, k, lang)),
            (_("Benefits paid"), rupiah(totals.claims_paid_idr, lang)),
        ],
        source_line(info, lang),
        f"/?release={info.id}&lang={lang}",
        _("See the programme overview"),
    )


def donor_embed(engine, donor_id: str, lang: str, release: str | None = None) -> Embed:
    """A donor's row of the donors wall as the release published it. NotNamed when the donor
    does not choose to be named today, or the release's wall does not name it (a name
    changed since, or two named donors of one name and type: never the other's figures)."""
    _ = translator(lang)
    named = public.named_donor(engine, donor_id)
    published = open_data.publication(engine, release=release)
    info = published.release
    if named is None:
        raise NotNamed(donor_id)
    name, kind = named
    wall = published.wall
    rows = wall[(wall["type"] == kind) & (wall["name"] == name)]
    if len(rows) != 1:
        raise NotNamed(donor_id)
    row = rows.iloc[0]
    workers = row["workers"]
    return Embed(
        lang,
        visible(name),
        _("Donors wall"),
        [
            (_("Donated"), rupiah(int(row["donated_idr"]), lang)),
            (
                _("Workers protected"),
                shown_count(None if pd.isna(workers) else int(workers), info.suppression_k, lang),
            ),
        ],
        source_line(info, lang),
        f"/donors?release={info.id}&lang={lang}",
        _("See the donors wall"),
    )


# ── Writing: HTML for an iframe, SVG for an image ─────────────────────────────────────────

STYLE = (
    f"html,body{{margin:0;background:#fff;color:#1f2937;font-family:{FONTS}}}"
    "main{padding:12px 16px;max-width:560px}"
    "h1{font-size:18px;margin:0}p.sub{margin:2px 0 10px;color:#4b5563;font-size:14px}"
    "dl{display:flex;flex-wrap:wrap;gap:8px 24px;margin:0}"
    "dl div{min-width:120px}dt{font-size:13px;color:#4b5563}"
    "dd{margin:0;font-size:22px;font-weight:600;color:#0f5f58}"
    "p.source{font-size:12px;color:#4b5563;margin:10px 0 4px}a{color:#0f5f58;font-size:13px}"
)


def embed_html(embed: Embed) -> bytes:
    """The page for an iframe: no script, inline CSS, a link back (in a new tab)."""
    html = ET.Element("html", lang=embed.lang)
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", charset="utf-8")
    ET.SubElement(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    ET.SubElement(head, "title").text = f"{embed.heading}: {embed.subheading}"
    ET.SubElement(head, "style").text = STYLE
    main = ET.SubElement(ET.SubElement(html, "body"), "main")
    ET.SubElement(main, "h1").text = embed.heading
    ET.SubElement(main, "p", {"class": "sub"}).text = embed.subheading
    figures = ET.SubElement(main, "dl")
    for label, value in embed.figures:
        pair = ET.SubElement(figures, "div")
        ET.SubElement(pair, "dt").text = label
        ET.SubElement(pair, "dd").text = value
    ET.SubElement(main, "p", {"class": "source"}).text = embed.source
    link = ET.SubElement(main, "a", href=embed.link, target="_blank", rel="noopener")
    link.text = embed.link_text
    return b"<!DOCTYPE html>\n" + ET.tostring(html, encoding="utf-8", method="html")


def embed_svg(embed: Embed) -> bytes:
    """A badge of fixed size: title and desc for screen readers, the figures as text."""
    width, row = 520, 40
    height = 64 + row * len(embed.figures) + 54
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG,  # every element in SVG's
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": "title desc",
            "font-family": FONTS,
        },
    )
    ET.SubElement(svg, "title", id="title").text = f"{embed.heading}: {embed.subheading}"
    ET.SubElement(svg, "desc", id="desc").text = " ".join(
        [*(f"{label}: {value}." for label, value in embed.figures), embed.source]
    )
    ET.SubElement(
        svg,
        "rect",
        width=str(width),
        height=str(height),
        rx="8",
        fill="#ffffff",
        stroke="#d1d5db",
    )

    def text(y, content, size, fill="#1f2937", weight="400", parent=svg, **more) -> None:
        element = ET.SubElement(
            parent,
            "text",
            x="16",
            y=str(y),
            fill=fill,
            **{"font-size": str(size), "font-weight": weight, **more},
        )
        element.text = content

    text(28, embed.heading, 18, weight="600")
    text(48, embed.subheading, 13, fill="#4b5563")
    for n, (label, value) in enumerate(embed.figures):
        top = 64 + n * row
        text(top + 14, label, 12, fill="#4b5563")
        text(top + 34, value, 20, fill="#0f5f58", weight="600")
    text(height - 32, embed.source, 10, fill="#4b5563")
    link = ET.SubElement(svg, "a", href=embed.link, target="_blank")
    text(
        height - 12, embed.link_text, 12, "#0f5f58", parent=link, **{"text-decoration": "underline"}
    )
    return ET.tostring(svg, encoding="utf-8", xml_declaration=True)


# ── Serving ───────────────────────────────────────────────────────────────────────────────


def _plain(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message, status_code=status, headers=LATEST)


def _answer(request: Request, build, write, media_type: str) -> Response:
    """The embed ``build`` makes, written by ``write``; a plain message when there is none."""
    lang = DEFAULT_LANGUAGE
    try:
        lang = api.language(request)
        asked = api._one(request, "release")  # the API's rule: a parameter given once
        embed = build(api._engine(api._url()), lang, asked)
    except ValueError as problem:
        return _plain(400, str(problem))
    except open_data.NoRelease:
        return _plain(404, translator(lang)("No public release has been published yet."))
    except NotNamed:
        return _plain(
            404,
            translator(lang)(
                "This donor is not named on the donors wall of the latest release, so there "
                "is nothing to show."
            ),
        )
    except (SQLAlchemyError, LedgerError, LedgerMoved):
        logging.getLogger("lingkaran").exception("embed: database error")
        return _plain(503, "the ledger database cannot be read right now")
    headers = IMMUTABLE if asked is not None else LATEST
    return Response(write(embed), media_type=media_type, headers=headers)


def programme_page(request: Request) -> Response:
    return _answer(request, programme_embed, embed_html, "text/html; charset=utf-8")


def programme_badge(request: Request) -> Response:
    return _answer(request, programme_embed, embed_svg, "image/svg+xml; charset=utf-8")


def _donor(request: Request):
    donor_id = request.path_params["donor_id"]
    return lambda engine, lang, release: donor_embed(engine, donor_id, lang, release)


def donor_page(request: Request) -> Response:
    return _answer(request, _donor(request), embed_html, "text/html; charset=utf-8")


def donor_badge(request: Request) -> Response:
    return _answer(request, _donor(request), embed_svg, "image/svg+xml; charset=utf-8")


routes = [  # the badge before the page: a donor id may hold a dot
    Route("/embed/programme.svg", programme_badge, methods=["GET", "HEAD"]),
    Route("/embed/programme", programme_page, methods=["GET", "HEAD"]),
    Route("/embed/donor/{donor_id}.svg", donor_badge, methods=["GET", "HEAD"]),
    Route("/embed/donor/{donor_id}", donor_page, methods=["GET", "HEAD"]),
]
